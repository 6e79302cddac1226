"""Load benchmark of ``rag serve``: concurrent API clients and browser sessions for a fixed time.

Starts ``rag serve`` over a temporary copy of the bundled corpus (each API client gets its own
reader key, each browser session its own reader account), then for ``--minutes``:

* ``--clients`` API clients (the ``openai`` package; every other one streams) each hold one
  conversation of ``ui_load.CONVERSATIONS``: the question, then the follow-up with the history,
  over and over. A 429 is obeyed (sleep ``Retry-After``) and counted, by kind (queue or rate limit).
* ``--sessions`` UI sessions through the app's Gradio API, signed in, as ``ui_load.py`` does:
  a fresh session per question and follow-up.

Every answer is checked against its own conversation's expected fact (an answer delivered to the
wrong session fails the check). Printed: latency p50/p95 of accepted requests, counts of answers,
429s and errors. The extractive backend measures the serving machinery; ``--backend local`` shows
the queue bounding the wait of accepted requests while the rest are told to come back::

    nice -n 10 .venv/bin/python benchmarks/api_load.py                        # 32 clients, 8 sessions, 5 min
    nice -n 10 .venv/bin/python benchmarks/api_load.py --backend local --minutes 2
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))  # the tests' process helper (tests/processes.py)

from processes import free_port, http_answers, running  # noqa: E402
from ui_load import CONVERSATIONS, Conversation, _text, check_reply  # noqa: E402

from rag.evaluation.metrics import percentile  # noqa: E402
from rag.serving.accounts import Accounts, accounts_path  # noqa: E402

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
START_TIMEOUT = 600.0
PASSWORD = "bench-password-1"


@dataclass
class Outcome:
    kind: str  # "api-stream" | "api" | "ui"
    status: str  # "ok" | "wrong" | "429-busy" | "429-rate" | "error"
    seconds: float
    detail: str = ""


class Tally:
    def __init__(self) -> None:
        self.outcomes: list[Outcome] = []
        self._lock = threading.Lock()

    def add(self, outcome: Outcome) -> None:
        with self._lock:
            self.outcomes.append(outcome)


def states_fact(text: str, pattern: str) -> bool:
    """The answer states its conversation's fact: the extractive backend quotes it exactly (the
    pattern), a model may paraphrase it (simplified script, other word order) but keeps its figure."""
    if re.search(pattern, text):
        return True
    figures = re.findall(r"\d+", pattern)
    return bool(figures) and all(re.search(rf"(?<!\d){f}(?!\d)", text) for f in figures)


def _busy_kind(message: str) -> str:
    return "429-rate" if "rate limit" in message else "429-busy"


def api_client(url: str, key: str, conv: Conversation, *, stream: bool, deadline: float, tally: Tally) -> None:
    """One API client holding one conversation until ``deadline``."""
    import openai

    client = openai.OpenAI(base_url=url + "/v1", api_key=key, max_retries=0, timeout=600)
    kind = "api-stream" if stream else "api"
    while time.monotonic() < deadline:
        history: list[dict] = []
        for question, pattern in ((conv.question, conv.expect), (conv.follow_up, conv.expect_follow_up)):
            messages = [*history, {"role": "user", "content": question}]
            began = time.perf_counter()
            try:
                text = _ask(client, messages, stream=stream)
            except openai.RateLimitError as exc:
                message = str(exc)
                tally.add(Outcome(kind, _busy_kind(message), time.perf_counter() - began))
                retry = exc.response.headers.get("retry-after", "1")
                time.sleep(min(float(retry), max(0.0, deadline - time.monotonic())))
                break  # start the conversation again
            except Exception as exc:  # a failure is a result to report, not a crash of the benchmark
                tally.add(Outcome(kind, "error", time.perf_counter() - began, f"{type(exc).__name__}: {exc}"[:200]))
                time.sleep(1.0)
                break
            ok = states_fact(text, pattern)
            tally.add(Outcome(kind, "ok" if ok else "wrong", time.perf_counter() - began,
                              "" if ok else f"{question} -> {text[:80]!r}"))
            history = [*messages, {"role": "assistant", "content": text}]
            if time.monotonic() >= deadline:
                return


def _ask(client, messages: list[dict], *, stream: bool) -> str:
    if not stream:
        reply = client.chat.completions.create(model="rag", messages=messages)
        return reply.choices[0].message.content or ""
    pieces = []
    for chunk in client.chat.completions.create(model="rag", messages=messages, stream=True):
        if chunk.choices and chunk.choices[0].delta.content:
            pieces.append(chunk.choices[0].delta.content)
    return "".join(pieces)


def ui_session(url: str, user: str, conv: Conversation, *, backend: str, deadline: float, tally: Tally) -> None:
    """One signed-in user holding one conversation (a fresh Gradio session each time) until ``deadline``."""
    from gradio_client import Client

    client = None
    while client is None and time.monotonic() < deadline:
        began = time.perf_counter()
        try:
            client = Client(url, auth=(user, PASSWORD), verbose=False, download_files=False, analytics_enabled=False,
                            httpx_kwargs={"timeout": 60})
        except Exception as exc:  # noqa: BLE001 - counted and retried
            tally.add(Outcome("ui", "error", time.perf_counter() - began, f"sign-in: {type(exc).__name__}: {exc}"[:200]))
            time.sleep(1.0)
    while client is not None and time.monotonic() < deadline:
        client.reset_session()  # a new conversation, as a new browser tab would have
        for turn, question in enumerate((conv.question, conv.follow_up), start=1):
            began = time.perf_counter()
            try:
                outputs = client.submit(question, 5, backend, api_name="/ask").result(timeout=600)
            except Exception as exc:  # a failure is a result to report, not a crash of the benchmark
                tally.add(Outcome("ui", "error", time.perf_counter() - began, f"{type(exc).__name__}: {exc}"[:200]))
                time.sleep(1.0)
                break
            seconds = time.perf_counter() - began
            last = str(outputs[0][-1]["content"]) if outputs and outputs[0] else ""
            if "busy:" in last or "rate limit:" in last:
                tally.add(Outcome("ui", _busy_kind(last), seconds))
                time.sleep(float(m.group(1)) if (m := re.search(r"retry in (\d+) s", last)) else 1.0)
                break
            pattern = conv.expect if turn == 1 else conv.expect_follow_up
            problems = [p for p in check_reply(outputs, conv, turn) if "does not match" not in p]
            if not states_fact(_text(outputs[0][-1]["content"]), pattern):
                problems.append(f"answer {_text(outputs[0][-1]['content'])[:80]!r} does not state {pattern!r}")
            tally.add(Outcome("ui", "wrong" if problems else "ok", seconds, "; ".join(problems)))
            if time.monotonic() >= deadline:
                return


@contextmanager
def started_server(backend: str, *, clients: int, sessions: int) -> Iterator[tuple[str, list[str], list[str]]]:
    """``rag serve`` over a copy of the corpus; yields its URL, the API keys and the user names."""
    with tempfile.TemporaryDirectory(prefix="api-load-") as tmp:
        root = Path(tmp)
        shutil.copytree(REPO / "corpus", root / "corpus")
        accounts = Accounts(accounts_path(root / "index"))
        keys = [accounts.create_key(f"client{i}", role="reader") for i in range(clients)]
        users = [f"user{i}" for i in range(sessions)]
        for user in users:
            accounts.add_user(user, role="reader", password=PASSWORD)
        port = free_port()
        env = dict(os.environ, RAG_CORPUS=str(root / "corpus"), RAG_INDEX_DIR=str(root / "index"),
                   RAG_BACKEND=backend, RAG_FEEDBACK_PATH=str(root / "feedback.jsonl"), GRADIO_ANALYTICS_ENABLED="False")
        url = f"http://127.0.0.1:{port}"
        with running([sys.executable, "-m", "rag.cli", "serve", "--port", str(port)], name="rag serve",
                     log_path=root / "serve.log", ready=http_answers(url + "/v1/health", any_status=True),
                     timeout=START_TIMEOUT, cwd=REPO, env=env, interval=1.0):  # 401 without a key: it is up
            yield url, keys, users


def report(tally: Tally, *, seconds: float) -> int:
    """Print the figures; return the number of failures (wrong answers and errors other than 429)."""
    out = tally.outcomes
    print(f"{len(out)} requests in {seconds:.0f} s")
    for kind in ("api", "api-stream", "ui"):
        mine = [o for o in out if o.kind == kind]
        counts = Counter(o.status for o in mine)
        ok = [o.seconds for o in mine if o.status == "ok"]
        figures = (f"p50 {percentile(ok, 50):6.2f} s  p95 {percentile(ok, 95):6.2f} s  max {max(ok):6.2f} s"
                   if ok else "no answers")
        print(f"{kind:<11} answers {counts['ok']:<5} {figures}   429 queue {counts['429-busy']:<4} "
              f"429 rate {counts['429-rate']:<4} wrong {counts['wrong']:<3} errors {counts['error']}")
    accepted = [o.seconds for o in out if o.status == "ok"]
    if accepted:
        print(f"all answers {len(accepted)}: p50 {percentile(accepted, 50):.2f} s, p95 {percentile(accepted, 95):.2f} s, "
              f"{len(accepted) / seconds:.2f} answers/s")
    bad = [o for o in out if o.status in ("wrong", "error")]
    for o in bad[:20]:
        print(f"  {o.kind} {o.status}: {o.detail}")
    print(f"answers not stating their own conversation's fact (wrong session, or a refusal): "
          f"{sum(o.status == 'wrong' for o in out)}; "
          f"errors other than 429: {sum(o.status == 'error' for o in out)}")
    return len(bad)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", default="extractive", choices=("extractive", "local"))
    parser.add_argument("--clients", type=int, default=32, help="concurrent API clients (default 32)")
    parser.add_argument("--sessions", type=int, default=8, help="concurrent UI sessions (default 8)")
    parser.add_argument("--minutes", type=float, default=5.0)
    args = parser.parse_args()
    with started_server(args.backend, clients=args.clients, sessions=args.sessions) as (url, keys, users):
        tally = Tally()
        deadline = time.monotonic() + args.minutes * 60
        threads = [threading.Thread(target=api_client, args=(url, key, CONVERSATIONS[i % len(CONVERSATIONS)]),
                                    kwargs={"stream": i % 2 == 1, "deadline": deadline, "tally": tally})
                   for i, key in enumerate(keys)]
        threads += [threading.Thread(target=ui_session, args=(url, user, CONVERSATIONS[i % len(CONVERSATIONS)]),
                                     kwargs={"backend": args.backend, "deadline": deadline, "tally": tally})
                    for i, user in enumerate(users)]
        began = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        print(f"{args.clients} API clients + {args.sessions} UI sessions, {args.backend} backend, "
              f"{args.minutes:g} min, default limits (max_queue 8, rate_limit_per_minute 60)")
        return 1 if report(tally, seconds=time.monotonic() - began) else 0


if __name__ == "__main__":
    sys.exit(main())
