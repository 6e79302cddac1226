"""Deterministic stand-ins for model-backed parts, for fast unit tests of the code around them."""

from __future__ import annotations

import hashlib
from typing import Callable, Sequence

import numpy as np

from rag.text import normalise


class HashEmbedder:
    """Bag of normalised character bigrams hashed into ``dim`` buckets, L2-normalised.

    Texts that share characters get a positive cosine, so ranking behaves sensibly, and the
    same text always maps to the same vector. ``calls`` counts embedded passages.
    """

    model_id = "hash-bigrams-v1"

    def __init__(self, dim: int = 64) -> None:
        self.dim = dim
        self.calls = 0

    def _vector(self, text: str) -> np.ndarray:
        vec = np.zeros(self.dim, dtype=np.float32)
        norm = normalise(text)
        for a, b in zip(norm, norm[1:] or " "):
            bucket = int.from_bytes(hashlib.md5((a + b).encode()).digest()[:4], "little") % self.dim
            vec[bucket] += 1.0
        length = np.linalg.norm(vec)
        return vec / length if length else vec

    def embed_passages(self, texts: Sequence[str], *, progress: Callable[[int], None] | None = None) -> np.ndarray:
        self.calls += len(texts)
        if progress:
            progress(len(texts))
        return np.stack([self._vector(t) for t in texts]) if texts else np.zeros((0, self.dim), np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return self._vector(text)
