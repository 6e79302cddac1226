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
    tickets = [queue.admit(f"key:{name}") for name in "abc"]
    assert queue.admitted == 3
    with pytest.raises(BusyError, match=r"busy: 3 questions are waiting for the local backend; retry in 4 s") as busy:
        queue.admit("key:d")
    assert busy.value.retry_after == 4
    tickets[0].release()  # a caller that went away before its turn frees its place
    tickets[0].release()  # idempotent
    assert queue.admitted == 2
    extra = queue.admit("key:d")
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


def _run_in_turn(queue: AnswerQueue, callers: str) -> list[str]:
    """Admit one question per letter of ``callers`` while a first question holds the only slot;
    the order in which they then run."""
    order: list[str] = []
    hold = threading.Event()
    first = queue.admit("key:first")
    tickets = [(c, queue.admit(f"key:{c}")) for c in callers]

    def run(caller: str, ticket) -> None:  # type: ignore[no-untyped-def]
        with ticket:
            order.append(caller)

    with first:
        threads = [threading.Thread(target=run, args=pair) for pair in tickets]
        for t in threads:
            t.start()
        hold.wait(0.2)  # every thread is now waiting for its turn
    for t in threads:
        t.join(5)
    return order


def test_free_slots_go_round_the_callers_so_a_burst_delays_only_its_sender() -> None:
    queue = AnswerQueue("local", slots=1, max_waiting=8)
    # "a" sent four questions before "b" and "c" sent one each: b and c do not wait behind all of a's
    assert _run_in_turn(queue, "aaaabc") == ["a", "b", "c", "a", "a", "a"]
    assert queue.admitted == 0


def test_one_caller_cannot_fill_the_line_that_others_need() -> None:
    queue = AnswerQueue("local", slots=1, max_waiting=4)
    mine = [queue.admit("key:burst") for _ in range(queue.per_caller + queue.slots)]  # 2 waiting + 1 about to run
    with pytest.raises(BusyError, match=r"busy: 3 of your questions are already waiting for the local backend"):
        queue.admit("key:burst")
    other = queue.admit("key:other")  # the line still has room for someone else
    assert queue.admitted == 4
    for t in (*mine, other):
        t.release()
    assert queue.admitted == 0 and queue.admit("key:burst")


def test_a_place_nobody_came_for_does_not_block_the_line() -> None:
    queue = AnswerQueue("local", slots=1, max_waiting=4)
    gone = queue.admit("key:gone")  # first in line; its response never starts
    with queue.admit("key:later"):
        assert queue.admitted == 2
    gone.release()
    assert queue.admitted == 0


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
