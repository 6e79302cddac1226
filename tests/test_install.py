"""The product as a user installs it: a wheel in a fresh environment, used outside the repository.

The wheel is built from the files git tracks (or would: new files not ignored count too) and
installed without its dependencies into a new virtual environment that borrows the test
environment's packages through a ``.pth`` file (so no download is needed). Nothing of the source
tree is importable there: prompts, UI assets and the report stylesheet must come from the wheel.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from processes import free_port, http_answers, running

REPO = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def _run(cmd: list[str], *, cwd: Path, env: dict[str, str] | None = None, timeout: float = 600) -> str:
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    assert done.returncode == 0, f"{cmd} failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("install")
    source = root / "source"
    tracked = _run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=REPO).split("\0")
    for name in filter(None, tracked):
        if (REPO / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, source / name)
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(root / "dist"),
          str(source)], cwd=root)
    wheel = next((root / "dist").glob("rag_chatbot-*.whl"))
    venv = root / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], cwd=root)
    py = venv / "bin" / "python"
    site = Path(_run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd=root).strip())
    # the dependencies of the test environment, but not its editable install of this repository
    (site / "borrowed_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    _run([str(py), "-m", "pip", "install", "--no-deps", "-q", str(wheel)], cwd=root)
    corpus = root / "docs"
    corpus.mkdir()
    (corpus / "bank.txt").write_text("光明区推动7家科技支行落地，设立科技金融服务中心。", encoding="utf-8")
    return {"root": root, "venv": venv, "corpus": corpus}


def _env(installed: dict[str, Path]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_") or k == "RAG_CACHE_DIR"}
    env["PATH"] = f"{installed['venv'] / 'bin'}{os.pathsep}{env['PATH']}"
    return env


def test_the_wheel_carries_prompts_and_assets_and_imports_from_site_packages(installed: dict[str, Path]) -> None:
    script = ("import rag, rag.generation.prompts as p, rag.ui.parts as ui, rag.evaluation.report as r\n"
              "print(rag.__file__); print(p.load_prompt('system', lang='zh')[:8]); print(len(ui.CSS) > 100, len(r.CSS) > 100)")
    out = _run([str(installed["venv"] / "bin" / "python"), "-c", script], cwd=installed["root"], env=_env(installed))
    location, prompt, assets = out.splitlines()
    assert "site-packages" in location and str(REPO) not in location
    assert prompt == "你是文档问答助手" and assets == "True True"


def test_index_ask_and_ui_work_outside_the_repository(installed: dict[str, Path]) -> None:
    env, root = _env(installed), installed["root"]
    paths = ["--corpus", str(installed["corpus"]), "--index-dir", str(root / "index")]
    out = _run(["rag", "index", *paths], cwd=root, env=env)
    assert out.startswith("added 1, updated 0, removed 0")
    answer = _run(["rag", "ask", "光明区推动了多少家科技支行落地?", "--backend", "extractive", *paths], cwd=root, env=env)
    assert "7家科技支行" in answer and "[1]" in answer
    port = free_port()
    env.update(RAG_CORPUS=str(installed["corpus"]), RAG_INDEX_DIR=str(root / "index"), RAG_BACKEND="extractive")
    with running(["rag", "ui", "--port", str(port)], name="rag ui", log_path=root / "ui.log",
                 ready=http_answers(f"http://127.0.0.1:{port}/"), timeout=180, cwd=root, env=env, stop_timeout=30):
        pass  # it answered 200
