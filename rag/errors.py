"""Errors a user must act on. Each message says what went wrong and what to do."""


class RAGError(Exception):
    """Base class of every error this library raises on purpose."""


class LoadError(RAGError):
    """A document could not be read (unsupported, corrupt, undecodable, empty)."""


class IndexMismatchError(RAGError):
    """The index on disk was built with another model or other chunk settings."""


class IndexMissingError(RAGError):
    """No usable index exists where one was expected."""


class QueryError(RAGError):
    """The question itself is unusable (empty, too long)."""


class BackendError(RAGError):
    """An LLM backend is unreachable, misconfigured or failed."""


class ModelUnavailableError(RAGError):
    """A model's files are not installed or fail their integrity check."""


class BusyError(RAGError):
    """Too many questions waiting, or a caller over its rate limit: retry after ``retry_after`` seconds."""

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
