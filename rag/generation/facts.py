"""Checkable facts of a sentence: the numbers and names a citation check looks for.

Numbers are read from Arabic digits (with decimals, thousands commas, 万/亿/thousand/million/
billion multipliers and percent signs), Chinese numerals and a few English number words, and
compared by value; names are quoted terms, Latin words and acronyms, and jieba proper nouns.
``rag.generation.cite`` states the support rule built on them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

from rag.text import language, load_jieba, normalise

_QUOTE_MARKS = str.maketrans("「」『』", "“”“”")  # one pair of quotes: 《…「十四五」…》 is 《…“十四五”…》


def match_form(text: str) -> str:
    """``normalise`` after NFKC, so Ⅲ, ① and full-width forms compare as their plain forms, and
    corner quotes as curly ones (the same length: offsets hold)."""
    return normalise(unicodedata.normalize("NFKC", text)).translate(_QUOTE_MARKS)


# ---------------------------------------------------------------- numbers
# a thing by itself (引导基金本身, “小巨人”企业单独算): not its group, not its parts
ALONE_WORDS = "单独|單獨|单看|單看|本身|自身"
_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_BIG = {"万": 1e4, "亿": 1e8}
_MULTIPLIERS = {"万亿": 1e12, "亿": 1e8, "万": 1e4, "千": 1e3, "thousand": 1e3, "million": 1e6, "billion": 1e9,
                "trillion": 1e12}
# English number words; "one" is left out ("one of", "one-stop" are rarely counts)
_EN_WORDS = {w: i for i, w in enumerate("zero _ two three four five six seven eight nine ten eleven twelve".split())}
_EN_WORDS |= {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "hundred": 100}
del _EN_WORDS["_"]
# ordinals, "first" left out (首个 and 第一 are rarely written as a figure): 位列全国第二 → ranked second
_EN_WORDS |= {w: i for i, w in enumerate("_ _ second third fourth fifth sixth seventh eighth ninth tenth".split()) if i > 1}
ARABIC_FIGURE = re.compile(
    r"(?<![\d.])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(\s*(?:万亿|亿|万|千)|\s+(?:thousand|million|billion|trillion)\b)?"
    r"(\s*(?:%|‰|percent|per cent))?", re.IGNORECASE)
_CN_RUN = re.compile(r"(百分之)?([零〇一二两三四五六七八九十百千万亿]+)")
_CN_FRACTION = re.compile(r"([一二三四五六七八九十百千]+)分之([一二三四五六七八九十]+)")
_CN_MEASURE = set("个年月日天周名人位家项条只座层次批倍元岁所台种类成届期轮大支部件份级点小套篇户款场强")
_CN_PREFIX = set("第前近超约共逾达")
_ROUND_BEFORE = set("近超逾上破")  # before a bare 百 or 千: 超百项 (over a hundred), 上千家
_EN_NUMBER = re.compile(r"\b(" + "|".join(_EN_WORDS) + r")\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Number:
    text: str  # as written, in matching form
    value: float  # with its multiplier applied
    base: float  # as written, without multiplier
    scaled: bool  # a multiplier (万, 亿, billion…) was written
    percent: bool


def _cn_value(run: str) -> float:
    if all(c in _CN_DIGITS for c in run):  # 二〇二四 is read digit by digit
        return float("".join(str(_CN_DIGITS[c]) for c in run))
    total, section, digit = 0.0, 0.0, 0
    for c in run:
        if c in _CN_DIGITS:
            digit = _CN_DIGITS[c]
        elif c in _CN_UNITS:
            section += (digit or 1) * _CN_UNITS[c]
            digit = 0
        else:
            total = (total + section + digit) * _CN_BIG[c]
            section, digit = 0.0, 0
    return total + section + digit


def numbers(text: str) -> list[Number]:
    """Numbers written in ``text`` (expected in matching form, see ``normalise``)."""
    found: list[Number] = []
    masked = list(text)
    for m in _CN_FRACTION.finditer(text):  # 四分之一: a share, like 25%
        share = 100 * _cn_value(m.group(2)) / _cn_value(m.group(1))
        found.append(Number(m.group(0), share, share, False, True))
        masked[m.start():m.end()] = " " * (m.end() - m.start())
    for m in ARABIC_FIGURE.finditer(text):
        base = float(m.group(1).replace(",", "") + (m.group(2) or ""))
        mult = _MULTIPLIERS.get((m.group(3) or "").strip().lower(), 1.0)
        found.append(Number(m.group(0).strip(), base * mult, base, mult != 1.0, bool(m.group(4))))
        masked[m.start():m.end()] = " " * (m.end() - m.start())
    plain = "".join(masked)
    for m in _CN_RUN.finditer(plain):
        run, percent = m.group(2), bool(m.group(1))
        before = plain[m.start() - 1] if m.start() else ""
        after = plain[m.end()] if m.end() < len(plain) else ""
        # 万物, 千方百计; not 百强 (the top 100), nor 超百项, 近千家 (a round figure: over a hundred)
        if all(c in "百千万亿" for c in run) and not percent and after != "强" \
                and not (len(run) == 1 and before in _ROUND_BEFORE and after in _CN_MEASURE):
            continue
        if len(run) == 1 and not percent and not (
            before == "第" or (run != "一" and (after in _CN_MEASURE or before in _CN_PREFIX))
        ):
            continue
        value = _cn_value(run)
        if after == "成" and not percent and len(run) <= 2:  # 六成 is 60%
            value, percent = value * 10, True
        found.append(Number(m.group(0), value, value, any(c in _CN_BIG for c in run), percent))
    for m in _EN_NUMBER.finditer(plain):
        value = float(_EN_WORDS[m.group(1).lower()])
        found.append(Number(m.group(1), value, value, False, False))
    return found


def number_found(n: Number, pool: Sequence[Number]) -> bool:
    """Same value (15亿 = 1.5 billion), or a bare number equal to a figure's written part (15 ~ 15亿)."""
    def same(a: float, b: float) -> bool:
        return abs(a - b) <= 1e-9 * max(1.0, abs(b))

    return any((p.percent or not n.percent) and (same(n.value, p.value) or (not n.scaled and same(n.value, p.base)))
               for p in pool)


# ---------------------------------------------------------------- names and facts
_PLACEHOLDER = re.compile(r"(?<=[\u3400-\u9fff])(?:[xXＸ×*＊]|某)(?=[\u3400-\u9fff])")  # 投X联动, 某某
_QUOTED = re.compile(r"“([^”]{1,40})”|《([^》]{1,40})》|「([^」]{1,40})」|『([^』]{1,40})』|\"([^\"]{1,40})\"")
_COUNTED_TERM = re.compile(r"^[一两二三四五六七八九十\d]+[个项大条类种]?(?=[\u3400-\u9fff])")
_ORDINAL_EN = re.compile(r"\d+(?:st|nd|rd|th)", re.I)
_LATIN = re.compile(r"[A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*(?:[-&][A-Za-z0-9]+)*")
_CJK_WORD = re.compile(r"^[\u3400-\u9fff]{2,}$")
CJK_RUN = re.compile(r"[\u3400-\u9fff]+")  # a run of Chinese characters
_PARTICLES = re.compile(r"[了呢吗嗎啊呀的]+$")
_EXAMPLES = re.compile(r"[举舉说說]几个|几个例子|幾個例子")  # 举几个例子 asks for examples, it counts nothing
_AFTER_FIGURE = re.compile(r"^次?(?:以上|以下|左右|上下|之多|余|多)?")  # 100家以上: no noun follows; 16批次: 次 ends the measure
_LEADS_FIGURE = re.compile(r"[共约約超逾近达達有为為是等了]+$")  # 院士共59位: what stands between a noun and its figure
# the kind that ends an organisation's name, and the verbs that govern such a name (共建…研究院)
_ORGANISATION_KIND = re.compile(r"研究院|研究所|实验室|创新中心|研究中心|大学|学院|公司|集团|银行")
_NAME_GOVERNORS = frozenset("共建 建设 打造 引进 引入 推动 支持 设立 成立 组建 联合 携手 依托 落户 建成 启动 牵头 "
                            "布局 入驻 包括 以及 加快 推进".split())
MAX_ORGANISATION_CHARS = 16  # characters before the kind, at most
_CATEGORY = re.compile(r"一流|型")  # 世界一流研究型大学: a kind of university, no name
_PROPER = frozenset({"nr", "ns", "nt", "nz", "nrt"})  # jieba's proper-noun tags ("nrfg" is its guess)
COMMON_NAME_FREQ = 1000  # dictionary count from which a proper noun (深圳, 香港) is too common to check
_EN_FUNCTION = frozenset("the a an in on at of and or but it its this that these those there he she they we i".split())


def _posseg():
    jieba = load_jieba()
    return jieba.posseg, jieba.dt.FREQ


def contains(haystack: str, needle: str) -> bool:
    """``needle`` in ``haystack``; Latin needles must not sit inside a longer Latin word."""
    if not re.search(r"[a-z0-9]", needle):
        return needle in haystack
    return re.search(rf"(?<![a-z0-9]){re.escape(needle)}(?![a-z0-9])", haystack) is not None


def _is_acronym(word: str) -> bool:
    """TCL, 5G, R2D2; not an ordinal (24th, 第24名): its figure is checked as a number."""
    if _ORDINAL_EN.fullmatch(word):
        return False
    return sum(c.isupper() for c in word) >= 2 or (any(c.isdigit() for c in word) and len(word) >= 2)


def uncounted(term: str) -> str:
    """A quoted term without the count that opens it (五个无忧 → 无忧: documents list the five
    instead); the term itself when nothing countable is left."""
    rest = _COUNTED_TERM.sub("", term)
    return rest if len(rest) >= 2 else term


def _quoted_terms(plain: str) -> Iterator[str]:
    """What ``plain`` (NFKC text) quotes, stripped, in order; not a pattern with a placeholder
    (“投X联动” asks for 投贷联动, 投债联动…: no sentence writes it)."""
    quoted_ = (next(g for g in m.groups() if g).strip() for m in _QUOTED.finditer(plain))
    return (t for t in quoted_ if not _PLACEHOLDER.search(t))


def quoted(text: str, *, chinese_only: bool = True) -> list[str]:
    """The terms ``text`` quotes (“…”, 《…》, 「…」), in matching form: only Chinese ones unless
    ``chinese_only`` is false (“1+6+N” names a system too)."""
    return [match_form(t) for t in _quoted_terms(unicodedata.normalize("NFKC", text))
            if not chinese_only or re.search(r"[\u3400-\u9fff]", t)]


def names(claim: str, *, passage_lang: str) -> list[str]:
    """Names of ``claim`` (original text), each in matching form; see the module docstring."""
    plain = unicodedata.normalize("NFKC", claim)
    found = []
    for inner in _quoted_terms(plain):
        if re.search(r"[\u3400-\u9fff]", inner) or passage_lang == "en":
            found.append(uncounted(match_form(inner)))
    zh_claim = language(plain) == "zh"
    for m in _LATIN.finditer(plain):
        word = m.group(0)
        first = plain[: m.start()].strip() == "" or plain[: m.start()].rstrip()[-1:] in ".!?:"
        if len(word) < 2 or word.lower() in _EN_FUNCTION:
            continue
        if (zh_claim and passage_lang == "zh") or _is_acronym(word) or (
            passage_lang == "en" and word[0].isupper() and not first
        ):
            found.append(word.lower())
    posseg, freq = _posseg()
    found += [pair.word for pair in posseg.cut(match_form(plain)) if _proper_noun(pair, freq)]
    return list(dict.fromkeys(found))


def _proper_noun(pair, freq: dict[str, int]) -> bool:
    """A jieba word of two Chinese characters or more tagged as a proper noun, and rare enough in its
    dictionary to be a name worth checking (not 深圳, 香港)."""
    return bool(_CJK_WORD.match(pair.word)) and pair.flag in _PROPER and freq.get(pair.word, 0) < COMMON_NAME_FREQ


def chinese_names(text: str) -> list[str]:
    """The Chinese names of ``text`` as it writes them (script kept): what it quotes, and its jieba
    proper nouns, those that stand side by side read as one (松山湖 + 科学城 → 松山湖科学城)."""
    found = [inner for inner in _quoted_terms(text) if _CJK_WORD.match(inner)]
    posseg, freq = _posseg()
    spans: list[tuple[int, int]] = []
    at = 0
    norm = match_form(text)  # jieba knows simplified names best (招商致远, not 致遠 of 招商致遠)
    for pair in posseg.cut(norm if len(norm) == len(text) else text):
        end = at + len(pair.word)
        if _proper_noun(pair, freq):
            spans[-1:] = [(spans[-1][0], end)] if spans and spans[-1][1] == at else [*spans[-1:], (at, end)]
        at = end
    found += [text[a:b] for a, b in spans if not any(text[a:b] in q for q in found)]
    found += _organisations(text)
    return [n for n in dict.fromkeys(found) if not any(n != other and n in other for other in found)]


def _organisations(text: str) -> list[str]:
    """Names that end in an organisation's kind (大湾区昇腾算力应用创新研究院, 深圳市工程生物产业创新中心),
    as written: the words before the kind back to a clause break, a function word or the verb that
    governs the name (共建, 引进). jieba cuts such names into common words (昇 + 腾 + 算 + 力), none
    of them a proper noun on its own."""
    posseg, _ = _posseg()
    norm = match_form(text)
    source = text if len(norm) == len(text) else norm  # offsets in the one are offsets in the other
    names = []
    for m in _ORGANISATION_KIND.finditer(norm):
        words = list(posseg.cut(norm[max(0, m.start() - MAX_ORGANISATION_CHARS):m.start()]))
        inside: list = []
        for w in reversed(words):
            if not CJK_RUN.fullmatch(w.word) or w.word in _NAME_GOVERNORS \
                    or w.flag in ("p", "c", "u", "uj", "d", "r", "m", "q", "x"):
                break
            inside.insert(0, w)
        while inside and inside[0].flag[:1] in ("v", "a"):  # 成功部署研究院, 是深圳市…中心: not the name's
            inside.pop(0)
        kept = sum(len(w.word) for w in inside)
        if kept >= 3 and not _CATEGORY.search(norm[m.start() - kept:m.end()]):
            names.append(source[m.start() - kept:m.end()])
    return names


# ---------------------------------------------------------------- what a question asks for
# Measure words that name what a Chinese count question counts; members of a group stand for
# each other (名/人/位 all count people).
_UNIT_GROUPS = ("名人位", "层", "条", "家", "所", "只", "座", "批", "次", "届", "倍", "年", "台", "款", "支", "件",
                "篇", "户", "套", "元", "种类")
_UNIT_OF = {c: group for group in _UNIT_GROUPS for c in group}
# 个 and 项 are the general classifiers: people ask 多少个 of what documents count in 只, 家 or 项
_UNIT_OF["个"] = _UNIT_OF["项"] = "个项只家名人位条所座批次届台款支件篇户套种类"
# 多少种产品 is answered by 21个产品: kinds are counted with the general classifiers too
_UNIT_OF["种"] = _UNIT_OF["类"] = "种类个项款"
# 多少款产品, 几件, 几套, 几台 are answered by 21个产品; 支 and 只 both count funds and teams
for _c in "款件套台":
    _UNIT_OF[_c] = f"{_c}个项种类"
_UNIT_OF["支"] = _UNIT_OF["只"] = "支只个"
ASKED_UNIT = re.compile(r"(?:多少|(?<!哪)几)\s*([个项名人位层条家所只座批次届倍年台款支件篇户套种类])")  # 哪几年: which years
_ASKS_MONEY = re.compile(
    r"多少钱|多少资金|多少经费|多少[万亿千百]*元|几[万亿千百]+元|"
    r"(?:投入|投资|资金|经费|金额|收入|产值|营收|估值|总额|gdp|生产总值|税收)(?:了|额|是|为|有|达到?|具体|大约|大概|一共|总共)*"
    r"(?:多少|几)")
# an English question asking an amount of money: what the fund, the prize or the output comes to
_ASKS_MONEY_EN = re.compile(r"^(?!.*\b(?:how many|share|percent\w*|proportion|ratio)\b).*(?:"
                            r"\bhow much (?:money|funding|capital)\b|\b(?:prize|award) money\b|\byuan\b|\bRMB\b|"
                            r"\b(?:budget|cost|worth|valu(?:ed|ation)|output value)\b|\bhow much (?:\w+ )?output\b|"
                            r"\b(?:size|big|large)\b.*\bfund\b|\bfund(?:'s)?\b.*\b(?:size|big|large)\b)", re.I)
_ASKS_PEOPLE = re.compile(r"(?:人数|人次)(?:是|为|有|达到?)*(?:多少|几)")
# (a rate asked, 年化收益率是多少 or "what annual return", is a share too: a fund's size does not answer it)
_ASKS_PERCENT = re.compile(r"百分之(?:多少|几)|百分比|比例|比重|占比|多少%|增长率|增幅|率(?:是|为|有|达到?|大概|大约)*(?:多少|几)|"
                           r"percent|percentage|share", re.I)
# (return as a noun, "what annual return", not the verb: "which city did she return from")
_ASKS_PERCENT_EN = re.compile(r"\bpercent|\bshare\b|\b(?:annual|average|expected|what)\s+returns?\b|\breturns?\s+on\b|"
                              r"\byields?\b|\brates?\b", re.I)
_PERCENT = re.compile(r"\d\s*%|百分之|分之[一二三四五六七八九十]|\d\s*成|percent", re.I)
_NUMERAL = r"(?:\d[\d,.]*|[零〇一二两三四五六七八九十百千]+)"  # a number as written: 12.9, 3,000, 十九
# 占地多大 asks for an area: a figure in 平方米 or 亩 (not 中试放大阶段“1-10”)
_ASKS_AREA = re.compile(r"(?:占地|面积|用地)(?:面积|规模)?(?:了|是|为|有|约|达到?)*(?:多大|多少|几)|"
                        r"(?:多少|几)\s*(?:万|千)?\s*(?:平方(?:米|公里|千米)|平米|亩|公顷)|"  # 多少平方米: not 45元每平方米
                        r"(?:占用?|用了?|有)(?:多少|多大|多大面积的?)土地")  # 占用多少土地 (how much land does it occupy)
_AREA = re.compile(_NUMERAL + r"\s*(?:万|亿|余|多)?\s*"
                   r"(?:平方(?:米|公里|千米)|平米|亩|公顷|m2|m²|㎡|km2|km²)", re.I)
AREA = "㎡"  # the ``Asked.unit`` of an area question
# 高度是多少, 有多高 asks for a height in metres (not 42层, not 高度契合: "highly")
_ASKS_HEIGHT = re.compile(r"高度(?:了|是|为|有|约|达到?)*(?:多少|几)|(?<!水平)(?<!水平有)(?<!质量)(?<!比例)多高(?!的)|"
                          r"楼高|高多少米")
_HEIGHT = re.compile(_NUMERAL + r"\s*(?:余|多)?\s*(?:米|公尺|m)(?![²2a-z])(?<!平方米)", re.I)
HEIGHT = "m"  # the ``Asked.unit`` of a height question
_FIGURE_OF_UNIT = {"%": _PERCENT, AREA: _AREA, HEIGHT: _HEIGHT}  # units asked for by a pattern, not by measure words
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
# a plan's span in brackets (…行动计划(2022-2025), 《…规划(2022-2035年)》): what it covers, not when it was written
PLAN_SPAN = re.compile(r"\(\s*((?:19|20)\d{2})\s*年?\s*[-–—~至到]\s*((?:19|20)\d{2})\s*年?\s*\)")
# a year that opens a clause (2023年,…) frames the sentences after it; one inside a clause
# (落实…2019年度个人所得税补贴政策) names what it qualifies
_FRAMING_YEAR = re.compile(r"(?:^|[，,。；;：:！!？?\s])(?:在|于|截至|截止|到)?((?:19|20)\d{2})(?=\s*年)")
# a rank (排名第几, where did it rank) is answered by an ordinal, not by any number (连续4年入选)
_FIRST_OF_KIND = re.compile(r"首[个家批座所项只台款支条]")  # 首个石墨烯园区: the first of its kind, not a place in a ranking
_ASKS_STANDING = re.compile(r"排名|名次|排第|排在|位列|位居|\brank", re.I)
_ASKS_RANK = re.compile(r"第几|排名多少|排名如何|名次|\brank(?:s|ed|ing)?\b|(?:which|what) (?:place|position)", re.I)
# 具体排第几名, "exactly what position": the place itself, which a bracket (TOP30, 前十) does not give
_ASKS_EXACT_RANK = re.compile(r"具体|具體|确切|確切|\bexact(?:ly)?\b|\bprecise(?:ly)?\b", re.I)
_BRACKET = re.compile(r"前\S+|top\d+", re.I)
_RANK = re.compile(r"第\s*[\d一二三四五六七八九十百]+|前\s*[\d一二三四五六七八九十百]+\s*[名位强]?|top\s*\d+|榜首|首位|居首|"
                   rf"(?<![一二两三四五六七八九十\d]){_FIRST_OF_KIND.pattern}|"
                   r"\b(?:first|second|third|\d+(?:st|nd|rd|th))\b", re.I)
_LIST_NAME = re.compile(r"(?<![一二两三四五六七八九])十大|[百千]强|十佳")  # 入选十大科技新闻: which list, not a count
# an amount of change (比上一年新增了多少家) is not a level (增至751家)
_BY_HOW_MUCH = re.compile(r"\bby how much\b", re.I)
_ASKS_CHANGE = re.compile(r"(?:新增|净增|增加|增长|多了|提高|提升|上升|下降|减少|降低|涨|降)了?(?:百分之)?(?:多少|几)|"
                          r"增幅|涨幅|降幅|增速|"
                          r"by how much|how many more|how much (?:more|higher|lower)|"
                          r"how (?:much|many) .{0,60}\b(?:increase|grow|rise|fall|drop|decline|add)", re.I)
_CHANGE = re.compile(r"新增|净增|新引进|(?:增加|增长|提高|提升|上升|下降)(?![到至])|增幅|减少|降低|多了|翻[了一]?番|倍|同比|较上年|"
                     r"比上一?年|增(?=\s*[\d超近逾约]|了)|降(?=\s*[\d超近逾约]|了)|"
                     r"increas|\bgr[eo]w|\bros[e]\b|risen|\bup\b|\badded\b|doubl|year-on-year", re.I)
_PRESENT = re.compile(r"截至目前|截止目前|目前|当前|现在|至今")  # matching form (simplified)
_ANY_FIGURE = re.compile(r"\d|[一二两三四五六七八九十百千]")
_CLAUSE = re.compile(r"[，,、；;。：:!?！？]")
STATEMENT_CLAUSE = re.compile(r"[，,；;。!?！？]")  # not at 、: 增至57个、增长111% is one statement
_FIGURE_WITH_UNIT = _NUMERAL + r"\s*(?:万|亿|余|多|来)?\s*{unit}"


@dataclass(frozen=True, slots=True)
class Asked:
    """What a question asks for, beyond its words: checked against a candidate answer sentence."""

    unit: str = ""  # the measure words a count answer needs next to its number ("名人位" for 多少名), "%" or AREA
    years: frozenset[str] = frozenset()  # years the question names; an answer about another year does not fit
    rank: bool = False  # it asks for a rank: the answer needs an ordinal (第二, top 30)
    standing: bool = False  # the rank is a place in a ranking (排名第几): 首个 (the first of its kind) does not answer
    exact: bool = False  # the place itself is asked (具体排第几): TOP30 does not answer
    change: bool = False  # it asks by how much something changed: the answer needs a change (新增, 增长), not a level
    counted: str = ""  # what a count question names after its measure word (几个奖 → 奖)


def asked(question_norm: str, *, original: str = "") -> Asked:
    """The asked unit and years of a question in matching form (Chinese questions only have units),
    and whether it asks for a rank or a change, read from ``original`` too (the user's words, when
    ``question_norm`` is a machine rendering of them)."""
    unit = ""
    if _ASKS_PERCENT.search(question_norm) or _ASKS_PERCENT_EN.search(original):
        unit = "%"
    elif _ASKS_AREA.search(question_norm):
        unit = AREA
    elif _ASKS_HEIGHT.search(question_norm):
        unit = HEIGHT
    elif m := ASKED_UNIT.search(question_norm):  # 投资了多少个子基金 counts funds, it asks no amount
        unit = _UNIT_OF[m.group(1)]
    elif _ASKS_MONEY.search(question_norm):
        unit = "元"
    elif _ASKS_PEOPLE.search(question_norm):  # 参会人数是多少: people, not the 1200多家 institutions
        unit = _UNIT_OF["人"]
    if _BY_HOW_MUCH.search(original) and unit != "元":
        unit = ""  # a change in any measure (企业受检频次降63%), whatever classifier the rendering chose (降低了多少次)
    both = f"{question_norm}\n{original}"
    change = bool(_ASKS_CHANGE.search(both))
    if not unit and not change and _ASKS_MONEY_EN.search(original):
        unit = "元"  # the rendering of "total prize money" may name no amount (奖金总额是多少); not how revenue grew
    rank = bool(_ASKS_RANK.search(both))
    return Asked(unit=unit, years=frozenset(_YEAR.findall(question_norm)), rank=rank,
                 standing=rank and bool(_ASKS_STANDING.search(both)), exact=rank and bool(_ASKS_EXACT_RANK.search(both)),
                 change=change, counted=_counted(question_norm))


def _counted(question_norm: str) -> str:
    """The words right after a count question's measure word (颁了多少个奖 → 奖, 有几家科技支行了 → 科技支行),
    at most six characters; empty when the measure word ends the question (院士有几位)."""
    m = None if _EXAMPLES.search(question_norm) else ASKED_UNIT.search(question_norm)
    noun = CJK_RUN.match(question_norm, m.end()) if m else None
    return _PARTICLES.sub("", noun.group()[:6]) if noun else ""


def any_count_unit(ask: Asked) -> Asked:
    """The same question with any count classifier accepted and what it counts unchecked (money,
    percent, 倍 and 年 stay): a translator's measure word and noun are its own (多少项…人时 for person-times).
    People stay people: a translator counts them with 名 or 位 only when the question counts people
    (多少名学生 is not answered by 55项细则), unless a change is asked (多少名…比三年前多了多少倍: a multiple)."""
    counts = _UNIT_OF["个"]
    if ask.unit and all(c in counts for c in ask.unit) and (ask.unit != _UNIT_OF["名"] or ask.change):
        return replace(ask, unit=counts, counted="")
    return replace(ask, counted="")


def changes_with(text_norm: str, figures: Sequence[Number]) -> bool:
    """A clause of the text states one of ``figures`` and a change: 高层次人才超2800人,比上一年增长了
    多少? is not answered by "…院士团队增至57个、增长111%,高层次人才超2800人", whose growth is
    another figure's."""
    return any(_CHANGE.search(clause) and any(number_found(f, numbers(clause)) for f in figures)
               for clause in STATEMENT_CLAUSE.split(text_norm))


def ranks(text_norm: str) -> set[str]:
    """The ranks and orders the text gives (第二, 前十, 首个, top30), as written."""
    return {re.sub(r"\s+", "", m.group()) for m in _RANK.finditer(text_norm)}


def without_ranks(text_norm: str) -> str:
    """The text with its ranks (第7名, TOP30, 前十) and list names (十大, 百强) blanked: figures of a
    place in a list, which answer no question of size or count (种子基金规模多大 is not answered by
    引导基金TOP30, 覆盖了多少种组织 not by 入选十大科技新闻)."""
    return _LIST_NAME.sub(" ", _RANK.sub(" ", text_norm))


def _counts(text_norm: str, figure: re.Match, counted: str) -> bool:
    """Whether the figure with a measure word at ``figure`` counts what the question counts: the noun
    after it (7家科技支行) or right before it (院士59位) shares a character with ``counted``, or no noun
    follows it (超200个。, 3家纳入试点). Not 扩大授奖名额等八个方面 for 多少个奖."""
    after = CJK_RUN.match(text_norm, figure.end())
    noun = _AFTER_FIGURE.sub("", after.group())[:8] if after else ""
    if not noun:
        return True  # 超200个。: no noun follows, the figure counts what came before
    first = _posseg()[0].lcut(noun)[0]
    # 3家纳入试点, 连续4年获评: a verb follows, the figure counts what came before; but one word right
    # after the figure that opens a list is what it counts, whatever jieba tags it (四套做法:)
    at = figure.end() + len(noun)
    opens_list = first.word == noun and text_norm[at:at + 1] in (":", "：")
    if first.flag[:1] in ("v", "p", "d", "c") and not opens_list:
        return True
    before = _LEADS_FIGURE.sub("", text_norm[max(0, figure.start() - 6):figure.start()])[-2:]
    return any(c in noun or c in before for c in counted)


def unit_figure(ask: Asked) -> re.Pattern | None:
    """A figure in the asked unit (12.9万平方米 for an area, 4亿元 for money), None when none is asked."""
    return (_FIGURE_OF_UNIT.get(ask.unit) or re.compile(_FIGURE_WITH_UNIT.format(unit=f"[{ask.unit}]"))
            if ask.unit else None)


def fits_asked(ask: Asked, text_norm: str, *, before_norm: str = "", heading_year: str = "", published: str = "") -> bool:
    """Whether a sentence in matching form can answer: it holds a figure in the asked unit (an
    ordinal for a rank, a change for a change), and it names none of the other years only (a
    sentence about 2023 does not answer a question about 2024). A sentence naming no year is about
    the last year named in the text before it (``before_norm``: "2023年,…超200个。全社会研发投入首次
    突破100亿元。" does not answer about 2024), or, naming none either, about the year of the heading
    above it (``heading_year``: a report lists a year's results under 2024年:). One that states the
    present (截至目前…) is about the year its document was ``published`` in, or the one before (a
    report of January on the year just ended): not an earlier year, nor any when it gives no date."""
    figure = unit_figure(ask)
    # 第几个 is answered by 首个, 第二个 (no count); 排名第几 by 第7名, not by 首个
    ranked = ask.rank and any(not (ask.standing and _FIRST_OF_KIND.fullmatch(r)) and not (ask.exact and _BRACKET.fullmatch(r))
                              for r in ranks(text_norm))
    if figure and not figure.search(text_norm) and not ranked:
        return False
    if ask.counted and figure and not ranked and not any(_counts(text_norm, m, ask.counted) for m in figure.finditer(text_norm)):
        return False  # 八个方面 does not answer 颁了多少个奖
    if ask.rank and not ranked:
        return False
    if ask.change:  # a clause that states a change of the asked figure: not 增至751家 beside 产值增长超70%
        figure = figure or _ANY_FIGURE
        if not any(_CHANGE.search(clause) and figure.search(clause) for clause in _CLAUSE.split(text_norm)):
            return False
    if ask.years:
        spanned = {y for span in PLAN_SPAN.findall(text_norm) for y in span}  # 2021年编了什么计划: 编制…计划(2022-2025)
        stated = (set(_YEAR.findall(PLAN_SPAN.sub(" ", text_norm))) or set(_FRAMING_YEAR.findall(before_norm)[-1:])
                  or {heading_year} - {""})
        if stated and not (stated | spanned) & ask.years:
            return False
        # 截至目前 may open the sentence the clause is taken from (in ``before_norm``, after its last stop)
        if not stated and (_PRESENT.search(text_norm) or _PRESENT.search(re.split(r"[。!?！？]", before_norm)[-1])) and not (
                published[:4].isdigit() and int(published[:4]) <= int(max(ask.years)) + 1):
            return False
    return True


# a yes/no question that states a figure to check it (光明区有超过3000名高层次人才吗?): the figure, with
# the words that bound it (超过, 多, 以上) and its measure word; 第三个 is an ordinal, not a figure
_CHECKED_FIGURE = re.compile(
    r"(?<!第)(?:超过|超過|超出|多于|多於|不少于|不少於|不止|高于|高於|达到|達到|达|達|超|逾|近|将近|將近|接近|约|約|大约|大約)?"
    r"(?:\d[\d,.]*|[零〇一二两兩三四五六七八九十百千]+)\s*(?P<big>万|萬|亿|億)?\s*(?:多|余|餘)?\s*"
    r"(?P<unit>[个個项項名人位层層条條家所只隻座批届屆台臺款支件篇户戶套种種类類]|(?:万|萬|亿|億)?元)(?:以上|之多)?")
_YES_NO_WORDS = re.compile(r"是否|是不是|有没有|有沒有|有无|有無|(?:了)?[吗嗎]\s*(?=[?？]?\s*$)")
_YES_NO_AS_HOW = {"有没有": "有", "有沒有": "有", "有无": "有", "有無": "有"}


def figure_checked_as_asked(question: str) -> str:
    """A Chinese yes/no question that states one figure to check it, as the question for that
    figure (光明区有超过3000名高层次人才吗? → 光明区有多少名高层次人才?): the documents' figures
    answer it, each with its source where they differ, and a sentence that words the figure
    otherwise (超3000人) still answers. Any other question is returned unchanged."""
    figures = list(_CHECKED_FIGURE.finditer(question))
    if len(figures) != 1 or not _YES_NO_WORDS.search(question):
        return question
    figure = figures[0]
    unit = figure.group("unit")
    if unit in "届屆" and _YEAR.search(figure.group()):  # 2024届: a cohort's year, not a count
        return question
    how = f"多少{figure.group('big') or ''}{unit}"
    rewritten = f"{question[:figure.start()]}{how}{question[figure.end():]}"
    return _YES_NO_WORDS.sub(lambda m: _YES_NO_AS_HOW.get(m.group(), ""), rewritten)
