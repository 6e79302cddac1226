"""The UI behind sign-in: what a reader and an editor may do, checked in the handlers (fast) and in
headless Chromium against the real ``rag serve`` process (browser), with hostile markup in a document."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import gradio as gr
import pytest
from fakes import HashEmbedder, ScriptedGenerator
from hostile import SCRIPT_TEXT
from pages import ChatPage
from servers import Served, rag_serve

from rag import RAG
from rag.errors import BusyError
from rag.ui import app as ui

READER, EDITOR = ("rita", "rita-reads-光明-1"), ("eddie", "eddie-edits-光明-2")
QUESTION = "光明区推动了多少家科技支行落地?"
MARKUP_TITLE = '<img src=x onerror="window.__pwned=\'title\'">'


# ================================================================ handlers (fast)
@pytest.fixture()
def chat_ui(tmp_path: Path) -> ui.ChatUI:
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "bank.txt").write_text("光明区推动7家科技支行落地。", encoding="utf-8")
    bot = RAG(corpus=tmp_path / "corpus", index_dir=tmp_path / "index", embedder=HashEmbedder(),
              llm=ScriptedGenerator.answering("推动7家科技支行落地[1]。"), feedback_path=tmp_path / "feedback.jsonl")
    bot.index()
    roles = {"rita": "reader", "eddie": "editor"}
    return ui.ChatUI(bot, role_of=lambda user: roles.get(user or ""))


def _request(user: str) -> gr.Request:
    return gr.Request(username=user)


def test_a_reader_cannot_upload_or_remove_even_by_calling_the_handlers(chat_ui: ui.ChatUI, tmp_path: Path) -> None:
    note = tmp_path / "note.txt"
    note.write_text("读者偷偷上传的文件。", encoding="utf-8")
    status, table, menu, _ = chat_ui.upload([str(note)], json.dumps(["note.txt"]), _request("rita"))
    assert status == f'<ul class="status"><li class="bad">✗ {ui.EDITORS_ONLY}</li></ul>'
    assert table == "" and menu["choices"] == []
    status, _, _ = chat_ui.remove("bank", _request("rita"))
    assert ui.EDITORS_ONLY in status
    assert [r.id for r in chat_ui.bot.documents()] == ["bank"] and not chat_ui.bot.uploads_dir.exists()
    status, table, _, _ = chat_ui.upload([str(note)], json.dumps(["note.txt"]), _request("eddie"))
    assert '<li class="ok">✓ note.txt: 已加入索引 indexed' in status and "note.txt" in table
    assert [r.id for r in chat_ui.bot.documents()] == ["bank", "note"]


def test_the_documents_tab_is_shown_to_editors_only(chat_ui: ui.ChatUI) -> None:
    table, _, tab, line = chat_ui.on_load(_request("rita"))
    assert table == "" and tab["visible"] is False and "<b>rita</b> (读者 reader)" in line
    table, menu, tab, line = chat_ui.on_load(_request("eddie"))
    assert "bank.txt" in table and tab["visible"] is True and menu["choices"][0][1] == "bank"
    assert '<a href="logout">退出 Sign out</a>' in line


def test_a_removed_account_and_a_full_queue_get_messages_not_answers(chat_ui: ui.ChatUI) -> None:
    *_, (messages, _, _, turns) = chat_ui.respond(QUESTION, [], 5, "", _request("mallory"))
    assert turns[0].answer is None and turns[0].error == ui.SIGNED_OUT

    def full(user: str | None, session: str, backend: str | None):
        raise BusyError("busy: 8 questions are waiting for the local backend; retry in 40 s", retry_after=40)

    chat_ui.gate = full
    *_, (messages, _, _, turns) = chat_ui.respond(QUESTION, [], 5, "", _request("rita"))
    assert "retry in 40 s" in messages[-1]["content"] and turns[0].answer is None
    chat_ui.gate = ui.no_gate
    *_, (messages, _, _, turns) = chat_ui.respond(QUESTION, [], 5, "", _request("rita"))
    assert turns[0].answer is not None and turns[0].answer.text == "推动7家科技支行落地[1]。"


# ================================================================ in a browser (slow)
@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with rag_serve(tmp_path_factory.mktemp("serving-ui"), users={READER[0]: ("reader", READER[1]),
                                                                   EDITOR[0]: ("editor", EDITOR[1])}) as s:
        yield s


class SignedIn(ChatPage):
    """One browser session signed in as ``user``; records dialogs and requests leaving the machine."""

    def __init__(self, browser, served: Served, user: str, password: str) -> None:
        super().__init__(browser, served.url + "/", record_dialogs=True)
        self.page.locator("input[type=password]").wait_for()
        self.page.locator("input").first.fill(user)
        self.page.locator("input[type=password]").fill(password)
        self.page.get_by_role("button", name="Login").click()

    def wait_chat(self) -> SignedIn:
        super().wait_chat()
        self.page.wait_for_selector("#signed-in .signed-in")
        return self

    def pwned(self) -> object:
        return self.page.evaluate("window.__pwned")


@pytest.mark.browser
@pytest.mark.slow
def test_a_wrong_password_does_not_sign_in(browser, served: Served) -> None:
    page = SignedIn(browser, served, READER[0], "not-the-password")
    try:
        page.page.get_by_text("Incorrect Credentials").wait_for()
        assert page.page.locator("#question").count() == 0
    finally:
        page.close()


@pytest.mark.browser
@pytest.mark.slow
def test_a_reader_asks_and_gives_feedback_but_sees_no_documents_tab(browser, served: Served) -> None:
    reader = SignedIn(browser, served, *READER).wait_chat()
    try:
        assert reader.page.locator("#signed-in").inner_text() == "已登录 Signed in: rita (读者 reader) · 退出 Sign out"
        assert reader.page.get_by_role("tab").all_inner_texts() == ["对话 Chat"]
        assert reader.page.locator("#documents table").count() == 0
        answer = reader.ask(QUESTION)
        assert "7家科技支行" in answer.inner_text()
        answer.locator("a.cite").first.click()
        assert "7家科技支行" in reader.page.locator(".src-card.active mark").first.inner_text()
        reader.page.locator("#chat button[aria-label='Like']").last.click()
        reader.page.get_by_text("谢谢反馈 · Thanks for the feedback").wait_for()
        record = json.loads((served.root / "feedback.jsonl").read_text(encoding="utf-8").splitlines()[-1])
        assert record["user"] == "rita" and record["rating"] == "up" and record["question"] == QUESTION
        feedback = (served.root / "feedback.jsonl").read_text(encoding="utf-8")
        assert READER[1] not in feedback and EDITOR[1] not in feedback
        reader.shot("11_reader_signed_in")
        assert reader.outside == [] and reader.dialogs == []
    finally:
        reader.close()


@pytest.mark.browser
@pytest.mark.slow
def test_an_editor_uploads_markup_that_shows_as_text_everywhere_and_runs_nowhere(browser, served: Served,
                                                                                 tmp_path: Path) -> None:
    editor = SignedIn(browser, served, *EDITOR).wait_chat()
    try:
        # The page load that writes the signed-in line also shows the tab; the tab strip redraws a moment later.
        editor.page.get_by_role("tab", name="文档 Documents").wait_for()
        assert editor.page.get_by_role("tab").all_inner_texts() == ["对话 Chat", "文档 Documents"]
        path = tmp_path / "markup.md"
        path.write_text(f"# {MARKUP_TITLE}\n\n{SCRIPT_TEXT}\n", encoding="utf-8")
        editor.page.get_by_role("tab", name="文档 Documents").click()
        editor.page.set_input_files("#upload input[type=file]", str(path))
        editor.page.wait_for_selector("#upload-status li.ok")
        row = editor.page.locator("#documents tbody tr", has_text="markup.md")
        assert row.locator("td").first.inner_text() == MARKUP_TITLE
        editor.page.get_by_role("tab", name="对话 Chat").click()
        answer = editor.ask("萤火虫博物馆收藏了多少件标本?")
        assert "3721件标本" in answer.inner_text()
        answer.locator("a.cite").first.click()
        card = editor.page.locator(".src-card.active")
        assert card.locator(".src-title").inner_text() == MARKUP_TITLE
        assert '<script>window.__pwned = "script"</script>' in card.locator(".src-text").inner_text()
        question = f"{MARKUP_TITLE} 萤火虫博物馆收藏了多少件标本?"
        editor.ask(question)
        assert question in editor.page.locator("#chat").inner_text()
        assert editor.page.locator("#chat img[src=x], #sources img[src=x], #documents img[src=x]").count() == 0
        assert editor.page.locator("#sources script, #chat script, #documents script").count() == 0
        assert editor.pwned() is None and editor.dialogs == []
        editor.shot("12_editor_markup_as_text")
        served_doc = next(p for p in (served.index_dir / "uploads").iterdir())
        assert served_doc.name == "markup.md"
    finally:
        editor.close()
