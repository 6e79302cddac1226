"""Shared fixtures. LLM/server fixtures: the bundled GGUF and llama-cpp-python's OpenAI server."""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pages import chromium
from processes import free_port, http_answers, listening, running

from rag.errors import ModelUnavailableError
from rag.models.gguf import ensure_local_gguf

SERVER_START_TIMEOUT = 180.0  # seconds for llama_cpp.server to load the model and answer


def pytest_configure(config: pytest.Config) -> None:
    """Tests of the extractive backend never load the local model to rewrite questions, unless
    a test asks for it (``rewrite_with_local=True``). Set for the whole session, not per test:
    module-scoped fixtures (the UI and API servers) build their ``RAG`` before any per-test
    fixture runs, and one follow-up there used to load the 1.1 GB model mid-test."""
    os.environ["RAG_REWRITE_WITH_LOCAL"] = "0"


def cache_dir() -> Path:
    """Same default as rag.config: $RAG_CACHE_DIR, else ~/.cache/rag-chatbot."""
    value = os.environ.get("RAG_CACHE_DIR")
    return Path(value).expanduser() if value else Path.home() / ".cache" / "rag-chatbot"


@pytest.fixture(scope="session")
def local_gguf() -> Path:
    """The bundled model, assembled and verified (skips when the slice packages are missing)."""
    try:
        return ensure_local_gguf(cache_dir())
    except ModelUnavailableError as exc:
        pytest.skip(f"bundled model unavailable: {exc}")


@pytest.fixture(scope="session")
def llama_server(local_gguf: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Start ``python -m llama_cpp.server`` on a free local port; yield its ``/v1`` base URL."""
    if importlib.util.find_spec("llama_cpp") is None or importlib.util.find_spec("sse_starlette") is None:
        pytest.skip("needs llama-cpp-python[server]")
    port = free_port()
    cmd = [
        sys.executable, "-m", "llama_cpp.server", "--model", str(local_gguf),
        "--host", "127.0.0.1", "--port", str(port), "--n_threads", "2", "--n_ctx", "2048",
    ]
    base_url = f"http://127.0.0.1:{port}/v1"
    with running(cmd, name="llama_cpp.server", log_path=tmp_path_factory.mktemp("llama_server") / "server.log",
                 ready=http_answers(f"{base_url}/models"), timeout=SERVER_START_TIMEOUT, stop_timeout=15):
        yield base_url


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Headless Chromium for the browser tests of one module (skips when it is not installed)."""
    with chromium() as b:
        yield b


@pytest.fixture()
def closed_port() -> int:
    """A port on 127.0.0.1 with no listener: connecting to it is refused at once."""
    return free_port()


# ----- index engines: every store-agnostic test runs on FAISS, Milvus Lite in process, and Milvus
# Lite's own gRPC server reached by an http:// URI (the code path of a Milvus cluster) -----
# (the Milvus ones are marked ``milvus``: each starts a Milvus process, which costs seconds of waiting)
STORE_KINDS = ("faiss", pytest.param("milvus-lite", marks=pytest.mark.milvus),
               pytest.param("milvus-server", marks=pytest.mark.milvus))


@pytest.fixture(scope="session")
def milvus_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``milvus-lite server`` on a free local port, in its own process; yield its http:// URI."""
    pytest.importorskip("milvus_lite")
    data = tmp_path_factory.mktemp("milvus_server")
    port = free_port()
    exe = Path(sys.executable).with_name("milvus-lite")
    with running([str(exe), "server", "--data-dir", str(data / "db"), "--host", "127.0.0.1", "--port", str(port)],
                 name="milvus-lite server", log_path=data / "server.log", ready=listening(port), timeout=60,
                 interval=0.2, stop_timeout=15):
        yield f"http://127.0.0.1:{port}"


@pytest.fixture(params=STORE_KINDS)
def store_settings(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, str]:
    """``RAG(...)`` overrides selecting one index engine."""
    if request.param == "faiss":
        return {"store": "faiss"}
    pytest.importorskip("pymilvus")
    if request.param == "milvus-lite":
        return {"store": "milvus", "milvus_uri": str(tmp_path / "milvus.db")}
    return {"store": "milvus", "milvus_uri": request.getfixturevalue("milvus_server")}
