"""Result types shared by every stage. Plain frozen dataclasses; no behaviour beyond tiny helpers."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


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
    score: float  # larger = more relevant; fused score in 0..1 (see rag.retrieve.fuse)


@dataclass(frozen=True, slots=True)
class Citation:
    """An ``[n]`` marker of an answer, resolved to the exact span it quotes."""

    n: int  # the marker number, 1-based index into Answer.passages
    doc_id: str
    title: str
    quote: str  # the original-script text of the supporting span
    start: int  # character offsets of ``quote`` in the document's original text
    end: int
    supported: bool = True  # False when the cited sentence's facts are not in the passage


@dataclass(frozen=True, slots=True)
class Answer:
    question: str
    text: str
    citations: list[Citation]
    passages: list[Passage]
    refused: bool  # True when the documents do not answer the question
    backend: str  # name of the backend that produced the text
    standalone_question: str = ""  # the question after condensing with the chat history
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage


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
