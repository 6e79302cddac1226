"""Hybrid retrieval: BM25 over normalised jieba terms and dense cosine search, fused by rank."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

import numpy as np

from rag.retrieval.bm25 import BM25Index
from rag.retrieval.fusion import RRF_K, rrf
from rag.store import IndexData
from rag.text import terms as text_terms
from rag.types import RETRIEVAL_MODES, Passage, RetrievalMode

logger = logging.getLogger(__name__)

Rerank = Callable[[str, Sequence[str]], Sequence[float]]  # (query, texts) -> one score each, larger = better


class Retriever:
    """Searches one loaded index version. Holds the BM25 postings; the embedder is passed in."""

    def __init__(
        self,
        data: IndexData,
        *,
        embed_query: Callable[[str], np.ndarray],
        dense_weight: float = 0.5,
        candidates: int = 50,
        rerank: Rerank | None = None,
        rerank_depth: int = 20,
    ) -> None:
        self.data = data
        self._embed_query = embed_query
        self.dense_weight = dense_weight
        self.candidates = candidates
        self._rerank = rerank
        self.rerank_depth = rerank_depth
        self.bm25 = BM25Index(data.terms)

    def search(self, query: str, *, k: int, mode: RetrievalMode = "hybrid") -> list[Passage]:
        """Best ``k`` passages for ``query``; ``mode`` is "hybrid", "bm25" or "dense"."""
        if mode not in RETRIEVAL_MODES or k < 1:
            raise ValueError(f"mode must be one of {', '.join(RETRIEVAL_MODES)} and k >= 1; got {mode!r}, {k}")
        if not self.data.chunks:
            return []
        depth = max(self.candidates, k)
        rankings: list[list[int]] = []
        if mode != "dense":
            rankings.append(self.bm25.top(text_terms(query), depth)[1].tolist())
        if mode != "bm25":
            if self.data.dense is None:
                raise ValueError("this index has no vector index loaded")
            rankings.append(self.data.dense.search(self._embed_query(query), depth)[1].tolist())
        if mode == "hybrid":
            w = self.dense_weight
            fused = rrf(rankings, weights=[1 - w, w])
        else:
            fused = [(int(r), 1.0) for r in rankings[0]]
        scored = self._scaled(fused, mode)
        if self._rerank is not None and mode == "hybrid":
            scored = self._reranked(self._rerank, query, scored[: max(self.rerank_depth, k)])
        return [self._passage(row, score) for row, score in scored[:k]]

    def _reranked(self, rerank: Rerank, query: str, scored: list[tuple[int, float]]) -> list[tuple[int, float]]:
        """Reorder by the cross-encoder; its score (0..1 for one-logit models) replaces the fused one."""
        scores = rerank(query, [self.data.chunks[row].text for row, _ in scored])
        return sorted(((row, float(s)) for (row, _), s in zip(scored, scores)), key=lambda rs: -rs[1])

    def _scaled(self, fused: list[tuple[int, float]], mode: RetrievalMode) -> list[tuple[int, float]]:
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
