"""Optional cross-encoder stage: re-score (question, passage) pairs with a model the user supplies.

No multilingual cross-encoder ships in a registry package, so this stage is off by default; it
runs only when a model folder (or a hub id already in the local cache) is configured.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from rag.errors import ModelUnavailableError

logger = logging.getLogger(__name__)


class Reranker:
    """A ``sentence_transformers.CrossEncoder`` that loads on first use.

    Scores are the model's own (for single-logit models, a sigmoid in 0..1); larger = more relevant.
    """

    def __init__(self, model_path: str, *, batch_size: int = 16) -> None:
        if not model_path:
            raise ValueError("model_path must name a cross-encoder folder, got an empty string")
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        path = Path(model_path).expanduser()
        if not path.is_dir() and (model_path.startswith(("/", ".", "~")) or path.exists()):
            raise ModelUnavailableError(
                f"cross-encoder folder {path} does not exist (or is not a folder); give the folder of a "
                "sentence-transformers CrossEncoder model, or leave rerank_model empty to turn reranking off"
            )
        self.model_path = str(path) if path.is_dir() else model_path
        self.batch_size = batch_size
        self._model = None
        self._lock = threading.Lock()

    def _load(self):
        with self._lock:
            if self._model is None:
                self._model = _load_cross_encoder(self.model_path)
        return self._model

    def score(self, query: str, texts: Sequence[str]) -> list[float]:
        """One relevance score per text, in input order."""
        if not texts:
            return []
        pairs = [(query, text) for text in texts]
        scores = self._load().predict(pairs, batch_size=self.batch_size, convert_to_numpy=True,
                                      show_progress_bar=False)
        return [float(s) for s in scores.reshape(len(texts))]


def _load_cross_encoder(model_path: str):
    try:
        from sentence_transformers import CrossEncoder
    except ImportError:
        raise ImportError("reranking needs sentence-transformers: "
                          "pip install torch==2.13.0 sentence-transformers==6.2.0") from None
    started = time.perf_counter()
    try:
        model = CrossEncoder(model_path, device="cpu", local_files_only=True)
    except (OSError, ValueError) as exc:
        raise ModelUnavailableError(
            f"cannot load cross-encoder {model_path!r} ({exc}); models are never downloaded at run "
            "time: give a folder that holds a CrossEncoder model"
        ) from exc
    if model.num_labels != 1:
        raise ModelUnavailableError(
            f"cross-encoder {model_path!r} has {model.num_labels} outputs; a reranker needs a model "
            "with one relevance output (num_labels=1)"
        )
    logger.info("loaded cross-encoder %s in %.1f s", model_path, time.perf_counter() - started)
    return model
