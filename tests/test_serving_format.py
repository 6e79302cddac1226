"""OpenAI shapes ↔ rag types: conversation splitting, model ids, stream pieces and the extra fields."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.serving import openai_format as fmt
from rag.types import Answer, Citation, DocRecord, Passage

IDS = fmt.CompletionIds("rag", "chatcmpl-1", 1700000000)


def _answer(text: str = "推动7家科技支行落地[1]。另有说法[2]。") -> Answer:
    passage = Passage(chunk_id="d#0", doc_id="d", title="T<1>", source="/srv/corpus/d.txt", text="推动7家科技支行落地。",
                      start=10, end=21, score=0.91234567)
    return Answer(question="q", text=text, passages=[passage], refused=False, backend="extractive", citations=[
        Citation(n=1, doc_id="d", title="T<1>", quote="推动7家科技支行落地", start=10, end=20),
        Citation(n=2, doc_id="d", title="T<1>", quote="另有说法", start=30, end=34, supported=False)])


def test_the_last_user_message_is_the_question_and_the_rest_history() -> None:
    question, history = fmt.split_conversation([
        {"role": "system", "content": "You are a pirate."},
        {"role": "user", "content": "甲?"}, {"role": "assistant", "content": [{"type": "text", "text": "乙。"}]},
        {"role": "tool", "content": "x"}, {"role": "user", "content": [{"type": "text", "text": "丙"},
                                                                         {"type": "image_url", "image_url": {}}]}])
    assert question == "丙"
    assert history == [{"role": "user", "content": "甲?"}, {"role": "assistant", "content": "乙。"}]
    with pytest.raises(fmt.FormatError, match=r"messages is empty"):
        fmt.split_conversation([])
    with pytest.raises(fmt.FormatError, match=r"the last message must be the user's question, got role 'assistant'"):
        fmt.split_conversation([{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}])
    with pytest.raises(fmt.FormatError, match=r"content must be a string or a list"):
        fmt.split_conversation([{"role": "user", "content": 42}])


def test_model_ids_name_backends() -> None:
    assert fmt.model_ids("local", ["local", "extractive"]) == ["rag", "rag-local", "rag-extractive"]
    assert fmt.backend_for_model("rag", ["local"]) is None and fmt.backend_for_model("", ["local"]) is None
    assert fmt.backend_for_model("rag-extractive", ["local", "extractive"]) == "extractive"
    with pytest.raises(fmt.UnknownModelError, match=r"unknown model 'rag-openai'"):
        fmt.backend_for_model("rag-openai", ["local", "extractive"])


def test_pieces_never_cut_a_marker_and_join_to_the_text() -> None:
    text = "光明区推动7家科技支行落地[1]。创新推出21个特色产品[2,3]，还有【4】和[1-2]。"
    pieces = fmt.pieces(text, size=5)
    assert "".join(pieces) == text
    assert all(p.count("[") == p.count("]") and p.count("【") == p.count("】") for p in pieces)
    assert fmt.pieces("一二三【4】四", size=5) == ["一二三【4】", "四"]
    assert fmt.pieces("", size=5) == []


def test_completion_and_chunks_carry_only_verified_citations_and_no_server_paths() -> None:
    answer = _answer()
    body = fmt.completion(answer, IDS)
    assert body["choices"][0]["message"] == {"role": "assistant", "content": answer.text}
    assert body["citations"] == [{"n": 1, "doc_id": "d", "title": "T<1>", "quote": "推动7家科技支行落地",
                                  "start": 10, "end": 20}]
    assert body["refused"] is False and body["object"] == "chat.completion" and body["id"] == "chatcmpl-1"
    chunks = list(fmt.answer_chunks(answer, IDS))
    assert "".join(c["choices"][0]["delta"].get("content", "") for c in chunks) == answer.text
    assert chunks[-1]["choices"][0] == {"index": 0, "delta": {}, "finish_reason": "stop"}
    assert chunks[-1]["citations"] == body["citations"] and "citations" not in chunks[0]
    assert fmt.opening_chunk(IDS)["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    assert fmt.passage_json(answer.passages[0]) == {"chunk_id": "d#0", "doc_id": "d", "title": "T<1>", "file": "d.txt",
                                                    "text": "推动7家科技支行落地。", "start": 10, "end": 21, "score": 0.912346}
    record = DocRecord(id="u", path="/srv/index/uploads/u.md", title="U", sha256="h", chunks=2, indexed_at=5.0)
    assert fmt.document_json(record, uploads_dir=Path("/srv/index/uploads")) == {
        "id": "u", "title": "U", "file": "u.md", "origin": "upload", "chunks": 2, "indexed_at": 5.0}
