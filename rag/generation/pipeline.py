"""From question to cited answer: condense, retrieve, select the evidence, generate, verify."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from typing import Any

from rag.generation import cite
from rag.generation.agreement import disagreement
from rag.generation.backends import Evidence, Generator
from rag.generation.cite import Similarity
from rag.generation.evidence import Search, Selection, gather, select
from rag.generation.extractive import Finding, compose, without_list_place
from rag.generation.facts import chinese_names, figure_checked_as_asked, match_form, number_found, numbers
from rag.generation.followup import (
    ZH_ASKS_WHAT_OR_HOW,
    ZH_COUNTS,
    depends_on_history,
    is_question,
    joined_parts,
    last_standalone,
    resolve,
)
from rag.generation.prompts import load_prompt, render
from rag.text import cjk_count, cjk_ratio, converter, is_traditional, language, normalise, split_sentences
from rag.types import Answer, ChatMessage, Citation, Language, Passage

logger = logging.getLogger(__name__)

HISTORY_TURNS = 4  # messages of history shown to the condensing prompt
MAX_ANSWER_CHARS = 80  # of an earlier answer's first sentence, in the condensing prompt
MAX_RENDERINGS = 256  # Chinese renderings of English questions, and English ones of sentences, kept for follow-ups
MAX_TRANSLATED = 3  # Chinese sentences of an English answer rendered in English, at most
_FULL_STOPS = "。！？；"  # what the sentence splitter may leave after a sentence's markers (……[2]。)
_EN_SENTENCE_END = re.compile(r"(?:(?<=[a-z]{3})|(?<=[\d%)]))\.(?=\s+[A-Z])")  # not the point of U.S. or Co. Ltd.
# a romanised name in more than this share of the chunks is the documents' subject (光明 of a
# corpus about Guangming), which an answering sentence need not repeat and the model renders well;
# a rarer one the sentence must name, and its English rendering must write as the user did
SUBJECT_SHARE = 0.1

# English question -> (pinyin name, the documents' word, share of the chunks holding it)
NameLookup = Callable[[str], Sequence[tuple[str, str, float]]]
WordLookup = Callable[[str], str | None]  # an English word -> the documents' word for it, if any


_CN_MAGNITUDE = re.compile(r"(\d+(?:\.\d+)?)\s*(亿|億|万|萬)(元)?")
_SCALES = ((1e9, "billion"), (1e6, "million"))


def gloss_figures(text: str) -> str:
    """Figures in 万/亿 and their qualifiers written in English: ``规模超50亿元`` → ``规模 over 5 billion yuan ``.

    Small models translate 50亿 as "50 billion" (it is 5 billion). Given both forms, ``5 billion
    yuan (50亿元)``, the model still wrote "2 billion" for 2亿元 when translating the bracket, and an
    answer in Latin letters only (``latin_only``) cannot copy the original. Only prompts see this;
    citations quote the documents.
    """
    def gloss(m: re.Match) -> str:
        value = float(m.group(1)) * (1e8 if m.group(2) in "亿億" else 1e4)
        unit = " yuan" if m.group(3) else ""
        if value < 1e6:  # 12.9万平方米: 129,000 square metres, as English writes it
            return f" {value:,.0f}{unit} " if value == int(value) else f" {value:,.1f}{unit} "
        scale, word = next(((v, w) for v, w in _SCALES if value >= v), (1.0, ""))
        amount = f"{value / scale:.3f}".rstrip("0").rstrip(".")
        return f" {amount} {word}{unit} "

    glossed = _QUALIFIER.sub(lambda m: f" {_QUALIFIERS[m.group()]} ", _CN_MAGNITUDE.sub(gloss, text))
    return re.sub(r" {2,}", " ", glossed)


# a figure's qualifier in English, for the same reason: rendering 近8000人, the model wrote "over
# 8000" (the check then kept the sentence in Chinese); given "nearly 8000", it keeps "nearly"
_QUALIFIERS = {"近": "nearly", "将近": "nearly", "接近": "nearly", "超": "over", "超过": "over", "逾": "over",
               "约": "about", "大约": "about", "不到": "under", "不足": "under"}
_QUALIFIER = re.compile("(?:" + "|".join(sorted(_QUALIFIERS, key=len, reverse=True)) + r")(?=\s*\d)")


def _script_of(question: str, lang: Language) -> Any:
    """The converter into the script a Chinese question is written in (None for English): answers
    quote documents of either script, and 萬 from the traditional document in an answer to a
    simplified question reads as a typo."""
    return converter("s2t" if is_traditional(question) else "t2s") if lang == "zh" else None


_EN_WORD = re.compile(r"[A-Za-z]+")
# words that state an amount without a figure, and what an English rendering must say for them: the
# clause 生物医药产业集群规模实现倍增 was dropped from a rendering that kept every figure
_AMOUNT_WORDS = ((re.compile(r"倍增|翻(?:了)?一?番"), re.compile(r"doubl|twofold|two-fold|2-fold|twice", re.I)),
                 (re.compile(r"减半|減半"), re.compile(r"\bhal(?:f|ve|ved|ving)\b", re.I)))
_EN_ASKS_WHAT = re.compile(r"\b(?:which|what|how|who|whom|whose|when|where)\b|^\s*name\b", re.I)
# "Compared with three years earlier, how many…?": a clause before the question proper
_EN_OPENING_CLAUSE = re.compile(r"^(?P<opening>[^,?]{3,}),\s*(?P<question>(?:which|what|how|who|whom|whose|when|where|is|are|"
                                r"does|do|did|has|have)\b[^,]*\?)\s*$", re.I)
_EN_COUNTS = re.compile(r"\bhow\s+(?:many|much)\b", re.I)
_ZH_WHICH_OR_WHAT = re.compile(r"哪些|哪几|哪幾|(?<=是)什么|(?<=是)什麼")  # 有哪些…, 目标是什么
# an English term, the translator's words for it, and the word Chinese reports use: that word is what
# search and the checks read (a 估值 figure answers a valuation question; R&D is written 研发), and
# the translator's word is in no report
_DOCUMENT_WORDS = (
    (re.compile(r"\bworth\b|\bvalu(?:ed|ation)\b", re.I), re.compile(r"价值|價值|(?<=[的总總])值"), "估值"),
    (re.compile(r"\boutput\s+value\b", re.I), re.compile(r"输出值|輸出值|输出价值|产出值|产出价值"), "产值"),
    (re.compile(r"\bguidance\s+fund", re.I), re.compile(r"(?:政府)?(?:指导基金|指導基金|引导资金|指导资金)"), "引导基金"),
    (re.compile(r"\bR\s*&\s*D\b"), re.compile(r"R\s*[&＆]\s*D|研究与开发|研究和开发|研究與開發"), "研发"),
    # 大院大所: major universities' and academies' institutes a district brings in
    (re.compile(r"\b(?:big|major|large|heavyweight|top)[- ]+(?:name\s+)?(?:research\s+)?institut", re.I),
     re.compile(r"(?:大型|重大|主要|顶级|頂級|知名)(?:的)?(?:科研|研究)?(?:机构|機構|院所|研究院|学院|學院)|大院大(?!所)|大院所"),
     "大院大所"),
    (re.compile(r"\bcomput(?:ing|e|ational)[- ]+(?:power|capacity)", re.I),
     re.compile(r"计算(?:能力|力|容量)|運算能力|运算能力|計算能力"), "算力"),
    # terms of Chinese government reports: 领导小组 (leading group), 新赛道 (new tracks, new sectors to enter),
    # 全国重点实验室 (national key laboratories, so named since 2022; a 国家实验室 is another, higher rank)
    (re.compile(r"\bnational\s+key\s+lab", re.I), re.compile(r"国家(?:重点)?实验室|國家(?:重點)?實驗室"), "全国重点实验室"),
    (re.compile(r"\bleading\s+group", re.I), re.compile(r"领导组|領導組|领导团队|領導團隊|领导班子|領導班子"), "领导小组"),
    (re.compile(r"\bnew\s+(?:race\s*)?tracks?\b", re.I), re.compile(r"新(?:的)?(?:轨道|軌道|跑道|路线|路線)"), "新赛道"),
    (re.compile(r"\bR\s*&\s*D\s+(?:spending|expenditure|investment|input)", re.I),
     re.compile(r"研发(?:支出|开支|開支|费用|費用|投资|投資)"), "研发投入"),
    (re.compile(r"\bsupercomput", re.I), re.compile(r"超级计算机|超級計算機|超级计算|超級計算"), "超算"),
    (re.compile(r"\b(?:second\s+phase|phase\s+(?:II|2|two))\b", re.I), re.compile(r"第二阶段|第二階段|第二期"), "二期"),
    (re.compile(r"\blandmark\s+scientist", re.I), re.compile(r"地标(?:性)?(?=科学家)|地標(?:性)?(?=科學家)"), "标志性"),
    # 创新联合体 (innovation consortia: firms and institutes joined for a task); the translator wrote 创新 alone
    (re.compile(r"\binnovation\s+consorti", re.I),
     re.compile(r"创新(?:联盟|聯盟|财团|財團|联合会|聯合會|共同体|共同體)?(?![联聯]合[体體])"), "创新联合体"),
)
_ENGLISH_WORD = re.compile(r"[a-z]{3,}")  # a word left untranslated (acronyms are capitals: GDP, AI)
_ASKS_NAME_EN = re.compile(r"\b(?:which|who|whom|whose|names?|named|called)\b", re.I)
MAX_SOURCE_NAMES = 3  # Chinese names shown after a sentence of an English answer, at most
_YEAR = re.compile(r"(?<![\d.])(?:19|20)\d{2}(?![\d.])")
_ACRONYM = re.compile(r"\b[A-Z][A-Z&]+\b")  # GDP, R&D: written in Chinese documents too
_AI_ALONE = re.compile(r"(?<![A-Za-z])AI(?![A-Za-z+＋])")
_LATIN_RUN = re.compile(r"\s*(?<![A-Za-z&])[A-Za-z][A-Za-z'&\-]*(?:\s+[A-Za-z][A-Za-z'&\-]*)*(?![A-Za-z&])\s*")


def untranslated_removed(translation: str, documents_word: WordLookup | None = None) -> str:
    """A Chinese rendering without the English words the model left in it: each written as the
    documents write it where ``documents_word`` knows it (第一 graphene工业园 → 第一石墨烯工业园),
    else dropped (新增了多少位 landmark科学家 → 新增了多少位科学家). No Chinese sentence contains
    them, so they only lowered the share of the question's words a sentence covers; the dense half
    still searches with the original question. Acronyms (GDP, R&D) stay: the documents write them
    too; AI alone is written out (人工智能产业集群), as Chinese documents do outside set phrases
    (AI+城市治理)."""
    def kept(m: re.Match) -> str:
        run = m.group().strip()
        # a run of words is looked up whole (Greater Bay Area is not 更大海湾领域); half a compound
        # (脑-inspired) is not looked up: a dictionary reads the half in another sense (振奋)
        if documents_word and m.string[m.start() - 1 : m.start()] != "-" and not run.isupper():
            word = documents_word(run)
            if word:
                return word
        upper = [word for word in run.split() if word.isupper()]  # GDP, R&D, A股: upper case
        return m.group().replace(run, " ".join(upper)) if upper else ""

    return _LATIN_RUN.sub(kept, _AI_ALONE.sub("人工智能", translation)).strip()


def questions_removed(text: str) -> str:
    """The text without its questions: the small model sometimes repeats the question, with a
    citation, as its answer (光明区高层次人才现在具体有多少人?[2]); a question states nothing."""
    kept, pos = [], 0
    for span in split_sentences(text):
        if re.search(r"[?？]\s*$", cite.strip_markers(span.text)):
            kept.append(text[pos:span.start])
            pos = span.end
    return "".join(kept) + text[pos:] if kept else text


def format_evidence(evidence: Sequence[Finding], *, lang: Language = "zh") -> str:
    """The evidence sentences, each with its passage number; for English answers, figures in
    万/亿 are given in English instead (an answer in Latin letters only cannot copy 50亿元)."""
    def prepare(text: str) -> str:
        return gloss_figures(text) if lang == "en" else text

    return "\n".join(f"[{f.candidate.n}] {prepare(without_list_place(f.candidate.text.strip()))}" for f in evidence)


def build_messages(question: str, evidence: Sequence[Finding], *, lang: Language) -> list[ChatMessage]:
    """System prompt (a fixed prefix, so its KV cache is reused) and the user turn."""
    return [
        {"role": "system", "content": load_prompt("system", lang=lang)},
        {"role": "user", "content": render(load_prompt("answer", lang=lang),
                                           passages=format_evidence(evidence, lang=lang), question=question)},
    ]


def format_history(history: Sequence[ChatMessage]) -> str:
    """Recent turns in the labels the condensing prompt's examples use (用户/助手).

    An answer is cut to its first sentence, without citation markers: that is what a follow-up's
    "它们" or "那…呢" refers to, and every token of history is read by the model before it writes
    the rewrite (whole answers made a follow-up turn cost 2.8 times a single question).
    """
    labels = {"user": "用户", "assistant": "助手"}
    lines = []
    for m in list(history)[-HISTORY_TURNS:]:
        if m.get("role") not in labels:
            continue
        text = str(m.get("content", "")).strip()
        if m["role"] == "assistant":
            first = split_sentences(cite.strip_markers(text))
            text = first[0].text[:MAX_ANSWER_CHARS] if first else ""
        lines.append(f"{labels[m['role']]}：{text}")
    return "\n".join(lines)


def _questions_and_answers(history: Sequence[ChatMessage]) -> tuple[list[str], list[str]]:
    """The user's questions, oldest first, and the reply each got (``""`` for none or a refusal)."""
    questions: list[str] = []
    answers: list[str] = []
    for m in history:
        content = str(m.get("content", ""))
        if m.get("role") == "user":
            questions.append(content)
            answers.append("")
        elif m.get("role") == "assistant" and questions and not cite.is_refusal(content):
            answers[-1] = content
    return questions, answers


def last_user_question(history: Sequence[ChatMessage]) -> str:
    for message in reversed(list(history)):
        if message.get("role") == "user":
            return str(message.get("content", ""))
    return ""


class AnswerPipeline:
    """Condense → retrieve → select the evidence → generate → verify, with one generator.

    ``stream`` yields text deltas, then one final ``Answer``. ``similarity`` scores sentences
    against a question (cosines) for evidence selection and citation checks. ``rewriter`` rewrites
    questions (an English question into Chinese; with ``condense``, a follow-up no rule resolves):
    the generator itself by default; a generator that cannot (it returns "") leaves them as they are.
    With ``english_answers``, the documents' own sentences in an English answer (a fallback, another
    document's statement) are rendered in English by the rewriter (``in_english``). ``romanised``
    and ``documents_word`` find the documents' words for the names and the words a rendering of an
    English question leaves in English.
    """

    def __init__(self, generator: Generator, *, similarity: Similarity, context_tokens: int,
                 max_answer_tokens: int, temperature: float, min_score: float = 0.0,
                 rewriter: Generator | None = None, condense: bool = True, english_answers: bool = False,
                 romanised: NameLookup | None = None, documents_word: WordLookup | None = None) -> None:
        self.generator = generator
        self.rewriter = rewriter or generator
        self.condense_with_rewriter = condense
        self.english_answers = english_answers
        self._similarity = similarity
        self._romanised = romanised
        self._documents_word = documents_word
        self.context_tokens = context_tokens
        self.max_answer_tokens = max_answer_tokens
        self.temperature = temperature
        self.min_score = min_score
        self._renderings: dict[str, str] = {}  # English question -> its Chinese rendering, oldest first
        # a document's sentence -> the model's English rendering: a follow-up's answer often quotes
        # the sentence the turn before it did, and rendering one costs a second or more
        self._sentences_en: dict[str, str] = {}

    def warm_up(self) -> None:
        """Load the models and read the fixed start of every prompt now (the system prompts, the
        rewriting prompts' examples): otherwise the first question, the first English question and
        the first follow-up no rule resolves each wait for that too. Generators that keep no model
        in this process (an endpoint, the extractive one) have nothing to warm."""
        for lang in ("en", "zh"):  # Chinese last: its system prompt stays in the answering context's cache
            _warm(self.generator, build_messages("", [], lang=lang)[:1])
        if self.rewriter is not self.generator:  # its own context (with a state cache): both prompts stay
            prompts = [render(load_prompt("translate"), names="", question="")]
            if self.condense_with_rewriter:
                prompts.insert(0, render(load_prompt("condense", lang="zh"), history="", question=""))
            for prompt in prompts:
                _warm(self.rewriter, [{"role": "user", "content": prompt}])

    def stream(self, question: str, *, history: Sequence[ChatMessage], search: Search,
               k: int) -> Iterator[str | Answer]:
        timings: dict[str, float] = {}
        started = time.monotonic()
        lang = language(question)
        standalone = self.condense(question, history)
        searched = self.in_chinese(standalone)  # BM25 and sentence scoring need the documents' language
        translated = searched != standalone
        searched = figure_checked_as_asked(searched)  # 有超过3000名…吗? is answered by the documents' figures
        timings["condense"] = time.monotonic() - started
        mark = time.monotonic()
        pool = gather(search, searched, k=k, min_score=self.min_score, focused=not translated)
        if translated:  # a machine translation may miss words: the original's meaning searches too
            seen = {p.chunk_id for p in pool}
            pool += [p for p in search(standalone, k=k, mode="dense") if p.chunk_id not in seen]
        selection = select(searched, pool, similarity=self._similarity, budget_tokens=self.context_tokens,
                           translated_from=standalone if translated else "",
                           romanised=[han for _, han in self._given_names(standalone)] if translated else [])
        timings["retrieve"] = time.monotonic() - mark
        mark = time.monotonic()
        pieces: list[str] = []
        # The evidence decides whether there is an answer, the model only phrases it: with no sentence
        # strong enough to answer (``chosen``), refuse without asking a model. Shown weaker evidence, the
        # local model answered half of the near-miss questions with a neighbouring figure.
        script = _script_of(question, lang)
        if selection.chosen:
            messages = build_messages(standalone, selection.chosen, lang=lang)
            evidence = Evidence(searched, selection.passages, compose(selection.chosen))
            for delta in self.generator.stream(messages, max_tokens=self.max_answer_tokens,
                                               temperature=self.temperature, evidence=evidence):
                if not pieces:
                    timings["first_token"] = time.monotonic() - mark
                pieces.append(delta)
                yield script.convert(delta) if script else delta
        timings["generate"] = time.monotonic() - mark
        mark = time.monotonic()
        answer = self._finish(question, standalone, "".join(pieces), selection, lang=lang, script=script,
                              rendering=searched if translated else "")
        timings["verify"] = time.monotonic() - mark
        timings["total"] = time.monotonic() - started
        yield replace(answer, search_question=searched, timings={k: round(v, 4) for k, v in timings.items()})

    def _finish(self, question: str, standalone: str, raw: str, selection: Selection, *, lang: Language,
                script: Any, rendering: str = "") -> Answer:
        """Verify the generated text; fall back to the chosen sentences when it says nothing they
        support; add what a document the text leaves out says about the same figure; shown through
        ``script`` (``_script_of``)."""
        passages = selection.passages
        text, citations = self._verified(questions_removed(raw), passages, standalone)
        fallback = compose(selection.chosen) if selection.chosen else ""
        fault = disagreement(text, [f.candidate.text for f in selection.chosen], standalone,
                             rendering=rendering) if fallback and text else None
        if fallback and text and not fault and citations and all(c.n != selection.chosen[0].candidate.n for c in citations):
            fault = "cites none of the best sentence's passage"  # it answered from a weaker one
        if fallback and (not text or not any(c.supported for c in citations) or fault):
            logger.info("answering with the chosen sentences: the generator's answer %s",
                        fault or "has no supported claim")
            text, citations = self._verified(fallback, passages, standalone)
        elif text and selection.chosen:
            missing = [f for f in selection.chosen if not _stated(f, text, citations)]
            if missing:  # checked alone: the sentences are the documents' own, the lead-in is not
                statement, more = self._verified(compose(missing), passages, standalone)
                if statement:
                    extra = render(load_prompt("other_source", lang=lang), statement=statement)
                    text, citations = f"{text.rstrip()}\n{extra.strip()}", [*citations, *more]
        verified = any(c.supported for c in citations)
        refused = not text or (not verified and not cite.grounded(text, passages, question=standalone))
        if refused:
            text, citations = load_prompt("refusal", lang=lang).strip(), []
        elif lang == "en" and self.english_answers:
            text = self.in_english(text, passages, standalone)
            if _ASKS_NAME_EN.search(standalone):
                text = with_source_names(text, citations, asked=f"{standalone} {self.in_chinese(standalone)}")
        if not refused and not verified:
            text = f"{text.rstrip()}\n\n{load_prompt('unverified', lang=lang).strip()}"
        if script:
            text = script.convert(text)
        return Answer(question=question, text=text, citations=citations, passages=passages, refused=refused,
                      backend=self.generator.name, model=self.generator.model_id, standalone_question=standalone)

    def _verified(self, raw: str, passages: Sequence[Passage], question: str) -> tuple[str, list[Citation]]:
        """The text with checked citations, or ("", []) for an empty answer or a refusal."""
        if not raw.strip() or cite.is_refusal(raw):
            return "", []
        text, citations = cite.verify(raw, passages, question=question, similarity=self._similarity)
        return ("", []) if cite.is_refusal(text) else (text, citations)

    def condense(self, question: str, history: Sequence[ChatMessage]) -> str:
        """A standalone form of a follow-up question; the question itself when it stands alone.

        Rules rewrite the common elliptical follow-ups (``rag.generation.followup``), an English
        follow-up in its Chinese rendering (what is searched for, ``_followup_in_chinese``); only when
        none fits is the rewriter asked (with ``condense``), and otherwise, or when it cannot rewrite
        (it returns nothing), the previous question (its own standalone form: 占地呢? after a
        question about a facility is that facility's 占地; in Chinese words for a Chinese follow-up)
        and the follow-up are joined, which is what retrieval then searches for.
        """
        previous, answers = _questions_and_answers(history)
        if not previous:
            return question
        # the earlier questions resolved once, for the rules and the join, each with the answer before it
        context = last_standalone(previous, answers)
        answer = answers[-1]  # it may name what 这个中心 is
        rewritten = resolve(question, [context], answer=answer)
        lang = language(question)
        if rewritten is not None:
            if lang == "en" and rewritten != question.strip():
                self._followup_in_chinese(rewritten, answer=answer)  # remembered: what is searched
            return rewritten
        if lang == "zh" and language(context) == "en":  # 它投了几只子基金? after an English question:
            context = self._followup_in_chinese(context)  # its Chinese words
            rewritten = resolve(question, [context])
            if rewritten is not None:
                return rewritten
        if lang == "en" and language(context) == "zh":  # What service matrix does that center form? after a Chinese
            # question: its rendering is resolved by rule, and searched for the English words joined to the question
            joined, rendering = f"{context} {question}", self.in_chinese(question)
            _remember(self._renderings, joined, resolve(rendering, [context]) or f"{context} {rendering}")
            return joined
        if not self.condense_with_rewriter:
            if lang == "en" and language(context) == "en":
                # each rendered on its own and the rendering resolved by the Chinese rules, as for a pronoun
                joined = f"{question.strip().rstrip(' ?')} ({context.rstrip(' ?')})?"
                self._followup_in_chinese(joined, answer=answer)
                return joined
            return f"{context} {question}".strip()
        prompt = render(load_prompt("condense", lang=lang), history=format_history(history), question=question)
        rewritten = self.rewriter.complete([{"role": "user", "content": prompt}], max_tokens=96, temperature=0.0)
        rewritten = _first_line(rewritten)
        logger.debug("condensed %r -> %r", question, rewritten)
        if rewritten and language(rewritten) != lang:  # it translated instead (the answer's language would change too)
            rewritten = ""
        if rewritten and not is_question(rewritten):  # it answered instead (光明实验室是跟…合作的。)
            rewritten = ""
        return rewritten or f"{context} {question}".strip()

    def in_english(self, text: str, passages: Sequence[Passage], question: str) -> str:
        """``text`` with its Chinese sentences (the documents' own, shown when the model's phrasing
        failed a check, or another document's statement) rendered in English, each with its
        markers. A rendering is used only when it passes the checks a generated answer does: every
        figure of its sentence and no other, no word left untranslated, no acronym the sentence
        lacks (the model invented CAS and IAIS for Chinese institutions), each claim supported by
        the passage it cites, no qualifier dropped or turned, a name the user wrote in pinyin written as
        the user wrote it; otherwise the sentence stays as the document says it. Other names without
        an acronym are not checked: 星博生辉天使基金 came out as "Starbooth Fund". Citations are
        unchanged: they quote the documents."""
        out, pos, done = [], 0, 0
        asked_names = self._given_names(question)
        for span in split_sentences(text):
            body = cite.strip_markers(span.text).strip()
            if done >= MAX_TRANSLATED or language(body) != "zh":
                continue
            done += 1
            body_norm = match_form(body)
            names = [(latin, han) for latin, han in asked_names if han in body_norm]
            rendered = self._sentence_in_english(body, names)
            figures, given = numbers(normalise(body)), numbers(normalise(rendered))
            if (language(rendered) != "en" or cjk_ratio(rendered) > 0  # 57院士: not all of it translated
                    or any(a not in body for a in _ACRONYM.findall(rendered))  # (CAS), (IAIS): made up
                    or any(latin.lower() not in rendered.lower() for latin, _ in names)  # the user's name renamed
                    or not all(number_found(n, given) for n in figures)  # a figure lost
                    or not all(number_found(n, figures) for n in given)  # or one made up (2亿元 → 2 billion)
                    or any(p.search(body) and not english.search(rendered) for p, english in _AMOUNT_WORDS)):  # 倍增
                logger.info("kept a sentence in Chinese: its rendering %r lost a figure or a word", rendered)
                continue
            markers = "".join(f"[{n}]" for m in cite.find_markers(span.text) for n in m.numbers)
            # each sentence of a rendering says what its one source sentence says: each is cited
            english = _EN_SENTENCE_END.sub(f"{markers}.", rendered.rstrip(" .")) + f"{markers}."
            _, citations = self._verified(english, passages, question)
            if not citations or not all(c.supported for c in citations) or disagreement(english, [body], question):
                logger.info("kept a sentence in Chinese: its rendering %r is not what its passage says", rendered)
                continue
            end = len(text) - len(text[span.end:].lstrip(_FULL_STOPS))  # …超2800人……[2]。: the 。 is the sentence's
            space = " " if end < len(text) and not text[end].isspace() else ""
            out += [text[pos:span.start], f"{english}{space}"]
            pos = end
        return "".join(out) + text[pos:] if out else text

    def _sentence_in_english(self, sentence: str, names: Sequence[tuple[str, str]] = ()) -> str:
        """The model's English rendering of one Chinese sentence (unchecked), remembered. ``names``:
        (the question's pinyin, the sentence's word) for the names the user wrote in pinyin, given
        to the model in the user's letters (国任保险 → Guoren保险): rendering 国任保险 by itself it
        wrote "China Everbright Insurance"."""
        # Latin letters only: left to itself, the model kept words of 8 of 16 sentences in Chinese (产业高地),
        # and the sentence was shown untranslated. A name it cannot translate is romanised, not always
        # right (招商致远 → "Shangyuan Capital"); the citation quotes the original. The answer itself is
        # not masked: asked which science city, the model wrote 松山湖科学城 as "Shengshan Lake".
        key = sentence + "".join(f"\n{latin}={han}" for latin, han in names)
        if key not in self._sentences_en:  # the traditional document's sentences too: in the script the model reads best
            simplified = converter("t2s").convert(sentence)
            for latin, han in names:
                simplified = simplified.replace(han, latin)
            prompt = render(load_prompt("english"), sentence=gloss_figures(simplified))
            rendered = self.rewriter.complete([{"role": "user", "content": prompt}], max_tokens=160, temperature=0.0,
                                              latin_only=True)
            _remember(self._sentences_en, key, _first_line(rendered))
        return self._sentences_en[key]

    def in_chinese(self, question: str) -> str:
        """A Chinese rendering of an English question by the generator (the question itself when it
        is not English, or when the generator cannot translate: the dense half still matches it)."""
        if question in self._renderings:  # a Chinese follow-up renders the English question before it again
            return self._renderings[question]
        if language(question) != "en":
            return question
        rendering = self._render(question)
        _remember(self._renderings, question, rendering)
        return rendering

    def _followup_in_chinese(self, standalone: str, *, answer: str = "") -> str:
        """The Chinese rendering of an English follow-up that ``resolve`` joined to the question
        before it: each rendered on its own, and the follow-up's rendering resolved against the
        earlier one by the Chinese rules (它想培育哪些资本? → its topic put in for 它; the name the
        ``answer`` to it gave, when it asked which one), or joined to it.
        Rendered whole, a joined question came out as two or three questions run together, the
        translator's guess at the pronoun among them; nested a turn later, as garble."""
        parts = joined_parts(standalone)
        if parts is None or standalone in self._renderings:
            return self.in_chinese(standalone)
        follow, earlier = self.in_chinese(parts[0]), self._followup_in_chinese(parts[1])
        # "How many companies made it through its selection rounds?" rendered 有多少家公司通过了筛选?:
        # the translator dropped what pointed back, and the rendering, standing alone, is joined
        lost_pointer = depends_on_history(parts[0]) and not depends_on_history(follow)
        rendering = (None if lost_pointer else resolve(follow, [earlier], answer=answer)) or f"{earlier} {follow}"
        _remember(self._renderings, standalone, rendering)
        return rendering

    def _names_in(self, question: str) -> Sequence[tuple[str, str, float]]:
        """(pinyin name, the documents' word, share of the chunks holding it) for each name an
        English question romanises."""
        return self._romanised(question) if self._romanised and language(question) == "en" else []

    def _given_names(self, question: str) -> list[tuple[str, str]]:
        """(pinyin name, the documents' word) for the names an English question romanises that are
        not the documents' subject (``SUBJECT_SHARE``): what an answer must name and write so."""
        return [(latin, han) for latin, han, share in self._names_in(question) if share <= SUBJECT_SHARE]

    def _render(self, question: str) -> str:
        prompt = "translate"
        translated = self._translated(question)
        if language(translated) != "zh" and (opening := _EN_OPENING_CLAUSE.match(question)):
            # the model gave a question that opens with a clause (Compared with three years earlier, how
            # many…?) back in English; asked with the clause after the question, it translates it
            asked = opening["question"]
            translated = self._translated(f"{asked[0].upper()}{asked[1:-1]}, {opening['opening']}?")
        if _EN_ASKS_WHAT.search(question) and not ZH_ASKS_WHAT_OR_HOW.search(translated):
            # "Which bank did Guangming team up with…?" came out as a statement (光明团队与深圳合作…), in
            # which nothing is asked and no answer is looked for: rendered again, told to keep the question
            # (kept only when it translated every word: 获得了多少 recognition for "What recognition…" asks wrong)
            again = self._translated(question, prompt="translate_question")
            if ZH_ASKS_WHAT_OR_HOW.search(again) and not _ENGLISH_WORD.search(again):
                translated, prompt = again, "translate_question"
        if _EN_COUNTS.search(question) and not ZH_COUNTS.search(translated):
            # "How many sci-tech finance products…?" came out as 有哪些科技金融产品: a list is looked
            # for, not a figure, and no other document's figure is given beside it
            translated = _ZH_WHICH_OR_WHAT.sub("多少", translated, count=1)
        for english, rendered, documents in _DOCUMENT_WORDS:
            if english.search(question) and documents not in translated:
                # "What is the cluster valued at?" → 集群的总价值: reports state a valuation as 估值
                translated = rendered.sub(documents, translated, count=1)
        # a name the question romanises (Hetao) that the rendering does not write as the documents
        # do (海涛 for 河套): rendered again, given the documents' words; a rendering that writes
        # them is kept as it was
        missed = [(latin, han) for latin, han, _ in self._names_in(question) if han not in translated]
        if missed:
            translated = self._translated(question, missed, prompt=prompt) or translated
        logger.debug("translated %r -> %r", question, translated)
        if language(translated) != "zh" or cjk_count(translated) < len(_EN_WORD.findall(question)) / 2:
            return question  # not Chinese, or an answer rather than a rendering (Where is … located? → 光明区)
        # a year the rendering dropped would widen the question (in 2024 → any year)
        lost = [y for y in _YEAR.findall(question) if y not in translated]
        return "".join(f"{y}年" for y in lost) + untranslated_removed(translated, self._documents_word)

    def _translated(self, question: str, names: Sequence[tuple[str, str]] = (), *, prompt: str = "translate") -> str:
        """The rewriter's rendering (its first line) with ``prompt``, told the documents' word for each of ``names``."""
        hint = f"文件中的写法：{'；'.join(f'{latin} = {han}' for latin, han in names)}\n" if names else ""
        prompt = render(load_prompt(prompt), question=question, names=hint)
        return _first_line(self.rewriter.complete([{"role": "user", "content": prompt}], max_tokens=96, temperature=0.0))


def with_source_names(text: str, citations: Sequence[Citation], *, asked: str) -> str:
    """An English ``text`` with, before the markers of each sentence, the Chinese names of the
    passages it cites that the question did not give (``asked``: its words, English and Chinese):
    松山湖科学城 came out as "Shengshan Lake", 彭旗宇 as "Peng Qiuyu". A romanised name cannot be
    checked against the documents, nor searched for; the original can. Each name is shown once
    (not at all when the text already writes it)."""
    cited: dict[int, list[str]] = {}  # passage number -> the names its supported quotes give
    for c in citations:
        if c.supported:
            cited.setdefault(c.n, []).extend(chinese_names(c.quote))
    asked_norm = match_form(asked)
    shown = {name for names in cited.values() for name in names if name in text}
    out, pos = [], 0
    for span in split_sentences(text):
        markers = cite.find_markers(span.text)
        if not markers or language(cite.strip_markers(span.text)) != "en":
            continue
        new = [name for n in dict.fromkeys(n for m in markers for n in m.numbers) for name in cited.get(n, [])
               if match_form(name) not in asked_norm and name not in shown]
        new = list(dict.fromkeys(new))[:MAX_SOURCE_NAMES]
        if new:
            shown.update(new)
            at = span.start + markers[0].start
            out += [text[pos:at].rstrip(), f" ({'、'.join(new)})"]
            pos = at
    return "".join(out) + text[pos:] if out else text


def _first_line(reply: str) -> str:
    """A rewriting reply's first line, stripped: the model sometimes adds an explanation below."""
    return reply.strip().splitlines()[0].strip() if reply.strip() else ""


def _remember(cache: dict[str, str], key: str, value: str) -> None:
    """Keep ``value`` under ``key``, dropping the oldest entry when ``cache`` holds ``MAX_RENDERINGS``."""
    if len(cache) >= MAX_RENDERINGS:
        cache.pop(next(iter(cache), ""), None)
    cache[key] = value


def _warm(generator: Generator, prefix: list[ChatMessage]) -> None:
    warm_up = getattr(generator, "warm_up", None)  # only models run in this process have one
    if warm_up is not None:
        warm_up(prefix_messages=prefix)


def _stated(finding: Finding, text: str, citations: Sequence[Citation]) -> bool:
    """Whether the answer already gives this sentence's figures, or cites its document."""
    if any(c.supported and c.doc_id == finding.candidate.doc_id for c in citations):
        return True
    figures = [n for n in numbers(finding.candidate.norm)]
    return bool(figures) and all(number_found(n, numbers(normalise(text))) for n in figures)
