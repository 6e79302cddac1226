"""Index engines behind one ``Store`` protocol: the embedded FAISS store and Milvus."""

from rag.store.base import DocumentEntry, IndexParams, Store, StoredChunk, chunk_key

__all__ = ["DocumentEntry", "IndexParams", "Store", "StoredChunk", "chunk_key"]
