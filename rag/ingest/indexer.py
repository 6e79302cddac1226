"""Bring an index in line with its document folders: embed only what was added or changed."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Protocol

import numpy as np

from rag.errors import LoadError
from rag.files import sha256_file
from rag.ingest import chunk as chunking
from rag.ingest import load
from rag.store import FaissIndex, IndexData, IndexParams, Store
from rag.text import fold_script, terms
from rag.types import Chunk, DocRecord, Document, FileError, IndexReport

logger = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]  # (stage, done, total)


class PassageEmbedder(Protocol):
    def embed_passages(self, texts: Sequence[str], *, progress: Callable[[int], None] | None = None) -> np.ndarray: ...


def sync(
    folders: Sequence[Path],
    *,
    store: Store,
    params: IndexParams,
    embedder: PassageEmbedder,
    rebuild: bool = False,
    exclude: frozenset[str] = frozenset(),
    progress: Progress | None = None,
) -> tuple[IndexReport, IndexData]:
    """Index the documents of ``folders`` into ``store``; return the report and the new data.

    A file that fails to load keeps its previous version in the index when it had one (nothing
    indexed is lost to a transient or corrupt read); a file that is gone is removed.
    """
    started = time.monotonic()
    with store.writing():
        old = _previous(store, params, rebuild=rebuild)
        found, errors = _scan(folders, exclude=exclude)
        plan = _plan(found, old)
        new_docs: list[Document] = []
        for i, (doc_id, path) in enumerate(plan.to_load, start=1):
            if progress:
                progress("load", i, len(plan.to_load))
            try:
                new_docs.append(replace(load.load_file(path), id=doc_id))
            except LoadError as exc:
                errors.append(FileError(str(path), str(exc)))
        failed_ids = {doc_id for doc_id, _ in plan.to_load} - {d.id for d in new_docs}
        kept = [d for d in plan.unchanged + sorted(failed_ids & set(old.documents)) if d in old.documents]
        data, n_embedded = _assemble(old, kept, new_docs, params=params, embedder=embedder, found=found,
                                     progress=progress)
        if data.records != old.records or rebuild or not store.exists():
            store.save(data)
    report = IndexReport(
        added=sorted(d.id for d in new_docs if d.id not in old.documents),
        updated=sorted(d.id for d in new_docs if d.id in old.documents),
        removed=sorted(set(old.documents) - set(data.documents)),
        unchanged=sorted(plan.unchanged),
        errors=errors,
        chunks_embedded=n_embedded,
        seconds=round(time.monotonic() - started, 3),
    )
    logger.info("indexed: %d added, %d updated, %d removed, %d unchanged, %d errors, %d chunks embedded",
                len(report.added), len(report.updated), len(report.removed), len(report.unchanged),
                len(report.errors), n_embedded)
    return report, data


def _previous(store: Store, params: IndexParams, *, rebuild: bool) -> IndexData:
    if rebuild or not store.exists():
        return IndexData(params=params, vectors=np.zeros((0, params.dim), np.float32))
    return store.load(params)


class _Plan:
    def __init__(self) -> None:
        self.to_load: list[tuple[str, Path]] = []
        self.unchanged: list[str] = []
        self.hashes: dict[str, str] = {}


def _scan(folders: Sequence[Path], *, exclude: frozenset[str]) -> tuple[dict[str, tuple[Path, str]], list[FileError]]:
    """doc id -> (path, sha256) of every supported file, plus the files that cannot be used."""
    found: dict[str, tuple[Path, str]] = {}
    errors: list[FileError] = []
    for folder in folders:
        if not Path(folder).exists():
            continue
        files, bad = load.scan_folder(Path(folder), taken=set(found))
        errors.extend(bad)
        for doc_id, path in files:
            if doc_id in exclude:
                continue
            try:
                found[doc_id] = (path, sha256_file(path))
            except OSError as exc:
                errors.append(FileError(str(path), f"cannot read: {exc.strerror or exc}"))
    return found, errors


def _plan(found: dict[str, tuple[Path, str]], old: IndexData) -> _Plan:
    plan = _Plan()
    for doc_id, (path, digest) in sorted(found.items()):
        record = old.records.get(doc_id)
        if record is not None and record.sha256 == digest:
            plan.unchanged.append(doc_id)
        else:
            plan.to_load.append((doc_id, path))
    return plan


def _assemble(
    old: IndexData,
    kept: list[str],
    new_docs: list[Document],
    *,
    params: IndexParams,
    embedder: PassageEmbedder,
    found: dict[str, tuple[Path, str]],
    progress: Progress | None,
) -> tuple[IndexData, int]:
    """New index data: rows of kept documents copied, new documents chunked and embedded."""
    data = IndexData(params=params)
    vectors: list[np.ndarray] = []
    old_rows = old.rows_by_document()
    old_vectors = old.vectors if old.vectors is not None else np.zeros((0, params.dim), dtype=np.float32)
    for doc_id in sorted(kept):
        rows = old_rows.get(doc_id, [])
        data.documents[doc_id] = old.documents[doc_id]
        data.records[doc_id] = old.records[doc_id]
        data.chunks.extend(old.chunks[r] for r in rows)
        data.terms.extend(old.terms[r] for r in rows)
        vectors.append(old_vectors[rows])
    new_chunks: list[Chunk] = []
    for doc in new_docs:
        chunks = chunking.chunk_document(doc, max_tokens=params.chunk_tokens, overlap=params.chunk_overlap)
        data.documents[doc.id] = doc
        data.records[doc.id] = DocRecord(id=doc.id, path=str(doc.path), title=doc.title,
                                         sha256=found[doc.id][1], chunks=len(chunks), indexed_at=time.time())
        new_chunks.extend(chunks)
    if new_chunks:
        done = 0

        def step(n: int) -> None:
            nonlocal done
            done += n
            if progress:
                progress("embed", done, len(new_chunks))

        vectors.append(embedder.embed_passages([fold_script(c.text) for c in new_chunks], progress=step))
        data.chunks.extend(new_chunks)
        data.terms.extend(terms(c.text) for c in new_chunks)
    data.vectors = np.concatenate(vectors) if vectors else np.zeros((0, params.dim), np.float32)
    data.dense = FaissIndex.build(data.vectors)
    return data, len(new_chunks)
