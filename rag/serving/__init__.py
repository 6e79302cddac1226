"""Serving a team: accounts and API keys, an OpenAI-compatible HTTP API, fair-sharing limits, and
the one process (``rag serve``) that serves the UI at ``/`` and the API under ``/v1``."""
