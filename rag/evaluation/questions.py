"""Question files: the seed JSONL format, CMRC-2018 and SQuAD-style sets; what counts as a hit."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rag.text import normalise

logger = logging.getLogger(__name__)


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
    questions: list[Question] = []
    contexts: dict[str, str] = {}
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
