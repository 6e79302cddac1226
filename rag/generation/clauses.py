"""The figures of a sentence, and which of its clauses names what a question asks.

A sentence often lists parallel clauses, each with its own figure (人工智能产业集群规模突破200亿元,
生物医药产业集群规模实现倍增): the ranking must not take it for the answer to a clause that states none,
and the answer check must not let a model give a neighbour clause's figure. Both read the sentence
here, the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.generation.cite import split_clauses
from rag.generation.facts import ARABIC_FIGURE, Number, numbers
from rag.text import language, load_jieba, terms

_QUALIFIER_BEFORE = re.compile(
    r"(?:超过|超出|超|逾|近|将近|接近|约|大约|不到|不足|不少于|more than|over|nearly|almost|about|around|"
    r"approximately|close to|above|at least|less than|under|some|upwards of|in excess of|"
    r"exceed(?:s|ed|ing)?|surpass(?:es|ed|ing)?)\s*(?:rmb|cny|¥)?\s*$")
_QUALIFIER_AFTER = re.compile(r"^\s*(?:多|余|来(?![源自])|[\u4e00-\u9fff]?(?:以上|左右|有余)|\+|plus\b|or more\b)")
_ABOVE = re.compile(r"超|逾|以上|多|余|有余|\+|more than|over|above|at least|upwards of|in excess of|plus|or more|"
                    r"exceed|surpass")
_BELOW = re.compile(r"近|不到|不足|nearly|almost|close to|less than|under")
_MULTIPLE = re.compile(r"倍增|翻番|翻倍|翻了?一番")  # a size stated as a multiple, without a figure


@dataclass(frozen=True, slots=True)
class Figure:
    text: str
    number: Number
    qualified: bool  # 多/余/超/近/约… (more than, about…) written next to it
    side: str = ""  # which way the qualifier points: "above" (超, over), "below" (近, nearly), "" (约, bare)
    at: int = 0  # where it starts in the text it was read from


def read_figures(text_norm: str) -> list[Figure]:
    """The Arabic figures of ``text_norm``, read as ``rag.generation.facts`` reads them."""
    def qualifier(m: re.Match) -> str:
        before = _QUALIFIER_BEFORE.search(text_norm[: m.start()])
        after = _QUALIFIER_AFTER.match(text_norm[m.end():])
        return (before.group() if before else "") + (after.group() if after else "")

    def side(words: str) -> str:
        return "above" if _ABOVE.search(words) else "below" if _BELOW.search(words) else ""

    return [Figure(m.group(), numbers(m.group())[0], bool(q := qualifier(m)), side(q), m.start())
            for m in ARABIC_FIGURE.finditer(text_norm)]


@dataclass(frozen=True, slots=True)
class AskedClause:
    clauses: list[str]
    figures: list[list[Figure]]  # each clause's
    asked: int  # the clause naming what is asked
    beside: list[int]  # the other clauses whose figures may be misread as the asked one's


def asked_clause(sentence_norm: str, words: set[str], *, figure_asked: bool) -> AskedClause | None:
    """The clause of a sentence naming what is asked: the only one holding a word of the question
    (``words``) that the others lack. When it gives a figure, every other clause's figures are beside
    it; when it gives none (only for a question asking a figure, ``figure_asked``), only those of
    parallel clauses, sharing a word of the question with it (人工智能产业集群规模突破200亿元,
    生物医药产业集群规模实现倍增, asked how big 生物医药's is), a noun: a clause sharing none may well state the
    asked thing's figure, and a question asking which occasion or year may be answered from another."""
    clauses = [c.text for c in split_clauses(sentence_norm)]
    figures = [read_figures(c) for c in clauses]
    naming = [i for i, clause in enumerate(clauses) if any(w in clause and sum(w in c for c in clauses) == 1 for w in words)]
    own = [i for i in naming if figures[i]] or (naming if figure_asked else [])
    if len(own) != 1:
        return None
    shared = {w for w in words if w in clauses[own[0]] and _noun(w)}  # not a verb (实施 of 实施细则 and 实施“…计划”)
    beside = [i for i in range(len(clauses)) if i != own[0] and figures[i]
              and (figures[own[0]] or any(w in clauses[i] for w in shared))]
    return AskedClause(clauses, figures, own[0], beside)


def _noun(word: str) -> bool:
    return all(piece.flag[:1] in ("n", "j") for piece in load_jieba().posseg.cut(word))


def question_words(asked_norm: str) -> set[str]:
    return {t for t in terms(asked_norm, guessed=False) if len(t) >= 2 and language(t) == "zh"}


def figures_only_beside_asked(sentence_norm: str, question_norm: str, *, unit_asked: bool) -> bool:
    """For a question asking a figure: the clause naming what is asked gives none, and parallel
    clauses give theirs (``asked_clause``): the sentence states other things' figures, not the asked
    one's. Unless ``unit_asked`` (多少亿元), 实现倍增 answers how big it got."""
    found = asked_clause(sentence_norm, question_words(question_norm), figure_asked=True)
    return (found is not None and not found.figures[found.asked] and bool(found.beside)
            and (unit_asked or not _MULTIPLE.search(found.clauses[found.asked])))
