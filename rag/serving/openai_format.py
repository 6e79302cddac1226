"""OpenAI chat-completion shapes ↔ ``rag`` types: pure functions, no I/O, no web framework.

An answer goes out as OpenAI's ``chat.completion`` (or ``chat.completion.chunk`` events) with two
extra fields: ``citations`` (the verified ``[n]`` markers of the text, each with its document,
title and quoted span) and ``refused``. Server file paths never leave: documents and passages
carry their file name only.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rag.types import Answer, ChatMessage, Citation, DocRecord, Passage

MODEL_PREFIX = "rag"  # model "rag" = the default backend; "rag-<backend>" names one
STREAM_PIECE_CHARS = 12  # characters per content event when an answer is streamed (a marker is never cut)
_UNIT = re.compile(r"[\[【][0-9,，、\s\-–]{1,20}[\]】]|.", re.S)  # a citation marker, or one character


@dataclass(frozen=True, slots=True)
class CompletionIds:
    """What every chunk of one completion repeats."""

    model: str
    completion_id: str
    created: int  # unix time


class FormatError(ValueError):
    """A request whose shape cannot be answered (no user message, content of an unknown kind...)."""


class UnknownModelError(FormatError):
    """A model id that ``GET /v1/models`` does not list (HTTP 404, as OpenAI answers)."""


def model_ids(default_backend: str, backends: Sequence[str]) -> list[str]:
    """The models ``GET /v1/models`` lists: ``rag`` then ``rag-<backend>`` for each available backend."""
    return [MODEL_PREFIX, *(f"{MODEL_PREFIX}-{b}" for b in dict.fromkeys([default_backend, *backends]))]


def backend_for_model(model: str, backends: Sequence[str]) -> str | None:
    """The backend a model id names (None = the default); ``FormatError`` for an unknown id."""
    if model in ("", MODEL_PREFIX):
        return None
    name = model.removeprefix(f"{MODEL_PREFIX}-")
    if model.startswith(f"{MODEL_PREFIX}-") and name in backends:
        return name
    raise UnknownModelError(f"unknown model {model!r}; GET /v1/models lists the models here")


def _text(content: Any) -> str:
    """Message content as text: a string, or the text parts of a list of content parts."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") == "text")
    raise FormatError("message content must be a string or a list of content parts")


def split_conversation(messages: Sequence[dict[str, Any]]) -> tuple[str, list[ChatMessage]]:
    """The question (the last message, which must be the user's) and the history before it.

    System and tool messages are left out: answers follow this product's own prompts, and a
    caller's system message must not be able to change them.
    """
    if not messages:
        raise FormatError("messages is empty: send at least one user message")
    last = messages[-1]
    if last.get("role") != "user":
        raise FormatError(f"the last message must be the user's question, got role {last.get('role')!r}")
    history: list[ChatMessage] = []
    for m in messages[:-1]:
        role = m.get("role")
        if role == "user":
            history.append({"role": "user", "content": _text(m.get("content"))})
        elif role == "assistant":
            history.append({"role": "assistant", "content": _text(m.get("content"))})
    return _text(last.get("content")), history


def citation_json(c: Citation) -> dict[str, Any]:
    return {"n": c.n, "doc_id": c.doc_id, "title": c.title, "quote": c.quote, "start": c.start, "end": c.end}


def citations_json(answer: Answer) -> list[dict[str, Any]]:
    """The verified citations: exactly the markers a reader sees in the text."""
    return [citation_json(c) for c in answer.citations if c.supported]


def passage_json(p: Passage) -> dict[str, Any]:
    return {"chunk_id": p.chunk_id, "doc_id": p.doc_id, "title": p.title, "file": Path(p.source).name,
            "text": p.text, "start": p.start, "end": p.end, "score": round(p.score, 6)}


def document_json(r: DocRecord, *, uploads_dir: Path) -> dict[str, Any]:
    path = Path(r.path)
    return {"id": r.id, "title": r.title, "file": path.name, "origin": "upload" if path.parent == uploads_dir else "corpus",
            "chunks": r.chunks, "indexed_at": r.indexed_at}


def completion(answer: Answer, ids: CompletionIds) -> dict[str, Any]:
    """A non-streamed ``chat.completion``."""
    return {
        "id": ids.completion_id, "object": "chat.completion", "created": ids.created, "model": ids.model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": answer.text}, "finish_reason": "stop"}],
        "citations": citations_json(answer), "refused": answer.refused, "backend": answer.backend,
    }


def _chunk(delta: dict[str, Any], ids: CompletionIds, *, finish: str | None = None) -> dict[str, Any]:
    return {"id": ids.completion_id, "object": "chat.completion.chunk", "created": ids.created, "model": ids.model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}


def opening_chunk(ids: CompletionIds) -> dict[str, Any]:
    """The first event: the assistant role, sent before the answer is ready."""
    return _chunk({"role": "assistant", "content": ""}, ids)


def pieces(text: str, *, size: int = STREAM_PIECE_CHARS) -> list[str]:
    """``text`` cut into pieces of about ``size`` characters, never inside a ``[n]`` marker."""
    out: list[str] = []
    current = ""
    for unit in _UNIT.finditer(text):
        current += unit.group()
        if len(current) >= size:
            out.append(current)
            current = ""
    return [*out, current] if current else out


def answer_chunks(answer: Answer, ids: CompletionIds) -> Iterator[dict[str, Any]]:
    """The answer text in pieces, then a last chunk with ``finish_reason``, citations and ``refused``."""
    for piece in pieces(answer.text):
        yield _chunk({"content": piece}, ids)
    last = _chunk({}, ids, finish="stop")
    last.update(citations=citations_json(answer), refused=answer.refused, backend=answer.backend)
    yield last


def error_json(message: str, *, kind: str, code: str) -> dict[str, Any]:
    """OpenAI's error body, which its clients turn into a typed exception."""
    return {"error": {"message": message, "type": kind, "code": code}}
