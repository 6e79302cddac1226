"""``RAG``, the public surface every front end uses, with a stand-in embedder and generator."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakes import HashEmbedder, ScriptedGenerator, WarmableGenerator

import rag
from rag import RAG, Answer, DocRecord, IndexReport, Passage
from rag.errors import LoadError, QueryError

DOCS = {
    "talent.txt": "光明区现有全职院士59名，高层次人才超3000人。",
    "fund.txt": "深圳设立规模15亿元的深圳市合成生物产业基金。",
}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    docs = tmp_path / "docs"
    docs.mkdir()
    for name, text in DOCS.items():
        (docs / name).write_text(text, encoding="utf-8")
    return docs


@pytest.fixture
def make(store_settings: dict[str, str]):
    """Builds a ``RAG`` over a folder with a stand-in embedder, on each index engine in turn."""
    def build(folder: Path, **kwargs: object) -> RAG:
        return RAG(corpus=folder, index_dir=folder.parent / "index", cache_dir=folder.parent / "cache",
                   embedder=HashEmbedder(), **{**store_settings, **kwargs})
    return build


def test_the_package_exports_the_api_and_its_types() -> None:
    assert set(rag.__all__) >= {"RAG", "Answer", "Passage", "Citation", "DocRecord", "citation_markers"}
    assert [m.numbers for m in rag.citation_markers("甲[1]，乙[2,3]。")] == [(1,), (2, 3)]


def test_index_then_retrieve_in_every_mode(folder: Path, make) -> None:
    bot = make(folder, backend="extractive")
    report = bot.index()
    assert isinstance(report, IndexReport) and sorted(report.added) == ["fund", "talent"]
    for mode in ("hybrid", "bm25", "dense"):
        passages = bot.retrieve("合成生物产业基金规模", k=1, mode=mode)
        assert isinstance(passages[0], Passage) and passages[0].doc_id == "fund", mode
        assert 0.0 < passages[0].score <= 1.0
    with pytest.raises(ValueError, match="mode must be one of hybrid, bm25, dense"):
        bot.retrieve("基金", mode="fuzzy")  # type: ignore[arg-type]


def test_any_generator_answers_through_rag_llm(folder: Path, make) -> None:
    generator = ScriptedGenerator.answering("光明区现有全职院士59名[1]。")
    bot = make(folder, llm=generator)
    answer = bot.ask("光明区有多少名院士?")
    assert isinstance(answer, Answer) and answer.backend == "scripted" and answer.model == "scripted-1"
    assert not answer.refused and answer.citations[0].doc_id == "talent"
    assert bot.backend_name == "scripted" and bot.available_backends()[0] == "scripted"
    named = bot.ask("光明区有多少名院士?", backend="extractive")  # a named backend still wins
    assert named.backend == "extractive" and "59" in named.text
    assert len(generator.calls) == 1


def test_warming_up_builds_the_index_and_loads_the_model_before_any_question(folder: Path, make) -> None:
    generator = WarmableGenerator.answering("光明区现有全职院士59名[1]。")
    bot = make(folder, llm=generator)
    seen: list[bool] = []
    warm = generator.warm_up
    generator.warm_up = lambda **kw: (seen.append(bot.warming_up), warm(**kw))[1]  # type: ignore[method-assign]
    assert not bot.warming_up
    bot.warm_up()
    assert seen and all(seen) and not bot.warming_up  # the UI says "loading" only meanwhile
    assert sorted(d.id for d in bot.documents()) == ["fund", "talent"]
    assert generator.warmed and generator.calls == []
    assert "59" in bot.ask("光明区有多少名院士?").text


def test_stream_passes_history_and_k(folder: Path, make) -> None:
    generator = ScriptedGenerator.answering("规模15亿元[1]。", condensed="合成生物产业基金规模多大?")
    bot = make(folder, llm=generator)
    history = [{"role": "user", "content": "深圳设立了什么基金?"},
               {"role": "assistant", "content": "深圳设立了合成生物产业基金[1]。"}]
    events = list(bot.stream("它规模多大?", history=history, k=1))  # type: ignore[arg-type]
    answer = events[-1]
    assert isinstance(answer, Answer) and all(isinstance(e, str) for e in events[:-1])
    assert answer.standalone_question == "合成生物产业基金规模多大?"  # the pronoun resolved by rule: the fund answered
    assert len(answer.passages) <= 2  # k=1: the hybrid top 2 and BM25's top 1
    assert answer.citations[0].doc_id == "fund"


def test_a_chinese_follow_up_of_an_english_question_is_resolved_with_its_chinese_rendering(folder: Path, make) -> None:
    generator = ScriptedGenerator.answering("规模15亿元[1]。", translated="深圳设立了什么基金?")
    bot = make(folder, llm=generator)
    history = [{"role": "user", "content": "What fund did Shenzhen set up?"}, {"role": "assistant", "content": "…"}]
    answer = bot.ask("它规模多大?", history=history)  # type: ignore[arg-type]
    assert answer.standalone_question == "深圳设立基金规模多大?"


def test_a_name_an_english_question_gives_in_pinyin_reaches_the_translator_as_the_documents_write_it(
        folder: Path, make) -> None:
    (folder / "hetao.txt").write_text("光明区设立光明科学城河套创新中心，链接港澳创新资源。", encoding="utf-8")
    generator = ScriptedGenerator.answering("It links Hong Kong and Macao[1].", translated="海涛创新中心做什么?")
    bot = make(folder, llm=generator)
    bot.ask("What does the Hetao Innovation Center do?")
    translations = [c[0]["content"] for c in generator.calls if len(c) == 1 and "翻译成简体中文" in c[0]["content"]]
    assert len(translations) == 2 and "文件中的写法：Hetao = 河套" in translations[1]  # the first wrote 海涛


def test_a_condensed_question_that_is_an_answer_is_not_searched_for(folder: Path, make) -> None:
    generator = ScriptedGenerator.answering("规模15亿元[1]。", condensed="合成生物产业基金规模是15亿元。")
    bot = make(folder, llm=generator)
    history = [{"role": "user", "content": "深圳设立了什么基金?"}, {"role": "assistant", "content": "…"}]
    answer = bot.ask("最后通过了几家?", history=history)  # type: ignore[arg-type]
    assert answer.standalone_question == "深圳设立了什么基金? 最后通过了几家?"  # both questions, as written


def test_bad_questions_and_settings_are_clear_errors(folder: Path, make) -> None:
    bot = make(folder, backend="extractive")
    with pytest.raises(QueryError, match="empty"):
        bot.ask("")
    with pytest.raises(QueryError, match="k must be >= 1"):
        bot.ask("基金?", k=0)
    with pytest.raises(ValueError, match="unknown backend 'gpt'; choose one of openai, local, extractive"):
        bot.ask("基金?", backend="gpt")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown settings"):
        make(folder, colour="blue")


def test_documents_upload_and_removal(folder: Path, tmp_path: Path, make) -> None:
    bot = make(folder, backend="extractive")
    bot.index()
    assert [d.id for d in bot.documents()] == ["fund", "talent"]
    assert all(isinstance(d, DocRecord) for d in bot.documents())
    new = tmp_path / "bank.txt"
    new.write_text("光明区推动7家科技支行落地。", encoding="utf-8")
    report = bot.add_file(new)
    assert report.added == ["bank"] and bot.document("bank").text == "光明区推动7家科技支行落地。"
    assert bot.retrieve("科技支行", k=1)[0].doc_id == "bank"
    bot.remove_document("talent")
    assert [d.id for d in bot.documents()] == ["bank", "fund"]
    assert [d.id for d in bot.documents(["talent", "fund", "nothing"])] == ["fund"]  # only the indexed ones asked for
    with pytest.raises(LoadError, match="no indexed document with id 'talent'"):
        bot.document("talent")
    assert (folder / "talent.txt").is_file()  # a corpus file is excluded, never deleted


def test_settings_repr_never_shows_the_api_key() -> None:
    from rag.config import Settings

    assert "sk-secret" not in repr(Settings(llm_api_key="sk-secret"))
