"""Question answering with citations over folders of Chinese and English documents."""

from .api import RAG
from .types import Answer, Chunk, Citation, Document, FileError, IndexReport, Passage

__all__ = ["RAG", "Answer", "Chunk", "Citation", "Document", "FileError", "IndexReport", "Passage"]
