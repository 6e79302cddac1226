"""Milvus as the index engine: Milvus Lite in process (a file path) or a server (``http://host:19530``).

Two collections per index, named ``<name>_chunks`` and ``<name>_docs``:

- chunks: ``pk`` (int64 key of the chunk id), ``doc``, ``seq`` (ordinal in the document), the
  original ``text`` with its offsets and the document's title/source for display, ``folded`` (the
  matching form: simplified script, half width, lower case) analysed with ``jieba`` (our stop
  words and punctuation filtered out) and turned into the ``sparse`` BM25 vector by a Milvus
  function, and ``dense`` (HNSW, cosine).
- docs: each document's record and its full original text, in pieces of at most
  ``_PIECE_CHARS`` characters (one row per piece; Milvus needs a vector field, so a 2-d dummy).

Both halves of hybrid retrieval run inside Milvus; ``rag.retrieval`` fuses the two rankings as it
does for the FAISS store. A write upserts a document's chunks by key, deletes its chunks past the
new count, then writes its record, for a whole batch of documents in a few calls: a stopped
writer leaves at worst documents whose record still names the old file digest, which the next
run re-indexes. The index parameters are a collection
property. One writer at a time (a lock file in the index folder).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import re
from collections import Counter
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path

import numpy as np

from rag.errors import IndexMissingError
from rag.store.base import DocumentEntry, IndexParams, StoredChunk, chunk_key
from rag.text import bm25_form, stop_words, terms
from rag.types import Chunk, DocRecord, Document

logger = logging.getLogger(__name__)

_PARAMS = "rag.params"
_PIECE_CHARS = 16_000  # VARCHAR holds 65,535 bytes: 16k characters of up to 4 UTF-8 bytes each
_MAX_TEXT = 65_535
_BM25 = {"bm25_k1": 1.2, "bm25_b": 0.75}  # as rag.retrieval.bm25 (Lite's default k1 is 1.5)
_HNSW = {"M": 16, "efConstruction": 200}
_CHUNK_FIELDS = ["pk", "doc", "seq", "chunk_id", "text", "start", "end", "title", "source"]
_DOC_FIELDS = ["doc", "part", "path", "title", "sha256", "chunks", "indexed_at", "meta", "text"]
_ITER_BATCH = 1000
_PUNCTUATION = list("。，、；：？！…—·“”‘’「」『』（）《》〈〉【】〔〕.,;:?!'\"()[]{}<>-_/\\|~`@#$%^&*+=")
# jieba in search mode (as rag.text.terms), without the stop words and punctuation our BM25 drops
ANALYZER = {"tokenizer": "jieba", "filter": [{"type": "stop", "stop_words": sorted(stop_words()) + _PUNCTUATION}]}


def collection_name(index_dir: Path) -> str:
    """A collection name of the index folder: its name plus a hash of its absolute path."""
    path = Path(index_dir).expanduser().resolve()
    stem = re.sub(r"[^A-Za-z0-9_]", "_", path.name)[:40] or "index"
    return f"rag_{stem}_{hashlib.sha1(str(path).encode()).hexdigest()[:10]}"


KEEPALIVE_MS = 360_000  # gRPC keepalive ping interval of connections to a Milvus server


def _quoted(value: str) -> str:
    """A string literal for a Milvus filter expression."""
    return json.dumps(value, ensure_ascii=False)


def _client(uri: str):
    try:
        from pymilvus import MilvusClient
    except ImportError:
        raise ImportError('store = "milvus" needs the Milvus client: pip install "rag-chatbot[milvus]" '
                          "(pymilvus==3.0.2 milvus-lite==3.2.2)") from None
    if "://" not in uri:
        Path(uri).expanduser().parent.mkdir(parents=True, exist_ok=True)
        return MilvusClient(uri=uri)
    # pymilvus pings an idle connection every 10 s; a gRPC server with the default policy (Milvus
    # Lite's own server) answers that with GOAWAY "too_many_pings" and the next call fails to
    # reconnect (seen in a test run). Ping no more often than that policy allows (every 5 min).
    return MilvusClient(uri=uri, grpc_options={"grpc.keepalive_time_ms": KEEPALIVE_MS})


class MilvusStore:
    """The ``Store`` protocol on Milvus; ``uri`` is a file path (Lite) or a server URL."""

    def __init__(self, uri: str, *, collection: str | None = None, index_dir: Path) -> None:
        self.uri = uri
        self.name = collection or collection_name(index_dir)
        self.index_dir = Path(index_dir)
        self._chunks, self._docs = f"{self.name}_chunks", f"{self.name}_docs"
        self._db = None
        self._params: IndexParams | None = None
        self._count = 0
        self._dirty = False  # written since the write session began: flush when it ends
        self._vocabulary: dict[str, int] | None = None  # term -> chunks holding it, until the next write

    def _milvus(self):
        if self._db is None:
            self._db = _client(self.uri)
        return self._db

    def exists(self) -> bool:
        db = self._milvus()
        return bool(db.has_collection(self._chunks) and db.has_collection(self._docs))

    def open(self, expected: IndexParams) -> None:
        if not self.exists():
            raise IndexMissingError(f"no index in Milvus collection {self.name} at {self.uri}; build it with `rag index`")
        db = self._milvus()
        props = db.describe_collection(self._chunks).get("properties", {})
        found = IndexParams(**json.loads(props[_PARAMS]))
        expected.check(found, where=f"Milvus collection {self.name}")
        for name in (self._chunks, self._docs):
            db.load_collection(name)
        self._params = found
        self._count = self._count_chunks()

    def _count_chunks(self) -> int:
        rows = self._milvus().query(self._chunks, filter="", output_fields=["count(*)"])
        return int(rows[0]["count(*)"]) if rows else 0

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
        self._db, self._params = None, None

    # ----- writing -----
    @contextmanager
    def writing(self, params: IndexParams, *, rebuild: bool = False) -> Iterator[None]:
        self.index_dir.mkdir(parents=True, exist_ok=True)
        with open(self.index_dir / ".milvus.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                if rebuild or not self.exists():
                    self._create(params)
                self.open(params)
                self._dirty = False
                yield
                if self._dirty:
                    self._settle()
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _settle(self) -> None:
        """Seal what was written and ask for compaction: searching many small growing segments is
        slow (Milvus Lite, 3,000 chunks written in batches: BM25 2.4 s and dense 0.45 s per query
        before, 13 ms and 10 ms after flush and its compaction)."""
        db = self._milvus()
        for name in (self._chunks, self._docs):
            db.flush(name)
        db.compact(self._chunks)

    def _create(self, params: IndexParams) -> None:
        from pymilvus import DataType, Function, FunctionType, MilvusClient

        db = self._milvus()
        for name in (self._chunks, self._docs):
            if db.has_collection(name):
                db.drop_collection(name)
        schema = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
        schema.add_field("pk", DataType.INT64, is_primary=True)
        for name, length in (("doc", 1024), ("chunk_id", 1100), ("title", 4096), ("source", 4096)):
            schema.add_field(name, DataType.VARCHAR, max_length=length)
        schema.add_field("text", DataType.VARCHAR, max_length=_MAX_TEXT)
        for name in ("seq", "start", "end"):
            schema.add_field(name, DataType.INT64)
        schema.add_field("folded", DataType.VARCHAR, max_length=_MAX_TEXT, enable_analyzer=True,
                         analyzer_params=ANALYZER)
        schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
        schema.add_field("dense", DataType.FLOAT_VECTOR, dim=params.dim)
        schema.add_function(Function(name="bm25", function_type=FunctionType.BM25,
                                     input_field_names=["folded"], output_field_names=["sparse"]))
        index = db.prepare_index_params()
        index.add_index(field_name="dense", index_type="HNSW", metric_type="COSINE", params=_HNSW)
        index.add_index(field_name="sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25", params=_BM25)
        db.create_collection(self._chunks, schema=schema, index_params=index, consistency_level="Strong")
        db.alter_collection_properties(self._chunks, properties={_PARAMS: json.dumps(asdict(params))})

        docs = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
        docs.add_field("key", DataType.VARCHAR, is_primary=True, max_length=1100)
        for name, length in (("doc", 1024), ("path", 4096), ("title", 4096), ("sha256", 64), ("meta", _MAX_TEXT),
                             ("text", _MAX_TEXT)):
            docs.add_field(name, DataType.VARCHAR, max_length=length)
        docs.add_field("part", DataType.INT64)
        docs.add_field("chunks", DataType.INT64)
        docs.add_field("indexed_at", DataType.DOUBLE)
        docs.add_field("v", DataType.FLOAT_VECTOR, dim=2)  # Milvus needs a vector field; unused
        doc_index = db.prepare_index_params()
        doc_index.add_index(field_name="v", index_type="FLAT", metric_type="L2")
        db.create_collection(self._docs, schema=docs, index_params=doc_index, consistency_level="Strong")
        logger.info("created Milvus collections %s_chunks and %s_docs at %s", self.name, self.name, self.uri)

    def write(self, *, remove: Sequence[str] = (), add: Sequence[DocumentEntry] = ()) -> None:
        db = self._milvus()
        self._dirty, self._vocabulary = True, None
        if remove:
            gone = f"doc in [{', '.join(_quoted(d) for d in remove)}]"
            db.delete(self._docs, filter=gone)
            db.delete(self._chunks, filter=gone)
        for entry in add:
            if entry.vectors.shape[0] != len(entry.chunks):
                raise ValueError(f"{entry.document.id}: {entry.vectors.shape[0]} vectors for {len(entry.chunks)} chunks")
        if add:  # a few calls per batch: upsert chunks, drop each document's chunks past its new count, then records
            chunk_rows = [row for entry in add for row in self._chunk_rows(entry)]
            if chunk_rows:
                db.upsert(self._chunks, chunk_rows)
            db.delete(self._chunks, filter=" or ".join(
                f"(doc == {_quoted(e.document.id)} and seq >= {len(e.chunks)})" for e in add))
            doc_rows = [self._doc_rows(entry) for entry in add]
            db.upsert(self._docs, [row for rows in doc_rows for row in rows])
            db.delete(self._docs, filter=" or ".join(
                f"(doc == {_quoted(e.document.id)} and part >= {len(rows)})" for e, rows in zip(add, doc_rows)))
        self._count = self._count_chunks()

    @staticmethod
    def _chunk_rows(entry: DocumentEntry) -> list[dict]:
        title = entry.document.title[:1000]
        return [{"pk": chunk_key(c.id), "doc": c.doc_id, "seq": i, "chunk_id": c.id, "text": c.text,
                 "start": c.start, "end": c.end, "title": title, "source": entry.record.path,
                 "folded": bm25_form(c.text), "dense": np.asarray(v, dtype=np.float32).tolist()}
                for i, (c, v) in enumerate(zip(entry.chunks, entry.vectors))]

    @staticmethod
    def _doc_rows(entry: DocumentEntry) -> list[dict]:
        text, r = entry.document.text, entry.record
        pieces = [text[i : i + _PIECE_CHARS] for i in range(0, len(text), _PIECE_CHARS)] or [""]
        meta = json.dumps(entry.document.meta, ensure_ascii=False)
        return [{"key": f"{n}:{r.id}", "doc": r.id, "part": n, "path": r.path, "title": r.title[:1000],
                 "sha256": r.sha256, "chunks": r.chunks, "indexed_at": r.indexed_at, "meta": meta,
                 "text": piece, "v": [0.0, 0.0]} for n, piece in enumerate(pieces)]

    # ----- reading -----
    def records(self, ids: Collection[str] | None = None) -> dict[str, DocRecord]:
        fields = ["doc", "path", "title", "sha256", "chunks", "indexed_at"]
        if ids is None:
            rows = self._iterate(self._docs, "part == 0", fields)
        else:
            wanted, rows = sorted(set(ids)), []
            for i in range(0, len(wanted), _ITER_BATCH):
                listed = ", ".join(_quoted(d) for d in wanted[i : i + _ITER_BATCH])
                rows += self._milvus().query(self._docs, filter=f"part == 0 and doc in [{listed}]", output_fields=fields)
        return {r["doc"]: DocRecord(id=r["doc"], path=r["path"], title=r["title"], sha256=r["sha256"],
                                    chunks=int(r["chunks"]), indexed_at=float(r["indexed_at"]))
                for r in sorted(rows, key=lambda r: r["doc"])}

    def _iterate(self, collection: str, expr: str, fields: list[str]) -> list[dict]:
        iterator = self._milvus().query_iterator(collection, batch_size=_ITER_BATCH, filter=expr, output_fields=fields)
        rows: list[dict] = []
        try:
            while batch := iterator.next():
                rows.extend(batch)
        finally:
            iterator.close()
        return rows

    def document(self, doc_id: str) -> Document | None:
        rows = self._milvus().query(self._docs, filter=f"doc == {_quoted(doc_id)}", output_fields=_DOC_FIELDS)
        if not rows:
            return None
        rows.sort(key=lambda r: r["part"])
        first = rows[0]
        return Document(id=doc_id, path=Path(first["path"]), title=first["title"],
                        text="".join(r["text"] for r in rows), meta=json.loads(first["meta"]))

    def chunk_count(self) -> int:
        return self._count

    def lexical(self, query: str, k: int) -> list[tuple[int, float]]:
        if not terms(query):  # nothing the BM25 side could match (only stop words or punctuation)
            return []
        hits = self._milvus().search(self._chunks, data=[bm25_form(query)], anns_field="sparse", limit=k,
                                     search_params={"metric_type": "BM25"}, output_fields=["seq"])
        # Milvus Lite gives a match's BM25 score negated (as a distance, smaller = better), a Milvus
        # server the score itself; a match's score is positive, so abs() is the score on both
        return [(int(h["pk"]), abs(float(h["distance"]))) for h in hits[0]]

    def vocabulary(self) -> dict[str, int]:
        """Read from the chunks' matching form once (Milvus keeps its BM25 terms to itself)."""
        if self._vocabulary is None:
            counts: Counter[str] = Counter()
            for row in self._iterate(self._chunks, "seq >= 0", ["folded"]):
                counts.update(set(terms(row["folded"])))
            self._vocabulary = dict(counts)
        return self._vocabulary

    def dense(self, vector: np.ndarray, k: int) -> list[tuple[int, float]]:
        hits = self._milvus().search(self._chunks, data=[np.asarray(vector, dtype=np.float32).tolist()],
                                     anns_field="dense", limit=k, output_fields=["seq"],
                                     search_params={"metric_type": "COSINE", "params": {"ef": max(64, 2 * k)}})
        return [(int(h["pk"]), float(h["distance"])) for h in hits[0]]  # COSINE: the distance is the cosine

    def chunks(self, keys: Sequence[int]) -> dict[int, StoredChunk]:
        if not keys:
            return {}
        rows = self._milvus().get(self._chunks, ids=[int(k) for k in keys], output_fields=_CHUNK_FIELDS)
        return {int(r["pk"]): StoredChunk(
                    key=int(r["pk"]), title=r["title"], source=r["source"],
                    chunk=Chunk(id=r["chunk_id"], doc_id=r["doc"], text=r["text"], start=int(r["start"]),
                                end=int(r["end"])))
                for r in rows}


