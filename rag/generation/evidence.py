"""Evidence first: the passages an answer may come from, and the sentences in them that answer.

A small local model answers well when it is shown the few sentences that hold the answer, and
poorly (or not at all) when it must find them in long passages. So before any model runs:

1. ``gather``: hybrid retrieval's best passages plus BM25's best, so that a document whose figure
   only the lexical half ranks high (documents that disagree word things alike) still gets in;
2. ``select``: every sentence is scored against the question (``rag.generation.extractive.rank``),
   the answer sentences are chosen (``choose``: one per document that states the asked fact),
   and the passages holding them are packed first into the token budget.

The model is shown only ``Selection.chosen``, the sentences the extractive answer gives, to
phrase them: every prompt token costs the local model about 30 ms before its first word
(measured on 2 cores: 56 tokens read, first text at 1.8 s; 171 tokens, 5.0 s).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from rag.generation.cite import Similarity
from rag.generation.extractive import Finding, choose, compose, figure_focus, rank, same_statement
from rag.generation.followup import is_question, resolve
from rag.text import asks_credit, credit_span, ends_sentence, normalise, published, sentence_end, year_headings
from rag.tokens import count_tokens
from rag.types import Passage

# 2025年,…: the year a clause is about (not 2020年营商环境评价中, a year that names something)
_YEAR_LEADS = re.compile(r"(?<![\d.])((?:19|20)\d{2})\s*年\s*[,，]")
MAX_LEAD_IN = 400  # characters of a passage's paragraph before it read for the year it speaks of
MAX_SENTENCE_TAIL = 200  # characters a passage cut in mid-sentence is read on, at most, to finish it
_PART_END = re.compile(r"[^?？]+[?？]")  # one question of several asked at once
MAX_PARTS = 3
Search = Callable[..., list[Passage]]  # search(question, *, k, mode="hybrid") -> passages, best first


@dataclass(frozen=True, slots=True)
class Selection:
    passages: list[Passage]  # packed, numbered [1]..[n] in the prompt and in citations
    chosen: list[Finding]  # the answer sentences (the model is shown these); empty = not enough evidence


def gather(search: Search, question: str, *, k: int, min_score: float = 0.0, focused: bool = True) -> list[Passage]:
    """Hybrid's top ``2k`` passages, then BM25's top ``k`` not already among them, then, for a
    question asking for a figure, BM25's top ``k`` for what it asks about alone (院士 of
    光明区的院士数量是多少, whose bulleted 全区院士57人 the whole question's words rank sixth: each
    document's own figure should be found; not with ``focused`` False: a machine rendering's words
    are the translator's); each with a score of at least ``min_score``."""
    pool = [p for p in search(question, k=2 * k) if p.score >= min_score]
    seen = {p.chunk_id for p in pool}
    asked = " ".join(figure_focus(normalise(question))) if focused else ""
    for query in dict.fromkeys(q for q in (question, asked) if q):
        for p in search(query, k=k, mode="bm25"):
            if p.chunk_id not in seen and p.score >= min_score:
                seen.add(p.chunk_id)
                pool.append(p)
    return pool


def finish_sentences(passages: Sequence[Passage], text_of: Callable[[str], str | None]) -> list[Passage]:
    """Each passage run on to the end of the sentence it stops in (``text_of``: a document's text),
    with the year the text above it speaks of (``Passage.heading_year``: the last its paragraph
    names before it as what a clause is about (2025年,…), else the last year heading's) and its
    document's date (``Passage.published``).

    Chunks are cut to a token budget, and a long sentence at a cut is whole in neither chunk: its
    start (2022年,我们将…) in one, its end (…全力打造国际科技和产业创新高地。) in the next, so neither
    holds what answers 2022年的总目标是打造什么. Answers are chosen from whole sentences.
    """
    texts: dict[str, str | None] = {}  # each document read once
    headings: dict[str, list[tuple[int, str]]] = {}  # and its year headings found once
    dates: dict[str, str] = {}  # and its own date
    finished = []
    for p in passages:
        if p.doc_id not in texts:
            texts[p.doc_id] = text_of(p.doc_id)
            headings[p.doc_id] = year_headings(texts[p.doc_id] or "")
            dates[p.doc_id] = published(texts[p.doc_id] or "")
        text = texts[p.doc_id]
        if not text or text[p.start:p.end] != p.text:
            finished.append(p)
            continue
        above = [year for end, year in headings[p.doc_id] if end <= p.start]
        paragraph = text[max(text.rfind("\n", 0, p.start) + 1, p.start - MAX_LEAD_IN):p.start]
        named = _YEAR_LEADS.findall(paragraph)  # 2025年,光明区提出…。| 实现可调度算力规模超16E: a 2025 plan
        p = replace(p, heading_year=(named or above or [""])[-1], published=dates[p.doc_id])
        end = None if ends_sentence(p.text) else sentence_end(text, p.end, p.end + MAX_SENTENCE_TAIL)
        finished.append(replace(p, text=text[p.start:end], end=end) if end else p)
    return finished


def with_credits(question: str, passages: Sequence[Passage], text_of: Callable[[str], str | None]) -> list[Passage]:
    """``passages``, and for a question asking who wrote or edited a text (作者, 编辑), the credit
    lines (``rag.text.credit_span``) of each of their documents as a passage of its own: a report
    names them once, at its end, and a question naming the report by its title retrieves its opening."""
    if not asks_credit(question):
        return list(passages)
    out, done = list(passages), set()
    for p in passages:
        if p.doc_id in done or not (text := text_of(p.doc_id)) or not (span := credit_span(text)):
            continue
        done.add(p.doc_id)
        start, end = span
        if not any(q.doc_id == p.doc_id and q.start <= start and end <= q.end for q in out):
            out.append(replace(p, chunk_id=f"{p.doc_id}#credits", text=text[start:end], start=start, end=end,
                               heading_year=""))
    return out


def select(question: str, pool: Sequence[Passage], *, similarity: Similarity | None,
           budget_tokens: int, translated_from: str = "", romanised: Sequence[str] = ()) -> Selection:
    """Score the pool's sentences, choose the answer sentences, and pack their passages first,
    whatever their size (``translated_from``: the user's question when ``question`` is a machine
    rendering of it; ``romanised``: the documents' words for the names it gives in pinyin; see ``rank``)."""
    def chosen_for(asked: str) -> list[Finding]:
        return choose(rank(asked, pool, similarity=similarity, translated_from=translated_from, romanised=romanised))

    chosen = chosen_for(question) or _each_part_chosen(question, chosen_for)
    first = list(dict.fromkeys(pool[f.candidate.n - 1] for f in chosen))
    passages = pack_passages(list(dict.fromkeys([*first, *pool])), budget_tokens=budget_tokens, keep=len(first))
    number = {p.chunk_id: i for i, p in enumerate(passages, start=1)}

    def renumbered(findings: Sequence[Finding]) -> list[Finding]:
        out = []
        for f in findings:
            n = number.get(pool[f.candidate.n - 1].chunk_id)
            if n is not None:
                out.append(replace(f, candidate=replace(f.candidate, n=n)))
        return out

    return Selection(passages=passages, chosen=renumbered(chosen))


def _each_part_chosen(question: str, chosen_for: Callable[[str], list[Finding]]) -> list[Finding]:
    """The sentences answering each part of a question asked in two or three (…叫什么名字?她提到…每个月
    能拿多少租金补贴?), when no sentence answers it whole: every part must be answered, a later part
    read after the first (她 is the one it asked about). ``[]`` when a part is not answered."""
    parts = [p.strip() for p in _PART_END.findall(question) if p.strip()]
    if not 2 <= len(parts) <= MAX_PARTS or not all(is_question(p) for p in parts):
        return []
    chosen: list[Finding] = []
    for i, part in enumerate(parts):
        found = chosen_for(resolve(part, [parts[0]], answer=compose(chosen)) or part if i else part)
        if not found:
            return []
        chosen += [f for f in found if not any(same_statement(f.candidate, c.candidate) for c in chosen)]
    return chosen


def pack_passages(passages: Sequence[Passage], *, budget_tokens: int, keep: int = 0) -> list[Passage]:
    """The leading passages whose text fits in ``budget_tokens`` (at least one); the first ``keep``
    are packed whatever their size (they hold the answer sentences, which are cited from them).

    A passage mostly covered by one already packed (neighbouring chunks overlap) is skipped, so
    the budget goes to new text, e.g. a second document that gives another figure.
    """
    packed: list[Passage] = list(passages[:keep])
    used = sum(count_tokens(p.text) + 4 for p in packed)  # the "[n] " label and separator
    for p in passages[keep:]:
        if any(_overlap(p, q) > 0.5 for q in packed):
            continue
        cost = count_tokens(p.text) + 4
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
