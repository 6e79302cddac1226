"""Bring an index in line with its document folders: embed only what was added or changed.

``sync`` scans every folder (and hashes every file); ``update_folder`` handles a change to one
small folder (the uploads) in time proportional to that folder and the changed documents.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Protocol

import numpy as np

from rag.errors import LoadError
from rag.files import sha256_file
from rag.ingest import chunk as chunking
from rag.ingest import load
from rag.store import DocumentEntry, IndexParams, Store
from rag.text import fold_script
from rag.types import Chunk, DocRecord, Document, FileError, IndexReport

logger = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]  # (stage, done, total)


class PassageEmbedder(Protocol):
    def embed_passages(self, texts: Sequence[str], *, progress: Callable[[int], None] | None = None) -> np.ndarray: ...


BATCH_CHUNKS = 512  # chunks embedded and committed together: a stopped run loses at most one batch


def in_context(vectors: np.ndarray, weight: float) -> np.ndarray:
    """A document's chunk vectors (rows in text order), each with ``weight`` times the vectors of
    the chunks just before and after it added, renormalised (setting ``chunk_context``).

    A small chunk embedded alone loses what its document says around it (which event, which
    year). Among many short passages about one event that costs dense retrieval: on the RGB news
    set, MRR@10 0.617 for chunks alone against 0.656 for whole passages. Mixing the neighbours in
    needs no extra embedding, but it blurs the chunk a detail question is about, so it is off by
    default (see docs/measurements.md, "Retrieval", for both sides).
    """
    if weight <= 0 or len(vectors) < 2:
        return vectors
    summed = vectors.astype(np.float32, copy=True)
    summed[1:] += weight * vectors[:-1]
    summed[:-1] += weight * vectors[1:]
    norms = np.linalg.norm(summed, axis=1, keepdims=True)
    return (summed / np.maximum(norms, 1e-12)).astype(np.float32, copy=False)


def sync(
    folders: Sequence[Path],
    *,
    store: Store,
    params: IndexParams,
    embedder: PassageEmbedder,
    rebuild: bool = False,
    exclude: frozenset[str] = frozenset(),
    progress: Progress | None = None,
    batch_chunks: int = BATCH_CHUNKS,
) -> IndexReport:
    """Index the documents of ``folders`` into ``store``; return what changed.

    Documents are committed in batches of about ``batch_chunks`` chunks, so a run that is stopped
    keeps what it finished and the next run continues from there (vectors of a half-done batch
    come back from the embedding cache). A file that fails to load keeps its previous version in
    the index when it had one; a file that is gone is removed.
    """
    started = time.monotonic()
    with store.writing(params, rebuild=rebuild):
        old = store.records()
        found, errors = _scan(folders, exclude=exclude)
        plan = _plan(found, old)
        removed = sorted(set(old) - set(found))
        if removed:
            store.write(remove=removed)
        loaded, n_embedded = _index_changed(plan, store=store, params=params, embedder=embedder, found=found,
                                            errors=errors, progress=progress, batch_chunks=batch_chunks)
    return _report(loaded, old=old, removed=removed, unchanged=plan.unchanged, errors=errors,
                   chunks_embedded=n_embedded, started=started, where="")


def update_folder(
    folder: Path,
    *,
    store: Store,
    params: IndexParams,
    embedder: PassageEmbedder,
    changed: Collection[Path] = (),
    gone: Collection[str] = (),
    reserved: Collection[str] = (),
    progress: Progress | None = None,
) -> IndexReport:
    """What ``sync`` would do after ``changed`` files of ``folder`` were written and the documents
    ``gone`` were deleted from it, reading nothing outside the folder: the cost is listing this
    one folder and loading the documents that changed. Call it inside ``store.writing(params)``.

    Ids are assigned as ``sync`` assigns them to a later folder: the ids the index holds for
    documents of other folders, and ``reserved``, are taken (the index is trusted to be in line
    with the other folders). A file whose id moved (a new ``b.pdf`` takes ``b`` from ``b.txt``,
    which becomes ``b.txt``) is indexed again under its new id; a document of this folder whose id
    is no longer given (among ``gone`` and the ids its files could have) is removed. All of it is
    one write, made only when every file to index can be read and loaded: when one cannot, nothing
    is written and the report names it.
    """
    started = time.monotonic()
    folder = Path(folder)
    inside = {Path(p) for p in changed}
    candidates = store.records(load.candidate_ids(folder) | set(gone)) if folder.is_dir() else store.records(gone)
    taken = {doc_id for doc_id, r in candidates.items() if not Path(r.path).is_relative_to(folder)}
    files, errors = load.scan_folder(folder, taken=taken | set(reserved)) if folder.is_dir() else ([], [])
    assigned = dict(files)
    old = {**candidates, **store.records(set(assigned) - set(candidates))}
    removed = sorted(d for d, r in old.items() if d not in assigned and d not in taken)
    plan, found, failed = _Plan(), {}, len(errors)  # unsupported files are reported, and block nothing
    for doc_id, path in files:
        record = old.get(doc_id)
        if path not in inside and record is not None and record.path == str(path):
            continue  # indexed from this very file, which nobody changed: not read
        try:
            found[doc_id] = (path, sha256_file(path))
        except OSError as exc:
            errors.append(FileError(str(path), f"cannot read: {exc.strerror or exc}"))
            continue
        if record is not None and record.sha256 == found[doc_id][1]:
            plan.unchanged.append(doc_id)
        else:
            plan.to_load.append((doc_id, path))
    batch = list(_loaded(plan.to_load, params=params, errors=errors, progress=progress))
    written = [doc.id for doc, _ in batch]
    n_chunks = sum(len(chunks) for _, chunks in batch)
    if len(errors) > failed:  # all or nothing
        written, removed, n_chunks = [], [], 0
    elif batch or removed:
        store.write(remove=removed, add=_entries(batch, embedder=embedder, params=params, found=found,
                                                 progress=_embed_progress(progress, n_chunks)))
    return _report(written, old=old, removed=removed, unchanged=plan.unchanged, errors=errors,
                   chunks_embedded=n_chunks, started=started, where=f" in {folder}")


def _report(written: Sequence[str], *, old: Collection[str], removed: list[str], unchanged: list[str],
            errors: list[FileError], chunks_embedded: int, started: float, where: str) -> IndexReport:
    """What a run did (``written``: the ids it wrote, ``old``: the ids indexed before), logged."""
    report = IndexReport(
        added=sorted(d for d in written if d not in old),
        updated=sorted(d for d in written if d in old),
        removed=removed,
        unchanged=sorted(unchanged),
        errors=errors,
        chunks_embedded=chunks_embedded,
        seconds=round(time.monotonic() - started, 3),
    )
    logger.info("indexed%s: %d added, %d updated, %d removed, %d unchanged, %d errors, %d chunks embedded", where,
                len(report.added), len(report.updated), len(report.removed), len(report.unchanged),
                len(report.errors), chunks_embedded)
    return report


def _loaded(files: Sequence[tuple[str, Path]], *, params: IndexParams, errors: list[FileError],
            progress: Progress | None) -> Iterator[tuple[Document, list[Chunk]]]:
    """Each file as a document with its planned id, and its chunks; a file that cannot be used is
    added to ``errors`` instead."""
    for i, (doc_id, path) in enumerate(files, start=1):
        if progress:
            progress("load", i, len(files))
        try:
            doc = replace(load.load_file(path), id=doc_id)
        except LoadError as exc:
            errors.append(FileError(str(path), str(exc)))
            continue
        yield doc, chunking.chunk_document(doc, max_tokens=params.chunk_tokens, overlap=params.chunk_overlap)


def _entries(batch: Sequence[tuple[Document, list[Chunk]]], *, embedder: PassageEmbedder, params: IndexParams,
             found: dict[str, tuple[Path, str]], progress: Callable[[int], None] | None) -> list[DocumentEntry]:
    """Embed the chunks of ``batch`` (script-folded) and pair each document with its record and vectors;
    the record's digest is the one the file was planned with (``found``)."""
    texts = [fold_script(c.text) for _, chunks in batch for c in chunks]
    vectors = embedder.embed_passages(texts, progress=progress) if texts else np.zeros((0, params.dim), np.float32)
    entries, row = [], 0
    for doc, chunks in batch:
        record = DocRecord(id=doc.id, path=str(doc.path), title=doc.title, sha256=found[doc.id][1],
                           chunks=len(chunks), indexed_at=time.time())
        entries.append(DocumentEntry(record=record, document=doc, chunks=chunks,
                                     vectors=in_context(vectors[row : row + len(chunks)], params.chunk_context)))
        row += len(chunks)
    return entries


def _embed_progress(progress: Progress | None, total: int) -> Callable[[int], None] | None:
    if progress is None:
        return None
    done = 0

    def step(n: int) -> None:
        nonlocal done
        done += n
        progress("embed", done, total)

    return step


def _index_changed(plan: _Plan, *, store: Store, params: IndexParams, embedder: PassageEmbedder,
                   found: dict[str, tuple[Path, str]], errors: list[FileError], progress: Progress | None,
                   batch_chunks: int) -> tuple[list[str], int]:
    """Load, chunk, embed and write the planned documents in batches; return the ids written."""
    written: list[str] = []
    batch: list[tuple[Document, list[Chunk]]] = []
    done = known = 0  # chunks embedded so far; chunks of the documents loaded so far (the bar's total)

    def step(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress("embed", done, known)

    def flush() -> None:
        store.write(add=_entries(batch, embedder=embedder, params=params, found=found, progress=step))
        written.extend(doc.id for doc, _ in batch)
        batch.clear()

    for item in _loaded(plan.to_load, params=params, errors=errors, progress=progress):
        batch.append(item)
        known += len(item[1])
        if sum(len(c) for _, c in batch) >= batch_chunks:
            flush()
    if batch:
        flush()
    return written, known


class _Plan:
    def __init__(self) -> None:
        self.to_load: list[tuple[str, Path]] = []
        self.unchanged: list[str] = []
        self.hashes: dict[str, str] = {}


def _scan(folders: Sequence[Path], *, exclude: frozenset[str]) -> tuple[dict[str, tuple[Path, str]], list[FileError]]:
    """doc id -> (path, sha256) of every supported file, plus the files that cannot be used.

    Ids come from listing the folders: a later folder's files avoid every id of an earlier one,
    and the ids in ``exclude`` (documents of the first folder a user removed) stay reserved, so an
    upload named like an excluded corpus document gets an id of its own instead of being excluded
    with it.
    """
    found: dict[str, tuple[Path, str]] = {}
    errors: list[FileError] = []
    taken: set[str] = set()
    for folder in folders:
        if not Path(folder).exists():
            continue
        files, bad = load.scan_folder(Path(folder), taken=taken)
        taken.update(doc_id for doc_id, _ in files)
        taken.update(exclude)
        errors.extend(bad)
        for doc_id, path in files:
            if doc_id in exclude:
                continue
            try:
                found[doc_id] = (path, sha256_file(path))
            except OSError as exc:
                errors.append(FileError(str(path), f"cannot read: {exc.strerror or exc}"))
    return found, errors


def _plan(found: dict[str, tuple[Path, str]], old: dict[str, DocRecord]) -> _Plan:
    plan = _Plan()
    for doc_id, (path, digest) in sorted(found.items()):
        record = old.get(doc_id)
        if record is not None and record.sha256 == digest:
            plan.unchanged.append(doc_id)
        else:
            plan.to_load.append((doc_id, path))
    return plan
