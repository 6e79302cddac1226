"""Readable views of an evaluation run: a self-contained HTML report and plain-text tables.

The HTML has inline CSS and inline SVG charts drawn here; it loads nothing from the network.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from html import escape
from pathlib import Path

from rag.evaluation.metrics import HEADLINE, NO_TYPE, STAGES, Comparison

WORST = 15  # cases shown in full in the report
LABELS = {"hit@k": "hit@k", "mrr": "MRR", "answer_hit@k": "answer hit@k", "accuracy": "Accuracy",
          "refusal_precision": "Refusal precision",
          "refusal_recall": "Refusal recall", "citation_precision": "Citation precision",
          "citation_recall": "Citation recall"}
FONT = ('-apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "PingFang SC", "Hiragino Sans GB", '
        '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif')


def fmt(value: float | None, *, percent: bool = True) -> str:
    """0.8333 -> "83.3%" (or "0.833"); ``None`` -> "n/a"."""
    if value is None:
        return "n/a"
    return f"{value * 100:.1f}%" if percent else f"{value:.3f}"


def fmt_metric(name: str, value: float | None) -> str:
    return fmt(value, percent=name != "mrr")


def fmt_seconds(value: float | None) -> str:
    if value is None:
        return "n/a"
    if value < 0.01:
        return f"{value * 1000:.1f} ms"
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def label(name: str, k: object) -> str:
    return LABELS[name].replace("@k", f"@{k}")


# ---------------------------------------------------------------- plain text
def format_summary(summary: Mapping) -> str:
    """Overall, per-type and per-language metrics, and latency, as aligned text."""
    k = summary["config"].get("k")
    by_lang = {f"lang {name}": m for name, m in summary.get("by_lang", {}).items()}
    groups = {"overall": summary["overall"], **summary["by_type"], **by_lang}
    widths = [max(9, len(name) + 2) for name in groups]
    row = lambda title, cells: f"{title:<20}" + "".join(f"{c:>{w}}" for c, w in zip(cells, widths))  # noqa: E731
    lines = [row("", groups), row("questions", [str(m["questions"]) for m in groups.values()])]
    for name in HEADLINE:
        lines.append(row(label(name, k), [fmt_metric(name, m[name]) for m in groups.values()]))
    latency = summary["overall"]["latency"]
    lines.append("latency " + ", ".join(
        f"{s} p50 {fmt_seconds(latency[s]['p50'])} p95 {fmt_seconds(latency[s]['p95'])}" for s in STAGES))
    return "\n".join(lines)


def _change(value: float | None) -> str:
    return "n/a" if value is None else f"{value:+.4f}"


def format_comparison(cmp: Comparison, *, a: str = "A", b: str = "B") -> str:
    """Configuration warnings, metric changes (B minus A) and flipped questions, as text."""
    lines = [f"A = {a}", f"B = {b}"]
    if cmp.config_differences:
        lines.append("WARNING: the runs were made with different configurations; differences:")
        lines += [f"  {d}" for d in cmp.config_differences]
    lines.append(f"{'metric':<26}{'A':>10}{'B':>10}{'change':>10}")
    for d in cmp.deltas:
        lines.append(f"{d.metric:<26}{_num(d.a):>10}{_num(d.b):>10}{_change(d.change):>10}")
    for t, deltas in cmp.type_deltas.items():
        lines.append(f"  {t}: " + ", ".join(f"{d.metric} {_num(d.a)} -> {_num(d.b)} ({_change(d.change)})"
                                            for d in deltas))
    for title, ids in (("right -> wrong", cmp.right_to_wrong), ("wrong -> right", cmp.wrong_to_right),
                       ("only in A", cmp.only_in_a), ("only in B", cmp.only_in_b)):
        lines.append(f"{title} ({len(ids)}): {', '.join(ids) if ids else '-'}")
    return "\n".join(lines)


def _num(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.4f}"


# ---------------------------------------------------------------- charts (inline SVG)
def nice_ceiling(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 × 10^n that is >= ``value`` (1 for non-positive values)."""
    if value <= 0:
        return 1.0
    base = 10 ** math.floor(math.log10(value))
    return next(m * base for m in (1, 2, 2.5, 5, 10) if m * base >= value - 1e-12)


def type_bars_svg(by_type: Mapping[str, Mapping], *, k: object) -> str:
    """Grouped horizontal bars: accuracy and hit@k of each question type."""
    row, left, width = 46, 150, 420
    rows = list(by_type.items())
    height = 34 + row * len(rows)
    parts = [f'<svg class="chart" viewBox="0 0 {left + width + 80} {height}" role="img" '
             f'aria-label="accuracy and hit@{k} per question type">',
             _legend([("accuracy", "#2f5fb3"), (f"hit@{k}", "#9db8e6")], x=left)]
    for i, (name, m) in enumerate(rows):
        y = 30 + i * row
        parts.append(f'<text x="{left - 10}" y="{y + 20}" class="lbl" text-anchor="end">{escape(name)}'
                     f'<tspan class="muted"> ({m["questions"]})</tspan></text>')
        for j, (key, colour) in enumerate((("accuracy", "#2f5fb3"), ("hit@k", "#9db8e6"))):
            value, top = m[key], y + 4 + j * 17
            parts.append(f'<rect x="{left}" y="{top}" width="{width}" height="14" class="track"/>')
            if value is not None:
                parts.append(f'<rect x="{left}" y="{top}" width="{width * value:.1f}" height="14" '
                             f'fill="{colour}" rx="2"/>')
            parts.append(f'<text x="{left + width + 8}" y="{top + 11}" class="val">{fmt(value)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _legend(items: Sequence[tuple[str, str]], *, x: int) -> str:
    out = []
    for i, (name, colour) in enumerate(items):
        out.append(f'<rect x="{x + i * 110}" y="6" width="12" height="12" fill="{colour}" rx="2"/>'
                   f'<text x="{x + i * 110 + 18}" y="16" class="val">{escape(name)}</text>')
    return "".join(out)


def latency_svg(records: Sequence[Mapping], latency: Mapping[str, Mapping]) -> str:
    """One strip per stage: every question's seconds as a dot, with p50 and p95 marks."""
    left, width, row = 110, 560, 44
    values = {s: [float(r["timings"][s]) for r in records if s in (r.get("timings") or {})] for s in STAGES}
    top = nice_ceiling(max((v for vs in values.values() for v in vs), default=0.0))
    height = 40 + row * len(STAGES) + 30
    x = lambda seconds: left + width * seconds / top  # noqa: E731
    parts = [f'<svg class="chart" viewBox="0 0 {left + width + 40} {height}" role="img" aria-label="latency">',
             _legend([("question", "#5b7fc7"), ("p50", "#1b2a4a"), ("p95", "#d9822b")], x=left)]
    for i, stage in enumerate(STAGES):
        y = 40 + i * row
        parts.append(f'<text x="{left - 10}" y="{y + 18}" class="lbl" text-anchor="end">{stage}</text>'
                     f'<line x1="{left}" x2="{left + width}" y1="{y + 14}" y2="{y + 14}" class="grid"/>')
        for j, v in enumerate(values[stage]):
            jitter = ((j * 37) % 17 - 8) * 1.1
            parts.append(f'<circle cx="{x(v):.1f}" cy="{y + 14 + jitter:.1f}" r="3.2" class="dot"/>')
        for q, colour in (("p50", "#1b2a4a"), ("p95", "#d9822b")):
            if latency[stage][q] is not None:
                px = x(latency[stage][q])
                parts.append(f'<line x1="{px:.1f}" x2="{px:.1f}" y1="{y}" y2="{y + 28}" stroke="{colour}" '
                             f'stroke-width="2.5"><title>{stage} {q} {fmt_seconds(latency[stage][q])}</title></line>')
    axis_y = 40 + row * len(STAGES)
    for t in range(6):
        seconds = top * t / 5
        parts.append(f'<line x1="{x(seconds):.1f}" x2="{x(seconds):.1f}" y1="34" y2="{axis_y}" class="grid"/>'
                     f'<text x="{x(seconds):.1f}" y="{axis_y + 16}" class="val" text-anchor="middle">'
                     f'{seconds:g} s</text>')
    parts.append("</svg>")
    return "".join(parts)


# ---------------------------------------------------------------- HTML
CSS = (Path(__file__).resolve().parent / "report.css").read_text(encoding="utf-8").replace("FONT", FONT)


def _cards(overall: Mapping, k: object) -> str:
    counts = {
        "hit@k": f"{round((overall['hit@k'] or 0) * overall['answerable'])} of {overall['answerable']} answerable",
        "mrr": f"over {overall['answerable']} answerable",
        "answer_hit@k": f"{round((overall['answer_hit@k'] or 0) * overall['answerable'])} in the answer's passages",
        "accuracy": f"{overall['correct']} of {overall['questions']}",
        "refusal_precision": f"{overall['refused']} refused",
        "refusal_recall": f"{overall['unanswerable']} unanswerable",
        "citation_precision": f"{overall['citations']} citations",
        "citation_recall": f"{overall['sentences']} sentences",
    }
    return '<div class="cards">' + "".join(
        f'<div class="card"><div class="k">{escape(label(m, k))}</div>'
        f'<div class="v">{fmt_metric(m, overall[m])}</div><div class="n">{counts[m]}</div></div>'
        for m in HEADLINE) + "</div>"


def _type_table(groups: Mapping[str, Mapping], k: object) -> str:
    head = "".join(f"<th>{escape(label(m, k))}</th>" for m in HEADLINE)
    rows = "".join(
        f"<tr><td>{escape(name)}</td><td>{m['questions']}</td>"
        + "".join(f"<td>{fmt_metric(h, m[h])}</td>" for h in HEADLINE)
        + f"<td>{fmt_seconds(m['latency']['total']['p50'])}</td></tr>"
        for name, m in groups.items())
    return f"<table><tr><th>type</th><th>n</th>{head}<th>total p50</th></tr>{rows}</table>"


def _latency_table(latency: Mapping[str, Mapping]) -> str:
    rows = "".join(f"<tr><td>{s}</td><td>{fmt_seconds(v['p50'])}</td><td>{fmt_seconds(v['p95'])}</td>"
                   f"<td>{fmt_seconds(v['max'])}</td><td>{v['n']}</td></tr>" for s, v in latency.items())
    return f"<table><tr><th>stage</th><th>p50</th><th>p95</th><th>max</th><th>n</th></tr>{rows}</table>"


def badness(record: Mapping) -> tuple:
    """Sort key, worst first: wrong, errored, gold passage missed, unsupported citations,
    sentences without a supported citation, slow."""
    cites = record.get("citations") or []
    unsupported = sum(1 for c in cites if not c["supported"]) / len(cites) if cites else 0.0
    good = {c["n"] for c in cites if c["supported"]}
    sentences = record.get("sentences") or []
    uncited = sum(1 for s in sentences if not good.intersection(s["cited"])) / len(sentences) if sentences else 0.0
    missed = bool(record.get("answerable")) and not record.get("hit_rank")
    return (bool(record["correct"]), not record.get("error"), not missed, -unsupported, -uncited,
            -float((record.get("timings") or {}).get("total", 0.0)))


def has_problem(record: Mapping) -> bool:
    """Wrong, errored, gold passage missed, or a citation problem."""
    return badness(record)[:5] != (True, True, True, 0.0, 0.0)


def _worst_note(records: Sequence[Mapping], worst: Sequence[Mapping]) -> str:
    problems = sum(1 for r in records if has_problem(r))
    if not problems:
        return "No question has a wrong answer, a missed gold passage or a citation problem."
    return (f"{problems} of {len(records)} questions have a wrong answer, an error, a missed gold passage, an "
            f"unsupported citation or an uncited sentence; the worst {len(worst)} are shown, wrong answers first.")


def _badges(r: Mapping) -> str:
    out = [f'<span class="badge {"ok" if r["correct"] else "bad"}">{"right" if r["correct"] else "wrong"}</span>']
    if r.get("error"):
        out.append('<span class="badge bad">error</span>')
    if r["refused"]:
        out.append('<span class="badge warn">refused</span>')
    if not r["answerable"]:
        out.append('<span class="badge">unanswerable</span>')
    elif r.get("hit_rank"):
        out.append(f'<span class="badge ok">gold at rank {r["hit_rank"]}</span>')
    else:
        out.append('<span class="badge bad">gold not retrieved</span>')
    return "".join(out)


def _case(r: Mapping) -> str:
    expected = " | ".join(dict.fromkeys(r["expected"])) or ("(refuse)" if not r["answerable"] else "(any answer)")
    cites = "".join(
        f'<li><b>[{c["n"]}]</b> {escape(c["doc_id"])} <span class="meta">chars {c["start"]}–{c["end"]}</span> '
        f'<span class="badge {"ok" if c["supported"] else "bad"}">{"supported" if c["supported"] else "unsupported"}'
        f'</span><br>{escape(c["quote"])}</li>' for c in r.get("citations") or [])
    passages = "".join(
        f'<li class="{"hit" if p["hit"] else ""}"><span class="meta">#{p["rank"]} · score {p["score"]:.3f} · '
        f'{escape(p["chunk_id"])}{" · hit" if p["hit"] else ""}</span><br>'
        f'{highlight(_clip(p["text"], 360), r["expected"], patterns=r.get("expected_are_patterns", False))}</li>'
        for p in r.get("retrieved") or [])
    error = f'<div class="field">error</div><div class="answer">{escape(r["error"])}</div>' if r.get("error") else ""
    left = (f'<div class="field">expected</div><div>{escape(expected)}</div>'
            f'<div class="field">answer · {fmt_seconds((r.get("timings") or {}).get("total"))}</div>'
            f'<div class="answer">{escape(r["answer"]) or "(empty)"}</div>{error}'
            + (f'<div class="field">citations</div><ol class="passages">{cites}</ol>' if cites else ""))
    right = f'<div class="field">retrieved passages</div><ol class="passages">{passages or "<li>(none)</li>"}</ol>'
    return (f'<div class="case"><h3>{escape(r["id"])} <span class="meta">{escape(r["type"] or NO_TYPE)}</span></h3>'
            f'{_badges(r)}<div class="q">{escape(r["question"])}</div>'
            f'<div class="cols"><div>{left}</div><div>{right}</div></div></div>')


def highlight(text: str, expected: Sequence[str], *, patterns: bool) -> str:
    """``text`` escaped for HTML, with the spans matching a gold answer in ``<mark>``."""
    spans = []
    for answer in expected:
        try:
            regex = re.compile(answer if patterns else re.escape(answer))
        except re.error:
            continue
        spans += [m.span() for m in regex.finditer(text) if m.end() > m.start()]
    out, pos = [], 0
    for start, end in sorted(spans):
        if start >= pos:
            out.append(escape(text[pos:start]) + f"<mark>{escape(text[start:end])}</mark>")
            pos = end
    return "".join(out) + escape(text[pos:])


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"


def _all_table(records: Sequence[Mapping]) -> str:
    rows = "".join(
        f'<tr><td>{escape(r["id"])}</td><td class="l">{escape(r["type"] or NO_TYPE)}</td>'
        f'<td class="l">{escape(_clip(r["question"], 48))}</td>'
        f'<td>{"✓" if r["correct"] else "✗"}</td><td>{"yes" if r["refused"] else ""}</td>'
        f'<td>{r["hit_rank"] or ("–" if not r["answerable"] else "miss")}</td>'
        f'<td>{sum(c["supported"] for c in r.get("citations") or [])}/{len(r.get("citations") or [])}</td>'
        f'<td>{fmt_seconds((r.get("timings") or {}).get("total"))}</td></tr>' for r in records)
    return ('<table><tr><th>id</th><th class="l">type</th><th class="l">question</th><th>right</th>'
            f'<th>refused</th><th>gold rank</th><th>supported cites</th><th>total</th></tr>{rows}</table>')


def _config_table(config: Mapping, seconds: object) -> str:
    rows = "".join(f'<tr><td>{escape(str(key))}</td><td class="l">{escape(str(value))}</td></tr>'
                   for key, value in {**config, "run seconds": seconds}.items())
    return f'<table><tr><th>setting</th><th class="l">value</th></tr>{rows}</table>'


def render(summary: Mapping, records: Sequence[Mapping]) -> str:
    """The whole report as one HTML page (no external resources)."""
    config, overall, k = summary["config"], summary["overall"], summary["config"].get("k")
    title = f"Evaluation · {config.get('questions_file') or 'questions'}"
    worst = [r for r in sorted(records, key=badness) if has_problem(r)][:WORST]
    subtitle = (f"{config.get('date', '')} · backend {config.get('backend')} · {overall['questions']} questions · "
                f"k = {k} · {overall['errors']} errors")
    return (
        f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{CSS}</style></head>'
        f'<body><main><h1>{escape(title)}</h1><p class="sub">{escape(subtitle)}</p>{_cards(overall, k)}'
        f'<h2>By question type</h2>{type_bars_svg(summary["by_type"], k=k)}'
        f'{_type_table({"overall": overall, **summary["by_type"]}, k)}'
        f'<h2>By question language</h2>{_type_table(summary.get("by_lang", {}), k)}'
        f'<h2>Latency</h2>{latency_svg([r for r in records if not r.get("error")], overall["latency"])}'
        f'{_latency_table(overall["latency"])}'
        f'<h2>Worst cases</h2><p class="sub">{_worst_note(records, worst)}</p>{"".join(_case(r) for r in worst)}'
        f'<h2>All questions</h2>{_all_table(records)}'
        f'<h2>Configuration</h2>{_config_table(config, summary.get("seconds"))}'
        "</main></body></html>"
    )
