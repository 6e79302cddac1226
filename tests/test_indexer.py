"""Incremental indexing through the public API, with a deterministic embedder (no model)."""

from pathlib import Path

import numpy as np
import pytest
from fakes import HashEmbedder

from rag import RAG
from rag.errors import IndexMismatchError, LoadError, QueryError
from rag.ingest.indexer import in_context
from rag.store import IndexParams

DOC_A = "光明区推动7家科技支行落地。创新推出并购贷、研发贷等21个特色科技金融产品。"
DOC_B = "深圳市合成生物产业基金规模15亿元。光明区已汇聚123家合成生物企业。"


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text(DOC_A, encoding="utf-8")
    (folder / "b.txt").write_text(DOC_B, encoding="utf-8")
    return folder


@pytest.fixture
def make_bot(store_settings: dict[str, str]):
    """Builds a ``RAG`` with a stand-in embedder, on each index engine in turn."""
    def build(corpus: Path, tmp_path: Path, embedder: HashEmbedder | None = None, **kw) -> RAG:
        return RAG(corpus=corpus, index_dir=tmp_path / "index", embedder=embedder or HashEmbedder(),
                   cache_dir=tmp_path / "cache", **{**store_settings, **kw})
    return build


def test_second_run_with_nothing_changed_embeds_nothing(corpus, tmp_path, make_bot):
    embedder = HashEmbedder()
    bot = make_bot(corpus, tmp_path, embedder)
    first = bot.index()
    assert (first.added, first.chunks_embedded) == (["a", "b"], embedder.calls)
    assert first.chunks_embedded >= 2
    calls = embedder.calls
    again = make_bot(corpus, tmp_path, embedder).index()
    assert (again.added, again.updated, again.removed, again.unchanged) == ([], [], [], ["a", "b"])
    assert again.chunks_embedded == 0 and embedder.calls == calls


def test_changed_document_is_re_embedded_and_removed_one_dropped(corpus, tmp_path, make_bot):
    bot = make_bot(corpus, tmp_path)
    bot.index()
    (corpus / "a.txt").write_text(DOC_A + "新增内容:光明科技金融大厦共42层。", encoding="utf-8")
    (corpus / "b.txt").unlink()
    report = bot.index()
    assert (report.updated, report.removed, report.unchanged) == (["a"], ["b"], [])
    assert report.chunks_embedded == bot.documents()[0].chunks
    assert [d.id for d in bot.documents()] == ["a"]
    assert "42层" in bot.retrieve("科技金融大厦有多少层", k=1)[0].text


def test_a_corrupted_file_keeps_its_previous_version_and_others_still_index(corpus, tmp_path, make_bot):
    bot = make_bot(corpus, tmp_path)
    bot.index()
    (corpus / "a.txt").write_bytes(b"\x00\x01\x02binary\x00" * 50)
    (corpus / "c.txt").write_text("光明科学城规划布局24个重大科技创新载体。", encoding="utf-8")
    report = bot.index()
    assert report.added == ["c"]
    assert [Path(e.path).name for e in report.errors] == ["a.txt"]
    assert "binary" in report.errors[0].reason or "NUL" in report.errors[0].reason
    assert {d.id for d in bot.documents()} == {"a", "b", "c"}
    assert bot.document("a").text == DOC_A


def test_file_vanishing_mid_run_is_reported_and_the_rest_indexed(corpus, tmp_path, make_bot):
    def delete_b(stage: str, done: int, total: int) -> None:
        if stage == "load" and done == 1:
            (corpus / "b.txt").unlink()

    report = make_bot(corpus, tmp_path).index(progress=delete_b)
    assert report.added == ["a"]
    assert len(report.errors) == 1 and Path(report.errors[0].path).name == "b.txt"


def test_interrupted_index_run_leaves_previous_index_usable(corpus, tmp_path, make_bot):
    class Exploding(HashEmbedder):
        def embed_passages(self, texts, *, progress=None):
            raise KeyboardInterrupt

    make_bot(corpus, tmp_path).index()
    (corpus / "c.txt").write_text("新文件的内容。", encoding="utf-8")
    with pytest.raises(KeyboardInterrupt):
        make_bot(corpus, tmp_path, Exploding()).index()
    bot = make_bot(corpus, tmp_path)
    assert [d.id for d in bot.documents()] == ["a", "b"]
    assert bot.retrieve("科技支行", k=1)[0].doc_id == "a"


def test_index_with_other_chunk_settings_is_refused_until_rebuilt(corpus, tmp_path, make_bot):
    make_bot(corpus, tmp_path).index()
    other = make_bot(corpus, tmp_path, chunk_tokens=64)
    with pytest.raises(IndexMismatchError, match=r"chunk_tokens: index has 160, settings ask for 64.*--rebuild"):
        other.index()
    report = other.index(rebuild=True)
    assert report.added == ["a", "b"]
    assert make_bot(corpus, tmp_path, chunk_tokens=64).retrieve("基金规模", k=1)[0].doc_id == "b"


def test_empty_folder_gives_empty_index_and_no_passages(tmp_path, make_bot):
    empty = tmp_path / "empty"
    empty.mkdir()
    bot = make_bot(empty, tmp_path)
    report = bot.index()
    assert (report.added, report.errors) == ([], [])
    assert bot.retrieve("任何问题", k=3) == []


def test_missing_corpus_folder_is_a_clear_error(tmp_path, make_bot):
    with pytest.raises(LoadError, match="corpus folder not found"):
        make_bot(tmp_path / "nope", tmp_path).index()


@pytest.mark.parametrize("question,message", [
    ("", "the question is empty"),
    ("   \n", "the question is empty"),
    ("问" * 100_000, "100,000 characters long; the limit is 2,000"),
])
def test_unusable_questions_are_refused_with_a_reason(corpus, tmp_path, question, message, make_bot):
    with pytest.raises(QueryError, match=message):
        make_bot(corpus, tmp_path).retrieve(question)


def test_retrieve_builds_a_missing_index_on_first_use(corpus, tmp_path, make_bot):
    bot = make_bot(corpus, tmp_path)
    assert bot.retrieve("合成生物产业基金", k=1)[0].doc_id == "b"
    assert [d.id for d in make_bot(corpus, tmp_path).documents()] == ["a", "b"]  # it was stored


def test_upload_is_indexed_and_removal_drops_it(corpus, tmp_path, make_bot):
    bot = make_bot(corpus, tmp_path)
    bot.index()
    upload = tmp_path / "tmp-upload"
    upload.write_text("光明区2025年新建10所学校。", encoding="utf-8")
    report = bot.add_file(upload, name="学校.txt")
    assert report.added == ["学校"]
    assert bot.retrieve("新建多少所学校", k=1)[0].doc_id == "学校"
    bot.remove_document("学校")
    assert "学校" not in {d.id for d in bot.documents()}
    assert not (bot.uploads_dir / "学校.txt").exists()


@pytest.mark.parametrize("name,content,message", [
    ("../evil.txt", "内容。", "must not contain a path"),
    ("tool.exe", "内容。", "unsupported file type"),
    ("broken.pdf", "not a pdf at all", "PDF"),
])
def test_bad_uploads_change_nothing(corpus, tmp_path, name, content, message, make_bot):
    bot = make_bot(corpus, tmp_path)
    bot.index()
    before = bot.documents()
    upload = tmp_path / "tmp-upload"
    upload.write_text(content, encoding="utf-8")
    with pytest.raises(LoadError, match=message):
        bot.add_file(upload, name=name)
    assert bot.documents() == before  # same documents, same digests and times: nothing was written


def test_removing_a_corpus_document_excludes_it_from_later_runs(corpus, tmp_path, make_bot):
    bot = make_bot(corpus, tmp_path)
    bot.index()
    bot.remove_document("a")
    assert [d.id for d in bot.documents()] == ["b"]
    assert (corpus / "a.txt").exists()  # the user's own file is never deleted
    assert [d.id for d in make_bot(corpus, tmp_path).documents()] == ["b"]


def test_upload_over_the_size_limit_names_the_setting(corpus, tmp_path, make_bot):
    bot = make_bot(corpus, tmp_path, max_upload_mb=0.001)
    upload = tmp_path / "big.txt"
    upload.write_text("大" * 1000, encoding="utf-8")
    with pytest.raises(LoadError, match=r"big\.txt: 0\.0 MB is over the upload limit of 0\.001 MB \(setting max_upload_mb"):
        bot.add_file(upload)
    assert not bot.uploads_dir.exists() or not any(bot.uploads_dir.iterdir())


def test_an_upload_named_like_a_removed_corpus_document_is_indexed_under_its_own_id(corpus, tmp_path, make_bot):
    bot = make_bot(corpus, tmp_path)
    bot.index()
    bot.remove_document("a")  # "a" stays reserved for the corpus file, which is only excluded
    upload = tmp_path / "tmp-upload"
    upload.write_text("光明区2025年新建10所学校。", encoding="utf-8")
    report = bot.add_file(upload, name="a.txt")
    assert report.added == ["a.txt"]
    assert sorted(d.id for d in bot.documents()) == ["a.txt", "b"]
    assert bot.document("a.txt").text == "光明区2025年新建10所学校。"


def _same_index(bot: RAG, corpus: Path, tmp_path: Path, make_bot) -> None:
    """``bot``'s index holds what a full sync of the same folders into a new index holds, and a full
    sync of ``bot``'s own folders finds nothing to do."""
    import shutil

    fresh_dir = tmp_path / "fresh"
    if bot.uploads_dir.is_dir():
        shutil.copytree(bot.uploads_dir, fresh_dir / "index" / "uploads")
    excluded = bot.settings.index_dir / "excluded.json"
    if excluded.is_file():
        shutil.copy(excluded, fresh_dir / "index" / "excluded.json")
    fresh = make_bot(corpus, fresh_dir)
    fresh.index()

    def key(b: RAG) -> list[tuple]:
        return [(d.id, Path(d.path).name, d.sha256, d.chunks, d.title) for d in b.documents()]

    assert key(bot) == key(fresh)
    again = bot.index()
    assert (again.added, again.updated, again.removed, again.chunks_embedded) == ([], [], [], 0)


def test_add_and_remove_read_only_the_document_and_leave_what_a_full_sync_leaves(corpus, tmp_path, make_bot,
                                                                                 monkeypatch):
    from rag.ingest import indexer, load

    bot = make_bot(corpus, tmp_path)
    bot.index()
    hashed: list[str] = []
    loaded: list[str] = []
    real_hash, real_load = indexer.sha256_file, load.load_file
    monkeypatch.setattr(indexer, "sha256_file", lambda p: hashed.append(Path(p).name) or real_hash(p))
    monkeypatch.setattr(load, "load_file", lambda p, **kw: loaded.append(Path(p).name) or real_load(p, **kw))
    upload = tmp_path / "tmp-upload"

    upload.write_text("光明区2025年新建10所学校。", encoding="utf-8")
    assert bot.add_file(upload, name="c.txt").added == ["c"]
    assert (hashed, loaded) == (["c.txt"], ["c.txt"])  # neither a.txt nor b.txt was read
    _same_index(bot, corpus, tmp_path / "1", make_bot)

    hashed.clear(), loaded.clear()
    upload.write_text("# 医院\n\n光明区新建3家医院。", encoding="utf-8")
    report = bot.add_file(upload, name="c.md")  # sorts before c.txt, so it takes the id "c" as a full sync would
    assert (report.added, report.updated, report.removed) == (["c.txt"], ["c"], [])
    assert sorted(hashed) == sorted(loaded) == ["c.md", "c.txt"]
    assert bot.document("c").text.startswith("# 医院") and bot.document("c.txt").text.startswith("光明区2025年")
    _same_index(bot, corpus, tmp_path / "2", make_bot)

    hashed.clear(), loaded.clear()
    upload.write_text("光明区新建3家图书馆。", encoding="utf-8")
    assert bot.add_file(upload, name="a.txt").added == ["a.txt"]  # the corpus holds "a"
    _same_index(bot, corpus, tmp_path / "3", make_bot)

    hashed.clear(), loaded.clear()
    report = bot.remove_document("c")  # c.txt takes its id back
    assert (report.added, report.updated, report.removed) == ([], ["c"], ["c.txt"])
    assert bot.document("c").text.startswith("光明区2025年") and not (bot.uploads_dir / "c.md").exists()
    _same_index(bot, corpus, tmp_path / "4", make_bot)

    hashed.clear(), loaded.clear()
    assert bot.remove_document("b").removed == ["b"]  # a corpus document: excluded, nothing read
    assert (hashed, loaded) == ([], [])
    assert all(p.doc_id != "b" for p in bot.retrieve("合成生物产业基金", k=3))
    _same_index(bot, corpus, tmp_path / "5", make_bot)


def test_an_upload_that_fails_after_it_was_copied_changes_nothing(corpus, tmp_path, make_bot, monkeypatch):
    from rag.ingest import load

    bot = make_bot(corpus, tmp_path)
    bot.index()
    upload = tmp_path / "tmp-upload"
    upload.write_text("第一版:光明区新建10所学校。", encoding="utf-8")
    bot.add_file(upload, name="c.txt")
    before = bot.documents()
    real_load = load.load_file

    def failing(path, **kw):
        if Path(path).name in ("c.txt", "d.txt"):
            raise LoadError(f"{path}: changed while it was read")
        return real_load(path, **kw)

    monkeypatch.setattr(load, "load_file", failing)
    upload.write_text("第二版:光明区新建12所学校。", encoding="utf-8")
    report = bot.add_file(upload, name="c.txt")  # replaces an upload: the old version is put back
    assert [Path(e.path).name for e in report.errors] == ["c.txt"] and report.updated == []
    assert bot.documents() == before
    assert (bot.uploads_dir / "c.txt").read_text(encoding="utf-8") == "第一版:光明区新建10所学校。"
    report = bot.add_file(upload, name="d.txt")  # a new upload: deleted again
    assert [Path(e.path).name for e in report.errors] == ["d.txt"]
    assert bot.documents() == before and not (bot.uploads_dir / "d.txt").exists()

    class Exploding(HashEmbedder):
        def embed_passages(self, texts, *, progress=None):
            raise KeyboardInterrupt

    monkeypatch.setattr(load, "load_file", real_load)
    bot.embedder = Exploding()
    with pytest.raises(KeyboardInterrupt):
        bot.add_file(upload, name="e.txt")
    assert bot.documents() == before and not (bot.uploads_dir / "e.txt").exists()
    bot.embedder = HashEmbedder()
    _same_index(bot, corpus, tmp_path / "1", make_bot)


def test_adding_a_file_to_a_missing_index_builds_the_corpus_too(corpus, tmp_path, make_bot):
    bot = make_bot(corpus, tmp_path)
    upload = tmp_path / "tmp-upload"
    upload.write_text("光明区2025年新建10所学校。", encoding="utf-8")
    assert bot.add_file(upload, name="c.txt").added == ["c"]
    assert [d.id for d in bot.documents()] == ["a", "b", "c"]


def test_chunk_context_mixes_the_neighbouring_chunks_into_each_vector():
    vectors = np.eye(4, dtype=np.float32)[:3]  # three chunks of one document, orthogonal
    mixed = in_context(vectors, 1.0)
    assert np.allclose(np.linalg.norm(mixed, axis=1), 1.0)
    assert np.allclose(mixed[0], [1 / np.sqrt(2), 1 / np.sqrt(2), 0, 0])  # itself and the next
    assert np.allclose(mixed[1], [1 / np.sqrt(3)] * 3 + [0])  # both neighbours
    half = in_context(vectors, 0.5)
    assert np.allclose(half[1], np.array([0.5, 1, 0.5, 0]) / np.sqrt(1.5))
    assert in_context(vectors, 0.0) is vectors  # off: the vectors as embedded
    assert np.allclose(in_context(vectors[:1], 1.0), vectors[:1])  # a one-chunk document keeps its vector


def test_index_with_other_chunk_context_is_refused_until_rebuilt(corpus, tmp_path, make_bot):
    make_bot(corpus, tmp_path).index()  # chunk_context 0, as every index stored before the setting
    bot = make_bot(corpus, tmp_path, chunk_context=0.5)
    with pytest.raises(IndexMismatchError, match=r"chunk_context: index has 0.0, settings ask for 0.5.*--rebuild"):
        bot.retrieve("基金规模", k=1)
    assert bot.index(rebuild=True).added == ["a", "b"]
    assert bot.retrieve("基金规模", k=1)[0].doc_id == "b"
    assert IndexParams(**{"embed_model": "m", "dim": 4, "chunk_tokens": 160, "chunk_overlap": 32}).chunk_context == 0.0
