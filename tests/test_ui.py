"""The chat UI: pure HTML helpers (fast), then the running app in headless Chromium (slow).

The browser tests start ``rag.ui.app.build_app`` on a free local port over a temporary copy of the bundled
corpus with the ``extractive`` backend, and drive Debian's Chromium through Playwright (which never
downloads a browser here: ``apt-get install chromium``). Screenshots go to ``artifacts/screenshots/``.
"""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from pages import TIMEOUT_MS, ChatPage
from processes import free_port

from rag.types import Answer, Citation, DocRecord, Passage
from rag.ui import app as ui
from rag.ui import parts

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "corpus"

QUESTION = "光明区推动了多少家科技支行落地?"
FOLLOW_UP = "那创新推出了多少个特色科技金融产品?"
OTHER_QUESTION = "光明区连续几年获评“全国工业百强区”?"
UPLOAD_NAME = "星河湾简报.md"
UPLOAD_TEXT = "# 星河湾社区简报\n\n星河湾社区在2031年建成了一座名为“青岚”的无人图书馆，共收藏图书48000册。\n"
UPLOAD_QUESTION = "青岚无人图书馆收藏了多少册图书?"
MAX_UPLOAD_MB = 1.0  # small, so the over-the-limit upload is quick to make


# ================================================================ pure helpers (fast)
def _passage(n: int, text: str, start: int, doc_id: str = "d1") -> Passage:
    return Passage(chunk_id=f"{doc_id}#{n}", doc_id=doc_id, title="标题<T>", source=f"/x/{doc_id}.txt",
                   text=text, start=start, end=start + len(text), score=0.5)


@pytest.mark.parametrize("warming_up, shown", [(True, "Loading the models"), (False, "Searching")])
def test_the_placeholder_says_when_the_answer_waits_for_the_models_to_load(tmp_path, warming_up, shown):
    bot = SimpleNamespace(settings=SimpleNamespace(feedback_path=tmp_path / "feedback.jsonl"), warming_up=warming_up)
    messages, *_ = next(ui.ChatUI(bot).respond("光明区有多少位院士?", [], 5, ""))
    assert shown in messages[-1]["content"]


def test_link_markers_links_cited_numbers_and_escapes_text():
    html = parts.link_markers("A<b>&[1] B[2] C[1,3]。", turn=4, cited=[1, 3])
    assert html == (
        'A&lt;b&gt;&amp;<a class="cite" href="#src-4-1" data-turn="4" data-n="1" title="查看出处 Show source">[1]</a>'
        ' B[2] C<a class="cite" href="#src-4-1" data-turn="4" data-n="1" title="查看出处 Show source">[1]</a>'
        '<a class="cite" href="#src-4-3" data-turn="4" data-n="3" title="查看出处 Show source">[3]</a>。'
    )


def test_link_markers_understands_fullwidth_and_ranges():
    html = parts.link_markers("甲【2】乙[1-2]", turn=1, cited=[1, 2])
    assert html.count('href="#src-1-2"') == 2 and html.count('href="#src-1-1"') == 1
    assert html.startswith("甲<a ") and "乙<a " in html


def test_highlight_marks_the_span_escapes_and_dims_context():
    text = "第一句。<b>前文</b>引用的话。第三句。"
    start = text.index("<b>")
    quote = text.index("引用的话")
    html = parts.highlight(text, [(quote, quote + 4)], start=start, end=len(text) - 4, context=80)
    assert html == ('<span class="ctx">第一句。</span>&lt;b&gt;前文&lt;/b&gt;<mark>引用的话</mark>。'
                    '<span class="ctx">第三句。</span>')


def test_highlight_merges_overlaps_and_marks_cut_ends():
    text = "甲" * 50 + "乙乙乙丙丙丙" + "丁" * 50
    html = parts.highlight(text, [(50, 55), (53, 56)], start=50, end=56, context=10)
    assert html == f'…<span class="ctx">{"甲" * 10}</span><mark>乙乙乙丙丙丙</mark><span class="ctx">{"丁" * 10}</span>…'


def test_refusal_is_styled_as_a_refusal_and_errors_as_errors():
    refused = Answer(question="q", text="根据现有文档，无法回答该问题。", citations=[], passages=[], refused=True,
                     backend="extractive", timings={"total": 0.25})
    html = parts.answer_html(refused, turn=1)
    assert html.startswith('<div class="answer refusal">') and "error" not in html
    assert "根据现有文档，无法回答该问题。" in html and "<b>extractive</b> · 0.2 s" in html
    assert parts.error_html("bad <input>") == ('<div class="answer error"><div class="error-label">出错了 · Error'
                                               '</div>bad &lt;input&gt;</div>')


def test_answer_links_only_supported_citations():
    p = _passage(0, "光明区推动7家科技支行落地。", 10)
    cites = [Citation(n=1, doc_id="d1", title="T", quote="推动7家科技支行落地", start=13, end=23),
             Citation(n=2, doc_id="d1", title="T", quote="x", start=10, end=11, supported=False)]
    answer = Answer(question="q", text="推动7家[1][2]。", citations=cites, passages=[p, p], refused=False,
                    backend="openai")
    html = parts.answer_html(answer, turn=2)
    assert 'href="#src-2-1"' in html and 'href="#src-2-2"' not in html and "[2]" in html


def test_an_answer_citing_several_documents_shows_the_date_each_gives():
    p = _passage(0, "全区院士57人。", 0)
    cites = [Citation(n=1, doc_id="d0", title="A", quote="共有院士59人", start=0, end=7),
             Citation(n=2, doc_id="d1", title="B", quote="全区院士57人", start=0, end=7, published="2025-01-16")]
    answer = Answer(question="q", text="共有院士59人[1]。全区院士57人[2]。", citations=cites, passages=[p, p],
                    refused=False, backend="b")
    html = parts.answer_html(answer, turn=1)
    assert "[1] 未注明 undated · [2] 2025-01-16" in html
    single = Answer(question="q", text="全区院士57人[2]。", citations=cites[1:], passages=[p, p], refused=False,
                    backend="b")
    assert "answer-dates" not in parts.answer_html(single, turn=1)  # one document: its card shows the date
    [card] = parts.collect_sources(single, {"d1": ("b.txt", "全区院士57人。")})
    assert '<span class="src-date">2025-01-16</span>' in parts.source_card(card, turn=1)


def test_sources_use_the_document_text_and_fall_back_to_the_passage():
    doc = "前言。光明区推动7家科技支行落地。后记。"
    p = _passage(0, "光明区推动7家科技支行落地。", 3)
    c = Citation(n=1, doc_id="d1", title="标题<T>", quote="推动7家科技支行落地", start=6, end=16)
    answer = Answer(question="q", text="推动7家[1]。", citations=[c], passages=[p], refused=False, backend="b")
    [from_doc] = parts.collect_sources(answer, {"d1": ("报告.txt", doc)})
    assert from_doc.file_name == "报告.txt" and from_doc.quotes == ((6, 16),)
    assert doc[from_doc.quotes[0][0]:from_doc.quotes[0][1]] == c.quote
    card = parts.source_card(from_doc, turn=3)
    assert 'id="src-3-1"' in card and "<mark>推动7家科技支行落地</mark>" in card and "<code>报告.txt</code>" in card
    assert '<span class="ctx">前言。</span>' in card and "标题&lt;T&gt;" in card
    [fallback] = parts.collect_sources(answer, {})
    assert fallback.file_name == "d1.txt" and fallback.offset == 3
    assert "<mark>推动7家科技支行落地</mark>" in parts.source_card(fallback, turn=3)


def test_sources_panel_shows_only_the_current_group():
    html = parts.sources_panel([(1, "one"), (2, "two")], current=2)
    assert html == ('<div class="src-panel"><div class="src-group" data-turn="1">one</div>'
                    '<div class="src-group current" data-turn="2">two</div></div>')


def test_documents_table_escapes_and_tells_uploads_from_corpus(tmp_path):
    records = [DocRecord(id="a", path=str(tmp_path / "uploads" / "a<1>.md"), title="A & <B>", sha256="h",
                         chunks=3, indexed_at=0.0),
               DocRecord(id="b", path=str(tmp_path / "corpus" / "b.txt"), title="乙", sha256="h", chunks=4,
                         indexed_at=0.0)]
    html = parts.documents_table(records, uploads_dir=tmp_path / "uploads")
    assert "<td>A &amp; &lt;B&gt;</td>" in html and "<code>a&lt;1&gt;.md</code>" in html
    assert html.count("上传 upload") == 1 and html.count("语料 corpus") == 1
    assert "2 个文档 documents · 7 段 chunks" in html


def test_the_chat_shows_its_own_progress_not_gradios_overlay(tmp_path):
    # the overlay's pulsing border is redrawn every frame while an answer is pending: on a 2-core
    # machine the browser took a third of a core from the model (the answer's "Searching…" line says enough)
    from rag import RAG

    bot = RAG(corpus=CORPUS, index_dir=tmp_path / "index", backend="extractive", feedback_path=tmp_path / "f.jsonl")
    config = ui.build_app(bot).config
    chatbot = next(c["id"] for c in config["components"] if c.get("props", {}).get("elem_id") == "chat")
    answering = [d for d in config["dependencies"] if d["outputs"][:1] == [chatbot] and len(d["outputs"]) == 4]
    assert len(answering) == 3  # Enter, the send button, an example clicked
    assert all(d["show_progress"] == "hidden" for d in answering)


def test_feedback_log_appends_whole_lines_from_many_threads(tmp_path):
    log = ui.FeedbackLog(tmp_path / "sub" / "feedback.jsonl")
    text = "长" * 5000  # long lines would interleave without the lock

    def write(i: int) -> None:
        for j in range(20):
            log.append({"i": i, "j": j, "answer": text})

    threads = [threading.Thread(target=write, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    lines = (tmp_path / "sub" / "feedback.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert len(records) == 160 and {(r["i"], r["j"]) for r in records} == {(i, j) for i in range(8) for j in range(20)}
    assert all(r["answer"] == text for r in records)


# ================================================================ the app in a browser (slow)
@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimpleNamespace]:
    """The app over a temporary copy of the corpus, extractive backend, on a free port."""
    from rag import RAG

    root = tmp_path_factory.mktemp("ui")
    shutil.copytree(CORPUS, root / "corpus")
    bot = RAG(corpus=root / "corpus", index_dir=root / "index", backend="extractive",
              feedback_path=root / "feedback.jsonl", max_upload_mb=MAX_UPLOAD_MB)
    bot.index()
    app = ui.build_app(bot)
    url = ui.launch(app, host="127.0.0.1", port=free_port(), block=False)
    yield SimpleNamespace(bot=bot, url=url, root=root)
    app.close()


@pytest.fixture()
def chat(browser, served) -> Iterator[ChatPage]:
    page = ChatPage(browser, served.url).wait_chat()
    yield page
    page.close()


@pytest.mark.browser
@pytest.mark.slow
def test_first_visit_shows_examples_documents_and_loads_nothing_from_outside(chat, served):
    examples = chat.page.locator("#chat button.example")
    assert examples.count() == 3
    assert examples.nth(0).inner_text() == "光明区推动了多少家科技支行落地?"
    assert "How many scholars in Guangming" in examples.nth(2).inner_text()
    assert chat.page.locator("#backend-badge").inner_text() == "后端 Backend: extractive"
    chat.shot("01_first_visit")
    examples.nth(0).click()  # an example question is asked at once
    answer = chat.wait_answer(0)
    assert "7家科技支行" in answer.inner_text()
    assert chat.page.locator("#chat").inner_text().startswith("光明区推动了多少家科技支行落地?")
    chat.tab("文档 Documents")
    chat.page.wait_for_selector("#documents table")
    rows = chat.page.locator("#documents tbody tr")
    assert rows.count() == 5
    assert rows.nth(0).locator("td.file").inner_text() == "000_67721b1c62b05e41.txt"
    assert "1 MB" in chat.page.locator("#upload-hint").inner_text()
    chat.shot("02_documents")
    assert chat.outside == []


@pytest.mark.browser
@pytest.mark.slow
def test_answer_streams_cites_and_the_citation_opens_the_highlighted_source(chat, served):
    expected = served.bot.ask(QUESTION)
    [cited] = [c for c in expected.citations if c.supported][:1]
    doc = served.bot.document(cited.doc_id)
    assert doc.text[cited.start:cited.end] == cited.quote
    chat.page.evaluate("""() => {
        window.seen = [];
        new MutationObserver(() => {
            const s = document.querySelector('#chat .answer.streaming');
            if (s) window.seen.push(s.innerText);
        }).observe(document.querySelector('#chat'), {subtree: true, childList: true, characterData: true});
    }""")
    answer = chat.ask(QUESTION)
    assert "7家科技支行" in answer.inner_text()
    seen = chat.page.evaluate("window.seen")
    assert any("Searching" in s for s in seen)  # the placeholder came before the answer
    assert any("7家科技支行" in s for s in seen)  # and the text was shown while still streaming
    assert "extractive" in chat.page.locator("#chat .answer-meta").last.inner_text()
    link = answer.locator("a.cite").first
    assert link.inner_text() == f"[{cited.n}]"
    link.click()
    card = chat.page.locator(f"#src-1-{cited.n}")
    chat.page.wait_for_selector(f"#src-1-{cited.n}.active")
    assert card.locator("mark").first.inner_text() == cited.quote
    assert card.locator(".src-title").inner_text() == doc.title
    assert card.locator(".src-file code").inner_text() == Path(doc.path).name
    chat.shot("03_answer_with_source")

    follow = chat.ask(FOLLOW_UP)
    assert "21个特色科技金融产品" in follow.inner_text()
    assert chat.page.locator(".src-group.current .src-question").inner_text() == f"#2 {FOLLOW_UP}"
    follow.locator("a.cite").first.click()
    chat.page.wait_for_selector("#src-2-1.active")
    answer.locator("a.cite").first.click()  # an older answer's marker brings its sources back
    chat.page.wait_for_selector(f"#src-1-{cited.n}.active")
    assert chat.page.locator(".src-group.current").get_attribute("data-turn") == "1"
    chat.shot("04_follow_up")
    assert chat.outside == []


@pytest.mark.browser
@pytest.mark.slow
def test_library_errors_show_as_messages_not_tracebacks(chat):
    error = chat.ask("   ")
    assert error.get_attribute("class") == "answer error"
    assert "the question is empty" in error.inner_text()
    assert "Traceback" not in chat.page.content()
    assert chat.page.locator(".src-group.current .src-empty").inner_text() == "出错了，没有回答 · No answer: an error occurred"
    chat.shot("05_error")


@pytest.mark.browser
@pytest.mark.slow
def test_uploaded_document_answers_until_removed(chat, served, tmp_path):
    path = tmp_path / UPLOAD_NAME
    path.write_text(UPLOAD_TEXT, encoding="utf-8")
    chat.tab("文档 Documents")
    chat.page.set_input_files("#upload input[type=file]", str(path))
    chat.page.wait_for_selector("#upload-status li.ok")
    assert chat.page.locator("#upload-status li.ok").inner_text().startswith(f"✓ {UPLOAD_NAME}: 已加入索引 indexed")
    assert chat.page.locator("#documents tbody tr").count() == 6
    assert UPLOAD_NAME in chat.page.locator("#documents").inner_text()

    chat.tab("对话 Chat")
    answer = chat.ask(UPLOAD_QUESTION)
    assert "48000册" in answer.inner_text()
    answer.locator("a.cite").first.click()
    assert chat.page.locator(".src-card.active .src-file code").inner_text() == UPLOAD_NAME
    assert "48000册" in chat.page.locator(".src-card.active mark").first.inner_text()
    chat.shot("06_upload_answer")

    chat.tab("文档 Documents")
    chat.page.click("#remove-choice input")
    chat.page.get_by_role("option", name=f"星河湾社区简报 — {UPLOAD_NAME}").click()
    chat.page.once("dialog", lambda dialog: dialog.accept())
    chat.page.click("#remove")
    chat.page.wait_for_selector("#upload-status li.ok >> text=已移除 removed: 星河湾社区简报")
    assert chat.page.locator("#documents tbody tr").count() == 5
    assert UPLOAD_NAME not in chat.page.locator("#documents").inner_text()
    assert not any(Path(r.path).name == UPLOAD_NAME for r in served.bot.documents())

    chat.tab("对话 Chat")
    gone = chat.ask(UPLOAD_QUESTION)
    assert gone.get_attribute("class") == "answer refusal"
    assert "48000" not in gone.inner_text() and gone.locator("a.cite").count() == 0
    chat.shot("07_removed_refused")


@pytest.mark.browser
@pytest.mark.slow
def test_bad_uploads_get_a_message_each_and_change_nothing(chat, served):
    before = [(r.id, r.sha256) for r in served.bot.documents()]
    chat.tab("文档 Documents")
    chat.page.set_input_files("#upload input[type=file]", [
        {"name": "../escape.txt", "mimeType": "text/plain", "buffer": "逃逸的文件。".encode()},
        {"name": "notes.exe", "mimeType": "application/octet-stream", "buffer": b"MZ\x90\x00"},
        {"name": "broken.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 not really a pdf"},
        {"name": "big.txt", "mimeType": "text/plain", "buffer": ("大" * 400_000).encode()},  # 1.1 MB
    ])
    chat.page.wait_for_function("document.querySelectorAll('#upload-status li.bad').length === 4",
                                timeout=TIMEOUT_MS)
    lines = chat.page.locator("#upload-status li.bad").all_inner_texts()
    assert lines[0].startswith("✗ '../escape.txt': a file name must not contain a path")
    assert lines[1].startswith("✗ notes.exe: unsupported file type '.exe'")
    assert lines[2].startswith("✗ broken.pdf: corrupt or unreadable PDF")
    assert lines[3].startswith("✗ big.txt: 1.1 MB is over the upload limit of 1 MB (setting max_upload_mb")
    assert chat.page.locator("#upload-status li.ok").count() == 0
    assert chat.page.locator("#documents tbody tr").count() == 5
    assert [(r.id, r.sha256) for r in served.bot.documents()] == before
    assert sorted(p.name for p in served.bot.uploads_dir.glob("*")) == []
    assert not (served.root / "escape.txt").exists() and not (served.root / "index" / "escape.txt").exists()
    chat.shot("08_bad_uploads")


@pytest.mark.browser
@pytest.mark.slow
def test_a_new_chat_keeps_what_the_user_has_started_typing(chat):
    # the reset reaches the page after a round trip, later still on a busy server: it must not
    # clear a question typed meanwhile (Enter then sent an empty question)
    chat.ask(QUESTION)
    chat.page.fill("#question textarea", OTHER_QUESTION)
    chat.page.click("#new-chat")
    chat.page.wait_for_function("document.querySelectorAll('#chat .answer').length === 0")
    assert chat.page.input_value("#question textarea") == OTHER_QUESTION
    chat.page.press("#question textarea", "Enter")
    assert "百强区" in chat.wait_answer(0).inner_text()


@pytest.mark.browser
@pytest.mark.slow
def test_two_sessions_keep_their_own_conversations(browser, served):
    one, two = ChatPage(browser, served.url).wait_chat(), ChatPage(browser, served.url).wait_chat()
    try:
        before_one, before_two = one.submit(QUESTION), two.submit(OTHER_QUESTION)
        first, second = one.wait_answer(before_one), two.wait_answer(before_two)
        assert "7家科技支行" in first.inner_text()
        assert "百强区" in second.inner_text()
        follow = one.ask(FOLLOW_UP)
        assert "21个" in follow.inner_text()
        chat_one, chat_two = one.page.locator("#chat").inner_text(), two.page.locator("#chat").inner_text()
        assert QUESTION in chat_one and FOLLOW_UP in chat_one and OTHER_QUESTION not in chat_one
        assert OTHER_QUESTION in chat_two and QUESTION not in chat_two and FOLLOW_UP not in chat_two
        assert two.answers().count() == 1 and one.answers().count() == 2
        assert two.page.locator(".src-group.current .src-question").inner_text() == f"#1 {OTHER_QUESTION}"
        one.shot("09_session_one")
        two.shot("10_session_two")
    finally:
        one.close()
        two.close()


@pytest.mark.browser
@pytest.mark.slow
def test_thumbs_up_appends_a_feedback_line_with_question_answer_and_citations(chat, served):
    feedback = served.root / "feedback.jsonl"
    lines_before = feedback.read_text(encoding="utf-8").splitlines() if feedback.exists() else []
    answer = chat.ask(QUESTION)
    chat.page.locator("#chat button[aria-label='Like']").last.click()
    chat.page.wait_for_selector("text=谢谢反馈 · Thanks for the feedback")
    lines = feedback.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(lines_before) + 1
    record = json.loads(lines[-1])
    assert record["rating"] == "up" and record["question"] == QUESTION and record["backend"] == "extractive"
    assert "7家科技支行" in record["answer"] and answer.inner_text() == record["answer"]
    assert record["citations"][0]["doc_id"] == "000_67721b1c62b05e41"
    assert record["citations"][0]["quote"] in served.bot.document("000_67721b1c62b05e41").text
