"""Pure HTML formatting for ``ui.py``: answers with citation links, source cards, tables.

No Gradio and no I/O here: every function maps plain values to an HTML string, and every piece of
user or document text goes through ``html.escape``. Document text is shown in its original script.
"""

from __future__ import annotations

import html
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rag import citation_markers
from rag.types import Answer, Citation, DocRecord, Passage

CONTEXT_CHARS = 80  # characters of the document shown before and after a cited passage
SENTENCE_END = "。！？!?；\n"  # where shown context may start or stop
CURSOR = '<span class="cursor">▍</span>'


def esc(text: str) -> str:
    """HTML-escape ``text`` (quotes included) so it can go into element content or attributes."""
    return html.escape(text, quote=True)


def source_id(turn: int, n: int) -> str:
    """DOM id of the source card for passage ``n`` of answer ``turn``."""
    return f"src-{turn}-{n}"


def link_markers(text: str, *, turn: int, cited: Sequence[int]) -> str:
    """Escape an answer and turn each ``[n]`` marker into a link to its source card.

    A marker naming several passages (``[1,2]``, ``[1-3]``) becomes one link per passage; numbers
    without a citation stay plain text.
    """
    out: list[str] = []
    pos = 0
    for marker in citation_markers(text):
        out.append(esc(text[pos:marker.start]))
        for n in marker.numbers:
            if n in cited:
                out.append(f'<a class="cite" href="#{source_id(turn, n)}" data-turn="{turn}" '
                           f'data-n="{n}" title="查看出处 Show source">[{n}]</a>')
            else:
                out.append(f"[{n}]")
        pos = marker.end
    out.append(esc(text[pos:]))
    return "".join(out)


def streaming_html(text: str) -> str:
    """A partial answer while it is being generated."""
    return f'<div class="answer streaming">{esc(text)}{CURSOR}</div>'


def waiting_html(*, loading: bool = False) -> str:
    """The placeholder shown before the first piece of the answer arrives; ``loading``: the models
    are still being loaded (just after start), so this first answer takes several seconds more."""
    text = ("正在加载模型，首次回答需多等几秒… Loading the models: this first answer takes a few seconds more…"
            if loading else "正在检索… Searching…")
    return f'<div class="answer streaming"><span class="waiting">{text}</span>{CURSOR}</div>'


def answer_html(answer: Answer, *, turn: int) -> str:
    """A finished answer: linked markers, or a refusal box, and a line naming the backend."""
    seconds = answer.timings.get("total")
    took = f" · {seconds:.1f} s" if seconds is not None else ""
    meta = f'<div class="answer-meta">后端 backend: <b>{esc(answer.backend)}</b>{took}</div>'
    if answer.refused:
        return (f'<div class="answer refusal"><div class="refusal-label">文档中没有答案 · Not in the documents'
                f'</div><div class="refusal-text">{esc(answer.text)}</div></div>{meta}')
    cited = sorted({c.n for c in answer.citations if c.supported})
    return f'<div class="answer">{link_markers(answer.text, turn=turn, cited=cited)}</div>{_dates(answer)}{meta}'


def _dates(answer: Answer) -> str:
    """When an answer cites several documents (which may disagree), the date each gives itself:
    a figure of 2024-01-31 and one of 2025-01-16 are not a contradiction but a change."""
    supported = [c for c in answer.citations if c.supported]
    if len({c.doc_id for c in supported}) < 2 or not any(c.published for c in supported):
        return ""
    first = {c.n: c for c in reversed(supported)}
    items = " · ".join(f"[{n}] {esc(first[n].published) or '未注明 undated'}" for n in sorted(first))
    return f'<div class="answer-dates">资料日期 Dated: {items}</div>'


def error_html(message: str) -> str:
    """A library error (empty question, backend unreachable...) shown in the chat."""
    return f'<div class="answer error"><div class="error-label">出错了 · Error</div>{esc(message)}</div>'


# ---------------------------------------------------------------- sources panel
@dataclass(frozen=True, slots=True)
class Source:
    """What one source card shows: a passage in its document, with the cited spans."""

    n: int
    title: str
    file_name: str
    doc_text: str  # the full original text, or the passage text when the document is gone
    offset: int  # where ``doc_text`` starts in the document (0, or the passage start)
    start: int  # passage span in document offsets
    end: int
    quotes: tuple[tuple[int, int], ...]  # supported cited spans, document offsets
    rejected: tuple[str, ...] = ()  # quotes of citations that failed verification
    published: str = ""  # the date the document gives itself


def highlight(text: str, spans: Sequence[tuple[int, int]], *, start: int, end: int,
              context: int = CONTEXT_CHARS) -> str:
    """``text[start:end]`` with ``spans`` wrapped in ``<mark>``, between dimmed context.

    Offsets index ``text``. Spans are clipped to the text and merged when they overlap; the
    passage is widened to cover them, and up to ``context`` characters either side are shown
    dimmed, with "…" where the text goes on. Everything is escaped.
    """
    merged: list[list[int]] = []
    for s, e in sorted((max(0, s), min(len(text), e)) for s, e in spans):
        if s >= e:
            continue
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    core_lo = max(0, min([start] + [s for s, _ in merged]))
    core_hi = min(len(text), max([end] + [e for _, e in merged]))
    lo, hi = _context_bounds(text, core_lo, core_hi, context)
    out = ["…" if lo > 0 else ""]
    if lo < core_lo:
        out.append(f'<span class="ctx">{esc(text[lo:core_lo])}</span>')
    pos = core_lo
    for s, e in merged:
        out.append(f"{esc(text[pos:s])}<mark>{esc(text[s:e])}</mark>")
        pos = e
    out.append(esc(text[pos:core_hi]))
    if core_hi < hi:
        out.append(f'<span class="ctx">{esc(text[core_hi:hi])}</span>')
    out.append("…" if hi < len(text) else "")
    return "".join(out)


def _context_bounds(text: str, core_lo: int, core_hi: int, context: int) -> tuple[int, int]:
    """Up to ``context`` characters around ``[core_lo, core_hi)``, cut at sentence boundaries."""
    lo, hi = max(0, core_lo - context), min(len(text), core_hi + context)
    if lo > 0:
        lo = next((i + 1 for i in range(lo, core_lo) if text[i] in SENTENCE_END), lo)
    if hi < len(text):
        hi = next((i + 1 for i in range(hi - 1, core_hi - 1, -1) if text[i] in SENTENCE_END), hi)
    while lo < core_lo and text[lo].isspace():
        lo += 1
    while hi > core_hi and text[hi - 1].isspace():
        hi -= 1
    return lo, hi


def collect_sources(answer: Answer, documents: dict[str, tuple[str, str]]) -> list[Source]:
    """One ``Source`` per cited passage number, in number order.

    ``documents`` maps a doc id to ``(file name, original text)``; a missing document falls back
    to the passage text itself.
    """
    sources = []
    for n in sorted({c.n for c in answer.citations}):
        cites: list[Citation] = [c for c in answer.citations if c.n == n]
        passage: Passage | None = answer.passages[n - 1] if 0 < n <= len(answer.passages) else None
        first = cites[0]
        start, end = (passage.start, passage.end) if passage else (first.start, first.end)
        if first.doc_id in documents:
            file_name, text = documents[first.doc_id]
            offset = 0
        else:
            file_name = Path(passage.source).name if passage else first.doc_id
            text, offset = (passage.text, passage.start) if passage else (first.quote, first.start)
        sources.append(Source(
            n=n, title=first.title, file_name=file_name, doc_text=text, offset=offset, start=start, end=end,
            quotes=tuple((c.start, c.end) for c in cites if c.supported),
            rejected=tuple(c.quote for c in cites if not c.supported), published=first.published,
        ))
    return sources


def source_card(source: Source, *, turn: int) -> str:
    """One citation card: number, title, file name and the highlighted passage."""
    off = source.offset
    dated = f'<span class="src-date">{esc(source.published)}</span>' if source.published else ""
    body = highlight(source.doc_text, [(s - off, e - off) for s, e in source.quotes],
                     start=source.start - off, end=source.end - off)
    rejected = "".join(f'<div class="src-rejected">未通过核实，已从回答中移除 · Not verified, removed from the '
                       f'answer: “{esc(q)}”</div>' for q in source.rejected)
    return (f'<div class="src-card" id="{source_id(turn, source.n)}" data-n="{source.n}">'
            f'<div class="src-head"><span class="src-n">[{source.n}]</span>'
            f'<span class="src-title">{esc(source.title)}</span>{dated}</div>'
            f'<div class="src-file">文件 File: <code>{esc(source.file_name)}</code> · '
            f'字符 chars {source.start}–{source.end}</div>'
            f'<div class="src-text">{body}</div>{rejected}</div>')


def sources_group(question: str, answer: Answer | None, sources: Sequence[Source], *, turn: int) -> str:
    """The inside of one answer's group in the sources panel: its question, then its cards."""
    head = f'<div class="src-question"><span class="src-turn">#{turn}</span> {esc(question)}</div>'
    if answer is None:
        body = '<div class="src-empty">出错了，没有回答 · No answer: an error occurred</div>'
    elif answer.refused or not sources:
        body = ('<div class="src-empty">没有引用的出处：文档中找不到答案。<br>'
                'No cited sources: the documents do not answer this question.</div>')
    else:
        body = "".join(source_card(s, turn=turn) for s in sources)
    return head + body


def sources_panel(groups: Sequence[tuple[int, str]], *, current: int | None) -> str:
    """Every answer's group ``(turn, inner html)``; only the ``current`` turn's is shown at first."""
    if not groups:
        return ('<div class="src-panel"><div class="src-empty">提问后，这里显示回答引用的原文。'
                '点击回答中的 <span class="cite-demo">[1]</span> 可跳到对应出处。<br>'
                'After you ask, the passages an answer cites appear here. '
                'Click a <span class="cite-demo">[1]</span> in an answer to jump to its source.</div></div>')
    shown = "".join(f'<div class="src-group{" current" if turn == current else ""}" data-turn="{turn}">'
                    f"{inner}</div>" for turn, inner in groups)
    return f'<div class="src-panel">{shown}</div>'


# ---------------------------------------------------------------- documents tab
def _when(unix: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(unix))


def documents_table(records: Sequence[DocRecord], *, uploads_dir: Path) -> str:
    """The indexed documents: title, file, origin, chunks and indexing time."""
    if not records:
        return '<div class="doc-empty">索引中没有文档 · No documents are indexed.</div>'
    rows = []
    for r in records:
        path = Path(r.path)
        origin = "上传 upload" if path.parent == uploads_dir else "语料 corpus"
        rows.append(f'<tr><td>{esc(r.title)}</td><td class="file"><code>{esc(path.name)}</code></td>'
                    f'<td class="origin">{origin}</td><td class="num">{r.chunks}</td>'
                    f'<td class="when">{_when(r.indexed_at)}</td></tr>')
    total = sum(r.chunks for r in records)
    return ('<table class="doc-table"><thead><tr><th>标题 Title</th><th>文件 File</th><th>来源 Origin</th>'
            '<th class="num">段数 Chunks</th><th>索引时间 Indexed</th></tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>'
            f'<div class="doc-total">{len(records)} 个文档 documents · {total} 段 chunks</div>')


def user_html(user: str | None, role: str | None) -> str:
    """Who is signed in, with a sign-out link; nothing when the app has no sign-in."""
    if user is None:
        return ""
    shown = {"editor": "编辑 editor", "reader": "读者 reader"}.get(role or "", "—")
    return (f'<div class="signed-in">已登录 Signed in: <b>{esc(user)}</b> ({shown}) · '
            '<a href="logout">退出 Sign out</a></div>')


def status_html(lines: Sequence[tuple[bool, str]]) -> str:
    """Upload/removal results, one line each: ``(ok, message)``."""
    items = "".join(f'<li class="{"ok" if ok else "bad"}">{"✓" if ok else "✗"} {esc(msg)}</li>'
                    for ok, msg in lines)
    return f'<ul class="status">{items}</ul>' if items else ""


# ---------------------------------------------------------------- page assets
ASSETS = Path(__file__).resolve().parent / "assets"
# Clicking a [n] marker shows its answer's group in the sources panel and marks the card.
JS = (ASSETS / "cite_links.js").read_text(encoding="utf-8")
CSS = (ASSETS / "style.css").read_text(encoding="utf-8")
