"""Reciprocal-rank fusion of several rankings, keyed by id."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

RRF_K = 60  # rank offset of reciprocal-rank fusion (Cormack et al. 2009); damps the weight of rank 1


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
