"""Prompt files and the strict template renderer."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.generation.cite import parse_markers
from rag.generation.prompts import load_prompt, placeholders, render


def test_language_variant_then_fallback(tmp_path: Path) -> None:
    (tmp_path / "greet.en.txt").write_text("Hello {name}\n", encoding="utf-8")
    (tmp_path / "greet.txt").write_text("你好 {name}\n", encoding="utf-8")
    assert load_prompt("greet", lang="en", directory=tmp_path) == "Hello {name}"
    assert load_prompt("greet", lang="fr", directory=tmp_path) == "你好 {name}"


def test_missing_prompt_names_the_paths_it_tried(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"nothing\.de\.txt or .*nothing\.txt"):
        load_prompt("nothing", lang="de", directory=tmp_path)


def test_prompt_names_cannot_walk_out_of_the_folder() -> None:
    with pytest.raises(ValueError, match="prompt name must match"):
        load_prompt("../secret")


def test_loaded_prompt_is_cached(tmp_path: Path) -> None:
    path = tmp_path / "once.txt"
    path.write_text("first", encoding="utf-8")
    assert load_prompt("once", directory=tmp_path) == "first"
    path.write_text("second", encoding="utf-8")
    assert load_prompt("once", directory=tmp_path) == "first"


def test_render_fills_placeholders_and_keeps_escaped_braces() -> None:
    assert render("{{json}} {a}-{b}", a="x", b="{y}") == "{json} x-{y}"


def test_render_names_an_unfilled_placeholder() -> None:
    with pytest.raises(ValueError, match="left unfilled: question"):
        render("{passages}\n{question}", passages="p")


def test_render_names_an_unused_value() -> None:
    with pytest.raises(ValueError, match="not used by the template: extra"):
        render("{question}", question="q", extra="e")


def test_render_rejects_a_lone_brace_and_format_specs() -> None:
    with pytest.raises(ValueError, match="bad template"):
        render("a } b")
    with pytest.raises(ValueError, match=r"placeholder \{n:>3\} must be a plain name"):
        render("{n:>3}", n="1")


def test_render_rejects_non_string_values() -> None:
    with pytest.raises(TypeError, match="not for: n"):
        render("{n}", n=3)  # type: ignore[arg-type]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_shipped_prompts_have_the_expected_placeholders(lang: str) -> None:
    assert placeholders(load_prompt("system", lang=lang)) == []
    assert placeholders(load_prompt("answer", lang=lang)) == ["passages", "question"]
    assert placeholders(load_prompt("condense", lang=lang)) == ["history", "question"]
    assert placeholders(load_prompt("refusal", lang=lang)) == []


def test_refusal_sentences() -> None:
    assert load_prompt("refusal", lang="zh") == "根据现有文档，无法回答该问题。"
    assert load_prompt("refusal", lang="en") == "The documents do not contain the answer to this question."


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_system_prompt_offers_no_refusal_and_stays_short(lang: str) -> None:
    system = load_prompt("system", lang=lang)
    # the model is asked only when the evidence answers; offered the refusal, it took it with the
    # answer in front of it (English questions: 20 of 21 answered by the fallback)
    assert load_prompt("refusal", lang=lang) not in system
    assert parse_markers(system) == [2]  # one worked example of a cited sentence
    assert len(system) < 600  # read at ~72 tokens/s by the local model: keep it lean


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_answer_prompt_ends_with_the_citation_reminder(lang: str) -> None:
    prompt = render(load_prompt("answer", lang=lang), passages="[1] 甲", question="乙?")
    assert prompt.endswith("[1]。" if lang == "zh" else "like [1].")


def test_condense_prompt_renders_a_follow_up() -> None:
    prompt = render(load_prompt("condense"), history="用户：光明区有多少院士？", question="那高层次人才呢？")
    assert prompt.endswith("追问：那高层次人才呢？\n改写：")
