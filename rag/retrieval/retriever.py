"""Hybrid retrieval: the store's BM25 and dense searches, fused by rank here for every engine."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from rag.retrieval.bm25 import BM25Index
from rag.retrieval.fusion import RRF_K, rrf
from rag.retrieval.glossary import documents_word, english_keys
from rag.retrieval.romanised import pinyin_keys, romanised_names
from rag.store import Store, StoredChunk
from rag.types import RETRIEVAL_MODES, Passage, RetrievalMode

__all__ = ["BM25Index", "Rerank", "Retriever", "rrf"]

logger = logging.getLogger(__name__)

# Reading the pinyin of every word of an index takes about 15 µs a word, and Milvus keeps no word
# list (its chunks are read and cut again): past this many chunks the first English question would
# wait seconds for it, so names in pinyin (and English words) are not looked up there
MAX_NAME_CHUNKS = 20_000
Rerank = Callable[[str, Sequence[str]], Sequence[float]]  # (query, texts) -> one score each, larger = better


class Retriever:
    """Searches one open store; the query embedder is passed in."""

    def __init__(
        self,
        store: Store,
        *,
        embed_query: Callable[[str], np.ndarray],
        dense_weight: float = 0.5,
        candidates: int = 50,
        rerank: Rerank | None = None,
        rerank_depth: int = 20,
    ) -> None:
        self.store = store
        self._embed_query = embed_query
        self.dense_weight = dense_weight
        self.candidates = candidates
        self._rerank = rerank
        self.rerank_depth = rerank_depth
        # "pinyin" / "english" -> (the vocabulary read, its keys): read again after a write
        self._word_keys: dict[str, tuple[Mapping[str, int], dict[str, str]]] = {}

    def search(self, query: str, *, k: int, mode: RetrievalMode = "hybrid") -> list[Passage]:
        """Best ``k`` passages for ``query``; ``mode`` is "hybrid", "bm25" or "dense"."""
        if mode not in RETRIEVAL_MODES or k < 1:
            raise ValueError(f"mode must be one of {', '.join(RETRIEVAL_MODES)} and k >= 1; got {mode!r}, {k}")
        if not self.store.chunk_count():
            return []
        depth = max(self.candidates, k)
        halves: list[list[tuple[int, float]]] = []  # (key, score) best first: BM25 and/or dense
        if mode != "dense":
            halves.append(self.store.lexical(query, depth))
        if mode != "bm25":
            halves.append(self.store.dense(self._embed_query(query), depth))
        rankings = [[int(key) for key, _ in half] for half in halves]
        if mode == "hybrid":
            w = self.dense_weight
            fused = _confident_leader_first(rrf(rankings, weights=[1 - w, w]), *halves)
            fused = _leaders_kept(fused, rankings, k)
        else:
            fused = [(r, 1.0) for r in rankings[0]]
        rerank = self._rerank is not None and mode == "hybrid"
        scored, found = self._fetch(self._scaled(fused, mode), max(self.rerank_depth, k) if rerank else k)
        if self._rerank is not None and rerank:
            scored = self._reranked(self._rerank, query, scored, found)
        return [self._passage(found[key], score) for key, score in scored[:k]]

    def romanised(self, question: str) -> list[tuple[str, str, float]]:
        """(pinyin name, the index word it spells, the share of chunks holding that word) for the
        names an English question romanises (Hetao → 河套): see ``rag.retrieval.romanised``."""
        keyed = self._keys("pinyin", pinyin_keys)
        if keyed is None:
            return []
        vocabulary, keys = keyed
        chunks = self.store.chunk_count()
        return [(written, word, vocabulary.get(word, 0) / max(1, chunks))
                for written, word in romanised_names(question, keys)]

    def documents_word(self, english: str) -> str | None:
        """The index word a dictionary translates an English word by (graphene → 石墨烯), or None:
        see ``rag.retrieval.glossary``."""
        keyed = self._keys("english", english_keys)
        return documents_word(english, keyed[1]) if keyed else None

    def _keys(self, kind: str, build: Callable[[Mapping[str, int]], dict[str, str]]
              ) -> tuple[Mapping[str, int], dict[str, str]] | None:
        """(the index's vocabulary, ``build`` of it), built once per vocabulary (again after a
        write); None past ``MAX_NAME_CHUNKS``."""
        if self.store.chunk_count() > MAX_NAME_CHUNKS:
            return None
        vocabulary = self.store.vocabulary()
        cached = self._word_keys.get(kind)
        if cached is None or cached[0] is not vocabulary:
            cached = self._word_keys[kind] = (vocabulary, build(vocabulary))
        return cached

    def _fetch(self, scored: list[tuple[int, float]], wanted: int) -> tuple[list[tuple[int, float]], dict[int, StoredChunk]]:
        """The first ``wanted`` ranked chunks that still exist: a document removed between the
        ranking and this fetch is skipped and the next candidates fill its place."""
        kept: list[tuple[int, float]] = []
        found: dict[int, StoredChunk] = {}
        position = 0
        while len(kept) < wanted and position < len(scored):
            window = scored[position : position + wanted - len(kept)]
            position += len(window)
            fetched = self.store.chunks([key for key, _ in window])
            found.update(fetched)
            kept.extend((key, score) for key, score in window if key in fetched)
        return kept, found

    @staticmethod
    def _reranked(rerank: Rerank, query: str, scored: list[tuple[int, float]],
                  found: dict[int, StoredChunk]) -> list[tuple[int, float]]:
        """Reorder by the cross-encoder; its score (0..1 for one-logit models) replaces the fused one."""
        scores = rerank(query, [found[key].chunk.text for key, _ in scored])
        return sorted(((key, float(s)) for (key, _), s in zip(scored, scores)), key=lambda ks: -ks[1])

    def _scaled(self, fused: list[tuple[int, float]], mode: RetrievalMode) -> list[tuple[int, float]]:
        """Scale fused scores to 0..1, where 1 means ranked first by every retriever."""
        if mode != "hybrid":
            return [(row, 1.0 / rank) for rank, (row, _) in enumerate(fused, start=1)]
        best = (1 - self.dense_weight) / (RRF_K + 1) + self.dense_weight / (RRF_K + 1)
        return [(row, score / best) for row, score in fused]

    @staticmethod
    def _passage(stored: StoredChunk, score: float) -> Passage:
        chunk = stored.chunk
        return Passage(
            chunk_id=chunk.id, doc_id=chunk.doc_id, title=stored.title, source=stored.source,
            text=chunk.text, start=chunk.start, end=chunk.end, score=round(float(score), 6),
        )


DISJOINT_TOP = 10  # the halves' first this many share no chunk: RRF has no agreement to go on
MARGIN_RANK = 5  # a half's margin: its leader's score over the score at this rank ...
LEXICAL_MARGIN_FACTOR = 1.5  # ... and BM25's leader goes first only when its margin is this many times dense's


def _margin(ranking: Sequence[tuple[int, float]]) -> float:
    """How far a half's leader stands out: (top score - score at ``MARGIN_RANK``) / (top - last score),
    0 when the scores do not spread. Relative, so that BM25 scores and cosines compare."""
    if not ranking:
        return 0.0
    top, last = ranking[0][1], ranking[-1][1]
    spread = top - last
    nth = ranking[min(MARGIN_RANK, len(ranking)) - 1][1]
    return (top - nth) / spread if spread > 0 else 0.0


def _confident_leader_first(fused: list[tuple[int, float]], lexical: Sequence[tuple[int, float]],
                            dense: Sequence[tuple[int, float]]) -> list[tuple[int, float]]:
    """``fused`` with one half's leader first when the halves' first ``DISJOINT_TOP`` share no chunk
    and their leaders differ. Ranks carry no agreement there: the two leaders score about the same
    (exactly when neither is in the other half, and the tie falls to the lower key, i.e. arbitrarily),
    or a chunk both halves rank below 10 outscores them. The more confident half decides instead:
    dense, the stronger half, unless BM25's leader stands out ``LEXICAL_MARGIN_FACTOR`` times more.
    Scores stay with their places, as in ``_leaders_kept``."""
    if not lexical or not dense or lexical[0][0] == dense[0][0]:
        return fused
    if {key for key, _ in lexical[:DISJOINT_TOP]} & {key for key, _ in dense[:DISJOINT_TOP]}:
        return fused
    lead = lexical[0][0] if _margin(lexical) > LEXICAL_MARGIN_FACTOR * _margin(dense) else dense[0][0]
    rows = [lead] + [row for row, _ in fused if row != lead]
    return [(row, score) for row, (_, score) in zip(rows, fused)]


def _leaders_kept(fused: list[tuple[int, float]], rankings: Sequence[Sequence[int]], k: int) -> list[tuple[int, float]]:
    """``fused`` with each ranking's first result among its first ``k``: fusion by rank alone
    drops a passage one half ranks first but the other misses (BM25's only match for 技术发明, in
    a bulleted list the embedding does not place) below passages both halves rank middling. The
    leaders moved up take the last places of the ``k``, with the scores there."""
    leaders = list(dict.fromkeys(r[0] for r in rankings if r))
    top = [row for row, _ in fused[:k]]
    missing = [row for row in leaders if row not in top]
    if not missing or len(missing) >= k:  # no room beside the fused best
        return fused
    # room is made by the fused rows of least score that lead no half: a leader fusion already
    # placed in the last of the k stays (dropping it there lost BM25's only match again)
    dropped = [row for row in reversed(top) if row not in leaders][:len(missing)]
    rows = [row for row in top if row not in dropped] + missing + dropped
    rows += [row for row, _ in fused[k:] if row not in missing]
    return [(row, score) for row, (_, score) in zip(rows, fused)]
