"""Question files: the seed JSONL format, CMRC-2018, SQuAD-style and RGB sets; what counts as a hit.

Seed JSONL, one record a line: ``id``, ``q``, ``type``, ``lang``, ``gold`` (document ids),
``evidence`` (exact substrings of a gold document), ``answer`` (regexes, one must match);
``conflict``: ``[{"doc", "answer"}]``, one figure per document that states it differently;
``turns``: a conversation, a list of such questions asked in order.

RGB JSONL (github.com/chen700564/RGB), one record a line: ``id``, ``query``, ``answer`` (each
element a string or a list of alternatives; every element must be in the answer), ``positive``
(one list of passages per part of the answer), ``negative`` (passages on the topic that do not
answer). Every distinct passage becomes one document; any positive passage is a hit.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from rag.text import is_traditional, language, normalise

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Figure:
    """One document's statement of a figure that other documents state differently."""

    doc_id: str
    pattern: str  # regex for that document's figure


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    text: str
    type: str = ""
    gold_docs: tuple[str, ...] = ()  # ids of documents that answer it ("" = any)
    evidence: tuple[str, ...] = ()  # substrings; a passage containing one is a hit
    answers: tuple[str, ...] = ()  # regexes (seed format) or gold answer texts (CMRC/SQuAD)
    answers_are_patterns: bool = False
    lang: str = ""  # "zh", "zh-hant" or "en": the language of the question
    conflict: tuple[Figure, ...] = ()  # every figure must be given, each cited to its own document
    turns: tuple[Question, ...] = ()  # a conversation: its questions in order (then ``text`` is the first)

    @property
    def answerable(self) -> bool:
        if self.turns:
            return any(t.answerable for t in self.turns)
        return bool(self.gold_docs or self.evidence)


@dataclass(frozen=True, slots=True)
class QuestionSet:
    questions: list[Question]
    contexts: dict[str, str]  # doc id -> text, for reading-comprehension sets; empty for seed files
    kind: str  # "seed" | "cmrc" | "squad" | "rgb"
    skipped: tuple[str, ...] = ()  # malformed or empty records left out, each with its reason


def read_questions(path: Path, *, limit: int | None = None) -> QuestionSet:
    """Seed JSONL (id, q, type, gold, evidence, answer), CMRC-2018 list, SQuAD-style dict, or RGB JSONL.

    Malformed or empty records are skipped and listed in ``QuestionSet.skipped``; a file with no
    valid record at all raises ``ValueError``.
    """
    text = Path(path).read_text(encoding="utf-8-sig")
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        data = None  # several JSON values: one question per line
    if _is_rgb(text):
        qs = _rgb(text)
    elif data is None or (isinstance(data, dict) and ("q" in data or "turns" in data)):
        qs = _seed(text)
    elif isinstance(data, list):
        qs = _cmrc(data)
    elif isinstance(data, dict) and "data" in data:
        qs = _squad(data)
    else:
        raise ValueError(f"{path}: not a seed JSONL, CMRC-2018, SQuAD-style or RGB file")
    for reason in qs.skipped:
        logger.warning("%s: skipped %s", path, reason)
    if not qs.questions:
        raise ValueError(f"{path}: no valid question record" + (f" ({qs.skipped[0]})" if qs.skipped else ""))
    return _limit(qs, limit)


def _limit(qs: QuestionSet, limit: int | None) -> QuestionSet:
    if not limit:
        return qs
    questions = qs.questions[:limit]
    # keep every passage of a reading-comprehension set so that retrieval stays as hard as on the full set
    return QuestionSet(questions, qs.contexts, qs.kind, qs.skipped)


def _strings(row: dict, key: str) -> tuple[str, ...]:
    values = row.get(key) or []
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ValueError(f"{key!r} must be a list of strings")
    return tuple(values)


def _check_patterns(patterns: Sequence[str]) -> None:
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"answer pattern {pattern!r} is not a regular expression ({exc})") from None


def _seed_question(row: dict, *, id: str, type: str, lang: str) -> Question:
    """One question of a seed record (or one turn of a conversation)."""
    text = row.get("q")
    if not isinstance(text, str) or not text.strip():
        raise ValueError("the question is empty")
    answers = _strings(row, "answer")
    figures = tuple(Figure(str(f["doc"]), str(f["answer"])) for f in row.get("conflict") or [])
    _check_patterns([*answers, *(f.pattern for f in figures)])
    return Question(id=id, text=text.strip(), type=type, gold_docs=_strings(row, "gold"),
                    evidence=_strings(row, "evidence"), answers=answers, answers_are_patterns=True,
                    lang=lang or language_tag(text), conflict=figures)


def _seed_record(row: object) -> Question:
    if not isinstance(row, dict):
        raise ValueError("not a JSON object")
    if not str(row.get("id") or "").strip():
        raise ValueError("no id")
    qid, qtype, lang = str(row["id"]), str(row.get("type") or ""), str(row.get("lang") or "")
    if "turns" not in row:
        return _seed_question(row, id=qid, type=qtype, lang=lang)
    turns = row["turns"]
    if not isinstance(turns, list) or not turns:
        raise ValueError("'turns' must be a non-empty list")
    parsed = tuple(_seed_question(t if isinstance(t, dict) else {}, id=f"{qid}#{n}", type=qtype, lang=lang)
                   for n, t in enumerate(turns, start=1))
    return Question(id=qid, text=parsed[0].text, type=qtype, lang=parsed[0].lang, turns=parsed)


def _seed(text: str) -> QuestionSet:
    questions: list[Question] = []
    skipped: list[str] = []
    seen: set[str] = set()
    for line_no, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            question = _seed_record(json.loads(line))
            if question.id in seen:
                raise ValueError(f"id {question.id!r} repeats an earlier record")
        except (json.JSONDecodeError, ValueError, KeyError, TypeError) as exc:
            skipped.append(f"line {line_no}: {exc}")
            continue
        seen.add(question.id)
        questions.append(question)
    return QuestionSet(questions, {}, "seed", tuple(skipped))


def language_tag(text: str) -> str:
    """"en", "zh-hant" or "zh": the language and script a question is written in."""
    if language(text) == "en":
        return "en"
    return "zh-hant" if is_traditional(text) else "zh"


def _cmrc(data: list) -> QuestionSet:
    questions: list[Question] = []
    contexts: dict[str, str] = {}
    skipped: list[str] = []
    for i, item in enumerate(data):
        try:
            doc_id = str(item["context_id"])
            contexts[doc_id] = item["context_text"]
            qas = item["qas"]
        except (KeyError, TypeError) as exc:
            skipped.append(f"passage {i}: no {exc}")
            continue
        for qa in qas:
            _add_reading_question(questions, skipped, qa, id_key="query_id", text_key="query_text", kind="cmrc",
                                  doc_id=doc_id, answers=lambda qa: [str(a) for a in qa.get("answers", [])])
    return QuestionSet(questions, contexts, "cmrc", tuple(skipped))


def _add_reading_question(questions: list[Question], skipped: list[str], qa: object, *, id_key: str,
                          text_key: str, kind: str, doc_id: str, answers: Callable[[dict], list[str]]) -> None:
    """Append one CMRC/SQuAD question, or the reason it is skipped (no id, empty question)."""
    if not isinstance(qa, dict) or not qa.get(id_key):
        skipped.append(f"a question of passage {doc_id}: no {id_key}")
        return
    text = qa.get(text_key)
    if not isinstance(text, str) or not text.strip():
        skipped.append(f"question {qa[id_key]}: the question is empty")
        return
    try:
        gold = tuple(answers(qa))
    except (KeyError, TypeError) as exc:
        skipped.append(f"question {qa[id_key]}: malformed answers ({exc})")
        return
    questions.append(Question(id=str(qa[id_key]), text=text.strip(), type=kind, gold_docs=(doc_id,), answers=gold))


def _squad(data: dict) -> QuestionSet:
    questions: list[Question] = []
    contexts: dict[str, str] = {}
    skipped: list[str] = []
    for article in data["data"]:
        for para in article.get("paragraphs", []) if isinstance(article, dict) else []:
            doc_id = str(para.get("id") or f"p{len(contexts)}")
            if not isinstance(para.get("context"), str):
                skipped.append(f"paragraph {doc_id}: no context")
                continue
            contexts[doc_id] = para["context"]
            for qa in para.get("qas", []):
                _add_reading_question(questions, skipped, qa, id_key="id", text_key="question", kind="squad",
                                      doc_id=doc_id, answers=lambda qa: [a["text"] for a in qa.get("answers", [])])
    return QuestionSet(questions, contexts, "squad", tuple(skipped))


def _is_rgb(text: str) -> bool:
    """One JSON object a line whose first record has RGB's ``query`` and ``positive`` keys."""
    for line in text.splitlines():
        if line.strip():
            try:
                first = json.loads(line)
            except json.JSONDecodeError:
                return False
            return isinstance(first, dict) and "query" in first and "positive" in first
    return False


def _passages(value: object, key: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(p, str) for p in value):
        raise ValueError(f"{key!r} must be a list of passages (strings)")
    return [p for p in value if p.strip()]


def _rgb_answer_pattern(answer: object) -> str:
    """One regex that matches when every element of an RGB ``answer`` occurs (each element a
    string or a list of alternatives); "" when there is no answer to check."""
    if not isinstance(answer, list):
        raise ValueError("'answer' must be a list")
    parts = []
    for element in answer:
        options = element if isinstance(element, list) else [element]
        if not options or not all(isinstance(o, str | int | float) and str(o).strip() for o in options):
            raise ValueError(f"answer element {element!r} is empty or not a string")
        parts.append("(?=[\\s\\S]*(?:" + "|".join(re.escape(str(o).strip()) for o in options) + "))")
    return "^" + "".join(parts) if parts else ""


def _rgb_record(row: object) -> tuple[Question, list[str], list[str]]:
    """(question, its positive passages, its negative passages) of one RGB record."""
    if not isinstance(row, dict):
        raise ValueError("not a JSON object")
    if row.get("id") is None or not str(row["id"]).strip():
        raise ValueError("no id")
    text = row.get("query")
    if not isinstance(text, str) or not text.strip():
        raise ValueError("the question is empty")
    groups = row.get("positive")
    if not isinstance(groups, list):
        raise ValueError("'positive' must be a list of lists of passages")
    positive = [p for group in groups for p in _passages(group, "positive")]
    if not positive:
        raise ValueError("no positive passage")
    negative = _passages(row.get("negative") or [], "negative")
    pattern = _rgb_answer_pattern(row.get("answer") or [])
    question = Question(id=str(row["id"]), text=text.strip(), type="rgb", answers=(pattern,) if pattern else (),
                        answers_are_patterns=True, lang=language_tag(text))
    return question, positive, negative


def _rgb(text: str) -> QuestionSet:
    """RGB JSONL: every distinct passage is one document (ids p00000, p00001, ... in order of first
    appearance); a question's gold documents are its positive passages."""
    questions: list[Question] = []
    contexts: dict[str, str] = {}
    ids: dict[str, str] = {}  # passage text -> doc id
    skipped: list[str] = []
    seen: set[str] = set()

    def doc_id(passage: str) -> str:
        if passage not in ids:
            ids[passage] = f"p{len(ids):05d}"
            contexts[ids[passage]] = passage
        return ids[passage]

    for line_no, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            question, positive, negative = _rgb_record(json.loads(line))
            if question.id in seen:
                raise ValueError(f"id {question.id!r} repeats an earlier record")
        except (json.JSONDecodeError, ValueError) as exc:
            skipped.append(f"line {line_no}: {exc}")
            continue
        seen.add(question.id)
        gold = tuple(dict.fromkeys(doc_id(p) for p in positive))
        for passage in negative:
            doc_id(passage)
        questions.append(replace(question, gold_docs=gold))
    return QuestionSet(questions, contexts, "rgb", tuple(skipped))


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
