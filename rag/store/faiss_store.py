"""The embedded store: a SQLite chunk table with BM25 postings, an append-only vector file, FAISS.

Layout of ``index_dir``::

    CURRENT           name of the live store folder (replaced atomically)
    NEXT              name of a store folder being rebuilt; a later ``--rebuild`` resumes into it
    s-<time>-<pid>/   index.sqlite3 (documents, chunks, terms, postings, meta), vectors.f32
    .lock             held by the one writer

Every chunk owns a *slot*: its row in ``vectors.f32`` (float32, ``dim`` values per row) and its
key in FAISS and the postings. A write appends the new vectors past the committed rows, flushes
them, then commits one SQLite transaction that adds the chunk rows and moves ``meta.slots``: a
writer killed at any moment leaves the last committed state, and the next writer cuts the file
back to it. Removed chunks leave their vector row unused (``rag index --rebuild`` reclaims it).
In memory per chunk: its slot's term count (4 bytes), an id in FAISS (8 bytes) and its vector.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Callable, Collection, Iterator, Sequence
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from rag.errors import IndexMismatchError, IndexMissingError
from rag.files import atomic_write
from rag.store import postings
from rag.store.base import DocumentEntry, IndexParams, StoredChunk
from rag.text import terms
from rag.types import Chunk, DocRecord, Document

logger = logging.getLogger(__name__)

FORMAT_VERSION = 2
DB_FILE = "index.sqlite3"
VECTORS_FILE = "vectors.f32"
_POINTER, _NEXT = "CURRENT", "NEXT"
_LOAD_ROWS = 65_536  # vector rows copied into FAISS at a time when opening
_SQL_VARS = 900  # ids per "IN (...)" query: under SQLite's oldest limit of 999 parameters

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (id TEXT PRIMARY KEY, path TEXT NOT NULL, title TEXT NOT NULL,
    sha256 TEXT NOT NULL, chunks INTEGER NOT NULL, indexed_at REAL NOT NULL, text TEXT NOT NULL, meta TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS chunks (slot INTEGER PRIMARY KEY, id TEXT NOT NULL, doc_id TEXT NOT NULL,
    start INTEGER NOT NULL, "end" INTEGER NOT NULL, text TEXT NOT NULL, length INTEGER NOT NULL,
    tids BLOB NOT NULL, tfs BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks (doc_id);
CREATE INDEX IF NOT EXISTS chunks_length ON chunks (slot, length);  -- opening reads only this, not the text
""" + postings.SCHEMA


def _in_background(work: Callable[..., Any], *args: Any) -> Future:
    """Run ``work(*args)`` in a daemon thread; its result or error is the future's."""
    future: Future = Future()

    def run() -> None:
        try:
            future.set_result(work(*args))
        except BaseException as exc:  # noqa: BLE001 (re-raised by whoever waits for the result)
            future.set_exception(exc)

    threading.Thread(target=run, name="faiss-load", daemon=True).start()
    return future


class FaissStore:
    """Incremental single-machine store; reads see the last commit, one writer at a time."""

    def __init__(self, index_dir: Path) -> None:
        self.index_dir = Path(index_dir)
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None
        self._folder: Path | None = None
        self._params: IndexParams | None = None
        self._commit = -1  # meta.commit of the state held in memory
        self._slots = 0  # committed vector rows
        self._lengths = np.zeros(0, dtype=np.float32)  # term count per slot (0 = unused)
        self._n_chunks = 0
        self._total_length = 0.0
        self._vocabulary: tuple[int, dict[str, int]] | None = None  # (commit read, term -> df)
        self._faiss: Future | None = None  # faiss.IndexIDMap over IndexFlatIP (ids = slots), filled in the background

    # ----- opening -----
    def exists(self) -> bool:
        return (self.index_dir / _POINTER).is_file()

    def _live_folder(self) -> Path:
        pointer = self.index_dir / _POINTER
        if not pointer.is_file():
            raise IndexMissingError(f"no index in {self.index_dir}; build it with `rag index`")
        folder = self.index_dir / pointer.read_text(encoding="utf-8").strip()
        if not (folder / DB_FILE).is_file():
            raise IndexMismatchError(f"the index in {self.index_dir} has an older format; rebuild it with "
                                     "`rag index --rebuild`")
        return folder

    def open(self, expected: IndexParams) -> None:
        with self._lock:
            self._open_folder(self._live_folder(), expected, create=False)

    def _open_folder(self, folder: Path, expected: IndexParams, *, create: bool) -> None:
        self.close()
        folder.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(folder / DB_FILE, timeout=60.0, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA cache_size=-65536")  # 64 MB page cache
        conn.executescript(SCHEMA)
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        if not meta and create:
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", [
                ("format_version", str(FORMAT_VERSION)), ("params", json.dumps(asdict(expected))),
                ("slots", "0"), ("commit", "0"), ("created_at", str(time.time()))])
            conn.execute("COMMIT")
            meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        if int(meta.get("format_version", 0)) != FORMAT_VERSION:
            conn.close()
            raise IndexMismatchError(f"{folder} has index format {meta.get('format_version')}, this version reads "
                                     f"{FORMAT_VERSION}; rebuild with `rag index --rebuild`")
        found = IndexParams(**json.loads(meta["params"]))
        try:
            expected.check(found, where=str(self.index_dir))
        except IndexMismatchError:
            conn.close()
            raise
        self._conn, self._folder, self._params = conn, folder, found
        self._load_state()

    def _load_state(self) -> None:
        """Read the committed slots and term counts, and start copying the vectors into FAISS.

        The copy runs in a background thread that dense searches wait for: the first query's BM25
        half loads jieba's dictionary meanwhile (1.5 s, the larger half of opening 10^5 chunks).
        """
        assert self._conn is not None and self._folder is not None and self._params is not None
        started = time.perf_counter()
        conn = self._conn
        conn.execute("BEGIN")
        try:
            meta = dict(conn.execute("SELECT key, value FROM meta WHERE key IN ('slots', 'commit')").fetchall())
            self._slots, self._commit = int(meta["slots"]), int(meta["commit"])
            self._lengths = np.zeros(max(self._slots, 1), dtype=np.float32)
            live = np.zeros(max(self._slots, 1), dtype=bool)
            cursor = conn.execute("SELECT slot, length FROM chunks INDEXED BY chunks_length")
            while rows := cursor.fetchmany(_LOAD_ROWS):  # in blocks: no Python tuple per chunk held at once
                block = np.array(rows, dtype=np.int64)
                self._lengths[block[:, 0]] = block[:, 1]
                live[block[:, 0]] = True
        finally:
            conn.execute("COMMIT")
        self._n_chunks, self._total_length = int(live.sum()), float(self._lengths.sum())
        self._faiss = _in_background(self._read_vectors, self._folder / VECTORS_FILE, live, self._slots,
                                     self._params.dim)
        logger.info("opened %s: %d chunks in %.2f s (vectors loading)", self._folder, self._n_chunks,
                    time.perf_counter() - started)

    @staticmethod
    def _read_vectors(path: Path, live: np.ndarray, slots: int, dim: int) -> Any:
        import faiss

        started = time.perf_counter()
        index = faiss.IndexIDMap(faiss.IndexFlatIP(dim))
        if live.any():  # read the file in blocks (a memory map would add its pages to the resident set)
            with open(path, "rb") as fh:
                for first in range(0, slots, _LOAD_ROWS):
                    count = min(_LOAD_ROWS, slots - first)
                    block = np.fromfile(fh, dtype="<f4", count=count * dim).reshape(count, dim)
                    keep = np.flatnonzero(live[first : first + count])
                    if len(keep):
                        index.add_with_ids(np.ascontiguousarray(block[keep], dtype=np.float32), keep + first)
        logger.info("%d vectors in FAISS in %.2f s", index.ntotal, time.perf_counter() - started)
        return index

    def _index(self) -> Any:
        """The FAISS index of the committed vectors, once the background copy is done."""
        if self._faiss is None:
            raise IndexMissingError(f"the index in {self.index_dir} is not open")
        return self._faiss.result()

    def _fresh(self) -> None:
        """Reload the in-memory state when another process has committed since it was read."""
        assert self._conn is not None
        commit = int(self._conn.execute("SELECT value FROM meta WHERE key = 'commit'").fetchone()[0])
        if commit != self._commit:
            self._load_state()

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise IndexMissingError(f"the index in {self.index_dir} is not open")
        return self._conn

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
            self._conn, self._faiss, self._commit = None, None, -1

    # ----- writing -----
    @contextmanager
    def writing(self, params: IndexParams, *, rebuild: bool = False) -> Iterator[None]:
        self.index_dir.mkdir(parents=True, exist_ok=True)
        with open(self.index_dir / ".lock", "w") as lock, self._lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                self._remove_orphans()
                if not self.exists():  # first build: live from the start, so a stopped run keeps its progress
                    folder = self._new_folder()
                    self._open_folder(folder, params, create=True)
                    atomic_write(self.index_dir / _POINTER, folder.name)
                    yield
                elif rebuild or not (self.index_dir / self._pointed(_POINTER) / DB_FILE).is_file():
                    folder = self._rebuild_folder(params)
                    yield
                    self._publish(folder)
                else:
                    if self._conn is None or self._folder != self._live_folder():
                        self.open(params)
                    else:  # already open here: check the parameters, catch up with other writers
                        params.check(self._params or params, where=str(self.index_dir))
                        self._fresh()
                    self._cut_uncommitted()
                    yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _pointed(self, name: str) -> str:
        path = self.index_dir / name
        return path.read_text(encoding="utf-8").strip() if path.is_file() else ""

    def _new_folder(self) -> Path:
        return self.index_dir / f"s-{time.time_ns()}-{os.getpid()}"

    def _rebuild_folder(self, params: IndexParams) -> Path:
        """Open the unfinished rebuild with the same parameters, or start a new one."""
        name = self._pointed(_NEXT)
        if name and (self.index_dir / name / DB_FILE).is_file() and name != self._pointed(_POINTER):
            try:
                self._open_folder(self.index_dir / name, params, create=False)
                self._cut_uncommitted()
                logger.info("resuming the rebuild in %s", name)
                return self.index_dir / name
            except IndexMismatchError:
                logger.info("discarding an unfinished rebuild made with other settings")
        folder = self._new_folder()
        self._open_folder(folder, params, create=True)
        atomic_write(self.index_dir / _NEXT, folder.name)
        return folder

    def _remove_orphans(self) -> None:
        """Delete folders of writers stopped before their folder was named in CURRENT or NEXT."""
        keep = {self._pointed(_POINTER), self._pointed(_NEXT)}
        for folder in self.index_dir.glob("s-*"):
            if folder.is_dir() and folder.name not in keep:
                shutil.rmtree(folder, ignore_errors=True)

    def _publish(self, folder: Path) -> None:
        atomic_write(self.index_dir / _POINTER, folder.name)
        (self.index_dir / _NEXT).unlink(missing_ok=True)
        for old in list(self.index_dir.glob("s-*")) + list(self.index_dir.glob("v-*")):
            if old.is_dir() and old.name != folder.name:
                shutil.rmtree(old, ignore_errors=True)
        logger.info("rebuilt index is live: %s", folder.name)

    def _cut_uncommitted(self) -> None:
        """Drop vector rows a stopped writer appended but never committed."""
        assert self._folder is not None and self._params is not None
        path = self._folder / VECTORS_FILE
        size = self._slots * self._params.dim * 4
        if path.exists() and path.stat().st_size > size:
            with open(path, "r+b") as fh:
                fh.truncate(size)

    def write(self, *, remove: Sequence[str] = (), add: Sequence[DocumentEntry] = ()) -> None:
        with self._lock:
            conn = self._connection()
            assert self._folder is not None and self._params is not None
            replaced = sorted(set(remove) | {e.document.id for e in add})
            new_rows = self._chunk_rows(add, first_slot=self._slots)
            vectors = [np.asarray(e.vectors, dtype="<f4") for e in add if len(e.chunks)]
            n_new = sum(len(e.chunks) for e in add)
            if n_new:
                fd = os.open(self._folder / VECTORS_FILE, os.O_RDWR | os.O_CREAT, 0o644)
                with os.fdopen(fd, "r+b") as fh:
                    fh.seek(self._slots * self._params.dim * 4)  # past the committed rows, over any stale tail
                    for block in vectors:
                        if block.shape[1] != self._params.dim:
                            raise ValueError(f"vectors of dimension {block.shape[1]}; the index holds {self._params.dim}")
                        fh.write(np.ascontiguousarray(block).tobytes())
                    fh.flush()
                    os.fsync(fh.fileno())
            conn.execute("BEGIN IMMEDIATE")
            try:
                gone = self._delete_documents(conn, replaced)
                self._insert_documents(conn, add, new_rows)
                conn.execute("UPDATE meta SET value = ? WHERE key = 'slots'", (str(self._slots + n_new),))
                conn.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'commit'")
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            self._apply_in_memory(gone, new_rows, vectors)

    @staticmethod
    def _chunk_rows(add: Sequence[DocumentEntry], *, first_slot: int) -> list[tuple]:
        """(slot, chunk, term counter) of every new chunk, slots numbered from ``first_slot``."""
        rows, slot = [], first_slot
        for entry in add:
            if entry.vectors.shape[0] != len(entry.chunks):
                raise ValueError(f"{entry.document.id}: {entry.vectors.shape[0]} vectors for {len(entry.chunks)} chunks")
            given = entry.terms if entry.terms is not None else [None] * len(entry.chunks)
            for chunk, words in zip(entry.chunks, given):
                rows.append((slot, chunk, Counter(terms(chunk.text) if words is None else words)))
                slot += 1
        return rows

    @staticmethod
    def _delete_documents(conn: sqlite3.Connection, doc_ids: Sequence[str]) -> list[tuple[int, int]]:
        """Delete documents and their chunks and postings; return the (slot, length) freed."""
        gone: list[tuple[int, int]] = []
        for doc_id in doc_ids:
            rows = conn.execute("SELECT slot, length, tids FROM chunks WHERE doc_id = ?", (doc_id,)).fetchall()
            postings.remove(conn, [(slot, tids) for slot, _, tids in rows])
            conn.execute("DELETE FROM chunks WHERE doc_id = ?", (doc_id,))
            conn.execute("DELETE FROM documents WHERE id = ?", (doc_id,))
            gone.extend((slot, length) for slot, length, _ in rows)
        return gone

    @staticmethod
    def _insert_documents(conn: sqlite3.Connection, add: Sequence[DocumentEntry], new_rows: list[tuple]) -> None:
        conn.executemany("INSERT INTO documents (id, path, title, sha256, chunks, indexed_at, text, meta) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [
                             (e.record.id, e.record.path, e.record.title, e.record.sha256, e.record.chunks,
                              e.record.indexed_at, e.document.text, json.dumps(e.document.meta, ensure_ascii=False))
                             for e in add])
        ids = postings.term_ids(conn, (t for _, _, counts in new_rows for t in counts), create=True)
        encoded = [(slot, chunk, counts, *postings.encode(counts, ids)) for slot, chunk, counts in new_rows]
        conn.executemany('INSERT INTO chunks (slot, id, doc_id, start, "end", text, length, tids, tfs) '
                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", [
                             (slot, c.id, c.doc_id, c.start, c.end, c.text, counts.total(), tids, tfs)
                             for slot, c, counts, tids, tfs in encoded])
        postings.add(conn, [(slot, tids, tfs) for slot, _, _, tids, tfs in encoded])

    def _apply_in_memory(self, gone: list[tuple[int, int]], new_rows: list[tuple], vectors: list[np.ndarray]) -> None:
        index = self._index()
        if gone:
            slots = np.array([s for s, _ in gone], dtype=np.int64)
            index.remove_ids(slots)
            self._lengths[slots] = 0
            self._n_chunks -= len(gone)
            self._total_length -= sum(n for _, n in gone)
        if new_rows:
            first = new_rows[0][0]
            end = first + len(new_rows)
            if end > len(self._lengths):
                grown = np.zeros(max(end, 2 * len(self._lengths)), dtype=np.float32)
                grown[: len(self._lengths)] = self._lengths
                self._lengths = grown
            lengths = [counts.total() for _, _, counts in new_rows]
            self._lengths[first:end] = lengths
            index.add_with_ids(np.concatenate(vectors).astype(np.float32), np.arange(first, end, dtype=np.int64))
            self._n_chunks += len(new_rows)
            self._total_length += sum(lengths)
            self._slots = end
        self._commit += 1

    # ----- reading -----
    def records(self, ids: Collection[str] | None = None) -> dict[str, DocRecord]:
        select = "SELECT id, path, title, sha256, chunks, indexed_at FROM documents"
        with self._lock:
            conn = self._connection()
            if ids is None:
                rows = conn.execute(f"{select} ORDER BY id").fetchall()
            else:
                wanted, rows = sorted(set(ids)), []
                for i in range(0, len(wanted), _SQL_VARS):
                    part = wanted[i : i + _SQL_VARS]
                    rows += conn.execute(f"{select} WHERE id IN ({', '.join('?' * len(part))})", part).fetchall()
                rows.sort()
        return {r[0]: DocRecord(*r) for r in rows}

    def document(self, doc_id: str) -> Document | None:
        with self._lock:
            row = self._connection().execute(
                "SELECT id, path, title, text, meta FROM documents WHERE id = ?", (doc_id,)).fetchone()
        if row is None:
            return None
        return Document(id=row[0], path=Path(row[1]), title=row[2], text=row[3], meta=json.loads(row[4]))

    def chunk_count(self) -> int:
        with self._lock:
            self._fresh()
            return self._n_chunks

    def lexical(self, query: str, k: int) -> list[tuple[int, float]]:
        with self._lock:
            self._fresh()
            return postings.top(self._connection(), terms(query), lengths=self._lengths, n_chunks=self._n_chunks,
                                total_length=self._total_length, k=k)

    def vocabulary(self) -> dict[str, int]:
        with self._lock:
            self._fresh()
            if self._vocabulary is None or self._vocabulary[0] != self._commit:
                rows = self._connection().execute("SELECT term, df FROM terms WHERE df > 0").fetchall()
                self._vocabulary = (self._commit, dict(rows))
            return self._vocabulary[1]

    def dense(self, vector: np.ndarray, k: int) -> list[tuple[int, float]]:
        import faiss

        with self._lock:
            self._fresh()
            index = self._index()
            k = min(k, index.ntotal)
            if k <= 0:
                return []
            # One query at a time gains nothing from OpenMP threads, and on a busy machine their barriers
            # cost more than the scan (10^5 vectors: 190 ms with two threads, 15 ms with one, under load).
            # The setting belongs to the calling thread (a server answers in several).
            faiss.omp_set_num_threads(1)
            scores, ids = index.search(np.asarray(vector, dtype=np.float32).reshape(1, -1), k)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i >= 0]

    def chunks(self, keys: Sequence[int]) -> dict[int, StoredChunk]:
        if not keys:
            return {}
        marks = ",".join("?" * len(keys))
        with self._lock:
            rows = self._connection().execute(
                f'SELECT c.slot, c.id, c.doc_id, c.text, c.start, c."end", d.title, d.path FROM chunks c '
                f"JOIN documents d ON d.id = c.doc_id WHERE c.slot IN ({marks})", [int(k) for k in keys]).fetchall()
        return {slot: StoredChunk(key=slot, chunk=Chunk(id=cid, doc_id=doc, text=text, start=start, end=end),
                                  title=title, source=path)
                for slot, cid, doc, text, start, end, title, path in rows}
