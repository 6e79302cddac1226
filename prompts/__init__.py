"""The prompt templates (``*.txt``), installed as the package data ``rag.prompts``."""
