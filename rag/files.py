"""File helpers every stage shares: atomic writes and sha256 digests."""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

_BLOCK = 1 << 20  # bytes read at a time when hashing


def atomic_write(path: Path, data: bytes | str, *, mode: int = 0o666) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the whole new one, never a part.

    The bytes go to a temporary file beside ``path`` (unique to this thread), are flushed to
    disk, then renamed over ``path``. ``mode`` (less the umask) applies from the first byte, so a
    private file (``0o600``) is never readable by others, not even for a moment.
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        tmp.unlink(missing_ok=True)  # a leftover of a crashed write would keep its old mode
        with open(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode), "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file's bytes, read in blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def sha256_bytes(data: bytes) -> str:
    """Hex sha256 of ``data``."""
    return hashlib.sha256(data).hexdigest()
