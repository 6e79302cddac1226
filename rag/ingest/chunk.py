"""Token-sized windows of whole sentences (``rag.text.split_sentences``) with exact character offsets.

``split`` packs whole sentences into windows of at most ``max_tokens`` tokens; neighbours share
the whole sentences whose size is closest to ``overlap`` tokens (never more than twice that). A
sentence longer than a window is cut by a ladder: clause punctuation, then spaces, then
characters. Each sentence (or piece) is counted once; each window is counted once more to
guarantee the limit, because BPE tokens can merge across the boundary of two pieces."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass

from rag.text import Span, split_sentences
from rag.types import Chunk, Document

logger = logging.getLogger(__name__)

Counter = Callable[[str], int]

_CLOSERS = "”’」』）)\\]\"'》】〕"
# Cut points for an over-long sentence, coarse to fine; the last rung cuts anywhere.
_CLAUSE_END = re.compile(rf"[，、：,:]+[{_CLOSERS}]*\s*")
_SPACE_RUN = re.compile(r"\s+")
MIN_MAX_TOKENS = 4  # a single character is at most 4 UTF-8 bytes, hence at most 4 tokens


@dataclass(frozen=True, slots=True)
class _Unit:
    """A stripped, non-empty piece of text that never exceeds the window, with its token count."""

    start: int
    end: int
    tokens: int


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _cut_points(text: str, start: int, end: int, rung: int, max_tokens: int) -> list[int]:
    """Positions inside ``(start, end)`` where rung ``rung`` of the ladder may cut."""
    if rung == 0:
        return [m.end() for m in _CLAUSE_END.finditer(text, start, end) if start < m.end() < end]
    if rung == 1:
        return [m.start() for m in _SPACE_RUN.finditer(text, start, end) if start < m.start() < end]
    # characters: a piece of b UTF-8 bytes has at most b tokens, so pieces of max_tokens // 8
    # bytes always fit and are small enough to pack windows (and overlaps) tightly
    limit = max(MIN_MAX_TOKENS, max_tokens // 8)
    points, size = [], 0
    for i in range(start, end):
        width = len(text[i].encode("utf-8", "surrogatepass"))
        if size + width > limit and i > start:
            points.append(i)
            size = 0
        size += width
    return points


def _units(text: str, start: int, end: int, rung: int, max_tokens: int, count: Counter) -> list[_Unit]:
    """Stripped pieces of ``text[start:end]``, each at most ``max_tokens`` tokens."""
    start, end = _strip(text, start, end)
    if start == end:
        return []
    n = count(text[start:end])
    if n <= max_tokens:
        return [_Unit(start, end, n)]
    for level in range(rung, 3):  # the first rung that finds a cut point
        points = _cut_points(text, start, end, level, max_tokens)
        if points:
            bounds = [start, *points, end]
            pieces = zip(bounds, bounds[1:])
            return [u for a, b in pieces for u in _units(text, a, b, level + 1, max_tokens, count)]
    return [_Unit(start, end, n)]  # not reached: rung 2 leaves pieces of at most max_tokens bytes


class _Packer:
    """Greedy packing of units into windows; token counts of gaps are memoised."""

    def __init__(self, text: str, units: list[_Unit], *, max_tokens: int, overlap: int, count: Counter):
        self.text, self.units, self.max, self.overlap, self.count = text, units, max_tokens, overlap, count
        memo: dict[str, int] = {}
        self.gaps = [0]
        for prev, cur in zip(units, units[1:]):
            gap = text[prev.end:cur.start]
            if gap not in memo:
                memo[gap] = count(gap) if gap else 0
            self.gaps.append(memo[gap])

    def _fill(self, first: int) -> int:
        """End index (exclusive) of the longest run from ``first`` whose estimate fits."""
        total, j = self.units[first].tokens, first + 1
        while j < len(self.units):
            add = self.gaps[j] + self.units[j].tokens
            if total + add > self.max:
                break
            total, j = total + add, j + 1
        return j

    def _fit(self, first: int, j: int) -> int:
        """Shrink ``[first, j)`` until its real token count fits (merges may differ from the sum)."""
        start = self.units[first].start
        while j > first + 1 and self.count(self.text[start:self.units[j - 1].end]) > self.max:
            j -= 1
        return j

    def _overlap_start(self, first: int, j: int) -> int:
        """First unit of the next window: whole units from the end of ``[first, j)`` whose total
        is closest to ``overlap`` (so at most twice ``overlap``; none when ``overlap`` is 0)."""
        k, total = j, 0
        while k - 1 > first:
            add = self.units[k - 1].tokens + (self.gaps[k] if k < j else 0)
            if abs(total + add - self.overlap) >= abs(total - self.overlap):
                break
            total, k = total + add, k - 1
        return k

    def windows(self) -> list[Span]:
        spans: list[Span] = []
        first, covered = 0, 0
        while covered < len(self.units):
            j = self._fit(first, self._fill(first))
            if j <= covered:  # the overlap left no room for a new unit: drop one overlap unit
                first += 1
                continue
            start, end = self.units[first].start, self.units[j - 1].end
            spans.append(Span(self.text[start:end], start, end))
            covered = j
            first = self._overlap_start(first, j)
        return spans


def split(text: str, *, max_tokens: int, overlap: int, count: Counter) -> list[Span]:
    """Windows of ``text`` of at most ``max_tokens`` tokens, stripped of outer whitespace.

    Raises:
        ValueError: ``max_tokens`` below 4, or ``overlap`` outside ``[0, max_tokens)``.
    """
    if max_tokens < MIN_MAX_TOKENS:
        raise ValueError(f"max_tokens must be >= {MIN_MAX_TOKENS}, got {max_tokens}")
    if not 0 <= overlap < max_tokens:
        raise ValueError(f"overlap must be in [0, max_tokens), got overlap={overlap} and "
                         f"max_tokens={max_tokens}")
    units: list[_Unit] = []
    for s in split_sentences(text):
        units.extend(_units(text, s.start, s.end, 0, max_tokens, count))
    if not units:
        return []
    return _Packer(text, units, max_tokens=max_tokens, overlap=overlap, count=count).windows()


def chunk_document(doc: Document, *, max_tokens: int, overlap: int) -> list[Chunk]:
    """Chunks of ``doc`` sized in cl100k tokens; ``doc.text[c.start:c.end] == c.text``."""
    from rag.tokens import count_tokens

    spans = split(doc.text, max_tokens=max_tokens, overlap=overlap, count=count_tokens)
    chunks = [
        Chunk(id=f"{doc.id}#{i}", doc_id=doc.id, text=doc.text[s.start:s.end], start=s.start, end=s.end)
        for i, s in enumerate(spans)
    ]
    logger.debug("chunked %s into %d chunks", doc.id, len(chunks))
    return chunks
