"""Follow-up questions: does a question depend on the conversation, and its standalone form by rule.

Most follow-ups people type are elliptical in a few fixed ways, and rules rewrite those at no
cost, where a model call would cost seconds and the local model's cached prompt prefix:

- "那高层次人才呢?" / "What about high-level talents?": the previous question with the thing it
  asked about replaced (光明区现在有多少院士? → 光明区现在有多少高层次人才?);
- "那2023年呢?": the previous question with its year replaced (or the year put in front);
- "它一共有几层?" / "Where is it?": the pronoun replaced by the previous question's topic;
- "它的建筑面积呢?": the same, asked the way the previous question asked (…是多少?);
- "是三年前的几倍?": the previous question's subject put in front (光明区的院士是三年前的几倍?);
- "And how many high-level talents?": the new question's asking part with the previous
  question's remainder.

``resolve`` returns ``None`` for a follow-up no rule fits; the pipeline then asks the generator.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.text import language, normalise, terms

_ZH_ELLIPSIS = re.compile(r"^(?:那么?|那麼|还有|還有|另外|而)?\s*(?P<x>.+?)\s*(?:呢|呐)\s*[?？]?\s*$")
_ZH_LEANING = re.compile(r"^(?:是|那|这|這|比|占|佔|其中|里面|裡面|之前|之后|之後|后来|後來|当时|當時|现场|現場|相比|同比)")
_ZH_PREDICATE = re.compile(r"^(?:是|比|占|佔|相比|同比|较|較)(?!否)")  # 是三年前的几倍: the subject is left out
_ZH_PRONOUN = re.compile(r"它们|它們|他们|他們|它|其|该|該|这个|這個|那个|那個|此")
_ZH_ASKING = re.compile(r"多少|几|幾|什么|什麼|哪|是否|有没有|有沒有|怎么|怎麼|如何|谁|誰|何时|何時|吗|嗎")
_ZH_TRAILING = re.compile(r"(?:现在|現在|目前|一共|总共|總共|共|已经|已經|已|有|是|的|了|在|将|將|要|会|會)+$")
_NOUN_END = re.compile(r"([\u3400-\u9fff]{1,3})\s*[?？]?\s*$")  # the rest of a noun that ends the question
_YEAR = re.compile(r"(?:19|20)\d{2}\s*年?|去年|今年|明年|前年")
_EN_ELLIPSIS = re.compile(r"^(?:and\s+)?(?:what|how)\s+about\s+(?P<x>.+?)\s*\??\s*$", re.I)
_EN_AND_IN = re.compile(r"^(?:and|what)\s+(?:in|for|about)\s+(?P<x>(?:19|20)\d{2})\s*\??\s*$", re.I)
_EN_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")
_EN_AND_HOW = re.compile(r"^(?:and|also|then)\s*,?\s+(?P<x>how\s+(?:many|much)\s+.+?)\s*\??\s*$", re.I)
_EN_FOCUS = re.compile(r"\bhow\s+(?:many|much)\s+(?P<focus>.+?)\s+(?P<rest>(?:does|do|did|is|are|was|were|has|have|had|"
                       r"will|can|could)\b.*)$", re.I)
_EN_PRONOUN = re.compile(r"\b(?:it|its|they|their|them|there|this|that|these|those)\b", re.I)
_EN_ASKING = re.compile(r"\b(?:how|what|which|when|where|who|whose|why|is|are|does|do|did)\b.*$", re.I)


def depends_on_history(question: str) -> bool:
    """True when the question leans on an earlier turn: an ellipsis or a pronoun, or too short to stand alone."""
    q = question.strip()
    if language(q) == "en":
        return bool(_EN_ELLIPSIS.match(q) or _EN_AND_HOW.match(q) or _EN_AND_IN.match(q) or _EN_PRONOUN.search(q)
                    or len(q.split()) <= 3)
    content = {t for t in terms(q) if len(t) >= 2}  # a question with at most two content words has no subject of its own
    return bool(_ZH_ELLIPSIS.match(q) or _ZH_PRONOUN.search(q) or _ZH_LEANING.match(q) or len(content) <= 2)


def resolve(question: str, previous: Sequence[str]) -> str | None:
    """The standalone form of ``question`` after the earlier user questions ``previous`` (oldest
    first); the question itself when it does not depend on them; ``None`` when no rule fits."""
    if not previous or not depends_on_history(question):
        return question.strip()
    context = previous[0].strip()
    for earlier in previous[1:]:
        context = (resolve(earlier, [context]) or f"{context} {earlier.strip()}") if depends_on_history(earlier) \
            else earlier.strip()
    q = question.strip()
    if (language(q) == "en") != (language(context) == "en"):
        return None  # 它的建筑面积呢? after an English question: its topic is not in Chinese words to put in
    return _resolve_en(q, context) if language(q) == "en" else _resolve_zh(q, context)


def _resolve_zh(q: str, context: str) -> str | None:
    if m := _ZH_ELLIPSIS.match(q):
        x = m.group("x").strip()
        if pronoun := _ZH_PRONOUN.search(x):  # 它的建筑面积呢: a new attribute of the previous topic
            topic = _zh_topic(context)
            how = _ZH_ASKING.search(context)
            named = f"{x[:pronoun.start()]}{topic}{x[pronoun.end():]}"
            return (f"{named}是多少?" if how and how.group() in ("多少", "几", "幾") else f"{named}呢?") \
                if topic else None
        if _YEAR.fullmatch(x):
            return _YEAR.sub(x, context, count=1) if _YEAR.search(context) else f"{x}{context}"
        start, end, asking = _zh_focus_span(context, first_word_only=x.endswith("的"))
        x = x.removesuffix("的") if x.endswith("的") else x  # 省级的: a modifier of what was asked about
        if end > start and start < asking and normalise(x).endswith(normalise(context[start:end])[-2:]):
            # 智能传感器产业基金的规模呢 after 合成生物产业基金的规模是多少: the follow-up restates the whole
            # thing asked about, so it replaces everything before the asking part
            return f"{x}{context[end:]}"
        if end > start:
            # focus words are two words at most (合成+生物 of 合成生物企业, 省级+科技 of 省级科技进步奖):
            # a new noun with the same head (脑科学企业, 国家级技术发明奖) replaces the rest of the old one too
            rest = _NOUN_END.match(normalise(context), end)
            if rest and normalise(x).endswith(rest.group(1)[-1]):
                end += len(rest.group(1))
            return f"{context[:start]}{x}{context[end:]}"
        return None
    if m := _ZH_PRONOUN.search(q):
        topic = _zh_topic(context)
        return f"{q[:m.start()]}{topic}{q[m.end():]}" if topic else None
    if _ZH_PREDICATE.match(q):
        subject = _zh_subject(context)
        return f"{subject}{q}" if subject else None
    return None


def _zh_subject(context: str) -> str:
    """What a follow-up's predicate (是三年前的几倍) is said of: the previous question's topic, with
    the thing it counted (光明区有多少院士 → 光明区的院士; 科研院所的人才有多少 → 科研院所的人才)."""
    topic = _zh_topic(context)
    start, end, asking = _zh_focus_span(context)
    if end > start > asking:  # counted after 多少/几: 有多少院士
        counted = context[start:end]
        return f"{topic}的{counted}" if topic else counted
    return topic


def _zh_focus_span(context: str, *, first_word_only: bool = False) -> tuple[int, int, int]:
    """Where the thing a count question asked about is written (院士 in 有多少院士; 省级的科技进步奖
    in 几个省级的科技进步奖): from its first to its last focus word after 多少/几, and where 多少/几
    is; (0, 0, 0) if none."""
    from rag.generation.extractive import focus_words  # the extractive answerer's notion of focus

    folded = normalise(context)
    asking = re.search(r"多少|几", folded)
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
    head = _ZH_TRAILING.sub("", (context[:m.start()] if m else context).strip(" ，,。?？")).strip()
    tail = context[m.end():].strip(" ，,。?？") if m and m.group() in ("什么", "什麼") else ""
    return f"{head}{tail}" if len(tail) >= 2 else head  # 深圳设立了什么基金 → 深圳设立基金


def _resolve_en(q: str, context: str) -> str | None:
    asked = _EN_FOCUS.search(context)
    if m := (_EN_ELLIPSIS.match(q) or _EN_AND_IN.match(q)):
        x = m.group("x").strip()
        if _EN_YEAR.fullmatch(x) and _EN_YEAR.search(context):
            return _EN_YEAR.sub(x, context, count=1)
        if asked:
            return f"{context[:asked.start('focus')]}{x} {asked.group('rest')}"
        return None  # "How big was X? — What about Y?": which words Y replaces needs the model
    if m := _EN_AND_HOW.match(q):
        new = _EN_FOCUS.search(m.group("x") + " does")
        if asked and new:
            return f"{m.group('x')[0].upper()}{m.group('x')[1:]} {asked.group('rest')}"
        return None
    if _EN_PRONOUN.search(q):
        topic = _EN_ASKING.sub("", context).strip(" ?") or context.rstrip(" ?")
        return f"{q.rstrip(' ?')} ({topic})?"
    return None
