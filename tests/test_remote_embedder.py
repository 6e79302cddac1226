"""Embeddings from an OpenAI-compatible endpoint: a real server on 127.0.0.1 running the bundled model."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from conftest import cache_dir
from processes import free_port, http_answers, running

from rag import RAG
from rag.errors import BackendError
from rag.models.embedder import Embedder, EmbeddingCache
from rag.models.remote_embedder import RemoteEmbedder

PASSAGES = ["光明区推动7家科技支行落地。", "深圳市合成生物产业基金规模15亿元。", "光明科学城规划布局24个重大科技创新载体。"]


@pytest.fixture(scope="module")
def embed_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    with running([sys.executable, str(Path(__file__).with_name("embed_server.py")), "--port", str(port)],
                 name="embed_server.py", log_path=tmp_path_factory.mktemp("embed_server") / "server.log",
                 ready=http_answers(f"http://127.0.0.1:{port}/v1/models"), timeout=180, stop_timeout=15):
        yield f"http://127.0.0.1:{port}/v1"


@pytest.mark.slow
def test_endpoint_vectors_match_the_in_process_model(embed_server, tmp_path):
    remote = RemoteEmbedder(embed_server, "e5-small", cache_dir=tmp_path, batch_size=2)
    local = Embedder(cache_dir=cache_dir(), cache=EmbeddingCache(tmp_path / "local.sqlite3"))
    assert remote.dim == local.dim == 384
    cosines = np.sum(remote.embed_passages(PASSAGES) * local.embed_passages(PASSAGES), axis=1)
    assert cosines.min() > 0.9999, cosines
    assert float(remote.embed_query("科技支行有几家?") @ local.embed_query("科技支行有几家?")) > 0.9999
    assert remote.model_runs == 3 + 1 + 1  # passages, the dimension probe, the query
    again = remote.embed_passages(PASSAGES[:2] + ["新的一句。"])  # two from the cache, one sent
    assert remote.model_runs == 6 and again.shape == (3, 384)


@pytest.mark.slow
def test_rag_indexes_and_retrieves_through_the_endpoint(embed_server, tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    for i, text in enumerate(PASSAGES):
        (docs / f"p{i}.txt").write_text(text, encoding="utf-8")
    bot = RAG(corpus=docs, index_dir=tmp_path / "index", cache_dir=tmp_path / "cache",
              embed_base_url=embed_server, embed_model="e5-small")
    report = bot.index()
    assert report.added == ["p0", "p1", "p2"] and report.chunks_embedded == 3
    assert bot.retrieve("合成生物基金有多大", k=1, mode="dense")[0].doc_id == "p1"
    assert bot.params.embed_model == "e5-small@openai-embeddings"


def test_an_unreachable_endpoint_is_a_backend_error(closed_port, tmp_path):
    remote = RemoteEmbedder(f"http://127.0.0.1:{closed_port}/v1", "e5-small", cache_dir=tmp_path, retries=0, timeout=5)
    with pytest.raises(BackendError, match=r"embedding endpoint http://127.0.0.1:\d+/v1 \(model 'e5-small'\) failed"):
        remote.embed_passages(["一句话。"])
