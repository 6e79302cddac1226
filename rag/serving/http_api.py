"""The OpenAI-compatible HTTP API under ``/v1``, over ``rag.RAG`` only.

Routes: ``POST /v1/chat/completions`` (streamed or not), ``GET /v1/models``, ``POST /v1/retrieve``,
``GET|POST /v1/documents``, ``DELETE /v1/documents/{id}`` and ``GET /v1/health``. Callers send
``Authorization: Bearer <key>``: a missing or wrong key gets 401, a reader key on an editor route
403, a full queue or a caller over its rate limit 429 with ``Retry-After``.

A streamed answer sends the assistant role at once, then the *verified* answer in pieces. The
text is verified after generation (markers moved or dropped, or the whole answer replaced by a
refusal), and an OpenAI client cannot take back text it has shown, so streaming the raw deltas
would let a chat front end show claims the check removed and markers that no citation matches.
With the local model the verified text comes about 0.6 s after the first raw token would have.
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
import threading
import time
import uuid
import weakref
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from fastapi import APIRouter, Depends, FastAPI, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from rag.api import RAG
from rag.errors import BackendError, BusyError, LoadError, QueryError
from rag.serving import openai_format as fmt
from rag.serving.accounts import Accounts, Principal
from rag.serving.limits import AnswerQueue, RateLimiter, Ticket
from rag.types import Answer

logger = logging.getLogger(__name__)


class ApiError(Exception):
    """An HTTP error with an OpenAI-shaped body."""

    def __init__(self, status: int, message: str, *, kind: str, code: str) -> None:
        super().__init__(message)
        self.status, self.kind, self.code = status, kind, code


@dataclass
class Serving:
    """What the routes share: the one ``RAG``, the accounts, and the limits."""

    bot: RAG
    accounts: Accounts
    queue_for: Callable[[str], AnswerQueue]  # the answer queue of a backend name
    limiter: RateLimiter
    open_when_empty: bool  # no accounts and no keys: no key needed (a loopback server only)
    index_lock: threading.Lock = field(default_factory=threading.Lock)  # one upload or removal at a time


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="allow")  # temperature, max_tokens...: accepted, answers use the settings

    model: str = fmt.MODEL_PREFIX
    messages: list[dict[str, Any]]
    stream: bool = False
    top_k: int | None = Field(default=None, ge=1, le=50)  # passages retrieved (default: setting top_k)


class RetrieveRequest(BaseModel):
    query: str
    k: int = Field(default=5, ge=1, le=50)
    mode: Literal["hybrid", "bm25", "dense"] = "hybrid"


def _sse(payload: dict[str, Any] | str) -> str:
    return f"data: {payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)}\n\n"


def create_router(s: Serving) -> APIRouter:
    """The ``/v1`` routes over ``s``."""
    router = APIRouter(prefix="/v1")

    def caller(request: Request) -> Principal:
        """The key's principal; counts the request against the key's rate limit."""
        if s.open_when_empty and s.accounts.is_empty():
            return Principal("local", "editor", "local")
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiError(401, "missing API key: send the header 'Authorization: Bearer <key>' "
                                "(keys are made with `rag key create NAME --role reader|editor`)",
                           kind="authentication_error", code="invalid_api_key")
        who = s.accounts.check_key(token.strip())
        if who is None:
            raise ApiError(401, "invalid API key: unknown, revoked or mistyped", kind="authentication_error",
                           code="invalid_api_key")
        s.limiter.check(f"key:{who.name}")
        return who

    def editor(who: Principal = Depends(caller)) -> Principal:  # noqa: B008 (FastAPI's idiom)
        if not who.is_editor:
            raise ApiError(403, f"the key {who.name!r} has the role reader: uploading and removing documents "
                                "needs an editor key", kind="permission_error", code="permission_denied")
        return who

    @router.get("/health")
    def health(who: Principal = Depends(caller)) -> dict[str, Any]:  # noqa: B008
        return {"status": "ok", "documents": len(s.bot.documents()), "backend": s.bot.backend_name}

    @router.get("/models")
    def models(who: Principal = Depends(caller)) -> dict[str, Any]:  # noqa: B008
        ids = fmt.model_ids(s.bot.backend_name, s.bot.available_backends())
        return {"object": "list", "data": [{"id": i, "object": "model", "created": 0, "owned_by": "rag-chatbot"}
                                           for i in ids]}

    @router.post("/chat/completions", response_model=None)
    async def chat(body: ChatRequest, who: Principal = Depends(caller)) -> dict[str, Any] | StreamingResponse:  # noqa: B008
        question, history = fmt.split_conversation(body.messages)
        backend = fmt.backend_for_model(body.model, s.bot.available_backends())
        ticket = s.queue_for(backend or s.bot.backend_name).admit(f"key:{who.name}")
        ids = fmt.CompletionIds(body.model or fmt.MODEL_PREFIX, f"chatcmpl-{uuid.uuid4().hex}", int(time.time()))

        def answer() -> Answer:
            with ticket:  # waits for a free slot of the backend
                return s.bot.ask(question, history=history, backend=backend, k=body.top_k)  # type: ignore[arg-type]

        if not body.stream:
            try:
                return fmt.completion(await run_in_threadpool(answer), ids)
            finally:
                ticket.release()
        events = _events(ticket, answer, ids)
        weakref.finalize(events, ticket.release)  # a response whose body never started still frees its place
        return StreamingResponse(events, media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    @router.post("/retrieve")
    def retrieve(body: RetrieveRequest, who: Principal = Depends(caller)) -> dict[str, Any]:  # noqa: B008
        passages = s.bot.retrieve(body.query, k=body.k, mode=body.mode)
        return {"object": "list", "data": [fmt.passage_json(p) for p in passages]}

    @router.get("/documents")
    def documents(who: Principal = Depends(caller)) -> dict[str, Any]:  # noqa: B008
        return {"object": "list", "data": [fmt.document_json(r, uploads_dir=s.bot.uploads_dir)
                                           for r in s.bot.documents()]}

    @router.post("/documents", status_code=201)
    def upload(file: UploadFile, who: Principal = Depends(editor)) -> dict[str, Any]:  # noqa: B008
        return _add_document(s, file, who)

    @router.delete("/documents/{doc_id}")
    def remove(doc_id: str, who: Principal = Depends(editor)) -> dict[str, Any]:  # noqa: B008
        with s.index_lock:
            s.bot.remove_document(doc_id)
        logger.info("%s %r removed document %s", who.kind, who.name, doc_id)
        return {"id": doc_id, "deleted": True}

    return router


async def _events(ticket: Ticket, answer: Callable[[], Answer], ids: fmt.CompletionIds) -> AsyncIterator[str]:
    """SSE events of one streamed answer, ending with ``data: [DONE]``."""
    dispatched = False
    try:
        yield _sse(fmt.opening_chunk(ids))
        dispatched = True  # from here the worker thread's ``with ticket`` frees the place
        try:
            result = await run_in_threadpool(answer)
        except (QueryError, BackendError, BusyError) as exc:
            yield _sse(fmt.error_json(str(exc), kind="server_error", code=type(exc).__name__))
            return
        for chunk in fmt.answer_chunks(result, ids):
            yield _sse(chunk)
        yield _sse("[DONE]")
    finally:
        if not dispatched:
            ticket.release()


def _add_document(s: Serving, file: UploadFile, who: Principal) -> dict[str, Any]:
    """Index one uploaded file; a refused file changes nothing and gets a 400 with the reason."""
    name = file.filename or ""
    if not name:
        raise ApiError(400, "the multipart field 'file' needs a file name", kind="invalid_request_error",
                       code="missing_file_name")
    with tempfile.TemporaryDirectory(prefix="rag-upload-") as tmp:
        path = Path(tmp) / "upload"
        with open(path, "wb") as out:
            shutil.copyfileobj(file.file, out)
        with s.index_lock:
            report = s.bot.add_file(path, name=name)
    errors = [e.reason for e in report.errors if Path(e.path).name == name.strip()]
    if errors:
        raise LoadError(f"{name}: {errors[0]}")
    record = next(r for r in s.bot.documents([*report.added, *report.updated, *report.unchanged])
                  if Path(r.path).parent == s.bot.uploads_dir and Path(r.path).name == name.strip())
    logger.info("%s %r uploaded %s (%d chunks)", who.kind, who.name, record.id, record.chunks)
    return fmt.document_json(record, uploads_dir=s.bot.uploads_dir)


def _error(status: int, message: str, *, kind: str, code: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(fmt.error_json(message, kind=kind, code=code), status_code=status, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    """Every error of the API as an OpenAI error body, never a traceback or an HTML page."""

    async def api_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ApiError)
        return _error(exc.status, str(exc), kind=exc.kind, code=exc.code)

    async def busy(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, BusyError)
        return _error(429, str(exc), kind="rate_limit_error", code="busy", headers={"Retry-After": str(exc.retry_after)})

    async def bad_request(request: Request, exc: Exception) -> JSONResponse:
        missing = isinstance(exc, fmt.UnknownModelError) or (
            isinstance(exc, LoadError) and str(exc).startswith("no indexed document"))
        return _error(404 if missing else 400, str(exc), kind="invalid_request_error", code=type(exc).__name__)

    async def backend(request: Request, exc: Exception) -> JSONResponse:
        return _error(502, str(exc), kind="server_error", code="backend_error")

    async def invalid(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        where = "; ".join(f"{'.'.join(str(x) for x in e['loc'][1:]) or 'body'}: {e['msg']}" for e in exc.errors()[:5])
        return _error(400, f"invalid request: {where}", kind="invalid_request_error", code="invalid_request")

    app.add_exception_handler(ApiError, api_error)
    app.add_exception_handler(BusyError, busy)
    app.add_exception_handler(QueryError, bad_request)
    app.add_exception_handler(LoadError, bad_request)
    app.add_exception_handler(fmt.FormatError, bad_request)
    app.add_exception_handler(BackendError, backend)
    app.add_exception_handler(RequestValidationError, invalid)
