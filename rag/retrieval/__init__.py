"""Retrieval: BM25 and dense search over one index, fused by rank, optionally reranked."""
