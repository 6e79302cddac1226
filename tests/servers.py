"""``rag serve`` as a real process over a temporary copy of the bundled corpus, for API and browser tests."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from processes import free_port, http_answers, running

from rag.serving.accounts import Accounts, accounts_path

REPO = Path(__file__).resolve().parent.parent
START_TIMEOUT = 300.0  # seconds: importing torch, loading the embedder and indexing five documents on 2 cores


@dataclass
class Served:
    url: str  # http://127.0.0.1:PORT
    root: Path  # corpus/, index/, feedback.jsonl, server.log
    keys: dict[str, str] = field(default_factory=dict)  # name -> key
    passwords: dict[str, str] = field(default_factory=dict)  # user -> password

    @property
    def index_dir(self) -> Path:
        return self.root / "index"

    @property
    def log(self) -> str:
        return (self.root / "server.log").read_text(encoding="utf-8", errors="replace")

    def accounts(self) -> Accounts:
        return Accounts(accounts_path(self.index_dir))


@contextmanager
def rag_serve(root: Path, *, users: dict[str, tuple[str, str]] = {}, keys: dict[str, str] = {},  # noqa: B006 (read only)
              env: dict[str, str] | None = None, command: str = "serve") -> Iterator[Served]:
    """Start ``rag serve`` (extractive backend) with ``users`` (name -> (role, password)) and
    ``keys`` (name -> role) made first; stop it on exit."""
    shutil.copytree(REPO / "corpus", root / "corpus")
    served = Served(url="", root=root)
    accounts = served.accounts()
    for name, (role, password) in users.items():
        accounts.add_user(name, role=role, password=password)
        served.passwords[name] = password
    for name, role in keys.items():
        served.keys[name] = accounts.create_key(name, role=role)
    port = free_port()
    served.url = f"http://127.0.0.1:{port}"
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    full_env.update(RAG_CORPUS=str(root / "corpus"), RAG_INDEX_DIR=str(served.index_dir), RAG_BACKEND="extractive",
                    RAG_FEEDBACK_PATH=str(root / "feedback.jsonl"), GRADIO_ANALYTICS_ENABLED="False",
                    PYTHONUNBUFFERED="1",  # the access log (stdout) reaches server.log line by line, not in 8 kB blocks
                    RAG_CACHE_DIR=os.environ.get("RAG_CACHE_DIR", str(Path.home() / ".cache" / "rag-chatbot")),
                    **(env or {}))
    with running([sys.executable, "-m", "rag.cli", command, "--port", str(port)], name="rag serve",
                 log_path=root / "server.log", ready=http_answers(served.url + "/", any_status=True),
                 timeout=START_TIMEOUT, cwd=root, env=full_env):  # 401/503 are answers too
        yield served
