"""Hybrid retrieval: BM25 over normalised jieba terms and dense cosine search, fused by rank."""

from __future__ import annotations

import logging
import math
from collections import Counter, defaultdict
from typing import Callable, Sequence

import numpy as np

from .store import IndexData
from .text import terms as text_terms
from .types import Passage

logger = logging.getLogger(__name__)

RRF_K = 60  # rank offset of reciprocal-rank fusion (Cormack et al. 2009); damps the weight of rank 1


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


def rrf(rankings: Sequence[Sequence[int]], *, weights: Sequence[float] | None = None, k: int = RRF_K) -> list[tuple[int, float]]:
    """Weighted reciprocal-rank fusion: ``sum_i w_i / (k + rank_i)``, best first.

    Items are keyed by id, never by text. With equal weights this is plain RRF.
    """
    weights = weights or [1.0] * len(rankings)
    if len(weights) != len(rankings):
        raise ValueError(f"{len(weights)} weights for {len(rankings)} rankings")
    fused: dict[int, float] = defaultdict(float)
    for ranking, weight in zip(rankings, weights):
        for rank, item in enumerate(ranking, start=1):
            fused[item] += weight / (k + rank)
    return sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))


class Retriever:
    """Searches one loaded index version. Holds the BM25 postings; the embedder is passed in."""

    def __init__(
        self,
        data: IndexData,
        *,
        embed_query: Callable[[str], np.ndarray],
        dense_weight: float = 0.5,
        candidates: int = 50,
        rerank: Callable[[str, Sequence[str]], Sequence[float]] | None = None,
        rerank_depth: int = 20,
    ) -> None:
        self.data = data
        self._embed_query = embed_query
        self.dense_weight = dense_weight
        self.candidates = candidates
        self._rerank = rerank
        self.rerank_depth = rerank_depth
        self.bm25 = BM25Index(data.terms)

    def search(self, query: str, *, k: int, mode: str = "hybrid") -> list[Passage]:
        """Best ``k`` passages for ``query``; ``mode`` is "hybrid", "bm25" or "dense"."""
        if mode not in ("hybrid", "bm25", "dense") or k < 1:
            raise ValueError(f"mode must be hybrid, bm25 or dense and k >= 1; got {mode!r}, {k}")
        if not self.data.chunks:
            return []
        depth = max(self.candidates, k)
        lexical = dense = None
        if mode != "dense":
            lexical = self.bm25.top(text_terms(query), depth)
        if mode != "bm25":
            dense = self.data.dense.search(self._embed_query(query), depth)
        if mode == "bm25":
            fused = [(int(r), 1.0) for r in lexical[1]]
        elif mode == "dense":
            fused = [(int(r), 1.0) for r in dense[1]]
        else:
            w = self.dense_weight
            fused = rrf([lexical[1].tolist(), dense[1].tolist()], weights=[1 - w, w])
        scored = self._scaled(fused, mode)
        if self._rerank is not None and mode == "hybrid":
            scored = self._reranked(query, scored[: max(self.rerank_depth, k)])
        return [self._passage(row, score) for row, score in scored[:k]]

    def _reranked(self, query: str, scored: list[tuple[int, float]]) -> list[tuple[int, float]]:
        """Reorder by the cross-encoder; its score (0..1 for one-logit models) replaces the fused one."""
        scores = self._rerank(query, [self.data.chunks[row].text for row, _ in scored])
        return sorted(((row, float(s)) for (row, _), s in zip(scored, scores)), key=lambda rs: -rs[1])

    def _scaled(self, fused: list[tuple[int, float]], mode: str) -> list[tuple[int, float]]:
        """Scale fused scores to 0..1, where 1 means ranked first by every retriever."""
        if mode != "hybrid":
            return [(row, 1.0 / rank) for rank, (row, _) in enumerate(fused, start=1)]
        best = (1 - self.dense_weight) / (RRF_K + 1) + self.dense_weight / (RRF_K + 1)
        return [(row, score / best) for row, score in fused]

    def _passage(self, row: int, score: float) -> Passage:
        chunk = self.data.chunks[row]
        doc = self.data.documents[chunk.doc_id]
        return Passage(
            chunk_id=chunk.id, doc_id=chunk.doc_id, title=doc.title, source=str(doc.path),
            text=chunk.text, start=chunk.start, end=chunk.end, score=round(float(score), 6),
        )
