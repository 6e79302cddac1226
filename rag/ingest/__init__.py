"""Ingestion: files → documents (load) → chunks (chunk) → embedded index versions (indexer)."""
