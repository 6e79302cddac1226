"""Shared fixtures. LLM/server fixtures: the bundled GGUF and llama-cpp-python's OpenAI server."""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from rag.errors import ModelUnavailableError
from rag.models.gguf import ensure_local_gguf

SERVER_START_TIMEOUT = 180.0  # seconds for llama_cpp.server to load the model and answer


@pytest.fixture(autouse=True)
def _extractive_stays_model_free(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests of the extractive backend never load the local model to rewrite questions, unless
    a test asks for it (``rewrite_with_local=True``)."""
    monkeypatch.setenv("RAG_REWRITE_WITH_LOCAL", "0")


def cache_dir() -> Path:
    """Same default as rag.config: $RAG_CACHE_DIR, else ~/.cache/rag-chatbot."""
    value = os.environ.get("RAG_CACHE_DIR")
    return Path(value).expanduser() if value else Path.home() / ".cache" / "rag-chatbot"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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
    log_path = tmp_path_factory.mktemp("llama_server") / "server.log"
    cmd = [
        sys.executable, "-m", "llama_cpp.server", "--model", str(local_gguf),
        "--host", "127.0.0.1", "--port", str(port), "--n_threads", "2", "--n_ctx", "2048",
    ]
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}/v1"
    try:
        _wait_until_ready(proc, base_url, log_path)
        yield base_url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)


def _wait_until_ready(proc: subprocess.Popen, base_url: str, log_path: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = log_path.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"llama_cpp.server exited with {proc.returncode}:\n{tail}")
        try:
            with urllib.request.urlopen(f"{base_url}/models", timeout=2) as resp:
                if resp.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    tail = log_path.read_text(errors="replace")[-2000:]
    raise RuntimeError(f"llama_cpp.server did not answer within {SERVER_START_TIMEOUT:.0f} s:\n{tail}")


@pytest.fixture()
def closed_port() -> int:
    """A port on 127.0.0.1 with no listener: connecting to it is refused at once."""
    return free_port()


# ----- index engines: every store-agnostic test runs on FAISS, Milvus Lite in process, and Milvus
# Lite's own gRPC server reached by an http:// URI (the code path of a Milvus cluster) -----
STORE_KINDS = ("faiss", "milvus-lite", "milvus-server")


@pytest.fixture(scope="session")
def milvus_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``milvus-lite server`` on a free local port, in its own process; yield its http:// URI."""
    pytest.importorskip("milvus_lite")
    data = tmp_path_factory.mktemp("milvus_server")
    port = free_port()
    log_path = data / "server.log"
    exe = Path(sys.executable).with_name("milvus-lite")
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([str(exe), "server", "--data-dir", str(data / "db"), "--host", "127.0.0.1",
                                 "--port", str(port)], stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"milvus-lite server exited with {proc.returncode}:\n{log_path.read_text()[-2000:]}")
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.2)
        else:
            raise RuntimeError(f"milvus-lite server did not listen within 60 s:\n{log_path.read_text()[-2000:]}")
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)


@pytest.fixture(params=STORE_KINDS)
def store_settings(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, str]:
    """``RAG(...)`` overrides selecting one index engine."""
    if request.param == "faiss":
        return {"store": "faiss"}
    pytest.importorskip("pymilvus")
    if request.param == "milvus-lite":
        return {"store": "milvus", "milvus_uri": str(tmp_path / "milvus.db")}
    return {"store": "milvus", "milvus_uri": request.getfixturevalue("milvus_server")}
