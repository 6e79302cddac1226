"""Okapi BM25 over pre-tokenized chunks (jieba terms of the script-folded text)."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence

import numpy as np


class BM25Index:
    """Okapi BM25 over pre-tokenized chunks. Scores are >= 0, larger = more relevant, unbounded."""

    def __init__(self, docs: Sequence[Sequence[str]], *, k1: float = 1.2, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self.size = len(docs)
        lengths = np.array([len(d) for d in docs], dtype=np.float32)
        avg = float(lengths.mean()) if self.size else 1.0
        self._norm = k1 * (1 - b + b * lengths / max(avg, 1e-9))
        postings: dict[str, dict[int, int]] = defaultdict(dict)
        for row, doc in enumerate(docs):
            for term, tf in Counter(doc).items():
                postings[term][row] = tf
        self._postings = {
            term: (np.fromiter(rows, np.int64), np.fromiter(rows.values(), np.float32))
            for term, rows in postings.items()
        }

    def idf(self, term: str) -> float:
        df = len(self._postings[term][0]) if term in self._postings else 0
        return math.log(1 + (self.size - df + 0.5) / (df + 0.5))

    def scores(self, query: Sequence[str]) -> np.ndarray:
        """BM25 score of every chunk for the query terms (repeated terms count again)."""
        out = np.zeros(self.size, dtype=np.float32)
        for term, qtf in Counter(query).items():
            if term not in self._postings:
                continue
            rows, tf = self._postings[term]
            out[rows] += qtf * self.idf(term) * tf * (self.k1 + 1) / (tf + self._norm[rows])
        return out

    def top(self, query: Sequence[str], k: int) -> tuple[np.ndarray, np.ndarray]:
        """(scores, rows) of the best ``k`` chunks with a positive score, best first."""
        scores = self.scores(query)
        hits = np.flatnonzero(scores > 0)
        order = hits[np.argsort(-scores[hits], kind="stable")][:k]
        return scores[order], order
