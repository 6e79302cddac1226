"""Token windows of whole sentences: exact spans, offsets that slice back, sizes in tokens."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from rag.ingest.chunk import chunk_document, split
from rag.ingest.load import load_folder
from rag.text import Span, split_sentences
from rag.tokens import count_tokens
from rag.types import Document

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
# 50 distinct characters, no punctuation: the worst case for a sentence splitter
HANZI = "光明科学城位于深圳西北部今年计划新增研发投入一百亿元吸引更多青年家合成生物脑解析与模拟设施建设国际"


def _texts(text: str, spans: list[Span]) -> list[str]:
    return [text[s.start:s.end] for s in spans]


def _hanzi_text(n: int, *, seed: int = 7) -> str:
    rng = random.Random(seed)
    return "".join(rng.choice(HANZI) for _ in range(n))


def _check_windows(text: str, spans: list[Span], *, max_tokens: int) -> None:
    """Every window fits, is stripped and non-empty; windows advance; no visible character is lost."""
    covered = [False] * len(text)
    for s in spans:
        piece = text[s.start:s.end]
        assert piece and piece == piece.strip()
        assert count_tokens(piece) <= max_tokens
        covered[s.start:s.end] = [True] * (s.end - s.start)
    assert all(a.start < b.start and a.end < b.end for a, b in zip(spans, spans[1:]))
    assert all(covered[i] or ch.isspace() for i, ch in enumerate(text))


def test_overlap_must_be_smaller_than_max_tokens() -> None:
    with pytest.raises(ValueError, match=r"got overlap=160 and max_tokens=160"):
        split("文本。", max_tokens=160, overlap=160, count=count_tokens)
    with pytest.raises(ValueError, match=r"overlap=-1 and max_tokens=50"):
        split("文本。", max_tokens=50, overlap=-1, count=count_tokens)
    with pytest.raises(ValueError, match=r"max_tokens must be >= 4, got 3"):
        split("文本。", max_tokens=3, overlap=0, count=count_tokens)


def test_whitespace_is_stripped_by_moving_offsets() -> None:
    text = "  \n 第一句。第二句。\n\n  "
    assert split(text, max_tokens=50, overlap=0, count=count_tokens) == [Span("第一句。第二句。", 4, 12)]
    assert split(" \n\t ", max_tokens=50, overlap=0, count=count_tokens) == []
    assert split("", max_tokens=50, overlap=0, count=count_tokens) == []


def test_sentences_are_packed_whole_with_overlap() -> None:
    sentences = [f"第{i}句话讲述光明科学城的建设进展。" for i in range(1, 13)]
    text = "".join(sentences)
    size = count_tokens(sentences[0])
    spans = split(text, max_tokens=4 * size + 2, overlap=size + 1, count=count_tokens)
    pieces = _texts(text, spans)
    assert pieces[0] == "".join(sentences[0:4])
    assert pieces[1] == "".join(sentences[3:7])  # one whole sentence shared with the previous chunk
    assert all(p.startswith("第") and p.endswith("。") for p in pieces)
    _check_windows(text, spans, max_tokens=4 * size + 2)


@pytest.mark.parametrize(("share", "shared_sentences"), [(0.0, 0), (0.3, 0), (0.8, 1), (1.8, 2)])
def test_overlap_takes_the_whole_sentences_closest_to_it(share: float, shared_sentences: int) -> None:
    """``overlap`` = ``share`` × one sentence's tokens."""
    sentences = [f"第{i}句话讲述光明科学城的建设进展。" for i in range(1, 13)]
    text = "".join(sentences)
    size = count_tokens(sentences[0])
    spans = split(text, max_tokens=5 * size, overlap=int(share * size), count=count_tokens)
    first, second = _texts(text, spans)[:2]
    assert first == "".join(sentences[0:5])
    assert second.startswith("".join(sentences[5 - shared_sentences:6]))


def test_long_sentence_is_cut_at_clauses_first() -> None:
    clause = "光明区推进科技创新和产业发展"
    text = "，".join([clause] * 40) + "。"
    spans = split(text, max_tokens=40, overlap=0, count=count_tokens)
    pieces = _texts(text, spans)
    assert len(pieces) > 10
    assert all(p.endswith(("，", "。")) for p in pieces)
    assert all(p.replace("，", "").replace("。", "") == clause * (len(p) // (len(clause) + 1)) for p in pieces)
    _check_windows(text, spans, max_tokens=40)


def test_long_english_sentence_is_cut_at_spaces() -> None:
    text = " ".join(f"word{i}" for i in range(300))
    spans = split(text, max_tokens=20, overlap=5, count=count_tokens)
    assert len(spans) > 20
    assert all(re.fullmatch(r"(word\d+ )*word\d+", p) for p in _texts(text, spans))
    _check_windows(text, spans, max_tokens=20)


def test_20000_chinese_characters_without_space_newline_or_punctuation() -> None:
    text = _hanzi_text(20_000)
    total = count_tokens(text)
    spans = split(text, max_tokens=160, overlap=32, count=count_tokens)
    _check_windows(text, spans, max_tokens=160)
    sizes = [count_tokens(p) for p in _texts(text, spans)]
    # about total / (max - overlap) windows, each nearly full: never one huge chunk
    assert total / 160 < len(spans) <= 1.1 * total / (160 - 32)
    assert min(sizes[:-1]) >= 140
    assert max(s.end - s.start for s in spans) <= 160
    shared = [count_tokens(text[b.start:a.end]) for a, b in zip(spans, spans[1:])]
    assert all(0 < n <= 2 * 32 for n in shared)
    assert 24 <= sum(shared) / len(shared) <= 40  # about `overlap`: pieces here are ~7 tokens


def test_20000_chinese_characters_with_full_stops_only() -> None:
    text = "".join(_hanzi_text(49, seed=i) + "。" for i in range(400))
    assert len(text) == 20_000
    spans = split(text, max_tokens=160, overlap=0, count=count_tokens)
    _check_windows(text, spans, max_tokens=160)
    assert "".join(_texts(text, spans)) == text  # no overlap, no whitespace: the windows tile the text
    assert all(p.endswith("。") for p in _texts(text, spans))
    assert count_tokens(text) / 160 < len(spans) < 2 * count_tokens(text) / 160


def test_random_texts_keep_every_invariant() -> None:
    rng = random.Random(5)
    alphabet = HANZI + "。！？，、 \n\n.abc123”"
    for _ in range(40):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 800)))
        max_tokens = rng.choice([8, 16, 40, 160])
        overlap = rng.randrange(0, max_tokens // 2)
        _check_windows(text, split(text, max_tokens=max_tokens, overlap=overlap, count=count_tokens),
                       max_tokens=max_tokens)


def test_chunk_document_offsets_slice_back_on_the_bundled_corpus() -> None:
    docs, errors = load_folder(CORPUS)
    assert (len(docs), errors) == (5, [])
    for doc in docs:
        chunks = chunk_document(doc, max_tokens=160, overlap=32)
        assert len(chunks) > 5
        assert [c.id for c in chunks] == [f"{doc.id}#{i}" for i in range(len(chunks))]
        assert {c.doc_id for c in chunks} == {doc.id}
        for c in chunks:
            assert doc.text[c.start:c.end] == c.text
        _check_windows(doc.text, [Span(c.text, c.start, c.end) for c in chunks], max_tokens=160)


def test_chunk_document_on_long_unbroken_text() -> None:
    doc = Document(id="long", path=Path("long.txt"), title="long", text=_hanzi_text(20_000, seed=3))
    chunks = chunk_document(doc, max_tokens=160, overlap=32)
    assert all(doc.text[c.start:c.end] == c.text for c in chunks)
    assert 120 < len(chunks) < 260
    assert chunks[-1].end == 20_000 and chunks[0].start == 0


def test_chunking_the_corpus_counts_each_sentence_once() -> None:
    docs, _ = load_folder(CORPUS)
    calls = 0

    def counting(text: str) -> int:
        nonlocal calls
        calls += 1
        return count_tokens(text)

    n_chunks = sum(len(split(d.text, max_tokens=160, overlap=32, count=counting)) for d in docs)
    n_sentences = sum(len(split_sentences(d.text)) for d in docs)
    assert n_chunks > 0
    assert calls <= n_sentences + 2 * n_chunks + 20  # sentences, gaps, one check per window
