"""Cross-encoder stage, on a tiny random-weight BERT cross-encoder that the test builds itself."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.errors import ModelUnavailableError
from rag.retrieval.rerank import Reranker

_WORDS = "深 度 学 习 模 型 有 多 少 层 天 气 很 好 今 北 京 what is the model layers weather".split()
_QUERY = "模型有多少层"
_TEXTS = ["深度学习模型有十二层", "今天北京天气很好", "the model has layers", "weather is good"]


def _build_tiny_cross_encoder(folder: Path, *, num_labels: int = 1) -> Path:
    """A 1-layer BERT with a 30-entry WordPiece vocabulary and seeded random weights."""
    import torch
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizerFast

    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *_WORDS]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    tokenizer = BertTokenizerFast(vocab_file=str(folder / "vocab.txt"), do_lower_case=True)
    torch.manual_seed(0)
    config = BertConfig(vocab_size=len(vocab), hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=32, max_position_embeddings=64, num_labels=num_labels,
                        initializer_range=0.5)  # wide weights: scores spread over 0..1
    BertForSequenceClassification(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build_tiny_cross_encoder(tmp_path_factory.mktemp("tiny-ce") / "model")


def _reference_scores(folder: Path, query: str, texts: list[str]) -> list[float]:
    """Oracle: the plain transformers forward pass on (query, text) pairs, then a sigmoid."""
    import torch
    from transformers import AutoTokenizer, BertForSequenceClassification

    tokenizer = AutoTokenizer.from_pretrained(folder)
    model = BertForSequenceClassification.from_pretrained(folder).eval()
    out = []
    for text in texts:
        with torch.no_grad():
            logits = model(**tokenizer(query, text, return_tensors="pt")).logits
        out.append(float(torch.sigmoid(logits)[0, 0]))
    return out


def test_scores_match_a_plain_forward_pass(tiny_model: Path) -> None:
    scores = Reranker(str(tiny_model), batch_size=2).score(_QUERY, _TEXTS)
    expected = _reference_scores(tiny_model, _QUERY, _TEXTS)
    assert len(scores) == 4
    assert all(isinstance(s, float) for s in scores)
    assert scores == pytest.approx(expected, abs=1e-5)
    assert max(scores) - min(scores) > 0.02  # different pairs, different scores


def test_scores_are_deterministic_across_calls_and_instances(tiny_model: Path) -> None:
    first = Reranker(str(tiny_model))
    again = first.score(_QUERY, _TEXTS)
    assert first.score(_QUERY, _TEXTS) == again
    assert Reranker(str(tiny_model)).score(_QUERY, _TEXTS) == again
    assert first.score(_QUERY, _TEXTS[1:2]) == pytest.approx([again[1]], abs=1e-6)  # batch-independent


def test_empty_input_returns_empty_list_without_loading(tmp_path: Path) -> None:
    folder = tmp_path / "not-a-model"
    folder.mkdir()  # exists, so construction passes; loading it would fail
    assert Reranker(str(folder)).score("问题", []) == []


def test_missing_folder_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-model"
    with pytest.raises(ModelUnavailableError, match=r"cross-encoder folder .*no-such-model does not exist"):
        Reranker(str(missing))


def test_folder_without_a_model_fails_on_first_use(tmp_path: Path) -> None:
    folder = tmp_path / "empty"
    folder.mkdir()
    reranker = Reranker(str(folder))
    with pytest.raises(ModelUnavailableError, match=r"cannot load cross-encoder .*empty"):
        reranker.score("问题", ["文本"])


def test_model_with_several_outputs_is_refused(tmp_path: Path) -> None:
    folder = _build_tiny_cross_encoder(tmp_path / "three-way", num_labels=3)
    with pytest.raises(ModelUnavailableError, match="has 3 outputs"):
        Reranker(str(folder)).score("问题", ["文本"])


def test_invalid_arguments_are_rejected() -> None:
    with pytest.raises(ValueError, match="model_path must name"):
        Reranker("")
    with pytest.raises(ValueError, match="batch_size must be >= 1, got 0"):
        Reranker(".", batch_size=0)


def test_rag_uses_the_configured_cross_encoder(tiny_model, tmp_path):
    from fakes import HashEmbedder

    from rag import RAG
    from rag.retrieval.rerank import Reranker

    (tmp_path / "docs").mkdir()
    for i, text in enumerate(["光明科学城规划布局24个载体。", "深圳市合成生物产业基金规模15亿元。", "光明区推动7家科技支行落地。"]):
        (tmp_path / "docs" / f"{i}.txt").write_text(text, encoding="utf-8")
    bot = RAG(corpus=tmp_path / "docs", index_dir=tmp_path / "index", embedder=HashEmbedder(),
              rerank_model=str(tiny_model))
    passages = bot.retrieve("基金规模", k=3)
    expected = Reranker(str(tiny_model)).score("基金规模", [p.text for p in passages])
    assert [p.score for p in passages] == pytest.approx(sorted(expected, reverse=True), abs=1e-6)
