"""The ``Store`` protocol, on every engine: FAISS, Milvus Lite in process, Milvus Lite's server."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from rag.api import make_store
from rag.config import Settings, settings_with
from rag.errors import IndexMismatchError, IndexMissingError
from rag.store import DocumentEntry, IndexParams, Store
from rag.types import Chunk, DocRecord, Document

PARAMS = IndexParams(embed_model="m1", dim=4, chunk_tokens=100, chunk_overlap=10)


def entry(doc_id: str, sentences: list[str], vectors: list[list[float]], *, sha: str = "h1") -> DocumentEntry:
    """A document whose chunks are its sentences, with the given (normalised) vectors."""
    text = "".join(sentences)
    chunks, pos = [], 0
    for i, s in enumerate(sentences):
        chunks.append(Chunk(id=f"{doc_id}#{i}", doc_id=doc_id, text=s, start=pos, end=pos + len(s)))
        pos += len(s)
    v = np.array(vectors, dtype=np.float32).reshape(len(sentences), PARAMS.dim)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    record = DocRecord(id=doc_id, path=f"docs/{doc_id}.txt", title=f"标题{doc_id}", sha256=sha, chunks=len(chunks),
                       indexed_at=1.5)
    return DocumentEntry(record=record, document=Document(id=doc_id, path=Path(f"docs/{doc_id}.txt"),
                                                          title=f"标题{doc_id}", text=text, meta={"k": 1}),
                         chunks=chunks, vectors=v)


BANK = entry("bank", ["光明区推动7家科技支行落地。", "创新推出21个特色科技金融产品。"], [[1, 0, 0, 0], [0, 1, 0, 0]])
FUND = entry("fund", ["深圳市合成生物产业基金规模15亿元。", "光明區的合成生物企業總估值近400億元。"], [[0, 0, 1, 0], [0, 0, 0, 1]])


@pytest.fixture
def store(store_settings: dict[str, str], tmp_path: Path) -> Store:
    s = make_store(settings_with(Settings(), index_dir=tmp_path / "index", **store_settings))
    yield s
    s.close()


def texts(store: Store, ranked: list[tuple[int, float]]) -> list[str]:
    keys = [k for k, _ in ranked]
    found = store.chunks(keys)
    return [found[k].chunk.text for k in keys]


def test_written_documents_read_back_and_are_searchable(store):
    with store.writing(PARAMS):
        store.write(add=[BANK, FUND])
    assert store.records() == {"bank": BANK.record, "fund": FUND.record}
    assert store.records(["fund", "nope"]) == {"fund": FUND.record}  # a lookup of a few ids
    assert store.records([]) == {}
    assert store.records([*(f"x{i}" for i in range(2500)), "bank"]) == {"bank": BANK.record}  # asked in parts
    doc = store.document("fund")
    assert doc is not None and doc.text == FUND.document.text and doc.title == "标题fund" and doc.meta == {"k": 1}
    assert store.document("nope") is None
    assert store.chunk_count() == 4
    best = store.lexical("合成生物企业总估值", 10)
    assert texts(store, best[:1]) == ["光明區的合成生物企業總估值近400億元。"]  # folded for matching, shown as written
    assert texts(store, store.lexical("科技支行", 10)[:1]) == ["光明区推动7家科技支行落地。"]
    assert store.lexical("的", 10) == []  # only a stop word: nothing matches
    assert [score for _, score in best] == sorted((score for _, score in best), reverse=True) and best[-1][1] > 0
    query = np.array([0, 1, 0, 0.1], np.float32)
    nearest = store.dense(query / np.linalg.norm(query), 2)
    assert texts(store, nearest) == ["创新推出21个特色科技金融产品。", "光明區的合成生物企業總估值近400億元。"]
    assert [score for _, score in nearest] == pytest.approx([1 / 1.01 ** 0.5, 0.1 / 1.01 ** 0.5], abs=1e-4)  # cosines
    stored = store.chunks([best[0][0]])[best[0][0]]
    assert (stored.chunk.id, stored.chunk.doc_id, stored.chunk.start, stored.title, stored.source) == (
        "fund#1", "fund", 18, "标题fund", "docs/fund.txt")
    assert FUND.document.text[stored.chunk.start:stored.chunk.end] == stored.chunk.text


def test_replacing_a_document_drops_its_old_chunks_and_removing_drops_it(store):
    with store.writing(PARAMS):
        store.write(add=[BANK, FUND])
        shorter = entry("fund", ["合成生物产业基金规模20亿元。"], [[0, 0, 1, 0]], sha="h2")
        store.write(add=[shorter])
    assert store.records()["fund"].sha256 == "h2" and store.chunk_count() == 3
    assert texts(store, store.lexical("估值", 10)) == []
    assert texts(store, store.lexical("基金规模", 10)) == ["合成生物产业基金规模20亿元。"]
    with store.writing(PARAMS):
        store.write(remove=["bank"])
    assert list(store.records()) == ["fund"] and store.chunk_count() == 1
    assert store.lexical("科技支行", 10) == []
    assert texts(store, store.dense(np.array([1, 0, 0, 0], np.float32), 5)) == ["合成生物产业基金规模20亿元。"]


def test_the_vocabulary_counts_the_chunks_holding_each_word_and_follows_writes(store):
    with store.writing(PARAMS):
        store.write(add=[BANK, FUND])
    words = store.vocabulary()
    assert words["光明"] == 2 and words["支行"] == 1 and words["估值"] == 1  # folded: 光明區 counts as 光明
    assert "的" not in words and "。" not in words  # what BM25 drops is not a word of it
    assert store.vocabulary() is words  # kept until a write: what is derived from it can be kept too
    with store.writing(PARAMS):
        store.write(remove=["bank"])
    assert "支行" not in store.vocabulary() and store.vocabulary()["光明"] == 1


def test_opening_a_missing_index_or_one_with_other_parameters_is_refused(store):
    with pytest.raises(IndexMissingError, match="rag index"):
        store.open(PARAMS)
    with store.writing(PARAMS):
        store.write(add=[BANK])
    with pytest.raises(IndexMismatchError, match=r"chunk_tokens: index has 100, settings ask for 200.*--rebuild"):
        store.open(replace(PARAMS, chunk_tokens=200))
    with store.writing(replace(PARAMS, chunk_tokens=200), rebuild=True):
        assert store.records() == {}
        store.write(add=[FUND])
    store.open(replace(PARAMS, chunk_tokens=200))
    assert list(store.records()) == ["fund"]
