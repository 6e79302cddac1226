"""One process for a team: the Gradio UI at ``/`` and the OpenAI-compatible API under ``/v1``.

``rag serve`` runs ``serve(bot, host=..., port=...)``; ``rag ui`` the same without the API. The
sign-in rules are the same for both:

* no user and no key in ``<index_dir>/accounts.json``: the server stays open (one person on their
  own machine), and it only starts on a loopback address;
* any user or key: every page needs a signed-in user and every API request a key. A server that
  started open and then sees an account appear answers 503 until it is restarted with sign-in.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import threading
import time
from typing import Any

from fastapi import FastAPI

from rag.api import RAG
from rag.errors import BusyError, RAGError
from rag.serving.accounts import Accounts, accounts_path
from rag.serving.http_api import Serving, create_router, install_error_handlers
from rag.serving.limits import AnswerQueue, BodyLimit, RateLimiter, Ticket

logger = logging.getLogger(__name__)

LOGIN_FAILURES_PER_MINUTE = 10  # failed sign-ins per client address before it must wait; slows password guessing
UPLOAD_PATHS = ("/v1/documents", "/gradio_api/upload")
TYPICAL_SECONDS = {"local": 5.0}  # first Retry-After guess per backend, before any answer was timed


class ExposureError(RAGError):
    """Refusing to listen beyond this machine without any account or key."""


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_exposure(host: str, accounts: Accounts) -> None:
    """Refuse a non-loopback address while no account and no key exists."""
    if is_loopback(host) or not accounts.is_empty():
        return
    raise ExposureError(
        f"refusing to listen on {host}: anyone who can reach it could read and change the documents, and "
        f"no account or key exists yet in {accounts.path.name} of the index folder. Add one first:\n"
        "  rag user add NAME --role editor      (a person; the password is read from the terminal)\n"
        "  rag key create NAME --role reader    (a program; the key is printed once)\n"
        "or listen on 127.0.0.1 only.")


class Guard:
    """ASGI middleware: paces failed sign-ins per client address, and closes a server started without
    accounts as soon as one appears (its pages have no sign-in until a restart)."""

    def __init__(self, app: Any, *, accounts: Accounts, started_open: bool) -> None:
        self.app = app
        self.accounts = accounts
        self.started_open = started_open
        self.logins = RateLimiter(LOGIN_FAILURES_PER_MINUTE)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            path = scope["path"]
            if self.started_open and not path.startswith("/v1/") and not self.accounts.is_empty():
                await _json(send, 503, "accounts were added while this server ran without sign-in; "
                                       "restart it (rag serve) to turn sign-in on")
                return
            if path.rstrip("/") == "/login" and scope.get("method") == "POST":
                await self._sign_in(scope, receive, send)
                return
        await self.app(scope, receive, send)

    async def _sign_in(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        """A sign-in attempt: refused while its address has too many recent failures; a failure counts."""
        client = f"login:{(scope.get('client') or ('?', 0))[0]}"
        try:
            self.logins.refuse_if_full(client, what="failed sign-ins")
        except BusyError as exc:
            await _json(send, 429, str(exc), retry_after=exc.retry_after)
            return

        async def watched(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start" and message["status"] != 200:
                self.logins.record(client)
            await send(message)

        await self.app(scope, receive, watched)


async def _json(send: Any, status: int, message: str, *, retry_after: int | None = None) -> None:
    body = json.dumps({"error": {"message": message, "type": "server_error", "code": str(status)}}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if retry_after is not None:
        headers.append((b"retry-after", str(retry_after).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class Limits:
    """The answer queues (one per backend) and the per-caller rate limiter, shared by UI and API."""

    def __init__(self, *, answer_slots: int, max_queue: int, per_minute: int) -> None:
        self.answer_slots = answer_slots
        self.max_queue = max_queue
        self.limiter = RateLimiter(per_minute)
        self._queues: dict[str, AnswerQueue] = {}

    def queue_for(self, backend: str) -> AnswerQueue:
        if backend not in self._queues:  # the local model answers one question at a time anyway
            slots = 1 if backend == "local" else self.answer_slots
            self._queues[backend] = AnswerQueue(backend, slots=slots, max_waiting=self.max_queue,
                                                typical_seconds=TYPICAL_SECONDS.get(backend, 1.0))
        return self._queues[backend]

    def gate(self, user: str | None, session: str, backend: str) -> Ticket:
        """A UI question: counted against the user's rate limit, then a place in the backend's queue
        (the user's line when signed in, else the browser session's)."""
        if user is not None:
            self.limiter.check(f"user:{user}", what="questions")
        return self.queue_for(backend).admit(f"user:{user}" if user is not None else f"session:{session}")


def build_server(bot: RAG, *, host: str, api: bool = True) -> FastAPI:
    """The FastAPI app: ``/v1`` routes (unless ``api`` is False) and the UI mounted at ``/``."""
    import gradio as gr

    from rag.ui.app import THEME, build_app
    from rag.ui.parts import CSS, JS

    s = bot.settings
    accounts = Accounts(accounts_path(s.index_dir))
    check_exposure(host, accounts)
    started_open = accounts.is_empty()
    limits = Limits(answer_slots=s.answer_slots, max_queue=s.max_queue, per_minute=s.rate_limit_per_minute)

    def role_of(user: str | None) -> str | None:
        if user is None:
            return "editor" if started_open else None
        who = accounts.user(user)
        return who.role if who else None

    def gate(user: str | None, session: str, backend: str | None) -> Ticket:
        return limits.gate(user, session, backend or bot.backend_name)

    async def sign_in(user: str, password: str) -> bool:
        """Gradio awaits this in its event loop: the ~0.3 s argon2 check runs in a worker thread."""
        from starlette.concurrency import run_in_threadpool

        return await run_in_threadpool(accounts.check_password, user, password)

    app = FastAPI(title="rag-chatbot", docs_url=None, redoc_url=None, openapi_url=None)
    install_error_handlers(app)
    if api:
        app.include_router(create_router(Serving(bot=bot, accounts=accounts, queue_for=limits.queue_for,
                                                 limiter=limits.limiter, open_when_empty=is_loopback(host))))
    ui = build_app(bot, role_of=role_of, gate=gate)
    gr.mount_gradio_app(
        app, ui, path="/", auth=None if started_open else sign_in,
        auth_message="请登录 · Please sign in" if accounts.users() else
                     "还没有用户账号：管理员可用 `rag user add NAME --role reader` 添加。 · No user accounts yet: "
                     "an administrator adds one with `rag user add NAME --role reader`.",
        theme=THEME, css=CSS, js=JS, footer_links=[], show_error=False, ssr_mode=False, enable_monitoring=False,
        run_history=False, server_name=host,
    )
    upload_bytes = int(s.max_upload_mb * 2**20 * 1.1) + 2**20  # room for multipart framing; add_file says the exact limit
    app.add_middleware(BodyLimit, limit_for=lambda path: upload_bytes if path.rstrip("/") in UPLOAD_PATHS
                       else s.max_request_kb * 1024)
    app.add_middleware(Guard, accounts=accounts, started_open=started_open)
    logger.info("sign-in %s; %d users, %d keys", "off (loopback, no accounts)" if started_open else "on",
                len(accounts.users()), len(accounts.keys()))
    return app


def _warm_up(bot: RAG) -> None:
    started = time.monotonic()
    try:
        bot.warm_up()
    except RAGError as exc:  # the first question reports it to its user
        logger.warning("warm-up failed: %s", exc)
    else:
        logger.info("models ready in %.1f s", time.monotonic() - started)


def serve(bot: RAG, *, host: str, port: int, api: bool = True) -> None:
    """Build the index if needed, then serve until interrupted."""
    import uvicorn

    app = build_server(bot, host=host, api=api)  # refuses an exposed address before any slow work
    report = bot.index()
    logger.info("index ready: %d documents (%d added, %d updated)", len(bot.documents()),
                len(report.added), len(report.updated))
    # in the background: the address answers at once; a question asked meanwhile waits for the model
    threading.Thread(target=_warm_up, args=(bot,), name="warm-up", daemon=True).start()
    logger.info("serving %s on http://%s:%d/%s", "UI and API" if api else "UI", host, port, " (API under /v1)" if api else "")
    uvicorn.run(app, host=host, port=port, log_level="info", timeout_graceful_shutdown=5)
