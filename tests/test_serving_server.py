"""``rag.serving.server`` in this process over a small index (hash embedder, scripted or extractive
generator), served by uvicorn on 127.0.0.1: the exposure rule, sign-in switching on, the answer
queue's 429 with Retry-After, per-key rate limits and the request size limit."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fakes import HashEmbedder, ScriptedGenerator
from processes import free_port

from rag import RAG
from rag.serving.accounts import Accounts, accounts_path
from rag.serving.limits import AnswerQueue, Ticket
from rag.serving.server import ExposureError, build_server, check_exposure, is_loopback

pytestmark = pytest.mark.server  # each test module starts a real rag serve process

FACT = "光明区推动7家科技支行落地，设立科技金融服务中心。"


def make_bot(root: Path, *, llm: ScriptedGenerator | None = None, **settings: object) -> RAG:
    (root / "corpus").mkdir(parents=True)
    (root / "corpus" / "bank.txt").write_text(FACT, encoding="utf-8")
    bot = RAG(corpus=root / "corpus", index_dir=root / "index", embedder=HashEmbedder(),
              llm=llm or ScriptedGenerator.answering("推动7家科技支行落地[1]。"), feedback_path=root / "feedback.jsonl",
              **settings)
    bot.index()
    return bot


@contextmanager
def running(bot: RAG) -> Iterator[str]:
    """The server of ``bot`` on a free loopback port, in a thread; yields its URL."""
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(build_server(bot, host="127.0.0.1"), host="127.0.0.1", port=free_port(),
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{server.config.port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def call(url: str, path: str, *, key: str | None = None, body: dict | None = None,
         data: bytes | None = None) -> tuple[int, dict, dict]:
    request = urllib.request.Request(url + path, data=data)
    if body is not None:
        request.data = json.dumps(body).encode()
        request.add_header("Content-Type", "application/json")
    if key:
        request.add_header("Authorization", f"Bearer {key}")
    try:
        with urllib.request.urlopen(request, timeout=30) as resp:
            raw = resp.read()
            return resp.status, json.loads(raw) if raw.startswith(b"{") else {}, dict(resp.headers)
    except urllib.error.HTTPError as exc:
        raw = exc.read()
        return exc.code, json.loads(raw) if raw.startswith(b"{") else {}, dict(exc.headers)


def ask_body(question: str = "光明区推动了多少家科技支行落地?") -> dict:
    return {"model": "rag", "messages": [{"role": "user", "content": question}]}


def test_loopback_addresses() -> None:
    assert [is_loopback(h) for h in ("127.0.0.1", "127.8.9.10", "localhost", "::1", "[::1]")] == [True] * 5
    assert [is_loopback(h) for h in ("0.0.0.0", "192.168.1.5", "::", "example.com")] == [False] * 4


def test_exposure_needs_an_account_or_a_key(tmp_path: Path) -> None:
    accounts = Accounts(accounts_path(tmp_path))
    check_exposure("127.0.0.1", accounts)
    with pytest.raises(ExposureError, match=r"(?s)refusing to listen on 0\.0\.0\.0: .* rag user add NAME --role editor"):
        check_exposure("0.0.0.0", accounts)
    accounts.create_key("ci", role="reader")
    check_exposure("0.0.0.0", accounts)


def test_open_on_loopback_until_an_account_appears(tmp_path: Path) -> None:
    bot = make_bot(tmp_path)
    with running(bot) as url:
        status, body, _ = call(url, "/v1/chat/completions", body=ask_body())
        assert status == 200 and body["choices"][0]["message"]["content"] == "推动7家科技支行落地[1]。"
        assert body["citations"][0]["quote"] == FACT and body["citations"][0]["doc_id"] == "bank"
        assert call(url, "/")[0] == 200
        key = Accounts(accounts_path(bot.settings.index_dir)).create_key("ci", role="reader")  # while running
        status, body, _ = call(url, "/v1/health")
        assert status == 401 and body["error"]["code"] == "invalid_api_key"
        assert call(url, "/v1/health", key=key)[0] == 200
        status, body, _ = call(url, "/")
        assert status == 503 and "restart it (rag serve) to turn sign-in on" in body["error"]["message"]


def test_with_accounts_the_ui_asks_for_sign_in(tmp_path: Path) -> None:
    bot = make_bot(tmp_path)
    Accounts(accounts_path(bot.settings.index_dir)).add_user("alice", role="reader", password="alice-pass-1")
    with running(bot) as url:
        assert call(url, "/config")[0] == 401
        assert call(url, "/gradio_api/info")[0] == 401
        status, _, _ = call(url, "/login", data=b"username=alice&password=wrong-pass")
        assert status == 400
        status, _, headers = call(url, "/login", data=b"username=alice&password=alice-pass-1")
        assert status == 200 and "access-token" in headers.get("set-cookie", "")
        assert "alice-pass-1" not in json.dumps(headers)
        for _ in range(9):  # 10 failures a minute per address
            assert call(url, "/login", data=b"username=alice&password=guess")[0] == 400
        status, body, headers = call(url, "/login", data=b"username=alice&password=alice-pass-1")
        assert status == 429 and headers["retry-after"].isdigit()  # even the right password must wait now
        assert body["error"]["message"].startswith("rate limit: at most 10 failed sign-ins per minute")


def test_a_full_queue_answers_429_with_retry_after(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    release = threading.Event()
    admitted = threading.Semaphore(0)
    admit = AnswerQueue.admit

    def counted(queue: AnswerQueue, caller: str = "anyone") -> Ticket:
        ticket = admit(queue, caller)
        admitted.release()
        return ticket

    monkeypatch.setattr(AnswerQueue, "admit", counted)  # to know when both are in, however slow the machine

    def slow(messages: list) -> str:
        release.wait(timeout=20)
        return "推动7家科技支行落地[1]。"

    bot = make_bot(tmp_path, llm=ScriptedGenerator(slow), answer_slots=1, max_queue=1)
    results: list[int] = []
    with running(bot) as url:
        threads = [threading.Thread(target=lambda: results.append(call(url, "/v1/chat/completions", body=ask_body())[0]))
                   for _ in range(2)]
        for t in threads:
            t.start()
        assert all(admitted.acquire(timeout=60) for _ in threads)  # one answering, one waiting: the queue is full
        status, body, headers = call(url, "/v1/chat/completions", body=ask_body())
        release.set()
        for t in threads:
            t.join()
    assert status == 429 and headers["retry-after"] == "1"
    assert body["error"] == {"message": "busy: 1 questions are waiting for the scripted backend; retry in 1 s",
                             "type": "rate_limit_error", "code": "busy"}
    assert sorted(results) == [200, 200]


def test_rate_limit_per_key_and_request_size(tmp_path: Path) -> None:
    bot = make_bot(tmp_path, rate_limit_per_minute=3, max_request_kb=4)
    accounts = Accounts(accounts_path(bot.settings.index_dir))
    one, two = accounts.create_key("one", role="reader"), accounts.create_key("two", role="reader")
    with running(bot) as url:
        assert [call(url, "/v1/health", key=one)[0] for _ in range(3)] == [200, 200, 200]
        status, body, headers = call(url, "/v1/health", key=one)
        assert status == 429 and 55 <= int(headers["retry-after"]) <= 60
        assert body["error"]["message"].startswith("rate limit: at most 3 requests per minute; retry in")
        assert call(url, "/v1/health", key=two)[0] == 200  # each key has its own budget
        status, body, _ = call(url, "/v1/chat/completions", key=two, body=ask_body("长" * 5000))
        assert status == 413 and body["error"]["message"].startswith("request body too large: the limit is 4 KB")
