"""Load benchmark of the chat UI: concurrent conversations through the app's Gradio API.

Each conversation is its own Gradio session (its own ``gradio_client.Client``) and asks a
different question from the bundled corpus, then a follow-up. All conversations start together.
The script reports p50/p95 latency per turn (request sent to final answer received) and checks
that every reply belongs to its own conversation: the answer states the fact its question asks
for, the returned chat history holds exactly that conversation's questions, and the sources
panel names that conversation's question.

By default it starts ``ui.py`` in a subprocess over a temporary copy of the corpus with the
``extractive`` backend; ``--url`` measures an app that is already running instead::

    .venv/bin/python benchmarks/ui_load.py                 # 8 conversations, 1 round
    .venv/bin/python benchmarks/ui_load.py --rounds 3 --url http://127.0.0.1:7860/
"""

from __future__ import annotations

import argparse
import html
import logging
import os
import re
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))  # the tests' process helper (tests/processes.py)

from processes import free_port, http_answers, running  # noqa: E402

from rag.evaluation.metrics import percentile  # noqa: E402

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
START_TIMEOUT = 600.0  # seconds for ui.py to build its index and answer HTTP
logger = logging.getLogger("ui_load")


@dataclass(frozen=True)
class Conversation:
    """A question and a follow-up, each with a pattern its answer must match (facts from the corpus)."""

    question: str
    expect: str
    follow_up: str
    expect_follow_up: str


CONVERSATIONS = [
    Conversation("光明区推动了多少家科技支行落地?", r"7家科技支行", "那创新推出了多少个特色科技金融产品?", r"21个"),
    Conversation("光明科技金融大厦集聚了多少家金融机构?", r"金融機構20家", "这座大厦共有多少层?", r"42層"),
    Conversation("光明区连续几年获评“全国工业百强区”?", r"连续4年", "研发投入强度连续几年高于全市平均水平?", r"连续6年"),
    Conversation("围绕全过程创新生态链,深圳提出了多少条硬举措?", r"30条硬举措",
                 "可持续发展议程创新示范区的行动方案提出了多少条举措?", r"41条举措"),
    Conversation("深圳市合成生物产业基金的规模是多少?", r"15[亿億]", "智能传感器产业基金的规模呢?", r"50億"),
    Conversation("光明区有多少名学者入选全球2%顶尖科学家榜单?", r"158名", "有多少人入选全球“高被引科学家”名单?", r"17人"),
    Conversation("光明區的合成生物企業總估值是多少?", r"400亿", "光明区汇聚了多少家合成生物企业?", r"123家"),
    Conversation("光明科学城规划布局了多少个重大科技创新载体?", r"24個", "其中在建和运营的有多少个?", r"20個"),
]


@dataclass
class Result:
    conversation: int
    turn: int  # 1 = first question, 2 = follow-up
    seconds: float
    problems: list[str] = field(default_factory=list)


def _text(content: object) -> str:
    """Visible text of a chat message as the API returns it (HTML string or list of parts)."""
    if isinstance(content, list):
        content = " ".join(str(part.get("text", "")) if isinstance(part, dict) else str(part) for part in content)
    return html.unescape(re.sub(r"<[^>]+>", "", str(content)))


def check_reply(outputs: tuple, conv: Conversation, turn: int) -> list[str]:
    """What is wrong with the outputs of one turn (empty when the reply is this conversation's)."""
    messages, sources = outputs[0], outputs[1]
    asked = [conv.question, conv.follow_up][:turn]
    users = [_text(m["content"]) for m in messages if m["role"] == "user"]
    answers = [_text(m["content"]) for m in messages if m["role"] == "assistant"]
    problems = []
    if users != asked:
        problems.append(f"history holds questions {users}, expected {asked}")
    pattern = conv.expect if turn == 1 else conv.expect_follow_up
    if not answers or not re.search(pattern, answers[-1]):
        problems.append(f"answer {answers[-1][:80] if answers else None!r} does not match {pattern!r}")
    if html.escape(asked[-1], quote=True) not in str(sources):
        problems.append("sources panel does not name this conversation's question")
    return problems


def converse(url: str, index: int, conv: Conversation, start: threading.Barrier, results: list[Result]) -> None:
    """One session: wait for the others, then ask the question and the follow-up."""
    from gradio_client import Client

    client = Client(url, verbose=False, download_files=False, analytics_enabled=False)
    start.wait()
    for turn, question in enumerate((conv.question, conv.follow_up), start=1):
        began = time.perf_counter()
        try:
            outputs = client.submit(question, 5, "extractive", api_name="/ask").result(timeout=300)
            problems = check_reply(outputs, conv, turn)
        except Exception as exc:  # a failed request is a result to report, not a crash of the benchmark
            problems = [f"request failed: {type(exc).__name__}: {exc}"]
        results.append(Result(index, turn, time.perf_counter() - began, problems))


def run_round(url: str, conversations: list[Conversation]) -> tuple[list[Result], float]:
    results: list[Result] = []
    barrier = threading.Barrier(len(conversations))
    threads = [threading.Thread(target=converse, args=(url, i, c, barrier, results))
               for i, c in enumerate(conversations)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, time.perf_counter() - began


@contextmanager
def started_app(backend: str = "extractive") -> Iterator[str]:
    """Run ``ui.py`` over a temporary copy of the corpus with ``backend``; yield its URL."""
    with tempfile.TemporaryDirectory(prefix="ui-load-") as tmp:
        root = Path(tmp)
        shutil.copytree(REPO / "corpus", root / "corpus")
        port = free_port()
        env = dict(os.environ, RAG_CORPUS=str(root / "corpus"), RAG_INDEX_DIR=str(root / "index"),
                   RAG_BACKEND=backend, RAG_FEEDBACK_PATH=str(root / "feedback.jsonl"),
                   GRADIO_ANALYTICS_ENABLED="False")
        url = f"http://127.0.0.1:{port}/"
        with running([sys.executable, str(REPO / "ui.py"), "--port", str(port)], name="ui.py", log_path=root / "ui.log",
                     ready=http_answers(url), timeout=START_TIMEOUT, cwd=REPO, env=env, interval=1.0):
            yield url


def report(results: list[Result], wall: list[float]) -> int:
    """Print latency figures and every mismatch; return the number of bad replies."""
    def line(label: str, values: list[float]) -> str:
        return (f"{label:<12} n={len(values):<3} p50 {percentile(values, 50):6.2f} s   "
                f"p95 {percentile(values, 95):6.2f} s   max {max(values):6.2f} s")

    print(line("all turns", [r.seconds for r in results]))
    print(line("questions", [r.seconds for r in results if r.turn == 1]))
    print(line("follow-ups", [r.seconds for r in results if r.turn == 2]))
    print(f"rounds: {len(wall)}, wall time per round: {statistics.mean(wall):.2f} s "
          f"({len(results) / sum(wall):.2f} answers/s)")
    bad = [r for r in results if r.problems]
    for r in sorted(bad, key=lambda r: (r.conversation, r.turn)):
        print(f"conversation {r.conversation} turn {r.turn}: " + "; ".join(r.problems))
    print(f"replies matching their own conversation: {len(results) - len(bad)}/{len(results)}")
    return len(bad)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="an app that is already running (default: start ui.py)")
    parser.add_argument("--conversations", type=int, default=8, help=f"at most {len(CONVERSATIONS)} (default 8)")
    parser.add_argument("--rounds", type=int, default=1, help="repeat with fresh sessions (default 1)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    if not 1 <= args.conversations <= len(CONVERSATIONS):
        parser.error(f"--conversations must be in 1..{len(CONVERSATIONS)}")
    conversations = CONVERSATIONS[:args.conversations]

    def measure(url: str) -> int:
        results, wall = [], []
        for n in range(args.rounds):
            got, seconds = run_round(url, conversations)
            results += got
            wall.append(seconds)
            print(f"round {n + 1}: {len(got)} answers in {seconds:.2f} s", file=sys.stderr)
        print(f"{len(conversations)} concurrent conversations (question + follow-up), extractive backend, {url}")
        return report(results, wall)

    if args.url:
        return 1 if measure(args.url) else 0
    with started_app() as url:
        return 1 if measure(url) else 0


if __name__ == "__main__":
    sys.exit(main())
