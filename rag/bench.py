"""Retrieval benchmark: hit@1/5/10 and MRR@10 for BM25, dense and hybrid, same and other script."""

from __future__ import annotations

import json
import logging
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Sequence

from .text import converter, is_traditional, normalise

logger = logging.getLogger(__name__)

MODES = ("bm25", "dense", "hybrid")
DEPTH = 10


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    text: str
    type: str = ""
    gold_docs: tuple[str, ...] = ()  # ids of documents that answer it ("" = any)
    evidence: tuple[str, ...] = ()  # substrings; a passage containing one is a hit
    answers: tuple[str, ...] = ()  # regexes (seed format) or gold answer texts (CMRC/SQuAD)
    answers_are_patterns: bool = False

    @property
    def answerable(self) -> bool:
        return bool(self.gold_docs or self.evidence)


@dataclass(frozen=True, slots=True)
class QuestionSet:
    questions: list[Question]
    contexts: dict[str, str]  # doc id -> text, for reading-comprehension sets; empty for seed files
    kind: str  # "seed" | "cmrc" | "squad"


def read_questions(path: Path, *, limit: int | None = None) -> QuestionSet:
    """Seed JSONL (id, q, type, gold, evidence, answer), CMRC-2018 list, or SQuAD-style dict."""
    text = Path(path).read_text(encoding="utf-8-sig")
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        data = None  # several JSON values: one question per line
    if data is None or (isinstance(data, dict) and "q" in data):
        return _limit(_seed(text), limit)
    if isinstance(data, list):
        return _limit(_cmrc(data), limit)
    if isinstance(data, dict) and "data" in data:
        return _limit(_squad(data), limit)
    raise ValueError(f"{path}: not a seed JSONL, CMRC-2018 or SQuAD-style file")


def _limit(qs: QuestionSet, limit: int | None) -> QuestionSet:
    if not limit:
        return qs
    questions = qs.questions[:limit]
    if qs.contexts:
        # keep every passage so that retrieval stays as hard as on the full set
        return QuestionSet(questions, qs.contexts, qs.kind)
    return QuestionSet(questions, {}, qs.kind)


def _seed(text: str) -> QuestionSet:
    questions = []
    for line_no, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            questions.append(Question(
                id=str(row["id"]), text=row["q"], type=row.get("type", ""), gold_docs=tuple(row.get("gold", [])),
                evidence=tuple(row.get("evidence", [])), answers=tuple(row.get("answer", [])),
                answers_are_patterns=True,
            ))
        except (json.JSONDecodeError, KeyError) as exc:
            raise ValueError(f"line {line_no}: not a question record ({exc})") from None
    return QuestionSet(questions, {}, "seed")


def _cmrc(data: list) -> QuestionSet:
    questions, contexts = [], {}
    for item in data:
        doc_id = str(item["context_id"])
        contexts[doc_id] = item["context_text"]
        for qa in item["qas"]:
            questions.append(Question(id=str(qa["query_id"]), text=qa["query_text"], type="cmrc",
                                      gold_docs=(doc_id,), answers=tuple(qa.get("answers", []))))
    return QuestionSet(questions, contexts, "cmrc")


def _squad(data: dict) -> QuestionSet:
    questions, contexts = [], {}
    for article in data["data"]:
        for para in article["paragraphs"]:
            doc_id = str(para.get("id") or f"p{len(contexts)}")
            contexts[doc_id] = para["context"]
            for qa in para["qas"]:
                answers = tuple(a["text"] for a in qa.get("answers", []))
                questions.append(Question(id=str(qa["id"]), text=qa["question"], type="squad",
                                          gold_docs=(doc_id,), answers=answers))
    return QuestionSet(questions, contexts, "squad")


def write_contexts(contexts: dict[str, str], folder: Path) -> None:
    """One .txt file per passage, named by its id, so each passage is indexed as one document."""
    folder.mkdir(parents=True, exist_ok=True)
    for doc_id, text in contexts.items():
        (folder / f"{doc_id}.txt").write_text(text, encoding="utf-8")


def is_hit(question: Question, doc_id: str, passage_text: str) -> bool:
    """Evidence questions: the passage holds an evidence string; others: it is from a gold document."""
    if question.evidence:
        norm = normalise(passage_text)
        return any(normalise(e) in norm for e in question.evidence)
    return doc_id in question.gold_docs


def first_hit_rank(question: Question, ranked: Sequence[tuple[str, str]]) -> int | None:
    """1-based rank of the first hit among (doc_id, text) pairs, or None."""
    for rank, (doc_id, text) in enumerate(ranked, start=1):
        if is_hit(question, doc_id, text):
            return rank
    return None


def metrics(ranks: Sequence[int | None]) -> dict[str, float]:
    """hit@1/5/10 and MRR@10 over first-hit ranks (None = not in the top 10)."""
    n = len(ranks) or 1
    out = {f"hit@{k}": sum(1 for r in ranks if r is not None and r <= k) / n for k in (1, 5, 10)}
    out["mrr@10"] = sum(1.0 / r for r in ranks if r is not None and r <= DEPTH) / n
    out["n"] = len(ranks)
    return {k: round(v, 4) if isinstance(v, float) else v for k, v in out.items()}


def other_script(text: str) -> str:
    """The question in the other script: traditional→simplified or simplified→traditional."""
    return converter("t2s" if is_traditional(text) else "s2t").convert(text)


def unique_docs(passages: Iterable, *, by_doc: bool) -> list[tuple[str, str]]:
    """(doc_id, text) pairs; for passage sets keep only the best chunk of each document."""
    seen, out = set(), []
    for p in passages:
        if by_doc and p.doc_id in seen:
            continue
        seen.add(p.doc_id)
        out.append((p.doc_id, p.text))
    return out


def run(bot, qs: QuestionSet, *, k: int = DEPTH,
        progress: Callable[[int, int], None] | None = None) -> dict[str, dict[str, dict[str, float]]]:
    """{"same"|"other": {mode: metrics}} over the answerable questions of ``qs``."""
    questions = [q for q in qs.questions if q.answerable]
    by_doc = bool(qs.contexts)
    ranks: dict[str, dict[str, list[int | None]]] = {s: {m: [] for m in MODES} for s in ("same", "other")}
    for i, q in enumerate(questions, start=1):
        for script, text in (("same", q.text), ("other", other_script(q.text))):
            for mode in MODES:
                passages = bot.retrieve(text, k=k * 4 if by_doc else k, mode=mode)
                ranks[script][mode].append(first_hit_rank(q, unique_docs(passages, by_doc=by_doc)[:k]))
        if progress:
            progress(i, len(questions))
    return {s: {m: metrics(r) for m, r in by_mode.items()} for s, by_mode in ranks.items()}


def bot_for(qs: QuestionSet, *, settings, workdir: Path | None = None):
    """A RAG over the bundled/configured corpus, or over a temporary index of the set's passages."""
    from .api import RAG

    if not qs.contexts:
        return RAG(settings=settings), None
    tmp = tempfile.TemporaryDirectory(prefix="rag-bench-", dir=workdir)
    root = Path(tmp.name)
    write_contexts(qs.contexts, root / "docs")
    return RAG(settings=settings, corpus=root / "docs", index_dir=root / "index"), tmp


def format_table(results: dict[str, dict[str, dict[str, float]]]) -> str:
    lines = [f"{'script':<7}{'mode':<8}{'hit@1':>8}{'hit@5':>8}{'hit@10':>8}{'MRR@10':>8}{'n':>6}"]
    for script, by_mode in results.items():
        for mode, m in by_mode.items():
            lines.append(f"{script:<7}{mode:<8}{m['hit@1']:>8.3f}{m['hit@5']:>8.3f}{m['hit@10']:>8.3f}"
                         f"{m['mrr@10']:>8.3f}{m['n']:>6}")
    return "\n".join(lines)
