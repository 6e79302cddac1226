"""The `rag` command end to end, with the real embedding model (built once into the cache)."""

import io
import json
from pathlib import Path

import pytest

from rag.cli import main

pytestmark = pytest.mark.slow

DOCS = {
    "fund.txt": "深圳设立规模15亿元的深圳市合成生物产业基金，落地光明区。",
    "bank.md": "# 科技金融\n\n光明区推动7家科技支行落地，创新推出21个特色科技金融产品。",
    "broken.pdf": "this is not a pdf",
}


@pytest.fixture(scope="module")
def paths(tmp_path_factory) -> list[str]:
    root = tmp_path_factory.mktemp("cli")
    (root / "docs").mkdir()
    for name, text in DOCS.items():
        (root / "docs" / name).write_text(text, encoding="utf-8")
    return ["--corpus", str(root / "docs"), "--index-dir", str(root / "index")]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_index_reports_counts_and_skipped_files(capsys, paths):
    code, out, err = run(capsys, "index", *paths)
    assert code == 0
    assert out.startswith("added 2, updated 0, removed 0, unchanged 0;")
    assert "skipped" in err and "broken.pdf" in err
    code, out, _ = run(capsys, "index", *paths)
    assert out.startswith("added 0, updated 0, removed 0, unchanged 2; 0 chunks embedded")


def test_search_prints_json_passages_in_original_script(capsys, paths):
    code, out, _ = run(capsys, "search", "光明區推動了多少家科技支行落地?", "--k", "2", "--json", *paths)
    passages = json.loads(out)
    assert code == 0 and passages[0]["doc_id"] == "bank"
    assert "推动7家科技支行" in passages[0]["text"]
    assert set(passages[0]) >= {"doc_id", "title", "source", "text", "start", "end", "score"}


def test_bad_questions_give_a_message_not_a_traceback(capsys, paths):
    code, out, err = run(capsys, "search", "", *paths)
    assert code == 2 and err.strip() == "rag: error: the question is empty; type a question about the documents"
    code, _, err = run(capsys, "search", "问" * 100_000, *paths)
    assert code == 2 and "100,000 characters long" in err and "Traceback" not in err


def test_ask_json_has_citations_with_offsets(capsys, paths):
    code, out, _ = run(capsys, "ask", "深圳市合成生物产业基金的规模是多少?", "--backend", "extractive", "--json", *paths)
    answer = json.loads(out)
    assert code == 0 and not answer["refused"] and answer["backend"] == "extractive"
    assert "15亿元" in answer["text"]
    citation = answer["citations"][0]
    assert citation["doc_id"] == "fund" and DOCS["fund.txt"][citation["start"]:citation["end"]] == citation["quote"]


def test_chat_keeps_the_conversation(capsys, paths, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("光明区推动了多少家科技支行落地?\n创新推出了多少个特色科技金融产品?\n\n"))
    code, out, _ = run(capsys, "chat", "--backend", "extractive", *paths)
    assert code == 0
    assert out.count("---") == 2 and "7家科技支行" in out and "21个特色科技金融产品" in out


def test_bench_retrieval_prints_a_table_and_json_summary(capsys, paths, tmp_path):
    questions = tmp_path / "q.jsonl"
    questions.write_text("\n".join(json.dumps(q, ensure_ascii=False) for q in [
        {"id": "1", "q": "科技支行有多少家?", "type": "fact", "gold": ["bank"], "evidence": ["7家科技支行"], "answer": ["7"]},
        {"id": "2", "q": "合成生物产业基金规模?", "type": "fact", "gold": ["fund"], "evidence": ["规模15亿元"], "answer": ["15"]},
        {"id": "3", "q": "光明区的人口是多少?", "type": "unanswerable", "gold": [], "evidence": [], "answer": []},
    ]), encoding="utf-8")
    code, out, _ = run(capsys, "--config", str(_config(tmp_path, paths)), "bench", "retrieval", str(questions))
    lines = out.strip().splitlines()
    assert code == 0 and "2 answerable questions" in lines[0]
    summary = json.loads(lines[-1])
    assert summary["hybrid"]["hit@1"] == 1.0 and summary["hybrid_other_script"]["mrr@10"] == 1.0


def _config(tmp_path: Path, paths: list[str]) -> Path:
    config = tmp_path / "rag.toml"
    config.write_text(f'corpus = "{paths[1]}"\nindex_dir = "{paths[3]}"\n', encoding="utf-8")
    return config


@pytest.mark.milvus
@pytest.mark.parametrize("kind", ["milvus-lite", "milvus-server"])
def test_index_search_and_ask_work_unchanged_on_milvus(capsys, tmp_path, monkeypatch, kind, request):
    pytest.importorskip("pymilvus")
    (tmp_path / "docs").mkdir()
    for name, text in DOCS.items():
        (tmp_path / "docs" / name).write_text(text, encoding="utf-8")
    uri = str(tmp_path / "milvus.db") if kind == "milvus-lite" else request.getfixturevalue("milvus_server")
    monkeypatch.setenv("RAG_STORE", "milvus")
    monkeypatch.setenv("RAG_MILVUS_URI", uri)
    paths = ["--corpus", str(tmp_path / "docs"), "--index-dir", str(tmp_path / "index")]
    code, out, err = run(capsys, "index", *paths)
    assert code == 0 and out.startswith("added 2, updated 0, removed 0, unchanged 0;") and "broken.pdf" in err
    code, out, _ = run(capsys, "search", "光明區推動了多少家科技支行落地?", "--k", "2", "--json", *paths)
    assert code == 0 and json.loads(out)[0]["doc_id"] == "bank"
    code, out, _ = run(capsys, "ask", "深圳市合成生物产业基金的规模是多少?", "--backend", "extractive", "--json", *paths)
    answer = json.loads(out)
    assert code == 0 and "15亿元" in answer["text"] and answer["citations"][0]["doc_id"] == "fund"
    assert not (tmp_path / "index" / "CURRENT").exists()  # nothing went to the FAISS store
