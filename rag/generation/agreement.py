"""Whether a generated answer says what the chosen evidence sentences say.

The evidence decides the answer and the model only phrases it, but a small model misphrases in
ways a citation check cannot see, because every figure it writes is still in the passage:

- it drops a figure's qualifier (``30多个国家`` → ``30个国家``, ``超3000人`` → ``3000人``);
- it says a figure counts the question's thing (``24个重大科技创新载体``, asked about 重大科技基础设施 →
  ``24个重大科技基础设施``);
- it takes the neighbour in a 分别 list (``A、B分别增长75%、80%``, asked about B → ``75%``), or
  another figure of the sentence (``…,C增长104%`` → ``104%``);
- it writes figures and markers without a word (`` 59 [1] 57 [3] 57``);
- it writes a figure none of the sentences it was shown states (the previous answer's figure in a
  follow-up, a sum it worked out): the citation check passes it when the figure is elsewhere in
  the cited passage;
- it gives a year of the evidence as the count asked for (``There are 2023 such projects``);
- it gives no figure where one is asked for and the evidence states it (``The fund is [1] billion
  yuan``: the figure written as its citation marker);
- it leaves a name half translated in an English answer (``the Southern创投网``), which matches neither
  the document's name nor an English one (a name left wholly in Chinese, 松山湖科学城, is kept);
- it says only what the question says (有没有搞类似的市区联动? → 是的，光明区搞了类似的市区联动。):
  a Chinese answer none of whose words or figures comes from the evidence beyond the question's;
- it states a figure after its last citation marker (the second document's 65个 copied without its
  [2]): each figure an answer gives must be cited, two documents' figures each to its own;
- it states a rate the evidence does not, taking the question's frame for the sentence's (asked
  每家每年最多能拿到多少…补贴, it wrote 每家每年最多能拿到45元每平方米的租金补贴 for 每月可获得45元每平方米):
  a Chinese answer's 每年, 每月, 每家… must be the evidence's;
- it takes another figure of the sentence for what the question counts (组织450家企业遴选,通过遴选企业163家 →
  组织了163家企业参加遴选): a figure the answer puts before a measure word and what it counts, which
  the evidence puts only after other figures;
- it gives the figure of another clause of the sentence (全区共158名学者入选…榜单,17人入选…“高被引
  科学家”名单, asked about the 高被引 list → 158): the clause naming what is asked states its own;
- it leaves items out of a list it copies (概念验证中心、检验检测平台、中小试基地和科技孵化器 → 检验检测
  平台、中小试基地和科技孵化器): a Chinese answer naming some of a list's items but not all.

``disagreement`` names the first such fault; the pipeline then answers with the chosen sentences.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.generation.cite import split_clauses, strip_markers
from rag.generation.clauses import Figure, asked_clause, question_words, read_figures
from rag.generation.facts import ARABIC_FIGURE, match_form, number_found, numbers
from rag.text import MARKER, language, load_jieba, terms

_LETTER = re.compile(r"[A-Za-z\u3400-\u9fff]")
# a word part English, part Chinese: Southern创投网 (not the松山湖科学城, a space left out)
_MIXED = re.compile(r"([A-Za-z]+)[\u3400-\u9fff]|[\u3400-\u9fff]([A-Za-z]+)")
_FUNCTION_WORDS = frozenset("the a an in on at of and or but to for by from with as its this that is are was were".split())
_ASKS_FIGURE = re.compile(r"多少|(?<![哪几])几(?![乎])|多大|多高|多长|多久|\bhow (?:many|much|big|large|long|tall)\b", re.I)
_LIST_ITEM = r"[“\"]?[\u4e00-\u9fff]{2,}[”\"]?"
_LIST = re.compile(rf"{_LIST_ITEM}(?:、{_LIST_ITEM})+(?:(?:和|及|以及|与){_LIST_ITEM})?")  # A、B、C和D
_LIST_SPLIT = re.compile(r"、|和|及|以及|与")
_ITEM_TAIL = 4  # characters of a list item that name it
_ITEM_HEAD = 3  # characters that name the list's last item, which runs on into the words after it
_SUMMARY_NOUN = 4  # characters before 分别 that name the items together (数量, 两者), not list them
_RATE = re.compile(r"每(?:年|月|日|天|周|季度?|家|人|户|个|平方米|平米|亩)|[年月日]均")  # 每月, 每家, 年均
_MIN_ITEM_PREFIX = 2  # characters of a list item the question must contain to pick it


def _same(a: Figure, b: Figure) -> bool:
    """Same value as ``rag.generation.facts.number_found`` compares it (5 billion = 50亿)."""
    return number_found(a.number, [b.number])


def dropped_qualifier(answer_norm: str, evidence_norm: Sequence[str]) -> str | None:
    """A figure of the answer that every evidence sentence stating it qualifies, written bare."""
    written = [f for s in evidence_norm for f in read_figures(s)]
    for figure in read_figures(answer_norm):
        stated = [f for f in written if _same(figure, f)]
        if stated and all(f.qualified for f in stated) and not figure.qualified:
            return figure.text
    return None


def turned_qualifier(answer_norm: str, evidence_norm: Sequence[str]) -> str | None:
    """A figure of the answer qualified the other way than every evidence sentence stating it
    (近8000, nearly, given as "over 8000")."""
    written = [f for s in evidence_norm for f in read_figures(s)]
    for figure in read_figures(answer_norm):
        stated = [f for f in written if _same(figure, f)]
        if figure.side and stated and all(f.side and f.side != figure.side for f in stated):
            return figure.text
    return None


def _list_pairs(sentence_norm: str) -> list[tuple[list[str], list[Figure]]]:
    """(items, figures) of each ``A、B…分别…x、y…`` clause whose counts agree; the items may end the
    clause before (``院士59人、博士人才超5000人,数量分别为三年前的5.9倍、2.9倍``)."""
    pairs = []
    clauses = [c.text for c in split_clauses(sentence_norm)]
    for n, clause in enumerate(clauses):
        head, found, tail = clause.partition("分别")
        items = [i.strip() for i in head.split("、")]
        if len(items) == 1 and len(head.strip()) <= _SUMMARY_NOUN and n:  # 数量分别为: of the clause before
            items = [i.strip() for i in clauses[n - 1].split("、")]
        figures = read_figures(tail)
        if found and len(items) >= 2 and len(items) == len(figures):
            pairs.append((items, figures))
    return pairs


def _asked_item(question_norm: str, items: Sequence[str]) -> int | None:
    """The item whose longest leading part the question contains (the names lead, a shared noun
    ends the last item), when one leads the others."""
    def contained_prefix(item: str) -> int:
        return max((n for n in range(1, len(item) + 1) if item[:n] in question_norm), default=0)

    lengths = [contained_prefix(i) for i in items]
    best = max(lengths)
    if best < _MIN_ITEM_PREFIX or lengths.count(best) > 1:
        return None
    return lengths.index(best)


def wrong_pairing(answer_norm: str, evidence_norm: Sequence[str], question_norm: str) -> str | None:
    """Why the answer's figure is not the one a 分别 list gives the item asked about: it is another
    item's, or a figure from elsewhere in the sentence (A、B分别增长75%、80%,C增长104%, asked B → 104%)."""
    given = read_figures(answer_norm)
    for sentence in evidence_norm:
        for items, figures in _list_pairs(sentence):
            asked = _asked_item(question_norm, items)
            if asked is None or any(_same(g, figures[asked]) for g in given):
                continue
            for g in given:
                if any(_same(g, f) for i, f in enumerate(figures) if i != asked):
                    return f"paired {g.text} with the wrong item of a list"
            if given:
                return f"gave {given[0].text}, not the {figures[asked].text} a list gives the item asked about"
    return None


def unstated_figure(answer_norm: str, evidence_norm: Sequence[str], question_norm: str) -> str | None:
    """A figure of the answer that neither the evidence sentences nor the question state."""
    stated = [n for text in [*evidence_norm, question_norm] for n in numbers(text)]
    return next((f.text for f in read_figures(answer_norm) if not number_found(f.number, stated)), None)


_COUNT_ASKED = re.compile(r"how many|多少|几|幾", re.I)
_AS_YEAR_BEFORE = re.compile(r"(?:\b(?:in|since|by|of|from|until|to|during|before|after|through|year)|[-–~至到])\s*$", re.I)
_AS_YEAR_AFTER = re.compile(r"^\s*(?:年|[-–~至到,.;:)），。；：]|$)")


def year_as_count(answer_norm: str, evidence_norm: Sequence[str], question_norm: str) -> str | None:
    """A year of the evidence given as the count asked for (项目达到19个, in a passage about 2023 →
    "There are 2023 such projects"): a figure the evidence writes only as a year (2023年), which the
    answer writes as no year, in answer to a how-many question that does not name it."""
    if not _COUNT_ASKED.search(question_norm):
        return None
    asked = numbers(question_norm)
    evidence = "\n".join(evidence_norm)
    for m in ARABIC_FIGURE.finditer(answer_norm):
        year = m.group()
        if not re.fullmatch(r"(?:19|20)\d{2}", year) or number_found(numbers(year)[0], asked):
            continue
        written = list(re.finditer(rf"(?<![\d.]){year}(?![\d.])", evidence))
        as_years = [e for e in written if evidence[e.end():e.end() + 1] == "年"]
        if written and len(as_years) == len(written) and not (
                _AS_YEAR_BEFORE.search(answer_norm[: m.start()]) or _AS_YEAR_AFTER.match(answer_norm[m.end():])):
            return year
    return None


_MEASURE_WORDS = "个家所项只位名座条种台套批处栋支款"
_COUNTER = re.compile(rf"^\s*(?:多|余)?\s*[{_MEASURE_WORDS}]")
_NOUN_RUN = re.compile(r"^[\u4e00-\u9fff]{1,12}")


def renamed_count(answer_norm: str, evidence_norm: Sequence[str], question_norm: str) -> str | None:
    """A figure the answer says counts the question's thing, which no evidence sentence stating the
    figure names: the model took the question's noun for the evidence's."""
    if language(answer_norm) != "zh":
        return None
    written = [(s, read_figures(s)) for s in evidence_norm]
    for figure in read_figures(answer_norm):
        after = answer_norm[figure.at + len(figure.text):]
        if not (counter := _COUNTER.match(after)):
            continue
        noun = _counted_noun(after[counter.end():])
        if not noun or noun not in question_norm:
            continue
        stating = [s for s, figures in written if any(_same(figure, f) for f in figures)]
        if stating and not any(noun in sentence for sentence in stating):
            return f"{figure.text}{counter.group().strip()}{noun}"
    return None


# what a figure counts, read after it: its measure word (people, items and kinds besides the
# counters above, or 元 after 亿) and the first two characters of the thing (450家企业 → 家, 企业)
_COUNT_WRITTEN = re.compile(rf"^\s*([{_MEASURE_WORDS}人件类元])([\u4e00-\u9fff]{{2}})")


def _counts_written(text_norm: str) -> list[tuple[Figure, tuple[str, str]]]:
    """Each figure of ``text_norm`` written before a measure word and what it counts."""
    return [(f, (m.group(1), m.group(2))) for f in read_figures(text_norm)
            if (m := _COUNT_WRITTEN.match(text_norm[f.at + len(f.text):]))]


def swapped_figure(answer_norm: str, evidence_norm: Sequence[str], question_norm: str) -> str | None:
    """A figure the answer puts before a measure word and what it counts (163家企业) that the evidence
    puts only after other figures (450家企业), and the question does not state."""
    said_of: dict[tuple[str, str], list[Figure]] = {}
    for figure, counted in (pair for sentence in evidence_norm for pair in _counts_written(sentence)):
        said_of.setdefault(counted, []).append(figure)
    asked = numbers(question_norm)
    return next((f"{figure.text}{''.join(counted)}" for figure, counted in _counts_written(answer_norm)
                 if (stated := said_of.get(counted)) and not any(_same(figure, f) for f in stated)
                 and not number_found(figure.number, asked)), None)


def _counted_noun(text: str) -> str:
    """The head noun of the noun phrase ``text`` starts with (重大科技基础设施建成 → 基础设施)."""
    run = _NOUN_RUN.match(text)
    head = ""
    for word in load_jieba().posseg.cut(run.group() if run else ""):
        if word.flag[:1] not in ("n", "a", "b") and word.flag != "vn":
            break
        head = word.word if word.flag[:1] == "n" or word.flag == "vn" else head
    return head if len(head) >= 2 else ""


def restates_question(answer_norm: str, evidence_norm: Sequence[str], question_norm: str) -> bool:
    """A Chinese answer that adds nothing of the evidence to the question: no figure, and no word
    (two characters or more) of the evidence that the question does not have too."""
    if language(answer_norm) != "zh":
        return False  # an English answer shares no words with Chinese evidence
    asked = set(terms(question_norm, guessed=False))
    added = {t for t in terms(answer_norm, guessed=False) if len(t) >= 2 and t not in asked}
    evidence = "\n".join(evidence_norm)
    asked_figures = numbers(question_norm)
    own_figures = [n for n in numbers(answer_norm) if not number_found(n, asked_figures)]
    return not own_figures and not any(t in evidence for t in added)


def half_translated(answer: str) -> str | None:
    """A word of an English answer written part in English, part in Chinese (Southern创投网)."""
    for m in _MIXED.finditer(answer):
        latin = m.group(1) or m.group(2)
        if latin.lower() not in _FUNCTION_WORDS:
            return m.group()
    return None


def uncited_figure(answer: str) -> str | None:
    """A figure written after the answer's last citation marker (it cites something before it)."""
    parts = re.split(MARKER, answer)
    if len(parts) < 2:
        return None
    tail = numbers(match_form(parts[-1]))
    return tail[0].text if tail else None


def dropped_item(answer_norm: str, evidence_norm: Sequence[str]) -> str | None:
    """An item of a list of the evidence (A、B、C和D) left out of a Chinese answer that names at
    least two of its items. An item is named when the answer holds its last characters (打造一批
    概念验证中心 is named by 验证中心): the list's first item runs on from the words before it; the
    last by its first ones, as it runs on into the words after it (脑科学 of 合成生物、脑科学产业集群总估值
    突破: an answer of 合成生物产业集群总估值突破 has dropped it)."""
    if language(answer_norm) != "zh":
        return None
    for sentence in evidence_norm:
        for m in _LIST.finditer(sentence):
            items = [i.strip("“”\"") for i in _LIST_SPLIT.split(m.group())]
            named = [i for k, i in enumerate(items)
                     if (i[:_ITEM_HEAD] if k == len(items) - 1 else i[-_ITEM_TAIL:]) in answer_norm]
            if 2 <= len(named) < len(items):
                return next(i for i in items if i not in named)
            last = items[-1]
            if named and last not in named and len(last) >= _ITEM_HEAD + _ITEM_TAIL and last[-_ITEM_TAIL:] in answer_norm:
                return last[:_ITEM_HEAD]  # what is said of them all, of fewer of them
    return None


def changed_rate(answer_norm: str, evidence_norm: Sequence[str]) -> str | None:
    """A rate of a Chinese answer (每年, 每月, 每家, 年均…) that no evidence sentence states."""
    if language(answer_norm) != "zh":
        return None
    evidence = "\n".join(evidence_norm)
    return next((m.group() for m in _RATE.finditer(answer_norm) if m.group() not in evidence), None)


def other_clauses_figure(answer_norm: str, evidence_norm: Sequence[str], asked_norm: str) -> str | None:
    """A figure of the answer that an evidence sentence gives in another clause than the one naming
    what is asked (``asked_clause``), not in that one (全区共158名学者入选…顶尖科学家榜单,17人入选…
    “高被引科学家”名单, asked about the 高被引 名单 → 158). ``asked_norm``: the question, Chinese (a
    rendering for an English question)."""
    given = read_figures(answer_norm)
    words = question_words(asked_norm)
    for sentence in evidence_norm if given else ():
        found = asked_clause(sentence, words, figure_asked=bool(_ASKS_FIGURE.search(asked_norm)))
        if found is None or any(_same(g, f) for g in given for f in found.figures[found.asked]):
            continue
        for g in given:
            if any(_same(g, f) for i in found.beside for f in found.figures[i]):
                return g.text
    return None


def disagreement(answer: str, evidence: Sequence[str], question: str, *, rendering: str = "") -> str | None:
    """Why ``answer`` misstates the ``evidence`` sentences it was given for ``question``, or None.
    ``rendering``: the Chinese the evidence was searched with, for a question in English."""
    answer_norm = match_form(strip_markers(answer))
    if len(_LETTER.findall(ARABIC_FIGURE.sub("", answer_norm))) < 2:
        return "figures without words"
    if (figure := uncited_figure(answer)) is not None:
        return f"gave {figure} without citing it"
    evidence_norm = [match_form(s) for s in evidence]
    question_norm = match_form(question)
    if language(answer_norm) == "en" and (half := half_translated(strip_markers(answer))):
        return f"left a word half translated ({half})"
    if _ASKS_FIGURE.search(question_norm) and not numbers(answer_norm) and any(numbers(s) for s in evidence_norm):
        return "gave no figure where one is asked for"
    if (figure := unstated_figure(answer_norm, evidence_norm, question_norm)) is not None:
        return f"gave {figure}, which no evidence sentence states"
    if (year := year_as_count(answer_norm, evidence_norm, question_norm)) is not None:
        return f"gave the year {year} as the count asked for"
    if (figure := dropped_qualifier(answer_norm, evidence_norm)) is not None:
        return f"dropped the qualifier of {figure}"
    if (figure := turned_qualifier(answer_norm, evidence_norm)) is not None:
        return f"turned the qualifier of {figure} the other way"
    if (count := renamed_count(answer_norm, evidence_norm, question_norm)) is not None:
        return f"called what the evidence counts {count}"
    if (figure := swapped_figure(answer_norm, evidence_norm, question_norm)) is not None:
        return f"gave {figure}, which the evidence says of something else"
    if restates_question(answer_norm, evidence_norm, question_norm):
        return "says nothing of the evidence beyond the question"
    if (item := dropped_item(answer_norm, evidence_norm)) is not None:
        return f"left {item} out of a list"
    if (rate := changed_rate(answer_norm, evidence_norm)) is not None:
        return f"states a rate ({rate}) the evidence does not"
    if (paired := wrong_pairing(answer_norm, evidence_norm, question_norm)) is not None:
        return paired
    if (figure := other_clauses_figure(answer_norm, evidence_norm, match_form(rendering) or question_norm)) is not None:
        return f"gave {figure}, which the evidence gives in another clause than the one asked about"
    return None
