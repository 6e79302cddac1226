"""The shape of the package: no import cycles, and the library loads no UI code."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import rag

PACKAGE = Path(rag.__file__).resolve().parent


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """Module → the ``rag`` modules it imports, at top level or inside functions alike."""
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [f"{node.module}.{alias.name}" for alias in node.names] + [node.module]
            for target in targets:
                if target in modules and target != name:
                    graph[name].add(target)
                    break
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a path that returns to its start, or None."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (cycle := visit(start)):
            return cycle
    return None


def test_the_cycle_finder_finds_a_planted_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_the_package_has_no_import_cycles() -> None:
    graph = import_graph()
    assert {"rag.api", "rag.cli", "rag.generation.pipeline", "rag.evaluation.runs"} <= set(graph)
    assert "rag.evaluation.runs" not in graph["rag.cli"] or "rag.cli" not in graph["rag.evaluation.runs"]
    assert find_cycle(graph) is None


def test_only_the_edges_read_settings() -> None:
    readers = {name for name, deps in import_graph().items() if "rag.config" in deps}
    assert readers <= {"rag.api", "rag.cli", "rag.ui.app"}, readers


def test_importing_rag_loads_no_ui_and_no_model_code() -> None:
    script = ("import sys, rag\n"
              "heavy = [m for m in ('gradio', 'rag.ui', 'rag.ui.app', 'torch', 'sentence_transformers', 'llama_cpp')"
              " if m in sys.modules]\n"
              "print(heavy)")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.strip() == "[]"
