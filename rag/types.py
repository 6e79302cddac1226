"""Result types shared by every stage. Plain frozen dataclasses; no behaviour beyond tiny helpers."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, TypedDict, get_args

BackendName = Literal["openai", "local", "extractive"]
BACKEND_NAMES: tuple[BackendName, ...] = get_args(BackendName)  # best first when all can run
RetrievalMode = Literal["hybrid", "bm25", "dense"]
RETRIEVAL_MODES: tuple[RetrievalMode, ...] = get_args(RetrievalMode)
Language = Literal["zh", "en"]  # the language a question is answered in
Role = Literal["system", "user", "assistant"]
ROLES: tuple[Role, ...] = get_args(Role)


def backend_name(value: str) -> BackendName:
    """``value`` as a backend name; ValueError naming the choices when it is none."""
    for name in BACKEND_NAMES:
        if value == name:
            return name
    raise ValueError(f"unknown backend {value!r}; choose one of {', '.join(BACKEND_NAMES)}")


class ChatMessage(TypedDict):
    """One OpenAI-style chat message."""

    role: Role
    content: str


@dataclass(frozen=True, slots=True)
class Document:
    """One source file, with its full original text (never script-converted)."""

    id: str  # file name stem, stable across runs
    path: Path
    title: str
    text: str
    meta: dict = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True, slots=True)
class Chunk:
    """A window of a document; ``doc.text[start:end] == text``."""

    id: str  # "<doc_id>#<ordinal>"
    doc_id: str
    text: str
    start: int  # character offset into the document's original text
    end: int


@dataclass(frozen=True, slots=True)
class Passage:
    """A retrieved chunk, in its original script, with a fused relevance score."""

    chunk_id: str
    doc_id: str
    title: str
    source: str  # path of the source file
    text: str
    start: int
    end: int
    score: float  # larger = more relevant; fused score in 0..1 (see rag.retrieval.retriever)
    # the year the text above the passage speaks of: the last its paragraph names before it (a
    # chunk cut mid-paragraph), else the last heading's (2024年: over a list of that year's
    # results); "" if none or not read: the year its sentences speak of when they name none
    heading_year: str = ""
    published: str = ""  # the date its document gives itself (``rag.text.published``), "" if none or not read


@dataclass(frozen=True, slots=True)
class Citation:
    """An ``[n]`` marker of an answer, resolved to the exact span it quotes."""

    n: int  # the marker number, 1-based index into Answer.passages
    doc_id: str
    title: str
    quote: str  # the original-script text of the supporting span
    start: int  # character offsets of ``quote`` in the document's text as loaded (Document.text)
    end: int
    supported: bool = True  # False when the cited sentence's facts are not in the passage
    published: str = ""  # the date the cited document gives itself (2024-01-31), "" if none


@dataclass(frozen=True, slots=True)
class Answer:
    question: str
    text: str
    citations: list[Citation]
    passages: list[Passage]
    refused: bool  # True when the documents do not answer the question
    backend: str  # name of the backend that produced the text
    model: str = ""  # the model behind it: endpoint model name or GGUF file name ("" for extractive)
    standalone_question: str = ""  # the question after condensing with the chat history
    search_question: str = ""  # what was searched: the standalone question, in Chinese for an English one
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage


@dataclass(frozen=True, slots=True)
class DocRecord:
    """One indexed document, as listed by ``RAG.documents()``."""

    id: str
    path: str
    title: str
    sha256: str
    chunks: int
    indexed_at: float  # unix time


@dataclass(frozen=True, slots=True)
class FileError:
    """A file that could not be loaded, with a reason a person can act on."""

    path: str
    reason: str


@dataclass(frozen=True, slots=True)
class IndexReport:
    added: list[str]
    updated: list[str]
    removed: list[str]
    unchanged: list[str]
    errors: list[FileError]
    chunks_embedded: int = 0
    seconds: float = 0.0
