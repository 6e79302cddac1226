"""BM25 postings kept in SQLite, so that adding or removing a chunk touches only its own terms.

Tables (in the store's database)::

    terms(id, term, df)                    one row per term; df = chunks that contain it
    postings(term, slot, tf)               clustered by term: one range read per query term

A chunk row keeps its term ids and frequencies as two int32 blobs, so removing it never has to
tokenise its text again (a newer jieba could split it differently). Scores follow
``rag.retrieval.bm25`` exactly: Okapi BM25 with idf ``log(1 + (N - df + 0.5) / (df + 0.5))``.
"""

from __future__ import annotations

import math
import sqlite3
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np

SCHEMA = """
CREATE TABLE IF NOT EXISTS terms (id INTEGER PRIMARY KEY, term TEXT NOT NULL UNIQUE, df INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS postings (term INTEGER NOT NULL, slot INTEGER NOT NULL, tf INTEGER NOT NULL,
                                     PRIMARY KEY (term, slot)) WITHOUT ROWID;
"""
_SQL_VARS = 500  # values per IN (...) list, under sqlite's bound-parameter limit
K1, B = 1.2, 0.75  # the parameters of rag.retrieval.bm25.BM25Index


def _batches(items: Sequence, size: int = _SQL_VARS) -> Iterable[Sequence]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def term_ids(conn: sqlite3.Connection, words: Iterable[str], *, create: bool) -> dict[str, int]:
    """Ids of ``words``; with ``create`` new words get a row (df 0) first."""
    unique = list(dict.fromkeys(words))
    if create:
        conn.executemany("INSERT OR IGNORE INTO terms (term, df) VALUES (?, 0)", ((w,) for w in unique))
    found: dict[str, int] = {}
    for part in _batches(unique):
        marks = ",".join("?" * len(part))
        found.update(conn.execute(f"SELECT term, id FROM terms WHERE term IN ({marks})", list(part)).fetchall())
    return found


def encode(counts: Counter[str], ids: dict[str, int]) -> tuple[bytes, bytes]:
    """A chunk's (term ids, term frequencies) as int32 blobs, ordered by term id."""
    pairs = sorted((ids[t], n) for t, n in counts.items())
    return (np.array([p[0] for p in pairs], dtype="<i4").tobytes(),
            np.array([p[1] for p in pairs], dtype="<i4").tobytes())


def add(conn: sqlite3.Connection, rows: Sequence[tuple[int, bytes, bytes]]) -> None:
    """Post chunks given as (slot, term ids blob, tf blob) and raise each term's df."""
    df: Counter[int] = Counter()
    postings: list[tuple[int, int, int]] = []
    for slot, tid_blob, tf_blob in rows:
        tids, tfs = np.frombuffer(tid_blob, "<i4"), np.frombuffer(tf_blob, "<i4")
        df.update(tids.tolist())
        postings.extend(zip(tids.tolist(), [slot] * len(tids), tfs.tolist()))
    postings.sort()
    conn.executemany("INSERT INTO postings (term, slot, tf) VALUES (?, ?, ?)", postings)
    conn.executemany("UPDATE terms SET df = df + ? WHERE id = ?", ((n, t) for t, n in sorted(df.items())))


def remove(conn: sqlite3.Connection, rows: Sequence[tuple[int, bytes]]) -> None:
    """Unpost chunks given as (slot, term ids blob) and lower each term's df."""
    df: Counter[int] = Counter()
    keys: list[tuple[int, int]] = []
    for slot, tid_blob in rows:
        tids = np.frombuffer(tid_blob, "<i4").tolist()
        df.update(tids)
        keys.extend((t, slot) for t in tids)
    conn.executemany("DELETE FROM postings WHERE term = ? AND slot = ?", keys)
    conn.executemany("UPDATE terms SET df = df - ? WHERE id = ?", ((n, t) for t, n in sorted(df.items())))


def top(conn: sqlite3.Connection, query_terms: Sequence[str], *, lengths: np.ndarray, n_chunks: int,
        total_length: float, k: int) -> list[tuple[int, float]]:
    """(slot, BM25 score) of the best ``k`` chunks with a positive score, best first (ties: lower slot).

    ``lengths[slot]`` is each chunk's term count (dead slots are never posted).
    """
    if n_chunks == 0 or not query_terms:
        return []
    qtf = Counter(query_terms)
    marks = ",".join("?" * len(qtf))
    found = conn.execute(f"SELECT id, term, df FROM terms WHERE term IN ({marks}) AND df > 0", list(qtf)).fetchall()
    avg = max(total_length / n_chunks, 1e-9)
    slot_parts, score_parts = [], []
    for tid, term, df in found:
        rows = np.array(conn.execute("SELECT slot, tf FROM postings WHERE term = ?", (tid,)).fetchall(),
                        dtype=np.int64).reshape(-1, 2)
        if not len(rows):
            continue
        slots, tf = rows[:, 0], rows[:, 1].astype(np.float32)
        idf = math.log(1 + (n_chunks - df + 0.5) / (df + 0.5))
        norm = K1 * (1 - B + B * lengths[slots] / np.float32(avg))
        slot_parts.append(slots)
        score_parts.append(qtf[term] * np.float32(idf) * tf * (K1 + 1) / (tf + norm))
    if not slot_parts:
        return []
    slots, inverse = np.unique(np.concatenate(slot_parts), return_inverse=True)
    scores = np.bincount(inverse, weights=np.concatenate(score_parts)).astype(np.float32)
    keep = np.flatnonzero(scores > 0)
    if len(keep) > k:  # everything that ties the k-th score stays, so ties break by slot as in a full sort
        kth = np.partition(scores[keep], len(keep) - k)[len(keep) - k]
        keep = keep[scores[keep] >= kth]
    order = keep[np.lexsort((slots[keep], -scores[keep]))][:k]
    return list(zip(slots[order].tolist(), scores[order].tolist()))
