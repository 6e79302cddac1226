"""The contract between indexing/retrieval and an index engine, and the values both sides share.

An engine keeps documents (record and full original text) and their chunks (original text,
offsets, an L2-normalised vector and BM25 terms of the script-folded text). Every write replaces
or removes whole documents; what one ``write`` call changes becomes visible together.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from rag.errors import IndexMismatchError
from rag.types import Chunk, DocRecord, Document


@dataclass(frozen=True, slots=True)
class IndexParams:
    """What the stored vectors depend on; an index is only opened with the same values."""

    embed_model: str
    dim: int
    chunk_tokens: int
    chunk_overlap: int
    normalisation: str = "t2s+halfwidth+lower"
    # weight of each neighbouring chunk's vector (same document) added to a chunk's before
    # normalising; 0 = each chunk alone, also what indexes stored before this field hold
    chunk_context: float = 0.0

    def mismatch(self, other: IndexParams) -> list[str]:
        return [
            f"{name}: index has {getattr(other, name)!r}, settings ask for {getattr(self, name)!r}"
            for name in ("embed_model", "dim", "chunk_tokens", "chunk_overlap", "normalisation", "chunk_context")
            if getattr(self, name) != getattr(other, name)
        ]

    def check(self, found: IndexParams, *, where: str) -> None:
        """Raise ``IndexMismatchError`` naming every difference between ``found`` and these values."""
        problems = self.mismatch(found)
        if problems:
            raise IndexMismatchError(
                f"the index in {where} was built with other settings ({'; '.join(problems)}). "
                f"Rebuild it with `rag index --rebuild`, or point the settings at another index."
            )


@dataclass(frozen=True, slots=True)
class DocumentEntry:
    """One document to write: its record, full text, chunks and their vectors (row i = chunk i)."""

    record: DocRecord
    document: Document
    chunks: list[Chunk]
    vectors: np.ndarray  # (len(chunks), dim) float32, L2-normalised
    terms: list[list[str]] | None = None  # BM25 terms per chunk when computed elsewhere; None = the store tokenises


@dataclass(frozen=True, slots=True)
class StoredChunk:
    """A chunk as read back for display: original text, offsets and its document's title/path."""

    key: int
    chunk: Chunk
    title: str
    source: str


def chunk_key(chunk_id: str) -> int:
    """A stable 63-bit integer key of a chunk id (engines that need numeric primary keys)."""
    return int.from_bytes(hashlib.sha1(chunk_id.encode("utf-8")).digest()[:8], "big") >> 1


class Store(Protocol):
    """An index engine. Keys returned by the searches are passed back to ``chunks``."""

    def exists(self) -> bool:
        """True when an index (perhaps empty) has been created here."""
        ...

    def open(self, expected: IndexParams) -> None:
        """Open for reading; ``IndexMissingError`` when there is none, ``IndexMismatchError``
        when it was built with other parameters."""
        ...

    def writing(self, params: IndexParams, *, rebuild: bool = False) -> AbstractContextManager[None]:
        """Exclusive write session: creates the index when missing; with ``rebuild`` writes go to a
        new empty index that replaces the current one when the block ends without an error."""
        ...

    def write(self, *, remove: Sequence[str] = (), add: Sequence[DocumentEntry] = ()) -> None:
        """Remove documents by id and add (or replace) documents, as one visible change."""
        ...

    def records(self, ids: Collection[str] | None = None) -> dict[str, DocRecord]:
        """Every indexed document's record, by id; with ``ids``, the records of those of them that
        are indexed (a lookup that costs what the few ids cost, not what the index holds)."""
        ...

    def document(self, doc_id: str) -> Document | None:
        """One document with its full original text, or None."""
        ...

    def chunk_count(self) -> int:
        """Number of chunks searched."""
        ...

    def lexical(self, query: str, k: int) -> list[tuple[int, float]]:
        """(key, BM25 score) of the best ``k`` chunks over the folded text, best first; only matches.
        The scores let fusion tell a confident ranking from a flat one."""
        ...

    def vocabulary(self) -> dict[str, int]:
        """Every word the BM25 half indexes, with the number of chunks holding it. The same object
        until a write changes the index, so that what is derived from it can be kept."""
        ...

    def dense(self, vector: np.ndarray, k: int) -> list[tuple[int, float]]:
        """(key, cosine) of the ``k`` chunks nearest to an L2-normalised query vector, best first."""
        ...

    def chunks(self, keys: Sequence[int]) -> dict[int, StoredChunk]:
        """The chunks with these keys (keys no longer present are left out)."""
        ...

    def close(self) -> None:
        """Release files, connections and locks."""
        ...
