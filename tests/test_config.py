from pathlib import Path

import pytest

from rag.config import Settings, load_settings, settings_with


def test_defaults_work_offline_and_point_at_the_bundled_corpus(monkeypatch):
    for var in ("RAG_CONFIG", "RAG_BACKEND", "RAG_LLM_BASE_URL", "OPENAI_BASE_URL", "RAG_TOP_K", "RAG_CORPUS"):
        monkeypatch.delenv(var, raising=False)
    s = load_settings()
    assert s.corpus.name == "corpus" and (s.corpus / "000_67721b1c62b05e41.txt").is_file()
    assert (s.backend, s.llm_base_url, s.top_k, s.chunk_tokens, s.chunk_overlap) == ("", "", 5, 160, 32)


def test_toml_then_environment_then_arguments(tmp_path, monkeypatch):
    config = tmp_path / "rag.toml"
    config.write_text('top_k = 3\nchunk_tokens = 200\nindex_dir = "elsewhere"\n', encoding="utf-8")
    monkeypatch.setenv("RAG_TOP_K", "7")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    s = load_settings(config)
    assert (s.top_k, s.chunk_tokens, s.index_dir, s.llm_base_url) == (7, 200, Path("elsewhere"), "http://127.0.0.1:9/v1")
    assert load_settings(config, top_k=2).top_k == 2


def test_rag_variable_wins_over_openai_variable(monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", "http://a/v1")
    monkeypatch.setenv("RAG_LLM_BASE_URL", "http://b/v1")
    assert load_settings().llm_base_url == "http://b/v1"


@pytest.mark.parametrize("change,message", [
    ({"chunk_overlap": 200}, r"chunk_overlap must be in \[0, chunk_tokens=160\), got 200"),
    ({"top_k": 0}, "top_k must be >= 1, got 0"),
    ({"dense_weight": 1.5}, r"dense_weight must be in \[0, 1\], got 1.5"),
    ({"backend": "gpt"}, "backend must be one of openai, local, extractive"),
    ({"top_k": "many"}, "setting 'top_k': cannot read 'many' as int"),
    ({"colour": "blue"}, r"unknown settings \['colour'\]"),
])
def test_bad_values_are_rejected_with_the_setting_and_range(change, message):
    with pytest.raises(ValueError, match=message):
        settings_with(Settings(), **change)


def test_unknown_key_in_toml_is_named(tmp_path):
    config = tmp_path / "rag.toml"
    config.write_text("topk = 3\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"unknown settings \['topk'\]"):
        load_settings(config)
