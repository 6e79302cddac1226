"""The ``rag`` command: index, search, ask, chat, serve, ui, user, key, bench and eval, all through ``rag.RAG``."""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

from rag.config import load_settings
from rag.errors import RAGError
from rag.types import BACKEND_NAMES, RETRIEVAL_MODES

logger = logging.getLogger("rag")


def _progress_bar():
    """An indexing progress callback drawing one tqdm bar per stage, with its rate and time left.

    The embedding total grows as documents are loaded (they are embedded in batches as they come).
    """
    from tqdm import tqdm

    bars: dict[str, tqdm] = {}

    def update(stage: str, done: int, total: int) -> None:
        bar = bars.get(stage)
        if bar is None:
            bar = bars[stage] = tqdm(total=total, desc=stage, unit="chunk" if stage == "embed" else "file",
                                     file=sys.stderr, leave=True, dynamic_ncols=True)
        if total != bar.total:
            bar.total = total
        bar.update(done - bar.n)  # tqdm redraws at most every 0.1 s
        if stage == "load" and done >= total:
            bar.close()

    return update


def _bot(args: argparse.Namespace, **extra):
    from rag.api import RAG

    settings = load_settings(Path(args.config) if args.config else None)
    return RAG(settings=settings, corpus=getattr(args, "corpus", None),
               index_dir=getattr(args, "index_dir", None), **extra)


def cmd_index(args: argparse.Namespace) -> int:
    bot = _bot(args)
    report = bot.index(rebuild=args.rebuild, progress=_progress_bar())
    print(f"added {len(report.added)}, updated {len(report.updated)}, removed {len(report.removed)}, "
          f"unchanged {len(report.unchanged)}; {report.chunks_embedded} chunks embedded in {report.seconds:.1f} s "
          f"-> {bot.settings.index_dir}")
    for error in report.errors:
        print(f"  skipped {error.path}: {error.reason}", file=sys.stderr)
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    bot = _bot(args)
    started = time.perf_counter()
    passages = bot.retrieve(args.question, k=args.k, mode=args.mode)
    elapsed = time.perf_counter() - started
    if args.json:
        print(json.dumps([asdict(p) for p in passages], ensure_ascii=False, indent=1))
        return 0
    for i, p in enumerate(passages, start=1):
        print(f"[{i}] score {p.score:.3f}  {p.doc_id}  chars {p.start}-{p.end}  {p.title}")
        print("    " + p.text.replace("\n", " ")[:300])
    print(f"({len(passages)} passages in {elapsed * 1000:.0f} ms)", file=sys.stderr)
    return 0


def _print_answer(answer, *, as_json: bool, streamed: bool) -> None:
    if as_json:
        print(json.dumps(asdict(answer), ensure_ascii=False, indent=1, default=str))
        return
    if streamed:
        print()
        print("---")
    print(answer.text)
    for c in answer.citations:
        flag = "" if c.supported else "  (not supported by the passage)"
        dated = f" ({c.published})" if c.published else ""
        print(f"  [{c.n}] {c.doc_id}{dated} chars {c.start}-{c.end}: {c.quote[:120]}{flag}")
    print(f"(backend {answer.backend}; {answer.timings.get('total', 0):.1f} s)", file=sys.stderr)


def cmd_ask(args: argparse.Namespace) -> int:
    bot = _bot(args, backend=args.backend)
    if args.json:
        _print_answer(bot.ask(args.question), as_json=True, streamed=False)
        return 0
    for event in bot.stream(args.question):
        if isinstance(event, str):
            print(event, end="", flush=True)
        else:
            _print_answer(event, as_json=False, streamed=True)
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    bot = _bot(args, backend=args.backend)
    history: list[dict] = []
    print(f"Ask about the documents in {bot.settings.corpus} (backend {bot.backend_name}); "
          "an empty line or Ctrl-D quits.")
    while True:
        try:
            question = input("> ").strip()
        except EOFError:
            break
        if not question:
            break
        try:
            answer = None
            for event in bot.stream(question, history=history):
                if isinstance(event, str):
                    print(event, end="", flush=True)
                else:
                    answer = event
            assert answer is not None  # a stream always ends with its Answer
            _print_answer(answer, as_json=False, streamed=True)
            history += [{"role": "user", "content": question}, {"role": "assistant", "content": answer.text}]
        except RAGError as exc:
            print(f"error: {exc}", file=sys.stderr)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """``rag serve`` (UI and API) and ``rag ui`` (UI only): same sign-in rules, same process shape."""
    from rag.serving.accounts import Accounts, accounts_path
    from rag.serving.server import check_exposure, serve

    settings = load_settings(Path(args.config) if args.config else None, corpus=args.corpus, index_dir=args.index_dir)
    host, port = args.host or settings.ui_host, args.port or settings.ui_port
    check_exposure(host, Accounts(accounts_path(settings.index_dir)))  # before loading any model
    logging.getLogger("rag").setLevel(logging.INFO)
    from rag.api import RAG

    serve(RAG(settings=settings), host=host, port=port, api=args.command == "serve")
    return 0


def _accounts(args: argparse.Namespace):
    from rag.serving.accounts import Accounts, accounts_path

    settings = load_settings(Path(args.config) if args.config else None, index_dir=args.index_dir)
    return Accounts(accounts_path(settings.index_dir))


def _read_password(name: str) -> str:
    """From the terminal (asked twice, not echoed), or the first line of standard input."""
    import getpass

    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    password = getpass.getpass(f"password for {name}: ")
    if getpass.getpass("again: ") != password:
        raise ValueError("the two passwords differ; nothing changed")
    return password


def cmd_user(args: argparse.Namespace) -> int:
    accounts = _accounts(args)
    if args.action == "add":
        new = accounts.add_user(args.name, role=args.role, password=_read_password(args.name))
        print(f"{'added' if new else 'updated'} user {args.name} ({args.role}) in {accounts.path}")
    elif args.action == "remove":
        accounts.remove_user(args.name)
        print(f"removed user {args.name}")
    else:
        for u in accounts.users():
            print(f"{u.name}\t{u.role}\t{time.strftime('%Y-%m-%d %H:%M', time.localtime(u.created))}")
    return 0


def cmd_key(args: argparse.Namespace) -> int:
    accounts = _accounts(args)
    if args.action == "create":
        key = accounts.create_key(args.name, role=args.role)
        print(f"created API key {args.name} ({args.role}) in {accounts.path}; it is shown only this once:")
        print(key)
    elif args.action == "revoke":
        accounts.revoke_key(args.name)
        print(f"revoked API key {args.name}")
    else:
        for k in accounts.keys():
            print(f"{k.name}\t{k.role}\t{time.strftime('%Y-%m-%d %H:%M', time.localtime(k.created))}")
    return 0


def _bot_for(qs, *, settings):
    """A RAG over the configured corpus, or over a temporary index of a reading-comprehension set's
    passages (one document each); the second value is the temporary folder to clean up, or None."""
    from rag.api import RAG
    from rag.evaluation.questions import write_contexts

    if not qs.contexts:
        return RAG(settings=settings), None
    tmp = tempfile.TemporaryDirectory(prefix="rag-bench-")
    root = Path(tmp.name)
    write_contexts(qs.contexts, root / "docs")
    return RAG(settings=settings, corpus=root / "docs", index_dir=root / "index"), tmp


def cmd_bench_retrieval(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from rag.evaluation import retrieval as bench
    from rag.evaluation.questions import read_questions

    settings = load_settings(Path(args.config) if args.config else None)
    qs = read_questions(Path(args.file), limit=args.limit)
    bot, tmp = _bot_for(qs, settings=settings)
    try:
        report = bot.index(progress=_progress_bar())
        print(f"index: {len(bot.documents())} documents, {report.chunks_embedded} chunks embedded "
              f"in {report.seconds:.1f} s", file=sys.stderr)
        with tqdm(total=sum(q.answerable for q in qs.questions), desc="questions", file=sys.stderr) as bar:
            results = bench.run(bot, qs, k=args.k, progress=lambda i, n: bar.update(1))
    finally:
        if tmp is not None:
            tmp.cleanup()
    print(f"{args.file}: {qs.kind} format, {results['same']['hybrid']['n']} answerable questions"
          + (f"; {len(qs.skipped)} malformed or empty records skipped" if qs.skipped else ""))
    print(bench.format_table(results))
    print(json.dumps({"file": Path(args.file).name, "hybrid": results["same"]["hybrid"],
                      "hybrid_other_script": results["other"]["hybrid"]}, ensure_ascii=False))
    return 0


EVAL_USAGE = "rag eval QUESTIONS [--backend B] [--k N] [--out DIR] [--limit N]\n       rag eval compare DIR_A DIR_B"


def cmd_eval(args: argparse.Namespace) -> int:
    """``rag eval``: run an evaluation or compare two runs; prints a summary."""
    from rag.evaluation import metrics, report, runs

    if args.paths[0] == "compare":
        if len(args.paths) != 3:
            raise ValueError(f"usage: {EVAL_USAGE.splitlines()[1].strip()}")
        comparison = runs.compare(args.paths[1], args.paths[2])
        print(report.format_comparison(comparison, a=args.paths[1], b=args.paths[2]))
        return 0
    if len(args.paths) != 1:
        raise ValueError(f"expected one question file, got {len(args.paths)} paths; usage: {EVAL_USAGE}")
    summary = _run_eval(args)
    print(report.format_summary(summary.to_json()))
    for f in summary.failures:
        print(f"FAIL {f.id} [{f.type or metrics.NO_TYPE}] {f.reason}")
    if summary.config["skipped_records"]:
        print(f"skipped {summary.config['skipped_records']} malformed or empty records of {args.paths[0]}")
    print(f"wrote {summary.out_dir / runs.RESULTS}, {summary.out_dir / runs.SUMMARY}, {summary.out_dir / runs.REPORT}")
    return 0


def _run_eval(args: argparse.Namespace):
    from tqdm import tqdm

    from rag.evaluation.questions import read_questions
    from rag.evaluation.runs import evaluate

    path = Path(args.paths[0])
    settings = load_settings(Path(args.config) if args.config else None, corpus=args.corpus,
                             index_dir=args.index_dir, backend=args.backend, top_k=args.k)
    qs = read_questions(path, limit=args.limit)
    bot, tmp = _bot_for(qs, settings=settings)
    try:
        bot.index(progress=_progress_bar())
        with tqdm(total=len(qs.questions), desc="questions", unit="q", file=sys.stderr) as bar:
            return evaluate(bot, path, k=args.k or settings.top_k, out_dir=args.out, backend=args.backend,
                            limit=args.limit, progress=lambda done, total: bar.update(1))
    finally:
        if tmp is not None:
            tmp.cleanup()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rag", description="Question answering over a folder of documents.")
    parser.add_argument("--config", help="TOML settings file (default: $RAG_CONFIG)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    sub = parser.add_subparsers(dest="command", required=True)

    def with_paths(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--corpus", help="folder of documents (default: the bundled corpus)")
        p.add_argument("--index-dir", dest="index_dir", help="index folder (default: index/)")
        return p

    p = with_paths(sub.add_parser("index", help="index the corpus folder (only what changed)"))
    p.add_argument("--rebuild", action="store_true", help="re-embed everything, e.g. after changing the model")
    p.set_defaults(func=cmd_index)

    p = with_paths(sub.add_parser("search", help="show the passages retrieved for a question"))
    p.add_argument("question")
    p.add_argument("--k", type=int, default=5, help="number of passages (default 5)")
    p.add_argument("--mode", choices=RETRIEVAL_MODES, default="hybrid")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_search)

    for name, func, text in (("ask", cmd_ask, "answer one question with citations"),
                             ("chat", cmd_chat, "a conversation in the terminal")):
        p = with_paths(sub.add_parser(name, help=text))
        if name == "ask":
            p.add_argument("question")
            p.add_argument("--json", action="store_true", help="print the Answer as JSON")
        p.add_argument("--backend", choices=BACKEND_NAMES, help="default: automatic")
        p.set_defaults(func=func)

    for name, text in (("serve", "serve the chat UI at / and the OpenAI-compatible API under /v1"),
                       ("ui", "serve the chat UI only")):
        p = with_paths(sub.add_parser(name, help=text))
        p.add_argument("--host", default=None, help="default 127.0.0.1 ($RAG_UI_HOST); any other address "
                                                    "needs an account or key first (rag user add / rag key create)")
        p.add_argument("--port", type=int, default=None, help="default 7860 ($RAG_UI_PORT)")
        p.set_defaults(func=cmd_serve)

    p = sub.add_parser("user", help="people who sign in to the UI: add, remove, list")
    user_sub = p.add_subparsers(dest="action", required=True)
    q = user_sub.add_parser("add", help="add a user or reset one's password and role (password from the terminal or stdin)")
    q.add_argument("name")
    q.add_argument("--role", choices=("reader", "editor"), required=True,
                   help="reader: ask and give feedback; editor: also upload and remove documents")
    q = user_sub.add_parser("remove", help="remove a user")
    q.add_argument("name")
    user_sub.add_parser("list", help="list users and their roles")
    for q in user_sub.choices.values():
        q.add_argument("--index-dir", dest="index_dir", help="index folder holding accounts.json (default: index/)")
    p.set_defaults(func=cmd_user)

    p = sub.add_parser("key", help="API keys for programs: create, revoke, list")
    key_sub = p.add_subparsers(dest="action", required=True)
    q = key_sub.add_parser("create", help="create a key; it is printed once, as the last line")
    q.add_argument("name")
    q.add_argument("--role", choices=("reader", "editor"), required=True)
    q = key_sub.add_parser("revoke", help="revoke a key")
    q.add_argument("name")
    key_sub.add_parser("list", help="list keys (names and roles; keys themselves are not stored)")
    for q in key_sub.choices.values():
        q.add_argument("--index-dir", dest="index_dir", help="index folder holding accounts.json (default: index/)")
    p.set_defaults(func=cmd_key)

    bench_parser = sub.add_parser("bench", help="benchmarks")
    bench_sub = bench_parser.add_subparsers(dest="bench", required=True)
    p = bench_sub.add_parser("retrieval", help="hit@k and MRR for BM25, dense and hybrid retrieval")
    p.add_argument("file", help="seed JSONL, CMRC-2018 or SQuAD-style JSON, or RGB JSONL")
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--limit", type=int, default=None, help="only the first N questions")
    p.set_defaults(func=cmd_bench_retrieval)

    p = with_paths(sub.add_parser(
        "eval", usage=EVAL_USAGE, help="evaluate answers over a question file, or compare two runs",
        description="QUESTIONS: seed JSONL, CMRC-2018 or SQuAD-style JSON, or RGB JSONL. "
                    "`rag eval compare DIR_A DIR_B` compares two run folders."))
    p.add_argument("paths", nargs="+", metavar="QUESTIONS", help="question file (or: compare DIR_A DIR_B)")
    p.add_argument("--backend", choices=BACKEND_NAMES, help="default: automatic")
    p.add_argument("--k", type=int, default=None, help="passages retrieved and scored (default: top_k, 5)")
    p.add_argument("--out", default=None, help="output folder (default eval_out/<timestamp>)")
    p.add_argument("--limit", type=int, default=None, help="only the first N questions")
    p.set_defaults(func=cmd_eval)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    try:
        return args.func(args)
    except (RAGError, ValueError, OSError) as exc:
        print(f"rag: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("rag: interrupted; the previous index is intact", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
