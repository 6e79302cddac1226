"""Answer latency: single questions and conversation turns, through ``RAG.stream``.

    python benchmarks/answer_latency.py [--backend local] [--questions 30] [--conversations 15]

Single questions are the test half's fact, cross-script and English questions, evenly spaced
over the file so that their mix of languages is the set's; conversation
turns are the follow-ups of its conversations, asked with the product's own earlier answers as
history (as the chat UI does). Prints first-token and whole-answer p50/p95 for each, the
ratio of a follow-up turn to a single question, and the process's peak resident memory (both
llama.cpp contexts and their state caches, after Chinese, English and follow-up questions). Run it
on a quiet machine: the local model reads its prompt on the same two cores as everything else.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rag import RAG, Answer  # noqa: E402
from rag.evaluation.metrics import percentile  # noqa: E402
from rag.types import ChatMessage, backend_name  # noqa: E402

SINGLE_TYPES = ("fact", "cross-script", "english")
STAGES = ("condense", "retrieve", "first_token", "generate", "verify")  # of Answer.timings: where a turn's time goes


def timed(bot: RAG, question: str, history: list[ChatMessage], backend: str) -> tuple[float, float, Answer]:
    """(seconds to the first text, seconds to the final answer, the answer) of one streamed turn."""
    started = time.perf_counter()
    first = None
    answer = None
    for event in bot.stream(question, history=history, backend=backend_name(backend)):
        if isinstance(event, str):
            first = first if first is not None else time.perf_counter() - started
        else:
            answer = event
    total = time.perf_counter() - started
    assert answer is not None
    return (first if first is not None else total), total, answer


def summary(label: str, values: list[float]) -> str:
    return (f"{label:<28} n={len(values):<3} p50 {percentile(values, 50):6.2f} s   p95 {percentile(values, 95):6.2f} s"
            f"   max {max(values):6.2f} s")


def add_stages(stages: dict[str, list[float]], answer: Answer) -> None:
    for stage in stages:
        if stage in answer.timings:
            stages[stage].append(answer.timings[stage])


def stage_p50(stages: dict[str, list[float]], stage: str) -> str:
    values = stages[stage]
    return f"{percentile(values, 50):5.2f} s (n={len(values)})" if values else "   -"


def spread(items: list[str], n: int) -> list[str]:
    """``n`` items evenly spaced over ``items``: the file groups its types (English questions come
    last), and the first ``n`` alone would leave out the English ones that conversations do have."""
    if n >= len(items):
        return items
    return [items[i * len(items) // n] for i in range(n)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", default="local")
    parser.add_argument("--questions", type=int, default=30, help="single questions to time")
    parser.add_argument("--conversations", type=int, default=15, help="conversations whose follow-ups are timed")
    parser.add_argument("--file", type=Path, default=ROOT / "benchmarks" / "eval" / "test.jsonl")
    args = parser.parse_args()
    items = [json.loads(line) for line in args.file.read_text(encoding="utf-8").splitlines() if line.strip()]
    singles = spread([i["q"] for i in items if i["type"] in SINGLE_TYPES], args.questions)
    conversations = [[t["q"] for t in i["turns"]] for i in items if i["type"] == "conversation"][: args.conversations]

    bot = RAG()
    bot.index()
    bot.warm_up(backend=backend_name(args.backend))  # as the servers do at start: models and fixed prompt prefixes
    timed(bot, "光明区有多少名院士?", [], args.backend)
    first_single, total_single = [], []
    stages_single: dict[str, list[float]] = {s: [] for s in STAGES}
    for q in singles:
        first, total, answer = timed(bot, q, [], args.backend)
        first_single.append(first)
        total_single.append(total)
        add_stages(stages_single, answer)
    first_turn, total_turn = [], []
    stages_turn: dict[str, list[float]] = {s: [] for s in STAGES}
    for turns in conversations:
        history: list[ChatMessage] = []
        for n, q in enumerate(turns):
            first, total, answer = timed(bot, q, history, args.backend)
            if n:
                first_turn.append(first)
                total_turn.append(total)
                add_stages(stages_turn, answer)
            history += [{"role": "user", "content": q}, {"role": "assistant", "content": answer.text}]
    print(f"backend {args.backend}; questions from {args.file.name}")
    print(summary("single question, first text", first_single))
    print(summary("single question, answer", total_single))
    print(summary("follow-up turn, first text", first_turn))
    print(summary("follow-up turn, answer", total_turn))
    for stage in STAGES:
        print(f"  {stage:<12} p50 single {stage_p50(stages_single, stage)}   follow-up {stage_p50(stages_turn, stage)}")
    ratio = statistics.median(total_turn) / statistics.median(total_single)
    print(f"follow-up turn / single question (answer p50): {ratio:.2f}")
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2  # Linux reports KiB
    print(f"peak resident memory of this process: {peak_gb:.2f} GB")
    print(json.dumps({"first_p50": percentile(first_single, 50), "first_p95": percentile(first_single, 95),
                      "answer_p50": percentile(total_single, 50), "turn_answer_p50": percentile(total_turn, 50),
                      "turn_ratio": round(ratio, 3), "peak_rss_gb": round(peak_gb, 2)}))


if __name__ == "__main__":
    main()
