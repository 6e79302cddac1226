"""Batch evaluation: run a question file through the RAG API and score every answer.

``evaluate(bot, questions, k=5, out_dir=...)`` asks each question, scores it (retrieval hit and
rank, answer correctness, refusal, citations, timings) into one plain record, aggregates the
records with the pure functions of ``rag.evaluation.metrics``, and writes ``results.jsonl``,
``summary.json`` and ``report.html`` into ``out_dir``. ``compare(dir_a, dir_b)`` diffs two runs.

Question files are those of ``rag.evaluation.questions.read_questions``: seed JSONL, CMRC-2018 or SQuAD-style.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from rag.errors import RAGError
from rag.evaluation import metrics as eval_metrics
from rag.evaluation import report
from rag.evaluation.questions import Question, QuestionSet, first_hit_rank, read_questions
from rag.files import sha256_bytes
from rag.generation import cite
from rag.text import normalise, split_sentences
from rag.types import Answer, ChatMessage, Passage

logger = logging.getLogger(__name__)

Progress = Callable[[int, int], None]  # (questions done, total)
RESULTS, SUMMARY, REPORT = "results.jsonl", "summary.json", "report.html"
DEFAULT_K = 5


@dataclass(frozen=True, slots=True)
class Failure:
    """A question answered wrongly, with a reason a person can read."""

    id: str
    type: str
    reason: str


@dataclass(frozen=True, slots=True)
class Summary:
    """What ``evaluate`` measured; ``summary.json`` holds it (``out_dir`` as a string)."""

    config: dict  # backend, model ids, k, chunk settings, corpus and question hashes, date
    overall: dict  # rag.evaluation.metrics.metrics over every question
    by_type: dict  # question type -> the same metrics
    by_lang: dict  # question language ("zh", "zh-hant", "en") -> the same metrics
    failures: tuple[Failure, ...]
    out_dir: Path
    seconds: float  # wall time of the run

    def to_json(self) -> dict:
        data = asdict(self)
        data["out_dir"] = str(self.out_dir)
        return data


# ---------------------------------------------------------------- scoring one answer
def answer_matches(question: Question, text: str) -> bool:
    """Whether ``text`` (citation markers removed) contains a gold answer of ``question``.

    Seed files: one of the ``answer`` regexes matches the text or its matching form.
    CMRC/SQuAD: a gold answer text occurs in the text, both in matching form (``normalise``).
    An answerable question without gold answers accepts any answer.
    """
    plain = cite.strip_markers(text)
    if not question.answers:
        return True
    if question.answers_are_patterns:
        return any(re.search(p, plain) or re.search(p, normalise(plain)) for p in question.answers)
    folded = normalise(plain)
    return any(normalise(a).strip() and normalise(a).strip() in folded for a in question.answers)


def check_patterns(questions: Sequence[Question]) -> None:
    """Raise ``ValueError`` naming the question whose answer pattern is not a valid regex."""
    for q in questions:
        for pattern in q.answers if q.answers_are_patterns else ():
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"question {q.id}: answer pattern {pattern!r} is not a regular expression ({exc})") from None


def figures_cited(question: Question, answer: Answer) -> list[bool]:
    """For each figure of a conflict question: does a sentence of the answer give it and cite,
    with a supported citation, a passage of the document that states it?"""
    supported: dict[int, set[str]] = {}
    for c in answer.citations:
        if c.supported:
            supported.setdefault(c.n, set()).add(c.doc_id)
    sentences = [(cite.strip_markers(s.text), {d for n in cite.parse_markers(s.text) for d in supported.get(n, ())})
                 for s in split_sentences(answer.text)]
    return [any((re.search(f.pattern, plain) or re.search(f.pattern, normalise(plain))) and f.doc_id in docs
                for plain, docs in sentences) for f in question.conflict]


def is_correct(question: Question, answer: Answer) -> bool:
    """Unanswerable: right when refused. Conflict: every figure cited to its own document.
    Otherwise: right when not refused and a gold answer matches."""
    if not question.answerable:
        return answer.refused
    if answer.refused:
        return False
    if question.conflict:
        return all(figures_cited(question, answer))
    return answer_matches(question, answer.text)


def answer_sentences(text: str) -> list[dict]:
    """The sentences of an answer (markers removed) with the passage numbers each one cites."""
    out = []
    for span in split_sentences(text):
        plain = cite.strip_markers(span.text).strip()
        if plain:
            out.append({"text": plain, "cited": cite.parse_markers(span.text)})
    return out


def passage_record(rank: int, passage: Passage, *, hit: bool) -> dict:
    return {"rank": rank, "doc_id": passage.doc_id, "chunk_id": passage.chunk_id,
            "score": round(float(passage.score), 6), "text": passage.text, "hit": hit}


def retrieval_fields(question: Question, retrieved: Sequence[Passage], *, k: int) -> dict:
    """The top ``k`` passages and the rank of the first hit (``None`` fields if unanswerable)."""
    top = list(retrieved)[:k]
    rank = first_hit_rank(question, [(p.doc_id, p.text) for p in top]) if question.answerable else None
    return {
        "hit_rank": rank, "hit": (rank is not None) if question.answerable else None,
        "rr": (1.0 / rank if rank else 0.0) if question.answerable else None,
        "retrieved": [passage_record(i, p, hit=i == rank) for i, p in enumerate(top, start=1)],
    }


def score_question(question: Question, answer: Answer, retrieved: Sequence[Passage], *, k: int) -> dict:
    """One result record: the question, the answer, what was retrieved, and every per-question metric."""
    return {
        **_question_fields(question),
        "answer": answer.text, "refused": answer.refused, "backend": answer.backend, "model": answer.model,
        "standalone_question": answer.standalone_question, "search_question": answer.search_question,
        "correct": is_correct(question, answer),
        "figures_cited": figures_cited(question, answer) if question.conflict else None,
        **retrieval_fields(question, retrieved, k=k),
        "answer_hit_rank": first_hit_rank(question, [(p.doc_id, p.text) for p in answer.passages[:k]])
        if question.answerable else None,
        "citations": [asdict(c) for c in answer.citations],
        "sentences": [] if answer.refused else answer_sentences(answer.text),
        "timings": dict(answer.timings), "error": None,
    }


def error_record(question: Question, exc: Exception, *, retrieved: Sequence[Passage] = (), k: int) -> dict:
    """The record of a question whose bot raised: wrong, no answer, no timings."""
    return {
        **_question_fields(question), "answer": "", "refused": False, "backend": None, "correct": False,
        **retrieval_fields(question, retrieved, k=k), "answer_hit_rank": None, "citations": [], "sentences": [],
        "timings": {}, "error": f"{type(exc).__name__}: {exc}",
    }


def _question_fields(question: Question) -> dict:
    return {"id": question.id, "question": question.text, "type": question.type, "lang": question.lang,
            "answerable": question.answerable, "expected": list(question.answers),
            "expected_are_patterns": question.answers_are_patterns}


def failure_reason(record: Mapping) -> str | None:
    """Why a record counts as wrong, or ``None`` when it is right."""
    if record["correct"]:
        return None
    if record.get("error"):
        return f"error: {record['error']}"
    if record.get("turns"):
        wrong = [t for t in record["turns"] if not t["correct"]]
        return "; ".join(f"turn {t['id'].rsplit('#', 1)[-1]} ({t['question']}): {failure_reason(t)}" for t in wrong)
    if not record["answerable"]:
        return "answered a question the documents do not answer"
    if record.get("figures_cited") and not record["refused"]:
        return f"conflict: figures cited to their own documents {record['figures_cited']} (expected all true)"
    reason = "refused an answerable question" if record["refused"] else "wrong answer"
    if record["expected"]:
        reason += f" (expected {' | '.join(dict.fromkeys(record['expected']))})"
    if not record.get("hit_rank"):
        reason += "; no gold passage retrieved"
    return reason


# ---------------------------------------------------------------- running
def run_question(bot, question: Question, *, k: int, backend: str | None,
                 history: Sequence[ChatMessage] = ()) -> dict:
    """Ask ``question`` through the RAG API, then retrieve its top ``k``; score both.

    ``ask`` goes first so that its stage timings are not shortened by caches the separate
    ``retrieve`` call would warm (such as the query-vector cache); retrieval is judged on the
    question as the pipeline understood it (after condensing with ``history``). A ``RAGError``
    (unreachable backend, bad question) is recorded for that question and the run goes on.
    """
    if question.turns:
        return run_conversation(bot, question, k=k, backend=backend)
    try:
        answer = bot.ask(question.text, history=history, backend=backend)
    except RAGError as exc:
        logger.warning("question %s failed: %s", question.id, exc)
        return error_record(question, exc, retrieved=_retrieve_quietly(bot, question, k=k), k=k)
    try:
        retrieved = bot.retrieve(answer.search_question or answer.standalone_question or question.text, k=k)
    except RAGError as exc:
        logger.warning("question %s: retrieval failed: %s", question.id, exc)
        return error_record(question, exc, k=k)
    return score_question(question, answer, retrieved, k=k)


def run_conversation(bot, question: Question, *, k: int, backend: str | None) -> dict:
    """Ask each turn with the conversation so far (the product's own answers) as history.

    The conversation is right when every turn is; its retrieval hit rank is the worst turn's
    (``None`` when a turn missed), and its timings are those of its follow-ups.
    """
    history: list[ChatMessage] = []
    turns = []
    for turn in question.turns:
        record = run_question(bot, turn, k=k, backend=backend, history=history)
        turns.append(record)
        history += [{"role": "user", "content": turn.text}, {"role": "assistant", "content": record["answer"]}]
    answerable = [t for t in turns if t["answerable"]]
    rank = _worst([t["hit_rank"] for t in answerable])
    follow_ups = turns[1:] or turns
    return {
        **_question_fields(question), "turns": turns,
        "answer": "\n".join(t["answer"] for t in turns), "refused": all(t["refused"] for t in turns),
        "backend": turns[-1]["backend"], "model": turns[-1].get("model"), "correct": all(t["correct"] for t in turns),
        "hit_rank": rank, "hit": rank is not None if answerable else None,
        "rr": (1.0 / rank if rank else 0.0) if answerable else None, "retrieved": turns[-1]["retrieved"],
        "answer_hit_rank": _worst([t["answer_hit_rank"] for t in answerable]),
        "citations": [c for t in turns for c in t["citations"]], "sentences": [s for t in turns for s in t["sentences"]],
        "timings": _mean_timings([t["timings"] for t in follow_ups]),
        "error": next((t["error"] for t in turns if t["error"]), None),
    }


def _worst(ranks: Sequence[int | None]) -> int | None:
    """The largest rank, ``None`` when any is (a turn missed) or there are none."""
    return None if not ranks or any(r is None for r in ranks) else max(r for r in ranks if r is not None)


def _mean_timings(timings: Sequence[Mapping[str, float]]) -> dict[str, float]:
    stages = {s for t in timings for s in t}
    return {s: round(sum(t[s] for t in timings if s in t) / sum(1 for t in timings if s in t), 4) for s in stages}


def _retrieve_quietly(bot, question: Question, *, k: int) -> list[Passage]:
    """The top ``k`` passages, or none when retrieval fails too (the first error is reported)."""
    try:
        return bot.retrieve(question.text, k=k)
    except RAGError:
        return []


def evaluate(bot, questions: str | Path | QuestionSet | Sequence[Question], *, k: int = DEFAULT_K,
             out_dir: str | Path | None = None, backend: str | None = None, limit: int | None = None,
             progress: Progress | None = None) -> Summary:
    """Ask every question through ``bot`` (anything with the RAG ``retrieve``/``ask`` methods),
    write ``results.jsonl``, ``summary.json`` and ``report.html`` to ``out_dir``, and return
    the summary. ``questions`` is a question file, a ``QuestionSet`` or a list of ``Question``."""
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    qs, source = _question_set(questions, limit=limit)
    check_patterns(qs.questions)
    out = Path(out_dir) if out_dir else default_out_dir()
    started = time.monotonic()
    records = []
    for i, question in enumerate(qs.questions, start=1):
        records.append(run_question(bot, question, k=k, backend=backend))
        if progress:
            progress(i, len(qs.questions))
    used = backend or next((r["backend"] for r in records if r["backend"]), None)
    model = next((r["model"] for r in records if r.get("model")), None)
    summary = Summary(
        config=describe_run(bot, qs, k=k, backend=used, model=model, source=source, limit=limit),
        overall=eval_metrics.metrics(records), by_type=eval_metrics.by_type(records),
        by_lang=eval_metrics.by_type(records, field="lang"),
        failures=tuple(Failure(r["id"], r["type"], reason) for r in records
                       if (reason := failure_reason(r)) is not None),
        out_dir=out, seconds=round(time.monotonic() - started, 3),
    )
    write_run(out, summary, records)
    logger.info("evaluated %d questions in %.1f s -> %s", len(records), summary.seconds, out)
    return summary


def _question_set(questions, *, limit: int | None) -> tuple[QuestionSet, Path | None]:
    if isinstance(questions, (str, Path)):
        return read_questions(Path(questions), limit=limit), Path(questions)
    if isinstance(questions, QuestionSet):
        return QuestionSet(questions.questions[:limit] if limit else questions.questions,
                           questions.contexts, questions.kind, questions.skipped), None
    listed = list(questions)
    return QuestionSet(listed[:limit] if limit else listed, {}, "list"), None


def default_out_dir() -> Path:
    return Path("eval_out") / datetime.now().strftime("%Y%m%d-%H%M%S")


# ---------------------------------------------------------------- configuration
def corpus_hash(content_hashes: Sequence[str]) -> str:
    """One hash for an indexed corpus: sha256 of its documents' sorted content hashes."""
    return sha256_bytes("\n".join(sorted(content_hashes)).encode())


def questions_hash(questions: Sequence[Question]) -> str:
    """sha256 of the evaluated questions themselves (after ``limit``)."""
    rows = [repr(q) for q in questions]  # every field, conflict figures and turns included
    return sha256_bytes(json.dumps(rows, ensure_ascii=False).encode())


def describe_run(bot, qs: QuestionSet, *, k: int, backend: str | None, model: str | None, source: Path | None,
                 limit: int | None) -> dict:
    """Everything two runs must share to be compared honestly (unknown values are ``None``)."""
    settings = getattr(bot, "settings", None)
    documents = bot.documents() if hasattr(bot, "documents") else []
    setting = lambda name: getattr(settings, name, None)  # noqa: E731
    return {
        "backend": backend,
        "embed_model": getattr(getattr(bot, "embedder", None), "model_id", None),
        "llm_model": model,
        "k": k, "chunk_tokens": setting("chunk_tokens"), "chunk_overlap": setting("chunk_overlap"),
        "top_k": setting("top_k"), "dense_weight": setting("dense_weight"), "min_score": setting("min_score"),
        "context_tokens": setting("context_tokens"), "temperature": setting("temperature"),
        "documents": len(documents),
        "corpus_sha256": corpus_hash([d.sha256 for d in documents]) if documents else None,
        "questions_file": source.name if source else None,
        "questions_file_sha256": sha256_bytes(source.read_bytes()) if source else None,
        "questions_format": qs.kind, "questions": len(qs.questions), "limit": limit,
        "skipped_records": len(qs.skipped),
        "questions_sha256": questions_hash(qs.questions),
        "date": datetime.now().astimezone().isoformat(timespec="seconds"),
    }


# ---------------------------------------------------------------- files
def write_run(out_dir: Path, summary: Summary, records: Sequence[Mapping]) -> None:
    """``results.jsonl`` (one record a line), ``summary.json`` and ``report.html``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with open(out_dir / RESULTS, "w", encoding="utf-8") as fh:
        for record in records:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    data = summary.to_json()
    (out_dir / SUMMARY).write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    (out_dir / REPORT).write_text(report.render(data, records), encoding="utf-8")


def load_run(out_dir: str | Path) -> tuple[dict, list[dict]]:
    """The summary and the records of a finished run folder."""
    folder = Path(out_dir)
    for name in (SUMMARY, RESULTS):
        if not (folder / name).is_file():
            raise ValueError(f"{folder} is not an evaluation run folder: {name} is missing")
    summary = json.loads((folder / SUMMARY).read_text(encoding="utf-8"))
    with open(folder / RESULTS, encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh if line.strip()]
    return summary, records


def compare(dir_a: str | Path, dir_b: str | Path) -> eval_metrics.Comparison:
    """What changed from run A to run B: configuration, metrics, and flipped questions."""
    summary_a, records_a = load_run(dir_a)
    summary_b, records_b = load_run(dir_b)
    return eval_metrics.compare_runs(summary_a, records_a, summary_b, records_b)
