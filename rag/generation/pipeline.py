"""From question to cited answer: condense, retrieve, pack the prompt, generate, verify."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterator, Sequence

from rag.generation import cite
from rag.generation.backends import Evidence, Generator
from rag.generation.cite import Similarity
from rag.generation.prompts import load_prompt, render
from rag.text import language
from rag.tokens import count_tokens
from rag.types import Answer, ChatMessage, Language, Passage

logger = logging.getLogger(__name__)

Search = Callable[..., list[Passage]]  # search(question, *, k) -> passages, best first
HISTORY_TURNS = 4  # messages of history shown to the condensing prompt


def pack_passages(passages: Sequence[Passage], *, budget_tokens: int) -> list[Passage]:
    """The leading passages whose text fits in ``budget_tokens`` (at least one).

    A passage mostly covered by one already packed (neighbouring chunks overlap) is skipped, so
    the budget goes to new text, e.g. a second document that gives another figure.
    """
    packed: list[Passage] = []
    used = 0
    for p in passages:
        if any(_overlap(p, q) > 0.5 for q in packed):
            continue
        cost = count_tokens(p.text) + 4  # the "[n] " label and separator
        if used + cost > budget_tokens:
            break
        packed.append(p)
        used += cost
    return packed or list(passages[:1])


def _overlap(p: Passage, q: Passage) -> float:
    """Share of ``p``'s characters that ``q`` (same document) also covers, 0..1."""
    if p.doc_id != q.doc_id or p.end <= p.start:
        return 0.0
    return max(0, min(p.end, q.end) - max(p.start, q.start)) / (p.end - p.start)


_CN_MAGNITUDE = re.compile(r"(\d+(?:\.\d+)?)\s*(亿|億|万|萬)(元)?")
_SCALES = ((1e9, "billion"), (1e6, "million"), (1e3, "thousand"))


def gloss_figures(text: str) -> str:
    """Add the English magnitude after figures in 万/亿: ``50亿元`` → ``50亿元 (5 billion yuan)``.

    Small models translate 50亿 as "50 billion" (it is 5 billion); giving the magnitude in the
    passage lets an English answer copy it. Only the prompt sees this; citations keep the original.
    """
    def gloss(m: re.Match) -> str:
        value = float(m.group(1)) * (1e8 if m.group(2) in "亿億" else 1e4)
        scale, word = next(((v, w) for v, w in _SCALES if value >= v), (1.0, ""))
        amount = f"{value / scale:.3f}".rstrip("0").rstrip(".")
        unit = " yuan" if m.group(3) else ""
        return f"{m.group(0)} ({amount} {word}{unit})".replace("  ", " ")

    return _CN_MAGNITUDE.sub(gloss, text)


def format_passages(passages: Sequence[Passage], *, lang: Language = "zh") -> str:
    """Numbered passages for the prompt; for English answers, figures in 万/亿 are glossed."""
    prepare = gloss_figures if lang == "en" else str
    return "\n\n".join(f"[{i}] {prepare(p.text.strip())}" for i, p in enumerate(passages, start=1))


def build_messages(question: str, passages: Sequence[Passage], *, lang: Language) -> list[ChatMessage]:
    """System prompt (a fixed prefix, so its KV cache is reused) and the user turn."""
    return [
        {"role": "system", "content": load_prompt("system", lang=lang)},
        {"role": "user", "content": render(load_prompt("answer", lang=lang),
                                           passages=format_passages(passages, lang=lang), question=question)},
    ]


def format_history(history: Sequence[ChatMessage]) -> str:
    """Recent turns in the labels the condensing prompt's examples use (用户/助手)."""
    labels = {"user": "用户", "assistant": "助手"}
    return "\n".join(
        f"{labels[m['role']]}：{str(m.get('content', '')).strip()}"
        for m in list(history)[-HISTORY_TURNS:] if m.get("role") in labels
    )


def last_user_question(history: Sequence[ChatMessage]) -> str:
    for message in reversed(list(history)):
        if message.get("role") == "user":
            return str(message.get("content", ""))
    return ""


class AnswerPipeline:
    """Condense → retrieve → pack → generate → verify, with one generator.

    ``stream`` yields text deltas, then one final ``Answer``. ``similarity`` scores sentences
    against a question (cosines); citation checks and the extractive generator use it.
    """

    def __init__(self, generator: Generator, *, similarity: Similarity, context_tokens: int,
                 max_answer_tokens: int, temperature: float, min_score: float = 0.0) -> None:
        self.generator = generator
        self._similarity = similarity
        self.context_tokens = context_tokens
        self.max_answer_tokens = max_answer_tokens
        self.temperature = temperature
        self.min_score = min_score

    def stream(self, question: str, *, history: Sequence[ChatMessage], search: Search,
               k: int) -> Iterator[str | Answer]:
        timings: dict[str, float] = {}
        started = time.monotonic()
        lang = language(question)
        standalone = self.condense(question, history)
        timings["condense"] = time.monotonic() - started
        mark = time.monotonic()
        passages = [p for p in search(standalone, k=k) if p.score >= self.min_score]
        timings["retrieve"] = time.monotonic() - mark
        mark = time.monotonic()
        passages = pack_passages(passages, budget_tokens=self.context_tokens)
        pieces: list[str] = []
        if passages:
            deltas = self.generator.stream(build_messages(standalone, passages, lang=lang),
                                           max_tokens=self.max_answer_tokens, temperature=self.temperature,
                                           evidence=Evidence(standalone, passages))
            for delta in deltas:
                if not pieces:
                    timings["first_token"] = time.monotonic() - mark
                pieces.append(delta)
                yield delta
        timings["generate"] = time.monotonic() - mark
        yield self._finish(question, standalone, "".join(pieces), passages, lang=lang, timings=timings,
                           started=started)

    def _finish(self, question: str, standalone: str, raw: str, passages: list[Passage], *, lang: str,
                timings: dict[str, float], started: float) -> Answer:
        text, citations = (cite.verify(raw, passages, question=standalone, similarity=self._similarity)
                           if raw.strip() else ("", []))
        refused = not text.strip() or cite.is_refusal(text) or not passages
        verified = any(c.supported for c in citations)
        if not refused and not verified and not cite.grounded(text, passages, question=standalone):
            logger.info("no fact of the answer is in the passages: refusing instead of guessing")
            refused = True
        if refused:
            text, citations = load_prompt("refusal", lang=lang).strip(), []
        elif not verified:
            text = f"{text.rstrip()}\n\n{load_prompt('unverified', lang=lang).strip()}"
        timings["total"] = time.monotonic() - started
        return Answer(
            question=question, text=text, citations=citations, passages=passages, refused=refused,
            backend=self.generator.name, model=self.generator.model_id, standalone_question=standalone,
            timings={k: round(v, 4) for k, v in timings.items()},
        )

    def condense(self, question: str, history: Sequence[ChatMessage]) -> str:
        """A standalone form of a follow-up question (the question itself without history).

        The generator rewrites it; one that cannot (it returns nothing) gets the previous
        question and the follow-up joined, which is what retrieval then searches for.
        """
        if not any(m.get("role") == "user" for m in history):
            return question
        lang = language(question)
        prompt = render(load_prompt("condense", lang=lang), history=format_history(history), question=question)
        rewritten = self.generator.complete([{"role": "user", "content": prompt}], max_tokens=96, temperature=0.0)
        rewritten = rewritten.strip().splitlines()[0].strip() if rewritten.strip() else ""
        logger.debug("condensed %r -> %r", question, rewritten)
        return rewritten or f"{last_user_question(history)} {question}".strip()
