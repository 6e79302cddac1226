"""Question answering with citations over folders of Chinese and English documents.

The public API: ``RAG`` (index, retrieve, ask, stream), the result types, and
``citation_markers`` for front ends that render an answer's ``[n]`` markers as links.
"""

from rag.api import RAG
from rag.generation.cite import find_markers as citation_markers
from rag.types import (
    Answer,
    ChatMessage,
    Chunk,
    Citation,
    DocRecord,
    Document,
    FileError,
    IndexReport,
    Passage,
)

__all__ = [
    "RAG", "citation_markers",
    "Answer", "ChatMessage", "Chunk", "Citation", "DocRecord", "Document", "FileError", "IndexReport", "Passage",
]
