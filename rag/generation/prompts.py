"""Prompts live as text files in ``prompts/`` (installed as the package data ``rag.prompts``);
this module loads and fills them.

``prompts/<name>.<lang>.txt`` is the language variant, ``prompts/<name>.txt`` the shared
fallback. Placeholders are ``{name}``; a literal brace is written ``{{`` or ``}}``.
The system prompts carry no placeholder: they are a fixed prefix whose KV cache a local
model can keep between questions.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path
from string import Formatter

logger = logging.getLogger(__name__)

PROMPTS_DIR = Path(str(resources.files("rag.prompts")))
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_PLACEHOLDER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def load_prompt(name: str, *, lang: str = "zh", directory: Path | None = None) -> str:
    """The text of prompt ``name`` in ``lang``, falling back to the language-neutral file.

    Raises:
        ValueError: ``name`` or ``lang`` is not a plain lower-case identifier.
        FileNotFoundError: neither file exists; the message names both paths tried.
    """
    for label, value in (("name", name), ("lang", lang)):
        if not _NAME.match(value):
            raise ValueError(f"prompt {label} must match {_NAME.pattern}, got {value!r}")
    return _read(name, lang, (directory or PROMPTS_DIR).resolve())


@lru_cache(maxsize=64)
def _read(name: str, lang: str, directory: Path) -> str:
    candidates = [directory / f"{name}.{lang}.txt", directory / f"{name}.txt"]
    for path in candidates:
        if path.is_file():
            logger.debug("prompt %s (%s) from %s", name, lang, path)
            return path.read_text(encoding="utf-8").strip("\n")
    tried = " or ".join(str(p) for p in candidates)
    raise FileNotFoundError(f"prompt {name!r} not found: looked for {tried}")


def placeholders(template: str) -> list[str]:
    """Names of the ``{placeholders}`` of ``template``, in order of first use."""
    names: list[str] = []
    for _, field, _, _ in _parse(template):
        if field is not None and field not in names:
            names.append(field)
    return names


def render(template: str, **values: str) -> str:
    """Fill every ``{placeholder}`` of ``template`` with ``values``.

    Values are inserted as they are: braces inside a value are never read as placeholders.

    Raises:
        ValueError: a placeholder has no value, a value has no placeholder, a placeholder is
            not a plain name (``{a.b}``, ``{0}``, ``{x:>3}``), or a brace is unbalanced.
        TypeError: a value is not a string.
    """
    wanted = placeholders(template)
    missing = [n for n in wanted if n not in values]
    unused = sorted(set(values) - set(wanted))
    if missing:
        raise ValueError(f"placeholder(s) left unfilled: {', '.join(missing)}")
    if unused:
        raise ValueError(f"value(s) not used by the template: {', '.join(unused)}")
    bad = [k for k, v in values.items() if not isinstance(v, str)]
    if bad:
        raise TypeError(f"values must be strings; not for: {', '.join(sorted(bad))}")
    out: list[str] = []
    for literal, field, _, _ in _parse(template):
        out.append(literal)
        if field is not None:
            out.append(values[field])
    return "".join(out)


def _parse(template: str) -> list[tuple[str, str | None, str | None, str | None]]:
    try:
        parts = list(Formatter().parse(template))
    except ValueError as exc:  # unbalanced brace
        raise ValueError(f"bad template ({exc}); write a literal brace as {{{{ or }}}}") from None
    for _, field, spec, conversion in parts:
        if field is None:
            continue
        if not _PLACEHOLDER.match(field) or spec or conversion:
            shown = field + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
            raise ValueError(f"placeholder {{{shown}}} must be a plain name without format spec")
    return parts

