"""Citation markers: parse them, check each cited claim against its passage, quote the source.

Support rule (``check``): both texts are compared in their matching form (``rag.text.normalise``:
simplified script, half-width, lower case), so a traditional passage supports a simplified
sentence. The *facts* of a claim are

* numbers: Arabic digits with decimals, thousands commas, 万/亿/thousand/million/billion and
  %/percent, and Chinese numerals (十五, 两个, 百分之六十八), compared by value, so 四 = 4 and
  15亿 = 1.5 billion. A bare number also matches the same figure written with a multiplier
  (15 ↔ 15亿). A lone 一 is not read as a number: it is mostly a word part (一批, 一体化);
* names: Latin words in a Chinese sentence, and acronyms (two capitals or letters with digits,
  e.g. AI, TOP30) in any sentence; capitalised words too when the passage itself is English;
  CJK words that jieba tags as proper nouns (nr/ns/nt/nz/nrt: 蔡颖, 鹏城, 兰州大学) unless
  its dictionary counts them as common (深圳, 香港: ``COMMON_NAME_FREQ``), since documents
  refer to those in many ways (我市, 全市); the text inside “…” 《…》 「…」 『…』 and "…" quotes.

Every fact must occur in the passage, except facts the question already states (those are the
user's premise, not the passage's claim). Latin words in an English sentence citing a Chinese
passage are translations and cannot be matched by string, so only acronyms are checked there.
A claim with facts must also share at least ``MIN_OVERLAP_WITH_FACTS`` of its content terms
with a same-language passage; a claim without facts is supported when it shares at least
``MIN_OVERLAP`` of them (or, across languages, when an optional similarity says so).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rag.generation.facts import contains, match_form, names, number_found, numbers
from rag.text import Span, language, normalise, split_at, split_sentences, terms
from rag.types import Citation, Passage

logger = logging.getLogger(__name__)

MIN_OVERLAP = 0.5  # share of a fact-less claim's content terms found in the passage
MIN_OVERLAP_WITH_FACTS = 0.25  # same, for a claim whose facts were all found
Similarity = Callable[[str, Sequence[str]], Sequence[float]]


@dataclass(frozen=True, slots=True)
class Marker:
    """One bracketed marker such as ``[1,2]``, ``【3】`` or ``[1-3]``."""

    start: int
    end: int
    numbers: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Support:
    """Why a claim is or is not supported by a passage."""

    supported: bool
    facts: tuple[str, ...]  # checkable facts of the claim, in matching form
    missing: tuple[str, ...]  # facts not found in the passage
    overlap: float  # share of the claim's content terms found in the passage, 0..1
    cross_lingual: bool  # claim and passage are in different languages


# ---------------------------------------------------------------- markers and sentences
_NUM = r"\d{1,3}(?:\s*[-–—~～]\s*\d{1,3})?"
_MARKER = re.compile(rf"[\[【［]\s*({_NUM}(?:\s*[,，、;；]\s*{_NUM})*)\s*[\]】］]")
_CLAUSE_BREAK = re.compile(r"[，：]|(?<!\d)[,:]|[,:](?!\d)")  # not the comma of 1,200


def find_markers(text: str) -> list[Marker]:
    """Every citation marker of ``text`` with its offsets and the passage numbers it names."""
    found = []
    for m in _MARKER.finditer(text):
        numbers: list[int] = []
        for part in re.split(r"\s*[,，、;；]\s*", m.group(1).strip()):
            ends = [int(x) for x in re.split(r"\s*[-–—~～]\s*", part)]
            lo, hi = min(ends), max(ends)
            span = range(lo, hi + 1) if hi - lo <= 20 else (lo, hi)  # no runaway ranges
            numbers.extend(n for n in span if n not in numbers)
        found.append(Marker(m.start(), m.end(), tuple(numbers)))
    return found


def parse_markers(text: str) -> list[int]:
    """Passage numbers cited in ``text``, each once, in order of first appearance."""
    seen: list[int] = []
    for marker in find_markers(text):
        seen.extend(n for n in marker.numbers if n not in seen)
    return seen


def strip_markers(text: str) -> str:
    """``text`` without its citation markers."""
    return _MARKER.sub("", text)


def split_clauses(text: str) -> list[Span]:
    """Sentences further cut at commas and colons (not those inside numbers like 1,200)."""
    bounds = {span.end for span in split_sentences(text)} | {m.end() for m in _CLAUSE_BREAK.finditer(text)}
    return split_at(text, sorted(bounds), trim="，,：:")


def check(claim: str, passage_text: str, *, question: str = "") -> Support:
    """Whether ``passage_text`` supports ``claim`` (citation markers ignored); see module doc."""
    claim = strip_markers(claim)
    c_norm, p_norm, q_norm = match_form(claim), match_form(passage_text), match_form(question)
    cross = language(claim) != language(passage_text)
    p_numbers, q_numbers = numbers(p_norm), numbers(q_norm)
    facts, missing = [], []
    for n in numbers(c_norm):
        if number_found(n, q_numbers):
            continue
        facts.append(n.text)
        if not number_found(n, p_numbers):
            missing.append(n.text)
    for name in names(claim, passage_lang=language(passage_text)):
        if contains(q_norm, name):
            continue
        facts.append(name)
        if not contains(p_norm, name):
            missing.append(name)
    claim_terms = set(terms(claim))
    overlap = len(claim_terms & set(terms(passage_text))) / len(claim_terms) if claim_terms else 0.0
    if facts:
        ok = not missing and (cross or overlap >= MIN_OVERLAP_WITH_FACTS)
    else:
        ok = not cross and overlap >= MIN_OVERLAP
    return Support(ok, tuple(dict.fromkeys(facts)), tuple(dict.fromkeys(missing)), overlap, cross)


def supports(sentence: str, passage_text: str, *, question: str = "") -> bool:
    """True when every fact of ``sentence`` occurs in ``passage_text`` (see module doc)."""
    return check(sentence, passage_text, question=question).supported


# ---------------------------------------------------------------- quotes
def best_quote(claim: str, passage_text: str, *, facts: Sequence[str] = ()) -> Span:
    """The passage span that best supports ``claim``: local offsets into ``passage_text``.

    The shortest run of clauses holding the most of ``facts``, widened to its whole sentence
    when that sentence is short; without facts, the clause run sharing the most content terms.
    """
    clauses = split_clauses(passage_text) or [Span(passage_text, 0, len(passage_text))]
    c_terms = set(terms(claim))
    norm = [match_form(c.text) for c in clauses]
    hits = [{f for f in facts if _fact_in(f, t)} for t in norm]
    shared = [c_terms & set(terms(c.text)) for c in clauses]
    best: tuple[float, ...] = ()
    best_span = (0, 0)
    for i in range(len(clauses)):
        got_facts: set[str] = set()
        got_terms: set[str] = set()
        for j in range(i, min(i + 6, len(clauses))):
            got_facts |= hits[j]
            got_terms |= shared[j]
            length = clauses[j].end - clauses[i].start
            key = (len(got_facts), len(got_terms) / (1 + length / 40), -length)
            if key > best:
                best, best_span = key, (i, j)
    first, last = clauses[best_span[0]], clauses[best_span[1]]
    for sentence in split_sentences(passage_text):
        if sentence.start <= first.start and last.end <= sentence.end and len(sentence.text) <= 80:
            return sentence
    return Span(passage_text[first.start : last.end], first.start, last.end)


def _fact_in(fact: str, text_norm: str) -> bool:
    fact_numbers = numbers(fact)
    if fact_numbers and fact_numbers[0].text == fact:
        return number_found(fact_numbers[0], numbers(text_norm))
    return contains(text_norm, fact)


# ---------------------------------------------------------------- verify
def _claims(sentence: Span, markers: Sequence[Marker]) -> list[tuple[str, list[Marker]]]:
    """Each group of adjacent markers of a sentence with the claim it closes.

    The claim is the text since the previous group (``A[1]，B[2]``: A for [1], B for [2]); the
    whole sentence when that text is only punctuation (``A。[1]`` or ``[1]A。``).
    """
    groups: list[list[Marker]] = []
    for m in markers:
        if groups and not sentence.text[groups[-1][-1].end - sentence.start : m.start - sentence.start].strip():
            groups[-1].append(m)
        else:
            groups.append([m])
    out, prev = [], 0
    whole = strip_markers(sentence.text)
    for group in groups:
        claim = sentence.text[prev : group[0].start - sentence.start]
        prev = group[-1].end - sentence.start
        if not re.search(r"[\w\u3400-\u9fff]", strip_markers(claim)):
            claim = whole
        out.append((strip_markers(claim), group))
    return out


def _judge(claim: str, numbers_: Sequence[int], passages: Sequence[Passage], *, question: str,
           similarity: Similarity | None, min_similarity: float) -> dict[int, tuple[bool, Support]]:
    """Support of ``claim`` by each cited passage; several passages may share out the facts."""
    checks = {n: check(claim, passages[n - 1].text, question=question) for n in numbers_}
    if len(checks) > 1 and not any(s.supported for s in checks.values()):
        facts = next(iter(checks.values())).facts
        missing_everywhere: set[str] = set.intersection(*(set(s.missing) for s in checks.values()))
        covered = set(facts) - missing_everywhere
        if facts and covered == set(facts):
            return {n: (len(s.missing) < len(facts), s) for n, s in checks.items()}
    result = {}
    for n, s in checks.items():
        ok = s.supported
        if not ok and s.cross_lingual and not s.facts and similarity is not None:
            score = similarity(claim, [passages[n - 1].text])[0]
            ok = float(score) >= min_similarity
        result[n] = (ok, s)
    return result


def _reattribute(claim: str, passages: Sequence[Passage], *, question: str,
                 skip: Sequence[int]) -> tuple[int, Support] | None:
    """The best-ranked other passage that supports a claim with checkable facts, if any.

    Small models often put the right fact behind the wrong number; the fact is still grounded
    when another retrieved passage holds it, so the marker is moved rather than dropped.
    """
    for n, passage in enumerate(passages, start=1):
        if n in skip:
            continue
        support = check(claim, passage.text, question=question)
        if support.supported and support.facts:
            return n, support
    return None


def verify(answer_text: str, passages: Sequence[Passage], *, question: str = "",
           similarity: Similarity | None = None, min_similarity: float = 0.82) -> tuple[str, list[Citation]]:
    """Check every ``[n]`` of an answer against ``passages[n-1]``.

    Returns the answer text and its citations in order of appearance. Markers that point
    nowhere are removed. When none of a claim's cited passages supports it but another passage
    does (its facts all found there), the marker is moved to that passage. Otherwise a citation
    whose claim fails ``check`` is kept with ``supported=False`` (so a front end can show what
    was rejected) and its marker is removed from the text, so readers only see markers that
    were verified. Each citation quotes the
    passage span that best supports its claim, with offsets into the original document.
    ``similarity`` (cosine, larger = closer) only decides claims without checkable facts
    across languages, where words cannot be matched; ``min_similarity`` is its threshold.
    """
    edits: list[tuple[int, int, str]] = []
    citations: list[Citation] = []
    seen: set[tuple[int, int, int, bool]] = set()
    for sentence in split_sentences(answer_text):
        markers = [Marker(m.start + sentence.start, m.end + sentence.start, m.numbers)
                   for m in find_markers(sentence.text)]
        for claim, group in _claims(sentence, markers):
            cited = list(dict.fromkeys(n for m in group for n in m.numbers))
            valid = [n for n in cited if 1 <= n <= len(passages)]
            if len(valid) < len(cited):
                logger.debug("dropping markers %s: only %d passages", sorted(set(cited) - set(valid)), len(passages))
            judged = _judge(claim, valid, passages, question=question, similarity=similarity,
                            min_similarity=min_similarity)
            kept = [n for n in valid if judged[n][0]]
            moved = None if kept or not valid else _reattribute(claim, passages, question=question, skip=valid)
            if moved is not None:
                logger.debug("claim cited %s is supported by passage %d instead", valid, moved[0])
                valid, kept, judged = [moved[0]], [moved[0]], {moved[0]: (True, moved[1])}
            for n in valid:
                ok, support = judged[n]
                c = _citation(n, passages[n - 1], claim, support, supported=ok)
                key = (c.n, c.start, c.end, c.supported)
                if key not in seen:
                    seen.add(key)
                    citations.append(c)
            if kept != cited:
                edits.append((group[0].start, group[-1].end, "".join(f"[{n}]" for n in kept)))
    text = answer_text
    for start, end, new in reversed(edits):
        while not new and start > 0 and text[start - 1] in " \t":
            start -= 1
        text = text[:start] + new + text[end:]
    unsupported = sum(not c.supported for c in citations)
    logger.info("verify: %d citations, %d unsupported, %d edits", len(citations), unsupported, len(edits))
    return text, citations


def _citation(n: int, passage: Passage, claim: str, support: Support, *, supported: bool) -> Citation:
    found = [f for f in support.facts if f not in support.missing]
    span = best_quote(claim, passage.text, facts=found)
    return Citation(n=n, doc_id=passage.doc_id, title=passage.title, quote=span.text,
                    start=passage.start + span.start, end=passage.start + span.end, supported=supported,
                    published=passage.published)


# ---------------------------------------------------------------- refusals
_REFUSAL = re.compile(
    r"无法(回答|作答|确定|判断|找到|提供)|不能(回答|确定)|没有(找到)?(相关|足够|提及|包含|提到|涉及)|"
    r"(文档|资料|文件|材料|段落|上下文|信息)(中|里)?(并)?(没有|未|不)(包含|提及|提到|涉及|给出|提供|说明|含有)|"
    r"未(找到|提及|提供)|"
    r"\b(do|does|did)\s*(not|n't)\s+(contain|mention|provide|include|say|state|specify|give)|"
    r"\b(cannot|can't|can not|unable to)\s+(be\s+)?(answer|determine|find|answered|determined|found)|"
    r"\bno\s+(relevant\s+)?information\b|\bnot\s+(mentioned|provided|stated|specified|included|found)\b",
    re.IGNORECASE,
)


def grounded(answer_text: str, passages: Sequence[Passage], *, question: str = "") -> bool:
    """Whether any sentence of the answer is supported by any of the passages.

    An answer none of whose sentences any retrieved passage supports is a guess (its figures
    came from the model, not the documents); callers refuse it.
    """
    sentences = [s.text for s in split_sentences(strip_markers(answer_text)) if s.text.strip()]
    return any(check(s, p.text, question=question).supported for s in sentences for p in passages)


def is_refusal(text: str) -> bool:
    """True when ``text`` says the documents do not answer the question (zh or en).

    A reply that cites a passage is an answer, even if it says part of the question is open.
    """
    if find_markers(text):
        return False
    return _REFUSAL.search(normalise(text)) is not None
