"""Embeddings from an OpenAI-compatible ``/v1/embeddings`` endpoint (a GPU server, infinity, vLLM, TEI…).

Same two calls as ``rag.models.embedder.Embedder`` and the same sqlite vector cache, so an
interrupted ``rag index`` resumes without asking the server again for what it already returned.
Servers embed exactly the text they are sent: the model's query/passage prefixes (``query: `` and
``passage: `` for E5 models, the bundled default) are added here.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from rag.errors import BackendError
from rag.models.embedder import CACHE_FILE, EmbeddingCache, cache_key

logger = logging.getLogger(__name__)


class RemoteEmbedder:
    """Passages and queries embedded by a server; vectors are L2-normalised here."""

    def __init__(self, base_url: str, model: str, *, cache_dir: Path, api_key: str = "", batch_size: int = 64,
                 query_prefix: str = "query: ", passage_prefix: str = "passage: ", timeout: float = 120.0,
                 retries: int = 3, cache: EmbeddingCache | None = None) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        from openai import OpenAI

        self.base_url, self.model = base_url, model
        self.model_id = f"{model}@openai-embeddings"
        self.batch_size = batch_size
        self.query_prefix, self.passage_prefix = query_prefix, passage_prefix
        self.cache = cache or EmbeddingCache(Path(cache_dir).expanduser() / CACHE_FILE)
        self.model_runs = 0
        self._client = OpenAI(base_url=base_url, api_key=api_key or "not-needed", timeout=timeout, max_retries=retries)
        self._dim: int | None = None

    @property
    def dim(self) -> int:
        """Vector dimension (asks the server once)."""
        if self._dim is None:
            self._dim = int(self._request([self.query_prefix + "dimension"]).shape[1])
        return self._dim

    def _request(self, texts: list[str]) -> np.ndarray:
        from openai import OpenAIError

        try:
            response = self._client.embeddings.create(model=self.model, input=texts)
        except OpenAIError as exc:
            raise BackendError(f"embedding endpoint {self.base_url} (model {self.model!r}) failed: {exc}") from exc
        rows = sorted(response.data, key=lambda d: d.index)
        vectors = np.array([d.embedding for d in rows], dtype=np.float32)
        if vectors.shape[0] != len(texts):
            raise BackendError(f"embedding endpoint {self.base_url} returned {vectors.shape[0]} vectors for {len(texts)} texts")
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        self.model_runs += len(texts)
        return vectors / np.maximum(norms, 1e-12)

    def embed_query(self, text: str) -> np.ndarray:
        """Vector of one question, shape ``(dim,)``; never cached."""
        return self._request([self.query_prefix + text])[0]

    def embed_passages(self, texts: Sequence[str], *, progress: Callable[[int], None] | None = None) -> np.ndarray:
        """Vectors of ``texts`` in input order; cached ones are not sent, each batch is cached as it arrives."""
        keys = [cache_key(self.model_id, t) for t in texts]
        occurrences = Counter(keys)
        found = self.cache.get(list(occurrences))
        todo = list(dict.fromkeys(t for t, k in zip(texts, keys) if k not in found))
        if progress and len(texts) > len(todo):
            progress(sum(1 for k in keys if k in found))
        started = time.perf_counter()
        for i in range(0, len(todo), self.batch_size):
            batch = todo[i : i + self.batch_size]
            vectors = self._request([self.passage_prefix + t for t in batch])
            fresh = [(cache_key(self.model_id, t), v) for t, v in zip(batch, vectors)]
            self.cache.put(fresh)
            found.update(fresh)
            if progress:
                progress(sum(occurrences[k] for k, _ in fresh))
        if todo:
            seconds = time.perf_counter() - started
            logger.info("embedded %d passages at %s in %.1f s (%.1f/s)", len(todo), self.base_url, seconds,
                        len(todo) / max(seconds, 1e-9))
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([found[k] for k in keys]).astype(np.float32, copy=False)
