from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from rag.errors import IndexMismatchError, IndexMissingError
from rag.store import FaissIndex, IndexData, IndexParams, Store
from rag.types import Chunk, DocRecord, Document

PARAMS = IndexParams(embed_model="m1", dim=3, chunk_tokens=100, chunk_overlap=10)


def _data(text: str = "光明科学城。深圳。") -> IndexData:
    doc = Document(id="a", path=Path("a.txt"), title="A", text=text)
    chunks = [Chunk(id="a#0", doc_id="a", text=text[:6], start=0, end=6),
              Chunk(id="a#1", doc_id="a", text=text[6:], start=6, end=len(text))]
    vectors = np.array([[1, 0, 0], [0, 1, 0]], dtype=np.float32)
    return IndexData(
        params=PARAMS, documents={"a": doc},
        records={"a": DocRecord(id="a", path="a.txt", title="A", sha256="h", chunks=2, indexed_at=1.0)},
        chunks=chunks, terms=[["光明", "科学城"], ["深圳"]], vectors=vectors,
    )


def test_round_trip_restores_documents_chunks_terms_and_vectors(tmp_path):
    store = Store(tmp_path)
    store.save(_data())
    loaded = store.load(PARAMS)
    assert loaded.documents["a"].text == "光明科学城。深圳。"
    assert [c.text for c in loaded.chunks] == ["光明科学城。", "深圳。"]
    assert loaded.terms == [["光明", "科学城"], ["深圳"]]
    assert loaded.vectors.tolist() == [[1, 0, 0], [0, 1, 0]]
    scores, rows = loaded.dense.search(np.array([0, 1, 0], np.float32), 2)
    assert rows.tolist() == [1, 0] and scores.tolist() == pytest.approx([1.0, 0.0])


def test_missing_index_says_how_to_build_it(tmp_path):
    with pytest.raises(IndexMissingError, match="rag index"):
        Store(tmp_path / "nothing").load(PARAMS)


@pytest.mark.parametrize("field,value", [("embed_model", "m2"), ("chunk_tokens", 200), ("chunk_overlap", 0)])
def test_index_built_with_other_settings_is_refused(tmp_path, field, value):
    store = Store(tmp_path)
    store.save(_data())
    other = replace(PARAMS, **{field: value})
    with pytest.raises(IndexMismatchError, match=rf"{field}: index has .*--rebuild"):
        store.load(other)


def test_interrupted_write_leaves_previous_version_live(tmp_path, monkeypatch):
    store = Store(tmp_path)
    store.save(_data("第一版。内容。"))

    def crash(self, path):
        raise KeyboardInterrupt

    monkeypatch.setattr(FaissIndex, "write", crash)
    with pytest.raises(KeyboardInterrupt):
        store.save(_data("第二版。内容。"))
    assert store.load(PARAMS).documents["a"].text == "第一版。内容。"
    assert len(list(tmp_path.glob("v-*"))) == 1  # the half-written version was removed


def test_new_version_replaces_old_and_old_folder_is_removed(tmp_path):
    store = Store(tmp_path)
    store.save(_data("第一版。内容。"))
    first = (tmp_path / "CURRENT").read_text()
    store.save(_data("第二版。内容。"))
    assert store.load(PARAMS).documents["a"].text == "第二版。内容。"
    assert not (tmp_path / first).exists()
    assert [p.name for p in tmp_path.glob("v-*")] == [(tmp_path / "CURRENT").read_text()]
