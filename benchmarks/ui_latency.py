"""Answer latency as a person sees it: the chat UI in headless Chromium, single questions and follow-ups.

    python benchmarks/ui_latency.py [--backend local] [--questions 20] [--conversations 8]

Starts ``ui.py`` over a temporary copy of the bundled corpus, opens it in Debian's Chromium
(Playwright drives it; no browser is downloaded), types each single question in a new chat (the
same questions ``answer_latency.py`` times through the API: the test half's fact, cross-script
and English questions, evenly spaced), then for each conversation of the test half its first
question and its follow-ups, timing from pressing Enter to the first answer text on screen and
to the finished answer. Prints p50/p95 for single questions (a conversation's first question is
one too), for follow-up turns, and their ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from answer_latency import SINGLE_TYPES, spread  # noqa: E402  (the API benchmark's choice of questions)
from ui_load import started_app  # noqa: E402  (ui.py on a free port over a copy of the corpus)

from rag.evaluation.metrics import percentile  # noqa: E402

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TIMEOUT_MS = 180_000
FIRST_TEXT = ("() => { const a = document.querySelectorAll('#chat .answer'); const last = a[a.length - 1];"
              " return a.length > {n} && last && !last.querySelector('.waiting'); }")
CLEARED = "() => document.querySelectorAll('#chat .answer').length === 0"
FINISHED = "() => document.querySelectorAll('#chat .answer:not(.streaming)').length > {n}"


def ask(page, question: str) -> tuple[float, float]:
    """(seconds to the first answer text, seconds to the finished answer) after pressing Enter."""
    n = page.locator("#chat .answer:not(.streaming)").count()
    page.fill("#question textarea", question)
    started = time.perf_counter()
    page.press("#question textarea", "Enter")
    page.wait_for_function(FIRST_TEXT.replace("{n}", str(n)), timeout=TIMEOUT_MS, polling=50)
    first = time.perf_counter() - started
    page.wait_for_function(FINISHED.replace("{n}", str(n)), timeout=TIMEOUT_MS, polling=50)
    return first, time.perf_counter() - started


def line(label: str, values: list[float]) -> str:
    return f"{label:<26} n={len(values):<3} p50 {percentile(values, 50):6.2f} s   p95 {percentile(values, 95):6.2f} s"


def main() -> None:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", default="local")
    parser.add_argument("--questions", type=int, default=20, help="single questions, each in a new chat")
    parser.add_argument("--conversations", type=int, default=8)
    parser.add_argument("--file", type=Path, default=ROOT / "benchmarks" / "eval" / "test.jsonl")
    args = parser.parse_args()
    items = [json.loads(x) for x in args.file.read_text(encoding="utf-8").splitlines() if x.strip()]
    singles = [[q] for q in spread([i["q"] for i in items if i["type"] in SINGLE_TYPES], args.questions)]
    conversations = [[t["q"] for t in i["turns"]] for i in items if i["type"] == "conversation"][: args.conversations]
    chromium = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    if not chromium:
        sys.exit("Debian's Chromium is needed: apt-get install chromium")
    firsts: dict[str, list[float]] = {"question": [], "follow-up": []}
    totals: dict[str, list[float]] = {"question": [], "follow-up": []}
    with started_app(backend=args.backend) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
        page.goto(url)
        page.wait_for_selector("#question textarea")
        ask(page, "光明区有多少名院士?")  # the first answer loads the models
        for turns in singles + conversations:
            page.click("#new-chat")
            page.wait_for_function(CLEARED, timeout=TIMEOUT_MS, polling=50)  # else the old answers are counted
            for n, question in enumerate(turns):
                first, total = ask(page, question)
                kind = "follow-up" if n else "question"
                firsts[kind].append(first)
                totals[kind].append(total)
        browser.close()
    print(f"chat UI in Chromium, backend {args.backend}, {len(singles)} single questions and "
          f"{len(conversations)} conversations of {args.file.name}")
    for kind in ("question", "follow-up"):
        print(line(f"{kind}, first text", firsts[kind]))
        print(line(f"{kind}, answer", totals[kind]))
    ratio = statistics.median(totals["follow-up"]) / statistics.median(totals["question"])
    print(f"follow-up / question (answer p50): {ratio:.2f}")


if __name__ == "__main__":
    main()
