"""Start a server process, wait until it answers, stop it: for the tests and the benchmarks.

Test tooling, not product code (the package never starts servers), so it lives beside the tests
and imports nothing from them; the benchmarks put this folder on ``sys.path`` to use it.
"""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http_answers(url: str, *, any_status: bool = False) -> Callable[[], bool]:
    """A readiness check: a GET of ``url`` returns 200; with ``any_status``, any HTTP status
    (a 401 without a key, a 503 while loading) counts as an answer too."""

    def ready() -> bool:
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                return any_status or resp.status == 200
        except urllib.error.HTTPError:
            return any_status
        except (urllib.error.URLError, OSError):
            return False

    return ready


def listening(port: int) -> Callable[[], bool]:
    """A readiness check: something accepts TCP connections on 127.0.0.1:``port``."""

    def ready() -> bool:
        with socket.socket() as sock:
            return sock.connect_ex(("127.0.0.1", port)) == 0

    return ready


@contextmanager
def running(cmd: Sequence[str], *, name: str, log_path: Path, ready: Callable[[], bool], timeout: float,
            cwd: Path | None = None, env: Mapping[str, str] | None = None, interval: float = 0.5,
            stop_timeout: float = 20.0) -> Iterator[subprocess.Popen]:
    """Start ``cmd`` with its output in ``log_path``, wait until ``ready()``, yield the process;
    on exit terminate it (kill it after ``stop_timeout`` seconds).

    Raises:
        RuntimeError: the process exited, or was not ready within ``timeout`` seconds; the
            message ends with the tail of its log.
    """
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(list(cmd), cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait(proc, name=name, log_path=log_path, ready=ready, timeout=timeout, interval=interval)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=stop_timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=stop_timeout)


def _wait(proc: subprocess.Popen, *, name: str, log_path: Path, ready: Callable[[], bool], timeout: float,
          interval: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{name} exited with {proc.returncode}:\n{_tail(log_path)}")
        if ready():
            return
        time.sleep(interval)
    raise RuntimeError(f"{name} did not answer within {timeout:.0f} s:\n{_tail(log_path)}")


def _tail(log_path: Path) -> str:
    return log_path.read_text(encoding="utf-8", errors="replace")[-3000:]
