"""The no-LLM backend: answer with the passage sentences that best answer the question.

Each candidate (a passage sentence, or a run of up to three clauses of a long sentence) is
scored by

* coverage: the IDF-weighted share of the question's terms (``rag.text.terms``, matching form,
  so traditional and simplified match) that occur in it, a four-character word also in its
  short form (投入使用 → 投用), the question's year and place also in its passage (a report
  states them once, above the sentences), 0..1;
* similarity: the caller's cosine between question and candidate (multilingual-e5 cosines sit
  between about 0.7 and 0.95). In the same language it only breaks near-ties, rescaled so that
  ``SIM_FLOOR`` → 0 and ``SIM_CEIL`` → 1: measured on Chinese questions, unanswerable ones
  reach the same cosines as answerable ones. Across languages no word can match, so it is the
  evidence, and must reach ``MIN_CROSS_COSINE``;
* fit: the question's names (``rag.generation.facts.names``) occur in the candidate's document (in any of
  its retrieved passages: a chunk boundary may cut a sentence off from its subject), and it
  holds what the question asks for: a number not already in the question for
  多少/几/how many, a date for 何时/when; and, for a Chinese 多少/几/谁 question, the thing
  counted or asked about (``_focus``: 学者 in 有多少名学者入选, 规模 in 规模是多少); an ordinal
  for a rank (排名第几), and for a size or count a figure that is no rank (not TOP30), the kind of
  a ranked list (工业 of 全国工业百强区) in the sentence or the one before it, a member asked for
  alone (单独算) not in a group's figure; a change for a change (新增了多少, not 增至751家); the kind asked about
  (通用 of 通用算力规模是多少, not 智能算力规模); a term the question
  quotes (“全国工业百强区”) in the sentence or the one before it; the milestone a date question
  asks for (开工, not 投用); the district's own figure, not the whole city's (全市11所), for a
  question naming a district, and not the district's (全区院士57人) for one about the whole city;
  the thing whose size is asked (材料基因组设施 of 材料基因组设施占地多少) in the sentence or the
  one before it, not a sibling's; every word of one counted noun (硕士 of 多少硕士人才, not
  博士人才); for a which question, a name of the kind it asks for that the question does not
  give (哪家单位: an organisation, 哪几位: people, 地址: a street, 哪本期刊: a title), not a
  sentence that only mentions the thing asked about; for what there is now (现在, 实际), no
  target (吸引集聚…企业100家以上, 力争…); for how many are finished (建成, 投入运营), no count
  that takes in those being built (在建和运营数); for a thing itself (引导基金本身), not the figure
  of its parts (参与出资21只子基金、总认缴规模近300亿元); a candidate without these keeps only ``MISFIT`` of its score
  and cannot be the answer. A figure the question states itself (估值超过100亿元的) must be the
  candidate's too. For a machine rendering of the user's question, the figure or date asked
  for, names kept from the user's own words, the kind of name a which question asks for, and the
  thing whose size is asked where the documents name it, and the measure it asks (占地, 建筑面积,
  估值, 产值, 营收: 建筑面积 does not answer 占地) are required; what is counted is not (a
  translator's synonym, 价值 for 估值 or 公司 for 企业, would veto the answer).

The answer is refused (``None``) unless the best candidate fits and its evidence clears the
thresholds below. Sentences that read as instructions to an assistant ("ignore all previous
instructions…") are never candidates: passage text is data, not commands.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace

from rag.generation.backends import Evidence
from rag.generation.cite import Similarity, split_clauses, strip_markers
from rag.generation.clauses import figures_only_beside_asked
from rag.generation.facts import (
    ALONE_WORDS,
    AREA,
    ASKED_UNIT,
    CJK_RUN,
    PLAN_SPAN,
    STATEMENT_CLAUSE,
    Number,
    any_count_unit,
    asked,
    changes_with,
    contains,
    fits_asked,
    match_form,
    names,
    number_found,
    numbers,
    quoted,
    ranks,
    uncounted,
    unit_figure,
    without_ranks,
)
from rag.text import (
    BYLINE,
    CREDIT_LINE,
    asks_credit,
    fold_script,
    header_end,
    heading_year,
    language,
    load_jieba,
    split_sentences,
    stop_words,
    terms,
)
from rag.types import ChatMessage, Passage

logger = logging.getLogger(__name__)


SIM_FLOOR, SIM_CEIL = 0.80, 0.95  # cosines mapped to 0 and 1 when ranking
SIM_WEIGHT = 0.3  # weight of the rescaled similarity beside coverage when ranking (same language)
MISFIT = 0.4  # share of the score kept by a candidate lacking the asked-for kind of fact
MIN_COVERAGE = 0.5  # same language: coverage the chosen candidates need
MIN_OPEN_COVERAGE, OPEN_LEAD = 0.35, 1.2  # an open question: see ``_leads_open``
SUBJECT_PAIRS = 0.6  # share of a yes/no question's subject's character pairs that name it (``_said_of_another``)
TRANSLATED_LEAD = 1.1  # a machine rendering: see ``_leads_translated``
MIN_CROSS_COSINE = 0.82  # across languages (no shared words): raw cosine the candidates need
FOCUS_MAX_SHARE = 0.5  # a focus word in more than this share of candidates is not required
LENGTH_PENALTY = 0.02  # score taken off per 100 characters (at most 200), number/date questions
KEEP_RATIO = 0.85  # further sentences are added when they score this close to the best
DOMINANCE, MIN_DOMINANT_SCORE = 2.0, 0.5  # a lone clear answer: twice any rival's score, and this high
OTHER_DOC_RATIO = 0.6  # ... or this close, when they come from a document not cited yet
# ... and a fitting sentence too weak to answer alone for a machine rendering: many checks of what
# a sentence must hold are off for its words (they are the translator's), so a fit says less
TRANSLATED_HEDGE_RATIO = 0.75
MAX_CLAUSES = 3  # longest clause run taken from a long sentence
LONG_SENTENCE = 80  # characters; longer sentences also yield clause runs
SECTION_CHARS = 30  # longest line read as a section heading
MIN_CHARS = 8  # letters, digits or CJK characters a candidate needs (a credit line need not: 编辑:李可)

# jieba: adverb, numeral, measure (那份), preposition, time… (哪几方一起发起)
_NOT_NOUN = frozenset({"d", "m", "p", "c", "r", "t", "ad", "mq"})
_UNIT_OF_MEASURE = re.compile(r"平方米|平方公里|平米|公里|千米|公顷|亩|[万亿千百]*元|吨|小时|分钟|个月|千瓦|兆瓦")
_PREDICATE_END = frozenset({"", "了", "过", "?", "呢", "吗"})
_WORDING_TAGS = frozenset({"v", "vd", "d", "p", "c", "f", "r", "q", "t"})  # jieba: verb, adverb, …, classifier, time word
_PARTICLE_TAGS = frozenset({"d", "p", "c", "f", "r"})  # of one character (里, 在, 给), never what is asked about
# how a user asks, not what: a total (总数), the sources (各份材料说法一样吗), 统计下来, a modal verb (可以给企业用),
# a two-part question (分别要到多少); never a term to find (材料 of 新材料, 下来 of 接下来 are other words)
_TALK = frozenset("总数 总量 数目 材料 文件 文档 资料 报道 文章 来源 说法 下来 起来 出来 可以 能够 可能 应该 分别 要".split())
_FIRST = re.compile(r"首[个支家批座所项次届位只条款件台]")
_FIRST_OF = re.compile(r"第一(?=[个支家批座所项次届位只条款件])")  # 全市第一支: documents write 首支
_WHOLE = frozenset("数量 总量 总数 数目 人数 规模 队伍 群体 总和 整体".split())  # name the counted things together
_MEASURES = "规模|比例|比重|估值|数量|排名"  # words that ask for a size on their own (光明区合成生物集群估值?)
_WANTS_NUMBER = re.compile(
    rf"多少|几(?![月号])|多大|多高|多长|多久|多重(?=\s*[?？呢吗啊]|\s*$)|重量|{_MEASURES}|第几|"
    r"how (many|much|big|large|long|heavy)|"
    r"what (is|was) the (number|size|scale|amount|value|share|rank)|what number|the number of|percentage|"
    # a measure asked with what (What is the computing power of…, rendered 的算力是什么: no figure asked)
    r"what (?:is|was|will be|are) (?:the|its|their) (?:\w+ ){0,2}(?:computing power|capacity|floor area|land area|"
    r"investment|budget|valuation)\b|what (?:\w+ ){0,2}computing power\b", re.I)
# 估值10亿元以上的12家企业分别是哪些: a measure with its figure describes what is asked about; it is not asked
_MEASURE_GIVEN = re.compile(rf"(?:{_MEASURES})\s*(?:为|达到?|超过?|逾|近|约|在)?\s*"
                            r"(?=\d|[一二两三四五六七八九十百千]+[万亿]?元)")
# 要扩大哪个人才培养计划的规模: a measure something is to raise, which the question does not ask
_MEASURE_RAISED = re.compile(rf"(?:扩大|提升|提高|做大|壮大)[^,，。?？]{{0,12}}?(?:{_MEASURES})")
# "when" asks only as the question's own word (When did…, …and when, by when); in "What subsidy can firms
# get when they move in?" it is a conjunction
_WANTS_DATE = re.compile(r"何时|什么时候|哪[一几些]?年|"
                         r"哪一?个月|哪[一几]?天|哪[一几]?日|几月|几号|日期|^\W*(?:and\s+|so\s+|then\s+)?when\b|"
                         r"\b(?:and|or|but|by|since|until|till|know|say|tell (?:me|us))\s+when\b|"
                         r"(?:what|which) (?:year|date|month|day)\b", re.I)
_WHICH_ONES = re.compile(r"哪几(?![年天日])\s*[个项名人位层条家所只座批次届台款支件篇户套类种方]?")
_WHICH_KINDS = re.compile(r"哪[两二三四五六七八九十]+\s*[个项类种家所位名条只座批支款件]")  # 哪两类科技计划: 哪些科技计划
# 哪两所, 哪「五个无忧」, 两条轨分别是指什么: how many things the answer names, no figure to find
_COUNT_EACH = r"[一两二三四五六七八九十]+(?=[个条项家所只类种位名大]?[\u4e00-\u9fff]{0,3}分别)"
_WHICH_COUNT = re.compile(r"哪[“「\"]?[一两二三四五六七八九十]+|" + _COUNT_EACH)
_EACH_ASKED = re.compile(_COUNT_EACH + r".*(?:什么|哪)")
# a year, also before a name (2023光明区科技金融大会); before a measure word (2023家) it is a count
_PHASE = re.compile(r"(?<![第\d])[一二三四五六七八九十\d]期")  # 超算二期: a project's phase, not a figure it states
_YEARS_WRITTEN = re.compile(r"(?<![\d.])(?:19|20)\d{2}(?:\s*[-–—~至到]\s*(?:19|20)\d{2})?"
                            r"(?:\s*年度?|(?![\d.%]|\s*[个项名人位层条家所只座批次届倍台款支件篇户套万亿元平米]))")
# 叫什么名字, 全称是什么: the answer is a name (``_gives_name``), not a sentence about the thing named
_WANTS_NAME = re.compile(r"叫什么|叫啥|什么名字|名字是什么|名称|全称")
_WANTS_NAME_EN = re.compile(r"\b(?:the|its|their) names?\b|\bcalled\b", re.I)  # a rendering's 名称 is then the user's
# 分别是哪些, 是什么项目: the answer says which ones; a sentence that only counts them (引进2个全国重点实验室,
# 新增一个国家级…集群) does not answer (``_only_counts``); 多少, 几个 ask for the count itself
_WANTS_WHICH = re.compile(r"分别(?:是|为|叫|有)|都(?:是|有)(?:什么|哪)|哪些|叫什么|叫啥|什么名字|名称|"
                          r"是什么(?:项目|产业|行业|领域|产品|技术|企业|机构)")
_WANTS_COUNT = re.compile(r"多少|(?<!哪)几(?![乎月号])")
_COUNTED = re.compile(r"(?:\d+|[一两二三四五六七八九十百]+)\s*[个项家只所座条批种类位名支]")
_EXAMPLE_COUNTED = re.compile(r"[\u4e00-\u9fff]{2,}等\s*" + _COUNTED.pattern)  # 智能传感产业基金等3只: one named
_LISTED = re.compile(r"[\u4e00-\u9fff]{2}、[\u4e00-\u9fff]{2}|包括|分别[是为]|[：:]")
# 哪家单位牵头, 哪几位科学家, 在哪里, 哪本期刊: the answer names one (``_names_kind``); a sentence that
# only mentions the thing asked about (以建设国家生物制造产业创新中心为引领) does not answer
_WANTS_ENTITY = (
    ("person", re.compile(r"哪一?位|哪几位|哪些人|哪些科学家|是谁|有谁")),
    ("org", re.compile(r"哪一?家|哪几家|哪一?所|哪几所|谁(?:牵头|负责|管理|主导)|"
                       r"哪[个些](?:单位|机构|部门|企业|公司|银行|高校|大学|医院|团队|设施|平台)")),
    ("agent", re.compile(r"(?:[跟和与同]|(?<!面)向)谁")),  # 跟谁合作: a person or an organisation (面向谁: any audience)
    ("address", re.compile(r"地址|具体位置|门牌")),
    # not 从哪里到哪里 (a range), nor 在哪三个方面 (aspects)
    ("place", re.compile(r"在哪(?![些个一本家位所种份方])(?![一二两三四五六七八九十几]+个?方面)|"
                         r"(?<![从到])哪[里儿裡](?!到)|什么地方|哪一?个(?:街道|社区|片区|园区)")),
    ("title", re.compile(r"哪本|哪[个份种家](?:期刊|杂志|刊物)|什么(?:期刊|杂志)")),
    # 在哪个场合落地的: an event where it happened (在2023光明区科技金融大会上), not only that it did
    ("occasion", re.compile(r"(?:哪个|哪一个|什么)场合|在(?:哪个|哪一个|什么)(?:会议?|活动|大会)上?")),
)
_DEMONSTRATIVE = re.compile(r"[这那该此本][篇份个家项条座所位只]?")
_POINTING_CHARS = re.compile(r"[我你他她它们这那该此本其各每贵家所]")  # 我们公司, 这家公司: no name
_ASKS_IDENTITY = re.compile(r"哪(?![里儿裡])|什么|谁")
_ASKS_INSIDE = re.compile(r"哪|什么|谁|多少|几")
_QUOTED_SPAN = re.compile(r"“[^”]*”|《[^》]*》")  # in matching form
_WANTS_KINDS = re.compile(r"哪[一两二三四五六七八九十几些]*\s*[类种](?!子)")  # 哪两类企业: kinds (隐形冠军), not named firms
_KINDS = frozenset("单位 机构 部门 设施 平台 主体".split())  # what a which question asks for, not a word to find
_FIRM_WORDS = frozenset("公司 企业".split())  # firms: a sentence may call them either
_INDUSTRY_WORDS = frozenset("产业 集群 产业集群 行业 企业".split())  # an industry, or its firms taken together
_ORG_END = re.compile(r"(?:公司|集团|大学|学院|研究院|研究所|科学院|实验室|银行|保险|证券|医院|中心|基金|协会|联盟|团队|机构|支行)")
# a government body, named by what it does rather than by a proper noun (国家部委、省科技厅)
_GOVERNMENT_BODY = re.compile(r"部委|[\u4e00-\u9fff]{2,6}委员会|(?:科技|财政|发改|工信|人社|卫健|卫生健康|教育|商务|"
                              r"司法|市场监管|统计|科创|住建|规划|自然资源|生态环境)[部厅局委]")
# an office a person holds (管委会主任由分管副市长担任 answers who the director is)
_OFFICE = re.compile(r"副?(?:市长|区长|省长|县长|书记|主任|局长|厅长|院长|校长|部长|主席|董事长|总经理|理事长|秘书长|"
                     r"组长|所长|馆长|行长)")
_LEADER_WORDS = frozenset("领导 负责人 官员 掌门人 一把手".split())  # a person asked by rank, named by the office held
_EXAMPLES_ASKED = re.compile(r"举[一两二三几\d]?个?例子")  # 举两个例子: how many examples to give, no figure to find
_NOT_IN_SUBJECT = re.compile(r"\s+|和|与|及|、")
_KIND_WORD = "(?:" + "|".join(sorted(_KINDS)) + ")"
_KIND_COUNTED = re.compile(_KIND_WORD + r"(?:有|共有|一共有|总共有)?(?:多少|几)")  # 单位有几家
_TIMES = frozenset("年次届倍")  # measure words of 几年, 几次: a count of years or times, not of things
_ASKED_IN_TEXT = re.compile(r"[?？]\s*$")  # a sentence of the text that asks (an interviewer's question)
_PLACE_END = re.compile(r"[\u4e00-\u9fff\d]{1,8}(?:路|街道|大道|号|镇|村|园区|片区)")
_PROPER_TAGS = frozenset({"ns", "nt", "nz", "nr", "nrt", "nrfg", "j", "eng"})  # jieba: names, short forms
_KIND_TAGS = {"person": ("nr", "nrt", "nrfg"), "org": ("nt", "nz", "nrt"), "agent": ("nr", "nrt", "nrfg", "nt", "nz"),
              "place": ("ns",), "address": (), "occasion": ()}  # jieba's tags of a name of each kind
# an address names a street or a number on it (华夏路10号), not only the area (河套深圳园区)
_STREET = re.compile(r"[\u4e00-\u9fff\d]{1,8}(?:路|街|大道|巷|弄)(?![线線径徑])|\d+\s*号")
_ORG_OR_SITE_END = re.compile(rf"{_ORG_END.pattern}|网")  # which platform: a website's name answers too (南方创投网)
_EVENT_END = re.compile(r"大会|会议|论坛|峰会|博览会|交易会|洽谈会|发布会|推介会|年会|活动|典礼|仪式")
_EVENT_DATED = re.compile(r"(?:19|20)\d{2}|第[\d一二三四五六七八九十百]+[届次]")
_NAME_BEFORE_END = 6  # characters before an organisation's or a place's end that hold its name
_EVENT_NAME = 12  # an event's name is longer (2023光明区科技金融大会)
_EXAMPLE_LIST = re.compile(r"[^，。,;；、等\s]{2,12}(?:、[^，。,;；、等\s]{2,12})+等")  # 粒影生物、柏垠生物等
_MIN_MEMBER = 3  # characters of a list member a question names (not 生物 of 合成生物)
_SUPERLATIVE = re.compile(r"最(?:高|大|多|早|先|强|好|小|少|低)|第一")  # 估值最高的是哪一家: one singled out
# 基金管理人是哪家机构: who holds a role a sentence names as such (or, 由哪家机构来管理, the role's verb
# after who does it); a firm the fund invested in is no answer
_ROLE = re.compile(r"管理人|托管人|托管行|承办方|主办方|运营方|运营机构|管理机构|(?<=[由来谁])(?:管理|托管|运营|承办|主办)")
# 招商致远、东兴资本等头部基金公司: names listed as examples of a kind (firms' names rarely end in it)
_EXAMPLES_OF = re.compile(r"((?:[^、,，。；;：:等]{2,}、)+[^、,，。；;：:等]{2,})等"
                          rf"([\u3400-\u9fff]{{0,6}}?(?:企业|{_ORG_END.pattern}))")
_KIND_ENDS = {"org": _ORG_OR_SITE_END, "agent": _ORG_END, "place": _PLACE_END, "address": _STREET, "occasion": _EVENT_END}
_LATIN_NAME = re.compile(r"[A-Za-z][A-Za-z0-9&\-]+")  # TCL, R&D
_LATIN_RUN = re.compile(r"[A-Za-z0-9&\-]*[A-Za-z][A-Za-z0-9&\-]*(?:\s+[A-Za-z0-9&\-]*[A-Za-z][A-Za-z0-9&\-]*)+")  # TCL CSOT
# not "which company": firms' names (招商致远) rarely end in the word for their kind, as these do
_WANTS_ORG_EN = re.compile(r"\bwhich\s+(?:[\w'-]+\s+){0,3}?(?:institutions?|institutes?|universit(?:y|ies)|banks?|"
                           r"hospitals?|organi[sz]ations?|agenc(?:y|ies))\b", re.I)
# technologies and measures written in Latin letters, not names of an organisation (GIS应用 built by whom?)
_WHOSE_EN = re.compile(r"\s*whose\b", re.I)
_LATIN_TERMS = frozenset("ai aigc gis gps gdp it ip iot app vr ar".split())
_NAME_TAGS = frozenset({"nz", "nt"})  # jieba: other proper noun, organisation
_VERBS_TAGGED_NAMES = frozenset("印发 力争 必争 申报 扬帆".split())  # verbs jieba's dictionary tags nz
_PERSON_TAGS = frozenset({"nr", "nrt", "nrfg"})  # a person: only when one is asked for (jieba tags 金白银 so too)
_PLACE_LIKE = re.compile(r"[城区市省县镇村路街园港湾]$")  # jieba tags 科学城 as a person's name too
_PERSON_ASKED = re.compile(r"(?:长|书记|主任|领导|人|者|士|家|员|手)(?:的名字|叫什么|叫啥)")
_THOSE_FEW = re.compile(r"[这那]几\s*[个项家只所座条批种类位名支]?")
_GROUP_ASKED = re.compile(r"[这那][几些]|加起来|合起来|合计|总和")  # the group a member named is listed in
_EXAMPLES = re.compile(r"比如|例如|譬如|像|这类|之类|等")
_PLACE_SUFFIX = frozenset("区市省县镇村")  # 光明 + 区: the end of a place name, not the start of a noun
_ITEM_JOINS = frozenset("、和与及等")  # what stands between the items of a list (A、B和C等)
_GOVERNING = re.compile(r"围绕|依托|面向|聚焦|针对|借助|利用|服务于|助力")  # prepositions that take a noun as their object
# 国创中心预计哪一年建成: words between the thing dated and the asking words, not part of it
_BEFORE_WHEN = frozenset("是 预计 计划 将 将要 会 要 打算 准备 大概 大约 能 可以 可能 于 在".split())
_ROUND_FIGURE = re.compile(r"(?:超|近|上|数|逾|约|过)[百千万][人家个项名位所只条座批种次]")  # 超百人, 上千家
_LAND_WORDS = frozenset("土地 用地 面积 占地".split())
_TIME_WORDS = frozenset("时间 时间跨度 跨度 日期 年份 时候 期限 年限 时段 周期".split())
_YEAR_NAMED = re.compile(r"(?<![\d.])((?:19|20)\d{2})\s*年")
_ITEM = r"[“\"]?[\u4e00-\u9fff]{2,}[”\"]?"
# A+B+C, A、B和C, A、B等 (等 says the list goes on; not the 等 of 高等院校, 平等, 等级)
_ENUMERATION = re.compile(rf"{_ITEM}(?:[、+]{_ITEM}){{2,}}|{_ITEM}(?:[、+]{_ITEM})+(?:和|及|以及){_ITEM}|"
                          rf"{_ITEM}、{_ITEM}(?<![高平相对對同初中均优優上头頭特])(?=等(?![级級]))")
_PAIR = re.compile(rf"{_ITEM}(?:和|与|及){_ITEM}")
_QUOTE_CHARS = re.compile(r"[“”\"《》]")  # in matching form
# a section heading ((二)探索新型举国体制深圳路径) names a topic; it answers no open question about it
_HEADING = re.compile(r"^\s*(?:[（(][一二三四五六七八九十]+[)）]|[一二三四五六七八九十]+、)[^。；;，,]{0,36}$")
# what a byline ((鄧紅麗), ``rag.text.BYLINE``) says without the words: it is matched as if it wrote them
_BYLINE_SAYS = "报道、报导、文章的作者、记者、撰稿:"
_PLACE_BY_SIZE = re.compile(r"第[\d一二三四五六七八九十两]+[大小多少高低长短早晚快慢强弱]")
_ORDINAL = re.compile(r"第[\d一二三四五六七八九十百]+")
_LIST_REST = re.compile(r"(?<=除了).*")  # after 除了A和B: 第三个 counts a list's members, not a place in an order
_SESSION = re.compile(r"[\d一二三四五六七八九十]+届(?:[\d一二三四五六七八九十]+次)?")  # 二届二次党代会: a meeting's name
_BODY_KIND = re.compile(r"(?:大学|学院|股份有限公司|有限公司|公司|集团)$")  # left out of a short name
MIN_SHORT_NAME = 4  # characters of a name left without its kind (香港理工), at least
# words a question and a report use for the same thing (改革举措 for 改革措施, 营收增幅 for 营收增长):
# the checks of what a sentence must name accept either; only words that mean the same in any report
_SYNONYM_GROUPS = ("举措 措施", "增幅 增长 增速 涨幅", "营业收入 营收", "排名 名次 排位",
                   "建成 建好 盖好 落成 竣工", "开工 动工 开建 启动建设", "落户 入驻", "数量 数目 总量", "经费 资金", "补贴 补助",
                   "签订 签署", "引进 引入", "推出 出台", "目前 当前", "设立 成立", "次数 频次",
                   "奖 奖项 荣获 获评 榜单")  # 拿了什么奖, 上过哪个榜单: 荣获“…TOP30” names the award
_SAME_MEANING = {w: [o for o in group.split() if o != w] for group in _SYNONYM_GROUPS for w in group.split()}
_COUNT_WORD = re.compile(r"[\d一二两三四五六七八九十百千]")  # 三级, 两地: a numeral opens it
# a parenthesis in Latin letters in a rendering glosses the word before it ("academicians (CAS/CAE
# members)" → 院士（CAS/CAE 成员）): the documents write neither the gloss nor its words
_LATIN_ASIDE = re.compile(r"[(（][^()（）]*[A-Za-z][^()（）]*[)）]")
# a count after the list it counts (国家、省、市三级, 深圳、香港两地): the question names the items
_LIST_COUNT = re.compile(r"(?P<items>[\u4e00-\u9fff]+(?:、[\u4e00-\u9fff]+?)+)(?P<n>[两二三四五六七八九十]|\d+)"
                         r"(?=[级个地方家类项大])")
# a plan's span is asked for (规划期从哪一年到哪一年, "Which years does the plan cover?")
_SPAN_ASKED = re.compile(r"[到至]哪|哪[几幾些]年|年份|期限|跨度|年限|覆盖|涵盖|期间|时间段"
                         r"|\b(?:which|what)\s+years\b|\bcover|\bspan|\bperiod\b", re.I)
_DATE = re.compile(r"\d{4}\s*年|\d{1,2}\s*月|\d{1,2}\s*日|\d{4}-\d{1,2}|(19|20)\d{2}")
_INSTRUCTION = re.compile(
    r"(ignore|disregard|forget)\b.{0,30}\b(instruction|prompt|rule|above|previous)|system prompt|"
    r"\b(reply|respond|answer|say|output)\b.{0,20}\b(only|with|exactly)\b.{0,20}[\"'“]?[A-Z]{3,}|"
    r"(忽略|无视|忘记|忘掉).{0,12}(指令|指示|提示|规则|要求|说明|以上|之前|前面)|"
    r"(只|仅)(回复|回答|输出|说)|你(现在)?是.{0,10}(助手|模型|AI)|系统提示",
    re.I,
)


_ASKING_PART = re.compile(r"(?:担任|任)?什么(?:职务|职位|头衔)|" + _EXAMPLES_ASKED.pattern + "|"
                          r"什么(?:样|类型|种类)的?|哪种类型的?|怎么?样的?|"
                          r"哪[两二三四五六七八九十\d]+\s*(?:[个项类种家所位名条只座批支款件](?:类型的?)?)?|(?:多少|几)\s*[个项名人位层条家所只座批次届倍台款支件篇户套]?|哪一?年|哪个月|哪天|"
                          r"什么时候|何时|第几|哪些|哪几\s*[个项类种家所位名条只座批支款件]?" + _KIND_WORD + "|哪几|"
                          r"哪一?[个只家所位项条座批支款件种类]" + _KIND_WORD + r"?|什么|谁|多大|多高|多长|多久|是否|"
                          r"最(?:大|小|高|低|多|少|早|晚|长|短|快)")  # 规模最大的是哪只: the answer compares
_ASKS = re.compile(r"^(多少|几|第几|多大|多高|多长|多久|谁|哪些)")
_SAY = "(?:表示|说|說|介绍|介紹|指出|认为|認為|强调|強調|坦言)"
# who says the quote before it (”光明区委主要领导表示,…)
_ATTRIBUTION = re.compile(r"^\s*[^，,。；;“”「」]{2,30}?" + _SAY)
_SAYS = re.compile(_SAY + r"\s*[，,:：]?\s*$")  # who says the quote after it (她说,“…)
SHORT_NAME, SHORT_NAME_REACH = 4, 12  # a short form: a name's last 4 characters, in a sentence's first 12
_PLACE_FIRST = re.compile(r"^[\u3400-\u9fff]{2,3}[省市区县]")
_NAME_START = re.compile(r"[的是在由和与及为将把对从向]")  # a name follows these words (最令人熟知的是深圳市…)
# a sentence opening with a demonstrative (这座“生物铸造厂”,投资超7亿元) is about what the sentence before names
_SAME_YEAR = re.compile(r"^(?:同年|是年|同一年)")
_POINTS_BACK = re.compile(r"^(?:这|這|该|該|此|其|它)(?:座|个|個|一|些|项|項|里|裡|家|所|条|條|批|位|名|些)?")
_CLAUSE_BREAK = re.compile(r"[，。？！?!,;；：:]")
# from 百分之 on: how a figure is asked for (目标定了多少), not what is counted; 整体估值 is the 估值 of all
_FILLER = frozenset("的 了 是 有 为 共 约 达 达到 在 将 会 能 可 已 呢 吗 么 请问 一共 总共 大约 大概 左右 以上 以下 差不多 "
                    "百分之 百分比 比例 比重 占比 几成 几倍 人数 人次 数量 目标 指标 整体 总体 全部 合计 总计".split())
_VAGUE = frozenset("东西 内容 事情 事项 情况".split())  # 包括哪些东西: asks what, naming no kind to find
_AFTER_WORDS = frozenset("后 以后 之后 前 以前 之前 时".split())  # 建成后的: when, not whose
_ATTRIBUTES = frozenset("占地 占地面积 面积 建筑面积 规模 投资 估值 产值 营收".split())  # what ``_measured`` reads
# a project's milestones: a date question asks for one (哪一年开工建设的), and a sentence dating
# another (2023年投用的光明科技金融大厦), or none (2024年实现企业总量超60家), does not answer it
_MILESTONES = tuple(re.compile(p) for p in (
    r"开工|开建|动工|奠基|破土|启动建设|开始建设",
    r"建成(?!果)|完工|竣工|落成",  # not 共建成果转化
    r"封顶",
    r"投用|投入使用|启用|投入运营|投运|开放|开园|开业|点亮",
    r"成立|揭牌|挂牌|组建",
    r"获批|批复|批准|批下",
))
_FIGURE_AFTER = r"[^，。,;；、\d]{0,10}?(?:\d+(?:\.\d+)?|[一二两三四五六七八九十百千]+)"  # up to the clause's first figure
# a question naming a district (a two-character name and 区: 光明区, not 园区, 湾区, 示范区) is about
# it, though it may name the city as the source of something (获得了深圳市科研资金), unless it asks
# about the whole of a wider place; the figure of one scope does not answer for the other (a role is
# no district: 集中承载区, 先行启动区)
_DISTRICT = re.compile(r"[\u4e00-\u9fff][^\W\d园社湾城片辖范验发新景校院厂税港载动]区")
# 全市11所高等院校; not a share or rank within it (占全市四分之一, 居全市第一: the district's own figure)
_WIDER_FIGURE = re.compile(r"(?<![占居列位排])全[市省国]" + _FIGURE_AFTER)
_DISTRICT_SCOPE = re.compile(r"全区|" + _DISTRICT.pattern)  # 全区院士57人
_WIDER_PLACE = re.compile(r"全[市省国]|全深圳|整个深圳|深圳全市|"
                          r"\b(?:as a whole|city-?wide|(?:whole|entire) city|nationwide)\b", re.I)
# the world as the scope asked (在全球科技城里排第几): a national list's rank or count does not answer
_DATE_PART = re.compile(r"(?<![\d.])(?:\d{1,2}\s*(?=[月日号])|(?:19|20)\d{2}\s*(?=年))")  # 7 of 7月, 2024 of 2024年
# 最早落地的是哪家: which came first; a sentence that lists them names no first one
# (not 第一个: 哪个团队开发了世界上第一个… asks who made a first, not which came first)
_FIRST_ASKED = re.compile(r"最早|最先")
_FIRST_STATED = re.compile(r"最早|最先|首[家个只所座位批支台次创]|第一[家个只所座位批支台]|率先")
_WORLDWIDE_ASKED = re.compile(r"全球|世界|\b(?:global\w*|world\w*)\b", re.I)
_WORLDWIDE = re.compile(r"全球|世界|国际|\b(?:global\w*|world\w*|international\w*)\b", re.I)
# from abroad (海外, overseas): a scope of its own; the figure for everyone does not answer how many
# of them came from overseas (中国国际人才交流大会 names no origin of whom it counts)
_ABROAD = re.compile(r"海外|国外|境外|外籍|外国|海归|留学|\b(?:overseas|foreign\w*|abroad)\b", re.I)
# 现在有多少家, 实际做到了多少: what is, not what is planned (吸引集聚…企业100家以上, 力争…): a target
# does not answer it
_ACTUAL_ASKED = re.compile(r"现在|目前|实际|已经|至今|现有|截至|截止")
_TARGET_ASKED = re.compile(r"计划|目标|打算|希望|准备|预计|争取|力争|要|将")
_TARGET_STATED = re.compile(r"力争|目标|计划|预计|争取|到20\d\d年|\d\s*[^\d\s，。,;；]{0,3}以上\s*(?=[，。,;；]|$)")
_DENIED = re.compile(r"(?:而?不是|并非|而非|不要|不用)[^，。,;；?？]*")  # 我问的是实际数,不是目标; 不要目标数: not what is asked
_ACTUAL_STATED = re.compile(r"已|累计|截至|截止|共有|现有")
# 再新增出资几只子基金: how many are added, which a running total (已参与出资21只) does not say
_ADDED_ASKED = re.compile(r"新增")
_ADDED_STATED = re.compile(r"新增|新(?:引进|获|建|设|落地|入驻|认定|培育|招引)|增加")
# 一共有多少所: a count of those that did something (11所高等院校获…支持) does not answer, ``_counts_some``
_TOTAL_ASKED = re.compile(r"一共|总共|共有|总数|总计|合计")
_PART_OF = re.compile(r"(?P<set>[\u4e00-\u9fff]{4,})(?:中|里|里面|当中|之中)\s*[，,]")
_COUNT_BEFORE = r"(?:\d+|[一两二三四五六七八九十百千]+)\s*[个项家只所座条批种类位名支]?\s*"
# 已经建成投入运营的有几个: a count that takes in those still being built (在建和运营数达到20个) does not answer
_FINISHED_ASKED = re.compile(r"建成|竣工|完工|投入运营|正式运营|已经?运营|投运|投用|投入使用")
_UNFINISHED = re.compile(r"在建|建设中|正在建设")
_ALONE = re.compile(ALONE_WORDS)
_PARTS = re.compile(r"子基金|子公司|下属|旗下|参与出资")  # 引导基金本身的规模: not its sub-funds' total
# a yes/no question asks whether its predicate holds (是否已经通过竣工验收, 是由光明区引导基金出资设立的吗):
# a sentence that does not state that predicate answers nothing, however much else it shares
_YES_NO = re.compile(r"是否|是不是|有没有|有无|能否|可否|能不能|会不会")
_YES_NO_END = re.compile(r"(?:是|能|会|有|已经|已|可以|要|将)([^，。,;；]*?)吗\s*[?？]?\s*$")
# words that hedge what a yes/no question asks (对外开放 is asked by its 开放)
_HEDGES = frozenset("已经 目前 现在 如今 今年 真的 确实 类似 相关 相应 正式 具体 之前 以后 之后 对外".split())
# a why question asks for a reason: a sentence stating what was done, with no reason, does not answer
_WHY = re.compile(r"为什么|为何|为啥|什么原因|原因是什么|\bwhy\b", re.I)
_REASON = re.compile(r"因为|由于|为了|旨在|得益于|依托|凭借|基于|鉴于|原因|所以|因此|因而|是为|以便|目的|为此")
# a date question asks for a day or a month: a year (or a month for a day) is not that date
_WANTS_MONTH = re.compile(r"哪一?个?月|几月|什么月份|which month", re.I)
_WANTS_DAY = re.compile(r"哪[一几]?天|哪[一几]?日|几月几[日号]|几号|具体日期|什么日子|which day|what (?:date|day)", re.I)
_MONTH = re.compile(r"\d{1,2}\s*月|[一二三四五六七八九十]{1,3}月|(?:19|20)\d{2}-\d{1,2}(?!\d)")  # not 2022-2035
_DAY = re.compile(r"\d{1,2}\s*[日号]|[一二三四五六七八九十]{1,3}[日号]|(?:19|20)\d{2}-\d{1,2}-\d{1,2}")
# the kind of a ranked list (工业 of 全国工业百强区, 科技城 of 全国科技城百强榜): another list's rank does not answer
_LIST_KIND = re.compile(r"(?<=全国|全省|全市|中国|全球)([\u4e00-\u9fff]{2,4}?)(?:百强|[十百千]佳|\d+强)")


def _yes_no_predicate(question_norm: str) -> list[str]:
    """The terms of what a yes/no question asks to hold (通过, 竣工, 验收 of 是否已经通过竣工验收),
    or none for another kind of question."""
    if m := _YES_NO.search(question_norm):
        asked_part = question_norm[m.end():]
    elif m := _YES_NO_END.search(question_norm):
        asked_part = m.group(1)
    else:
        return []
    asked_part = _CLAUSE_BREAK.split(asked_part)[0]
    words = [t for t in terms(_FIRST_OF.sub("首", asked_part), guessed=False)
             if _content_word(t) and t not in _HEDGES and t not in _TIME_WORDS]
    # 对外开放 is asked by its 开放 (the search form also gives the compound)
    return [t for t in words if not any(t != u and t.endswith(u) and t[:-len(u)] in _HEDGES for u in words)]


def _yes_no_subjects(question_norm: str, predicate: Sequence[str]) -> list[str]:
    """What a yes/no question asks its predicate of: the runs of nouns before the predicate (国家生物
    制造产业创新中心 of …现在已经投入使用了吗), of four characters or more."""
    first = min((i for t in predicate if (i := question_norm.find(t)) >= 0), default=len(question_norm))
    return [run for run in _NOT_IN_SUBJECT.split(_subject_words(question_norm[:first])) if len(run) >= 4]


def _said_of_another(text_norm: str, predicate: Sequence[str], subjects: Sequence[str], question_norm: str) -> bool:
    """The clause stating a yes/no question's predicate has a subject of its own (光明生物医药创新中心
    投入使用, asked whether 国家生物制造产业创新中心 is in use): before the predicate it names a noun
    the question does not hold, and not one of the question's ``subjects`` (``_yes_no_subjects``),
    which may be worded otherwise (生物制造领域国家产业创新中心) or listed
    (合成生物研究、脑解析与脑模拟三大科学设施): most of its character pairs are there."""
    for clause in _CLAUSE_BREAK.split(text_norm):
        at = [i for t in predicate for i in (clause.find(t), clause.find(t[0] + t[-1]) if len(t) == 4 else -1) if i >= 0]
        if at:
            before = clause[:min(at)]
            return not any(_pairs_within(run, before) >= SUBJECT_PAIRS for run in subjects) and any(
                tag[:1] in "nj" and len(word) >= 2 and word not in question_norm and tag != "t"
                for word, tag in _tags(before).items())
    return False


def _pairs_within(phrase: str, text: str) -> float:
    """The share of the phrase's character pairs that occur in the text."""
    pairs = _pairs(phrase)
    return sum(p in text for p in pairs) / len(pairs) if pairs else 0.0


def _pairs(text: str) -> set[str]:
    """The text's character pairs (bigrams)."""
    return {text[i : i + 2] for i in range(len(text) - 1)}


def _subject_words(text_norm: str) -> str:
    """The text with its words that cannot be part of a name (particles, adverbs, prepositions,
    times, numerals) replaced by a space."""
    return "".join(p.word if p.flag[:1] in "nvjb" and p.word not in _HEDGES and p.word not in ("在", "有", "是")
                   else " " for p in load_jieba().posseg.cut(text_norm))


def _asking_at(words: Sequence[str]) -> int | None:
    """Where the asking word of a segmented question is (多少, 几, 谁…; 多 + 大 as jieba splits 多大)."""
    return next((i for i, w in enumerate(words) if _ASKS.match(w) or (
        w == "多" and i + 1 < len(words) and words[i + 1][:1] in "大高长久")), None)


def _content_word(word: str) -> bool:
    """A Chinese word of two or more characters that is not a filler (的, 一共, 数量…) nor a word
    that carries nothing (``rag.text.stop_words``: 这边 of 光明这边的院士)."""
    return len(word) >= 2 and word not in _FILLER and word not in stop_words() and CJK_RUN.fullmatch(word) is not None


def _mentions(text_norm: str, word: str) -> bool:
    """``word`` is named as ``_names_org`` reads it, or, for a compound of three or more characters,
    by its first two (占地面积 → 占地, 科技进步奖 → 科技进步: documents abbreviate)."""
    return (_names_org(text_norm, word) or (len(word) >= 3 and word[:2] in text_norm)
            or (len(word) == 2 and word[1] in "种类级" and word[0] in text_norm))  # 险种: 创业险、研发险; 市级: 国家、省、市


def _abbreviated(text_norm: str, word: str) -> bool:
    """A four-character word occurs in a usual short form: its first character with the first or
    the last of its second half (科技创新 → 科创, 投入使用 → 投用)."""
    return (len(word) == 4 and re.fullmatch(r"[\u3400-\u9fff]{4}", word) is not None
            and (word[0] + word[2] in text_norm or word[0] + word[3] in text_norm))


def _covers(text_norm: str, term: str, terms: Iterable[str]) -> bool:
    """``term`` occurs in the text: as it is, as the short form of a four-character word there
    (高校 for 高等院校), or inside a question word the text shortens (使用 of 投入使用, when the
    text says 投用), or in another word of the same meaning (``_SAME_MEANING``)."""
    return (term in text_norm or _shortens(term, text_norm)
            or any(term in w and _abbreviated(text_norm, w) for w in terms)
            or any(other in text_norm for other in _SAME_MEANING.get(term, ())))


def _names_org(text_norm: str, word: str) -> bool:
    """``word`` occurs in the text, or it is the short form of a word there (高校), or the text says it
    with another word of the same meaning (``_SAME_MEANING``); not by its first two characters, as
    ``_mentions`` allows: an organisation's name is written whole (科学城母基金 is not named by
    光明科学城种子基金…天使母基金)."""
    return word in text_norm or _shortens(word, text_norm) or any(o in text_norm for o in _SAME_MEANING.get(word, ()))


def _shortens(term: str, text_norm: str) -> bool:
    """``term`` is the short form of a four-character run of the text (高校: 高等院校, 科创: 科技创新)."""
    if len(term) != 2 or not re.fullmatch(r"[\u3400-\u9fff]{2}", term):
        return False
    return re.search(f"{term[0]}[\u3400-\u9fff](?:{term[1]}|[\u3400-\u9fff]{term[1]})", text_norm) is not None


def focus_words(question_norm: str) -> list[str]:
    """What a 多少/几/谁 question counts or asks about.

    Up to two words after the question word (多少名**学者**); when nothing follows in its clause,
    two words before (**规模**是多少), not past a 的 (大厦的**总投资**是多少 asks about the
    investment, not the building), joined when they make one noun (**脑科学企业**有多少家).
    The verb before a counted noun (聚集了多少家企业) is not required: documents say the same
    with other verbs (汇聚).
    One-character words (measure words such as 名, 个) and fillers (的, 了, 是, 有) are skipped.
    """
    return _focus(question_norm)[0]


def figure_focus(question_norm: str) -> list[str]:
    """``focus_words`` of a question that asks for a figure (院士 of 光明区的院士数量是多少), else []:
    what several documents may each state with a figure of their own."""
    asks = _THOSE_FEW.sub("这些", _WHICH_ONES.sub("哪些", question_norm))  # 哪几家, 那几个: which ones, those
    return focus_words(question_norm) if _WANTS_NUMBER.search(asks) else []


def _focus(question_norm: str) -> tuple[list[str], bool]:
    """``focus_words``, and whether they follow the question word."""
    # the measure word belongs to 多少/几, not to the noun (多少个子基金 must not segment as 个子 + 基金)
    words = load_jieba().lcut(ASKED_UNIT.sub(r"\g<0> ", question_norm))
    at = _asking_at(words)
    if at is None:
        return [], False
    tags = _tags(question_norm)
    verbs = {w for w, tag in tags.items() if tag in ("v", "vd")}

    def content(seq: Sequence[str], limit: int, *, before: bool = False) -> list[str]:
        out: list[str] = []
        for i, w in enumerate(seq):
            if _CLAUSE_BREAK.search(w) or len(out) == limit or (before and w == "的"):
                break
            # after the question word the predicate ends what is counted: 几所高校获得了…, 哪几方一起
            # 发起的 (a verb before no noun), 哪几家单位合作搭建 (a verbal noun before a verb); a verb
            # before a noun modifies it (多少家合成生物企业)
            following = seq[i + 1] if i + 1 < len(seq) else ""
            # 几条改革举措?: a noun jieba tags as a verb (举措) ends the question after a verbal noun
            noun_pair = (not out and tags.get(w) == "vn" and len(following) >= 2 and following in verbs
                         and _ends(seq, i + 1)) or (
                i > 0 and out == [seq[i - 1]] and tags.get(seq[i - 1]) == "vn" and len(w) >= 2 and _ends(seq, i))
            if not before and not noun_pair and ((w in verbs and (out or not tags.get(following, "").startswith("n")))
                               or (tags.get(w) == "vn" and (following in verbs or following in _PREDICATE_END))  # 跟谁合作了
                               or (out and tags.get(w) in ("p", "c", "d"))):  # 多少家企业在光明落户: not 光明
                break
            # 起降点规划了几个: 规划 acts as a verb; 具体有多少: an adjective before a verb is an adverb
            acts = before and i > 0 and (seq[i - 1] in ("了", "过") or (tags.get(w) == "a" and seq[i - 1] in verbs))
            # 投了多少钱, 光明区有多少: a verb jieba joined to its 了 or a 有 it took in (区有) asks nothing
            acts = acts or (before and len(w) == 2 and w[-1] in "了过有")
            # (最多能 of 补贴面积最多能申请多少: jieba joins the superlative to its modal verb; it says how much, not of what)
            if len(w) >= 2 and w not in _FILLER and w not in _VAGUE and not _ASKS.match(w) and re.search(r"[\u3400-\u9fff]", w) \
                    and not w.startswith("最") \
                    and tags.get(w) not in _NOT_NOUN and not (before and w in verbs) and not acts:  # 获得了多少个: not 获得
                out.append(w)
        return out

    following = words[at + 1 :]
    if following and _UNIT_OF_MEASURE.fullmatch(following[0]):  # 多少平方米: how it is measured, not what
        following = following[1:]
    if words[at] == "多" and following and len(following[0]) > 1:  # 多大规模: jieba's 多 + 大规模 asks 多大 of 规模
        following = [following[0][1:], *following[1:]]
    clause = next((i for i, w in enumerate(following) if _CLAUSE_BREAK.search(w)), len(following))
    # 多少个国家、省、市级的重点科研项目: what is counted is the noun after the 的, when nothing is said of it there
    # (多少家企业的GDP超过1亿元 counts 企业)
    de = next((i for i in range(clause - 1, -1, -1) if following[i] == "的"), None) \
        if words[at] in ("多少", "几", "多") else None
    # (only when no verb stands before the 的 either: 多少位学者跻身…的科学家行列 counts 学者)
    if de is not None and content(following[de + 1 : clause], 2) \
            and not any(tags.get(w, "").startswith("v") for w in following[:clause] if w != "的"):
        following = following[de + 1 :]
    after = content(following, 2)
    if after:
        return after, True
    before = content(words[:at][::-1], 2, before=True)
    if len(before) == 2 and _one_noun(words[:at], before[::-1]) and tags.get(before[0], "").startswith("n") \
            and not verbs & set(before):  # 联合体发展到几个: a compound ends in a noun
        return ["".join(before[::-1])], False  # 脑科学企业有多少家: one compound (``_mentions`` takes its head too)
    return before, False


def _modifier(question_norm: str, focus: Sequence[str]) -> str | None:
    """The word right before a compound asked about (通用 of 通用算力规模是多少): which kind of it
    is asked for. A sentence about another kind (智能算力规模超62E) does not answer."""
    if len(focus) != 1:
        return None
    words, tags = load_jieba().lcut(question_norm), _tags(question_norm)
    for i in range(1, len(words) - 1):
        if words[i] + words[i + 1] == focus[0]:
            word, tag = words[i - 1], tags.get(words[i - 1], "")
            if _content_word(word) and tag[:1] in ("n", "v", "a", "b", "j") and tag not in ("nr", "ns", "nt") \
                    and not _COUNT_WORD.match(word):  # 三级重点项目: how many levels, not which kind
                return word
    return None


def _owner(question_norm: str, focus: Sequence[str], counts: bool) -> str | None:
    """The compound noun whose attribute an "X的Y是多少" question asks for (种子基金 in
    光明科学城种子基金的规模是多少): the two words right before the 的 that ends before the
    asked-about words. None for a single word before 的 (光明区的: places are checked as names).
    ``focus`` and ``counts`` are the question's ``_focus``."""
    words = load_jieba().lcut(question_norm)
    at = _asking_at(words)
    if at is None or counts:
        return None
    # 区级智算中心,算力规模是多少: a comma ends the owner as a 的 does, when the clause after it asks only the attribute
    de = next((i for i in range(at - 1, 1, -1) if words[i] in ("的", ",", "，")), None)
    tags = _tags(question_norm)
    if de is None and at >= 3 and words[at - 1] in _ATTRIBUTES:
        pair = words[at - 3 : at - 1]  # 光明科学城母基金规模多大: the attribute right after its owner, no 的 between
    else:
        asked_about = [w for w in words[de + 1 : at] if len(w) >= 2 and w not in _FILLER] if de else []
        split = bool(set(asked_about) - set(focus))  # 算力+规模 for the focus 算力规模
        if de is None or not asked_about or (split and "".join(asked_about) != "".join(focus)):
            return None  # 落户光明的3只产业基金加起来规模多大: what follows 的 is more than the attribute (算力+规模 is 算力规模)
        pair = words[de - 2 : de]
        if words[de] == "的" and split and pair[-1] not in _AFTER_WORDS \
                and any(tags.get(w, "")[:1] not in ("n", "j") for w in pair):
            return None  # before a split attribute, the owner is held to nouns (not 正在+建设的)
    verbs = {w for w, tag in tags.items() if tag in ("v", "vd")}  # as ``_verbs`` reads them
    if len(pair) == 2 and pair[1] in _AFTER_WORDS and pair[0] in verbs and de is not None:
        # 鹏城云脑Ⅲ建成后的算力规模: the thing before the time it is asked at (a numeral after a name dropped)
        pair = [w for w in words[: de - 2] if CJK_RUN.fullmatch(w)][-2:]
    if pair and _DEMONSTRATIVE.fullmatch(pair[0]):
        return None  # 这篇报导的作者: the document the question names, not a thing to find in a sentence
    if len(pair) == 2 and len(pair[0]) == 1 and tags.get(pair[0]) == "n" \
            and pair[0] not in _PLACE_SUFFIX and len(pair[1]) >= 2:
        return "".join(pair)  # 母基金 of 科学城母基金的总规模 (jieba: 母 + 基金): not another 基金
    if all(_content_word(w) for w in pair) and pair[-1] not in verbs:  # the head decides: 创新中心 names a thing
        return "".join(pair)
    return None


def _dated(question_norm: str) -> list[str]:
    """The thing whose date a "X是什么时候…" question asks (河套创新中心 of 光明科学城河套创新中心是什么时候
    揭牌的): the words of the noun run right before the asking words, back to a verb, 的 or a
    clause break. A date of another thing in the same sentence (国创中心…启动建设) does not answer."""
    words, tags = load_jieba().lcut(question_norm), _tags(question_norm)
    # (是哪个月办的: 哪个 with the unit of time after it asks the date too)
    at = next((i for i, w in enumerate(words) if _WANTS_DATE.fullmatch(w) or w in ("什么", "何时")
               or (w.startswith("哪") and words[i + 1:i + 2] in (["年"], ["月"], ["天"], ["日"]))), None)
    if at is None:
        return []
    while at and words[at - 1] in _BEFORE_WHEN:
        at -= 1
    return _noun_run(words[:at], tags)


def _only_governed(word: str, *texts: str) -> bool:
    """In the first of ``texts`` that holds ``word`` (the sentence, the one before it, its passage),
    every mention of it is the object of a preposition in its clause (围绕…大科学装置, 依托…): that
    text is about something else, and its date is that thing's (在2023年的大会上,种子基金落地,
    围绕大科学装置… does not say when the facilities opened)."""
    text = next((t for t in texts if word in t), "")
    spans = [m.start() for m in re.finditer(re.escape(word), text)]
    return bool(spans) and all(
        _GOVERNING.search(text[max((b.end() for b in _CLAUSE_BREAK.finditer(text, 0, at)), default=0):at])
        for at in spans)


def _measured(question_norm: str) -> list[str]:
    """The thing whose size a "X占地多少…" question asks, with no 的 between them (材料基因组设施
    of 材料基因组设施占地多少平方米): the noun run right before the measure (``_ATTRIBUTES``).
    The size of a sibling (这座“生物铸造厂”…占地约3万平方米) does not answer."""
    words, tags = load_jieba().lcut(question_norm), _tags(question_norm)
    at = next((i for i, w in enumerate(words) if _ASKS.match(w) or w == "多"), None)
    if at is None:
        return []
    while at and words[at - 1] in ("是", "有", "约", "达", "为"):
        at -= 1
    if not at or words[at - 1] not in _ATTRIBUTES:
        return []
    at -= 1
    if at and words[at - 1] == "总":
        at -= 1
    run = set(_noun_run(words[:at], tags))
    # places are checked as names, against the whole document (光明区人工智能产业规模)
    return [w for i, w in enumerate(words[:at]) if w in run
            and tags.get(w) != "ns" and words[i + 1][:1] not in _PLACE_SUFFIX]


def _count_beside(focus: Sequence[str]) -> re.Pattern | None:
    """A figure written right beside one of the counted words ``focus``: 院士57人, 57名院士."""
    if not focus:
        return None
    words = "|".join(map(re.escape, focus))
    return re.compile(rf"(?:{words})(?:数量|总数)?(?:为|达到?|有|共)?\s*[约近超逾]?\d|"
                      rf"\d+(?:\.\d+)?\s*[名位人个家所项只]?(?:{words})")


def _acting_org(question_norm: str) -> str | None:
    """The kind of organisation (基金, 中心, 团队) a how-many question opens with as who acts
    (深圳市合成生物产业基金已经投了多少家企业): a sentence naming none (光明区已汇聚123家合成生物企业)
    counts what someone else did. The subject ends where an adverb (已经), or the verbs before 了,
    start; None when it is no organisation."""
    words = [(w.word, w.flag) for w in load_jieba().posseg.cut(question_norm)]
    at = next((i for i, (w, tag) in enumerate(words) if tag == "d" or w in ("了", "过") or _ASKS.match(w)), None)
    if not at:
        return None
    if words[at][0] in ("了", "过"):
        at -= 1  # the verb it follows, whatever jieba tags it (研发: j)
    while at and words[at - 1][1].startswith("v"):
        at -= 1
    subject = "".join(w for w, _ in words[:at])
    ending = _ORG_END.search(subject[-3:])
    return ending.group() if ending and subject.endswith(ending.group()) and len(subject) > len(ending.group()) + 1 else None


def _names_another(text_norm: str, run: Sequence[str]) -> bool:
    """The sentence names a thing of the kind ``run`` ends in (…产业基金) by none of the words before
    that kind: the size it states is another's (以及规模10亿元的深圳市脑科学与类脑智能产业基金, read
    after a sentence naming 合成生物产业基金), unless it points back (该基金). The kind is the
    longest ending of ``run`` the sentence writes (产业基金); a short form keeps a word before it
    (合成生物基金)."""
    ending = next((n for n in range(1, len(run)) if "".join(run[n:]) in text_norm), None)
    if ending is None or any(_mentions(text_norm, w) for w in run[:ending]):
        return False
    kind = "".join(run[ending:])
    return any(not _DEMONSTRATIVE.search(text_norm[max(0, m.start() - 2) : m.start()])
               for m in re.finditer(re.escape(kind), text_norm))


_PLACE_OF = re.compile(r"^[\u4e00-\u9fff]{1,4}[区市省县]的")


def _leading_organisation(question_norm: str) -> list[str]:
    """The words naming the organisation a question opens with (国药 of 国药集团在光明布局的研究院叫什么):
    a noun run up to its first verb, preposition or 的 that ends in an organisation's kind (集团,
    实验室, ``_ORG_END``), without that kind and without a place (光明 of 光明区); in a run without
    such a kind, its proper nouns (蒙牛 of 蒙牛乳业). Whose name or partner a name question asks."""
    question_norm = _PLACE_OF.sub("", question_norm)  # 光明区的科学城母基金: the organisation after its place
    words, tags = load_jieba().lcut(question_norm), _tags(question_norm)
    run: list[str] = []
    for w in words:
        if _CLAUSE_BREAK.search(w) or w == "的" or tags.get(w, "")[:1] not in ("n", "j"):
            break
        run.append(w)
    if not run:
        return []
    if not _ORG_END.fullmatch(run[-1]):  # 蒙牛乳业依托…开发的新产品: a proper noun leads, without a kind
        return [w for w in run if tags.get(w) in _NAME_TAGS and len(w) >= 2]
    names, end = [], 0
    for w in run[:-1]:
        end += len(w)
        if _content_word(w) and question_norm[end:end + 1] not in _PLACE_SUFFIX:
            names.append(w)
        elif len(w) == 1 and names and names[-1] + w in question_norm:
            names[-1] += w  # 科学城母基金: one character binds the word before it into the name (科学城母)
    return names


def _noun_run(words: Sequence[str], tags: dict[str, str]) -> list[str]:
    """The content words of the noun run that ends ``words``, back to a verb, 的 or a clause break."""
    run: list[str] = []
    for w in reversed(words):
        noun = tags.get(w, "")[:1] in ("n", "j") or (run and tags.get(w) in ("v", "vn") and w != "是")  # 创新 of 创新中心
        if _CLAUSE_BREAK.search(w) or w == "的" or not noun:
            break
        run.append(w)
    return [w for w in run if _content_word(w)]


def _milestones(text_norm: str) -> set[int]:
    """Which of ``_MILESTONES`` the text names."""
    return {i for i, pattern in enumerate(_MILESTONES) if pattern.search(text_norm)}


def _names(text_norm: str, name: str, quoted_terms: Sequence[str]) -> bool:
    """The text holds one of the question's names (``_unquoted``); a proper noun jieba guessed (not a quoted
    term) may end in a generic character the documents leave out (发明奖: 国家级技术发明1个), or in
    the kind of body it is, which a short form leaves out (香港理工大学: 联合香港理工共建)."""
    if contains(_unquoted(text_norm), _unquoted(name)):
        return True
    if name in quoted_terms or CJK_RUN.fullmatch(name) is None:
        return False
    stem = _BODY_KIND.sub("", name)
    return (len(name) >= 3 and contains(text_norm, name[:-1])) or (
        stem != name and len(stem) >= MIN_SHORT_NAME and contains(text_norm, stem))


def _one_name_each(question: str, found: Sequence[str]) -> list[list[str]]:
    """The question's names ``found``, those written as one run of Latin words grouped (TCL CSOT,
    whose documents write TCL華星: either word names the firm)."""
    runs = [{w.lower() for w in run.split()} for run in _LATIN_RUN.findall(question)]
    groups: list[list[str]] = []
    for name in found:
        run = next((r for r in runs if name in r), None)
        group = next((g for g in groups if run is not None and g[0] in run), None)
        if group is None:
            groups.append([name])
        else:
            group.append(name)
    return groups


def _states(text_norm: str, term: str) -> bool:
    """A quoted term occurs in the text (``_unquoted``); one that counts what it names (“五个无忧”)
    may be written out instead (事业无忧、往来无忧、…)."""
    return _unquoted(term) in _unquoted(text_norm) or uncounted(term) in text_norm


def _unquoted(text_norm: str) -> str:
    """Without quotation marks: a title quoted whole (“划重点!党代会报告里有哪些科学元素”) loses
    the quotes inside it (…有哪些“科学元素”?)."""
    return _QUOTE_CHARS.sub("", text_norm)


def _list_counts_removed(text_norm: str) -> str:
    """Without a count that says how many items the list before it names (国家、省、市三级重点项目:
    three levels, each named): a sentence about those projects need not state the three. The list
    may seem longer: a 、 of the words before it (承接、开展的国家、省、市三级) is read as one more item."""
    def dropped(m: re.Match) -> str:
        last = m.group("items").rsplit("、", 1)[-1]
        count = m.group("items").count("、") + 1 + (1 if re.search("和|及|与", last) else 0)
        return m.group("items") if numbers(f"{m.group('n')}个")[0].value <= count else m.group()
    return _LIST_COUNT.sub(dropped, text_norm)


def _without(text_norm: str, figures: Sequence[Number]) -> str:
    """The text without the question's own figures: 41条举措 does not answer 41条中有几条."""
    for n in figures:
        text_norm = re.sub(rf"(?<![\d.]){re.escape(n.text)}(?![\d.])", " ", text_norm)
    return text_norm


def _figure_beside(text_norm: str, figure: re.Pattern | None, words: Sequence[str]) -> bool:
    """Some clause of the text states a figure (one matching ``figure``, when given; 超百人 counts) and
    one of ``words``."""
    return any((figure.search(clause) if figure else numbers(clause) or _ROUND_FIGURE.search(clause))
               and any(_mentions(clause, w) for w in words) for clause in STATEMENT_CLAUSE.split(text_norm))


def _ends(words: Sequence[str], i: int) -> bool:
    """``words[i]`` is the question's last word: only particles and punctuation follow it."""
    return all(w.strip() in _PREDICATE_END for w in words[i + 1:])


def _one_noun(words: Sequence[str], pair: Sequence[str]) -> bool:
    """The two words follow each other directly in ``words``: one compound noun."""
    return any(words[i] == pair[0] and words[i + 1] == pair[1] for i in range(len(words) - 1))


def _verbs(sentence: str) -> set[str]:
    """The words jieba tags as verbs in ``sentence`` (a verbal noun such as 投资 is not one)."""
    return {w for w, tag in _tags(sentence).items() if tag in ("v", "vd")}


def _tags(sentence: str) -> dict[str, str]:
    """jieba's part-of-speech tag of each word of ``sentence``: one tagging pass for all the words
    a caller asks about."""
    return {p.word: p.flag for p in load_jieba().posseg.cut(sentence)}


@dataclass(frozen=True, slots=True)
class _Candidate:
    n: int  # 1-based passage number
    doc_id: str
    text: str  # original script, markers removed
    norm: str
    start: int  # offsets into the document, for de-duplication across overlapping chunks
    end: int
    before: str  # matching form of the passage text from the previous sentence up to this one
    year: str  # the year of the last heading above it (``heading_year``), "" if none
    published: str = ""  # the date its document gives itself, "" if none
    header: bool = False  # its document's title, source and date: it answers only when it was published
    section: str = ""  # matching form of the heading line above its paragraph in the passage, "" if none
    speaker: str = ""  # matching form of who said it, when it is quoted (”光明区委主要领导表示), "" if not
    named: str = ""  # the full name, earlier in its paragraph, of what it names by a short form, "" if none


@dataclass(frozen=True, slots=True)
class Finding:
    """A candidate answer sentence of a passage, scored against the question."""

    candidate: _Candidate
    score: float  # ranking score, larger = better (coverage and similarity, scaled down when it does not fit)
    fits: bool  # it holds the kind of fact the question asks for
    enough: bool  # its evidence clears the bar for answering with it
    # another document's fitting sentence is given too when it scores this share of the best (0:
    # only if strong enough itself): the question asks for a number or a date (documents disagree),
    # or it is a machine rendering (whose best sentence is less certain)
    hedge: float = 0.0
    # it gives a figure right beside what the question counts (全区院士57人 for 院士数量是多少): another
    # document's such sentence states that count too, however few of the question's other words it has
    counts_asked: bool = False


def rank(question: str, passages: Sequence[Passage], *, similarity: Similarity | None = None,
         translated_from: str = "", romanised: Sequence[str] = ()) -> list[Finding]:
    """Every candidate sentence of ``passages``, best first.

    ``similarity(question, texts)`` returns one cosine per text (larger = closer).
    ``translated_from``: the user's question when ``question`` is a machine rendering of it. Its
    measure word is then not the user's ("How many carriers" may come out as 多少家 where the
    documents count 个), so any count unit fits; whether a number or a date is asked for is read
    from the user's words as well (the rendering of "By how many hours…" lost its 多少).
    ``romanised``: the documents' words for the names the user's question gives in pinyin (河套 of
    Hetao, ``rag.retrieval.romanised``): unlike the translator's words they are the user's, so a
    sentence must name them (or the one before it), unless most candidates do (深圳 of Shenzhen).
    """
    candidates = _candidates(passages)
    if not candidates or not question.strip():
        return []
    scored = []
    features_of = _features(question, candidates, passages, similarity, translated_from=translated_from,
                            romanised=romanised)
    for c, features in zip(candidates, features_of):
        score, enough = _score(features)
        hedge = TRANSLATED_HEDGE_RATIO if translated_from else OTHER_DOC_RATIO if features.typed else 0.0
        scored.append((Finding(c, score, features.fits, enough, hedge, features.counts_asked), features))
    scored.sort(key=lambda pair: -pair[0].score)
    if scored[0][1].plan:  # what there is now, best answered by a plan: only what was done may answer
        scored = [(replace(f, score=f.score * MISFIT, fits=False, enough=False), x) if x.plan else (f, x)
                  for f, x in scored]
        scored.sort(key=lambda pair: -pair[0].score)
    findings = [f for f, _ in scored]
    if not findings[0].enough and (_leads_open(scored) or (
            translated_from and similarity and _leads_translated(findings, translated_from, similarity))):
        findings[0] = replace(findings[0], enough=True)
    return findings


def _leads_translated(findings: Sequence[Finding], original: str, similarity: Similarity) -> bool:
    """For a machine rendering, whose words are often not the documents' (so coverage stays low
    although the right sentence ranks first): the best sentence fits, outscores every other
    fitting statement ``TRANSLATED_LEAD`` times, and the user's own words, embedded, are at least
    as close to it as to any of them: two independent readings of the question agree."""
    best = findings[0]
    rivals = [f for f in findings[1:] if f.fits and not same_statement(f.candidate, best.candidate)]
    if not best.fits or not rivals or best.score < TRANSLATED_LEAD * max(f.score for f in rivals):
        return False
    cosines = similarity(original, [best.candidate.text, *(f.candidate.text for f in rivals)])
    return cosines[0] >= max(cosines[1:])


def _leads_open(scored: Sequence[tuple[Finding, _Features]]) -> bool:
    """A question that asks for no figure or date, whose best sentence fits, covers
    ``MIN_OPEN_COVERAGE`` of the question's words and outscores every other fitting
    statement ``OPEN_LEAD`` times over. What the coverage bar guards against, a neighbouring
    figure, is not what such a question asks, and its words are often not the documents': a
    machine rendering's (人才合作平台 for the documents' 人才创新共同体), or a user paraphrasing
    (科技前沿、产业一线 for 科技尖端、产业前线)."""
    best, features = scored[0]
    rivals = [f.score for f, _ in scored[1:] if f.fits and not same_statement(f.candidate, best.candidate)]
    return (best.fits and features.lexical and not features.typed and features.coverage >= MIN_OPEN_COVERAGE
            and best.score >= OPEN_LEAD * max(rivals, default=0.0))


def choose(ranked: Sequence[Finding], *, max_sentences: int = 3) -> list[Finding]:
    """The sentences to answer with: none when the best is not strong enough (refuse), else the
    best, sentences scoring nearly as well, and the best of each other document that holds the
    asked kind of fact too (``OTHER_DOC_RATIO``; it may word the question's terms differently):
    documents may disagree, and each figure is given."""
    if max_sentences < 1:
        raise ValueError(f"max_sentences must be >= 1, got {max_sentences}")
    if ranked and not ranked[0].enough and _dominates(ranked):
        ranked = [replace(ranked[0], enough=True), *ranked[1:]]
    if not ranked or not ranked[0].enough:
        logger.info("extractive: refusing (best score %.2f)", ranked[0].score if ranked else 0.0)
        return []
    best = ranked[0].score
    chosen: list[Finding] = []
    for f in ranked:
        if len(chosen) >= max_sentences:
            break
        other_doc = all(f.candidate.doc_id != c.candidate.doc_id for c in chosen)
        if (same := next((i for i, c in enumerate(chosen) if same_statement(f.candidate, c.candidate)), None)) is not None:
            if f.fits and _says_more(f.candidate, chosen[same].candidate):
                # another document's wording of it that names more (支持中兵集团、国药集团等龙头企业…):
                # given too, each citing its own document
                chosen.append(f)
            continue
        if f.score < OTHER_DOC_RATIO * best:
            # a figure or a date asked for: another document's sentence that answers on its own is given
            # however it words the question (全区院士57人 beside 光明区共有院士59人, asked 院士数量是多少)
            if f.hedge == OTHER_DOC_RATIO and other_doc and (
                    f.enough or (f.fits and f.counts_asked and ranked[0].counts_asked)):
                chosen.append(f)
            continue
        # another document's figure is given too (documents disagree); for a user's question that
        # asks no figure, "fits" says little, so another document's sentence must be strong evidence
        new_doc = other_doc and (f.enough or (f.hedge > 0 and f.score >= f.hedge * best))
        if (f.enough and f.score >= KEEP_RATIO * best) or (new_doc and f.fits):
            chosen.append(f)
    logger.info("extractive: %d sentence(s), best score %.2f", len(chosen), best)
    return chosen


def _dominates(ranked: Sequence[Finding]) -> bool:
    """The best sentence fits and outscores every other fitting statement ``DOMINANCE`` times over:
    one clear answer, even though it words the question's terms differently."""
    best = ranked[0]
    rivals = [f.score for f in ranked[1:] if f.fits and not same_statement(f.candidate, best.candidate)]
    return best.fits and best.score >= MIN_DOMINANT_SCORE and best.score >= DOMINANCE * max(rivals, default=0.0)


def answer(question: str, passages: Sequence[Passage], *, similarity: Similarity | None = None,
           max_sentences: int = 3) -> str | None:
    """An answer made of the best passage sentences, each followed by its ``[n]``; None = refuse."""
    chosen = choose(rank(question, passages, similarity=similarity), max_sentences=max_sentences)
    return compose(chosen) if chosen else None


def _lists(text_norm: str, count: Sequence[int]) -> bool:
    """The text enumerates things (A、B和C, “A+B+C”): as many as ``count`` says, when it says."""
    found = [len(re.split(r"[、+]|和|以及|及", m.group())) for m in _ENUMERATION.finditer(text_norm)]
    if count == [2] and _PAIR.search(text_norm):  # two things are listed with a 和 alone (竞争性和非竞争性)
        found.append(2)
    return bool(found) and (not count or count[0] in found)


def _ahead(c: _Candidate) -> bool:
    """The sentence speaks of its document's own year or a later one (2024年实现企业总量超60家, in an
    article of 2024-01-31): a plan, not what was done. Its year is the one it names, else the last
    named before it, else its heading's."""
    year = (_YEAR_NAMED.findall(c.norm) or _YEAR_NAMED.findall(c.before)[-1:] or [c.year])[-1]
    return bool(year and c.published) and year >= c.published[:4]


def _candidates(passages: Sequence[Passage]) -> list[_Candidate]:
    out: list[_Candidate] = []
    for n, p in enumerate(passages, start=1):
        sentences = split_sentences(p.text)
        retrieved_before = _retrieved_before(p, passages)
        speakers = _speakers([s.text for s in sentences], _opened_before(retrieved_before))
        for i, sentence in enumerate(sentences):
            if _ASKED_IN_TEXT.search(strip_markers(sentence.text)):  # an interviewer's question states nothing
                continue
            pieces = [sentence]
            if i and (_POINTS_BACK.match(sentence.text.strip()) or _SAME_YEAR.match(sentence.text.strip())):
                # 这座…, 同年…: with the sentence it refers to (the year 同年 is)
                before = sentences[i - 1]
                pieces.append(type(sentence)(p.text[before.start : sentence.end], before.start, sentence.end))
            if len(sentence.text) > LONG_SENTENCE:
                clauses = split_clauses(sentence.text)
                pieces += [
                    type(sentence)(sentence.text[a.start : b.end], sentence.start + a.start, sentence.start + b.end)
                    for i, a in enumerate(clauses)
                    for b in clauses[i : i + MAX_CLAUSES]
                    if (b is not clauses[-1] or a is not clauses[0])
                    and (i == 0 or not _POINTS_BACK.match(a.text))  # 其中…: only with the clause it points to
                ]
            for piece in pieces:
                text = strip_markers(piece.text).strip(" \t•·-—*")
                byline = BYLINE.fullmatch(text) is not None
                short = len(re.findall(r"[\w\u3400-\u9fff]", text)) < MIN_CHARS and not CREDIT_LINE.fullmatch(text)
                if (short and not byline) or _INSTRUCTION.search(text):
                    continue
                preceding = p.text[sentences[i - 1].start if i else sentence.start : piece.start]
                paragraph_before = retrieved_before + p.text[: piece.start]
                norm = match_form(f"{_BYLINE_SAYS}{text}" if byline else text)
                out.append(_Candidate(n, p.doc_id, text, norm, p.start + piece.start, p.start + piece.end,
                                      match_form(preceding), heading_year(p.text[:piece.start]) or p.heading_year,
                                      p.published, section=match_form(_section(p.text[:piece.start])),
                                      speaker=speakers[i],
                                      named=_full_name(match_form(paragraph_before.rsplit("\n", 1)[-1]), norm)))
        if p.start == 0 and (end := header_end(p.text)):  # 这篇文章是哪天发的: title and date together
            text = " ".join(p.text[:end].split())
            out.append(_Candidate(n, p.doc_id, text, match_form(text), 0, end, "", "", p.published, header=True))
    # a sentence that opens its chunk has its text before it in an overlapping chunk, if one was retrieved
    known = {(c.doc_id, c.start): c.before for c in out if c.before}
    return [replace(c, before=known.get((c.doc_id, c.start), "")) if not c.before else c for c in out]


def _only_as_item(text_norm: str, kind: str, question_norm: str) -> bool:
    """``kind`` is written in the sentence, each time as one item of a list of kinds (大科学装置、
    科研平台、研究型大学等; 光明科学城大科学装置和重点实验室等): the sentence names kinds, not
    which ones of ``kind`` there are (光明科学城有哪些大科学装置?). An item is the kind alone, as
    the question writes it, or after the question's own words (光明科学城); a name ending in the
    kind (河套深圳园区、香港科学园) is one of them, and so is an item after 等 (合成生物等大科学装置)."""
    spans = [m.span() for m in re.finditer(re.escape(kind), text_norm)] if kind else []

    def item(start: int, end: int) -> bool:
        if text_norm[end:end + 1] not in _ITEM_JOINS:
            return False
        while start > 0 and text_norm[start - 1:end] in question_norm:  # 大 + 科学装置, as asked
            start -= 1
        before = text_norm[max(0, start - 2):start]
        return start == 0 or (before[-1:] in _ITEM_JOINS and before[-1:] != "等") or before in question_norm

    return bool(spans) and all(item(start, end) for start, end in spans)


def _speakers(sentences: Sequence[str], opened: str = "") -> list[str]:
    """For each sentence, in matching form, who says it when it is quoted: named by the sentence
    after the quote (“…我们有雄厚的创新基础…。”光明区委主要领导表示,…), or by the words that open
    it (宋悠洋,…她说,“…。光明区还出台了…租金补贴…。”: the second sentence is hers too). ``opened``:
    who says a quote the chunk before this one left open."""
    said = [""] * len(sentences)
    for i, sentence in enumerate(sentences):
        if opened:
            said[i] = opened
        opened = _still_open(sentence, opened)
    for i in range(len(sentences) - 1):
        closing = strip_markers(sentences[i]).rstrip()
        if not closing.endswith(("”", "」")) or not (who := _ATTRIBUTION.match(sentences[i + 1])):
            continue
        speaker = match_form(who.group())
        for j in range(i, -1, -1):  # back to the sentence that opens the quote
            said[j] = speaker
            if "“" in sentences[j] or "「" in sentences[j]:
                break
    return said


def _still_open(sentence: str, opened: str) -> str:
    """Who says the quote still open after ``sentence`` (one it opens after its speaker, 她说,“…,
    or ``opened``), or "" once the quote is closed."""
    quote = max(sentence.rfind("“"), sentence.rfind("「"))
    closed = max(sentence.rfind("”"), sentence.rfind("」"))
    if quote > closed and _SAYS.search(sentence[:quote]):  # 她说,“ not 打造“生物铸造厂”
        # who: the head of the subject that opens the words before the quote (…创新创业的宋悠洋,
        # 就是…,她说: 宋悠洋), not the rest of them, which describe the speaker, not what is said
        subject = _SAYS.sub("", re.split(r"[，,]", sentence[:quote])[0])
        return match_form(subject.rsplit("的", 1)[-1])
    return "" if closed >= 0 else opened


def _full_name(paragraph_before: str, text_norm: str) -> str:
    """The full name, earlier in the paragraph, of what the sentence's opening names by its last
    four characters (深圳市工程生物产业创新中心首创…。…。目前,创新中心已组织…: 工程生物产业创新中心):
    news names a thing in full once, then by its tail. The name starts after the last word that
    joins it to the text before it (…最令人熟知的是深圳市…), without the place it opens with: a city
    in a name (深圳市工程生物…) is not the scope of what the sentence counts."""
    opening = text_norm[:SHORT_NAME_REACH]
    for at in range(len(opening) - SHORT_NAME + 1):
        tail = opening[at : at + SHORT_NAME]
        if not re.fullmatch(r"[\u3400-\u9fff]+", tail) or text_norm.count(tail) > text_norm.count(tail, 0, at + SHORT_NAME):
            continue
        found = re.findall(rf"([\u3400-\u9fff]{{2,16}}){tail}", paragraph_before)
        head = _PLACE_FIRST.sub("", _NAME_START.split(found[-1])[-1]) if found else ""
        if len(head) >= 2:
            return head + tail
    return ""


def _retrieved_before(passage: Passage, passages: Sequence[Passage]) -> str:
    """The text right before ``passage`` in its document, as far as another retrieved chunk holds it."""
    return next((other.text[: passage.start - other.start] for other in passages
                 if other.doc_id == passage.doc_id and other.start < passage.start <= other.start + len(other.text)), "")


def _opened_before(text_before: str) -> str:
    """Who says a quote that the text before a chunk leaves open (她说,“… ends one chunk, the
    quote goes on in the next)."""
    opened = ""
    for sentence in split_sentences(text_before):
        opened = _still_open(sentence.text, opened)
    return opened


def _section(text_before: str) -> str:
    """The heading of the paragraph that ``text_before`` ends in: the last short line above that
    paragraph ending in no sentence mark ((二)探索新型举国体制深圳路径). A report names a section's
    topic there once; the sentences under it do not repeat it."""
    lines = text_before.split("\n")[:-1]  # the paragraph itself is the last, unfinished line
    for line in reversed(lines):
        line = line.strip()
        if line:
            return line if len(line) <= SECTION_CHARS and not _CLAUSE_BREAK.search(line[-1]) else ""
    return ""


def _in_group(text_norm: str, term: str, question_norm: str) -> bool:
    """The text names ``term`` only as a member of a group a figure is given for (超高清视频显示等三大
    产业集群; 并购贷、研发贷等21个产品), and the question names it alone, not with the other members
    it is listed with. (A question naming it as an example, 比如…/像…这类, is not checked at all.)"""
    listed = re.findall(rf"{re.escape(term)}、|、{re.escape(term)}", text_norm)
    if _ALONE.search(question_norm) and listed and len(listed) >= text_norm.count(term):
        return True  # 国家级的单独算: 新获国家、省部级科研项目超百项 counts the two together
    found = list(re.finditer(re.escape(term) + r"[”」\"]?((?:、[^，。,;；、等]{1,12}?)*)等", text_norm))
    if not found or len(found) < text_norm.count(term):
        return False
    if _ALONE.search(question_norm):  # 专精特新“小巨人”企业单独算: the member alone, whatever else it names
        return True
    for m in found:
        others = [o.strip("“”「」\"") for o in m.group(1).split("、")[1:]]
        if others and all(o in question_norm for o in others):
            return False  # 并购贷、研发贷这类: the question names the group by its members
    return True


def _members_named(text_norm: str, question_norm: str) -> list[str]:
    """The members of the text's lists of examples (A、B等) that the question names, whole or, for the
    first, by its end (粒影生物 of 孵化出粒影生物、柏垠生物等): a name the segmenter cuts in two is
    not among the question's words."""
    named = []
    for m in _EXAMPLE_LIST.finditer(text_norm):
        first, *rest = (i.strip("“”「」\"") for i in m.group().removesuffix("等").split("、"))
        ends = [first[at:] for at in range(len(first) - _MIN_MEMBER + 1)]
        members = [i for i in [next((e for e in ends if e in question_norm), ""), *rest]
                   if len(i) >= _MIN_MEMBER and i in question_norm]
        named += members if len(members) == 1 else []  # naming two, the question names the group by them
    return named


def _only_counts(text: str, text_norm: str, question_norm: str) -> bool:
    """The sentence counts things (2个, 一个国家级) without naming or listing any of them."""
    if not _COUNTED.search(text_norm) or _EXAMPLE_COUNTED.search(text_norm) or _gives_name(text, question_norm):
        return False
    rest = _COUNTED.sub(" ", text_norm)  # 一个国家级、两个省级 lists counts, not names
    return not _ENUMERATION.search(rest) and not _LISTED.search(rest)


def _counts_some(text_norm: str, counted: str, question_norm: str) -> bool:
    """The sentence counts ``counted`` only as far as they do something the question does not ask
    about (全市11所高等院校获科研资金稳定支持: those supported, not how many there are in all)."""
    for m in re.finditer(_COUNT_BEFORE + re.escape(counted), text_norm):
        following = next((w for w in load_jieba().posseg.cut(text_norm[m.end():m.end() + 8]) if w.word.strip()), None)
        if following is not None and following.flag.startswith("v") and not _mentions(question_norm, following.word):
            return True
    return False


def _counts_only(text_norm: str, things: str) -> bool:
    """Every figure of the sentence (years aside) counts ``things`` (24个重大科技创新载体)."""
    counting = re.compile(_COUNT_BEFORE + r"[\u4e00-\u9fff]{0,6}?" + re.escape(things))
    return bool(counting.search(text_norm)) and not numbers(_YEARS_WRITTEN.sub(" ", counting.sub(" ", text_norm)))


_PART_SUFFIX = re.compile(r"(?<=[\u4e00-\u9fff]{2})[级型类]$")  # 国家级 → 国家, 枢纽型 → 枢纽
_ALTERNATIVE_JOINS = frozenset("、和与及或+/")  # between alternatives that share one figure (国家、省、市…项目)
_COUNTED_END = re.compile(r"\d\s*[%％]?[\u4e00-\u9fff]?$")  # …751家: a statement with its own figure ends here
_BOUNDS = frozenset("以上 以下 左右 以内".split())
# 投出去多少钱: money spent; a fund's size (规模15亿元的…基金) is what it may spend, not what it has
_SPENT_ASKED = re.compile(r"投(?:了|出去|进去|入|资)?(?:多少|几)|花(?:了)?(?:多少|几)|出资(?:多少|几)")
_SPENT_STATED = re.compile(r"投资|投入|出资|花费|支出|耗资|拨付|实缴|资助|投了")
_SIZE_FIGURE = re.compile(r"规模(?:为|达到?|超过?|近|约)?\s*\d")
# money raised (融了多少钱, 募集了多少): a valuation or a fund's size is no raise
_RAISED_ASKED = re.compile(r"融(?:了|到|资了?)(?:多少|几)|募(?:集|资)?了?(?:多少|几)|"
                           r"融资(?:额|金额|规模)?(?:是|有|达|为)?(?:多少|几)")
_RAISED_STATED = re.compile(r"融资|募集|募资|融得|获投|获得投资")


def _part_asked(question_norm: str) -> str:
    """The word naming the part a 其中 question counts (…有多少? 其中国家级的项目占了几个 → 国家;
    其中枢纽型起降点有几个 → 枢纽), '' when there is none or the question lists several parts
    itself (其中已经在建或投入运营的有几个: the sentence may list them so too)."""
    if (at := question_norm.find("其中")) < 0:
        return ""
    before, words = question_norm[:at], load_jieba().lcut(question_norm[at + 2:])
    for i, w in enumerate(words):
        if _ASKS_INSIDE.search(w):
            return ""
        if (w in _HEDGES or w in before or w in _BOUNDS or not re.fullmatch(r"[\u4e00-\u9fff]{2,}", w)
                or (i and words[i - 1][-1:].isdigit())):  # 10 + 亿元 + 以上: a unit and a bound, not a part
            continue
        stem = _PART_SUFFIX.sub("", w)
        return "" if _only_as_alternative(question_norm, stem) else stem
    return ""


def _only_as_alternative(text_norm: str, word: str) -> bool:
    """Each time ``word`` is written it is one of alternatives sharing a figure (开展国家、省、市重点
    科研项目超200个; 打造“枢纽+末端”低空起降点40个): the figure is the whole's, not the part's."""
    spans = [m.span() for m in re.finditer(re.escape(word), text_norm)]

    def alternative(start: int, end: int) -> bool:
        after = text_norm[end:end + 2].lstrip("”’」』\"")[:1]
        lead = text_norm[:start].rstrip("“‘「『\"")
        # not after a statement with a figure of its own (专精特新企业751家、“小巨人”企业56家)
        return after in _ALTERNATIVE_JOINS or (lead[-1:] in _ALTERNATIVE_JOINS and not _COUNTED_END.search(lead[:-1]))

    return bool(spans) and all(alternative(*span) for span in spans)


def _counts_other(text_norm: str, counted: str, question_norm: str) -> bool:
    """Each time the sentence names ``counted`` it is the first part of another noun the question
    does not name (院士团队数量增至57个 counts teams, asked 多少位院士; 企业孵化器 are not 企业),
    so its figure counts that noun. A word for the whole (数量, 总量, 队伍) does not make another."""
    if counted not in text_norm:  # no word of the sentence is or opens with it: nothing to segment
        return False
    words = [p for p in load_jieba().posseg.cut(text_norm) if p.word.strip()]
    found = False
    for i, p in enumerate(words):
        if p.word == counted:
            following = words[i + 1] if i + 1 < len(words) else None
            if following is None or not following.flag.startswith("n") or len(following.word) < 2 \
                    or following.word in _WHOLE or following.word in question_norm \
                    or _COUNT_WORD.search(following.word):  # 经纪人超百人: jieba's noun 超百人 is its figure
                return False
        elif not (p.word.startswith(counted) and p.flag.startswith("n") and p.word not in question_norm):
            continue
        found = True
    return found


def _names_several(text: str, text_norm: str) -> bool:
    """The sentence lists things: two quoted terms or more, or an enumeration (A、B和C)."""
    return len(quoted(text, chinese_only=False)) >= 2 or bool(_ENUMERATION.search(text_norm))


def _gives_name(text: str, question_norm: str) -> bool:
    """The sentence names something the question does not: a quoted or titled term (“1+6+N”,
    《…条例》), a proper noun (蔡颖) or a Latin-script name (TCL). 2024年新增的那个产业集群叫什么? is
    not answered by 新增一个国家级…产业集群, which names none."""
    if any(len(t) >= 2 and t not in question_norm for t in quoted(text, chinese_only=False)):
        return True
    # 那个学院叫什么: a name ending in the noun asked about (光明科学城创新创业学院), not the question's own
    if (asking := _WANTS_NAME.search(question_norm)) and (kinds := _ORG_END.findall(question_norm[:asking.start()])):
        text_norm = match_form(text)
        # a kind said of any organisation (那个机构叫什么) is named by any organisation's name (…香港运营中心)
        end = _ORG_END.pattern if kinds[-1] in _KINDS else kinds[-1]
        # (or a place or brand leads it, though the user described it: 培养创新创业人才的学院 → 光明科学城创新创业学院)
        plain = question_norm.replace("的", "")  # 在南湖布局的研究院 is the question's own 在南湖布局研究院
        if any((m.group(1) not in question_norm or _proper(text_norm[max(0, m.start() - 6):m.end()], plain))
               and not _POINTING_CHARS.search(m.group(1))  # 我们公司 names none
               for m in re.finditer(rf"([\u4e00-\u9fff]{{2}}){end}", text_norm)):
            return True
    tags = _NAME_TAGS | _PERSON_TAGS if _PERSON_ASKED.search(question_norm) else _NAME_TAGS
    return any((tag in tags or _LATIN_NAME.fullmatch(word)) and match_form(word) not in question_norm
               and word not in _VERBS_TAGGED_NAMES
               and not (tag in _PERSON_TAGS and _PLACE_LIKE.search(word))
               for word, tag in _tags(fold_script(text)).items())


def _names_kind(text: str, question_norm: str, kind: str) -> bool:
    """The sentence names an entity of ``kind`` (``_WANTS_ENTITY``) that the question does not:
    a person (颜宁), an organisation (贝特瑞, 招商银行, …研究院), a place (华夏路10号) or a title
    (《…》) or a Latin-script name (TCL). Words jieba cannot tag as names are read by their ends
    (科学院, 基金, 路) and the name before the end (``_proper``)."""
    text_norm = match_form(text)
    latin = any(w.lower() not in question_norm.lower() and w.lower() not in _LATIN_TERMS for w in _LATIN_NAME.findall(text))
    if kind == "title":
        return latin or any(t not in question_norm for t in re.findall(r"《([^》]+)》", text_norm))
    if kind == "person" and any(m.group() not in question_norm for m in _OFFICE.finditer(text_norm)):
        return True  # 管委会主任是谁: 由分管副市长担任 names the office that holds it
    if any(tag in _KIND_TAGS[kind] and len(word) >= 2 and match_form(word) not in question_norm
           and word not in _VERBS_TAGGED_NAMES and not (tag in _PERSON_TAGS and _PLACE_LIKE.search(word))
           for word, tag in _tags(fold_script(text)).items()):
        return True
    if kind in ("org", "agent") and any(m.group() not in question_norm for m in _GOVERNMENT_BODY.finditer(text_norm)):
        return True
    if kind == "org" and not _SUPERLATIVE.search(question_norm) and any(m.group(2)[-2:] in question_norm
                             and any(name[-4:] not in question_norm for name in m.group(1).split("、"))  # 集聚+国投证券
                             for m in _EXAMPLES_OF.finditer(text_norm)):
        return True  # …招引招商致远、东兴资本等头部基金公司落户, asked which 基金公司 it brought in (not which is biggest)
    ends = _KIND_ENDS.get(kind)
    if ends is None:
        return False
    if kind == "occasion":  # an event: one of a year or a session (2023光明区科技金融大会), or a named one
        named = (re.split(r"[,，。；;、]", window)[-1] for _, window in _ending_in(text_norm, ends, _EVENT_NAME))
        return any(len(name) > 4 and name not in question_norm and (_EVENT_DATED.search(name) or _proper(name, question_norm))
                   for name in named)
    return latin or any(_proper(window, question_norm) for start, window in _ending_in(text_norm, ends, _NAME_BEFORE_END)
                        if start >= 2)


def _ending_in(text_norm: str, ends: re.Pattern, before: int) -> Iterator[tuple[int, str]]:
    """Where each end of a kind (…研究院, …大会) starts, and the text from ``before`` characters
    ahead of it to its end, which holds the name it ends."""
    return ((m.start(), text_norm[max(0, m.start() - before) : m.end()]) for m in ends.finditer(text_norm))


def _proper(name: str, question_norm: str) -> bool:
    """An organisation's or a place's name (… 研究院, … 路) that the question does not give: a place,
    a brand or a short form leads it (深圳医学科学院, 国创中心), not a common noun (7家科技支行)."""
    jieba = load_jieba()
    words = list(jieba.posseg.cut(name))
    at = 0
    for word in words:
        if word.flag in _PROPER_TAGS and len(word.word) >= 2 and name[at:] not in question_norm:
            return True
        at += len(word.word)
    # a word jieba's dictionary does not know right before the kind: a brand (国任 of 国任保险, 贝特瑞)
    head = words[-2].word if len(words) >= 2 else ""
    return len(head) >= 2 and bool(CJK_RUN.fullmatch(head)) and not jieba.dt.FREQ.get(head) and head not in question_norm


def _ordinals(text_norm: str, *, sessions: bool = True) -> set[float]:
    """The ordinals written in the text (第24名 → 24; 首个 is 第一, 首创 and 首席 are not), a
    meeting's session (第二届) among them only with ``sessions``."""
    text_norm = text_norm if sessions else _SESSION.sub("", text_norm)
    found = {n.value for m in _ORDINAL.finditer(text_norm) for n in numbers(m.group())[:1]}
    return found | ({1.0} if _FIRST.search(text_norm) else set())


def _weights(q_terms: Sequence[str], candidates: Sequence[_Candidate], question_norm: str, *,
             setting: str = "", asked: Sequence[str] = ()) -> dict[str, float]:
    """IDF of each question term over the candidates. A term no candidate holds gets the rarest
    seen weight (the thing a near-miss question asks about: 三甲医院), half of it when it is only
    part of the ``setting`` (the asking clause before its asking word) and not of what is ``asked``
    about (its focus words): 手里 of 光明区手里有多少个科技金融产品 is how the user puts it; none when
    it is a verb or a function word: the user's own wording (拿到 for 荣获, 放手攻关).
    One-character particles (里 of 布局里, which 公里 matched) and words of how a user asks
    (``_TALK``) never count."""
    total = len(candidates)
    idf = {}
    for t in q_terms:
        df = sum(t in c.norm for c in candidates)
        idf[t] = math.log(1 + total / df) if df else 0.0
    top = max(idf.values(), default=0.0) or math.log(1 + total)
    tagged = list(load_jieba().posseg.cut(question_norm))
    # verbs, adverbs and function words of the question (jieba's tags), not figures
    wording = {p.word for p in tagged
               if (p.flag in _WORDING_TAGS or p.flag.startswith("u")) and not re.search(r"\d", p.word)}
    particles = {p.word for p in tagged if len(p.word) == 1 and (p.flag in _PARTICLE_TAGS or p.flag.startswith("u"))}
    def absent(t: str) -> float:  # (a question whose focus is not known keeps every word: 区长叫什么名字)
        return top / 2 if asked and t in setting and not any(t in a or a in t for a in asked) else top

    return {t: (w or absent(t)) for t, w in idf.items()
            if (w or t not in wording) and t not in _TALK
            and t not in particles}  # 布局里: 里 of 公里 is no match


@dataclass(frozen=True, slots=True)
class _Features:
    coverage: float  # IDF-weighted share of question terms present, 0..1
    cosine: float | None  # the caller's similarity, None without a similarity function
    fits: bool  # holds the kind of fact the question asks for
    lexical: bool  # question and candidate share a language, so coverage is meaningful
    length: int  # characters
    typed: bool  # the question asks for a number or a date
    plan: bool = False  # it asks what there is now, and this sentence speaks of its document's year or later (``_ahead``)
    counts_asked: bool = False  # ``Finding.counts_asked``


def covered_terms(question: str) -> list[str]:
    """The question's words that an answering sentence is expected to contain: dictionary words
    (``terms(guessed=False)``), without the asking part, which the answer replaces (多少名 → 59人,
    哪一年 → 2023年) and whose measure word ``fits_asked`` checks; a place in an order of sizes
    (第二大的) is asked too, answered by the sizes."""
    question_norm = _PLACE_BY_SIZE.sub("", _FIRST_OF.sub("首", match_form(question)))
    return list(dict.fromkeys(terms(_ASKING_PART.sub("，", question_norm), guessed=False)))


def _features(question: str, candidates: Sequence[_Candidate], passages: Sequence[Passage],
              similarity: Similarity | None, *, translated_from: str = "",
              romanised: Sequence[str] = ()) -> list[_Features]:
    translated = bool(translated_from)
    question = _LATIN_ASIDE.sub("", question) if translated else question
    q_norm = match_form(question)
    # the words of the asking clause before its asking word set the scene (光明区手里有多少个…)
    asking_at = _ASKS_INSIDE.search(q_norm)
    setting = "" if translated or not asking_at else _CLAUSE_BREAK.split(q_norm[:asking_at.start()])[-1]
    weights = _weights(covered_terms(question), candidates, q_norm, setting=setting, asked=_focus(q_norm)[0])
    sims = list(similarity(question, [c.text for c in candidates])) if similarity else None
    # 哪几家单位 asks which ones, not how many; 起降点呢,规划了几个 asks about 起降点
    # a question word inside a quoted title (“…里有哪些科学元素”这篇推文的编辑是谁) is the title's
    asking = _QUOTED_SPAN.sub(lambda m: "“”" if _ASKS_INSIDE.search(m.group()) else m.group(), q_norm)
    asking = _THOSE_FEW.sub("这些", asking)  # 那几个集群加起来规模到多少: those clusters, not how many
    which = _WHICH_ONES.sub("哪些", _WHICH_KINDS.sub("哪些", asking.replace("呢,", "")))
    wants_number = bool(_WANTS_NUMBER.search(_MEASURE_RAISED.sub(" ", _MEASURE_GIVEN.sub(" ", which)))
                        or _WANTS_NUMBER.search(translated_from))
    wants_date = bool(_WANTS_DATE.search(q_norm) or _WANTS_DATE.search(translated_from))
    wants_day = wants_date and bool(_WANTS_DAY.search(q_norm) or _WANTS_DAY.search(translated_from))
    wants_month = wants_date and not wants_day and bool(_WANTS_MONTH.search(q_norm) or _WANTS_MONTH.search(translated_from))
    predicate = [] if wants_number or wants_date or translated else _yes_no_predicate(q_norm)
    # whether something happened to what the question names (投入使用了吗, 开工建设了吗), not whether
    # something exists (有没有类似的市区联动): only then is a sentence saying it of another no answer
    happened = bool(predicate) and _tags(predicate[0]).get(predicate[0], "").startswith("v")
    subjects = _yes_no_subjects(q_norm, predicate) if happened else []
    why = bool(_WHY.search(q_norm) or _WHY.search(translated_from))
    wants_name = bool(_WANTS_NAME.search(q_norm)) and (not translated or bool(_WANTS_NAME_EN.search(translated_from)))
    wants_which = bool(_WANTS_WHICH.search(which)) and not _WANTS_COUNT.search(which)
    asks_kinds = bool(_WANTS_KINDS.search(q_norm))  # 哪两类企业: kinds (“隐形冠军”“独角兽”), listed, not named firms
    entity = None if asks_kinds else next(
        (kind for kind, p in _WANTS_ENTITY if p.search(q_norm) or p.search(which)), None)
    if entity is None and not asks_kinds and _WANTS_ORG_EN.search(translated_from):
        entity = "org"  # "Which research institution…" rendered as 科研机构是什么: the user asks which one
    if entity == "person" and _WHOSE_EN.match(translated_from):
        entity = "agent"  # "Whose vaccine…?" rendered …是谁: a firm's answers as well as a person's
    q_values = {n.value for n in numbers(q_norm)}
    ask = any_count_unit(asked(which, original=translated_from)) if translated else asked(which)
    # a figure the question states (估值超过100亿元的有几家) must be the sentence's too, one of them
    # when it names several (是59还是57): 估值10亿元以上 answers another question. Years are checked
    # by ``fits_asked``, ordinals on their own (首个 is 第一个); a translator's figures are its own.
    # (not the count inside a quoted name: “五个无忧” names a programme, whose five the sentence lists;
    # nor a meeting's session, 二届二次党代会, which a sentence of its report need not repeat)
    q_figures = [] if translated else [
        n for n in numbers(_SESSION.sub("", _ORDINAL.sub("", _WHICH_COUNT.sub("", _list_counts_removed(
            _QUOTED_SPAN.sub(" ", _EXAMPLES_ASKED.sub(" ", q_norm)))))))
        if n.text not in ask.years]
    # 排名全国第一的: not 位列全国第二; but 规模第二大的是哪一只 asks for a place in an order of sizes,
    # which a sentence giving the sizes answers; 除了A和B,第三个是什么 asks for the rest of a list
    q_ordinals = set() if translated else _ordinals(_LIST_REST.sub("", _PLACE_BY_SIZE.sub("", q_norm)))
    q_sessions = bool(_SESSION.search(q_norm))  # 第二十届大会: not answered by 第十九届; 排名第二: nor by 第二届
    q_ranks = ranks(q_norm)  # 在“TOP30”榜单中排第几: TOP30 is what the question knows
    q_lang = language(question)
    # the question's names must occur in the candidate's document (its title and all its retrieved passages:
    # a chunk boundary may separate a name from the sentence that answers about it)
    p_norms = [match_form(p.text) for p in passages]
    titles = {p.doc_id: match_form(p.title) for p in passages}
    doc_norms = dict(titles)
    for p, norm in zip(passages, p_norms):
        doc_norms[p.doc_id] += "\n" + norm
    p_langs = [language(p.text) for p in passages]
    q_names = {lang: [n for n in names(question, passage_lang=lang) if not translated or n.isascii()]
               for lang in set(p_langs)}
    # a quoted term (“全国工业百强区”) names what is asked about: the sentence itself states it, or
    # the one before it does, or it is the title of the sentence's document (“…”这篇推文的编辑是谁)
    q_quoted = [] if translated else quoted(question)
    titled = {doc: "".join(t for t in q_quoted if _states(title, t)) for doc, title in titles.items()}  # its words covered
    credited = asks_credit(question)  # 那篇…的推文,编辑是谁: its title names the text whose credit line answers
    # 超高清视频显示这一个集群的规模: a figure of "超高清视频显示等三大集群" is the group's
    # (one named as an example, 比如…/像…这类/…等, asks about the group)
    # (nor one asking about the group it belongs to: 超高清视频显示那几个集群加起来)
    singling = wants_number and not translated and not _EXAMPLES.search(q_norm) and not _GROUP_ASKED.search(q_norm)
    singled = [t for t in weights if len(t) >= 2] if singling else []
    # a measure of one named member (粒影生物的估值), not a count (专精特新企业有多少家: 近500家 of “小巨人”、专精特新等
    # counts a kind with others, which documents state as that kind's figure)
    measuring = singling and not ASKED_UNIT.search(q_norm)
    name_groups = {lang: _one_name_each(question, found) for lang, found in q_names.items()}
    named = [all(any(_names(doc_norms[p.doc_id], name, q_quoted) for name in group) for group in name_groups[lang])
             for p, lang in zip(passages, p_langs)]
    # a machine rendering's words are the translator's, not the user's (大学 for the documents'
    # 高等院校, “生物工厂” for “生物铸造厂”): they veto a candidate as focus words only where they
    # name whose size is asked, and as names only when kept from the user's own words (GDP, AI)
    # (what is counted, too: a translator's synonym, 价值 for 估值 or 公司 for 企业, would veto)
    focused = _focus(which) if q_lang == "zh" else ([], False)  # a rendering's too: see ``owner`` below
    asked_about, counts = focused if not translated else ([], False)
    if wants_date:  # 时间跨度是哪几年: a date states the time, the word itself is rarely written
        asked_about = [f for f in asked_about if f not in _TIME_WORDS]
    # 几家单位被纳入…试点, …试点的单位有几家: a kind of counted thing the sentence leaves out (3家纳入…)
    if wants_number and (counts or _KIND_COUNTED.search(which)):
        asked_about = [f for f in asked_about if f not in _KINDS]
    # 连续几年高过全市平均水准, 举办了几届: a count of years or times counts no noun; what follows is
    # said of them, in the user's words (高过 for 高于), and names nothing the answer must hold
    if counts and (unit := ASKED_UNIT.search(which)) and unit.group(1) in _TIMES:
        asked_about = []
    if ask.unit == AREA:  # 占用多少土地: an area states the land, the word itself is rarely written
        asked_about = [f for f in asked_about if f not in _LAND_WORDS]
    def rare(word: str) -> bool:  # a word found in nearly every candidate says nothing (光明)
        return sum(word in c.norm for c in candidates) <= FOCUS_MAX_SHARE * len(candidates)

    focus = [f for f in asked_about if rare(f)]
    asked_phrase = phrase if (phrase := "".join(asked_about)) in q_norm else ""  # 科学 + 装置 of 哪些大科学装置
    given = [w for w in map(match_form, romanised) if rare(w)]
    # 国药集团在光明布局的研究院叫什么: the name of what belongs to 国药集团; a sentence about what
    # 中兵集团 built does not answer (a word no candidate holds is the user's own, not checked)
    whose = [w for w in _leading_organisation(q_norm) if rare(w) and any(_mentions(c.norm, w) for c in candidates)] \
        if (wants_name or entity) and q_lang == "zh" else []
    # the user's own words name it as written; a translator's may have garbled it (深圳大学 for 深圳理工大学)
    named_org = _mentions if translated else _names_org
    # a compound asked about (光明实验室: 光明 + 实验室) counts as a term of its own where some sentence
    # names it as one: that sentence outranks one holding its words apart (光明科学城…重点实验室)
    top = max(weights.values(), default=0.0)
    phrases = {f: top for f in asked_about
               if len(f) >= 3 and f not in weights and weights and any(f in c.norm for c in candidates)}
    weights = {**weights, **phrases}
    total = sum(weights.values())
    # 多少硕士人才: one noun counted, each of its words says which (博士人才 are not 硕士人才)
    q_tags = _tags(which) if counts else {}
    compound = counts and wants_number and "".join(asked_about) in which and all(q_tags.get(w) == "n" for w in asked_about)
    # 哪几家机构联合设立, 哪两个设施: the answer names them (深圳市天使母基金、力合创投), rarely the kind
    kind_only = entity == "org" and not wants_number and set(focus) <= _KINDS
    identity = not wants_number and not wants_date and bool(_ASKS_IDENTITY.search(which))  # 是哪个模式, 叫什么
    kinds = asks_kinds and not wants_number
    # 由哪几个环节组成, 有哪些天然优势: a list answers (“基础研究+技术攻关+…”, 创新基础、算力资源), not always naming the kind
    members = entity is None and not wants_number and not wants_date and "哪些" in which
    # 两条轨分别是指什么: the things themselves, which a sentence answering lists (竞争性和非竞争性)
    each = entity is None and not wants_number and not wants_date and bool(_EACH_ASKED.search(q_norm))
    named_count = [int(n.value) for m in _WHICH_COUNT.finditer(q_norm) for n in numbers(f"{m.group()}个")][:1]  # 哪六项: 6
    # the last focus word after 多少/几 is what is counted (孵化器 of 多少家科技孵化器): an answering
    # sentence must name it; a sentence counting 科技支行 does not answer
    # (a which question names members, not always with their kind: 哪两个设施 → 国家超算深圳中心二期和鹏城云脑Ⅲ)
    counted = asked_about[-1] if counts and asked_about and wants_number else None
    # what a figure is asked of, counted or measured (院士 of 多少位院士 and of 院士数量是多少)
    measured_noun = asked_about[-1] if asked_about and wants_number else ""
    # two words in a row may be written as one short form: the first character of the first with
    # one of the second (深圳、香港 → 深港; 研究、开发 → 研发), as ``_abbreviated`` reads one word
    listed = [t for t in weights if re.fullmatch(r"[\u3400-\u9fff]{2}", t)]
    shorts = {(a, b): [a[0] + x for x in b if a[0] + x not in q_norm]  # not 中国 of 中国、国际
              for a, b in zip(listed, listed[1:])}
    # whose attribute is asked (种子基金 of 种子基金的规模是多少): another fund's 规模 does not answer
    # (a rendering's owner only where the documents use its word: otherwise it may be the translator's)
    owner = _owner(which, *focused) if q_lang == "zh" else None
    owner = owner if owner and (not translated or any(_mentions(c.norm, owner) for c in candidates)) else None
    modifier = _modifier(which, asked_about) if q_lang == "zh" and not translated and not counts else None
    modifier = modifier if modifier and rare(modifier) else None
    # the dated thing must be named by the sentence, the one before it or its passage (a heading
    # there says 党代会 above 第二届代表大会第三次会议…举行); a word of it no candidate holds is the
    # user's own wording, not a name to check
    dated = [w for w in _dated(q_norm) if rare(w) and any(_mentions(c.norm, w) for c in candidates)] \
        if wants_date and q_lang == "zh" and not translated else []
    # whose size is asked (材料基因组设施占地多少): the sentence or the one before it names it
    measured_run = _measured(which) if wants_number and q_lang == "zh" else []
    acting = _acting_org(q_norm) if wants_number and not translated else None
    # what is counted (院士), not a measure (规模, 估值) nor a word most sentences hold; every such word
    # in the sentence (专精 and 企业 of 专精特新企业有多少家, not 通过遴选企业163家)
    counted_words = [f for f in focus if f not in _WHOLE and not re.fullmatch(_MEASURES, f)]
    counted_beside = _count_beside(counted_words) if wants_number and not translated else None
    beside_only = wants_number and not translated  # which clause a rendering's words name says little
    role = m.group() if entity and (m := _ROLE.search(q_norm)) else None
    measured = [w for w in measured_run if rare(w) and any(_mentions(c.norm, w) for c in candidates)]
    # an industry's size is its firms' together (合成生物产业集群总估值: 123家合成生物企业,总估值近400亿元):
    # the words for the whole are not checked when a word names which industry
    if any(w not in _INDUSTRY_WORDS for w in measured_run):
        measured = [w for w in measured if w not in _INDUSTRY_WORDS]
    # the milestone a date question asks for (开工 of 哪一年开工建设的)
    milestone = _milestones(q_norm) if wants_date and not translated else set()
    # 规划期从哪一年到哪一年: a plan's span (2022-2035年) answers; otherwise it dates nothing
    spans_asked = bool(_SPAN_ASKED.search(q_norm) or _SPAN_ASKED.search(translated_from))
    # a question about the district is not answered by the city's figure (全市11所), nor one about
    # the whole city by the district's (全区院士57人); a place inside a quoted name (入选“全国工业百强区”)
    # is no scope the sentence states
    wider = wants_number and bool(_WIDER_PLACE.search(q_norm) or _WIDER_PLACE.search(translated_from))
    district = wants_number and not wider and bool(_DISTRICT.search(q_norm))
    # the year and the place of a question set the scene; a report states them once, above the
    # sentences they are about (2024年的光明区 … 荣获省级科技进步6个), so its passage may hold them,
    # or its year heading, or its date (a report of 2025-01-16 says what is planned for 2025)
    scene = _scene(q_norm, weights) if q_lang == "zh" and not translated else set()
    list_kind = _LIST_KIND.findall(q_norm) if not translated else []
    # a rendering's measure (占地 of 占地多少) is one of a few words the documents use too (建筑面积 is not
    # 占地); not 投资 (a verb: 投资了多少个子基金, where the documents say 出资) nor 规模 (said of anything)
    attribute = [a for a in _ATTRIBUTES - {"投资", "规模"} if a in q_norm] if translated and wants_number else []
    attribute = [a for a in attribute if not any(a in b and a != b for b in attribute)]  # 占地面积, not 面积 too
    abroad = wants_number and bool(_ABROAD.search(q_norm) or _ABROAD.search(translated_from))
    # 多少研发经费补贴: the figure is one stated beside what is counted or paid for, not another of the
    # sentence (每月可获得45元每平方米的租金补贴,还有一些研发经费的支持)
    beside = focus if counts and wants_number and ask.unit in ("", "元") and not translated else []
    asked_figure = unit_figure(ask)
    counted_figures = bool(q_figures) and not _DATE_PART.search(q_norm)
    first = not wants_number and not wants_date and bool(_ASKS_IDENTITY.search(q_norm)) and bool(_FIRST_ASKED.search(q_norm))
    worldwide = (wants_number or ask.rank) and bool(_WORLDWIDE_ASKED.search(q_norm) or _WORLDWIDE_ASKED.search(translated_from))
    alone = wants_number and bool(_ALONE.search(q_norm))
    in_all = wants_number and bool(_TOTAL_ASKED.search(q_norm))
    # 规划的那些载体中,已经建成的有几个: a part of a set is counted; the set's own size does not answer
    whole = m.group("set")[-4:] if wants_number and (m := _PART_OF.search(q_norm)) else ""
    # …有多少? 其中国家级的有几个: the part's own figure; one the part shares with others (国家、省、市) is the whole's
    part = _part_asked(q_norm) if wants_number and q_lang == "zh" and not translated else ""
    spent = wants_number and ask.unit == "元" and not translated and bool(_SPENT_ASKED.search(which))
    raised = wants_number and not translated and bool(_RAISED_ASKED.search(which))
    finished = wants_number and bool(_FINISHED_ASKED.search(q_norm)) and not _UNFINISHED.search(q_norm)
    actual = (wants_number and not translated and bool(_ACTUAL_ASKED.search(q_norm))
              and not _TARGET_ASKED.search(_DENIED.sub("", q_norm)))
    added = wants_number and not translated and bool(_ADDED_ASKED.search(q_norm))
    # what the question is about besides when and where (GDP of 2023年光明区的GDP总量): a sentence
    # holding none of it answers nothing, however well its passage gives the year and the place
    topic = [t for t in weights if t not in _scene(q_norm, weights)] if q_lang == "zh" and not translated else []
    out = []
    for i, c in enumerate(candidates):
        joined = {t for pair, forms in shorts.items() if any(f in c.norm for f in forms) for t in pair}
        # a rendering's longer word whose first two characters the sentence holds counts half: the
        # translator writes 合成生物学 (synthetic biology) where the documents say 合成生物
        got = {t: w if t in joined or _covers(c.norm, t, weights)
               or (t in scene and (t in p_norms[c.n - 1] or t in (c.year, c.published[:4])))
               or t in c.section or t in c.speaker or t in c.named
               or t in titled[c.doc_id] or (credited and t in titles[c.doc_id])
               else w / 2 if translated and len(t) >= 3 and t[:2] in c.norm else 0.0
               for t, w in weights.items()}
        coverage = sum(got.values()) / total if total else 0.0
        written = numbers(c.norm)
        # a year (2024年, 2021–2025) is when, not how many: it is not the asked figure
        own = _WIDER_FIGURE.sub(" ", c.norm) if district else c.norm
        own = own if ask.rank else without_ranks(own)
        new_numbers = [n for n in (written if wants_date else numbers(_PHASE.sub(" ", _YEARS_WRITTEN.sub(" ", own))))
                       if n.value not in q_values]
        # before: 其中… states it earlier; a month or a year is no count the question gives (7家 is not 2024年7月)
        stated = (numbers(_DATE_PART.sub(" ", c.norm)) + numbers(_DATE_PART.sub(" ", c.before)) if counted_figures
                  else written + numbers(c.before)) if q_figures else written
        enumerates = (members or each) and _lists(c.norm, named_count)
        fits = (named[c.n - 1] and (wants_number or wants_date or not _HEADING.match(c.text))
                and (wants_date or not c.header)
                and all(_states(c.norm, t) or _states(c.before, t) or _states(titles[c.doc_id], t) for t in q_quoted)
                and (not q_figures or any(number_found(n, stated) for n in q_figures))
                and not any(_in_group(c.norm, t, q_norm) for t in singled + (_members_named(c.norm, q_norm) if measuring else []))
                and (not q_ordinals or q_ordinals <= _ordinals(c.norm, sessions=q_sessions))
                and (not wants_number or bool(new_numbers) or (ask.rank and bool(ranks(c.norm) - q_ranks)))
                # 人工智能产业集群规模突破200亿元,生物医药产业集群规模实现倍增: not 生物医药's figure in 亿元
                and not (beside_only and figures_only_beside_asked(c.norm, q_norm, unit_asked=bool(ask.unit)))
                and (not wants_date or bool(_DATE.search(c.norm if spans_asked else PLAN_SPAN.sub(" ", c.norm))))
                and (not wants_month or bool(_MONTH.search(c.norm))) and (not wants_day or bool(_DAY.search(c.norm)))
                and all(_covers(c.norm, t, weights) or _mentions(c.norm, t) for t in predicate)
                and not (happened and _said_of_another(c.norm, predicate, subjects, q_norm))
                and (not why or bool(_REASON.search(c.norm)))
                and not (members and q_figures and not enumerates)
                and not (each and not enumerates)
                and (not wants_name or _gives_name(c.text, q_norm))
                and all(named_org(c.norm, w) or named_org(c.before, w) for w in whose)
                and all(_mentions(c.norm, w) or _mentions(c.before, w) for w in given)
                and not (wants_which and _only_counts(c.text, c.norm, q_norm))
                and not (wants_which and _only_as_item(c.norm, asked_phrase, q_norm))
                # 该模式…, 这座…: what it points back to is named by the sentence before, read with it
                and not (identity and _POINTS_BACK.match(c.text))
                and not (ask.change and q_figures and not changes_with(c.norm, q_figures))
                and (not focus or kind_only or enumerates or (kinds and _names_several(c.text, c.norm))
                     or (all if compound else any)(_mentions(c.norm, f) or (wants_date and _named_above(f, c, p_norms))
                                                   # 投了哪些公司: firms, whichever word the sentence calls them
                                                   or (f in _FIRM_WORDS and any(_mentions(c.norm, w) for w in _FIRM_WORDS))
                                                   # 光明区哪些应用…: the place its document is about
                                                   or (f in scene and f in doc_norms[c.doc_id])
                                                   # 那位领导是谁: 区委书记蔡颖 holds an office, so leads
                                                   or (f in _LEADER_WORDS and entity == "person" and bool(_OFFICE.search(c.norm)))
                                                   for f in focus))
                and (counted is None or _mentions(c.norm, counted))
                and (owner is None or _mentions(c.norm, owner) or _mentions(c.before, owner))
                and (modifier is None or _mentions(c.norm, modifier) or _mentions(c.before, modifier))
                and all(_mentions(c.norm, w) or _mentions(c.before, w) or _mentions(p_norms[c.n - 1], w) for w in dated)
                and not (dated and _only_governed(dated[0], c.norm, c.before, p_norms[c.n - 1]))
                and all(_mentions(c.norm, w) or _mentions(c.before, w) for w in measured)
                and not (measured_run and _names_another(c.norm, measured_run))
                and (acting is None or acting in c.norm or acting in c.before)
                and (role is None or role in c.norm or role in c.before)
                and all(_mentions(c.norm, w) or _mentions(c.before, w) for w in list_kind)
                and not (wider and _DISTRICT_SCOPE.search(unquoted := _QUOTED_SPAN.sub(" ", c.norm))
                         and not _WIDER_PLACE.search(unquoted))
                and not (milestone and not _milestones(c.norm) & milestone)
                and not (actual and _TARGET_STATED.search(c.norm) and not _ACTUAL_STATED.search(c.norm))
                and not (finished and _UNFINISHED.search(c.norm))
                and not (added and not _ADDED_STATED.search(c.norm))
                and not (in_all and counted is not None and _counts_some(c.norm, counted, q_norm))
                and not (whole and _counts_only(c.norm, whole))
                and not (part and _only_as_alternative(c.norm, part))
                and not (spent and _SIZE_FIGURE.search(c.norm) and not _SPENT_STATED.search(c.norm))
                and not (raised and not _RAISED_STATED.search(c.norm))
                and not (measured_noun and _counts_other(c.norm, measured_noun, q_norm))
                and not (alone and _PARTS.search(c.norm))
                and not (abroad and not _ABROAD.search(c.norm))
                and not (worldwide and not _WORLDWIDE.search(c.norm))
                and not (first and not _FIRST_STATED.search(c.norm) and not _FIRST_STATED.search(c.before))
                and not (beside and not _figure_beside(c.norm, asked_figure, beside))
                and all(_mentions(c.norm, a) or _mentions(c.before, a) for a in attribute)
                and fits_asked(ask, _without(c.norm, q_figures), before_norm=c.before, heading_year=c.year,
                                published=c.published)
                and (entity is None or _names_kind(c.text, q_norm, entity)))  # last: it tags the sentence
        fits = fits and (not topic or any(got[t] for t in topic))
        cosine = None if sims is None else float(sims[i])
        out.append(_Features(coverage, cosine, fits, q_lang == language(c.text) and total > 0, len(c.text),
                             wants_number or wants_date, actual and _ahead(c) and not _ACTUAL_STATED.search(c.norm),
                             bool(counted_beside and counted_beside.search(c.norm)
                                  and all(_mentions(c.norm, w) for w in counted_words))))
    return out


def _named_above(word: str, c: _Candidate, passage_norms: Sequence[str]) -> bool:
    """The sentence before ``c`` or its passage names ``word``: what a date is about is often named
    once, above it (a heading 光明区二届三次党代会召开 over 1月15日,…第二届代表大会第三次会议如期举行)."""
    return _mentions(c.before, word) or _mentions(passage_norms[c.n - 1], word)


def _scene(question_norm: str, terms: Iterable[str]) -> set[str]:
    """The question's terms that say when or where: a year (2024, 年) or a place (光明 and 区 of
    光明区, a word jieba tags as a place)."""
    words, tags = load_jieba().lcut(question_norm), _tags(question_norm)
    places = {w for i, w in enumerate(words) if tags.get(w) == "ns" or (
        len(w) >= 2 and i + 1 < len(words) and words[i + 1] in _PLACE_SUFFIX)}
    places |= {w for i, w in enumerate(words) if w in _PLACE_SUFFIX and i and words[i - 1] in places}
    return {t for t in terms if re.fullmatch(r"(?:19|20)\d{2}|年", t) or t in places}


def _score(f: _Features) -> tuple[float, bool]:
    """(ranking score, evidence strong enough) of one candidate.

    Same language: coverage decides, similarity only breaks near-ties. Across languages words
    cannot match, so the raw cosine decides, against a stricter bar.
    """
    sim = 0.0 if f.cosine is None else min(1.0, max(0.0, (f.cosine - SIM_FLOOR) / (SIM_CEIL - SIM_FLOOR)))
    if f.lexical:
        score, enough = f.coverage + SIM_WEIGHT * sim, f.coverage >= MIN_COVERAGE
    else:
        score, enough = sim + f.coverage, f.cosine is not None and f.cosine >= MIN_CROSS_COSINE
    if f.typed:  # the asked-for number or date is inside, so among equals take the shorter
        score -= LENGTH_PENALTY * min(f.length, 200) / 100
    return (score if f.fits else score * MISFIT), enough and f.fits


def _one_span(a: _Candidate, b: _Candidate) -> bool:
    """Overlapping spans of one document (a clause and the sentence it is part of, or neighbouring chunks)."""
    return a.doc_id == b.doc_id and a.start < b.end and b.start < a.end


def _says_more(a: _Candidate, b: _Candidate) -> bool:
    """``a`` is another passage's wording of ``b`` that holds (nearly) all of it and more: a document
    repeating another's sentence with the names or figures it left out."""
    if _one_span(a, b):
        return False  # a clause and the sentence it is part of: the ranker weighed which is the answer
    grams_a, grams_b = _pairs(a.norm), _pairs(b.norm)
    return len(grams_a) > len(grams_b) and len(grams_b - grams_a) <= 0.1 * len(grams_b)


def same_statement(a: _Candidate, b: _Candidate) -> bool:
    """Overlapping spans of one document, or near-identical text from two passages."""
    if _one_span(a, b):
        return True
    grams_a, grams_b = _pairs(a.norm), _pairs(b.norm)
    return bool(grams_a) and len(grams_a & grams_b) / min(len(grams_a), len(grams_b) or 1) > 0.7


# a sentence's place in its document's list (二是…, （三）): nothing the answer says, and a figure
# the model must carry into English ("Two is focused on…")
_PLACE_NUMERAL = "[一二三四五六七八九十]{1,2}"
_LIST_PLACE = re.compile(rf"^(?:{_PLACE_NUMERAL}是(?!否)|[（(]{_PLACE_NUMERAL}[)）]|{_PLACE_NUMERAL}、)\s*")


def without_list_place(sentence: str) -> str:
    """``sentence`` without the place in its document's list it opens with (二是…, （三）…)."""
    return _LIST_PLACE.sub("", sentence)


def compose(chosen: Sequence[Finding]) -> str:
    """``sentence[n]。`` pieces, the marker before the end punctuation of each sentence (a candidate
    read with the sentence before it holds two), without the place in a list it opens with."""
    parts = []
    for c in (f.candidate for f in chosen):
        for sentence in split_sentences(c.text):
            text = without_list_place(sentence.text.strip())
            body = text.rstrip("。！？!?；;.，,、：: ")
            end = text[len(body):].strip()[:1]
            zh = language(body) == "zh"
            end = end if end in "。！？!?." and end else ("。" if zh else ".")
            if body[-1:] in "”」" and body[-2:-1] and body[-2:-1] in "。！？!?":
                end = ""  # a quote ends the sentence: …应用场景。”[2]
            parts.append(f"{body}[{c.n}]{end}")
    return ("" if all(language(f.candidate.text) == "zh" for f in chosen) else " ").join(parts)


class ExtractiveGenerator:
    """The ``Generator`` that needs no model: it answers from ``evidence`` with ``answer``.

    It does not read prompts, so without evidence (e.g. a condensing request) it returns "".
    """

    name = "extractive"
    model_id = ""

    def __init__(self, *, similarity: Similarity | None = None) -> None:
        self._similarity = similarity

    def complete(self, messages: Sequence[ChatMessage], *, max_tokens: int, temperature: float,
                 evidence: Evidence | None = None, latin_only: bool = False) -> str:
        if evidence is None or not evidence.passages:
            return ""
        if evidence.chosen is not None:
            return evidence.chosen
        return answer(evidence.question, evidence.passages, similarity=self._similarity) or ""

    def stream(self, messages: Sequence[ChatMessage], *, max_tokens: int, temperature: float,
               evidence: Evidence | None = None, latin_only: bool = False) -> Iterator[str]:
        text = self.complete(messages, max_tokens=max_tokens, temperature=temperature, evidence=evidence)
        if text:
            yield text
