"""The answer pipeline with a scripted generator: condensing, packing, refusal, citation repair,
conflicting figures. No model is loaded, so each test runs in milliseconds."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from fakes import ScriptedGenerator, WarmableGenerator, is_condense_request, is_translate_request

from rag.generation.facts import figure_checked_as_asked
from rag.generation.pipeline import AnswerPipeline
from rag.tokens import count_tokens
from rag.types import Answer, ChatMessage, Passage

REFUSAL_ZH = "根据现有文档，无法回答该问题。"
ACADEMICIANS_000 = "光明区现有全职院士59名，高层次人才超3000人。"
ACADEMICIANS_001 = "截至2024年底，光明区集聚全职院士57名、高层次人才2800名。"
FUND = "深圳设立规模15亿元的深圳市合成生物产业基金。"


def _passage(doc_id: str, text: str, *, n: int = 0, score: float = 0.9) -> Passage:
    return Passage(chunk_id=f"{doc_id}#{n}", doc_id=doc_id, title=doc_id, source=f"{doc_id}.txt", text=text,
                   start=n * 1000, end=n * 1000 + len(text), score=score)


class Search:
    """A fixed retrieval result that records the (hybrid) queries it was asked; BM25 finds the same."""

    def __init__(self, passages: Sequence[Passage]) -> None:
        self.passages = list(passages)
        self.queries: list[str] = []

    def __call__(self, question: str, *, k: int, mode: str = "hybrid") -> list[Passage]:
        if mode == "hybrid":
            self.queries.append(question)
        return self.passages[:k]


def _no_similarity(question: str, sentences: Sequence[str]) -> list[float]:
    return [0.0] * len(sentences)


def _pipeline(generator: ScriptedGenerator, *, context_tokens: int = 500, min_score: float = 0.0,
              condense: bool = True) -> AnswerPipeline:
    return AnswerPipeline(generator, similarity=_no_similarity, context_tokens=context_tokens,
                          max_answer_tokens=200, temperature=0.0, min_score=min_score, condense=condense)


def _ask(pipeline: AnswerPipeline, question: str, search: Search, *,
         history: Sequence[ChatMessage] = (), k: int = 5) -> tuple[list[str], Answer]:
    events = list(pipeline.stream(question, history=history, search=search, k=k))
    final = events[-1]
    assert isinstance(final, Answer)
    return [e for e in events[:-1] if isinstance(e, str)], final


def test_a_question_without_history_is_not_condensed() -> None:
    generator = ScriptedGenerator.answering("光明区现有全职院士59名[1]。")
    search = Search([_passage("a", ACADEMICIANS_000)])
    deltas, answer = _ask(_pipeline(generator), "光明区有多少院士?", search)
    assert search.queries == ["光明区有多少院士?"]
    assert len(generator.calls) == 1 and not is_condense_request(generator.calls[0])
    assert "".join(deltas) == "光明区现有全职院士59名[1]。" and len(deltas) > 1  # streamed in pieces
    assert answer.backend == "scripted" and answer.model == "scripted-1"
    assert not answer.refused and answer.citations[0].doc_id == "a" and answer.citations[0].supported


def test_an_elliptical_follow_up_is_rewritten_by_rule_without_a_model_call() -> None:
    generator = ScriptedGenerator.answering("高层次人才超3000人[1]。", condensed="不该被调用")
    search = Search([_passage("a", ACADEMICIANS_000)])
    history: list[ChatMessage] = [{"role": "user", "content": "光明区有多少院士?"},
                                  {"role": "assistant", "content": "59名[1]。"}]
    _, answer = _ask(_pipeline(generator), "那高层次人才呢?", search, history=history)
    assert search.queries == ["光明区有多少高层次人才?"]
    assert answer.standalone_question == "光明区有多少高层次人才?" and answer.question == "那高层次人才呢?"
    assert not any(is_condense_request(c) for c in generator.calls)  # the answer's cached prefix stays warm
    assert "3000" in answer.text and not answer.refused


def test_earlier_follow_ups_are_resolved_with_the_answers_they_followed() -> None:
    # 那博士呢? took 博士人才's place for all of 科研院所的人才, as the first answer listed them: the third
    # question, which leans on the second, is asked of 博士人才 too (not of 科研院所的博士)
    listed = "南湖区共有院士59人、高层次人才超3000人、科研院所人才近8000人、博士人才超5000人[1]。"
    generator = ScriptedGenerator.answering("博士人才超5000人[1]。", condensed="")
    search = Search([_passage("a", "南湖区共有院士59人、高层次人才超3000人、科研院所人才近8000人、博士人才超5000人。")])
    history: list[ChatMessage] = [{"role": "user", "content": "南湖区现在科研院所的人才大概有多少?"},
                                  {"role": "assistant", "content": listed},
                                  {"role": "user", "content": "那博士呢?"},
                                  {"role": "assistant", "content": REFUSAL_ZH}]
    _ask(_pipeline(generator), "这两个数分别是三年前的几倍?", search, history=history)
    assert "博士人才" in search.queries[0] and "科研院所的博士" not in search.queries[0]


def test_a_follow_up_no_rule_resolves_is_condensed_by_the_generator_with_the_history() -> None:
    generator = ScriptedGenerator.answering("光明科技金融大厦集聚金融机构20家[1]。",
                                            condensed="光明科技金融大厦里面入驻了多少家金融机构?")
    search = Search([_passage("b", "光明科技金融大厦共42层，集聚金融机构20家。")])
    history: list[ChatMessage] = [{"role": "user", "content": "光明科技金融大厦有多少层?"},
                                  {"role": "assistant", "content": "42层[1]。"}]
    _, answer = _ask(_pipeline(generator), "里面入驻了多少家金融机构?", search, history=history)
    condense = generator.calls[0][0]["content"]
    assert "用户：光明科技金融大厦有多少层?" in condense and "追问：里面入驻了多少家金融机构?" in condense
    assert search.queries == ["光明科技金融大厦里面入驻了多少家金融机构?"]
    assert "20家" in answer.text and not answer.refused


def test_an_empty_rewrite_falls_back_to_the_previous_question_joined_with_the_follow_up() -> None:
    generator = ScriptedGenerator.answering("集聚金融机构20家[1]。", condensed="")
    search = Search([_passage("b", "光明科技金融大厦共42层，集聚金融机构20家。")])
    history: list[ChatMessage] = [{"role": "user", "content": "光明科技金融大厦有多少层?"}]
    _ask(_pipeline(generator), "里面入驻了多少家金融机构?", search, history=history)
    assert search.queries == ["光明科技金融大厦有多少层? 里面入驻了多少家金融机构?"]
    # the previous question in its own standalone form, not its elliptical words
    search = Search([_passage("b", "光明科技金融大厦共42层，总建筑面积12.9万平方米，集聚金融机构20家。")])
    history += [{"role": "assistant", "content": "42层[1]。"}, {"role": "user", "content": "建筑面积呢?"}]
    _ask(_pipeline(generator), "里面入驻了多少家金融机构?", search, history=history)
    assert search.queries == ["光明科技金融大厦的建筑面积是多少? 里面入驻了多少家金融机构?"]


def test_without_condensing_a_follow_up_no_rule_resolves_is_joined_to_the_previous_question() -> None:
    generator = ScriptedGenerator.answering("集聚金融机构20家[1]。", condensed="不该被调用")
    search = Search([_passage("b", "光明科技金融大厦共42层，集聚金融机构20家。")])
    history: list[ChatMessage] = [{"role": "user", "content": "光明科技金融大厦有多少层?"},
                                  {"role": "assistant", "content": "42层[1]。"}]
    _, answer = _ask(_pipeline(generator, condense=False), "里面入驻了多少家金融机构?", search, history=history)
    assert search.queries == ["光明科技金融大厦有多少层? 里面入驻了多少家金融机构?"]
    assert not any(is_condense_request(c) for c in generator.calls) and "20家" in answer.text


def test_a_chinese_follow_up_of_an_english_question_is_joined_to_its_chinese_rendering() -> None:
    generator = ScriptedGenerator.answering("集聚金融机构20家[1]。", translated="光明科技金融大厦有多少层?")
    search = Search([_passage("b", "光明科技金融大厦共42层，集聚金融机构20家。")])
    history: list[ChatMessage] = [{"role": "user", "content": "How many floors does the Guangming finance tower have?"},
                                  {"role": "assistant", "content": "42 floors [1]."}]
    _ask(_pipeline(generator, condense=False), "里面入驻了多少家金融机构?", search, history=history)
    assert search.queries[-1] == "光明科技金融大厦有多少层? 里面入驻了多少家金融机构?"
    # a question of its own after 那 needs no words of the English one
    _ask(_pipeline(generator, condense=False), "那光明科技金融大厦入驻了多少家金融机构?", search, history=history)
    assert search.queries[-1] == "光明科技金融大厦入驻了多少家金融机构?"


def test_only_evidence_sentences_of_passages_within_the_token_budget_reach_the_prompt() -> None:
    texts = [f"光明科学城第{i}期建设{10 + i}个重大科技创新载体。" + "其余内容与问题无关。" * 8 for i in range(4)]
    passages = [_passage(f"d{i}", t) for i, t in enumerate(texts)]
    budget = count_tokens(texts[0]) + 4 + count_tokens(texts[1]) + 4
    generator = ScriptedGenerator.answering(REFUSAL_ZH)
    _, answer = _ask(_pipeline(generator, context_tokens=budget), "光明科学城建设了多少个重大科技创新载体?", Search(passages))
    assert len(answer.passages) == 2
    prompt = generator.calls[0][-1]["content"]
    shown = [line for line in prompt.splitlines() if line.startswith("[")]
    assert shown and all(line[1] in "12" and "重大科技创新载体" in line and "无关" not in line for line in shown)


def test_passages_below_min_score_are_dropped_and_then_nothing_is_asked() -> None:
    generator = ScriptedGenerator.answering("不该被调用[1]。")
    _, answer = _ask(_pipeline(generator, min_score=0.5), "光明区有多少院士?",
                     Search([_passage("a", ACADEMICIANS_000, score=0.2)]))
    assert answer.refused and answer.text == REFUSAL_ZH and answer.passages == []
    assert generator.calls == []


def test_without_fitting_evidence_no_model_is_asked_and_the_refusal_is_in_the_questions_language() -> None:
    generator = ScriptedGenerator.answering("There are 15 hospitals[1].")
    _, answer = _ask(_pipeline(generator), "How many hospitals are in Guangming?", Search([_passage("a", FUND)]))
    assert answer.refused and answer.citations == []
    assert all(is_translate_request(c) for c in generator.calls)  # asked to translate, never to answer
    assert answer.text == "The documents do not contain the answer to this question."


def test_the_models_refusal_with_strong_evidence_falls_back_to_the_chosen_sentences() -> None:
    generator = ScriptedGenerator.answering(REFUSAL_ZH)
    _, answer = _ask(_pipeline(generator), "光明区有多少名院士?", Search([_passage("a", ACADEMICIANS_000)]))
    assert not answer.refused and answer.backend == "scripted"
    assert answer.text == "光明区现有全职院士59名，高层次人才超3000人[1]。" and answer.citations[0].supported


def test_the_question_repeated_as_an_answer_is_not_an_answer() -> None:
    generator = ScriptedGenerator.answering("光明区现在有多少名院士?[1]")
    _, answer = _ask(_pipeline(generator), "光明区现在有多少名院士?", Search([_passage("a", ACADEMICIANS_000)]))
    assert answer.text == "光明区现有全职院士59名，高层次人才超3000人[1]。"  # the chosen sentence instead


def test_a_traditional_question_is_answered_in_traditional_characters() -> None:
    generator = ScriptedGenerator.answering(REFUSAL_ZH)  # the chosen simplified sentence is the answer
    question = "光明區有多少名院士?"
    _, answer = _ask(_pipeline(generator), question, Search([_passage("a", ACADEMICIANS_000)]))
    assert answer.text == "光明區現有全職院士59名，高層次人才超3000人[1]。"
    assert answer.citations[0].quote == ACADEMICIANS_000  # the citation quotes the document as written
    _, refused = _ask(_pipeline(ScriptedGenerator.answering(REFUSAL_ZH)), "光明區有多少家醫院?",
                      Search([_passage("a", ACADEMICIANS_000)]))
    assert refused.refused and refused.text == "根據現有文檔，無法回答該問題。"


def test_a_figure_no_passage_holds_is_never_shown() -> None:
    generator = ScriptedGenerator.answering("光明区有1家三甲医院[1]。")
    _, answer = _ask(_pipeline(generator), "光明区有多少家三甲医院?", Search([_passage("a", ACADEMICIANS_000)]))
    assert answer.refused and answer.text == REFUSAL_ZH and "1家" not in answer.text
    generator = ScriptedGenerator.answering("光明区共有院士99名[1]。")  # evidence that fits, a figure it lacks
    _, answer = _ask(_pipeline(generator), "光明区有多少名院士?", Search([_passage("a", ACADEMICIANS_000)]))
    assert "99" not in answer.text and "59" in answer.text  # the chosen sentence replaces the invented figure


def test_a_marker_on_the_wrong_passage_moves_to_the_passage_that_holds_the_figure() -> None:
    generator = ScriptedGenerator.answering("深圳市合成生物产业基金规模15亿元[1]。")
    search = Search([_passage("a", ACADEMICIANS_000), _passage("b", FUND)])
    _, answer = _ask(_pipeline(generator), "合成生物产业基金规模多大?", search)
    assert not answer.refused
    assert [p.doc_id for p in answer.passages] == ["b", "a"]  # the evidence's passage is packed first
    assert [(c.n, c.doc_id, c.supported) for c in answer.citations] == [(1, "b", True)]
    assert "[1]" in answer.text and "[2]" not in answer.text
    assert "15亿元" in answer.citations[0].quote


def test_conflicting_figures_are_both_kept_each_cited_to_its_own_document() -> None:
    generator = ScriptedGenerator.answering("光明区现有全职院士59名[1]；另一份报告称截至2024年底为57名[2]。")
    search = Search([_passage("000", ACADEMICIANS_000), _passage("001", ACADEMICIANS_001)])
    _, answer = _ask(_pipeline(generator), "光明区有多少名院士?", search)
    assert not answer.refused
    assert {(c.doc_id, c.supported) for c in answer.citations} == {("000", True), ("001", True)}
    assert "59" in answer.text and "57" in answer.text


@pytest.mark.parametrize("question, asked", [
    ("光明区有超过3000名高层次人才吗?", "光明区有多少名高层次人才?"),
    ("光明区的高层次人才超过3000名了吗?", "光明区的高层次人才多少名?"),
    ("光明區有沒有3000多名高層次人才？", "光明區有多少名高層次人才？"),
    ("合成生物产业基金规模是100亿元吗?", "合成生物产业基金规模是多少亿元?"),
    # a count between 1900 and 2099 is still a count; before 届 it is a cohort's year
    ("光明区有超过2000家企业吗?", "光明区有多少家企业?"),
    ("2024届毕业生有没有留在光明区?", "2024届毕业生有没有留在光明区?"),
    # not a figure to check: an ordinal, two figures, no yes/no, no figure
    ("光明区是第一个获批的吗?", "光明区是第一个获批的吗?"),
    ("光明区有超过3000名高层次人才和8000名科研人才吗?", "光明区有超过3000名高层次人才和8000名科研人才吗?"),
    ("光明区有3000名高层次人才,对吧?还有多少院士?", "光明区有3000名高层次人才,对吧?还有多少院士?"),
    ("光明区有没有三甲医院?", "光明区有没有三甲医院?"),
])
def test_a_yes_no_question_that_states_a_figure_asks_for_that_figure(question: str, asked: str) -> None:
    assert figure_checked_as_asked(question) == asked


def test_a_figure_checked_by_a_yes_no_question_is_answered_with_every_documents_figure() -> None:
    # the documents write 超3000人 and 2800名, not the question's 超过3000名: the figure asked is still answered
    generator = ScriptedGenerator.answering(REFUSAL_ZH)
    search = Search([_passage("000", ACADEMICIANS_000), _passage("001", ACADEMICIANS_001)])
    _, answer = _ask(_pipeline(generator), "光明区有超过3000名高层次人才吗?", search)
    assert search.queries == ["光明区有多少名高层次人才?"]
    assert not answer.refused and "3000" in answer.text and "2800" in answer.text
    assert {(c.doc_id, c.supported) for c in answer.citations} == {("000", True), ("001", True)}


@pytest.mark.parametrize("translated, searched", [
    ("光明区2024年新增了多少位 landmark科学家？", "光明区2024年新增了多少位科学家？"),
    ("光明区2024年的GDP是多少？", "光明区2024年的GDP是多少？"),  # acronyms stay: documents write them too
    ("光明区有多少家A股上市企业?", "光明区有多少家A股上市企业?"),
    # AI alone is written out, as the documents do; a set phrase (AI+城市治理) keeps it
    ("光明区的AI产业集群在2024年有多大？", "光明区的人工智能产业集群在2024年有多大？"),
    ("光明要打造多少个AI+城市治理场景?", "光明要打造多少个AI+城市治理场景?"),
])
def test_english_words_a_translation_left_in_are_not_searched_for(translated: str, searched: str) -> None:
    generator = ScriptedGenerator.answering("", translated=translated)
    search = Search([_passage("b", FUND)])
    _ask(_pipeline(generator), "How many landmark scientists did Guangming bring in?", search)
    assert search.queries == [searched]


@pytest.mark.parametrize("translated, searched", [
    ("深圳光明区第一 graphene工业园有多少家 graphene公司？", "深圳光明区第一石墨烯工业园有多少家石墨烯公司？"),
    ("光明区的党 Secretary是谁？", "光明区的党书记是谁？"),
    # a run is looked up whole, and half a compound not at all: else each word in another sense
    ("哪个 Greater Bay Area 创新案例获奖了？", "哪个创新案例获奖了？"),
    ("脑-inspired智能产业基金有多大？", "脑-智能产业基金有多大？"),
    ("光明区2024年的 GDP 是多少？", "光明区2024年的 GDP 是多少？"),
])
def test_english_words_a_translation_left_in_are_searched_for_as_the_documents_write_them(
        translated: str, searched: str) -> None:
    words = {"graphene": "石墨烯", "secretary": "书记", "area": "领域", "inspired": "振奋"}
    generator = ScriptedGenerator.answering("", translated=translated)
    search = Search([_passage("b", FUND)])
    pipeline = AnswerPipeline(generator, similarity=_no_similarity, context_tokens=500, max_answer_tokens=200,
                              temperature=0.0, min_score=0.0, documents_word=lambda w: words.get(w.lower()))
    _ask(pipeline, "How many graphene companies are in Guangming?", search)
    assert search.queries == [searched]


def test_a_year_the_translation_dropped_is_put_back() -> None:
    generator = ScriptedGenerator.answering("", translated="光明区有多少家国家高新技术企业？")
    search = Search([_passage("b", FUND)])
    _ask(_pipeline(generator), "How many national high-tech enterprises did Guangming have in 2024?", search)
    assert search.queries == ["2024年光明区有多少家国家高新技术企业？"]


@pytest.mark.parametrize(("rendering", "searched"), [
    ("光明区有哪些科技金融产品供科技公司使用？", "光明区有多少科技金融产品供科技公司使用？"),
    ("光明区的算力目标是什么？", "光明区的算力目标是多少？"),
])
def test_a_how_many_question_rendered_as_a_which_question_asks_for_the_figure(rendering: str, searched: str) -> None:
    generator = ScriptedGenerator.answering("", translated=rendering)
    search = Search([_passage("b", FUND)])
    _ask(_pipeline(generator), "How many sci-tech finance products does Guangming offer to tech companies?", search)
    assert search.queries == [searched]


@pytest.mark.parametrize(("question", "rendering", "searched"), [
    ("What is Nanhu's synthetic biology cluster valued at in total?", "南湖合成生物学产业集群的总价值是多少？",
     "南湖合成生物学产业集群的总估值是多少？"),
    ("What are they worth altogether?", "它们的值是多少？", "它们的估值是多少？"),
    ("What output value are they supposed to generate?", "它们应该生成什么输出值？", "它们应该生成什么产值？"),
    ("How many sub-funds has Nanhu's government guidance fund invested in?", "南湖区政府指导基金投资了多少个子基金？",
     "南湖区引导基金投资了多少个子基金？"),
    ("For how many years has Nanhu's R&D intensity stayed above the city average?", "南湖区的R&D强度连续几年高于全市平均水平？",
     "南湖区的研发强度连续几年高于全市平均水平？"),
    ("How many projects from major research institutes has Nanhu brought in?", "南湖区引进了多少个大型科研机构项目？",
     "南湖区引进了多少个大院大所项目？"),
    ("What computing power does Nanhu want to reach?", "南湖希望达到多少计算能力？", "南湖希望达到多少算力？"),
    ("Who heads the high-tech zone's leading group?", "谁领导高新区的领导组？", "谁领导高新区的领导小组？"),
    ("What new tracks does Nanhu want to open up?", "南湖想要开放哪些新轨道？", "南湖想要开放哪些新赛道？"),
    ("In what field is Nanhu preparing a national key laboratory?", "南湖正在筹建哪个领域的国家实验室？",
     "南湖正在筹建哪个领域的全国重点实验室？"),
    ("How many innovation consortia has Nanhu formed?", "南湖有多少个创新？", "南湖有多少个创新联合体？"),
    ("Which threshold did Nanhu's total R&D spending cross?", "南湖的总研发支出超过了什么阈值？",
     "南湖的总研发投入超过了什么阈值？"),
    ("When is the second phase of Nanhu's supercomputing center switched on?", "南湖第二阶段超级计算机中心何时启用？",
     "南湖二期超算中心何时启用？"),
    ("How many landmark scientists did Nanhu recruit?", "南湖招聘了多少位地标科学家？", "南湖招聘了多少位标志性科学家？"),
    ("Which firms lead Nanhu's innovation consortia?", "哪些企业领导南湖的创新联盟？", "哪些企业领导南湖的创新联合体？"),
])
def test_a_term_the_translator_words_otherwise_is_searched_as_reports_word_it(question: str, rendering: str,
                                                                                 searched: str) -> None:
    generator = ScriptedGenerator.answering("", translated=rendering)
    search = Search([_passage("b", FUND)])
    _ask(_pipeline(generator), question, search)
    assert search.queries == [searched]


HETAO = "光明区设立光明科学城河套创新中心，链接港澳创新资源。"
NATIONAL_CENTRE = "2024年7月，光明区设立国家生物制造产业创新中心。"


def _names(question: str) -> list[tuple[str, str, float]]:
    """The index's words for the pinyin names of ``question``, as ``Retriever.romanised`` gives them."""
    return [(latin, han, share) for latin, han, share in [("Hetao", "河套", 0.02), ("Guangming", "光明", 0.5)]
            if latin in question]


def _rendering(wrong: str, right: str) -> ScriptedGenerator:
    """Renders English questions as ``wrong``, or as ``right`` when told the documents' names."""
    def reply(messages: list[ChatMessage]) -> str:
        if is_translate_request(messages):
            return right if "文件中的写法：Hetao = 河套" in messages[0]["content"] else wrong
        return "It opened in July 2024[1]."
    return ScriptedGenerator(reply)


def test_a_rendering_that_misses_a_romanised_name_is_rendered_again_given_the_documents_word() -> None:
    generator = _rendering("光明区海涛创新中心是哪一年设立的?", "光明区河套创新中心是哪一年设立的?")
    pipeline = AnswerPipeline(generator, similarity=_no_similarity, context_tokens=500, max_answer_tokens=200,
                              temperature=0.0, min_score=0.0, romanised=_names)
    search = Search([_passage("a", HETAO), _passage("b", NATIONAL_CENTRE)])
    _, answer = _ask(pipeline, "In what year was the Guangming Hetao Innovation Center set up?", search)
    translations = [c for c in generator.calls if is_translate_request(c)]
    assert len(translations) == 2 and "Guangming = 光明" not in translations[1][0]["content"]  # 光明 was written
    assert search.queries == ["光明区河套创新中心是哪一年设立的?"]
    # a year of another centre does not answer: the sentence must name what the user named
    assert answer.refused and answer.text == "The documents do not contain the answer to this question."


def test_a_rendering_that_writes_the_names_is_asked_for_once() -> None:
    generator = _rendering("光明区河套创新中心在哪里?", "")
    pipeline = AnswerPipeline(generator, similarity=_no_similarity, context_tokens=500, max_answer_tokens=200,
                              temperature=0.0, min_score=0.0, romanised=_names)
    _ask(pipeline, "Where is the Guangming Hetao Innovation Center?", Search([_passage("a", HETAO)]))
    assert len([c for c in generator.calls if is_translate_request(c)]) == 1


def test_a_condensed_follow_up_in_another_language_is_not_used() -> None:
    generator = ScriptedGenerator.answering("", condensed="How many doctoral students are there in Guangming?")
    search = Search([_passage("a", ACADEMICIANS_000)])
    history: list[ChatMessage] = [{"role": "user", "content": "光明区有多少院士?"},
                                  {"role": "assistant", "content": "光明区现有全职院士59名[1]。"}]
    _, answer = _ask(_pipeline(generator), "最后通过了几家?", search, history=history)
    assert any(is_condense_request(c) for c in generator.calls)
    assert answer.standalone_question == "光明区有多少院士? 最后通过了几家?"  # the question's own language


def test_an_english_follow_up_of_a_chinese_question_is_searched_as_its_rendering_resolved_by_rule() -> None:
    generator = ScriptedGenerator.answering("", translated="这个基金的规模是多少?")
    search = Search([_passage("b", FUND)])
    history: list[ChatMessage] = [{"role": "user", "content": "深圳合成生物产业基金落户在哪个区?"},
                                  {"role": "assistant", "content": "光明区[1]。"}]
    _, answer = _ask(_pipeline(generator), "How large is this fund?", search, history=history)
    assert search.queries[0] == "深圳合成生物产业基金的规模是多少?"
    assert answer.standalone_question == "深圳合成生物产业基金落户在哪个区? How large is this fund?"
    assert not any(is_condense_request(c) for c in generator.calls)


def test_an_english_question_is_searched_in_chinese_and_answered_in_english() -> None:
    generator = ScriptedGenerator.answering("The fund is 1.5 billion yuan[1].", translated="合成生物产业基金的规模是多少?")
    search = Search([_passage("b", FUND)])
    _, answer = _ask(_pipeline(generator), "How large is the synthetic biology fund?", search)
    assert search.queries == ["合成生物产业基金的规模是多少?"]
    system, user = generator.calls[-1]
    assert system["role"] == "system" and "in English" in system["content"]
    assert "[1] 深圳设立规模 1.5 billion yuan 的" in user["content"]
    assert "How large is the synthetic biology fund?" in user["content"]
    assert not answer.refused and answer.citations[0].doc_id == "b"


def test_evidence_that_fits_but_is_too_weak_to_answer_is_a_refusal_without_asking_a_model() -> None:
    weak = _passage("a", "国家级博士后有12家。")  # holds the asked kind of fact, shares few words
    generator = ScriptedGenerator.answering("国家级博士后有12家[1]。")
    _, answer = _ask(_pipeline(generator), "今年全区新增认定了多少家国家级博士后科研工作站和省级创新实践基地?", Search([weak]))
    assert generator.calls == [] and answer.refused and answer.text == REFUSAL_ZH


@pytest.mark.parametrize("reply", ["", "   "])
def test_an_empty_reply_falls_back_to_the_chosen_sentences(reply: str) -> None:
    generator = ScriptedGenerator.answering(reply)
    _, answer = _ask(_pipeline(generator), "光明区有多少名院士?", Search([_passage("a", ACADEMICIANS_000)]))
    assert generator.calls and not answer.refused and "59" in answer.text and answer.citations[0].supported


@pytest.mark.parametrize("reply", ["光明区高层次人才3000人[1]。", " 3000 [1]"])
def test_an_answer_that_misstates_the_chosen_sentence_falls_back_to_it(reply: str) -> None:
    generator = ScriptedGenerator.answering(reply)  # the qualifier 超 dropped; figures without words
    _, answer = _ask(_pipeline(generator), "光明区有多少高层次人才?", Search([_passage("a", ACADEMICIANS_000)]))
    assert answer.text == "光明区现有全职院士59名，高层次人才超3000人[1]。" and answer.citations[0].supported


def test_an_answer_citing_only_a_weaker_sentence_falls_back_to_the_chosen_sentences() -> None:
    generator = ScriptedGenerator.answering("光明区集聚全职院士57名[2]。")  # the best sentence, 59 in [1], left out
    search = Search([_passage("000", ACADEMICIANS_000), _passage("001", ACADEMICIANS_001)])
    _, answer = _ask(_pipeline(generator), "光明区有多少名院士?", search)
    assert answer.text.startswith("光明区现有全职院士59名") and "57" in answer.text
    assert [c.doc_id for c in answer.citations][:1] == ["000"]


def test_what_another_document_says_is_added_with_its_own_verified_citation() -> None:
    generator = ScriptedGenerator.answering("Guangming has 59 academicians [1].", translated="光明区有多少名院士?")
    search = Search([_passage("000", ACADEMICIANS_000), _passage("001", ACADEMICIANS_001)])
    _, answer = _ask(_pipeline(generator), "How many academicians does Guangming have?", search)
    assert answer.text.startswith("Guangming has 59 academicians [1].\nAnother document says: ")
    assert answer.text.endswith("[2]。") and "57" in answer.text
    assert [(c.doc_id, c.supported) for c in answer.citations] == [("000", True), ("001", True)]


def _english_replies(rendering: str) -> ScriptedGenerator:
    def reply(messages: list[ChatMessage]) -> str:
        content = messages[-1]["content"]
        if is_translate_request(messages):
            return "光明区有多少名院士?"
        if "Translate this sentence from a Chinese document into English" in content:
            return rendering
        return "Guangming has 59 academicians [1]."
    return ScriptedGenerator(reply)


DOUBLED = "截至2024年底，光明区集聚全职院士57名，院士团队数量实现倍增。"


@pytest.mark.parametrize(("rendering", "english", "statement"), [
    ("Another document says: by the end of 2024 Guangming had 57 academicians and 2,800 high-level talents.", True,
     ACADEMICIANS_001),
    ("Another document says: Guangming had 57 academicians.", False, ACADEMICIANS_001),  # 2024 and 2800 lost
    ("Another document says: by the end of 2024 Guangming had 57 academicians and 2.8 billion talents.", False,
     ACADEMICIANS_001),
    ("Another document says: by the end of 2024 Guangming had 57 院士 and 2,800 high-level talents.", False,
     ACADEMICIANS_001),
    ("Another document says: by the end of 2024 the CAS had 57 academicians and 2,800 high-level talents.", False,
     ACADEMICIANS_001),
    # an amount stated without a figure (倍增) survives too
    ("Another document says: by the end of 2024 Guangming had 57 academicians, and its academician teams doubled.", True,
     DOUBLED),
    ("Another document says: by the end of 2024 Guangming had 57 academicians.", False, DOUBLED),
])
def test_an_english_answer_gives_another_document_s_statement_in_english_when_every_figure_survives(
        rendering: str, english: bool, statement: str) -> None:
    search = Search([_passage("000", ACADEMICIANS_000), _passage("001", statement)])
    pipeline = AnswerPipeline(_english_replies(rendering), similarity=_no_similarity, context_tokens=500,
                              max_answer_tokens=200, temperature=0.0, english_answers=True)
    _, answer = _ask(pipeline, "How many academicians does Guangming have?", search)
    second = answer.text.split("\n")[1]
    assert second == (f"{rendering.rstrip('.')}[2]." if english else f"Another document says: {statement[:-1]}[2]。")
    assert [(c.doc_id, c.supported) for c in answer.citations] == [("000", True), ("001", True)]


def test_a_statement_rendered_in_english_leaves_no_chinese_full_stop_behind() -> None:
    # a sentence ending in an ellipsis (……) is split before its markers' 。; the rendering replaces both
    trailing = "截至2024年底，光明区集聚全职院士57名、高层次人才2800名……"
    rendering = "Another document says: by the end of 2024 Guangming had 57 academicians and 2,800 high-level talents."
    search = Search([_passage("000", ACADEMICIANS_000), _passage("001", trailing)])
    pipeline = AnswerPipeline(_english_replies(rendering), similarity=_no_similarity, context_tokens=500,
                              max_answer_tokens=200, temperature=0.0, english_answers=True)
    _, answer = _ask(pipeline, "How many academicians does Guangming have?", search)
    assert answer.text.split("\n")[1] == f"{rendering.rstrip('.')}[2]."


def test_each_sentence_of_a_rendering_cites_the_sentence_it_renders() -> None:
    rendering = "Another document says: by the end of 2024 Guangming had 57 academicians. It also had 2,800 high-level talents."
    search = Search([_passage("000", ACADEMICIANS_000), _passage("001", ACADEMICIANS_001)])
    pipeline = AnswerPipeline(_english_replies(rendering), similarity=_no_similarity, context_tokens=500,
                              max_answer_tokens=200, temperature=0.0, english_answers=True)
    _, answer = _ask(pipeline, "How many academicians does Guangming have?", search)
    assert answer.text.split("\n")[1] == ("Another document says: by the end of 2024 Guangming had 57 academicians[2]. "
                                          "It also had 2,800 high-level talents[2].")


def test_a_sentence_rendered_in_english_for_one_turn_is_not_rendered_again_for_the_next() -> None:
    rendering = "Another document says: by the end of 2024 Guangming had 57 academicians and 2,800 high-level talents."
    generator = _english_replies(rendering)
    search = Search([_passage("000", ACADEMICIANS_000), _passage("001", ACADEMICIANS_001)])
    pipeline = AnswerPipeline(generator, similarity=_no_similarity, context_tokens=500,
                              max_answer_tokens=200, temperature=0.0, english_answers=True)
    answers = [_ask(pipeline, "How many academicians does Guangming have?", search)[1] for _ in range(2)]
    assert answers[0].text == answers[1].text and rendering.rstrip(".") + "[2]." in answers[1].text
    renderings = [i for i, c in enumerate(generator.calls) if "Translate this sentence from a Chinese document" in c[-1]["content"]]
    assert len(renderings) == 1 and generator.latin_only[renderings[0]]  # rendered without Chinese characters
    assert not generator.latin_only[-1]  # the answer may keep a name as the documents write it


def test_an_answer_is_shown_in_the_script_of_the_question() -> None:
    traditional = _passage("t", "光明科技金融大廈建築面積12.9萬平方米。")
    generator = ScriptedGenerator.answering("光明科技金融大廈建築面積12.9萬平方米[1]。")
    deltas, answer = _ask(_pipeline(generator), "光明科技金融大厦的建筑面积是多少?", Search([traditional]))
    assert "12.9万平方米" in answer.text and "萬" not in answer.text and "萬" not in "".join(deltas)
    assert answer.citations[0].supported
    _, answer = _ask(_pipeline(generator), "光明科技金融大廈的建築面積是多少?", Search([traditional]))
    assert "12.9萬平方米" in answer.text


def test_an_english_question_is_rendered_in_chinese_once_for_its_follow_ups() -> None:
    generator = ScriptedGenerator.answering("", translated="合成生物产业基金的规模是多少?")
    pipeline = _pipeline(generator)
    assert pipeline.in_chinese("How large is the synthetic biology fund?") == "合成生物产业基金的规模是多少?"
    assert pipeline.in_chinese("How large is the synthetic biology fund?") == "合成生物产业基金的规模是多少?"
    assert sum(is_translate_request(c) for c in generator.calls) == 1


def test_an_answer_written_instead_of_a_rendering_is_not_searched() -> None:
    # asked to translate, the model answered with a name: searching 光明区 finds sentences about anything
    generator = ScriptedGenerator.answering("", translated="光明区")
    assert _pipeline(generator).in_chinese("Where is the Guangming Science City located?") == \
        "Where is the Guangming Science City located?"
    short = ScriptedGenerator.answering("", translated="光明区有多少位院士？")  # a terse rendering is one
    assert _pipeline(short).in_chinese("According to the reports, what is the total number of academicians?") == \
        "光明区有多少位院士？"


def test_warming_up_reads_the_start_of_every_prompt_later_sent() -> None:
    answering = WarmableGenerator.answering("光明区现有全职院士59名[1]。")
    rewriting = WarmableGenerator.answering("", condensed="光明区的高层次人才有多少?", translated="光明区有多少院士?")
    pipeline = AnswerPipeline(answering, similarity=_no_similarity, context_tokens=500, max_answer_tokens=200,
                              temperature=0.0, rewriter=rewriting)
    pipeline.warm_up()
    assert answering.calls == [] and rewriting.calls == []  # nothing generated, only read
    search = Search([_passage("a", ACADEMICIANS_000)])
    _ask(pipeline, "How many academicians does Guangming have?", search)
    _ask(pipeline, "最后通过了几家?", search, history=[{"role": "user", "content": "光明区有多少院士?"},
                                                {"role": "assistant", "content": "59名。"}])
    # the Chinese system prompt was warmed last (it stays in the cache) and opens every Chinese answer
    assert answering.warmed[-1][0] == [c for c in answering.calls if c[0]["role"] == "system"][-1][0]
    assert {m[0]["content"] for m in answering.warmed} == {c[0]["content"] for c in answering.calls}
    for request in rewriting.calls:  # each rewriting request starts with the text of one warmed prompt
        sent = request[0]["content"]
        assert any(len(common := _common_prefix(sent, w[0]["content"])) > len(sent) // 3 and common
                   for w in rewriting.warmed), sent
    assert any(is_condense_request(c) for c in rewriting.calls) and any(is_translate_request(c) for c in rewriting.calls)


def _common_prefix(a: str, b: str) -> str:
    n = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    return a[:n]


def test_a_generator_without_a_model_is_not_warmed() -> None:
    generator = ScriptedGenerator.answering("光明区现有全职院士59名[1]。")
    _pipeline(generator).warm_up()  # nothing to load: no call, no error
    assert generator.calls == []


def _renderer(renderings: dict[str, str], answer: str = "") -> ScriptedGenerator:
    """Renders each English question of ``renderings`` as given; answers anything else with ``answer``."""
    def reply(messages: list[ChatMessage]) -> str:
        if is_translate_request(messages):
            return next(zh for en, zh in renderings.items() if messages[0]["content"].rstrip().endswith(f"{en}\n中文："))
        return answer
    return ScriptedGenerator(reply)


def test_an_english_follow_up_is_rendered_on_its_own_and_resolved_against_the_rendering_before_it() -> None:
    # rendered whole, "q (earlier q)?" came out as two questions run together, or as the earlier one alone
    generator = _renderer({"How many academicians does Guangming have?": "光明区有多少位院士?",
                           "What is the doctoral talent count there?": "那里的博士人才有多少?"},
                          "Guangming has more than 5000 doctoral talents [1].")
    pipeline, search = _pipeline(generator), Search([_passage("a", "光明区共有院士59人、博士人才超5000人。")])
    _ask(pipeline, "How many academicians does Guangming have?", search)
    history: list[ChatMessage] = [{"role": "user", "content": "How many academicians does Guangming have?"},
                                  {"role": "assistant", "content": "59 [1]."}]
    _, answer = _ask(pipeline, "What is the doctoral talent count there?", search, history=history)
    assert answer.standalone_question == "What is the doctoral talent count there (How many academicians does Guangming have)?"
    assert search.queries[-1] == "光明区的博士人才有多少?"  # 那里 → the earlier question's topic, by rule


def test_an_english_follow_up_no_rule_resolves_is_rendered_part_by_part_without_condensing() -> None:
    # "And the AI cluster?" after a "how big" question: which words it replaces needs the Chinese rules
    generator = _renderer({"How big did Nanhu's three key clusters get in 2024?": "2024年南湖三大重点产业集群总规模是多少?",
                           "And the AI cluster?": "那人工智能集群呢?"})
    pipeline = _pipeline(generator, condense=False)
    search = Search([_passage("a", "2024年南湖三大重点产业集群总规模突破4000亿元,人工智能集群总规模突破200亿元。")])
    history: list[ChatMessage] = [{"role": "user", "content": "How big did Nanhu's three key clusters get in 2024?"},
                                  {"role": "assistant", "content": "4000亿元[1]。"}]
    _, answer = _ask(pipeline, "And the AI cluster?", search, history=history)
    assert answer.standalone_question == "And the AI cluster (How big did Nanhu's three key clusters get in 2024)?"
    assert search.queries[-1] == "人工智能集群总规模是多少?"


def test_an_english_pronoun_after_a_which_question_is_searched_as_the_name_the_answer_gave() -> None:
    generator = _renderer({"Which online platform does Nanhu want to build up?": "南湖想打造哪个在线平台?",
                           "How many investment firms are registered on it?": "有多少家投资机构注册在它上面?"})
    pipeline, search = _pipeline(generator), Search([_passage("a", "南湖创投网在线服务平台注册机构超2000家。")])
    history: list[ChatMessage] = [{"role": "user", "content": "Which online platform does Nanhu want to build up?"},
                                  {"role": "assistant", "content": "进一步加强南湖创投网在线服务平台建设[1]。"}]
    _ask(pipeline, "How many investment firms are registered on it?", search, history=history)
    assert search.queries[-1] == "有多少家投资机构注册在南湖创投网在线服务平台上面?"



def test_an_english_follow_up_whose_rendering_dropped_its_pronoun_is_searched_with_the_question_before() -> None:
    generator = _renderer({"What incubation model did the Nanhu innovation center pioneer?": "南湖创新中心首创了什么孵化模式?",
                           "How many companies have made it through its selection rounds?": "有多少家公司通过了筛选环节?"})
    pipeline, search = _pipeline(generator), Search([_passage("a", "南湖创新中心首创楼上楼下模式,通过遴选企业163家。")])
    history: list[ChatMessage] = [
        {"role": "user", "content": "What incubation model did the Nanhu innovation center pioneer?"},
        {"role": "assistant", "content": "楼上楼下模式[1]。"}]
    _ask(pipeline, "How many companies have made it through its selection rounds?", search, history=history)
    assert search.queries[-1] == "南湖创新中心首创了什么孵化模式? 有多少家公司通过了筛选环节?"


def test_a_follow_ups_demonstrative_is_resolved_with_the_name_the_previous_answer_gave() -> None:
    generator = ScriptedGenerator.answering("去年受理业务1.2万件[1]。", condensed="不该被调用")
    search = Search([_passage("a", "南湖知识产权公共服务中心去年受理业务1.2万件。")])
    asked = {"role": "user", "content": "知识产权服务方面建了个什么?"}
    named: list[ChatMessage] = [asked, {"role": "assistant", "content": "建成南湖首个知识产权公共服务中心[1]。"}]
    _, answer = _ask(_pipeline(generator), "这个中心去年受理了多少件业务?", search, history=named)
    assert answer.standalone_question == "知识产权公共服务中心去年受理了多少件业务?"
    refused: list[ChatMessage] = [asked, {"role": "assistant", "content": "根据现有文档，无法回答该问题。"}]
    _, answer = _ask(_pipeline(generator), "这个中心去年受理了多少件业务?", search, history=refused)
    assert "知识产权公共服务中心" not in answer.standalone_question  # a refusal names nothing


def _close(question: str, sentences: Sequence[str]) -> list[float]:  # an English sentence is supported by meaning
    return [0.95] * len(sentences)


def test_an_english_answer_shows_the_chinese_names_of_what_it_cites_once_and_not_those_the_question_gave() -> None:
    agreement = "南湖区与松山湖科学城签订全面战略合作协议。"
    generator = ScriptedGenerator.answering(
        "Nanhu signed a comprehensive strategic cooperation agreement with Shengshan Lake Science City[1]. "
        "It was a comprehensive strategic cooperation agreement[1].",
        translated="南湖区与哪个科学城签订了全面战略合作协议?")
    pipeline = AnswerPipeline(generator, similarity=_close, context_tokens=500, max_answer_tokens=200,
                              temperature=0.0, english_answers=True)
    _, answer = _ask(pipeline, "Which science city did Nanhu sign an agreement with?", Search([_passage("a", agreement)]))
    assert answer.text.startswith("Nanhu signed a comprehensive strategic cooperation agreement with Shengshan Lake "
                                  "Science City (松山湖科学城)[1].")
    assert answer.text.count("松山湖科学城") == 1 and "南湖" not in answer.text
    written = ScriptedGenerator.answering("Nanhu signed a comprehensive strategic cooperation agreement with the "
                                          "松山湖科学城[1].", translated="南湖区与哪个科学城签订了全面战略合作协议?")
    pipeline = AnswerPipeline(written, similarity=_close, context_tokens=500, max_answer_tokens=200,
                              temperature=0.0, english_answers=True)
    _, answer = _ask(pipeline, "Which science city did Nanhu sign an agreement with?", Search([_passage("a", agreement)]))
    assert answer.text.startswith("Nanhu") and answer.text.count("松山湖科学城") == 1  # written: not shown again


def test_an_english_answer_to_a_question_for_a_figure_shows_no_names() -> None:
    agreement = "南湖区与松山湖科学城签订了3项合作协议。"
    generator = ScriptedGenerator.answering("Nanhu signed 3 agreements with Songshan Lake Science City[1].",
                                            translated="南湖区签订了多少项合作协议?")
    pipeline = AnswerPipeline(generator, similarity=_close, context_tokens=500, max_answer_tokens=200,
                              temperature=0.0, english_answers=True)
    _, answer = _ask(pipeline, "How many agreements did Nanhu sign?", Search([_passage("a", agreement)]))
    assert answer.text == "Nanhu signed 3 agreements with Songshan Lake Science City[1]."


GUOREN = "光明区推动国任保险等在辖区设立分支机构。"


@pytest.mark.parametrize(("rendering", "english"), [
    ("Guangming brought Guoren Insurance and others to set up branches in the district.", True),
    ("Guangming brought China Everbright Insurance and others to set up branches in the district.", False),
])
def test_a_name_the_user_wrote_in_pinyin_is_given_to_the_renderer_and_must_come_back(
        rendering: str, english: bool) -> None:
    prompts: list[str] = []

    def reply(messages: list[ChatMessage]) -> str:
        content = messages[-1]["content"]
        if is_translate_request(messages):
            return "国任保险在光明区做了什么?"
        if "Translate this sentence from a Chinese document into English" in content:
            prompts.append(content)
            return rendering
        return ""  # no answer of its own: the chosen sentence is shown, rendered in English

    pipeline = AnswerPipeline(ScriptedGenerator(reply), similarity=lambda q, texts: [0.95] * len(texts),
                              context_tokens=500, max_answer_tokens=200, temperature=0.0, english_answers=True,
                              romanised=lambda q: [("Guoren", "国任", 0.01)] if "Guoren" in q else [])
    _, answer = _ask(pipeline, "What did Guangming do with Guoren Insurance?", Search([_passage("a", GUOREN)]))
    assert prompts and "推动Guoren保险等" in prompts[0]  # the user's letters for the documents' 国任
    assert answer.text == (f"{rendering[:-1]}[1]." if english else f"{GUOREN[:-1]}[1]。")


def test_a_question_opening_with_a_clause_is_rendered_again_with_the_clause_after_it() -> None:
    def reply(messages: list[ChatMessage]) -> str:  # the bundled model gave such a question back in English
        if not is_translate_request(messages):
            return ""
        if "英文：How many times as many PhDs does Guangming have now, Compared with three years earlier?" \
                in messages[0]["content"]:
            return "光明区现在的博士人才是三年前的多少倍?"
        return "compared with three years earlier, how many times as many PhDs does Guangming have now?"
    generator = ScriptedGenerator(reply)
    assert _pipeline(generator).in_chinese(
        "Compared with three years earlier, how many times as many PhDs does Guangming have now?") == \
        "光明区现在的博士人才是三年前的多少倍?"
    assert sum(is_translate_request(c) for c in generator.calls) == 2
    # a question with no clause before it is not asked again
    echo = ScriptedGenerator(lambda messages: "how many PhDs?" if is_translate_request(messages) else "")
    assert _pipeline(echo).in_chinese("How many PhDs does Guangming have now?") == "How many PhDs does Guangming have now?"
    assert sum(is_translate_request(c) for c in echo.calls) == 2  # the second: told to keep the question


def test_a_rendering_that_asks_nothing_is_rendered_again_told_to_keep_the_question() -> None:
    def reply(messages: list[ChatMessage]) -> str:
        if not is_translate_request(messages):
            return ""
        told = "译文必须是问句" in messages[0]["content"]  # a statement first, then the question when told to keep it
        return "光明区与哪家银行合作设立了基金?" if told else "光明团队与深圳合作设立了基金。"
    generator = ScriptedGenerator(reply)
    assert _pipeline(generator).in_chinese("Which bank did Guangming team up with to set up the fund?") == \
        "光明区与哪家银行合作设立了基金?"
    assert sum(is_translate_request(c) for c in generator.calls) == 2
    # a question that asks nothing of its own (Name …) is rendered once whatever it becomes
    statement = ScriptedGenerator(lambda messages: "光明区推出了一些保险产品。" if is_translate_request(messages) else "")
    assert _pipeline(statement).in_chinese("Guangming rolled out some insurance products, right?") == "光明区推出了一些保险产品。"
    assert sum(is_translate_request(c) for c in statement.calls) == 1
    # a second rendering that leaves a word in English is not a better one
    def half(messages: list[ChatMessage]) -> str:
        return "光明区获得了多少 recognition?" if "译文必须是问句" in messages[0]["content"] else "光明区获得的认可。"
    assert _pipeline(ScriptedGenerator(half)).in_chinese("What recognition did Guangming receive?") == "光明区获得的认可。"
