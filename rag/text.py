"""The text toolkit every stage shares.

- Normalisation for matching only: traditional→simplified, full-width→half-width, lower case.
  What the user sees is always the original text; these forms feed BM25, embeddings and checks.
- One sentence splitter (``split_sentences``) and one ``Span``, used by chunking and by the
  citation check, so chunk boundaries and cited sentences agree.
- One jieba loader (``load_jieba``), quiet and initialised once per process.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from types import ModuleType
from typing import Any

from rag.types import Language

logger = logging.getLogger(__name__)

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
_TOKEN_KEEP = re.compile(r"[\w\u3400-\u9fff]")
# Tokens that carry no content for BM25 (Chinese particles and English function words).
_STOPWORDS = frozenset(
    "的 了 和 与 及 是 在 有 为 对 等 将 也 就 都 而 及其 以及 之 其 或 中 上 下 把 被 让 吗 呢 吧 啊 "
    "什么 多少 哪些 哪个 怎么 如何 几 是否 请问 现在 目前 一共 总共 大概 大约 到底 究竟 还是 对 "
    "这边 那边 这里 那里 这儿 那儿 这个 那个 "
    "a an the of to in on for and or is are was were be by with as at from that this it what which "
    "how many much who when where why does do did".split()
)


@lru_cache(maxsize=4)
def converter(config: str = "t2s"):
    """A cached OpenCC converter ("t2s", "s2t", ...)."""
    import opencc

    return opencc.OpenCC(config)


def _halfwidth(text: str) -> str:
    """Full-width ASCII and the ideographic space to their half-width forms; keeps length."""
    out = []
    for ch in text:
        code = ord(ch)
        if 0xFF01 <= code <= 0xFF5E:
            out.append(chr(code - 0xFEE0))
        elif code == 0x3000:
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


# spellings of a word that OpenCC leaves apart: 甚麼 (甚么), which Hong Kong and Taiwan write for 什麼
_VARIANTS = {"甚麼": "什麼", "甚么": "什么"}
_VARIANT = re.compile("|".join(_VARIANTS))


def common_spelling(text: str) -> str:
    """``text`` with a word's variant spellings in their common form, in the same script and length."""
    return _VARIANT.sub(lambda m: _VARIANTS[m.group()], text)


def fold_script(text: str) -> str:
    """``text`` in simplified script and half-width forms, case kept (the form that is embedded)."""
    return common_spelling(converter().convert(_halfwidth(text)))


def normalise(text: str) -> str:
    """Matching form of ``text``: simplified script, half-width, lower case."""
    return fold_script(text).lower()


def cjk_count(text: str) -> int:
    """How many CJK characters ``text`` holds."""
    return len(_CJK.findall(text))


def cjk_ratio(text: str) -> float:
    """Share of CJK characters among the letters of ``text`` (0..1)."""
    cjk = cjk_count(text)
    latin = sum(len(w) for w in _LATIN_WORD.findall(text))
    total = cjk + latin
    return cjk / total if total else 0.0


def language(text: str) -> Language:
    """"zh" or "en": the language a reply to ``text`` should be written in."""
    return "zh" if cjk_ratio(text) >= 0.2 else "en"


def is_traditional(text: str) -> bool:
    """True when converting to simplified changes a noticeable share of the CJK characters."""
    cjk = _CJK.findall(text)
    if not cjk:
        return False
    sample = "".join(cjk[:2000])
    converted = converter().convert(sample)
    changed = sum(a != b for a, b in zip(sample, converted))
    return changed / len(sample) > 0.03


@lru_cache(maxsize=1)
def _jieba_words() -> ModuleType:
    """jieba with its dictionary loaded, without the part-of-speech tables (BM25 needs only words)."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    _read_cached_dictionary(jieba.dt)
    jieba.initialize()  # builds the dictionary (and its cache) when it was not read above
    return jieba


def _read_cached_dictionary(t: Any) -> None:
    """Fill jieba's dictionary from its cache file read in one piece, as ``initialize`` does, but
    with ``marshal.loads`` on the bytes: ``marshal.load`` on the open file reads it object by
    object and took 1.6 s here against 0.6 s, the larger part of opening an index."""
    import marshal
    import tempfile
    from pathlib import Path

    import jieba

    cache = Path(t.tmp_dir or tempfile.gettempdir()) / (t.cache_file or "jieba.cache")
    if t.dictionary != jieba.DEFAULT_DICT or not cache.is_file():
        return
    with t.lock:
        if t.initialized:
            return
        try:
            t.FREQ, t.total = marshal.loads(cache.read_bytes())
        except (OSError, ValueError, EOFError, TypeError):
            return  # a damaged cache: initialize rebuilds it
        t.initialized = True


@lru_cache(maxsize=1)
def load_jieba() -> ModuleType:
    """The jieba module, its dictionary loaded (``jieba.dt.FREQ`` filled) and its log quiet."""
    import importlib

    importlib.import_module("jieba.posseg")  # part-of-speech tagging, used by rag.generation.facts
    return _jieba_words()


def bm25_form(text: str) -> str:
    """The text BM25 tokenises: NFKC, then the matching form (simplified, half width, lower case)."""
    return normalise(unicodedata.normalize("NFKC", text))


def stop_words() -> frozenset[str]:
    """Words BM25 leaves out (engines that tokenise themselves are given the same list)."""
    return _STOPWORDS


def terms(text: str, *, guessed: bool = True) -> list[str]:
    """BM25 terms: jieba words of the normalised text, without punctuation and stop words.

    ``guessed=False`` keeps to the dictionary's words: jieba's guesses at unknown words (its HMM)
    join characters across word boundaries (光明区有多少 → 光明 + 区有 + 多少), and such a join
    occurs in no document that words it differently (光明区共有).
    """
    words = _jieba_words().lcut_for_search(bm25_form(text), HMM=guessed)
    return [w for w in (w.strip() for w in words) if w and _TOKEN_KEEP.search(w) and w not in _STOPWORDS]


# ---------------------------------------------------------------- sentences
@dataclass(frozen=True, slots=True)
class Span:
    """A piece of a text: ``source[start:end] == text``."""

    text: str
    start: int
    end: int


_CLOSERS = "”’」』）)\\]\"'》】〕"
# a citation marker ([1], [2, 3], 【1】): what ends a cited sentence, and what splits an answer at its citations
MARKER = r"[\[【［]\s*\d{1,3}(?:\s*[-–—~～,，、;；]\s*\d{1,3})*\s*[\]】］]"
# A sentence ends after a run of 。！？；… ! ? ; or after "." before white space, the end or a CJK
# character (so 3.5 and v1.2 stay whole), or at a line break; closing quotes and brackets, and
# citation markers such as [1] right after the punctuation, stay with the sentence they close.
_SENTENCE_END = re.compile(
    rf"(?:[。！？；…!?;]+|\.+(?=[{_CLOSERS}]*(?:\s|$|[\u4e00-\u9fff]))|\n)[{_CLOSERS}]*(?:[ \t]*{MARKER})*"
)
# "1. " or "A. " alone is a list number or an initial, not a sentence.
_ORDINAL = re.compile(r"\s*(?:\d{1,3}|[A-Za-z])\.\s*")


def ends_sentence(text: str) -> bool:
    """Whether ``text`` ends where a sentence does (white space aside), or holds nothing."""
    tail = text.rstrip()[-1:]
    return not tail or bool(_SENTENCE_END.fullmatch(tail))


def sentence_end(text: str, start: int, limit: int) -> int | None:
    """Where the sentence running at ``start`` ends (after its punctuation), if before ``limit``."""
    m = _SENTENCE_END.search(text, start, limit)
    return m.end() if m else None


def split_sentences(text: str) -> list[Span]:
    """Sentences of ``text`` (Chinese and English punctuation, line breaks), without outer white space."""
    return split_at(text, [m.end() for m in _SENTENCE_END.finditer(text) if m.end() > m.start()],
                    keep=lambda piece: not _ORDINAL.fullmatch(piece))


def split_at(text: str, bounds: list[int], *, trim: str = "", keep=lambda piece: True) -> list[Span]:
    """The stripped, non-empty pieces of ``text`` between ``bounds``; a piece that ``keep`` rejects
    joins the next one. ``trim`` lists characters also dropped from the end of each piece."""
    spans, pos = [], 0
    for end in [*bounds, len(text)]:
        piece = text[pos:end]
        if end < len(text) and not (piece.strip() and keep(piece)):
            continue  # white space, or a list number: it joins the next piece
        left = len(piece) - len(piece.lstrip())
        right = len(piece.rstrip().rstrip(trim))
        if right > left:
            spans.append(Span(piece[left:right], pos + left, pos + right))
        pos = end
    return spans


# who wrote, edited or checked a text, on a line of its own (编辑:李可, 校审:靳峰 陈圆圆), or a news
# report's byline: a name in brackets on a line of its own ((鄧紅麗))
_CREDIT_ROLES = "作者|记者|記者|编辑|編輯|责编|責編|校审|校審|审核|審核|撰稿|撰文"
CREDIT_LINE = re.compile(rf"(?:{_CREDIT_ROLES}|责任编辑|責任編輯|文|图|圖)"
                         r"\s*[:：/]\s*[\u4e00-\u9fff]{2,4}(?:\s+[\u4e00-\u9fff]{2,4})*")
BYLINE = re.compile(r"[（(][\u4e00-\u9fff]{2,3}[)）]")
_ASKS_CREDIT = re.compile(rf"{_CREDIT_ROLES}|谁写|誰寫|\b(?:author|editor|reporter|journalist|wrote|written|byline)", re.I)


def asks_credit(question: str) -> bool:
    """The question asks who wrote, edited or checked a text."""
    return bool(_ASKS_CREDIT.search(question))


def credit_span(text: str) -> tuple[int, int] | None:
    """(start, end) of a text's credit lines (``CREDIT_LINE``, ``BYLINE``): from the first to the
    last; None when it has none. A report states them once, at its end, where no question about
    its content retrieves them."""
    spans = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text)
             if CREDIT_LINE.fullmatch(m.group().strip()) or BYLINE.fullmatch(m.group().strip())]
    return (spans[0][0], spans[-1][1]) if spans else None


_DATE_LINE = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})(?!\d)")
HEADER_CHARS = 300  # where a document states its own date: under the title, before the text


def _header_date(text: str) -> re.Match | None:
    m = _DATE_LINE.search(text[:HEADER_CHARS])
    return m if m and 1 <= int(m.group(2)) <= 12 and 1 <= int(m.group(3)) <= 31 else None


def published(text: str) -> str:
    """The date a document gives itself in its header (日期:2024-01-31, 2025年3月7日), as
    2024-01-31; "" when its opening lines give none."""
    m = _header_date(text)
    return f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}" if m else ""


def header_end(text: str) -> int:
    """Where the header of a document ends: after the line that gives its date (title, source and
    date: what says when and where it was published); 0 when it gives none."""
    m = _header_date(text)
    if not m:
        return 0
    end = text.find("\n", m.end())
    return len(text) if end < 0 else end


# a short line naming a year: 2024年:, 2024年的光明区, 一、2021年工作成效
_YEAR_HEADING = re.compile(r"^[^\S\n]*\S{0,6}?((?:19|20)\d{2})\s*年[^\n。,，;；]{0,12}$", re.M)


def heading_year(text: str) -> str:
    """The year of the last heading in ``text`` (a short line naming a year: 2024年:, 一、2021年工作成效),
    or "". A report lists a year's results under such a heading, each line naming no year itself."""
    found = year_headings(text)
    return found[-1][1] if found else ""


def year_headings(text: str) -> list[tuple[int, str]]:
    """(where it ends, its year) of each year heading in ``text`` (see ``heading_year``), in order."""
    return [(m.end(), m.group(1)) for m in _YEAR_HEADING.finditer(text)]
