#!/usr/bin/env python3
"""Validate benchmarks/eval/questions.jsonl (or the file given as argv[1]).

Checks
  * required fields, allowed `type` / `lang` values, unique ids;
  * every evidence string is an exact substring of at least one of the item's
    gold documents (both converted to simplified Chinese with OpenCC t2s when
    `opencc` is importable; otherwise compared as-is -- evidence is written in
    the document's own script, so the raw comparison is the stricter one);
  * every gold document of an item/turn is covered by at least one evidence;
  * every `answer` regex compiles and matches an evidence string or the
    document text around one of its occurrences (+-WINDOW chars);
  * `conflict` entries: doc is in gold, regex compiles and matches that doc's
    text around its evidence, at least two distinct docs;
  * unanswerable items/turns have empty gold/evidence/answer;
  * type-specific rules (cross-script -> 002, english -> lang en, ...);
  * coverage minimums from the brief.
Prints counts per type / lang / gold document.  Exit status 1 on any error.
Standard library only (+ optional opencc).
"""
import collections
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
CORPUS = os.path.join(ROOT, "corpus")
QFILE = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "questions.jsonl")
WINDOW = 150
TRAD_DOC = "002_d14608ca280c34cf"

TYPES = {"fact", "cross-script", "traditional-query", "english", "conflict",
         "agree", "conversation", "unanswerable"}
LANGS = {"zh", "zh-hant", "en"}
MINIMUMS = {"fact": 50, "cross-script": 20, "traditional-query": 20, "english": 30,
            "agree": 10, "conversation": 25, "unanswerable": 35}
MIN_TOTAL, MIN_PER_DOC, MIN_EN_TOTAL = 230, 25, 45

try:
    import opencc  # type: ignore
    _cc = opencc.OpenCC("t2s")
    t2s = _cc.convert
    HAVE_OPENCC = True
except Exception:  # pragma: no cover - depends on environment
    HAVE_OPENCC = False

    def t2s(s):
        return s

errors, warnings = [], []


def err(msg):
    errors.append(msg)


def warn(msg):
    warnings.append(msg)


CJK = re.compile(r"[\u4e00-\u9fff]")

docs_raw = {}
for fn in sorted(os.listdir(CORPUS)):
    if fn.endswith(".txt"):
        with open(os.path.join(CORPUS, fn), encoding="utf-8") as f:
            docs_raw[fn[:-4]] = f.read()
docs_s = {k: t2s(v) for k, v in docs_raw.items()}


def windows(doc, ev):
    """Text windows around every occurrence of ev in doc (raw and simplified)."""
    out = []
    for text, needle in ((docs_raw[doc], ev), (docs_s[doc], t2s(ev))):
        start = 0
        while True:
            i = text.find(needle, start)
            if i < 0:
                break
            out.append(text[max(0, i - WINDOW): i + len(needle) + WINDOW])
            start = i + 1
    return out


def ev_docs(ev, gold):
    """Gold docs that contain ev (after t2s)."""
    return [d for d in gold if d in docs_raw and t2s(ev) in docs_s[d]]


def regex_hits(rx, texts):
    return any(rx.search(t) for t in texts)


def check_unit(where, u, is_unanswerable_allowed=True):
    """Check one question unit (item or turn). Returns set of gold docs."""
    for k in ("q", "gold", "evidence", "answer"):
        if k not in u:
            err(f"{where}: missing field {k!r}")
            return set()
    if not isinstance(u["q"], str) or not u["q"].strip():
        err(f"{where}: empty q")
    for k in ("gold", "evidence", "answer"):
        if not isinstance(u[k], list) or not all(isinstance(x, str) for x in u[k]):
            err(f"{where}: {k} must be a list of strings")
            return set()
    gold, evs, answers = u["gold"], u["evidence"], u["answer"]
    if not gold:
        if evs or answers:
            err(f"{where}: empty gold but evidence/answer given")
        if not is_unanswerable_allowed:
            err(f"{where}: unanswerable unit not allowed for this type")
        if "conflict" in u:
            err(f"{where}: conflict on an unanswerable unit")
        return set()
    if not evs:
        err(f"{where}: gold given but no evidence")
    if not answers:
        err(f"{where}: gold given but no answer regex")
    for d in gold:
        if d not in docs_raw:
            err(f"{where}: unknown gold doc {d}")
    if len(set(gold)) != len(gold):
        err(f"{where}: duplicate gold doc")
    covered = set()
    ctx_by_doc = collections.defaultdict(list)
    for ev in evs:
        if not (4 <= len(ev) <= 30):
            err(f"{where}: evidence length {len(ev)} outside 4..30: {ev!r}")
        ds = ev_docs(ev, gold)
        if not ds:
            err(f"{where}: evidence not found in gold docs: {ev!r}")
        for d in ds:
            if ev not in docs_raw[d]:
                warn(f"{where}: evidence {ev!r} matches {d} only after t2s conversion")
            covered.add(d)
            ctx_by_doc[d].append(ev)
            ctx_by_doc[d].extend(windows(d, ev))
    for d in gold:
        if d in docs_raw and d not in covered:
            err(f"{where}: gold doc {d} has no evidence string")
    all_ctx = [t for v in ctx_by_doc.values() for t in v]
    all_ctx += [t2s(t) for t in all_ctx]
    for a in answers:
        try:
            rx = re.compile(a)
        except re.error as e:
            err(f"{where}: answer regex does not compile {a!r}: {e}")
            continue
        if not regex_hits(rx, all_ctx):
            err(f"{where}: answer regex {a!r} matches no evidence / nearby text")
    if "conflict" in u:
        cf = u["conflict"]
        if not isinstance(cf, list) or len(cf) < 2:
            err(f"{where}: conflict must be a list with >= 2 entries")
        else:
            cdocs = []
            for e in cf:
                if not isinstance(e, dict) or set(e) != {"doc", "answer"}:
                    err(f"{where}: bad conflict entry {e!r}")
                    continue
                d = e["doc"]
                cdocs.append(d)
                if d not in gold:
                    err(f"{where}: conflict doc {d} not in gold")
                try:
                    rx = re.compile(e["answer"])
                except re.error as ex:
                    err(f"{where}: conflict regex does not compile {e['answer']!r}: {ex}")
                    continue
                ctx = ctx_by_doc.get(d, [])
                ctx = ctx + [t2s(t) for t in ctx]
                if not regex_hits(rx, ctx):
                    err(f"{where}: conflict regex {e['answer']!r} does not match doc {d} near its evidence")
                if e["answer"] not in answers:
                    err(f"{where}: conflict regex {e['answer']!r} missing from answer list")
            if len(set(cdocs)) < 2:
                err(f"{where}: conflict needs >= 2 distinct documents")
            if len(set(e.get("answer") for e in cf if isinstance(e, dict))) < 2:
                err(f"{where}: conflict needs >= 2 different figures")
            for d in gold:
                if d not in cdocs:
                    err(f"{where}: gold doc {d} has no conflict entry")
    return set(gold)


def check_lang(where, lang, q):
    n_cjk = len(CJK.findall(q))
    if lang == "en":
        if n_cjk > 6:
            warn(f"{where}: lang en but question has {n_cjk} CJK chars")
        return
    if n_cjk == 0:
        err(f"{where}: lang {lang} but no CJK characters in question")
        return
    if HAVE_OPENCC:
        changed = t2s(q) != q
        if lang == "zh-hant" and not changed:
            warn(f"{where}: lang zh-hant but t2s leaves the question unchanged")
        if lang == "zh" and changed:
            warn(f"{where}: lang zh but t2s changes the question: {t2s(q)}")


def main():
    items = []
    with open(QFILE, encoding="utf-8") as f:
        for ln, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                items.append(json.loads(line))
            except json.JSONDecodeError as e:
                err(f"line {ln}: invalid JSON: {e}")
    ids = collections.Counter(it.get("id") for it in items)
    for i, c in ids.items():
        if c > 1:
            err(f"duplicate id {i!r} ({c}x)")

    by_type = collections.Counter()
    by_lang = collections.Counter()
    by_type_lang = collections.Counter()
    by_doc = collections.Counter()
    n_turns = collections.Counter()
    n_en_questions = 0
    conflict_keys = collections.defaultdict(list)

    for it in items:
        iid = it.get("id", "?")
        for k in ("id", "type", "lang"):
            if not isinstance(it.get(k), str) or not it.get(k):
                err(f"{iid}: missing/invalid field {k!r}")
        typ, lang = it.get("type"), it.get("lang")
        if typ not in TYPES:
            err(f"{iid}: type {typ!r} not allowed")
            continue
        if lang not in LANGS:
            err(f"{iid}: lang {lang!r} not allowed")
        by_type[typ] += 1
        by_lang[lang] += 1
        by_type_lang[(typ, lang)] += 1
        golds = set()
        if typ == "conversation":
            for k in ("q", "gold", "evidence", "answer"):
                if k in it:
                    err(f"{iid}: conversation must not have top-level {k!r}")
            turns = it.get("turns")
            if not isinstance(turns, list) or not 2 <= len(turns) <= 3:
                err(f"{iid}: conversation needs 2-3 turns")
                continue
            if not turns[0].get("gold"):
                warn(f"{iid}: first turn is unanswerable")
            n_turns[len(turns)] += 1
            for n, t in enumerate(turns, 1):
                w = f"{iid}/t{n}"
                check_lang(w, lang, t.get("q", ""))
                golds |= check_unit(w, t)
                if lang == "en":
                    n_en_questions += 1
        else:
            if "turns" in it:
                err(f"{iid}: only conversation items have turns")
            check_lang(iid, lang, it.get("q", ""))
            golds = check_unit(iid, it, is_unanswerable_allowed=(typ == "unanswerable"))
            if lang == "en":
                n_en_questions += 1
            gold = it.get("gold") or []
            if typ == "unanswerable" and gold:
                err(f"{iid}: unanswerable item has gold")
            if typ == "fact":
                if lang != "zh" or TRAD_DOC in gold or len(gold) != 1:
                    err(f"{iid}: fact must be zh, one simplified gold doc")
            if typ == "cross-script" and (lang != "zh" or gold != [TRAD_DOC]):
                err(f"{iid}: cross-script must be zh with gold [{TRAD_DOC}]")
            if typ == "traditional-query" and lang != "zh-hant":
                err(f"{iid}: traditional-query must be zh-hant")
            if typ == "english" and (lang != "en" or len(gold) != 1):
                err(f"{iid}: english must be lang en with one gold doc")
            if typ == "agree" and len(gold) < 2:
                err(f"{iid}: agree needs >= 2 gold docs")
            if typ == "conflict":
                if "conflict" not in it:
                    err(f"{iid}: conflict item without conflict list")
                else:
                    key = tuple(sorted((e.get("doc"), e.get("answer")) for e in it["conflict"]))
                    conflict_keys[key].append(iid)
            elif "conflict" in it:
                err(f"{iid}: only conflict items (or conversation turns) carry conflict")
        for d in golds:
            by_doc[d] += 1

    # ---- coverage ----
    if len(items) < MIN_TOTAL:
        err(f"total items {len(items)} < {MIN_TOTAL}")
    for t, m in MINIMUMS.items():
        if by_type[t] < m:
            err(f"type {t}: {by_type[t]} < {m}")
    for d in docs_raw:
        if by_doc[d] < MIN_PER_DOC:
            err(f"doc {d}: gold of {by_doc[d]} items < {MIN_PER_DOC}")
    if n_en_questions < MIN_EN_TOTAL:
        err(f"English questions {n_en_questions} < {MIN_EN_TOTAL}")
    for t in ("conflict", "agree", "conversation", "unanswerable"):
        if by_type_lang[(t, "en")] == 0:
            err(f"type {t} has no English item")
    for t in ("conversation",):
        if by_type_lang[(t, "zh-hant")] == 0:
            err(f"type {t} has no traditional-Chinese item")
    for key, iids in conflict_keys.items():
        if len(iids) < 2:
            err(f"conflict {key} asked only once ({iids})")

    # ---- report ----
    print(f"file: {QFILE}")
    print("OpenCC t2s: " + ("available, evidence compared after t2s conversion" if HAVE_OPENCC else
                            "NOT importable -> evidence compared WITHOUT script conversion (raw text)"))
    print(f"items: {len(items)}   English questions (incl. turns): {n_en_questions}")
    print("by type:")
    for t in sorted(TYPES):
        langs = ", ".join(f"{lang}={by_type_lang[(t, lang)]}" for lang in sorted(LANGS) if by_type_lang[(t, lang)])
        print(f"  {t:18s} {by_type[t]:4d}   ({langs})")
    print("by lang:", dict(sorted(by_lang.items())))
    print("by gold document (items whose gold, in any turn, contains the doc):")
    for d in sorted(docs_raw):
        print(f"  {d}: {by_doc[d]}")
    print("conversation turns:", dict(sorted(n_turns.items())))
    print(f"distinct conflict definitions: {len(conflict_keys)}")
    for w in warnings:
        print("WARNING:", w)
    for e in errors:
        print("ERROR:", e)
    print("RESULT:", "FAIL" if errors else "PASS", f"({len(errors)} errors, {len(warnings)} warnings)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
