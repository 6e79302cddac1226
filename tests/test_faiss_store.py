"""The embedded store: BM25 equal to the in-memory oracle, crash safety, rebuilds, other readers."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
from test_store import PARAMS, entry

from rag.errors import IndexMismatchError
from rag.retrieval.bm25 import BM25Index
from rag.store import postings
from rag.store.faiss_store import VECTORS_FILE, FaissStore
from rag.text import terms

WORDS = "光明 科学城 合成 生物 基金 规模 企业 深圳 科技 支行 金融 产品 院士 人才 大厦 学校 医院 道路".split()


def random_docs(n: int, seed: int) -> dict[str, list[str]]:
    rng = random.Random(seed)
    return {f"d{i:03d}": ["".join(rng.choices(WORDS, k=rng.randint(2, 12))) + "。" for _ in range(rng.randint(1, 4))]
            for i in range(n)}


def write_docs(store: FaissStore, docs: dict[str, list[str]]) -> None:
    rng = np.random.default_rng(0)
    store.write(add=[entry(d, s, rng.normal(size=(len(s), PARAMS.dim)).tolist()) for d, s in docs.items()])


def oracle_order(live: dict[str, list[str]], query: str, k: int) -> list[tuple[str, float]]:
    """(chunk text, score) by the in-memory BM25 (rag.retrieval.bm25) over the live chunks in write order."""
    texts = [s for sentences in live.values() for s in sentences]
    scores, rows = BM25Index([terms(t) for t in texts]).top(terms(query), k)
    return [(texts[r], float(score)) for r, score in zip(rows, scores)]


def test_bm25_ranks_as_the_in_memory_index_after_adds_replacements_and_removals(tmp_path):
    store = FaissStore(tmp_path)
    docs = random_docs(60, seed=1)
    with store.writing(PARAMS):
        write_docs(store, docs)
        changed = random_docs(10, seed=2)  # d000..d009 get new text
        write_docs(store, changed)
        store.write(remove=[f"d{i:03d}" for i in range(40, 50)])
    live = {d: s for d, s in docs.items() if d not in changed and not 40 <= int(d[1:]) < 50}
    live.update(changed)  # replaced documents were written last
    for query in ("合成生物基金规模", "科技支行", "院士人才学校", "光明科学城的企业"):
        found = store.lexical(query, 10)
        expected = oracle_order(live, query, 10)
        assert [store.chunks([k])[k].chunk.text for k, _ in found] == [text for text, _ in expected], query
        assert [score for _, score in found] == pytest.approx([score for _, score in expected], rel=1e-5), query
    df = dict(store._connection().execute("SELECT term, df FROM terms WHERE df > 0").fetchall())
    expected: dict[str, int] = {}
    for sentences in live.values():
        for s in sentences:
            for t in set(terms(s)):
                expected[t] = expected.get(t, 0) + 1
    assert df == expected


def test_a_write_that_fails_midway_leaves_the_last_commit_and_the_next_write_works(tmp_path, monkeypatch):
    store = FaissStore(tmp_path)
    with store.writing(PARAMS):
        write_docs(store, random_docs(5, seed=3))
    before = store.records()

    def explode(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(postings, "add", explode)
    with pytest.raises(KeyboardInterrupt), store.writing(PARAMS):
        write_docs(store, random_docs(8, seed=4))
    monkeypatch.undo()
    vectors = tmp_path / store._pointed("CURRENT") / VECTORS_FILE
    assert vectors.stat().st_size > store._slots * PARAMS.dim * 4  # the stopped write left a vector tail
    reader = FaissStore(tmp_path)
    reader.open(PARAMS)
    assert reader.records() == before and reader.chunk_count() == sum(r.chunks for r in before.values())
    with store.writing(PARAMS):  # the next writer cuts the tail and appends after the committed rows
        assert vectors.stat().st_size == store._slots * PARAMS.dim * 4
        write_docs(store, {"new": ["新的合成生物文件。"]})
    reader.open(PARAMS)
    key = reader.lexical("新的合成生物文件", 1)[0][0]
    assert reader.chunks([key])[key].chunk.doc_id == "new"


def test_another_process_commit_is_seen_by_an_open_reader(tmp_path):
    writer, reader = FaissStore(tmp_path), FaissStore(tmp_path)
    with writer.writing(PARAMS):
        write_docs(writer, {"a": ["光明科学城。"]})
    reader.open(PARAMS)
    assert reader.chunk_count() == 1
    with writer.writing(PARAMS):
        write_docs(writer, {"b": ["合成生物基金。"]})
        writer.write(remove=["a"])
    assert reader.chunk_count() == 1 and [reader.chunks([k])[k].chunk.doc_id for k, _ in reader.lexical("合成生物基金", 5)] == ["b"]
    assert reader.lexical("光明科学城", 5) == []


def test_a_stopped_rebuild_keeps_the_old_index_live_and_the_next_rebuild_resumes(tmp_path):
    store = FaissStore(tmp_path)
    with store.writing(PARAMS):
        write_docs(store, {"old": ["旧的文件。"]})
    with pytest.raises(KeyboardInterrupt), store.writing(PARAMS, rebuild=True):
        write_docs(store, {"first": ["重建的第一批。"]})
        raise KeyboardInterrupt
    reader = FaissStore(tmp_path)
    reader.open(PARAMS)
    assert list(reader.records()) == ["old"]
    with store.writing(PARAMS, rebuild=True):
        assert list(store.records()) == ["first"]  # resumed: the finished batch is kept
        write_docs(store, {"second": ["重建的第二批。"]})
    reader.open(PARAMS)
    assert list(reader.records()) == ["first", "second"]
    assert sorted(p.name for p in Path(tmp_path).iterdir() if p.is_dir()) == [store._pointed("CURRENT")]
    assert not (tmp_path / "NEXT").exists()


def test_an_index_of_the_older_format_is_refused_on_open_and_rebuilt_by_a_write_session(tmp_path):
    (tmp_path / "v-1").mkdir()
    (tmp_path / "v-1" / "manifest.json").write_text("{}")
    (tmp_path / "CURRENT").write_text("v-1")
    with pytest.raises(IndexMismatchError, match="older format.*--rebuild"):
        FaissStore(tmp_path).open(PARAMS)
    store = FaissStore(tmp_path)
    with store.writing(PARAMS):
        write_docs(store, {"a": ["光明科学城。"]})
    assert not (tmp_path / "v-1").exists() and list(store.records()) == ["a"]


def test_a_folder_left_by_a_writer_stopped_before_naming_it_is_removed_by_the_next(tmp_path):
    store = FaissStore(tmp_path)
    with store.writing(PARAMS):
        write_docs(store, {"a": ["光明科学城。"]})
    (tmp_path / "s-1-999").mkdir()  # created, never named in CURRENT or NEXT
    with store.writing(PARAMS):
        write_docs(store, {"b": ["合成生物基金。"]})
    assert [p.name for p in tmp_path.glob("s-*")] == [store._pointed("CURRENT")]
