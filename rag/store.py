"""On-disk index: documents, chunk table, vectors, a FAISS index and a manifest.

Layout of ``index_dir``::

    CURRENT              name of the live version folder (replaced atomically)
    v-<time>-<pid>/      manifest.json, documents.jsonl, chunks.jsonl, vectors.npy, dense.faiss
    .lock                held while writing

A write builds a complete new version folder and only then repoints ``CURRENT``; an interrupted
write leaves the previous version live. Older version folders are removed after the switch.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np

from rag.errors import IndexMismatchError, IndexMissingError
from rag.files import atomic_write
from rag.types import Chunk, DocRecord, Document

logger = logging.getLogger(__name__)

FORMAT_VERSION = 1
_POINTER = "CURRENT"


@dataclass(frozen=True, slots=True)
class IndexParams:
    """What the stored vectors depend on; an index is only opened with the same values."""

    embed_model: str
    dim: int
    chunk_tokens: int
    chunk_overlap: int
    normalisation: str = "t2s+halfwidth+lower"

    def mismatch(self, other: IndexParams) -> list[str]:
        return [
            f"{name}: index has {getattr(other, name)!r}, settings ask for {getattr(self, name)!r}"
            for name in ("embed_model", "dim", "chunk_tokens", "chunk_overlap", "normalisation")
            if getattr(self, name) != getattr(other, name)
        ]


class VectorIndex(Protocol):
    """What retrieval needs from a vector engine; FAISS is the default, others can plug in."""

    def search(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top ``k`` rows for one L2-normalised query: (cosine scores, row numbers), best first."""
        ...


class FaissIndex:
    """Exact inner-product search (cosine on normalised vectors) with faiss."""

    FILE = "dense.faiss"

    def __init__(self, index) -> None:
        self._index = index

    @classmethod
    def build(cls, vectors: np.ndarray) -> FaissIndex:
        import faiss

        index = faiss.IndexFlatIP(vectors.shape[1])
        if len(vectors):
            index.add(np.ascontiguousarray(vectors, dtype=np.float32))
        return cls(index)

    @classmethod
    def read(cls, path: Path) -> FaissIndex:
        import faiss

        return cls(faiss.read_index(str(path)))

    def write(self, path: Path) -> None:
        import faiss

        faiss.write_index(self._index, str(path))

    def search(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        k = min(k, self._index.ntotal)
        if k <= 0:
            return np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int64)
        scores, rows = self._index.search(np.asarray(query, dtype=np.float32).reshape(1, -1), k)
        return scores[0], rows[0]


@dataclass
class IndexData:
    """Everything one index version holds, in memory. Rows of ``vectors`` follow ``chunks``."""

    params: IndexParams
    documents: dict[str, Document] = field(default_factory=dict)
    records: dict[str, DocRecord] = field(default_factory=dict)
    chunks: list[Chunk] = field(default_factory=list)
    terms: list[list[str]] = field(default_factory=list)  # BM25 terms of each chunk
    vectors: np.ndarray | None = None
    dense: VectorIndex | None = None

    def rows_by_document(self) -> dict[str, list[int]]:
        """Row numbers of each document's chunks, in one pass over the chunk table."""
        rows: dict[str, list[int]] = {}
        for i, c in enumerate(self.chunks):
            rows.setdefault(c.doc_id, []).append(i)
        return rows


class Store:
    """Reads and atomically writes index versions in one folder."""

    def __init__(self, index_dir: Path) -> None:
        self.index_dir = Path(index_dir)

    def exists(self) -> bool:
        return (self.index_dir / _POINTER).is_file()

    def read_params(self) -> IndexParams:
        manifest = self._read_manifest(self._current_dir())
        return IndexParams(**manifest["params"])

    def load(self, expected: IndexParams) -> IndexData:
        """Open the live version, refusing one built with other parameters."""
        version = self._current_dir()
        manifest = self._read_manifest(version)
        found = IndexParams(**manifest["params"])
        problems = expected.mismatch(found)
        if problems:
            raise IndexMismatchError(
                f"the index in {self.index_dir} was built with other settings ({'; '.join(problems)}). "
                f"Rebuild it with `rag index --rebuild --index-dir {self.index_dir}`, or point "
                "--index-dir at another folder."
            )
        return self._read_version(version, found, manifest)

    def _read_version(self, version: Path, params: IndexParams, manifest: dict) -> IndexData:
        data = IndexData(params=params)
        data.records = {r["id"]: DocRecord(**r) for r in manifest["documents"]}
        for row in _read_jsonl(version / "documents.jsonl"):
            data.documents[row["id"]] = Document(
                id=row["id"], path=Path(row["path"]), title=row["title"], text=row["text"], meta=row.get("meta", {})
            )
        for row in _read_jsonl(version / "chunks.jsonl"):
            doc = data.documents[row["doc_id"]]
            data.chunks.append(
                Chunk(id=row["id"], doc_id=row["doc_id"], text=doc.text[row["start"] : row["end"]],
                      start=row["start"], end=row["end"])
            )
            data.terms.append(row["terms"])
        data.vectors = np.load(version / "vectors.npy")
        data.dense = FaissIndex.read(version / FaissIndex.FILE)
        if data.vectors.shape[0] != len(data.chunks):
            raise IndexMissingError(f"{version}: {data.vectors.shape[0]} vectors for {len(data.chunks)} chunks; rebuild")
        return data

    def save(self, data: IndexData) -> None:
        """Write ``data`` as a new version, then switch ``CURRENT`` to it atomically."""
        self.index_dir.mkdir(parents=True, exist_ok=True)
        version = self.index_dir / f"v-{time.time_ns()}-{os.getpid()}"
        version.mkdir()
        try:
            vectors = data.vectors if data.vectors is not None else np.zeros((0, data.params.dim), np.float32)
            np.save(version / "vectors.npy", vectors.astype(np.float32))
            FaissIndex.build(vectors).write(version / FaissIndex.FILE)
            _write_jsonl(version / "documents.jsonl", (
                {"id": d.id, "path": str(d.path), "title": d.title, "text": d.text, "meta": d.meta}
                for d in data.documents.values()
            ))
            _write_jsonl(version / "chunks.jsonl", (
                {"id": c.id, "doc_id": c.doc_id, "start": c.start, "end": c.end, "terms": t}
                for c, t in zip(data.chunks, data.terms)
            ))
            manifest = {
                "format_version": FORMAT_VERSION,
                "params": asdict(data.params),
                "documents": [asdict(r) for r in data.records.values()],
                "chunks": len(data.chunks),
                "written_at": time.time(),
            }
            atomic_write(version / "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
            _fsync_dir(version)
            atomic_write(self.index_dir / _POINTER, version.name)
        except BaseException:
            shutil.rmtree(version, ignore_errors=True)
            raise
        self._remove_old_versions(keep=version.name)
        logger.info("index written: %d documents, %d chunks in %s", len(data.documents), len(data.chunks), version)

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Exclusive lock for one writer at a time (another process waits)."""
        self.index_dir.mkdir(parents=True, exist_ok=True)
        with open(self.index_dir / ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _current_dir(self) -> Path:
        pointer = self.index_dir / _POINTER
        if not pointer.is_file():
            raise IndexMissingError(f"no index in {self.index_dir}; build it with `rag index`")
        version = self.index_dir / pointer.read_text(encoding="utf-8").strip()
        if not (version / "manifest.json").is_file():
            raise IndexMissingError(f"the index in {self.index_dir} is incomplete ({version.name}); rebuild with `rag index`")
        return version

    @staticmethod
    def _read_manifest(version: Path) -> dict:
        manifest = json.loads((version / "manifest.json").read_text(encoding="utf-8"))
        if manifest.get("format_version") != FORMAT_VERSION:
            raise IndexMismatchError(
                f"{version.parent} has index format {manifest.get('format_version')}, this version reads "
                f"{FORMAT_VERSION}; rebuild with `rag index --rebuild`"
            )
        return manifest

    def _remove_old_versions(self, *, keep: str) -> None:
        for old in self.index_dir.glob("v-*"):
            if old.is_dir() and old.name != keep:
                shutil.rmtree(old, ignore_errors=True)


def _write_jsonl(path: Path, rows: Iterator[dict]) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        fh.flush()
        os.fsync(fh.fileno())


def _read_jsonl(path: Path) -> Iterator[dict]:
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
