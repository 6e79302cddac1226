"""Evaluation metrics as pure functions over result records (plain dicts, one per question).

A record holds what one question produced (see ``rag.evaluation.runs.score_question``); the fields read
here are ``type``, ``answerable``, ``refused``, ``correct``, ``hit_rank`` (1-based rank of the
first retrieved passage that is a hit, ``None`` when none of the top k is), ``citations``
(each with ``n`` and ``supported``), ``sentences`` (each with the numbers ``cited`` by its
markers), ``timings``
(seconds per stage) and ``error`` (``None`` unless the bot raised for this question).

Every ratio whose denominator is zero is ``None`` ("not measurable"), never 0 or 1.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

Record = Mapping[str, Any]  # one question's result, as written to results.jsonl
STAGES = ("retrieve", "first_token", "generate", "total")  # latency stages from Answer.timings
HEADLINE = ("hit@k", "mrr", "answer_hit@k", "accuracy", "refusal_precision", "refusal_recall",
            "citation_precision", "citation_recall")  # the rate metrics, in display order
NO_TYPE = "(none)"  # group name of questions without a type


def ratio(numerator: float, denominator: float) -> float | None:
    """``numerator / denominator``, or ``None`` when the denominator is zero."""
    return numerator / denominator if denominator else None


def percentile(values: Sequence[float], q: float) -> float | None:
    """The ``q``-th percentile (0..100) with linear interpolation between ranks; ``None`` if empty.

    Same definition as ``numpy.percentile(values, q)`` (method "linear").
    """
    if not 0 <= q <= 100:
        raise ValueError(f"percentile q must be in [0, 100], got {q}")
    ordered = sorted(float(v) for v in values)
    if not ordered:
        return None
    position = (len(ordered) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _ok(records: Sequence[Record]) -> list[Record]:
    return [r for r in records if not r.get("error")]


def retrieval_scores(records: Sequence[Record]) -> dict[str, float | int | None]:
    """hit@k and MRR@k over answerable questions (errors count as misses).

    hit@k is the share whose first hit is within the top k retrieved passages; MRR is the mean
    of 1/rank of that first hit (0 when there is none). answer_hit@k is the share whose evidence
    is among the first k passages the answer was built from (``answer_hit_rank``: the answer
    sentences' passages first, then the rest of what retrieval and BM25 gathered; see
    ``rag.generation.evidence``).
    """
    ranks = [r.get("hit_rank") for r in records if r.get("answerable")]
    hits = [rank for rank in ranks if rank]
    in_answer = [r for r in records if r.get("answerable") and r.get("answer_hit_rank")]
    return {"hit@k": ratio(len(hits), len(ranks)),
            "mrr": ratio(sum(1.0 / rank for rank in hits), len(ranks)),
            "answer_hit@k": ratio(len(in_answer), len(ranks)), "answerable": len(ranks)}


def accuracy(records: Sequence[Record]) -> float | None:
    """Share of questions answered correctly (``correct``; a question whose bot raised is wrong)."""
    return ratio(sum(1 for r in records if r.get("correct")), len(records))


def refusal_scores(records: Sequence[Record]) -> dict[str, float | int | None]:
    """Refusal precision and recall, treating "refuse" as the positive class.

    * precision = unanswerable questions refused / all questions refused
      (``None`` when nothing was refused);
    * recall = unanswerable questions refused / all unanswerable questions
      (``None`` when the set has no unanswerable question);
    * false_refusal_rate = answerable questions refused / answerable questions
      (``None`` without answerable questions).

    Questions whose bot raised made no decision and are left out.
    """
    done = _ok(records)
    refused = [r for r in done if r.get("refused")]
    unanswerable = [r for r in done if not r.get("answerable")]
    answerable = len(done) - len(unanswerable)
    true_refusals = sum(1 for r in refused if not r.get("answerable"))
    return {
        "refusal_precision": ratio(true_refusals, len(refused)),
        "refusal_recall": ratio(true_refusals, len(unanswerable)),
        "false_refusal_rate": ratio(len(refused) - true_refusals, answerable),
        "refused": len(refused), "unanswerable": len(unanswerable),
    }


def claim_counts(record: Record) -> tuple[int, int, int, int]:
    """(citations, supported citations, sentences, sentences citing a supported passage).

    ``citations`` are the answer's ``Citation``s with the pipeline's ``supported`` verdict;
    ``sentences`` are the answer's sentences, each with the passage numbers its markers cite.
    """
    if record.get("refused") or record.get("error"):
        return 0, 0, 0, 0
    citations = record.get("citations") or []
    good = {c["n"] for c in citations if c["supported"]}
    sentences = record.get("sentences") or []
    covered = sum(1 for s in sentences if good.intersection(s["cited"]))
    supported = sum(1 for c in citations if c["supported"])
    return len(citations), supported, len(sentences), covered


def citation_scores(records: Sequence[Record]) -> dict[str, float | int | None]:
    """Citation precision and recall in the spirit of ALCE, over answers that are not refusals.

    * precision = citations whose passage supports the sentence citing it (``Citation.supported``,
      rag.generation.cite's check, as the answer pipeline judged it) / all citations of the answers
      (``None`` when no answer cites anything);
    * recall = answer sentences carrying a marker ``[n]`` of a supported citation / all answer
      sentences (``None`` when there are no answer sentences).
    """
    totals = [claim_counts(r) for r in records]
    cited, supported, sentences, covered = (sum(t[i] for t in totals) for i in range(4))
    return {"citation_precision": ratio(supported, cited), "citation_recall": ratio(covered, sentences),
            "citations": cited, "sentences": sentences}


def latency(records: Sequence[Record]) -> dict[str, dict[str, float | int | None]]:
    """p50/p95/max seconds per stage of ``Answer.timings`` over questions that timed the stage."""
    out = {}
    for stage in STAGES:
        values = [float(r["timings"][stage]) for r in _ok(records) if stage in (r.get("timings") or {})]
        out[stage] = {"p50": percentile(values, 50), "p95": percentile(values, 95),
                      "max": max(values) if values else None, "n": len(values)}
    return out


def metrics(records: Sequence[Record]) -> dict[str, object]:
    """Every metric over ``records``: counts, rates (see ``HEADLINE``) and latency."""
    out: dict[str, object] = {"questions": len(records), "errors": len(records) - len(_ok(records))}
    out.update(retrieval_scores(records))
    out["accuracy"] = accuracy(records)
    out["correct"] = sum(1 for r in records if r.get("correct"))
    out.update(refusal_scores(records))
    out.update(citation_scores(records))
    out["latency"] = latency(records)
    return out


def by_type(records: Sequence[Record], *, field: str = "type") -> dict[str, dict[str, object]]:
    """``metrics`` of each question type (or other ``field``), groups in order of first appearance."""
    groups: dict[str, list[Record]] = defaultdict(list)
    for r in records:
        groups[str(r.get(field) or NO_TYPE)].append(r)
    return {name: metrics(group) for name, group in groups.items()}


# ---------------------------------------------------------------- comparing two runs
IGNORED_CONFIG = frozenset({"date", "seconds", "out_dir"})  # differ between any two runs


@dataclass(frozen=True, slots=True)
class Delta:
    metric: str
    a: float | None
    b: float | None

    @property
    def change(self) -> float | None:
        return None if self.a is None or self.b is None else self.b - self.a


@dataclass(frozen=True, slots=True)
class Comparison:
    config_differences: tuple[str, ...]  # "key: a -> b", empty when the runs are comparable
    deltas: tuple[Delta, ...]  # overall rates, then latency p50/p95 per stage
    type_deltas: dict[str, tuple[Delta, ...]]  # accuracy and hit@k per question type
    right_to_wrong: tuple[str, ...]  # question ids correct in A and wrong in B
    wrong_to_right: tuple[str, ...]
    only_in_a: tuple[str, ...]
    only_in_b: tuple[str, ...]


def config_differences(a: Mapping[str, object], b: Mapping[str, object]) -> list[str]:
    """Configuration keys whose values differ, as "key: a -> b" (run date and timing ignored)."""
    keys = [k for k in dict.fromkeys([*a, *b]) if k not in IGNORED_CONFIG]
    return [f"{k}: {a.get(k)!r} -> {b.get(k)!r}" for k in keys if a.get(k) != b.get(k)]


def metric_deltas(a: Mapping[str, Any], b: Mapping[str, Any]) -> list[Delta]:
    """Changes of the headline rates and of latency p50/p95 between two ``metrics`` dicts."""
    deltas = [Delta(name, a.get(name), b.get(name)) for name in HEADLINE]
    for stage in STAGES:
        for q in ("p50", "p95"):
            deltas.append(Delta(f"{stage} {q} (s)", a["latency"][stage][q], b["latency"][stage][q]))
    return deltas


def flips(a: Sequence[Record], b: Sequence[Record]) -> tuple[list[str], list[str]]:
    """Ids of questions in both runs that went right→wrong and wrong→right, in A's order."""
    after = {r["id"]: bool(r.get("correct")) for r in b}
    worse = [r["id"] for r in a if r["id"] in after and r.get("correct") and not after[r["id"]]]
    better = [r["id"] for r in a if r["id"] in after and not r.get("correct") and after[r["id"]]]
    return worse, better


def compare_runs(summary_a: Mapping, records_a: Sequence[Record],
                 summary_b: Mapping, records_b: Sequence[Record]) -> Comparison:
    """Differences between run A and run B (B minus A), from their summaries and records."""
    worse, better = flips(records_a, records_b)
    ids_a, ids_b = [r["id"] for r in records_a], [r["id"] for r in records_b]
    set_a, set_b = set(ids_a), set(ids_b)
    types_a, types_b = summary_a["by_type"], summary_b["by_type"]
    type_deltas = {
        t: tuple(Delta(m, types_a.get(t, {}).get(m), types_b.get(t, {}).get(m)) for m in ("accuracy", "hit@k"))
        for t in dict.fromkeys([*types_a, *types_b])
    }
    return Comparison(
        config_differences=tuple(config_differences(summary_a["config"], summary_b["config"])),
        deltas=tuple(metric_deltas(summary_a["overall"], summary_b["overall"])),
        type_deltas=type_deltas, right_to_wrong=tuple(worse), wrong_to_right=tuple(better),
        only_in_a=tuple(i for i in ids_a if i not in set_b),
        only_in_b=tuple(i for i in ids_b if i not in set_a),
    )
