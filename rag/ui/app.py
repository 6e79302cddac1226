"""Gradio chat UI over ``rag.RAG``: streamed answers with clickable citations, a documents tab, feedback.

Run ``python ui.py``, ``rag ui [--host H] [--port P]`` or ``rag serve`` (``rag.serving.server``
mounts it beside the HTTP API, with sign-in); tests call ``build_app(bot)`` and ``launch(app, ...)``.
This module only presents: answers, retrieval and indexing all come from ``RAG``, and the HTML
formatting lives in ``rag.ui.parts``. Who may do what is decided by the ``role_of`` and ``gate``
callables it is given, and checked again in every handler: a hidden tab is not a permission.
"""

from __future__ import annotations

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # never phone home; before importing gradio

import fcntl
import json
import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import asdict, dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import gradio as gr

from rag.api import RAG
from rag.errors import LoadError, RAGError
from rag.types import Answer, ChatMessage, backend_name
from rag.ui import parts

logger = logging.getLogger(__name__)

CHAT_CONCURRENCY = 8  # conversations answered at the same time (the rest wait in Gradio's queue)
SUPPORTED = ".txt .md .html .pdf .docx"
EXAMPLES = [
    "光明区推动了多少家科技支行落地?",
    "光明區的合成生物企業總估值是多少?",
    "How many scholars in Guangming are on the global top 2% scientists list?",
]
EDITORS_ONLY = "只有编辑可以上传或移除文档 · Only editors may upload or remove documents"
SIGNED_OUT = "账号已不存在，请重新登录 · This account no longer exists; sign in again"
RoleOf = Callable[[str | None], str | None]  # signed-in user name (None = no sign-in) -> "reader" | "editor" | None
Gate = Callable[[str | None, str, str | None], AbstractContextManager]  # (user, session, backend) -> a place in the answer queue


def everyone_edits(user: str | None) -> str:
    """The role function of a UI without sign-in: one person on their own machine."""
    return "editor"


def no_gate(user: str | None, session: str, backend: str | None) -> AbstractContextManager:
    return nullcontext()


def _user(request: gr.Request | None) -> str | None:
    return getattr(request, "username", None) or None


def _session(request: gr.Request | None) -> str:
    return getattr(request, "session_hash", None) or "unknown"


@dataclass(frozen=True, slots=True)
class Turn:
    """One question of a conversation and what came back (an answer or a library error)."""

    question: str
    answer: Answer | None
    error: str | None
    html: str  # the assistant message
    sources: str  # the inside of this turn's group in the sources panel


# ---------------------------------------------------------------- feedback
class FeedbackLog:
    """Append-only JSONL file of thumbs up/down; one line per event, written whole under a lock."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    def append(self, record: dict[str, Any]) -> None:
        """Write ``record`` as one line; a thread lock and ``flock`` keep lines from interleaving."""
        line = (json.dumps(record, ensure_ascii=False, default=str) + "\n").encode("utf-8")
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                os.write(fd, line)
                os.fsync(fd)
            finally:
                os.close(fd)  # closing releases the flock


# ---------------------------------------------------------------- event handlers
def _history(turns: Sequence[Turn]) -> list[ChatMessage]:
    """The conversation so far in the shape ``RAG.stream`` takes (answered turns only)."""
    history: list[ChatMessage] = []
    for t in turns:
        if t.answer is not None:
            history += [{"role": "user", "content": t.question}, {"role": "assistant", "content": t.answer.text}]
    return history


def _user_html(question: str) -> str:
    return parts.esc(question) if question.strip() else '<span class="empty-q">（空问题 · empty question）</span>'


def _messages(turns: Sequence[Turn]) -> list[dict]:
    msgs: list[dict] = []
    for t in turns:
        msgs += [{"role": "user", "content": _user_html(t.question)}, {"role": "assistant", "content": t.html}]
    return msgs


def _panel(turns: Sequence[Turn]) -> str:
    groups = [(i, t.sources) for i, t in enumerate(turns, start=1)]
    return parts.sources_panel(groups, current=len(turns) or None)


class ChatUI:
    """The event handlers; ``bot`` is shared by all sessions, conversations live in ``gr.State``."""

    def __init__(self, bot: RAG, *, role_of: RoleOf = everyone_edits, gate: Gate = no_gate) -> None:
        self.bot = bot
        self.feedback_log = FeedbackLog(bot.settings.feedback_path)
        self.role_of = role_of
        self.gate = gate

    def _role(self, request: gr.Request | None) -> str | None:
        return self.role_of(_user(request))

    # ----- chat
    def respond(self, question: str, turns: list[Turn], k: int, backend: str,
                request: gr.Request | None = None) -> Iterator[tuple]:
        """Stream one answer: deltas first, then the verified answer and its sources."""
        question = question or ""
        number = len(turns) + 1
        messages = _messages(turns) + [{"role": "user", "content": _user_html(question)},
                                       {"role": "assistant", "content": parts.waiting_html(loading=self.bot.warming_up)}]
        yield messages, gr.skip(), "", gr.skip()
        answer: Answer | None = None
        text = ""
        try:
            if self._role(request) is None:
                raise RAGError(SIGNED_OUT)
            with self.gate(_user(request), _session(request), backend or None):  # BusyError (a RAGError) when the queue is full
                for event in self.bot.stream(question, history=_history(turns), k=int(k),
                                             backend=backend_name(backend) if backend else None):
                    if isinstance(event, Answer):
                        answer = event
                    else:
                        text += event
                        messages[-1]["content"] = parts.streaming_html(text)
                        yield messages, gr.skip(), gr.skip(), gr.skip()
        except RAGError as exc:
            logger.info("question failed: %s", exc)
            turn = Turn(question, None, str(exc), parts.error_html(str(exc)),
                        parts.sources_group(question, None, [], turn=number))
        except Exception:  # the UI edge: show a message instead of a traceback, log the details
            logger.exception("unexpected error while answering %r", question)
            message = "内部错误，详情见服务器日志 · Internal error; the details are in the server log"
            turn = Turn(question, None, message, parts.error_html(message),
                        parts.sources_group(question, None, [], turn=number))
        else:
            assert answer is not None  # RAG.stream always ends with an Answer
            turn = Turn(question, answer, None, parts.answer_html(answer, turn=number),
                        parts.sources_group(question, answer, self._sources(answer), turn=number))
        turns = [*turns, turn]
        yield _messages(turns), _panel(turns), gr.skip(), turns

    def _sources(self, answer: Answer) -> list[parts.Source]:
        documents: dict[str, tuple[str, str]] = {}
        for doc_id in {c.doc_id for c in answer.citations}:
            try:
                doc = self.bot.document(doc_id)
            except LoadError:  # removed since it was retrieved: the card falls back to the passage
                continue
            documents[doc_id] = (Path(doc.path).name, doc.text)
        return parts.collect_sources(answer, documents)

    def ask_example(self, turns: list[Turn], k: int, backend: str, evt: gr.SelectData,
                    request: gr.Request | None = None) -> Iterator[tuple]:
        """An example question clicked in the empty chat."""
        yield from self.respond(str(evt.value.get("text", "")), turns, k, backend, request)

    @staticmethod
    def new_conversation() -> tuple:
        """An empty chat. The question box is left alone: a reply that reached a busy server's
        page after the user had started typing cleared what they typed, and Enter then sent "". """
        return [], _panel([]), []

    def feedback(self, turns: list[Turn], data: gr.LikeData, request: gr.Request) -> None:
        """Append a thumbs up/down (or its removal) on an answer to the feedback file."""
        index = data.index[0] if isinstance(data.index, (list, tuple)) else int(data.index)
        turn = turns[index // 2] if 0 <= index // 2 < len(turns) else None
        if turn is None or turn.answer is None:
            return
        a = turn.answer
        rating = "up" if data.liked is True else "down" if data.liked is False else "cleared"
        self.feedback_log.append({
            "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "rating": rating, "question": turn.question,
            "answer": a.text, "refused": a.refused, "backend": a.backend,
            "citations": [asdict(c) for c in a.citations],
            "session": getattr(request, "session_hash", None), "user": _user(request),
        })
        gr.Info("谢谢反馈 · Thanks for the feedback")

    # ----- documents
    def on_load(self, request: gr.Request | None = None) -> tuple:
        """A page opened: the documents tab for editors only, and who is signed in."""
        role = self._role(request)
        table, menu = self.documents_view(request)
        return table, menu, gr.update(visible=role == "editor"), parts.user_html(_user(request), role)

    def documents_view(self, request: gr.Request | None = None) -> tuple:
        """The documents table and the choices of the remove menu (empty for a reader)."""
        if self._role(request) != "editor":
            return "", gr.update(choices=[], value=None)
        records = self.bot.documents()
        table = parts.documents_table(records, uploads_dir=self.bot.uploads_dir)
        choices = [(f"{r.title} — {Path(r.path).name}", r.id) for r in records]
        return table, gr.update(choices=choices, value=None)

    def upload(self, paths: list[str] | None, names: str, request: gr.Request | None = None,
               progress: gr.Progress = gr.Progress()) -> tuple:  # noqa: B008 (Gradio's idiom)
        """Add uploaded files one by one; each bad file gets its own message and changes nothing."""
        if self._role(request) != "editor":
            return parts.status_html([(False, EDITORS_ONLY)]), *self.documents_view(request), None
        paths = list(paths or [])
        original = json.loads(names) if names else []
        lines: list[tuple[bool, str]] = []
        for i, path in enumerate(paths):  # the "index" concurrency group runs one upload/removal at a time
            name = original[i] if i < len(original) and original[i] else Path(path).name

            def report(stage: str, done: int, total: int, name: str = name) -> None:
                if total > 0:
                    progress((done, total), desc=f"{name}: {stage}")

            try:
                result = self.bot.add_file(path, name=name, progress=report)
            except (RAGError, OSError) as exc:
                lines.append((False, str(exc)))
                continue
            errors = [e.reason for e in result.errors if Path(e.path).name == Path(name).name]
            if errors:
                lines.append((False, f"{name}: {errors[0]}"))
            else:
                lines.append((True, f"{name}: 已加入索引 indexed ({result.chunks_embedded} 段 chunks, "
                                    f"{result.seconds:.1f} s)"))
        table, menu = self.documents_view(request)
        return parts.status_html(lines), table, menu, None

    def remove(self, doc_id: str | None, request: gr.Request | None = None) -> tuple:
        """Remove one document from the index."""
        if self._role(request) != "editor":
            return parts.status_html([(False, EDITORS_ONLY)]), *self.documents_view(request)
        if not doc_id:
            table, menu = self.documents_view(request)
            return parts.status_html([(False, "请先选择文档 · Choose a document first")]), table, menu
        try:
            title = self.bot.document(doc_id).title
            self.bot.remove_document(doc_id)
            line = (True, f"已移除 removed: {title}")
        except (RAGError, OSError) as exc:
            line = (False, str(exc))
        table, menu = self.documents_view(request)
        return parts.status_html([line]), table, menu


# ---------------------------------------------------------------- layout
# Gradio keeps only the base name of an upload; pass the names as the user's files had them, so
# validation sees (and can refuse) names such as "../x.txt".
_ORIGINAL_NAMES_JS = "(files, names) => [files, JSON.stringify((files || []).map(f => f.orig_name || ''))]"
_CONFIRM_REMOVE_JS = "(d) => (d && !confirm('移除这个文档？ Remove this document from the index?')) ? null : d"


def _badge(backend: str) -> str:
    return f'<div class="badge">后端 Backend: <b>{parts.esc(backend)}</b></div>'


def _chat_tab(ui: ChatUI) -> SimpleNamespace:
    """Conversation on the left, sources of the answers on the right."""
    c = SimpleNamespace()
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=420):
            c.chatbot = gr.Chatbot(
                show_label=False, elem_id="chat", height=560, layout="bubble", buttons=[],
                feedback_options=("Like", "Dislike"), examples=[{"text": q} for q in EXAMPLES],
                placeholder="### 问一个关于文档的问题\n### Ask a question about the documents\n"
                            "回答中的 [1] 标记链接到右侧的原文出处。试试下面的示例：<br>"
                            "Each [1] in an answer links to its source on the right. Try an example:",
            )
            with gr.Row(elem_id="ask-row", equal_height=True):
                c.question = gr.Textbox(placeholder="输入问题 · Ask a question",
                                        show_label=False, scale=6, elem_id="question", autofocus=True)
                c.send = gr.Button("发送 Send", variant="primary", scale=0, min_width=110, elem_id="send")
                c.new = gr.Button("新对话 New chat", variant="secondary", scale=0, min_width=150, elem_id="new-chat")
            with gr.Accordion("设置 Settings", open=False, elem_id="settings"):
                with gr.Row():
                    c.k = gr.Slider(1, 10, value=ui.bot.settings.top_k, step=1, label="检索段落数 Passages",
                                    elem_id="passages",
                                    info="每个问题检索的段落数 · passages retrieved per question")
                    c.backend = gr.Dropdown(ui.bot.available_backends(), value=ui.bot.backend_name, label="后端 Backend",
                                            elem_id="backend", info="生成回答的模型 · what writes the answer")
        with gr.Column(scale=2, min_width=320):
            gr.HTML('<div class="panel-title">出处 · Sources</div>', js_on_load=None)
            c.sources = gr.HTML(_panel([]), elem_id="sources", max_height=700, js_on_load=None)
    return c


def _documents_tab(ui: ChatUI) -> SimpleNamespace:
    """Upload and remove on top, the table of indexed documents below."""
    d = SimpleNamespace()
    limit = ui.bot.settings.max_upload_mb
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=360):
            gr.HTML(f'<div class="panel-title">上传文档 · Upload documents</div>'
                    f'<div class="hint">支持 {SUPPORTED} · 每个文件最大 <b>{limit:g} MB</b>，上传后立即建立索引。<br>'
                    f'Supported: {SUPPORTED} · at most <b>{limit:g} MB</b> per file; indexed right away.</div>',
                    elem_id="upload-hint", js_on_load=None)
            d.upload = gr.File(label="选择或拖入文件 · Choose or drop files", file_count="multiple",
                               type="filepath", elem_id="upload", height=150)
            d.names = gr.Textbox(visible=False)
            d.status = gr.HTML("", elem_id="upload-status", js_on_load=None)
        with gr.Column(scale=2, min_width=300):
            gr.HTML('<div class="panel-title">移除文档 · Remove a document</div>'
                    '<div class="hint">上传的文件会被删除；语料中的文档只是不再索引。<br>'
                    'Uploaded files are deleted; corpus documents are only left out of the index.</div>',
                    js_on_load=None)
            d.menu = gr.Dropdown([], label="文档 Document", elem_id="remove-choice")
            d.remove = gr.Button("移除 Remove", variant="stop", elem_id="remove")
    gr.HTML('<div class="panel-title">已索引的文档 · Indexed documents</div>', js_on_load=None)
    d.table = gr.HTML("", elem_id="documents", js_on_load=None)
    return d


def build_app(bot: RAG, *, role_of: RoleOf = everyone_edits, gate: Gate = no_gate) -> gr.Blocks:
    """The whole app for ``bot``; serve it with ``launch(app, ...)``, which adds theme, CSS and JS.

    ``role_of`` maps the signed-in user to a role: the documents tab shows for editors only, and
    stays hidden until the page has loaded and asked. ``gate`` is entered around each answer.
    """
    ui = ChatUI(bot, role_of=role_of, gate=gate)
    open_app = role_of is everyone_edits
    with gr.Blocks(title="文档问答 · Document Q&A", analytics_enabled=False) as app:
        with gr.Row(elem_id="header"):
            gr.HTML('<div class="title">文档问答 <span>Document Q&amp;A</span></div>'
                    '<div class="subtitle">就已索引的文档提问，每个回答都标注出处。'
                    ' Ask about the indexed documents; every answer cites its sources.</div>',
                    elem_id="title", js_on_load=None)
            badge = gr.HTML(_badge(bot.backend_name), elem_id="backend-badge", js_on_load=None)
            user_line = gr.HTML("", elem_id="signed-in", js_on_load=None)
        turns = gr.State([])
        with gr.Tabs():
            with gr.Tab("对话 Chat", id="chat"):
                c = _chat_tab(ui)
            with gr.Tab("文档 Documents", id="documents", visible=open_app) as documents_tab:
                d = _documents_tab(ui)

        chat_out = [c.chatbot, c.sources, c.question, turns]
        chat_in = [c.question, turns, c.k, c.backend]
        # no Gradio progress overlay: the answer's own "Searching…" line shows progress, and the overlay's
        # pulsing border, redrawn every frame while the answer is pending, took a third of a core in the
        # browser from the model on a 2-core machine (first text 0.4 s later in Chromium)
        chat_opts = dict(outputs=chat_out, concurrency_limit=CHAT_CONCURRENCY, concurrency_id="chat",
                         show_progress="hidden")
        c.question.submit(ui.respond, chat_in, api_name="ask", **chat_opts)
        c.send.click(ui.respond, chat_in, api_name=False, **chat_opts)
        c.chatbot.example_select(ui.ask_example, chat_in[1:], api_name=False, **chat_opts)
        conversation = [c.chatbot, c.sources, turns]
        c.new.click(ui.new_conversation, None, conversation, api_name=False)
        c.chatbot.clear(ui.new_conversation, None, conversation, api_name=False)
        c.chatbot.like(ui.feedback, [turns], None, api_name=False)
        c.backend.change(_badge, c.backend, badge, api_name=False)

        index_opts = dict(concurrency_limit=1, concurrency_id="index", api_name=False)
        d.upload.upload(ui.upload, [d.upload, d.names], [d.status, d.table, d.menu, d.upload],
                        js=_ORIGINAL_NAMES_JS, show_progress_on=[d.status], **index_opts)
        d.remove.click(ui.remove, [d.menu], [d.status, d.table, d.menu], js=_CONFIRM_REMOVE_JS, **index_opts)
        app.load(ui.on_load, None, [d.table, d.menu, documents_tab, user_line], api_name=False)
    return app


# ---------------------------------------------------------------- launching
THEME = gr.themes.Soft(
    primary_hue="indigo", neutral_hue="slate",
    font=["system-ui", "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", "sans-serif"],
    font_mono=["ui-monospace", "Noto Sans Mono CJK SC", "monospace"],
)


def launch(app: gr.Blocks, *, host: str, port: int, block: bool = True) -> str:
    """Serve ``app`` on ``host:port`` with the theme, CSS and citation-link script; return its URL.

    With ``block=False`` the server runs in a background thread (tests); ``app.close()`` stops it.
    """
    _, url, _ = app.launch(
        server_name=host, server_port=port, prevent_thread_lock=not block, share=False, quiet=not block,
        theme=THEME, css=parts.CSS, js=parts.JS, footer_links=[], show_error=False, inbrowser=False,
        ssr_mode=False, enable_monitoring=False, run_history=False,
    )
    return url
