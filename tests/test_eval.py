"""Batch evaluation: metrics checked against values computed by hand, output files, compare."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from rag.config import Settings
from rag.errors import BackendError
from rag.evaluation import metrics as em
from rag.evaluation import report
from rag.evaluation import runs as ev
from rag.evaluation.questions import Figure, Question, is_hit, read_questions
from rag.types import Answer, Citation, Passage

REFUSAL = "根据现有文档，无法回答该问题。"

# Eight questions; the fake bot's answers are fixed. Hand-computed outcome of each (k = 3):
#  id  type          answerable  gold rank  refused  correct  citations (supported)  sentences covered
#  q1  fact          yes         1          no       yes      T                      1 of 1
#  q2  fact          yes         3          no       no       T F                    1 of 2
#  q3  cross-script  yes         2          no       yes      F T                    1 of 1
#  q4  fact          yes         -          yes      no       -                      (refusal)
#  q5  unanswerable  no          n/a        yes      yes      -                      (refusal)
#  q6  unanswerable  no          n/a        no       no       F                      0 of 1
#  q7  fact          yes         1          no       no (the "1" is only in the marker [1])  T  1 of 1
#  q8  english       yes         1          error    no       -                      -
QUESTIONS = [
    {"id": "q1", "q": "光明区有多少名学者入选榜单?", "type": "fact", "gold": ["a"], "evidence": ["158名学者"],
     "answer": ["158"]},
    {"id": "q2", "q": "光明区推动了多少家科技支行落地?", "type": "fact", "gold": ["a"], "evidence": ["7家科技支行"],
     "answer": ["7"]},
    {"id": "q3", "q": "光明科学城规划布局了多少个载体?", "type": "cross-script", "gold": ["b"],
     "evidence": ["規劃布局的24個"], "answer": ["24"]},
    {"id": "q4", "q": "引导基金获得了什么荣誉?", "type": "fact", "gold": ["a"], "evidence": ["TOP30"],
     "answer": ["TOP30"]},
    {"id": "q5", "q": "光明区2024年的一般公共预算收入是多少?", "type": "unanswerable", "gold": [], "evidence": [],
     "answer": []},
    {"id": "q6", "q": "光明区的面积是多少?", "type": "unanswerable", "gold": [], "evidence": [], "answer": []},
    {"id": "q7", "q": "光明区有几家国家级实验室?", "type": "fact", "gold": ["b"], "evidence": ["国家级实验室"],
     "answer": ["1"]},
    {"id": "q8", "q": "How many scholars are on the list?", "type": "english", "gold": ["a"],
     "evidence": ["158名学者"], "answer": ["158"]},
]


def passage(doc_id: str, n: int, text: str, score: float) -> Passage:
    return Passage(chunk_id=f"{doc_id}#{n}", doc_id=doc_id, title=doc_id, source=f"{doc_id}.txt", text=text,
                   start=0, end=len(text), score=score)


def citation(n: int, supported: bool) -> Citation:
    return Citation(n=n, doc_id="a", title="a", quote="引文", start=0, end=2, supported=supported)


HIT_158 = passage("a", 0, "光明区有158名学者入选全球顶尖科学家榜单。", 0.9)
HIT_7 = passage("a", 1, "推动7家科技支行落地。", 0.5)
HIT_24 = passage("b", 0, "规划布局的24个重大科技创新载体。", 0.7)
HIT_LAB = passage("b", 1, "光明区拥有国家级实验室。", 0.8)
OTHER = [passage("c", i, f"无关的段落{i}。", 0.3 - i / 10) for i in range(3)]
RETRIEVED = {
    "q1": [HIT_158, *OTHER], "q2": [OTHER[0], OTHER[1], HIT_7], "q3": [OTHER[0], HIT_24, OTHER[1]],
    "q4": OTHER, "q5": OTHER, "q6": OTHER, "q7": [HIT_LAB, *OTHER], "q8": [HIT_158],
}
ANSWERS = {  # id -> (text, refused, citations, timings)
    "q1": ("光明区有158名学者入选。[1]", False, [citation(1, True)], 0.1),
    "q2": ("推动了9家科技支行落地。其中3家在光明区[1]。", False, [citation(1, True), citation(2, False)], 0.2),
    "q3": ("规划布局了24个载体。[2]", False, [citation(1, False), citation(2, True)], 0.3),
    "q4": (REFUSAL, True, [], 0.4),
    "q5": (REFUSAL, True, [], 0.5),
    "q6": ("光明区面积为156平方公里。[1]", False, [citation(1, False)], 0.6),
    "q7": ("只有两家国家级实验室[1]。", False, [citation(1, True)], 0.7),
}
FIRST_TOKEN = {"q1": 0.05, "q2": 0.15, "q3": 0.25}


@dataclass(frozen=True)
class FakeRecord:
    id: str
    sha256: str


class FakeBot:
    """Fixed answers behind the RAG methods ``evaluate`` uses (``retrieve``, ``ask``, ``documents``)."""

    settings = Settings(chunk_tokens=160, chunk_overlap=32)

    class embedder:
        model_id = "fake-embed"

    def __init__(self, texts: dict[str, str]) -> None:
        self.ids = {text: qid for qid, text in texts.items()}
        self.calls: list[tuple[str, str]] = []

    def documents(self) -> list[FakeRecord]:
        return [FakeRecord("b", "bbb"), FakeRecord("a", "aaa")]

    def retrieve(self, question: str, *, k: int | None = None, mode: str = "hybrid") -> list[Passage]:
        self.calls.append(("retrieve", self.ids[question]))
        return RETRIEVED[self.ids[question]][:k]

    def ask(self, question: str, *, history=(), backend: str | None = None) -> Answer:
        qid = self.ids[question]
        self.calls.append(("ask", qid))
        if qid == "q8":
            raise BackendError("endpoint unreachable")
        text, refused, cites, total = ANSWERS[qid]
        timings = {"retrieve": 0.01, "generate": total / 2, "total": total}
        if qid in FIRST_TOKEN:
            timings["first_token"] = FIRST_TOKEN[qid]
        return Answer(question=question, text=text, citations=cites, passages=RETRIEVED[qid], refused=refused,
                      backend="fake", timings=timings)


@pytest.fixture
def question_file(tmp_path: Path) -> Path:
    path = tmp_path / "questions.jsonl"
    path.write_text("\n".join(json.dumps(q, ensure_ascii=False) for q in QUESTIONS) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def run(tmp_path: Path, question_file: Path) -> ev.Summary:
    bot = FakeBot({q["id"]: q["q"] for q in QUESTIONS})
    done: list[tuple[int, int]] = []
    summary = ev.evaluate(bot, question_file, k=3, out_dir=tmp_path / "run", progress=lambda i, n: done.append((i, n)))
    assert done[-1] == (8, 8) and len(done) == 8
    # ask before retrieve, so the answer's timings do not profit from caches the retrieval warms
    assert bot.calls == [(call, f"q{i}") for i in range(1, 9) for call in ("ask", "retrieve")]
    return summary


# ---------------------------------------------------------------- pure metrics
def test_percentile_interpolates_linearly_and_handles_empty() -> None:
    assert em.percentile([3.0, 1.0, 2.0], 50) == 2.0
    assert em.percentile([1.0, 2.0, 3.0, 4.0], 95) == pytest.approx(3.85)
    assert em.percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5
    assert em.percentile([7.0], 95) == 7.0
    assert em.percentile([], 50) is None
    with pytest.raises(ValueError, match="in \\[0, 100\\], got 101"):
        em.percentile([1.0], 101)


def test_zero_denominators_are_none() -> None:
    only_answered = [{"type": "fact", "answerable": True, "refused": False, "correct": True, "hit_rank": 1,
                      "citations": [], "sentences": [], "timings": {}, "error": None}]
    refusal = em.refusal_scores(only_answered)
    assert refusal["refusal_precision"] is None  # nothing refused
    assert refusal["refusal_recall"] is None  # no unanswerable question
    assert refusal["false_refusal_rate"] == 0.0
    cites = em.citation_scores(only_answered)
    assert cites["citation_precision"] is None and cites["citation_recall"] is None
    assert em.accuracy([]) is None
    assert em.retrieval_scores([])["hit@k"] is None


def test_overall_metrics_match_hand_computed_values(run: ev.Summary) -> None:
    m = run.overall
    assert (m["questions"], m["errors"], m["answerable"], m["correct"]) == (8, 1, 6, 3)
    assert m["hit@k"] == pytest.approx(5 / 6)  # all answerable but q4 (q8 retrieved before its error)
    assert m["mrr"] == pytest.approx((1 + 1 / 3 + 1 / 2 + 0 + 1 + 1) / 6)
    assert m["accuracy"] == pytest.approx(3 / 8)
    assert m["refusal_precision"] == pytest.approx(1 / 2)  # refused q4, q5; only q5 unanswerable
    assert m["refusal_recall"] == pytest.approx(1 / 2)  # unanswerable q5, q6; q5 refused
    assert m["false_refusal_rate"] == pytest.approx(1 / 5)  # q4 of q1-q4, q7 (q8 errored)
    assert m["citation_precision"] == pytest.approx(4 / 7)
    assert m["citation_recall"] == pytest.approx(4 / 6)
    assert (m["citations"], m["sentences"]) == (7, 6)


def test_latency_percentiles_per_stage(run: ev.Summary) -> None:
    lat = run.overall["latency"]
    assert lat["total"]["n"] == 7  # the errored question has no timings
    assert lat["total"]["p50"] == pytest.approx(0.4)
    assert lat["total"]["p95"] == pytest.approx(0.6 + 0.7 * 0.1)  # rank 5.7 of 0..6
    assert lat["total"]["max"] == pytest.approx(0.7)
    assert lat["first_token"] == {"p50": pytest.approx(0.15), "p95": pytest.approx(0.24),
                                  "max": pytest.approx(0.25), "n": 3}
    assert lat["generate"]["p50"] == pytest.approx(0.2)
    assert lat["retrieve"]["p95"] == pytest.approx(0.01)


def test_per_type_breakdown(run: ev.Summary) -> None:
    t = run.by_type
    assert list(t) == ["fact", "cross-script", "unanswerable", "english"]
    fact = t["fact"]
    assert (fact["questions"], fact["accuracy"]) == (4, pytest.approx(1 / 4))
    assert fact["hit@k"] == pytest.approx(3 / 4) and fact["mrr"] == pytest.approx((1 + 1 / 3 + 0 + 1) / 4)
    assert fact["refusal_precision"] == 0.0 and fact["refusal_recall"] is None
    assert fact["citation_precision"] == pytest.approx(3 / 4) and fact["citation_recall"] == pytest.approx(3 / 4)
    cross = t["cross-script"]
    assert (cross["accuracy"], cross["hit@k"], cross["mrr"]) == (1.0, 1.0, 0.5)
    assert cross["citation_precision"] == 0.5 and cross["citation_recall"] == 1.0
    unans = t["unanswerable"]
    assert unans["hit@k"] is None and unans["accuracy"] == 0.5
    assert (unans["refusal_precision"], unans["refusal_recall"]) == (1.0, 0.5)
    english = t["english"]
    assert (english["errors"], english["accuracy"], english["hit@k"]) == (1, 0.0, 1.0)
    assert english["citation_precision"] is None and english["refusal_recall"] is None


# ---------------------------------------------------------------- scoring single answers
def test_answer_matching_ignores_citation_markers_and_normalises() -> None:
    seed = Question(id="s", text="几家?", gold_docs=("a",), answers=("1",), answers_are_patterns=True)
    assert not ev.answer_matches(seed, "只有两家[1]。")
    assert ev.answer_matches(seed, "只有1家[2]。")
    assert ev.answer_matches(seed, "只有１家。")  # full-width digit, matched in its matching form
    cmrc = Question(id="c", text="哪里?", gold_docs=("p",), answers=("光明區",))
    assert ev.answer_matches(cmrc, "位于光明区[1]。")
    assert not ev.answer_matches(cmrc, "位于南山区。")
    unanswerable = Question(id="u", text="?")
    assert ev.is_correct(unanswerable, _answer(REFUSAL, refused=True))
    assert not ev.is_correct(unanswerable, _answer("一百。"))
    assert not ev.is_correct(cmrc, _answer("光明区", refused=True))


def _answer(text: str, *, refused: bool = False, cited: dict[int, tuple[str, bool]] | None = None) -> Answer:
    """An Answer whose citations map marker n to (document, supported)."""
    citations = [Citation(n=n, doc_id=doc, title=doc, quote="q", start=0, end=1, supported=ok)
                 for n, (doc, ok) in (cited or {}).items()]
    return Answer(question="?", text=text, citations=citations, passages=[], refused=refused, backend="fake")


ACADEMICIANS = Question(id="cf", text="光明区有多少院士?", type="conflict", gold_docs=("000", "001"),
                        evidence=("59人",), answers=("59", "57"), answers_are_patterns=True,
                        conflict=(Figure("000", "(?<!\\d)59(?!\\d)"), Figure("001", "(?<!\\d)57(?!\\d)")))


def test_a_conflict_is_right_only_when_every_figure_is_cited_to_its_own_document() -> None:
    both = _answer("共有院士59人[1]；另一份报告为57人[2]。", cited={1: ("000", True), 2: ("001", True)})
    assert ev.figures_cited(ACADEMICIANS, both) == [True, True] and ev.is_correct(ACADEMICIANS, both)
    one_side = _answer("共有院士59人[1]。", cited={1: ("000", True)})
    assert ev.figures_cited(ACADEMICIANS, one_side) == [True, False] and not ev.is_correct(ACADEMICIANS, one_side)
    swapped = _answer("共有院士57人[1]；另一份为59人[2]。", cited={1: ("000", True), 2: ("001", True)})
    assert ev.figures_cited(ACADEMICIANS, swapped) == [False, False]
    unsupported = _answer("共有院士59人[1]；另一份报告为57人[2]。", cited={1: ("000", True), 2: ("001", False)})
    assert ev.figures_cited(ACADEMICIANS, unsupported) == [True, False]
    same_sentence = _answer("院士有59人或57人[1][2]。", cited={1: ("000", True), 2: ("001", True)})
    assert ev.is_correct(ACADEMICIANS, same_sentence)


def test_failure_reason_lists_each_gold_answer_once() -> None:
    record = {"correct": False, "error": None, "answerable": True, "refused": True, "hit_rank": 2,
              "expected": ["1903年", "1903年", "1903"]}
    assert ev.failure_reason(record) == "refused an answerable question (expected 1903年 | 1903)"
    assert ev.failure_reason({**record, "correct": True}) is None


def test_answer_sentences_list_cited_numbers() -> None:
    sentences = ev.answer_sentences("推动了9家支行。其中3家在光明区[1][3]。最后一句。")
    assert sentences == [{"text": "推动了9家支行。", "cited": []}, {"text": "其中3家在光明区。", "cited": [1, 3]},
                         {"text": "最后一句。", "cited": []}]


def test_score_question_keeps_only_the_top_k() -> None:
    q = read_questions_from(QUESTIONS[1])
    answer = Answer(question=q.text, text="有7家。", citations=[], passages=[], refused=False, backend="fake")
    assert ev.score_question(q, answer, RETRIEVED["q2"], k=3)["hit_rank"] == 3
    record = ev.score_question(q, answer, RETRIEVED["q2"], k=2)
    assert (record["hit_rank"], record["hit"], record["rr"], len(record["retrieved"])) == (None, False, 0.0, 2)
    assert record["answer_hit_rank"] is None  # the answer was built from no passage
    # the passages the answer was built from, its evidence first, are judged on their own
    built_from = replace(answer, passages=[RETRIEVED["q2"][2], *RETRIEVED["q2"][:2]])
    record = ev.score_question(q, built_from, RETRIEVED["q2"], k=2)
    assert (record["hit_rank"], record["answer_hit_rank"]) == (None, 1)
    assert em.retrieval_scores([record])["answer_hit@k"] == 1.0 and em.retrieval_scores([record])["hit@k"] == 0.0


def read_questions_from(row: dict) -> Question:
    return Question(id=row["id"], text=row["q"], type=row["type"], gold_docs=tuple(row["gold"]),
                    evidence=tuple(row["evidence"]), answers=tuple(row["answer"]), answers_are_patterns=True)


# ---------------------------------------------------------------- files
def test_results_jsonl_has_one_record_per_question(run: ev.Summary) -> None:
    lines = (run.out_dir / "results.jsonl").read_text(encoding="utf-8").splitlines()
    records = {r["id"]: r for r in map(json.loads, lines)}
    assert list(records) == [f"q{i}" for i in range(1, 9)]
    q2 = records["q2"]
    assert (q2["correct"], q2["refused"], q2["hit_rank"], q2["rr"]) == (False, False, 3, pytest.approx(1 / 3))
    assert q2["retrieved"][2] == {"rank": 3, "doc_id": "a", "chunk_id": "a#1", "score": 0.5,
                                  "text": "推动7家科技支行落地。", "hit": True}
    assert [c["supported"] for c in q2["citations"]] == [True, False]
    assert q2["timings"] == {"retrieve": 0.01, "generate": 0.1, "total": 0.2, "first_token": 0.15}
    assert records["q3"]["hit_rank"] == 2  # traditional evidence found in a simplified passage
    assert records["q8"]["error"] == "BackendError: endpoint unreachable"
    assert (records["q8"]["correct"], records["q8"]["hit_rank"], records["q8"]["timings"]) == (False, 1, {})
    assert records["q5"]["hit"] is None and records["q5"]["correct"] is True


def test_summary_json_records_numbers_and_configuration(run: ev.Summary, question_file: Path) -> None:
    data = json.loads((run.out_dir / "summary.json").read_text(encoding="utf-8"))
    assert data["overall"]["accuracy"] == 0.375
    assert data["by_type"]["fact"]["accuracy"] == 0.25
    config = data["config"]
    assert config["backend"] == "fake" and config["embed_model"] == "fake-embed" and config["llm_model"] is None
    assert (config["k"], config["chunk_tokens"], config["chunk_overlap"], config["documents"]) == (3, 160, 32, 2)
    assert config["corpus_sha256"] == hashlib.sha256(b"aaa\nbbb").hexdigest()
    assert config["questions_file"] == "questions.jsonl"
    assert config["questions_file_sha256"] == hashlib.sha256(question_file.read_bytes()).hexdigest()
    assert (config["questions_format"], config["questions"]) == ("seed", 8)
    table = report.format_summary(data).splitlines()
    assert table[0].split() == ["overall", "fact", "cross-script", "unanswerable", "english", "lang", "zh", "lang", "en"]
    # the fake bot builds each answer from the passages retrieval gives, so both hit rows agree but
    # for q8 (english), whose bot raised: retrieved alone, it built no answer
    assert table[2].split() == ["hit@3", "83.3%", "75.0%", "100.0%", "n/a", "100.0%", "80.0%", "100.0%"]
    assert table[4].split() == ["answer", "hit@3", "66.7%", "75.0%", "100.0%", "n/a", "0.0%", "80.0%", "0.0%"]
    assert table[5].split() == ["Accuracy", "37.5%", "25.0%", "100.0%", "50.0%", "0.0%", "42.9%", "0.0%"]
    assert table[6].split() == ["Refusal", "precision", "50.0%", "0.0%", "n/a", "100.0%", "n/a", "50.0%", "n/a"]
    assert data["by_lang"]["en"]["questions"] == 1 and config["skipped_records"] == 0
    assert [(f["id"], f["reason"]) for f in data["failures"]] == [
        ("q2", "wrong answer (expected 7)"),
        ("q4", "refused an answerable question (expected TOP30); no gold passage retrieved"),
        ("q6", "answered a question the documents do not answer"),
        ("q7", "wrong answer (expected 1)"),
        ("q8", "error: BackendError: endpoint unreachable"),
    ]


def test_report_html_is_self_contained_and_shows_the_numbers(run: ev.Summary) -> None:
    html = (run.out_dir / "report.html").read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>") and html.count("<svg") == 2
    assert "<script" not in html and "<link" not in html and "src=" not in html and "url(" not in html
    assert ">37.5%<" in html  # accuracy card
    assert ">57.1%<" in html  # citation precision 4/7
    assert ">0.639<" in html  # MRR
    assert ">hit@3<" in html
    assert "Noto Sans CJK SC" in html
    assert html.index('<div class="case"><h3>q8') < html.index('<div class="case"><h3>q4')  # errors first
    assert '<div class="case"><h3>q3' in html  # right, but it carries an unsupported citation
    assert '<div class="case"><h3>q1' not in html and '<div class="case"><h3>q5' not in html  # no problem
    assert "推动<mark>7</mark>家科技支行落地。" in html  # retrieved passage, gold answer marked


def test_limit_and_question_set_inputs(tmp_path: Path, question_file: Path) -> None:
    bot = FakeBot({q["id"]: q["q"] for q in QUESTIONS})
    summary = ev.evaluate(bot, read_questions(question_file), k=3, out_dir=tmp_path / "lim", limit=2)
    assert summary.overall["questions"] == 2 and summary.overall["accuracy"] == 0.5
    assert summary.config["questions_file"] is None and summary.config["limit"] == 2
    with pytest.raises(ValueError, match="k must be >= 1, got 0"):
        ev.evaluate(bot, question_file, k=0, out_dir=tmp_path / "bad")
    broken = Question(id="x1", text="?", gold_docs=("a",), answers=("15[亿",), answers_are_patterns=True)
    with pytest.raises(ValueError, match=r"question x1: answer pattern '15\[亿' is not a regular expression"):
        ev.evaluate(bot, [broken], k=3, out_dir=tmp_path / "bad")
    assert not (tmp_path / "bad").exists()


# ---------------------------------------------------------------- compare
def hand_run(folder: Path, outcomes: dict[str, bool], *, backend: str) -> Path:
    records = [{"id": qid, "question": qid, "type": "fact", "answerable": True, "expected": ["x"],
                "expected_are_patterns": True, "answer": "x" if ok else "y", "refused": False, "backend": backend,
                "correct": ok, "hit_rank": 1, "hit": True, "rr": 1.0, "citations": [], "sentences": [],
                "retrieved": [], "timings": {"total": 1.0}, "error": None} for qid, ok in outcomes.items()]
    summary = ev.Summary(config={"backend": backend, "k": 5, "date": backend}, overall=em.metrics(records),
                         by_type=em.by_type(records), by_lang=em.by_type(records, field="lang"), failures=(),
                         out_dir=folder, seconds=1.0)
    ev.write_run(folder, summary, records)
    return folder


def test_compare_reports_flips_metric_changes_and_config_differences(tmp_path: Path) -> None:
    a = hand_run(tmp_path / "a", {"q1": True, "q2": False, "q3": True, "q4": False}, backend="extractive")
    b = hand_run(tmp_path / "b", {"q1": False, "q2": True, "q3": True, "q5": True}, backend="local")
    cmp = ev.compare(a, b)
    assert (cmp.right_to_wrong, cmp.wrong_to_right) == (("q1",), ("q2",))
    assert (cmp.only_in_a, cmp.only_in_b) == (("q4",), ("q5",))
    assert cmp.config_differences == ("backend: 'extractive' -> 'local'",)  # the date is not a difference
    accuracy = next(d for d in cmp.deltas if d.metric == "accuracy")
    assert (accuracy.a, accuracy.b, accuracy.change) == (0.5, 0.75, 0.25)
    refusal = next(d for d in cmp.deltas if d.metric == "refusal_recall")
    assert (refusal.a, refusal.b, refusal.change) == (None, None, None)
    assert cmp.type_deltas["fact"][0].change == 0.25


def test_compare_command_prints_warning_and_flips(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    from rag.cli import main

    a = hand_run(tmp_path / "a", {"q1": True, "q2": False}, backend="extractive")
    b = hand_run(tmp_path / "b", {"q1": False, "q2": True}, backend="local")
    assert main(["eval", "compare", str(a), str(b)]) == 0
    out = capsys.readouterr().out
    assert "WARNING: the runs were made with different configurations" in out
    assert "backend: 'extractive' -> 'local'" in out
    assert "right -> wrong (1): q1" in out and "wrong -> right (1): q2" in out
    assert main(["eval", "compare", str(a)]) == 2
    assert "rag eval compare DIR_A DIR_B" in capsys.readouterr().err


# ---------------------------------------------------------------- the real pipeline
SLOW_DOCS = {
    "guangming": "光明区科技创新成果丰硕。截至2024年底，光明区有158名学者入选全球前2%顶尖科学家榜单。"
                 "光明区推动7家科技支行落地，为科技企业提供金融服务。",
    "fund": "深圳设立规模15亿元的合成生物产业基金，重点投资合成生物领域的初创企业。该基金由市区两级政府共同出资。",
}
SLOW_QUESTIONS = [
    {"id": "s1", "q": "光明区有多少名学者入选全球顶尖科学家榜单?", "type": "fact", "gold": ["guangming"],
     "evidence": ["158名学者"], "answer": ["158"]},
    {"id": "s2", "q": "合成生物产业基金的规模是多少?", "type": "fact", "gold": ["fund"], "evidence": ["规模15亿元"],
     "answer": ["15\\s*亿"]},
    {"id": "s3", "q": "光明區推動了多少家科技支行落地?", "type": "traditional-query", "gold": ["guangming"],
     "evidence": ["7家科技支行"], "answer": ["7"]},
    {"id": "s4", "q": "火星上一共有多少座城市?", "type": "unanswerable", "gold": [], "evidence": [], "answer": []},
    # a deliberately wrong gold answer: the run must report this question as failed
    {"id": "s5", "q": "光明区推动了多少家科技支行落地?", "type": "fact", "gold": ["guangming"],
     "evidence": ["7家科技支行"], "answer": ["999"]},
]


@pytest.mark.slow
def test_evaluate_with_the_real_pipeline_and_extractive_backend(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    from rag import RAG
    from rag.cli import main

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in SLOW_DOCS.items():
        (corpus / f"{name}.txt").write_text(text, encoding="utf-8")
    questions = tmp_path / "questions.jsonl"
    questions.write_text("\n".join(json.dumps(q, ensure_ascii=False) for q in SLOW_QUESTIONS), encoding="utf-8")
    bot = RAG(corpus, tmp_path / "index", backend="extractive", settings=Settings())
    bot.index()
    summary = ev.evaluate(bot, questions, k=3, out_dir=tmp_path / "out", backend="extractive")

    m = summary.overall
    assert (m["hit@k"], m["mrr"]) == (1.0, 1.0)  # every gold passage ranked first
    assert m["accuracy"] == pytest.approx(4 / 5)  # all but the question with the wrong gold answer
    assert (m["refusal_precision"], m["refusal_recall"], m["false_refusal_rate"]) == (1.0, 1.0, 0.0)
    assert m["citation_precision"] == 1.0 and m["citation_recall"] == 1.0
    assert m["latency"]["total"]["n"] == 5 and m["latency"]["total"]["p95"] > 0
    assert [(f.id, f.reason) for f in summary.failures] == [("s5", "wrong answer (expected 999)")]
    hashes = sorted(hashlib.sha256((corpus / f"{n}.txt").read_bytes()).hexdigest() for n in SLOW_DOCS)
    assert summary.config["corpus_sha256"] == hashlib.sha256("\n".join(hashes).encode()).hexdigest()
    assert (summary.config["backend"], summary.config["llm_model"], summary.config["documents"]) == ("extractive", None, 2)
    assert summary.config["embed_model"] == bot.embedder.model_id
    records = [json.loads(line) for line in (tmp_path / "out" / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    assert "158" in records[0]["answer"] and records[0]["retrieved"][0]["doc_id"] == "guangming"
    assert records[3]["refused"] is True and records[3]["citations"] == []
    assert (tmp_path / "out" / "report.html").read_text(encoding="utf-8").count("<svg") == 2

    # the same run through the command line, then compared with the first run
    assert main(["eval", str(questions), "--corpus", str(corpus), "--index-dir", str(tmp_path / "index"),
                 "--backend", "extractive", "--k", "3", "--out", str(tmp_path / "cli")]) == 0
    out = capsys.readouterr().out
    assert "FAIL s5 [fact] wrong answer (expected 999)" in out and "FAIL s1" not in out
    assert main(["eval", "compare", str(tmp_path / "out"), str(tmp_path / "cli")]) == 0
    out = capsys.readouterr().out
    assert "top_k: 5 -> 3" in out  # the command line passes --k on as the answerer's top_k
    assert "right -> wrong (0): -" in out and "wrong -> right (0): -" in out


# ---------------------------------------------------------------- conversations and malformed records
class ConversationBot(FakeBot):
    """Answers a follow-up right only when it is asked with the history of the first turn."""

    def __init__(self) -> None:
        super().__init__({})
        self.histories: list[list[dict]] = []

    def retrieve(self, question: str, *, k: int | None = None, mode: str = "hybrid") -> list[Passage]:
        return [HIT_158, *OTHER][:k]

    def ask(self, question: str, *, history=(), backend: str | None = None) -> Answer:
        self.histories.append(list(history))
        text = "158名学者入选[1]。" if question.startswith("光明区") or history else "不知道。"
        return Answer(question=question, text=text, citations=[citation(1, True)], passages=[HIT_158],
                      refused=False, backend="fake", standalone_question=f"光明区 {question}",
                      timings={"total": 0.2 if history else 0.1})


def test_a_conversation_is_asked_turn_by_turn_with_the_products_own_answers(tmp_path: Path) -> None:
    path = tmp_path / "conv.jsonl"
    turn = {"gold": ["a"], "evidence": ["158名学者"], "answer": ["158"]}
    path.write_text(json.dumps({"id": "cv1", "type": "conversation", "turns": [
        {"q": "光明区有多少名学者入选榜单?", **turn}, {"q": "那去年呢?", **turn}]}, ensure_ascii=False), encoding="utf-8")
    bot = ConversationBot()
    summary = ev.evaluate(bot, path, k=3, out_dir=tmp_path / "run")
    assert bot.histories == [[], [{"role": "user", "content": "光明区有多少名学者入选榜单?"},
                                  {"role": "assistant", "content": "158名学者入选[1]。"}]]
    record = json.loads((tmp_path / "run" / "results.jsonl").read_text(encoding="utf-8"))
    assert [t["id"] for t in record["turns"]] == ["cv1#1", "cv1#2"] and record["correct"] is True
    assert record["hit_rank"] == 1 and record["timings"] == {"total": 0.2}  # the follow-up's timings
    assert summary.by_type["conversation"]["accuracy"] == 1.0 and summary.by_lang["zh"]["questions"] == 1


def test_malformed_and_empty_records_are_skipped_and_counted(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join([
        json.dumps({"id": "ok1", "q": "光明区有多少院士?", "gold": ["a"], "evidence": ["59人"], "answer": ["59"]}),
        "{not json",
        json.dumps({"id": "e1", "q": "   "}),
        json.dumps({"q": "没有编号?"}),
        json.dumps({"id": "r1", "q": "规模?", "answer": ["15[亿"]}),
        json.dumps(["a", "list"]),
        json.dumps({"id": "ok1", "q": "重复的编号?"}),
        json.dumps({"id": "cv", "turns": []}),
    ]), encoding="utf-8")
    qs = read_questions(path)
    assert [q.id for q in qs.questions] == ["ok1"]
    assert qs.skipped == (
        "line 2: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)",
        "line 3: the question is empty", "line 4: no id",
        "line 5: answer pattern '15[亿' is not a regular expression (unterminated character set at position 2)",
        "line 6: not a JSON object", "line 7: id 'ok1' repeats an earlier record",
        "line 8: 'turns' must be a non-empty list")
    empty = tmp_path / "empty.jsonl"
    empty.write_text('{"id": "x", "q": ""}\n', encoding="utf-8")
    with pytest.raises(ValueError, match="no valid question record .line 1: the question is empty"):
        read_questions(empty)


def test_reading_comprehension_sets_skip_empty_questions(tmp_path: Path) -> None:
    cmrc = tmp_path / "cmrc.json"
    cmrc.write_text(json.dumps([{"context_id": "c1", "context_text": "光明区位于深圳。", "qas": [
        {"query_id": "q1", "query_text": "光明区在哪里?", "answers": ["深圳"]},
        {"query_id": "q2", "query_text": "", "answers": []},
        {"query_text": "没有编号"}]}], ensure_ascii=False), encoding="utf-8")
    qs = read_questions(cmrc)
    assert [q.id for q in qs.questions] == ["q1"] and qs.contexts == {"c1": "光明区位于深圳。"}
    assert qs.skipped == ("question q2: the question is empty", "a question of passage c1: no query_id")


def test_rgb_sets_index_every_distinct_passage_and_skip_bad_records(tmp_path: Path) -> None:
    """RGB JSONL (auto-detected): one document per distinct passage, any positive passage is a hit,
    every answer element (or one of its alternatives) must be in the answer."""
    shared = "新闻：光明区科学城于1月3日开工。"
    rows = [
        {"id": 0, "query": "科学城何时开工，何时竣工?", "answer": ["1月3日", ["12月", "十二月"]],
         "positive": [[shared, "光明区科学城开工仪式在1月3日举行。"], ["科学城预计12月竣工。"]],
         "negative": ["光明区科学城占地很大。", shared]},
        {"id": 1, "query": "   ", "answer": ["x"], "positive": [["p"]], "negative": []},
        {"id": 2, "query": "没有正例?", "answer": ["x"], "positive": [[], ["  "]], "negative": ["n"]},
        {"id": 3, "query": "正例格式不对?", "answer": ["x"], "positive": "p", "negative": []},
        {"query": "没有编号?", "answer": ["x"], "positive": [["p"]], "negative": []},
        {"id": 0, "query": "重复的编号?", "answer": ["x"], "positive": [["p"]], "negative": []},
        {"id": 5, "query": "哪座城市?", "answer": ["深圳"], "positive": [[shared]], "negative": ["光明区科学城占地很大。"]},
    ]
    path = tmp_path / "rgb.json"
    path.write_text("\n".join([json.dumps(r, ensure_ascii=False) for r in rows[:3]] + ["{broken"]
                              + [json.dumps(r, ensure_ascii=False) for r in rows[3:]]), encoding="utf-8")
    qs = read_questions(path)
    assert qs.kind == "rgb" and [q.id for q in qs.questions] == ["0", "5"]
    assert qs.skipped == ("line 2: the question is empty", "line 3: no positive passage",
                          "line 4: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)",
                          "line 5: 'positive' must be a list of lists of passages", "line 6: no id",
                          "line 7: id '0' repeats an earlier record")
    assert list(qs.contexts.values()) == [shared, "光明区科学城开工仪式在1月3日举行。", "科学城预计12月竣工。",
                                          "光明区科学城占地很大。"]
    first, second = qs.questions
    assert first.gold_docs == ("p00000", "p00001", "p00002") and second.gold_docs == ("p00000",)
    assert first.answerable and is_hit(first, "p00002", "") and not is_hit(first, "p00003", "")
    assert ev.answer_matches(first, "1月3日开工，十二月竣工[1]。") and not ev.answer_matches(first, "1月3日开工。")
    assert read_questions(path, limit=1).contexts == qs.contexts  # --limit keeps every passage
