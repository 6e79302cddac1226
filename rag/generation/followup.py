"""Follow-up questions: does a question depend on the conversation, and its standalone form by rule.

Most follow-ups people type are elliptical in a few fixed ways, and rules rewrite those at no
cost, where a model call would cost seconds and the local model's cached prompt prefix:

- "那高层次人才呢?" / "What about high-level talents?": the previous question with the thing it
  asked about replaced (光明区现在有多少院士? → 光明区现在有多少高层次人才?);
- "那2023年呢?": the previous question with its year replaced (or the year put in front); the same
  for a place in an order ("第二大的呢?" after 规模最大的) and a quoted name ("那“创新服务提效行动”呢?");
- "它一共有几层?" / "Where is it?": the pronoun replaced by the previous question's topic (its
  subject: up to a comma or the verb that starts its own clause); "这个项目…", "这座大厦…", "这条链…": a
  demonstrative and the noun it takes, the same way (the name the previous question gives that
  noun); "那里" is the place asked about, and "她说…" the person the previous question names;
- "那光明实验室呢,跟谁合作了?", "那院士本人有几位呢?", "那已经推出的产品有几个?": a question of its
  own framed as a follow-up, kept without the frame (and in the previous question's year when it
  names none);
- "它的建筑面积呢?": the same, asked the way the previous question asked (…是多少?);
- "是三年前的几倍?", "增幅是多少?": the previous question's subject put in front (光明区的院士是三年前的几倍?);
- "And how many high-level talents?": the new question's asking part with the previous
  question's remainder.
- "And how big is its AI industry?": a whole question of its own, its "it" the name the previous
  question has as its subject (How big is Guangming's AI industry?); so is "it" after a count
  question, whose answer names no thing; "that fund" is the fund the previous question named, and
  "And provincial ones?" the count asked before, of that kind;
- "具体有哪些?" after a count: which are the things counted; "跟河套又是怎么合作的?": the question of
  the place the conversation is about; "那博士呢?" after a question the answer met with a list
  (…科研院所人才近8000人、博士人才超5000人): the list's item in place of the one asked about.

``resolve`` returns ``None`` for a follow-up no rule fits; the pipeline then asks the generator.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

from rag.generation.facts import ALONE_WORDS, CJK_RUN, figure_checked_as_asked
from rag.text import common_spelling, fold_script, language, load_jieba, normalise, terms

_ZH_ELLIPSIS = re.compile(r"^(?:那么?|那麼|还有|還有|另外|而)?\s*(?P<x>.+?)\s*(?:呢|呐)\s*[?？]?\s*$")
_ZH_LEANING = re.compile(r"^(?:都|是|那|这|這|比|占|佔|其中|里面|裡面|之前|之后|之後|后来|後來|当时|當時|现场|現場|相比|同比)")
_EXAMPLES_REQUEST = re.compile(r"(?<=[?？。.!！,，])\s*(?:请|麻烦)?(?:举|列举|列出)[一两二三四五几\d]*个?例子?\s*[。.!！?？]?\s*$")
_AMONG = re.compile(r"^其中\s*[，,]?\s*")  # among those: a question that names what it points at needs no more
_ZH_PREDICATE = re.compile(r"^(?:是|比|占|佔|相比|同比|较|較)(?!否)")  # 是三年前的几倍: the subject is left out
# 其他, 其中, 此外 point nowhere; a demonstrative's noun (这个项目) is replaced with it, see ``_pointing``
_ZH_PRONOUN = re.compile(r"它们|它們|他们|他們|它|其(?![他中余餘实實次])|"
                         r"(?:这|這|那|该|該)(?:个|個|座|栋|棟|幢|家|所|只|隻|项|項|些|批|位|条|條|支|台|臺|笔|筆|场|場|届|屆|张|張|类|類|种|種)"
                         r"|(?:这|這|那)(?:里|裡|儿|兒)(?!面)|那(?=里面|裡面)|该|該|此(?![外前后後次])")  # 那里(面): the place
# she, he: a person named before, whom no rule finds (the question goes with the one before it)
_ZH_PERSON = re.compile(r"(?<!其)[他她](?![人国國乡鄉方])")
_PLURAL = re.compile(r"它们|它們|他们|他們")
_MEASURE = "个個家所项項只隻位名条條座批种種类類"  # measure words after 多少/几/哪些 (both scripts)
# the things a question counts or lists when they end it (光明区有几家科技支行了? → 科技支行)
_THINGS_ASKED = re.compile(rf"(?:多少|几|幾|哪些|哪几|哪幾)\s*[{_MEASURE}台臺]?"
                           r"(?P<things>[\u3400-\u9fff]{2,8}?)(?:了|呢|吗|嗎)?\s*[?？]?\s*$")
_ZH_DEMONSTRATIVE = re.compile(r"^[这這那该該此]")
_KIND_POINTER = re.compile(r"[这這那](?:些|类|類|种|種)")  # these, this kind: the things a which question listed
_WHICH_THINGS = re.compile(rf"(?:哪些|哪几|哪幾)\s*[{_MEASURE}]?(?P<things>[\u3400-\u9fff]{{2,8}}?)"
                           r"(?=[了呢吗嗎?？，,。\s]|$)")
# a demonstrative with its measure word inside a noun phrase (合成生物那个设施, 办的那届大会)
_NAMED_DEMONSTRATIVE = re.compile(r"(?<=[\u3400-\u9fff\w”」》])(?:这|這|那)"
                                  r"(?:个|個|座|家|所|只|隻|项|項|批|位|条|條|支|台|臺|届|屆)")
_ZH_ASKING = re.compile(r"多少|几|幾|什么|什麼|啥|哪|是否|有没有|有沒有|怎么|怎麼|如何|谁|誰|何时|何時|吗|嗎|"
                        r"多大|多高|多长|多長|多久|多远|多遠")
# a measure of a thing rather than a thing (建筑面积呢? after 大厦有多少层?: the tower's floor area)
_ZH_ATTRIBUTE = re.compile(r"(?:总|總)?(?:建筑|建築|占地|佔地)?(?:面积|面積)|"
                           r"(?:总|總)?(?:认缴|認繳|实际|實際|计划|計劃)?(?:规模|規模)|"
                           r"(?:总|總)?(?:投资|投資)(?:额|額)?|产值|產值|营收|營收|估值|高度|层数|層數|排名")
# nouns that name no topic (哪些方面, 什么时候); jieba also tags 面向 and 实际 as nouns
_VAGUE = frozenset("方面 时候 时间 情况 东西 问题 地方 面向 实际 目前 现在 一共 总共".split())  # (jieba tags 一共 j)
_ASKS_ANYTHING = re.compile(r"[?？]|呢|怎")
_ASKS_WHAT_WORDS = r"多少|几|幾|什么|什麼|啥|哪|多大|多高|多长|多長|多久|谁|誰|何时|何時"
_ZH_ASKS_WHAT = re.compile(_ASKS_WHAT_WORDS)  # not a yes/no question
ZH_COUNTS = re.compile(r"多少|几|幾")  # a count asked
_PLACE_ENDS = "区市省县镇城"  # read on folded text (區 → 区)
ZH_ASKS_WHAT_OR_HOW = re.compile(_ASKS_WHAT_WORDS + r"|怎|如何|多远|多遠")  # …, or how, or how far
_ZH_LEAD = re.compile(r"^(?:那么?|那麼)(?![里裡儿兒边邊])\s*[，,]?\s*")  # 那里 is a place
_ASKS_THING = re.compile(r"什么|什麼|啥|哪(?!一?年)|谁|誰")  # asks what or which thing, not when
_SIDE = re.compile(r"(?<=[\u3400-\u9fff])(?:那边|那邊|这边|這邊)$")  # 香港那边: Hong Kong's side, i.e. Hong Kong
_PARTNER_LEAD = re.compile(r"^(?:跟|和|与|與|同)(?=[\u3400-\u9fff])")  # with whom: a question whose subject is left out
# which are they (具体有哪些?, 分别是哪几家?): after a count, the things counted
_WHICH_OF_COUNTED = re.compile(r"(?:具体|具體|分别|分別|都|又)*(?:有|是)?\s*(?:哪些|哪几|哪幾)\s*"
                               rf"[{_MEASURE}]?\s*(?:呢)?\s*[?？]?\s*")
_COUNT_ASKED = re.compile(rf"(?:多少|几|幾)\s*[{_MEASURE}]?")
_ZH_ASKED_ELLIPSIS = re.compile(r"^(?:那么?|那麼)?\s*(?P<x>[^，,?？]{2,}?)\s*呢\s*[，,]\s*(?P<rest>.*[?？]?)\s*$")
# words that end a question's topic without being part of it; 本身/单独 (引导基金本身的规模) qualify
# what was asked, and carried into the follow-up (它参与出资了多少只子基金) would change its question
_ZH_TRAILING = re.compile(r"(?:里面|裡面|现在|現在|目前|一共|总共|總共|共|已经|已經|已|有|是|的|了|在|将|將|把|要|会|會|想|指|"
                          rf"打算|准备|準備|{ALONE_WORDS})+$")
# 高层次人才 of 高层次人才超3000人: what a figure is given for
_FIGURE_FOR = re.compile(r"([\u3400-\u9fff]{2,12}?)(?:超过?|近|约|达到?|逾|共)?\d")
_MIN_SIBLING = 3  # characters of another list item the previous question must name (not 院士 of 多少院士)
_QUOTED_NOUN_END = re.compile(r"[”」\"][\u3400-\u9fff]{1,6}(?=\s*[?？]?\s*$)")  # “枢纽+末端”低空起降点? from its closing quote
_NOUN_END = re.compile(r"([\u3400-\u9fff]{1,3})\s*[?？]?\s*$")  # the rest of a noun that ends the question
_YEAR = re.compile(r"(?:19|20)\d{2}\s*年?|去年|今年|明年|前年")
_ASKS_WHEN = re.compile(r"什么时候|什麼時候|何时|何時|哪一?年|几月|幾月|哪一?天")
_ZH_THAT_YEAR = re.compile(r"当年|當年|(?<!不)同一?年|那一?年|这一年|這一年|该年|該年")  # the year the previous question named
_RANKED = re.compile(r"(?:最|第[二三四五两2-5])(?:大|小|高|低|多|少|早|晚|快|慢|强|弱)")  # a place in an order
_PERSON_TAGS = frozenset({"nr", "nrfg"})  # jieba: a person's name
# 她还说…, 他提到…: who said it frames a question of its own
_SPEAKER_FRAME = re.compile(r"^(?:那么?|那麼)?\s*[他她](?:们|們)?(?:还|還|也|又)?"
                            r"(?:说|說|讲|講|提到|表示|介绍|介紹|谈到|談到)了?\s*[,，:：]?\s*")
_SCOPE = re.compile(r"全(?:区|區|市|省|国|國)")  # the whole district: the place a question is about
_NOW = re.compile(r"现在|現在|目前|如今|眼下")  # now: no year of the conversation's applies
_COUNT_UNIT = re.compile(rf"(多少|几|幾)[{_MEASURE}台臺]")  # 多少家 → 多少
_AGAIN = re.compile(r"\s*(?:还|還|也|又|再|要|想|准备|準備|打算)")  # after a pronoun: its subject acts again
_NAME_ASKED = re.compile(r"[这這那该該此](?:[个個所家座只隻项項位条條])?(?P<noun>[\u3400-\u9fff]{2})"
                         r"(?:叫什么|叫什麼|叫啥|的名字|的名称|的名稱)")  # 这所学院叫什么: the 学院 the answer names
_ONE_PRONOUN = frozenset("它 其".split())  # one thing, named by no noun: after a which question, the one the answer named
# 哪个, 哪一家, 什么体系: the noun after it is what is asked for (not 什么时候, 什么样)
_WHICH = re.compile(r"哪一?(?:个|個|家|所|只|隻|座|条|條|项|項|位)?|(?:什么|什麼)(?![时時样樣])")
_SEVERAL_UNIT = r"(?:个|個|家|所|只|隻|座|条|條|项|項|位|类|類|种|種)"
_WHICH_SEVERAL = re.compile(rf"哪(?:些|几|幾|[两兩二三四五六七八九十]+)\s*{_SEVERAL_UNIT}?")  # 哪两家, 哪些
_COUNTED_THINGS = re.compile(rf"[两兩二三四五六七八九十]\s*{_SEVERAL_UNIT}")  # 两个
# one thing pointed at (not 这些, 这批): the previous answer may name it
_ONE_POINTED = re.compile(r"^(?:这|這|那|该|該)(?:个|個|座|家|所|只|隻|项|項|位|条|條)?$")
_NAME_BREAK = re.compile(r"[，,。；;：:、！!？?()（）\[\]\n]")  # where a name written in an answer starts at the latest
_NAME_MARKS = frozenset("“”「」+")  # inside a name: “白名单+智能预审”通关机制
_ASKS_WHICH = re.compile(r"哪|什么|什麼")  # the answer gives the name itself
_NAME_JOINS = frozenset("与 和 及".split())
MAX_NAME_CHARS = 24
_QUOTED = re.compile(r"“[^”]+”|「[^」]+」|《[^》]+》|\"[^\"]+\"")  # a named programme, plan or title
_EN_ONES = re.compile(r"^(?:and|(?:and\s+)?(?:what|how)\s+about)\s+(?:the\s+)?(?P<kind>[\w-]+)\s+ones\s*\??\s*$", re.I)
_EN_THAT_NOUN = re.compile(r"\b(?:that|this)\s+(?P<noun>(?!year\b|month\b|week\b|one\b)[a-z][\w-]*)\b", re.I)  # that fund
_EN_ASKING_WORD = r"(?:how|what|which|when|where|who|whose|why)"
_EN_AUX = r"(?:does|do|did|is|are|was|were|has|have|had|will|can|could)"  # an English auxiliary verb
# "What about X?", and "And the AI cluster?": a noun phrase of a few words after "and", asking nothing of its own
# (not "And in Shenzhen?", a place or a time: which words it replaces is not the thing counted)
_EN_ELLIPSIS = re.compile(rf"^(?:(?:and\s+)?(?:what|how)\s+about\s+|and\s+(?!.*\b(?:{_EN_ASKING_WORD}|{_EN_AUX}|also|then)\b)"
                          r"(?!(?:in|for|at|on|by|from|to|with|since|during)\b)"
                          r"(?=(?:[\w-]+\s*){1,4}\??\s*$))(?P<x>.+?)\s*\??\s*$", re.I)
# "For how many years?", "Since when?": a fragment that asks only how, of what was asked before
_EN_FRAGMENT = re.compile(rf"^(?:for|in|by|since|until|from|at|to|over)\s+{_EN_ASKING_WORD}\b(?:\s+[\w-]+){{0,3}}\s*\??\s*$", re.I)
_EN_THE = re.compile(r"^the\s+", re.I)
_EN_LEAD = re.compile(r"^(?:and|also|then)\s*,?\s+", re.I)
# "the zone('s)" after "…Shenzhen's high-tech zone?": the one named before; the noun is the head, before
# a possessive, a function word or the end (not "talent" of "the talent community", nor a measure: the number of…)
_EN_THE_NOUN = re.compile(r"\bthe\s+(?P<noun>(?!(?:number|amount|total|size|share|value|figure|rate|year|month|day|time|"
                          r"end|first|last|same|other|rest|whole|most|biggest|largest)\b)[a-z][\w-]*)"
                          r"(?='s\b|\s*[?,.;:]|\s+(?:is|are|was|were|in|of|for|on|at|to|by|with|from|and|or|has|have|will)\b)")
_EN_AND_IN = re.compile(r"^(?:and|what)\s+(?:in|for|about)\s+(?P<x>(?:19|20)\d{2})\s*\??\s*$", re.I)
_EN_TOPIC_ASKED = re.compile(r"^(?P<topic>[^,—–]+?)(?P<dash>,|\s*[—–]|\s+-)\s*"  # "…, how many…?", "… — how many…?"
                             r"(?P<ask>(?:how|what|which|who|when|where)\b.+?)\s*\??$", re.I)
_EN_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")
# "And how big is its AI industry?": a question with its own verb after "and"
_EN_AND_OWN = re.compile(rf"^(?:and|also|then)\s*,?\s+(?P<x>(?:how|what|which|when|where|who)\b.*?\s{_EN_AUX}\s.+?)"
                         r"\s*\??\s*$", re.I)
_EN_COUNT_ALONE = re.compile(rf"how\s+(?:many|much)\s+{_EN_AUX}\b", re.I)  # "how many are on the list": of those asked before
_EN_AND_HOW = re.compile(r"^(?:and|also|then)\s*,?\s+(?P<x>how\s+(?:many|much)\s+.+?)\s*\??\s*$", re.I)
_EN_FOCUS = re.compile(rf"\bhow\s+(?:many|much)\s+(?P<focus>.+?)\s+(?P<rest>{_EN_AUX}\b.*)$", re.I)
# "this year" is the present, and "there is", "are there" say that something exists: neither points back
_EN_PRONOUN = re.compile(r"\b(?:it|its|they|their|them|this(?!\s+(?:year|month|week)\b)|that|these|those|"
                         r"(?<!\bis\s)(?<!\bare\s)(?<!\bwas\s)(?<!\bwere\s)"
                         r"there(?!\s+(?:is|are|was|were|will|has|have)\b))\b", re.I)
_EN_TOPIC_THEN_ASK = re.compile(r"^(?:and\s+(?:(?:what|how)\s+about\s+)?|(?:what|how)\s+about\s+)(?P<x>[^-–—,:;?]+?)\s*[-–—,:;]\s*"
                                r"(?P<ask>(?:how|what|which|when|who|where|is|are|was|were|does|do|did|has|have)\b[^?]*?)"
                                r"\s*\??\s*$", re.I)
# the subject of an English question: the name right after its auxiliary (…has Guangming been rated…)
_EN_SUBJECT = re.compile(rf"\b{_EN_AUX}\s+"
                         r"([A-Z][\w-]*(?:\s+[A-Z][\w-]*)*)(?=\s+[a-z])")  # not a possessive's head (University's)
_EN_THAT_YEAR = re.compile(r"\b(?:in\s+)?(?:that|the same|that same)\s+year\b", re.I)  # the year named before
_EN_ITSELF = re.compile(r"\s+(?:itself|themselves)\b", re.I)  # "Guangming itself": Guangming
_EN_IT = re.compile(r"\b(?:it|its)\b", re.I)
_EN_ITS = re.compile(r"\b(?:that one|this one|it|its|they|them|their)\b", re.I)
_EN_ASKING = re.compile(r"\b(?:how|what|which|when|where|who|whose|why|is|are|does|do|did)\b", re.I)


def depends_on_history(question: str) -> bool:
    """True when the question leans on an earlier turn: an ellipsis or a pronoun, or too short to stand alone."""
    q = question.strip()
    if language(q) == "en":
        return bool(_EN_ELLIPSIS.match(q) or _EN_AND_HOW.match(q) or _EN_AND_IN.match(q) or _EN_PRONOUN.search(q)
                    or _EN_FRAGMENT.match(q) or len(q.split()) <= 3)
    q = _EXAMPLES_REQUEST.sub("", q)  # 举两个例子 asks for examples of what the question names
    content = _content_words(q)  # a question with at most two content words has no subject of its own
    return bool(_ZH_ELLIPSIS.match(q) or _ZH_ASKED_ELLIPSIS.match(q) or _ZH_PRONOUN.search(q) or _ZH_PERSON.search(q)
                or _ZH_LEANING.match(q) or _ZH_THAT_YEAR.search(q) or len(content) <= 2 or _subjectless(q))


def _subjectless(q: str) -> bool:
    """A Chinese question that opens with a time word, a locality word (前后, 最后), an adverb or a verb
    (现在是面向谁开放共享的?, 具体在哪些方面提供支持?) and names nothing: no noun, name or quoted term.
    Chinese leaves out a subject the conversation already gave."""
    words = [w for w in _tagged(q) if w.word.strip()]
    if not words or words[0].flag[:1] not in "tdapvrf" or re.search(r"[“「\"《]", q):
        return False
    # a word right after an adverb is said of the subject, whatever jieba tags it (已经 + 投入使用)
    return not any((w.flag[:1] in "nj" or w.flag == "eng") and not (i and words[i - 1].flag == "d")
                   for i, w in enumerate(words) if len(w.word) >= 2 and w.word not in _VAGUE)


def resolve(question: str, previous: Sequence[str], *, answer: str = "") -> str | None:
    """The standalone form of ``question`` after the earlier user questions ``previous`` (oldest
    first) and the ``answer`` to the last of them (``""``: none, or a refusal); the question itself
    when it does not depend on them; ``None`` when no rule fits."""
    question = common_spelling(question)  # 甚麼 is read as 什麼
    if not previous:
        return question.strip()
    if not depends_on_history(question):
        return _the_named(question.strip(), last_standalone(previous)) if language(question) == "en" else question.strip()
    if (request := _EXAMPLES_REQUEST.search(question)) and request.start() > 0:
        # 都有哪些险种?举两个例子。: the question resolved, the request for examples kept after it
        asked = resolve(question[:request.start()], previous, answer=answer)
        return asked and asked + question[request.start():].strip()
    if (among := _AMONG.match(q := question.strip())) and not ZH_COUNTS.search(q) and _ZH_ASKS_WHAT.search(q) \
            and not _RANKED.search(q) and not depends_on_history(member := q[among.end():]):
        # 其中南科大光明高等研究院是哪一年完工的?: the member it names stands alone (not a count of the whole's
        # part, nor 其中有专门保知识产权的吗?, whether the whole holds one, nor 其中规模最大的…, a rank in it)
        return member
    before = last_standalone(previous)
    if language(q) != "en" and (pointing := _pointing(q)) and (noun := normalise(pointing[2])) \
            and noun not in normalise(before) and noun not in normalise(answer):
        # 这个母基金 after a question about 科技保险, itself after one about the 母基金: the earlier question
        # is what it points at (neither the last question nor its answer names one)
        earlier = next((e for k in range(len(previous) - 1, 0, -1)
                        if noun in normalise(e := last_standalone(previous[:k]))), None)
        before, answer = (earlier, "") if earlier else (before, answer)
    if (supplied := _measured_noun_supplied(q, before)) != q and not depends_on_history(supplied := _ZH_LEAD.sub("", supplied)):
        return supplied  # 那合成生物那只规模多大? after …那三只产业基金…: 合成生物产业基金规模多大?
    if (named := _demonstratives_after_names_removed(question.strip())) != question.strip() \
            and not depends_on_history(named := _AMONG.sub("", named)):
        # 合成生物那个设施投用了没?, 其中华星那个基地主要攻关哪些材料?: the question names what it points at
        return named
    # 那院士呢? after 光明区有超过3000名高层次人才吗?: what it asked, 光明区有多少名高层次人才?
    context = figure_checked_as_asked(before)
    q = question.strip()
    if (language(q) == "en") != (language(context) == "en"):
        # 它的建筑面积呢? after an English question: its topic is not in Chinese words to put in;
        # 那2024年光明人工智能产业集群实际做到了多大? needs none
        return None if language(q) == "en" else _own_question(q)
    if language(q) == "en":
        return _resolve_en(q, context)
    if not depends_on_history(_ZH_THAT_YEAR.sub("", q)):  # 当年创新联合体发展到几个?, after a question about 2023
        return _that_year(q, context)
    resolved = _resolve_zh(q, context, answer)
    return _that_year(resolved, context) if resolved else None


def _demonstratives_after_names_removed(q: str) -> str:
    """``q`` without the demonstratives that follow the name or the clause that says what they
    point at (合成生物那个设施 → 合成生物设施, 2021年办的那届大会 → 2021年办的大会): such a
    question is about what it names, not the previous question's topic."""
    for m in reversed(list(_NAMED_DEMONSTRATIVE.finditer(q))):
        before = _tagged(q[:m.start()])[-1:]
        if before and (before[0].word == "的" or before[0].flag[:1] in "nj" or before[0].flag in ("b", "eng")):
            q = q[:m.start()] + q[m.end():]
    return q


def _measured_noun_supplied(q: str, context: str) -> str:
    """``q`` with the noun put in after a name's demonstrative and measure word that stand without
    one (合成生物那只规模多大): the noun the previous question (``context``, its standalone form)
    counted with that measure word (那三只产业基金 → 合成生物产业基金规模多大); ``q`` itself when there is none."""
    for m in reversed(list(_NAMED_DEMONSTRATIVE.finditer(q))):
        following = next(iter(_tagged(q[m.end():])), None)
        if following is None or (following.flag[:1] in "nj" and not _ZH_ATTRIBUTE.match(fold_script(q), m.end())):
            continue  # 合成生物那个设施: its noun is there
        # folding keeps lengths: offsets in one are offsets in the other
        counted = re.search(rf"(?:\d+|[一二两三四五六七八九十几多]+){fold_script(m.group()[1:])}", fold_script(context))
        if not counted:
            continue
        nouns = itertools.takewhile(lambda w: w.flag[:1] in "nj" or w.flag in ("vn", "b"), _tagged(context[counted.end():]))
        if length := sum(len(w.word) for w in nouns):
            q = f"{q[:m.start()]}{context[counted.end():counted.end() + length]}{q[m.end():]}"
    return q


def last_standalone(previous: Sequence[str], answers: Sequence[str] = ()) -> str:
    """The standalone form of the last of the earlier questions ``previous`` (oldest first), each
    resolved by rule against the one before it and its answer (``answers[i]`` answers ``previous[i]``;
    ``""`` for none, or a refusal), or joined to it where no rule fits."""
    context = previous[0].strip()
    for i, earlier in enumerate(previous[1:]):
        answer = answers[i] if i < len(answers) else ""
        context = (resolve(earlier, [context], answer=answer) or f"{context} {earlier.strip()}") \
            if depends_on_history(earlier) else earlier.strip()
    return context


def _that_year(q: str, context: str) -> str:
    """``q`` with "that year" (当年, 同年) replaced by the last year ``context`` names (dropped when
    ``q`` already names it; kept when ``context`` names none)."""
    years = _EN_YEAR.findall(context)
    if not years or not _ZH_THAT_YEAR.search(q):
        return q
    return _ZH_THAT_YEAR.sub("" if years[-1] in q else f"{years[-1]}年", q, count=1)


def _resolve_zh(q: str, context: str, answer: str = "") -> str | None:
    if m := _ZH_ASKED_ELLIPSIS.match(q):  # 那光明实验室呢,跟谁合作了?: the new topic, then its question
        return _in_year_of(f"{m.group('x')}{m.group('rest')}", context)
    if m := _ZH_ELLIPSIS.match(q):
        x = _demonstratives_after_names_removed(m.group("x").strip())  # 示范区的那个行动方案: one it names
        if _ZH_ASKING.search(x):  # 那院士本人有几位呢?: a whole question, only framed as a follow-up
            return _resolve_zh(f"{x}?", context) or f"{x}?"
        if pointing := _pointing(x):  # 它的建筑面积呢: a new attribute of the previous topic
            start, end, noun = pointing
            pointer = x[start:end - len(noun)]
            topic = _named_in(answer, pointer, noun, context) or _pointed_at(noun, context, pointer)
            how = _ZH_ASKING.search(context)
            named = f"{x[:start]}{topic}{x[end:]}"
            return (f"{named}是多少?" if how and how.group() in ("多少", "几", "幾") else f"{named}呢?") \
                if topic else None
        if _ZH_ATTRIBUTE.fullmatch(measure := x.removeprefix("它的").removeprefix("的")):
            subject = _zh_subject(context)  # 建筑面积呢? after 大厦有多少层: the tower's; 规模呢? after 有多少院士: theirs
            return f"{subject}的{measure}是多少?" if subject else None
        if _YEAR.fullmatch(x):
            return _YEAR.sub(x, context, count=1) if _YEAR.search(context) else f"{x}{context}"
        if (rank := _RANKED.search(x)) and (ranked := _RANKED.search(context)):  # 第二大的呢? after 规模最大的是哪一只
            return f"{context[:ranked.start()]}{rank.group()}{context[ranked.end():]}"
        if _QUOTED.fullmatch(x) and (quoted_at := _QUOTED.search(context)):  # 那“创新服务提效行动”呢? after “创新能级提升行动”
            return f"{context[:quoted_at.start()]}{x}{context[quoted_at.end():]}"
        if sibling := _sibling_in_answer(x, context, answer):
            # 那博士呢? after 光明区科研院所的人才有多少?, answered 院士59人、…、科研院所人才近8000人、博士人才超5000人:
            # the answer's list names both, so 博士人才 takes the place of all of 科研院所的人才
            start, end, item = sibling
            return f"{context[:start]}{item}{context[end:]}"
        start, end, asking = _zh_focus_span(context, first_word_only=x.endswith("的"))
        x = x.removesuffix("的") if x.endswith("的") else x  # 省级的: a modifier of what was asked about
        head_at = normalise(context[start:end]).rfind(normalise(x)[-2:]) if end > start else -1
        if start < asking and head_at >= 0:
            # 智能传感器产业基金的规模呢 after 合成生物产业基金的规模是多少: the follow-up restates the whole
            # thing asked about, so it replaces everything before the asking part (up to its own head:
            # 合成生物产业基金呢 after 智能传感器产业基金规模是多少 keeps 规模)
            return f"{x}{context[start + head_at + 2:]}"
        if start < end and (head_end := normalise(context).find(normalise(x)[-2:], end, asking)) >= 0:
            # 那估值目标呢? after …企业数量目标是多少家?: the same head (目标) after what was counted; a
            # measure (估值) is not counted in 家
            after = context[head_end + 2:]
            after = _COUNT_UNIT.sub(r"\1", after) if _ZH_ATTRIBUTE.search(x) else after
            return f"{context[:start]}{x}{after}"
        head = _same_head(x, context, asking)
        # a new thing of the kind the question named (那生物医药产业集群呢 after …产业集群的总规模) replaces that
        # thing, not what was measured
        if end > start and (head is None or normalise(x)[-1:] in normalise(context[start:end])):
            # focus words are two words at most (合成+生物 of 合成生物企业, 省级+科技 of 省级科技进步奖):
            # a new noun with the same head (脑科学企业, 国家级技术发明奖) replaces the rest of the old one too
            rest = _NOUN_END.match(normalise(context), end)
            if rest and normalise(x).endswith(rest.group(1)[-1]):
                end += len(rest.group(1))
            elif "的" in x and (quoted := _QUOTED_NOUN_END.match(context, end)) and context[start - 1:start] in "“「\"":
                # 城市治理方面新增的应用场景呢? after …多少个“枢纽+末端”低空起降点?: a noun phrase with a head of
                # its own replaces the quoted name and the noun it names
                start, end = start - 1, quoted.end()
            return f"{context[:start]}{x}{context[end:]}"
        if head is not None:
            # 那可持续发展示范区的行动方案呢? after …印发的“五地”实施方案,提出了多少条举措?: another 方案
            return _in_year_of(f"{context[:head[0]]}{x}{context[head[1]:]}", context)
        if (predicate := _predicate_of_named(context)) is not None and _names_a_thing(x):
            # 那深圳医学科学院呢? after 2023年光明的超算二期建到什么程度了?: the same asked of another thing
            return _in_year_of(f"{x}{context[predicate:]}", context)
        if (partner := _partner_place(context)) and _is_place(place := _SIDE.sub("", x)):
            # 香港那边呢? after 2024年跟河套深圳园区有啥进展?: the same asked of another partner place
            return f"{context[:partner[0]]}{place}{context[partner[1]:]}"
        return None
    if pointing := _pointing(q):
        start, end, noun = pointing
        pointer = q[start:end - len(noun)]
        # 它还准备…: the one who acted before does more, not the thing the answer named (它 = 科创委,
        # after 科创委打算修订哪部条例?)
        again = not noun and _AGAIN.match(q[end:]) and not _NAME_ASKED.search(context)  # not 它打算… after 这所学院叫什么
        topic = ("" if again else _named_in(answer, pointer, noun, context)) or _pointed_at(noun, context, pointer)
        topic = _before_wanting(topic) if again else topic  # 它要组建… after 光明2025年想争取…: 光明2025年
        if _ASKS_WHEN.search(q):  # 它什么时候点亮? after 超算二期2023年建到哪一步了: asks the year, names none
            topic = _YEAR.sub("", topic).removesuffix("的")
        lead = "" if _ZH_LEAD.fullmatch(q[:start]) else q[:start]  # 那这类项目…: the 那 only says it follows on
        return f"{lead}{topic}{q[end:]}" if topic else None
    if (she := _ZH_PERSON.search(q)) and (people := [w.word for w in _tagged(context) if w.flag in _PERSON_TAGS]):
        return f"{q[:she.start()]}{people[-1]}{q[she.end():]}"  # 她说… after a question about 宋悠洋
    if (said := _SPEAKER_FRAME.match(q)) and len(_content_words(what := q[said.end():])) >= 3 and _ZH_ASKS_WHAT.search(what):
        # 她还说扫码入企让企业受检频次降了多少?, where no question before names her: what she said is asked
        return what
    if _ZH_PREDICATE.match(q):
        subject = _zh_subject(context)
        return f"{subject}{q}" if subject else None
    framed = _ZH_LEAD.match(q)
    asked = q[framed.end():] if framed else q
    if _PARTNER_LEAD.match(asked) and (place := _opening_place(context)):
        # 跟河套又是怎么合作的? after 光明区跟哪个科学城签了…: what the place the conversation is about does with another
        return _in_year_of(f"{place}{asked}", context)
    if _WHICH_OF_COUNTED.fullmatch(asked) and (counts := list(_COUNT_ASKED.finditer(context))) \
            and CJK_RUN.match(context, counts[-1].end()):
        # 具体有哪些? after …大厦里面聚了多少家金融机构?: which they are, of the things counted last (named
        # after the count; when the count ends the question, its subject names them: see below)
        return f"{context[:counts[-1].start()]}哪些{context[counts[-1].end():]}"
    if own := _own_question(q):
        return _in_year_of(own, context)
    content = _content_words(q)
    scope = _SCOPE.search(q)
    if len(content - {scope and scope.group()}) == 1 and ZH_COUNTS.search(q) and ZH_COUNTS.search(context) \
            and (framed or _COUNT_UNIT.search(q)):
        # 那院士有几位?, 院士又有多少位? after 光明区拥有博士学位的人才有多少?: another count, of the place asked
        # about (那全区院士现在有多少位?: of the district it names), in its year unless it asks about now
        own = f"{'' if scope else _opening_place(context)}{q[framed.end():] if framed else q}"
        return own if _NOW.search(q) else _in_year_of(own, context)
    # 现在已经投入使用了吗? after a question about a facility: whether it is; 前后一共投了多少钱? after
    # …专项政策是哪年出的: what it asks, of the same subject (only after a time word or an adverb: 其中…,
    # 这么做… point at a part or an act; nor after 设立了什么基金? or 组织过多少批次…?, whose subject is
    # not what a new count counts)
    if _subjectless(q) and (not _ZH_ASKS_WHAT.search(q) or (
            _tagged(q)[0].flag[:1] in "tfd" and not _ASKS_THING.search(context) and not ZH_COUNTS.search(context))) \
            and (subject := _zh_subject(context)):
        return f"{subject}{q}"
    if len(content) <= 1 and _ZH_ASKS_WHAT.search(q) and (subject := _zh_subject(context)):
        # 增幅是多少? after 院士团队有几个: an attribute of what was asked about; 都有哪些?: the things counted
        return f"{subject}{q[framed.end():] if framed else q}"  # 那现在一共有多少位?: without its 那
    return None


def _in_year_of(q: str, context: str) -> str:
    """``q``, a question of its own framed as a follow-up, in the year ``context`` asked about when
    it names none: 那科技保险这块要试点什么险种? after 2025年光明想争取哪些产业基金落地? asks about
    2025's plans, which one report states and another does not."""
    year = _YEAR.search(context)
    return q if year is None or _YEAR.search(q) or _ZH_THAT_YEAR.search(q) else f"{year.group().strip().removesuffix('年')}年{q}"


def _sibling_in_answer(x: str, context: str, answer: str) -> tuple[int, int, str] | None:
    """(start, end, item) when ``answer`` lists figures for several things (A59人、B超3000人、C近8000人),
    one of them named by ``x`` (博士 of 博士人才) and another, of three characters or more, asked about in
    ``context`` (科研院所的人才 for 科研院所人才): where ``context`` names the other, and the item ``x`` names."""
    for sentence in re.split(r"[。；;\n]", answer):
        runs = [m.group(1) for part in sentence.split("、") if (m := _FIGURE_FOR.search(part))]
        if len(runs) < 3:
            continue
        named = [run[run.find(x):] for run in runs if x in run]
        if len(named) != 1 or len(named[0]) > len(x) + _MIN_SIBLING:  # 博士人才 for 博士, not 光明区共有院士 for 光明区
            continue
        for run in runs:
            for at in range(len(run) - _MIN_SIBLING + 1):
                if run[at:] != named[0] and (found := re.search("的?".join(map(re.escape, run[at:])), context)):
                    return found.start(), found.end(), named[0]
    return None


def _opening_place(context: str) -> str:
    """The place a question opens with, after its year: its first nouns when they end in a place
    (光明区 of 2024年光明区有多少…, jieba's 光明+区; 深圳市), ``""`` if it opens otherwise."""
    start = end = 0  # offsets in jieba's folded text are offsets in ``context`` (folding keeps lengths)
    for w in _tagged(context):
        if end == start and (w.flag in ("t", "m") or w.word in ("年", "年度")):
            start = end = end + len(w.word)
        elif w.flag[:1] == "n":
            end += len(w.word)
        else:
            break
    run = context[start:end]
    return run if run and (fold_script(run)[-1] in _PLACE_ENDS or _tagged(run)[0].flag == "ns") else ""


def _content_words(q: str) -> set[str]:
    """The words of two or more characters of a Chinese question, without its asking words (几家, 多少)."""
    return {t for t in terms(q) if len(t) >= 2 and not _ZH_ASKING.match(t)}


def _own_question(q: str) -> str | None:
    """A question of its own after a 那 (那已经推出的科技保险产品有几个?), without the 那; None for
    one that points back (那它…, 那当年…) or has too few words of its own."""
    lead = _ZH_LEAD.match(q)
    if not lead or not _ZH_ASKING.search(q) or _ZH_PRONOUN.search(q[lead.end():]) or _ZH_THAT_YEAR.search(q):
        return None
    return q[lead.end():] if len({t for t in terms(q) if len(t) >= 2}) >= 3 else None


def _pointing(q: str) -> tuple[int, int, str] | None:
    """Where ``q`` points back to the previous topic, as (start, end, noun): a pronoun (它), or a
    demonstrative with the noun it takes (这个项目, 这座大厦); None if nowhere."""
    m = _ZH_PRONOUN.search(q)
    if not m:
        return None
    if _ZH_DEMONSTRATIVE.match(m.group()):
        following = next(iter(_tagged(q[m.end():])), None)
        if following and following.flag.startswith("n") and (len(following.word) >= 2 or following.flag == "n"):  # 这条链
            return m.start(), m.end() + len(following.word), q[m.end():m.end() + len(following.word)]
    return m.start(), m.end(), ""


def _pointed_at(noun: str, context: str, pointer: str) -> str:
    """What a pronoun, or a demonstrative and its ``noun``, stands for: the previous question's
    topic, up to that noun when the topic names it (这些联合体 after 当年创新联合体发展到几个 →
    当年创新联合体), with it when only the question does (这些孵化器 after 光明区有多少家孵化器).
    A plural pronoun alone stands for the things counted (他们 after 光明区有多少院士 → 光明区的院士)."""
    if not noun and _PLURAL.fullmatch(pointer):
        things = things_at.group("things") if (things_at := _THINGS_ASKED.search(context)) else _things_listed(context)
        if not things:
            return _zh_subject(context)  # 他们 after 高层次人才有多少 → 高层次人才
        # 它们 after 光明区有哪些大科学装置 → 光明区的大科学装置; after 要支持哪两家龙头集团在光明布局研究院?
        # → 要支持的龙头集团
        topic = _zh_topic(context)
        return f"{topic}的{things}" if topic else things
    topic = _zh_topic(context)
    if not noun or not topic:
        return topic
    if _KIND_POINTER.fullmatch(pointer) and (which := _WHICH_THINGS.search(context)) and noun not in topic:
        # 这类项目 after 光明引进了哪些大院大所: the kind of thing the previous question listed
        kind = which.group("things")
        return f"{topic}的{kind}{'' if kind.endswith(noun) else noun}"
    at = normalise(topic).find(normalise(noun))
    if at >= 0:
        return topic[:at + len(noun)]
    if normalise(noun) not in normalise(context):
        return topic
    # 这条链 after 光明想构建的全过程创新生态链…: the name the question gives it, when it is a name
    # of its own; else the topic's (这些孵化器 after 光明区有多少家孵化器 → 光明区孵化器)
    name = _name_ending(context, noun)
    if not name:
        return f"{topic}{noun}"
    return name if normalise(topic) in normalise(name) else f"{topic}{name}"


def _named_in(answer: str, pointer: str, noun: str, context: str) -> str:
    """The name that a singular demonstrative and its noun (这个中心, 這隻基金) stand for when the
    previous question did not name it, or asked which it is, and its ``answer`` did: 知识产权服务方面建了个什么? answered
    "建成深圳首个知识产权公共服务中心", then 这个中心… is that 知识产权公共服务中心. A pronoun alone (它)
    after a question that asked which one (把哪个在线平台打造成…?) stands for the one the answer
    named, by the noun asked about. ``""`` if none."""
    if not noun and answer and pointer in _ONE_PRONOUN:
        noun = _which_noun(context)
    if not noun or not answer or not (_ONE_POINTED.match(pointer) or pointer in _ONE_PRONOUN):
        return ""
    if normalise(noun) in normalise(_zh_topic(context)) and not _ASKS_WHICH.search(context):
        return ""  # 这座大厦 after 光明科技金融大厦总投资多少; after 规模第二大的基金是哪一只, the answer's fund
    name = _name_ending(answer, noun)
    if not name or normalise(name) in normalise(context):
        return ""
    # the answer's name ends with a name the question gives with more of its own before it (…市引导基金发起
    # 科学城母基金 after 光明科学城母基金是跟哪几家一起发起的?): the question's thing, whatever stands before it
    # in the answer's clause; not when the question's is the shorter (组建开发建设与运营集团, answered 深圳高新区
    # 开发建设与运营集团), nor a kind the question asked which of (产业基金, 改革体系: too short to be a name)
    for i in range(1, len(name) - len(noun) - 2):
        at = normalise(context).find(normalise(name[i:]))
        if at > 0 and (before := _tagged(context[:at])[-1:]) and before[0].flag[:1] in "nj" and before[0].flag != "vn":
            return ""
    return name


def _things_listed(context: str) -> str:
    """The nouns a which question asks for several of, where more follows them (龙头集团 of
    要支持哪两家龙头集团在光明布局研究院?; 计算设施 of 有两个计算设施被称为“超级双脑”。它们是什么?),
    ``""`` if none."""
    which = _WHICH_SEVERAL.search(context) or (_COUNTED_THINGS.search(context) if _ZH_ASKS_WHAT.search(context) else None)
    words = []
    for w in _tagged(context[which.end():]) if which else []:
        if w.flag[:1] not in ("n", "v", "b"):  # a verb may modify the noun (计算设施)
            break
        words.append(w)
    while words and words[-1].flag[:1] != "n":
        words.pop()
    nouns = "".join(w.word for w in words)
    return nouns if len(nouns) >= 2 else ""


def _which_noun(context: str) -> str:
    """The head noun of what a which question asks for (平台 of 把哪个在线平台打造成…) or whose name it
    asks (学院 of 这所学院叫什么), ``""`` if it asks neither."""
    if named := _NAME_ASKED.search(context):
        return named.group("noun")
    which = _WHICH.search(context)
    nouns = []
    for w in _tagged(context[which.end():]) if which else []:
        if not (w.flag[:1] == "n" or w.flag in ("vn", "b")):
            break
        nouns.append(w.word)
    head = nouns[-1] if nouns else ""
    return head if len(head) >= 2 else ""


def _name_ending(text: str, noun: str) -> str:
    """The name ``text`` gives that ends with its first ``noun`` (深圳市合成生物产业基金 for 基金):
    the nouns, names and verbs inside a name before it, back to the clause's start; ``""`` when
    ``text`` does not hold ``noun`` or fewer than two characters of a name stand before it."""
    folded = fold_script(text)
    shown = text if len(text) == len(folded) else folded  # offsets in one are offsets in the other
    at = folded.find(fold_script(noun))
    if at < 0:
        return ""
    clause_start = max((m.end() for m in _NAME_BREAK.finditer(folded, 0, at)), default=0)
    words = _tagged(folded[clause_start:at])
    kept = 0  # characters of the name before the noun, counted from the noun back
    for i in range(len(words) - 1, -1, -1):
        w, left = words[i], words[i - 1] if i else None
        inside = w.flag[:1] in "nj" or w.flag in ("b", "vn", "eng") or w.word in _NAME_MARKS
        # a verb inside a name (合成 of 深圳市合成生物产业基金, 首个合成生物专项政策), not one that governs it (建成深圳…)
        # (“双轨制”配置改革体系: after a quoted name too; 设立了合成生物产业基金: after the verb that governs it)
        inside = inside or (w.flag.startswith("v") and left is not None
                            and (left.flag[:1] in "njm" or left.flag in ("b", "q") or left.word in ("”", "」", "了")))
        inside = inside or (w.word in _NAME_JOINS and left is not None and left.flag[:1] in "nv")  # 开发建设与运营集团
        if not inside or kept + len(w.word) > MAX_NAME_CHARS:
            break
        kept += len(w.word)
    name = shown[at - kept:at + len(noun)].lstrip("”」+、")
    return name if len(name) >= len(noun) + 2 else ""


def _zh_subject(context: str) -> str:
    """What a follow-up's predicate (是三年前的几倍) is said of: the previous question's topic, with
    the thing it counted (光明区有多少院士 → 光明区的院士; 科研院所的人才有多少 → 科研院所的人才)."""
    topic = _zh_topic(context)
    start, end, asking = _zh_focus_span(context)
    if end > start > asking:  # counted after 多少/几: 有多少院士
        counted = context[start:end]
        return f"{topic}的{counted}" if topic else counted
    return topic


def _same_head(x: str, context: str, asking: int) -> tuple[int, int] | None:
    """Where ``context`` names, before its asking part, a noun phrase with the same head (last two
    characters) as ``x``: from after the 的 or clause break that opens it to its head's end."""
    head = normalise(x)[-2:]
    at = normalise(context).rfind(head, 0, asking) if len(x) > len(head) and CJK_RUN.fullmatch(head) else -1
    if at <= 0:
        return None
    opening = max(context.rfind(mark, 0, at) for mark in ("的", ",", "，"))
    return opening + 1, at + len(head)


_PREDICATE_LEAD = frozenset("v vn vd p d ul ug uz".split())  # jieba tags of the words between a subject and its asking word
_SCENE = re.compile(r"^(?:(?:19|20)\d{2}年)?(?:[\u3400-\u9fff]{2,3}的)?")  # 2023年光明的: when and where, not what


def _predicate_of_named(context: str) -> int | None:
    """Where what ``context`` asks of its subject starts (建到什么程度了 of 2023年光明的超算二期建到什么程度了?,
    是哪一年投用的 of 合成生物研究设施是哪一年投用的?), when the subject is a plain noun phrase after
    its year and place; None for a count (its focus decides) or a subject with a clause in it (国药集团在
    光明布局的研究院)."""
    if ZH_COUNTS.search(context):
        return None
    words = _tagged(context)
    offsets = list(itertools.accumulate((len(w.word) for w in words), initial=0))
    asking = next((i for i, w in enumerate(words) if _ZH_ASKING.search(w.word)), None)
    if not asking:
        return None
    start = asking
    while start and (words[start - 1].flag in _PREDICATE_LEAD or words[start - 1].word in ("是", "在")):
        start -= 1
    subject = context[:offsets[start]]
    named = _SCENE.sub("", subject, count=1)
    if len(named) < 2 or not CJK_RUN.fullmatch(named) or re.search(r"的|在|和|与|跟", named) \
            or words[start - 1].flag[:1] not in "nbj":  # 二期 of 超算二期 is tagged b
        return None
    return offsets[start]


def _partner_place(context: str) -> tuple[int, int] | None:
    """Where ``context`` names the place something is done with (跟河套深圳园区, 与香港), as offsets:
    the nouns after 跟/和/与/同, one of them a place name; None if it names none."""
    words = _tagged(context)
    offsets = list(itertools.accumulate((len(w.word) for w in words), initial=0))
    for i, w in enumerate(words):
        if w.word in ("跟", "和", "与", "與", "同") and w.flag[:1] in "pc":
            end = i + 1
            while end < len(words) and words[end].flag[:1] == "n":
                end += 1
            if any(v.flag == "ns" for v in words[i + 1:end]):
                return offsets[i + 1], offsets[end]
    return None


def _is_place(x: str) -> bool:
    """``x`` is nouns only, a place name among them (香港, 河套深圳园区)."""
    words = _tagged(x)
    return bool(words) and all(w.flag[:1] == "n" for w in words) and any(w.flag == "ns" for w in words)


def _names_a_thing(x: str) -> bool:
    """``x`` is a noun phrase that names something (深圳医学科学院), not a modifier or another (其他科学城)."""
    words = _tagged(x)
    return len(x) >= 3 and bool(words) and words[-1].flag[:1] == "n" and not re.search(r"其[他它余]|^[和跟与及]", x)


def _zh_focus_span(context: str, *, first_word_only: bool = False) -> tuple[int, int, int]:
    """Where the thing a count or measure question asked about is written (院士 in 有多少院士; 省级的科技进步奖
    in 几个省级的科技进步奖; 母基金规模 in 母基金规模多大): from its first to its last focus word after
    多少/几 (or before it), and where the asking word is; (0, 0, 0) if none."""
    from rag.generation.extractive import focus_words  # the extractive answerer's notion of focus

    folded = normalise(context)
    asking = re.search(r"多少|几|多大|多高|多长|多久|多远", folded)  # folded: 幾 is 几, 多長 is 多长
    if not asking:
        return 0, 0, 0
    # after 多少/几 (有多少院士), or before it when nothing follows (高层次人才有多少)
    spans = [(at, at + len(w)) for w in focus_words(folded)
             if (at := folded.find(w, asking.end())) >= 0 or (at := folded.rfind(w, 0, asking.start())) >= 0]
    if first_word_only:
        spans = spans[:1]
    if not spans:
        return 0, 0, asking.start()
    return min(s for s, _ in spans), max(e for _, e in spans), asking.start()


def _zh_topic(context: str) -> str:
    """What the previous question was about: its words before the asking part
    (光明科技金融大厦总投资多少钱 → 光明科技金融大厦总投资)."""
    m = _ZH_ASKING.search(context)
    whole = _without_trailing((context[:m.start()] if m else context).strip(" ，,。?？"))
    head = _without_trailing(_subject_clause(whole))
    last = _tagged(head)[-1:]
    if last and len(last[0].word) == 1 and last[0].flag in ("v", "vn"):  # 大厦总共投了多少钱 → 大厦
        head = _without_trailing(head[:-1])
    if (measure := _ZH_ATTRIBUTE.search(head)) and measure.end() == len(head):  # 基金规模多大 → 基金
        head = _without_trailing(head[:measure.start()])
    tail = context[m.end():].strip(" ，,。?？") if m and m.group() in ("什么", "什麼") else ""
    # 深圳设立了什么基金 → 深圳设立基金; not 什么时候开建的, nor a second question (从什么模式转成什么模式)
    # (the subject must run up to the asking words: 这个模式后来被…列进了什么清单 is not about a 模式清单)
    thing = 2 <= len(tail) <= 4 and not _ZH_ASKING.search(tail) and not tail.startswith(("时", "時", "样", "樣")) \
        and len(head) >= len(whole)
    return f"{head}{tail}" if thing else head


def _before_wanting(topic: str) -> str:
    """``topic`` up to its first verb of wanting or planning (光明2025年想争取 → 光明2025年): who acts."""
    at = 0
    for w in _tagged(topic):
        if w.flag == "v" and w.word in _WANTS and at:
            return topic[:at]
        at += len(w.word)
    return topic


def _without_trailing(head: str) -> str:
    """``head`` without the words that end a topic without being part of it (现在, 已经, 是, 会…),
    but not the 会 that ends a noun (人才交流大会是: jieba's word 大会, a meeting; not 会, will)."""
    head = head.strip()
    trailing = _ZH_TRAILING.search(head)
    if not trailing:
        return head
    cut, at = trailing.start(), 0
    for w in _tagged(head):
        if at < cut < at + len(w.word) and w.flag[:1] == "n" and w.word[-1] in "会會":
            cut = at + len(w.word)
        at += len(w.word)
    return head[:cut].strip()


_PREDICATES = frozenset("有 有个 是 叫".split())  # 设施有个外号, 基金是…: a predicate whatever follows
_COMPLEMENT = frozenset("到 至 成 为".split())  # 扩大到: a result complement (深圳设立了 keeps its verb)
_WANTS = frozenset("想 要 打算 准备 準備 希望 力争 力爭".split())  # verbs of wanting and planning
_WHEN_WORDS = frozenset("已经 已經 已 曾经 曾經 正在 目前 现在 現在 将 將 预计 預計 时候 時候".split())  # when, not who
# a time said in a phrase jieba cuts (前阵子 → 前 + 阵子): it starts what is said of the subject
_TIME_PHRASE = re.compile(r"前阵子|前陣子|前段时间|前段時間|前些天|前些日子|最近|近日|近期|近来|近來|日前|刚刚|剛剛")


def _subject_clause(head: str) -> str:
    """``head`` up to where the subject ends: a comma (可持续发展行动方案,时间跨度…; after it when
    the clause before it frames the question: 跟三年前比,…), or a verb or preposition that starts a
    clause of its own (光明区在数据要素方面向… → 光明区). A verb before a noun or a 的 modifies it
    (合成生物, 科创委编的方案); one with nothing more after it is the question's own (深圳设立了)."""
    clause, *after = re.split(r"[，,]", head, maxsplit=1)
    if after:  # 跟三年前比,光明区高层次人才…: a clause that starts with a preposition frames the subject
        opening = next(iter(_tagged(clause)), None)
        if opening and opening.flag in ("p", "c"):
            return _subject_clause(after[0])
        if len(clause) >= 4:  # 基础设施有个外号,叫什么: the subject ends at the clause's own predicate too
            return _subject_clause(clause)
    words = _tagged(head)
    at, seen_noun, title = 0, False, False
    for i, w in enumerate(words):
        following = words[i + 1] if i + 1 < len(words) else None
        rest = sum(len(x.word) >= 2 and x.flag[:1] in "nv" for x in words[i + 1:])
        # a verb with a result complement after it (扩大到了原来的) is a predicate too
        verb = (w.flag in ("v", "vd") and (rest >= 2 or (following is not None and following.word in _COMPLEMENT))
                and not (following and (following.flag.startswith("n") or following.word == "的"))) \
            or w.word in _PREDICATES
        # a time after the subject (引导基金现在参与…, 大厦已经建成, 二期2023年的时候) starts what is said of it; a year
        # stays with it (光明区2024年新增的企业: that year's)
        when = w.flag == "t" or w.word in _WHEN_WORDS or w.word in ("里面", "裡面")  # 大厦里面进驻了…: what is in it
        # 这个模式最早是谁搞出来的, 基地主要攻关…: an adverb starts what is said of it
        when = when or w.flag == "d" or w.word in ("主要", "具体") or bool(_TIME_PHRASE.match(head, at))
        if seen_noun and not title and (verb or when or (w.flag == "p" and rest >= 1)):
            return head[:at]
        title = (title or w.word == "《") and w.word != "》"  # a title is one name: 《光明以科技赋能…》
        seen_noun = seen_noun or w.flag.startswith("n") or w.flag == "b" or w.word == "》"
        at += len(w.word)
    return head


def _tagged(text: str) -> list:
    """jieba's words of ``text`` with their part-of-speech tags, in order (traditional script is
    folded first: jieba's dictionary is simplified)."""
    return list(load_jieba().posseg.cut(fold_script(text)))


def is_question(text: str) -> bool:
    """Whether ``text`` asks something (a question mark or an asking word, Chinese or English)."""
    return bool(_ASKS_ANYTHING.search(text) or _ZH_ASKING.search(text) or _EN_ASKING.search(text))


def _resolve_en(q: str, context: str) -> str | None:
    if (years := _EN_YEAR.findall(context)) and _EN_THAT_YEAR.search(q):
        # "…did the district win that year?": rendered 今年 (this year), it asked about another year
        q = _EN_THAT_YEAR.sub(f"in {years[-1]}", q)
        if not depends_on_history(q) and not _EN_AND_OWN.match(q):
            return q  # a question of its own now ("And how…?" is one too, read below without its "And")
    if (m := _EN_TOPIC_THEN_ASK.match(q)) and (pronoun := _EN_ITS.search(m.group("ask"))) and (
            pronoun.group().lower() in ("that one", "this one") or re.match(r"the\s|[A-Z]", m.group("x"))):
        # "And the brain facility - how much did that one cost?", "And what about Guangming itself - how
        # much … is it aiming for?": a question of its own, its topic named first; not "What about places to
        # hang out - what hotspots does it want…?", where it is the place
        topic = _EN_ITSELF.sub("", m.group("x").strip())
        named = f"{topic}'s" if pronoun.group().lower() in ("its", "their") else topic
        ask = m.group("ask")
        return f"{ask[0].upper()}{ask[1:pronoun.start()]}{named}{ask[pronoun.end():]}?"
    # "What about X?" after "By what share did that grow (How many Y…)?": how many X
    counted = parts[1] if (parts := joined_parts(context)) and not _EN_FOCUS.search(parts[0]) else context
    asked = _EN_FOCUS.search(counted)
    if (ones := _EN_ONES.match(q)) and asked:
        # "And provincial ones?" after "How many national S&T progress awards did…?": the kind replaces the
        # first word of what was counted
        focus = asked.group("focus").split()
        return f"{counted[:asked.start('focus')]}{' '.join([ones.group('kind')] + focus[len(focus) > 1:])} {asked.group('rest')}"
    if m := (_EN_AND_IN.match(q) or _EN_ELLIPSIS.match(q)):
        x = m.group("x").strip()
        if (topic_asked := _EN_TOPIC_ASKED.match(x)) and (
                topic_asked.group("dash") == "," or not _EN_PRONOUN.search(topic_asked.group("ask"))):
            # "And what about Shenzhen as a whole, how much … is built?"; after a dash, only an ask that
            # points at nothing ("… — how many measures?", not "… — what hotspots does it want…")
            return f"For {topic_asked.group('topic')}, {topic_asked.group('ask')}?"
        if _EN_YEAR.fullmatch(x):
            return _EN_YEAR.sub(x, context, count=1) if _EN_YEAR.search(context) else f"{context.rstrip(' ?')} in {x}?"
        if asked:
            return f"{counted[:asked.start('focus')]}{_EN_THE.sub('', x)} {asked.group('rest')}"
        return None  # "How big was X? — What about Y?": which words Y replaces needs the model
    if (m := _EN_AND_OWN.match(q)) and not _EN_COUNT_ALONE.match(m.group("x")):
        # "And how many academicians does the district have?": a whole question (not "And how many are…?")
        x = m.group("x")
        own = f"{x[0].upper()}{x[1:]}?"
        if not _EN_PRONOUN.search(x):
            return own
        # "…does it want?" after "How many labs is Guangming planning…?": it is the one named as the subject
        if (subject := _EN_SUBJECT.search(context)) and _EN_IT.search(own):
            name = subject.group(1)
            return _EN_IT.sub(lambda it: f"{name}'s" if it.group().lower() == "its" else name, own)
        return f"{own.rstrip(' ?')} ({context.rstrip(' ?')})?"
    if (m := _EN_AND_HOW.match(q)) and not _EN_PRONOUN.search(m.group("x")):
        # "And how many academicians?": the new count with the rest of the question before; not "And how
        # many of them made it through?", a question of its own about what the one before counted
        new = _EN_FOCUS.search(m.group("x") + " does")
        if asked and new:
            return f"{m.group('x')[0].upper()}{m.group('x')[1:]} {asked.group('rest')}"
        return None
    if (pointed := _EN_THAT_NOUN.search(q)) and len((named := _en_named(pointed.group("noun"), context)).split()) > 2:
        # "How big is that fund?" after "…launch the Science City parent fund?": the fund it named
        q = f"{q[:pointed.start()]}{named}{q[pointed.end():]}"
        if not _EN_PRONOUN.search(q):
            return q
    pronouns = {p.lower() for p in _EN_PRONOUN.findall(q)}
    if pronouns and pronouns <= {"it", "its"} and asked and (subject := _EN_SUBJECT.search(context)):
        # "…did it take on that year?" after "How many … did Guangming win in 2024?": a count answered
        # names no thing for "it", so it is the subject asked about
        name = subject.group(1)
        return _EN_IT.sub(lambda it: f"{name}'s" if it.group().lower() == "its" else name, q)
    if pronouns or _EN_FRAGMENT.match(q):  # which noun "it" is needs a parser: the previous question goes along whole
        return f"{q.rstrip(' ?')} ({context.rstrip(' ?')})?"
    return None


def _en_named(noun: str, context: str) -> str:
    """The noun phrase of ``context`` that ends in ``noun``, from its article, possessive or asking
    word (the Science City parent fund, Guangming's new lab, what rent subsidy), or ``""``."""
    found = list(re.finditer(rf"\b(?:(?i:the|its|their|a|an|what|which)|[A-Z][\w-]*'s)\s+"
                             rf"(?:[\w'-]+\s+){{0,4}}?(?i:{re.escape(noun)})\b", context))
    return re.sub(r"^(?:a|an|what|which)\b", "the", found[-1].group(), flags=re.I) if found else ""  # that agreement: the one


def _the_named(q: str, context: str) -> str:
    """``q`` with "the X" (one word) written as ``context`` named it with more words: "the zone's
    management committee" after "…for Shenzhen's high-tech zone?" asks about that zone."""
    for m in reversed(list(_EN_THE_NOUN.finditer(q))):
        named = _en_named(m.group("noun"), context)
        if len(named.split()) > 2 or (named and not named.lower().startswith("the ")):
            q = f"{q[:m.start()]}{named}{q[m.end():]}"
            if lead := _EN_LEAD.match(q):  # "And who runs…": a question of its own now
                q = f"{q[lead.end()].upper()}{q[lead.end() + 1:]}"
    return q


_EN_JOINED = re.compile(r"^(?P<question>[^()]+?) \((?P<context>.+)\)\?$")


def joined_parts(standalone: str) -> tuple[str, str] | None:
    """(the follow-up, the question it leans on) of an English follow-up that ``resolve`` joined to
    the question before it, each as a question; ``None`` for any other question."""
    m = _EN_JOINED.match(standalone)
    return (f"{m.group('question')}?", f"{m.group('context')}?") if m else None
