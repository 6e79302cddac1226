"""Dense retrieval without the product around it, to find what the product's dense half costs.

Embeds the passages of a reading-comprehension or RGB question file with the configured model,
scores by exact cosine (no index engine) and reports MRR@10 and hit@5 for each variant:

- ``plain``: whole passages, original text; the question as written (the model's own
  ``query``/``passage`` prompts, as every variant);
- ``whole+fold``: whole passages, folded (traditional→simplified, half-width) like the index was;
- ``chunks``: the product's chunks (``chunk_tokens``/``chunk_overlap``), original text, a
  passage scored by its best chunk;
- ``chunks+fold``: the same, folded — what ``rag bench retrieval`` measures as ``dense``;
- each again with the question folded (``q:fold``) and without the query prompt (``q:bare``);
- ``--derived``: chunk vectors built from the vectors above without embedding anything new:
  ``chunks+doc`` (each chunk's vector plus its whole passage's, renormalised) and ``chunks+nb``
  (each chunk's vector plus its neighbours' in the passage, renormalised);
- ``--hybrid``: every variant also fused with BM25 over the product's chunks, by the product's
  weighted reciprocal-rank fusion (``dense_weight``, 50 candidates a side), best chunk per passage.

    python benchmarks/plain_dense.py FILE [--limit N] [--variants plain,chunks+fold] [--misses 5]

Vectors go through the product's embedding cache, so a second run (or one after
``rag bench retrieval`` on the same file) embeds only what it has not seen. When the model's
tokenizer reads full-width and half-width forms alike (XLM-R's NFKC does), the unfolded forms are
embedded half-width: the model sees the same tokens and the cached vectors of the folded forms
are reused, so "fold" then means traditional→simplified only (checked for every text, not assumed).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rag.config import load_settings  # noqa: E402
from rag.evaluation.questions import read_questions  # noqa: E402
from rag.evaluation.retrieval import metrics  # noqa: E402
from rag.ingest.chunk import chunk_document  # noqa: E402
from rag.models.embedder import Embedder  # noqa: E402
from rag.retrieval.bm25 import BM25Index  # noqa: E402
from rag.retrieval.fusion import rrf  # noqa: E402
from rag.text import _halfwidth, fold_script, split_sentences, terms  # noqa: E402
from rag.types import Document  # noqa: E402

PASSAGE_FORMS = ("plain", "whole+fold", "chunks", "chunks+fold", "chunks+head+fold")
QUERY_FORMS = ("q:as-is", "q:fold", "q:bare")
HEAD_CHARS = 60
CANDIDATES = 50  # chunks each half hands to fusion, as rag.retrieval.Retriever


def pieces(contexts: dict[str, str], form: str, *, chunk_tokens: int, overlap: int,
           unfolded=lambda t: t) -> tuple[list[str], list[int]]:
    """Texts to embed and, for each, the index of its passage."""
    texts, owner = [], []
    for i, (doc_id, text) in enumerate(contexts.items()):
        if form.startswith("chunks"):
            doc = Document(id=doc_id, path=Path(doc_id), title="", text=text)
            parts = [c.text for c in chunk_document(doc, max_tokens=chunk_tokens, overlap=overlap)] or [text]
            if "+head" in form:
                head = split_sentences(text)[0].text[:HEAD_CHARS]
                parts = parts[:1] + [head + " " + part for part in parts[1:]]
        else:
            parts = [text]
        for part in parts:
            texts.append(fold_script(part) if form.endswith("+fold") else unfolded(part))
            owner.append(i)
    return texts, owner


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("file")
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--variants", default=",".join(PASSAGE_FORMS), help=f"passage forms: {', '.join(PASSAGE_FORMS)}")
    ap.add_argument("--derived", action="store_true", help="also chunks+doc and chunks+nb (needs plain and chunks)")
    ap.add_argument("--hybrid", action="store_true", help="also fuse each variant with BM25 over the chunks")
    ap.add_argument("--bm25-form", default="chunks", help="the passage form BM25 indexes (chunks or chunks+head)")
    ap.add_argument("--misses", type=int, default=0, help="print this many questions that plain finds and chunks+fold ranks lower")
    args = ap.parse_args()

    settings = load_settings()
    qs = read_questions(Path(args.file), limit=args.limit)
    if not qs.contexts:
        raise SystemExit("needs a file with passages (CMRC, SQuAD-style or RGB)")
    questions = [q for q in qs.questions if q.answerable]
    doc_ids = list(qs.contexts)
    embedder = Embedder(settings.embed_model, cache_dir=settings.cache_dir, batch_size=settings.embed_batch_size)
    st = embedder._model()
    query_prompt = st.prompts.get("query", "")

    def encode_queries(texts: list[str], *, prompt: bool) -> np.ndarray:
        vecs = st.encode([(query_prompt if prompt else "") + t for t in texts], batch_size=16,
                         normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
        return np.asarray(vecs, dtype=np.float32)

    def unfolded(text: str) -> str:
        """``text`` half-width when the model reads it as the same tokens (its cached vector exists)."""
        half = _halfwidth(text)
        return half if half == text or st.tokenizer(text)["input_ids"] == st.tokenizer(half)["input_ids"] else text

    raw = [q.text for q in questions]
    queries = {"q:as-is": encode_queries(raw, prompt=True),
               "q:fold": encode_queries([fold_script(t) for t in raw], prompt=True),
               "q:bare": encode_queries(raw, prompt=False)}
    gold = [{doc_ids.index(d) for d in q.gold_docs if d in qs.contexts} for q in questions]

    ranks_by: dict[str, list[list[int]]] = {}
    results = {}
    chunk_texts, chunk_owner = pieces(qs.contexts, args.bm25_form, chunk_tokens=settings.chunk_tokens,
                                      overlap=settings.chunk_overlap)
    bm25 = BM25Index([terms(t) for t in chunk_texts]) if args.hybrid else None
    lexical = [bm25.top(terms(q.text), CANDIDATES)[1].tolist() for q in questions] if bm25 else []

    def report(name: str, vectors: np.ndarray, owner: list[int], qv: np.ndarray, seconds: float) -> None:
        owner_arr = np.asarray(owner)
        sims = qv @ vectors.T  # (questions, pieces)
        best = np.full((len(questions), len(doc_ids)), -2.0, dtype=np.float32)
        np.maximum.at(best.T, owner_arr, sims.T)  # a passage's score: its best piece
        order = np.argsort(-best, axis=1, kind="stable")[:, :10]
        first = [next((r for r, d in enumerate(row, start=1) if d in g), None) for row, g in zip(order, gold)]
        results[name] = m = metrics(first)
        ranks_by[name] = [list(r) for r in order]
        line = (f"{name:<26} MRR@10 {m['mrr@10']:.3f}  hit@1 {m['hit@1']:.3f}  hit@5 {m['hit@5']:.3f}  "
                f"hit@10 {m['hit@10']:.3f}  n {m['n']}")
        if bm25 is not None and len(owner) == len(chunk_owner):  # chunk-level vectors: fuse like the product
            fused_first = []
            for i, g in enumerate(gold):
                dense = np.argsort(-sims[i], kind="stable")[:CANDIDATES].tolist()
                w = settings.dense_weight
                fused = rrf([lexical[i], dense], weights=[1 - w, w])
                docs = list(dict.fromkeys(chunk_owner[c] for c, _ in fused))[:10]
                fused_first.append(next((r for r, d in enumerate(docs, start=1) if d in g), None))
            results[name + " hybrid"] = h = metrics(fused_first)
            line += f"  | hybrid MRR@10 {h['mrr@10']:.3f} hit@5 {h['hit@5']:.3f}"
        print(line + f"  ({len(owner)} texts, {seconds:.0f} s)", flush=True)

    base: dict[str, tuple[np.ndarray, list[int]]] = {}
    for form in args.variants.split(","):
        started = time.perf_counter()
        texts, owner = pieces(qs.contexts, form, chunk_tokens=settings.chunk_tokens, overlap=settings.chunk_overlap,
                              unfolded=unfolded)
        base[form] = (embedder.embed_passages(texts), owner)
        for qform, qv in queries.items():
            report(f"{form} {qform}", *base[form], qv, time.perf_counter() - started)
    if bm25 is not None:
        first = []
        for ranking, g in zip(lexical, gold):
            docs = list(dict.fromkeys(chunk_owner[c] for c in ranking))[:10]
            first.append(next((r for r, d in enumerate(docs, start=1) if d in g), None))
        results["bm25"] = m = metrics(first)
        print(f"{'bm25 (chunks)':<26} MRR@10 {m['mrr@10']:.3f}  hit@1 {m['hit@1']:.3f}  hit@5 {m['hit@5']:.3f}", flush=True)
    if args.derived:
        for whole, chunks in (("plain", "chunks"), ("whole+fold", "chunks+fold")):
            if chunks not in base:
                continue
            cv, owner = base[chunks]
            derived = {}
            if whole in base:
                derived["+doc"] = cv + base[whole][0][np.asarray(owner)]
            neighbours = cv.copy()
            for j in range(len(owner)):
                for nb in (j - 1, j + 1):
                    if 0 <= nb < len(owner) and owner[nb] == owner[j]:
                        neighbours[j] += cv[nb]
            derived["+nb"] = neighbours
            for suffix, vectors in derived.items():
                vectors = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
                for qform, qv in queries.items():
                    report(f"{chunks}{suffix} {qform}", vectors, owner, qv, 0.0)
    if args.misses and "plain q:as-is" in ranks_by and "chunks+fold q:fold" in ranks_by:
        shown = 0
        for q, g, a, b in zip(questions, gold, ranks_by["plain q:as-is"], ranks_by["chunks+fold q:fold"]):
            ra = next((r for r, d in enumerate(a, 1) if d in g), 99)
            rb = next((r for r, d in enumerate(b, 1) if d in g), 99)
            if rb > ra and shown < args.misses:
                shown += 1
                print(f"\n{q.id} {q.text}  plain rank {ra}, product rank {rb if rb < 99 else '>10'}")
                for d in b[:3]:
                    print(f"  product {'HIT ' if d in g else 'miss'} {qs.contexts[doc_ids[d]][:90]!r}")
    print(json.dumps({"file": Path(args.file).name, **results}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
