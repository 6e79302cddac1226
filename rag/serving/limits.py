"""Fair sharing: a bounded queue in front of each answer backend, per-caller rate limits, and a
request body size limit. Each refusal is a ``BusyError`` (HTTP 429) that says when to retry.

Why a bounded queue: the local model answers one question at a time (about 5 s each on 2 cores),
so an unbounded line makes the last caller wait minutes and then time out anyway. Callers past
``slots + max_waiting`` are told at once to come back in N seconds, N estimated from the recent
answer times, and the accepted ones get a bounded wait.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from types import TracebackType
from typing import Any

from rag.errors import BusyError

RECENT_ANSWERS = 20  # answer durations kept per backend for the Retry-After estimate


class AnswerQueue:
    """At most ``slots`` answers at once and ``max_waiting`` more in line; the rest get ``BusyError``.

    The line is fair between callers (an API key, a signed-in user, a browser session): free slots
    go round the callers with questions waiting, one question each, so a client that sends many
    questions at once delays only itself; and one caller may hold at most half the waiting places,
    so it cannot fill the line that others need.
    """

    def __init__(self, name: str, *, slots: int, max_waiting: int, typical_seconds: float = 1.0) -> None:
        if slots < 1 or max_waiting < 0:
            raise ValueError(f"slots must be >= 1 and max_waiting >= 0, got {slots} and {max_waiting}")
        self.name = name
        self.slots = slots
        self.max_waiting = max_waiting
        self.per_caller = max(1, math.ceil(max_waiting / 2))  # waiting places one caller may hold
        self._cond = threading.Condition()
        self._running = 0
        self._admitted = 0  # running + waiting
        self._lines: OrderedDict[str, deque[Ticket]] = OrderedDict()  # waiting tickets by caller, in turn order
        self._recent: deque[float] = deque([typical_seconds], maxlen=RECENT_ANSWERS)

    @property
    def admitted(self) -> int:
        return self._admitted

    def retry_after(self) -> int:
        """Seconds until a newcomer would likely be admitted: the line ahead, at recent speed."""
        with self._cond:
            mean = sum(self._recent) / len(self._recent)
            rounds = math.ceil(max(1, self._admitted - self.max_waiting) / self.slots)
            return max(1, math.ceil(mean * rounds))

    def admit(self, caller: str = "anyone") -> Ticket:
        """A place in ``caller``'s line, or ``BusyError`` when the line (or the caller's share) is full.

        Use the ticket as a context manager.
        """
        with self._cond:
            waiting = self._admitted - self._running
            full = self._admitted >= self.slots + self.max_waiting
            own = len(self._lines.get(caller, ()))
            hogging = own >= self.per_caller + self.slots  # its line holds the ones about to run, too
            if not (full or hogging):
                ticket = Ticket(self, caller)
                self._lines.setdefault(caller, deque()).append(ticket)
                self._admitted += 1
                return ticket
        seconds = self.retry_after()
        if full:
            raise BusyError(f"busy: {waiting} questions are waiting for the {self.name} backend; "
                            f"retry in {seconds} s", retry_after=seconds)
        raise BusyError(f"busy: {own} of your questions are already waiting for the {self.name} backend; "
                        f"retry in {seconds} s", retry_after=seconds)

    def _next(self) -> Ticket | None:
        """The ticket whose turn it is: the first question that is waiting for it, of the caller first
        in turn. Admitted tickets nobody waits on yet (a response not started) hold no one up."""
        for line in self._lines.values():
            for ticket in line:
                if ticket.waiting:
                    return ticket
        return None

    def _enter(self, ticket: Ticket) -> None:
        with self._cond:
            ticket.waiting = True
            self._cond.notify_all()
            self._cond.wait_for(lambda: self._running < self.slots and self._next() is ticket)
            self._leave_line(ticket)
            if ticket.caller in self._lines:  # the caller has more waiting: it goes to the back
                self._lines.move_to_end(ticket.caller)
            self._running += 1
            self._cond.notify_all()

    def _leave_line(self, ticket: Ticket) -> None:
        line = self._lines.get(ticket.caller)
        if line is not None and ticket in line:
            line.remove(ticket)
            if not line:
                del self._lines[ticket.caller]

    def _exit(self, ticket: Ticket, seconds: float | None) -> None:
        with self._cond:
            if seconds is None:
                self._leave_line(ticket)  # it never ran
            else:
                self._running -= 1
                self._recent.append(seconds)
            self._admitted -= 1
            self._cond.notify_all()


class Ticket:
    """A place in an ``AnswerQueue``: ``with ticket:`` waits for its turn and holds a slot until the block ends.

    ``release()`` gives the place back without ever running (a client that went away); it is
    idempotent, and the ``with`` block releases too.
    """

    def __init__(self, queue: AnswerQueue, caller: str) -> None:
        self._queue = queue
        self.caller = caller
        self.waiting = False  # its holder is waiting for its turn (guarded by the queue's lock)
        self._started: float | None = None
        self._done = False
        self._lock = threading.Lock()

    def __enter__(self) -> Ticket:
        self._queue._enter(self)
        self._started = time.monotonic()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.release()

    def release(self) -> None:
        with self._lock:
            if self._done:
                return
            self._done = True
        seconds = None if self._started is None else time.monotonic() - self._started
        self._queue._exit(self, seconds)


class RateLimiter:
    """At most ``per_minute`` calls per caller in any 60 s window (0 = no limit)."""

    WINDOW = 60.0

    def __init__(self, per_minute: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self._clock = clock
        self._calls: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, caller: str, *, what: str = "requests") -> None:
        """Count one call by ``caller``; ``BusyError`` (not counted) when over the limit."""
        self.refuse_if_full(caller, what=what)
        self.record(caller)

    def refuse_if_full(self, caller: str, *, what: str = "requests") -> None:
        """``BusyError`` when ``caller`` has used up the last minute's calls; counts nothing."""
        if self.per_minute <= 0:
            return
        now = self._clock()
        with self._lock:
            calls = self._calls.setdefault(caller, deque())
            while calls and calls[0] <= now - self.WINDOW:
                calls.popleft()
            if len(calls) >= self.per_minute:
                seconds = max(1, math.ceil(calls[0] + self.WINDOW - now))
                raise BusyError(f"rate limit: at most {self.per_minute} {what} per minute; retry in {seconds} s",
                                retry_after=seconds)

    def record(self, caller: str) -> None:
        """Count one call by ``caller``."""
        if self.per_minute > 0:
            with self._lock:
                self._calls.setdefault(caller, deque()).append(self._clock())


# ---------------------------------------------------------------- request size
Scope = dict[str, Any]
Receive = Callable[[], Any]
Send = Callable[[dict[str, Any]], Any]


class BodyLimit:
    """ASGI middleware: 413 for a request body over ``limit_for(path)`` bytes, declared or streamed.

    A body without a declared length is counted as it arrives; past the limit the app is told
    the client left, and whatever it answers is replaced by the 413.
    """

    def __init__(self, app: Any, *, limit_for: Callable[[str], int]) -> None:
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await _drain(receive)
            await _too_large(send, limit)
            return
        seen = 0
        over = False

        async def counted() -> dict[str, Any]:
            nonlocal seen, over
            if over:
                return {"type": "http.disconnect"}
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > limit:
                over = True
                return {"type": "http.disconnect"}
            return message

        async def guarded(message: dict[str, Any]) -> None:
            if not over:
                await send(message)

        try:
            await self.app(scope, counted, guarded)
        except Exception:
            if not over:
                raise
        if over:
            await _too_large(send, limit)


DRAIN_BYTES = 32 * 2**20  # read (and drop) this much of a refused body, so the client gets to read the 413


async def _drain(receive: Receive) -> None:
    """Read and drop the body: a server that closes while a client still sends resets the
    connection, and the client then never sees the answer. Past ``DRAIN_BYTES`` it closes anyway."""
    drained = 0
    while drained <= DRAIN_BYTES:
        message = await receive()
        drained += len(message.get("body", b""))
        if message["type"] != "http.request" or not message.get("more_body"):
            return


async def _too_large(send: Send, limit: int) -> None:
    size = f"{limit / 2**20:.1f} MB" if limit >= 2**20 else f"{limit // 1024} KB"
    body = json.dumps({"error": {"message": f"request body too large: the limit is {size} "
                                             "(settings max_request_kb; uploads: max_upload_mb)",
                                 "type": "invalid_request_error", "code": "request_too_large"}}).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})
