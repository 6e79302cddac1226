"""Retrieval benchmark: hit@1/5/10 and MRR@10 for BM25, dense and hybrid, same and other script."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from rag.evaluation.questions import QuestionSet, first_hit_rank
from rag.text import converter, is_traditional

MODES = ("bm25", "dense", "hybrid")
DEPTH = 10


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


def format_table(results: dict[str, dict[str, dict[str, float]]]) -> str:
    lines = [f"{'script':<7}{'mode':<8}{'hit@1':>8}{'hit@5':>8}{'hit@10':>8}{'MRR@10':>8}{'n':>6}"]
    for script, by_mode in results.items():
        for mode, m in by_mode.items():
            lines.append(f"{script:<7}{mode:<8}{m['hit@1']:>8.3f}{m['hit@5']:>8.3f}{m['hit@10']:>8.3f}"
                         f"{m['mrr@10']:>8.3f}{m['n']:>6}")
    return "\n".join(lines)
