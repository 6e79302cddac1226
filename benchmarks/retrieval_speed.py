"""Speed and size of indexing and retrieval: prints measured figures, asserts nothing about time.

    python benchmarks/retrieval_speed.py [--cmrc PATH] [--cmrc-chunks 1000] [--queries 200]

Figures: embedding throughput (passages/s, cache disabled) on the bundled corpus and on CMRC
passages; warm in-process retrieval latency (p50/p95 over many questions); cold start of the
`rag search` command (wall time of a fresh process, index already built); peak memory (max RSS)
of this process and of the cold command.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rag import RAG  # noqa: E402
from rag.evaluation.metrics import percentile  # noqa: E402
from rag.evaluation.questions import read_questions  # noqa: E402
from rag.ingest.chunk import chunk_document  # noqa: E402
from rag.models.embedder import Embedder, EmbeddingCache  # noqa: E402
from rag.text import fold_script  # noqa: E402
from rag.types import Document  # noqa: E402


def throughput(embedder: Embedder, texts: list[str]) -> float:
    """Passages per second through the embedding model, with an empty embedding cache."""
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Embedder(embedder.model, cache_dir=embedder.cache_dir, batch_size=embedder.batch_size,
                         cache=EmbeddingCache(Path(tmp) / "cache.sqlite3"))
        fresh.embed_query("warm up")  # load the model outside the timed part
        started = time.perf_counter()
        fresh.embed_passages([fold_script(t) for t in texts])
        return len(texts) / (time.perf_counter() - started)


def chunk_texts(docs: list[Document], bot: RAG) -> list[str]:
    s = bot.settings
    return [c.text for d in docs for c in chunk_document(d, max_tokens=s.chunk_tokens, overlap=s.chunk_overlap)]


_COLD_CHILD = """
import re, sys
from rag.cli import main
code = main(["search", sys.argv[1], "--json"])
status = open("/proc/self/status").read()
print(re.search(r"VmHWM:\\s+(\\d+)", status).group(1), file=sys.stderr)
sys.exit(code)
"""


def cold_search(question: str, runs: int) -> tuple[list[float], float]:
    """Wall seconds of fresh `rag search` processes, and their peak memory in MB.

    Peak memory is the child's own high-water mark (VmHWM), read at its exit: getrusage's
    maxrss would also count the pages of this (large) parent inherited at fork.
    """
    times, peaks = [], []
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", _COLD_CHILD, question], cwd=ROOT,
                              check=True, capture_output=True, text=True)
        times.append(time.perf_counter() - started)
        peaks.append(int(done.stderr.strip().splitlines()[-1]) / 1024)
    return times, max(peaks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cmrc", type=Path, help="CMRC-2018 file for a second throughput figure")
    parser.add_argument("--cmrc-chunks", type=int, default=1000, help="CMRC chunks to embed (default 1000)")
    parser.add_argument("--queries", type=int, default=200, help="questions for the warm latency figure")
    parser.add_argument("--cold-runs", type=int, default=3)
    args = parser.parse_args()
    figures: dict[str, float] = {}

    bot = RAG()
    report = bot.index()
    docs = [bot.document(r.id) for r in bot.documents()]
    corpus_chunks = chunk_texts(docs, bot)
    figures["embed_corpus_passages_per_s"] = throughput(bot.embedder, corpus_chunks)
    print(f"embedding, bundled corpus: {len(corpus_chunks)} chunks, "
          f"{figures['embed_corpus_passages_per_s']:.1f} passages/s (index run: {report.seconds:.1f} s)")

    questions = [q.text for q in read_questions(ROOT / "benchmarks" / "questions.jsonl").questions]
    if args.cmrc:
        qs = read_questions(args.cmrc)
        cmrc_docs = [Document(id=k, path=Path(k), title=k, text=v) for k, v in qs.contexts.items()]
        texts = chunk_texts(cmrc_docs, bot)[: args.cmrc_chunks]
        figures["embed_cmrc_passages_per_s"] = throughput(bot.embedder, texts)
        print(f"embedding, CMRC: {len(texts)} chunks, {figures['embed_cmrc_passages_per_s']:.1f} passages/s")
        questions += [q.text for q in qs.questions]
    questions = (questions * (args.queries // max(len(questions), 1) + 1))[: args.queries]

    latencies = []
    for i, q in enumerate(questions):
        started = time.perf_counter()
        bot.retrieve(q if i < len(set(questions)) else f"{q} {i}", k=5)  # repeated questions get a suffix: no cache hit
        latencies.append((time.perf_counter() - started) * 1000)
    figures["search_warm_p50_ms"] = statistics.median(latencies)
    figures["search_warm_p95_ms"] = percentile(latencies, 95)
    figures["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"retrieve (warm, in process, {len(latencies)} questions): p50 {figures['search_warm_p50_ms']:.1f} ms, "
          f"p95 {figures['search_warm_p95_ms']:.1f} ms; peak RSS {figures['peak_rss_mb']:.0f} MB")

    times, child_rss = cold_search(questions[0], args.cold_runs)
    figures["search_cold_s_median"] = statistics.median(times)
    figures["search_cold_peak_rss_mb"] = child_rss
    print(f"`rag search` cold start ({args.cold_runs} runs): median {figures['search_cold_s_median']:.2f} s, "
          f"min {min(times):.2f} s, max {max(times):.2f} s; peak RSS {child_rss:.0f} MB")
    print(json.dumps({k: round(v, 2) for k, v in figures.items()}))


if __name__ == "__main__":
    main()
