"""Citation markers, the support rule, verify() and refusal detection, on hand-made passages."""

from __future__ import annotations

import pytest

from rag.generation.cite import (
    Span,
    check,
    find_markers,
    grounded,
    is_refusal,
    parse_markers,
    split_clauses,
    split_sentences,
    supports,
    verify,
)
from rag.generation.facts import chinese_names, numbers
from rag.text import normalise
from rag.types import Passage

# Three small "documents"; passages are slices of them, as the retriever returns them.
DOC_ZH = (
    "新区概况\n"
    "截至去年底，东湖新区共有院士12人、高层次人才超1500人。"
    "东湖新区引导基金荣获“年度最佳引导基金”称号。"
    "区内建成3座大科学装置，由张明远团队负责运营。"
)
DOC_HANT = "背景\n東湖科技金融大廈共36層，總建築面積8.5萬平方米，集聚金融機構15家。"
DOC_EN = "Overview\nThe Lakeside Science Park hosts 42 laboratories. In 2023 it attracted 1.2 billion yuan of funding."


def passage(doc_id: str, doc: str, first: str, *, until: str | None = None) -> Passage:
    start = doc.index(first)
    end = doc.index(until, start) if until else len(doc)
    return Passage(f"{doc_id}#0", doc_id, doc_id.upper(), f"{doc_id}.txt", doc[start:end], start, end, 0.5)


P_ZH = passage("zh", DOC_ZH, "截至")
P_HANT = passage("hant", DOC_HANT, "東湖")
P_EN = passage("en", DOC_EN, "The Lakeside")
DOCS = {"zh": DOC_ZH, "hant": DOC_HANT, "en": DOC_EN}


# ------------------------------------------------------------------ markers
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("院士12人[1]。", [1]),
        ("见[1,2]与[2，3]", [1, 2, 3]),
        ("甲[1][3]乙【2】", [1, 3, 2]),
        ("范围[1-3]", [1, 2, 3]),
        ("全角［4］和顿号[5、6]", [4, 5, 6]),
        ("年份[2023]不是标记, 文本[x]也不是", []),
    ],
)
def test_parse_markers(text: str, expected: list[int]) -> None:
    assert parse_markers(text) == expected


def test_find_markers_reports_offsets() -> None:
    markers = find_markers("甲[1,2]乙【3】")
    assert [(m.start, m.end, m.numbers) for m in markers] == [(1, 6, (1, 2)), (7, 10, (3,))]


# ------------------------------------------------------------------ sentences
def test_split_sentences_keeps_trailing_markers_and_decimals() -> None:
    text = "院士12人。[1] 增长5.9倍！Funding was 1.2 billion. Done?\n下一行"
    assert split_sentences(text) == [
        Span("院士12人。[1]", 0, 9),
        Span("增长5.9倍！", 10, 17),
        Span("Funding was 1.2 billion.", 17, 41),
        Span("Done?", 42, 47),
        Span("下一行", 48, 51),
    ]


def test_split_clauses_keeps_thousands_separators() -> None:
    assert [c.text for c in split_clauses("近日,共有1,200人,增长5%。")] == ["近日", "共有1,200人", "增长5%。"]


# ------------------------------------------------------------------ numbers
@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("规模15亿元", [1.5e9]),
        ("1.5 billion yuan", [1.5e9]),
        ("十五个项目和两届论坛", [15.0, 2.0]),
        ("百分之六十八", [68.0]),
        ("一城三区，一批企业", []),  # a lone 一 and 三 without a measure word are word parts
        ("12.9万平方米", [129000.0]),
        ("共1,200人", [1200.0]),
        ("总结出四套做法", [4.0]),  # a measure word makes a lone numeral a count
        ("占全市四分之一", [25.0]),  # a fraction is a share
        ("产值占比突破六成", [60.0]),  # 成 is a tenth: 六成 is 60%
        ("入选全国工业百强区", [100.0]),  # the top 100
        ("ranked second, third and seventh", [2.0, 3.0, 7.0]),
        ("千方百计、富强", []),
        ("新获省部级科研项目超百项,近千家企业落户", [100.0, 1000.0]),  # a round figure after 超, 近
        ("数百家企业", []),  # some hundreds: no figure
    ],
)
def test_numbers_by_value(text: str, values: list[float]) -> None:
    assert [n.value for n in numbers(normalise(text))] == values


# ------------------------------------------------------------------ support rule
def test_sentence_with_the_passage_figures_is_supported() -> None:
    assert supports("东湖新区共有院士12人", P_ZH.text)


def test_sentence_whose_number_is_not_in_the_passage_is_unsupported() -> None:
    result = check("东湖新区共有院士13人", P_ZH.text)
    assert (result.supported, result.missing) == (False, ("13",))


def test_chinese_numeral_matches_arabic_digits() -> None:
    assert supports("东湖新区共有院士十二人", P_ZH.text)
    assert supports("区内建成三座大科学装置", P_ZH.text)


def test_traditional_passage_supports_simplified_sentence() -> None:
    assert supports("东湖科技金融大厦共36层，集聚金融机构15家", P_HANT.text)
    assert not supports("东湖科技金融大厦共38层", P_HANT.text)


def test_person_name_missing_from_passage_is_unsupported() -> None:
    assert supports("大科学装置由张明远团队负责运营", P_ZH.text)
    result = check("大科学装置由李建国团队负责运营", P_ZH.text)
    assert result.missing == ("李建国",)


def test_quoted_term_must_appear() -> None:
    assert supports("引导基金荣获“年度最佳引导基金”称号", P_ZH.text)
    result = check("引导基金荣获“全国十佳基金”称号", P_ZH.text)
    assert result.supported is False
    assert result.missing[0] == "全国十佳基金"


def test_english_sentence_over_chinese_passage_checks_the_figures() -> None:
    assert supports("Donghu has 12 academicians.", P_ZH.text)
    assert not supports("Donghu has 21 academicians.", P_ZH.text)


def test_an_english_ordinal_is_checked_as_its_figure_not_as_a_name() -> None:
    passage = "东湖科学城连续3年入选全国科技城百强榜,排名从第24名跃升到第7名。"
    assert supports("It rose from 24th to 7th place among the top 100 science cities.", passage)
    assert not supports("It rose from 24th to 5th place among the top 100 science cities.", passage)


def test_multiplier_forms_match_across_languages() -> None:
    assert supports("引进资金12亿元", P_EN.text)


def test_figures_taken_from_the_question_are_not_required() -> None:
    claim = "2024年东湖新区共有院士12人"
    assert not supports(claim, P_ZH.text)
    assert supports(claim, P_ZH.text, question="2024年东湖新区有多少院士?")


def test_sentence_without_facts_needs_shared_content_words() -> None:
    assert supports("东湖新区建成了大科学装置", P_ZH.text)
    assert not supports("天气晴朗适合出游", P_ZH.text)


# ------------------------------------------------------------------ verify
def test_verify_keeps_supported_citations_with_exact_quotes() -> None:
    text, citations = verify("东湖新区共有院士12人[1]。东湖科技金融大厦共36层[2]。", [P_ZH, P_HANT])
    assert text == "东湖新区共有院士12人[1]。东湖科技金融大厦共36层[2]。"
    assert [(c.n, c.supported) for c in citations] == [(1, True), (2, True)]
    assert citations[0].quote == "截至去年底，东湖新区共有院士12人、高层次人才超1500人。"
    assert citations[1].quote == "東湖科技金融大廈共36層，總建築面積8.5萬平方米，集聚金融機構15家。"
    for c in citations:
        assert DOCS[c.doc_id][c.start : c.end] == c.quote


def test_verify_drops_out_of_range_markers() -> None:
    text, citations = verify("东湖新区共有院士12人[1][7]。另有说明[9]。", [P_ZH])
    assert text == "东湖新区共有院士12人[1]。另有说明。"
    assert [c.n for c in citations] == [1]


def test_verify_flags_unsupported_and_removes_its_marker() -> None:
    text, citations = verify("东湖新区共有院士13人 [1]。", [P_ZH])
    assert text == "东湖新区共有院士13人。"
    assert [(c.n, c.supported) for c in citations] == [(1, False)]
    assert DOC_ZH[citations[0].start : citations[0].end] == citations[0].quote


def test_verify_checks_each_claim_against_its_own_marker() -> None:
    answer = "院士12人[1]，大厦共36层[2]，大厦共99层[2]。"
    text, citations = verify(answer, [P_ZH, P_HANT])
    assert text == "院士12人[1]，大厦共36层[2]，大厦共99层。"
    assert [(c.n, c.supported) for c in citations] == [(1, True), (2, True), (2, False)]


def test_verify_lets_a_marker_group_share_out_the_facts() -> None:
    text, citations = verify("院士12人，大厦共36层[1,2]。", [P_ZH, P_HANT])
    assert text == "院士12人，大厦共36层[1,2]。"
    assert [(c.n, c.supported) for c in citations] == [(1, True), (2, True)]


def test_verify_quote_of_a_long_sentence_is_the_supporting_clause() -> None:
    long_doc = "总体情况：" + "，".join(f"第{i}项工作顺利推进" for i in range(1, 8)) + "，全年引进企业48家，其余工作稳步开展。"
    p = passage("long", long_doc, "总体")
    _, citations = verify("全年引进企业48家[1]。", [p])
    assert citations[0].quote == "全年引进企业48家"
    assert long_doc[citations[0].start : citations[0].end] == "全年引进企业48家"


def test_verify_english_answer_uses_similarity_only_without_facts() -> None:
    def always_close(query: str, texts: list[str]) -> list[float]:
        return [0.9 for _ in texts]

    answer = "The park is a hub for research [1]."
    assert verify(answer, [P_ZH])[0] == "The park is a hub for research."
    assert verify(answer, [P_ZH], similarity=always_close)[0] == answer


# ------------------------------------------------------------------ refusals
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("根据现有文档，无法回答该问题。", True),
        ("資料中沒有提及相關內容。", True),
        ("The documents do not contain the answer to this question.", True),
        ("I cannot answer this from the passages.", True),
        ("东湖新区共有院士12人[1]。", False),
        ("文档未提及2024年的数据，但2023年为12人[1]。", False),
        ("The park hosts 42 laboratories.", False),
    ],
)
def test_is_refusal(text: str, expected: bool) -> None:
    assert is_refusal(text) is expected


def test_a_fact_cited_to_the_wrong_passage_is_moved_to_the_one_that_holds_it():
    text, citations = verify("东湖科技金融大厦共36层[1]。", [P_ZH, P_HANT])
    assert text == "东湖科技金融大厦共36层[2]。"
    assert [(c.n, c.doc_id, c.supported) for c in citations] == [(2, "hant", True)]
    assert DOCS["hant"][citations[0].start:citations[0].end] == citations[0].quote


def test_a_fact_no_passage_holds_is_still_flagged_not_moved():
    text, citations = verify("东湖科技金融大厦共99层[1]。", [P_ZH, P_HANT])
    assert text == "东湖科技金融大厦共99层。"
    assert [(c.n, c.supported) for c in citations] == [(1, False)]


def test_grounded_needs_one_sentence_some_passage_supports():
    assert grounded("东湖新区共有院士12人。", [P_HANT, P_ZH])
    assert not grounded("东湖新区共有院士99人。另有中小学10所。", [P_HANT, P_ZH])


def test_chinese_names_are_given_as_written_with_side_by_side_proper_nouns_read_as_one() -> None:
    assert chinese_names("与松山湖科学城签订全面战略合作协议") == ["松山湖科学城"]
    assert chinese_names("打造“才享光明”人才综合服务平台") == ["才享光明"]
    assert "彭旗宇" in chinese_names("深圳灣實驗室彭旗宇團隊研發世界首臺穿戴移動式小鼠PET")  # the script kept
    assert chinese_names("推动“AI+公共服务”,建设区级智算中心") == []  # a quoted term with Latin letters is readable already


def test_an_organisations_name_is_read_whole_though_jieba_cuts_it_into_common_words() -> None:
    # 昇 + 腾 + 算 + 力…: no proper noun of its own; the name ends in its kind, after the verb that governs it
    text = "支持南湖实验室与华为共建大湾区昇腾算力应用创新研究院,成功部署研究院自研的算法平台"
    assert "大湾区昇腾算力应用创新研究院" in chinese_names(text)
    assert not any(n in ("大湾", "成功部署研究院") for n in chinese_names(text))  # its part, a verb's object
    assert chinese_names("加快建设世界一流研究型大学") == []  # a kind of university, no name
