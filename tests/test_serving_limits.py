"""Fair sharing: the bounded answer queue, per-caller rate limits and the request body limit."""

from __future__ import annotations

import threading
import time

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from rag.errors import BusyError
from rag.serving.limits import AnswerQueue, BodyLimit, RateLimiter


def test_the_queue_admits_slots_plus_waiting_and_refuses_the_rest_with_a_retry_time() -> None:
    queue = AnswerQueue("local", slots=1, max_waiting=2, typical_seconds=4.0)
    tickets = [queue.admit() for _ in range(3)]
    assert queue.admitted == 3
    with pytest.raises(BusyError, match=r"busy: 3 questions are waiting for the local backend; retry in 4 s") as busy:
        queue.admit()
    assert busy.value.retry_after == 4
    tickets[0].release()  # a caller that went away before its turn frees its place
    tickets[0].release()  # idempotent
    assert queue.admitted == 2
    extra = queue.admit()
    for t in (*tickets[1:], extra):
        t.release()
    assert queue.admitted == 0


def test_only_slots_answers_run_at_once_and_the_retry_time_follows_recent_answers() -> None:
    queue = AnswerQueue("extractive", slots=2, max_waiting=4, typical_seconds=1.0)
    running, peak = 0, 0
    lock = threading.Lock()

    def work() -> None:
        nonlocal running, peak
        with queue.admit():
            with lock:
                running += 1
                peak = max(peak, running)
            time.sleep(0.2)
            with lock:
                running -= 1

    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert peak == 2 and queue.admitted == 0
    # 1 typical second and six answers of ~0.2 s: the mean of the recent durations is ~0.31 s
    assert queue.retry_after() == 1


def test_rate_limit_counts_per_caller_in_a_sliding_minute() -> None:
    now = [1000.0]
    limiter = RateLimiter(3, clock=lambda: now[0])
    for _ in range(3):
        limiter.check("key:a")
    with pytest.raises(BusyError, match=r"rate limit: at most 3 requests per minute; retry in 60 s") as busy:
        limiter.check("key:a")
    assert busy.value.retry_after == 60
    limiter.check("key:b")  # another caller has its own budget
    now[0] += 45
    with pytest.raises(BusyError, match=r"retry in 15 s"):
        limiter.check("key:a")
    now[0] += 15.5
    limiter.check("key:a")
    RateLimiter(0).check("anyone")  # 0 = no limit


def _echo_app(limit: int) -> TestClient:
    async def echo(request: Request) -> JSONResponse:
        return JSONResponse({"bytes": len(await request.body())})

    app = Starlette(routes=[Route("/echo", echo, methods=["POST"]), Route("/upload", echo, methods=["POST"])])
    return TestClient(BodyLimit(app, limit_for=lambda path: 10 * limit if path == "/upload" else limit))


def test_bodies_over_the_limit_get_413_declared_or_streamed() -> None:
    client = _echo_app(1024)
    assert client.post("/echo", content=b"x" * 1024).json() == {"bytes": 1024}
    too_big = client.post("/echo", content=b"x" * 1025)
    assert too_big.status_code == 413
    assert too_big.json()["error"]["message"] == ("request body too large: the limit is 1 KB "
                                                  "(settings max_request_kb; uploads: max_upload_mb)")
    streamed = client.post("/echo", content=iter([b"x" * 600, b"y" * 600]))  # chunked: no length declared
    assert streamed.status_code == 413
    assert client.post("/upload", content=b"x" * 5000).json() == {"bytes": 5000}
