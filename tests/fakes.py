"""Deterministic stand-ins for model-backed parts, for fast unit tests of the code around them."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from typing import Self

import numpy as np

from rag.generation.backends import Evidence, check_request
from rag.text import normalise
from rag.types import ChatMessage


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


class ScriptedGenerator:
    """A ``Generator`` that answers from a script, for testing the pipeline without a model.

    ``reply(messages)`` gives the text for each call (condensing and answering alike); every call's
    messages are kept in ``calls``. ``stream`` yields the reply in pieces of ``piece`` characters,
    as a model would.
    """

    name = "scripted"
    model_id = "scripted-1"

    def __init__(self, reply: Callable[[list[ChatMessage]], str], *, piece: int = 3) -> None:
        self._reply = reply
        self.piece = piece
        self.calls: list[list[ChatMessage]] = []
        self.latin_only: list[bool] = []  # per call: whether text without CJK characters was asked for

    @classmethod
    def answering(cls, answer: str, *, condensed: str = "", translated: str = "") -> Self:
        """Replies ``condensed`` to a condensing request, ``translated`` to a translation request and
        ``answer`` to everything else."""
        def reply(messages: list[ChatMessage]) -> str:
            if is_condense_request(messages):
                return condensed
            return translated if is_translate_request(messages) else answer

        return cls(reply)

    def complete(self, messages: Sequence[ChatMessage], *, max_tokens: int, temperature: float,
                 evidence: Evidence | None = None, latin_only: bool = False) -> str:
        check_request(messages, max_tokens=max_tokens, temperature=temperature)
        self.calls.append(list(messages))
        self.latin_only.append(latin_only)
        return self._reply(list(messages))

    def stream(self, messages: Sequence[ChatMessage], *, max_tokens: int, temperature: float,
               evidence: Evidence | None = None, latin_only: bool = False) -> Iterator[str]:
        text = self.complete(messages, max_tokens=max_tokens, temperature=temperature, evidence=evidence,
                             latin_only=latin_only)
        for i in range(0, len(text), self.piece):
            yield text[i : i + self.piece]


class WarmableGenerator(ScriptedGenerator):
    """A scripted generator with a model to warm: records the prefixes it was asked to read."""

    def __init__(self, reply: Callable[[list[ChatMessage]], str], *, piece: int = 3) -> None:
        super().__init__(reply, piece=piece)
        self.warmed: list[list[ChatMessage]] = []

    def warm_up(self, *, prefix_messages: Sequence[ChatMessage] = ()) -> None:
        self.warmed.append(list(prefix_messages))


def is_translate_request(messages: Sequence[ChatMessage]) -> bool:
    """True for the pipeline's request to render an English question in Chinese."""
    return len(messages) == 1 and "翻译成简体中文" in messages[0]["content"]


def is_condense_request(messages: Sequence[ChatMessage]) -> bool:
    """True for the pipeline's condensing prompt (one user message, no system prompt)."""
    return len(messages) == 1 and "独立" in messages[0]["content"]
