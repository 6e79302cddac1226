"""Scale benchmark: index stores of growing size and time what a user waits for.

    python benchmarks/scale.py                                  # FAISS at 10^4, 10^5, 10^6 chunks
    python benchmarks/scale.py --stores faiss,milvus --sizes 10000,100000

Text is generated: sentences of words drawn from jieba's dictionary by word frequency (a Zipf-like
vocabulary, as in real Chinese text), about 150 characters per chunk, 10 chunks per document.
Vectors come from a stand-in embedder (random unit vectors, ``--dim``), so the figures are
those of the store: "build" covers BM25 terms, the chunk table, postings and vectors, never a
model. Each (store, size) runs in a child process; the open/query figures come from a second,
fresh child, so "peak memory" is that of a process that opens the index and answers queries.
Query latencies include fusion and fetching the passages (``rag.retrieval.Retriever``), with the
query vector given (no model).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from rag.files import sha256_bytes

CHUNKS_PER_DOC = 10
BATCH_DOCS = 50  # documents per write: 500 chunks, the indexer's batch size
QUERIES = 200  # per mode (50 from 10^6 chunks on, where a dense query scans 1.5 GB)


def vocabulary() -> tuple[list[str], np.ndarray]:
    """jieba's dictionary words of 2+ CJK characters and the cumulative distribution to draw them by."""
    import jieba

    words, freqs = [], []
    with open(Path(jieba.__file__).parent / "dict.txt", encoding="utf-8") as fh:
        for line in fh:
            word, freq, *_ = line.split()
            if len(word) >= 2 and all("\u4e00" <= ch <= "\u9fff" for ch in word):
                words.append(word)
                freqs.append(float(freq))
    cdf = np.cumsum(np.array(freqs) ** 0.9)
    return words, cdf / cdf[-1]


class Corpus:
    """Deterministic generated documents; document ``i`` is the same in every process."""

    def __init__(self, dim: int) -> None:
        self.words, self.cdf = vocabulary()
        self.dim = dim

    def document(self, i: int, *, version: int = 0, folder: Path | None = None, given_terms: bool = False):
        """Document ``i`` as a store entry; with ``folder``, also written there as ``d<i>.txt``;
        with ``given_terms``, its BM25 terms are the dictionary words it was made of (no jieba)."""
        from rag.store import DocumentEntry
        from rag.types import Chunk, DocRecord, Document

        rng = np.random.default_rng([i, version])
        picks = np.searchsorted(self.cdf, rng.random(CHUNKS_PER_DOC * 60))
        texts, pos, chunks, chunk_terms = [], 0, [], []
        for c in range(CHUNKS_PER_DOC):
            words = [self.words[w] for w in picks[c * 60 : c * 60 + rng.integers(45, 60)]]
            chunk_terms.append(words)
            sentences = ["".join(words[j : j + 12]) + "。" for j in range(0, len(words), 12)]
            text = "".join(sentences)
            chunks.append(Chunk(id=f"d{i}#{c}", doc_id=f"d{i}", text=text, start=pos, end=pos + len(text)))
            texts.append(text)
            pos += len(text)
        full = "".join(texts)
        vectors = rng.normal(size=(CHUNKS_PER_DOC, self.dim)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        path, sha = Path(f"docs/d{i}.txt"), f"{i}:{version}"
        if folder is not None:
            path = folder / f"d{i}.txt"
            path.write_text(full, encoding="utf-8")
            sha = sha256_bytes(full.encode("utf-8"))
        record = DocRecord(id=f"d{i}", path=str(path), title=f"文档{i}", sha256=sha, chunks=CHUNKS_PER_DOC,
                           indexed_at=time.time())
        return DocumentEntry(record=record, document=Document(id=f"d{i}", path=path, title=record.title, text=full),
                             chunks=chunks, vectors=vectors, terms=chunk_terms if given_terms else None)

    def queries(self, n_docs: int, n: int) -> list[tuple[str, np.ndarray]]:
        """Questions of 3-5 words taken from random chunks, with a random query vector each."""
        rng = np.random.default_rng(12345)
        out = []
        for _ in range(n):
            doc = self.document(int(rng.integers(n_docs)))
            chunk = doc.chunks[int(rng.integers(CHUNKS_PER_DOC))].text.rstrip("。")
            words = [w for s in chunk.split("。") for w in [s[k : k + 2] for k in range(0, len(s) - 1, 2)]]
            query = "".join(rng.choice(words, size=int(rng.integers(3, 6)), replace=False))
            vec = rng.normal(size=self.dim).astype(np.float32)
            out.append((query, vec / np.linalg.norm(vec)))
        return out


def make_store(kind: str, folder: Path):
    if kind == "milvus":
        from rag.store.milvus_store import MilvusStore

        return MilvusStore(str(folder / "milvus.db"), collection="scale", index_dir=folder)
    from rag.store.faiss_store import FaissStore

    return FaissStore(folder)


def params(dim: int):
    from rag.store import IndexParams

    return IndexParams(embed_model="stand-in", dim=dim, chunk_tokens=160, chunk_overlap=32)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build(kind: str, folder: Path, n_chunks: int, dim: int, given_terms: bool) -> dict:
    """Child: build the index (continuing a stopped build), then add and remove one document."""
    corpus = Corpus(dim)
    store = make_store(kind, folder)
    done: set[str] = set()
    if store.exists():
        store.open(params(dim))
        done = set(store.records())
        print(f"  {kind}: continuing a stopped build that holds {len(done):,} documents", file=sys.stderr, flush=True)
    n_docs = n_chunks // CHUNKS_PER_DOC
    spent = spent_cpu = 0.0
    docs = folder / "docs"
    docs.mkdir(parents=True, exist_ok=True)
    with store.writing(params(dim)):
        for first in range(0, n_docs, BATCH_DOCS):
            entries = [corpus.document(i, folder=docs, given_terms=given_terms)
                       for i in range(first, min(first + BATCH_DOCS, n_docs)) if f"d{i}" not in done]
            if not entries:
                continue
            started, cpu = time.perf_counter(), time.process_time()
            store.write(add=entries)
            spent += time.perf_counter() - started
            spent_cpu += time.process_time() - cpu
            if first // BATCH_DOCS % 200 == 0:
                print(f"  {kind} {first * CHUNKS_PER_DOC:,}/{n_chunks:,} chunks, {spent:.0f} s", file=sys.stderr, flush=True)
    extra = corpus.document(n_docs + 1)
    changed = corpus.document(7, version=1)
    timings = {"add": [], "update": [], "remove": []}
    for _ in range(3):
        for what, kwargs in (("add", {"add": [extra]}), ("update", {"add": [changed]}),
                             ("remove", {"remove": [extra.document.id]})):
            started = time.perf_counter()
            with store.writing(params(dim)):
                store.write(**kwargs)
            timings[what].append(time.perf_counter() - started)
    store.close()
    return {"given_terms": given_terms, "resumed_with_docs": len(done), "build_s": spent, "build_cpu_s": spent_cpu,
            "add_s": float(np.median(timings["add"])),
            "update_s": float(np.median(timings["update"])),
            "remove_s": float(np.median(timings["remove"])), "build_peak_mb": peak_mb()}


def query(kind: str, folder: Path, n_chunks: int, dim: int) -> dict:
    """Child: open the index as a fresh process would, then time queries in each mode."""
    from rag.retrieval.retriever import Retriever

    corpus = Corpus(dim)
    questions = corpus.queries(n_chunks // CHUNKS_PER_DOC, QUERIES if n_chunks < 1_000_000 else QUERIES // 4)
    vectors = dict(questions)
    before = peak_mb()
    started, cpu = time.perf_counter(), time.process_time()
    store = make_store(kind, folder)
    store.open(params(dim))
    retriever = Retriever(store, embed_query=lambda q: vectors[q])
    retriever.search(questions[0][0], k=5)
    out: dict = {"open_s": time.perf_counter() - started, "open_cpu_s": time.process_time() - cpu,
                 "load_average": os.getloadavg()[0]}
    for mode in ("bm25", "dense", "hybrid"):
        times, cpu_times = [], []
        for q, _ in questions:
            t, c = time.perf_counter(), time.process_time()
            retriever.search(q, k=10, mode=mode)
            times.append(time.perf_counter() - t)
            cpu_times.append(time.process_time() - c)
        out[f"{mode}_p50_ms"] = float(np.percentile(times, 50) * 1000)
        out[f"{mode}_p95_ms"] = float(np.percentile(times, 95) * 1000)
        out[f"{mode}_cpu_p50_ms"] = float(np.percentile(cpu_times, 50) * 1000)
    out["query_peak_mb"] = peak_mb()
    out["generator_mb"] = before
    store.close()
    if (folder / "docs").is_dir():
        out.update(add_file(kind, folder, corpus))
    return out


class StandInEmbedder:
    """Random unit vectors: the store's costs without a model's."""

    model_id = "stand-in"

    def __init__(self, dim: int) -> None:
        self.dim = dim
        self._rng = np.random.default_rng(0)

    def embed_passages(self, texts, *, progress=None) -> np.ndarray:
        v = self._rng.normal(size=(len(texts), self.dim)).astype(np.float32)
        return v / np.linalg.norm(v, axis=1, keepdims=True)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_passages([text])[0]


def add_file(kind: str, folder: Path, corpus: Corpus) -> dict:
    """``RAG.add_file`` and ``RAG.remove_document`` on the open index, as the UI's upload does:
    the new file is validated, copied into the uploads folder, loaded, chunked and written."""
    from rag import RAG
    from rag.tokens import count_tokens

    extra = {"store": "milvus", "milvus_uri": str(folder / "milvus.db"), "milvus_collection": "scale"} if kind == "milvus" else {}
    bot = RAG(corpus=folder / "docs", index_dir=folder, embedder=StandInEmbedder(corpus.dim), chunk_tokens=160,
              chunk_overlap=32, cache_dir=folder / "cache", **extra)
    bot.retrieve("预热", k=1)
    count_tokens("预热")  # a serving process has loaded the tokenizer long before (about 1 s once)
    upload = folder / "upload.txt"
    upload.write_text(corpus.document(10**9).document.text, encoding="utf-8")
    started, cpu = time.perf_counter(), time.process_time()
    report = bot.add_file(upload, name="新文件.txt")
    add_s, add_cpu = time.perf_counter() - started, time.process_time() - cpu
    assert report.added == ["新文件"], report
    started = time.perf_counter()
    bot.remove_document("新文件")
    return {"add_file_s": add_s, "add_file_cpu_s": add_cpu, "remove_file_s": time.perf_counter() - started}


def disk_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20


def child(stage: str, kind: str, folder: Path, n: int, dim: int, given_terms_from: int) -> dict:
    cmd = [sys.executable, __file__, "--child", stage, "--stores", kind, "--sizes", str(n), "--dim", str(dim),
           "--dir", str(folder), "--given-terms-from", str(given_terms_from)]
    done = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def row(kind: str, n: int, r: dict, dim: int) -> str:
    vectors_mb = n * dim * 4 / 2**20
    cells = [
        kind, f"{n:,}", f"{r['build_s']:.0f} s (CPU {r['build_cpu_s']:.0f} s){' *' if r.get('given_terms') else ''}",
        f"{r['add_s'] * 1000:.0f} / {r['update_s'] * 1000:.0f} / {r['remove_s'] * 1000:.0f} ms",
        f"{r['add_file_s']:.2f} / {r['remove_file_s']:.2f} s" if "add_file_s" in r else "—",
        f"{r['open_s']:.2f} s (CPU {r['open_cpu_s']:.2f} s)",
        f"{r['bm25_p50_ms']:.1f} / {r['bm25_p95_ms']:.1f}", f"{r['dense_p50_ms']:.1f} / {r['dense_p95_ms']:.1f}",
        f"{r['hybrid_p50_ms']:.1f} / {r['hybrid_p95_ms']:.1f} (CPU {r['hybrid_cpu_p50_ms']:.1f})",
        f"{r['disk_mb']:,.0f} MB",
        f"{r['build_peak_mb'] / 1024:.2f} / {r['query_peak_mb'] / 1024:.2f} GB (vectors {vectors_mb:,.0f} MB)",
    ]
    return "| " + " | ".join(cells) + " |"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stores", default="faiss", help="comma-separated: faiss, milvus")
    parser.add_argument("--sizes", default="10000,100000,1000000", help="comma-separated chunk counts")
    parser.add_argument("--dim", type=int, default=384, help="vector dimension (multilingual-e5-small: 384)")
    parser.add_argument("--dir", help="where indexes are built (default: a temporary folder, removed after)")
    parser.add_argument("--keep", action="store_true", help="keep the built indexes")
    parser.add_argument("--given-terms-from", type=int, default=1_000_000,
                        help="from this size on, the generator hands the store each chunk's words as its BM25 terms "
                             "instead of jieba tokenising them (about 1.6 ms of CPU per chunk, 27 min at 10^6)")
    parser.add_argument("--resume", action="store_true", help="continue stopped builds found in --dir")
    parser.add_argument("--child", choices=["build", "query"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.child:
        folder = Path(args.dir)
        if args.child == "build":
            result = build(args.stores, folder, sizes[0], args.dim, sizes[0] >= args.given_terms_from)
        else:
            result = query(args.stores, folder, sizes[0], args.dim)
        print(json.dumps(result))
        return 0
    root = Path(args.dir) if args.dir else Path(tempfile.mkdtemp(prefix="rag-scale-"))
    print("| store | chunks | build (no embedding) | store: add / update / remove one document | "
          "RAG.add_file / remove_document | open + first query | "
          "BM25 p50 / p95 ms | dense p50 / p95 ms | hybrid p50 / p95 ms (CPU p50) | disk | peak memory build / open+query |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |", flush=True)
    try:
        for n in sizes:
            for kind in args.stores.split(","):
                folder = root / f"{kind}-{n}"
                if not args.resume:
                    shutil.rmtree(folder, ignore_errors=True)
                result = child("build", kind, folder, n, args.dim, args.given_terms_from)
                result.update(child("query", kind, folder, n, args.dim, args.given_terms_from))
                result["disk_mb"] = disk_mb(folder)
                print(row(kind, n, result, args.dim), flush=True)
                print(json.dumps({"store": kind, "chunks": n, **result}), file=sys.stderr, flush=True)
                if not args.keep:
                    shutil.rmtree(folder, ignore_errors=True)
    finally:
        if not args.dir and not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
