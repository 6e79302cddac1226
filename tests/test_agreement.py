"""An answer that misstates its evidence while every figure it writes is in the passage."""

from __future__ import annotations

import pytest

from rag.generation.agreement import disagreement

SELECTION = "创新中心已组织16批次共450家企业遴选,通过遴选企业163家,孵化出一批标杆企业。"
TALENTS = "截至目前,光明区共有院士59人、高层次人才超3000人、科研院所人才近8000人。"
CONFERENCE = "30多个国家和地区的1200多家专业机构和组织代表出席,现场达成引人引智合作意向695项。"
GROWTH = "科技服务业、软信服务业企业数量分别增长75%、80%,人力资源服务业营收增长104%。"
FUND = "深圳设立规模50亿元的产业基金。"
PROJECTS = "2023年,南湖引进一批大院大所,滚动推进项目达到19个。"
PLATFORMS = "南湖打造一批概念验证中心、检验检测平台、中小试基地和科技孵化器,构建全过程创新生态链。"


@pytest.mark.parametrize("answer, evidence, question, fault", [
    ("30个国家和地区参加[1]。", CONFERENCE, "有多少个国家和地区参加?", "dropped the qualifier of 30"),
    ("光明区有高层次人才3000人[1]。", TALENTS, "光明区有多少高层次人才?", "dropped the qualifier of 3000"),
    ("There are 8,000 research talents [1].", TALENTS, "How many research talents?", "dropped the qualifier of 8,000"),
    ("软信服务业企业数量增长了75%[1]。", GROWTH, "软信服务业企业数量涨了百分之几?",
     "paired 75% with the wrong item of a list"),
    ("科技服务业企业数量增长80%[1]。", GROWTH, "科技服务业企业数量增长了多少?", "paired 80% with the wrong item of a list"),
    ("软信服务业企业数量去年涨了104%[1]。", GROWTH, "软信服务业企业数量去年涨了百分之几?",
     "gave 104%, not the 80% a list gives the item asked about"),
    (" 59 [1] 57 [3] 57", TALENTS, "How many academicians are there?", "figures without words"),
    # the question's frame (每家每年) taken for the sentence's rate (每月)
    ("入驻的企业每家每年最多能拿到45元每平方米的租金补贴[1]。", "入驻的企业每月可获得45元每平方米的租金补贴。",
     "那租金补贴呢?", "states a rate (每家) the evidence does not"),
    ("孵化器增加了1,200家[1]。", "加速器、孵化器分别增加800家、1,200家。", "加速器增加了多少家?",  # 1,200 is one figure
     "paired 1,200 with the wrong item of a list"),
    # a follow-up answered with the previous turn's figure; a figure the model worked out itself
    ("博士人才超3000人[1]。", "博士人才超5000人。", "光明区的博士人才有多少?", "gave 3000, which no evidence sentence states"),
    ("两类企业数量共增长155%[1]。", GROWTH, "两类服务业企业数量一共增长多少?", "gave 155%, which no evidence sentence states"),
    # the figure written as its citation marker
    ("The fund is [1] billion yuan.", FUND, "How large is the fund?", "gave no figure where one is asked for"),
    ("产业基金已设立[1]。", FUND, "产业基金规模多大?", "gave no figure where one is asked for"),
    ("Shenzhen will build the Southern创投网 into its main platform [1].", "将南方创投网打造成为我市科技金融主流服务平台。",
     "Which online platform will Shenzhen build into its main platform?", "left a word half translated (Southern创)"),
    # a year of the passage given as the count
    ("There are 2023 such projects in the pipeline [1].", PROJECTS, "How many such projects are in the pipeline?",
     "gave the year 2023 as the count asked for"),
    # a second figure copied without its marker: an answer's figures are each cited
    ("高层次人才超3000人[1]。科研院所人才近8000人。", TALENTS, "光明区有多少人才?", "gave 8000 without citing it"),
    # another figure of the sentence taken for what the question counts
    ("创新中心组织了163家企业参加遴选[1]。", SELECTION, "创新中心组织了多少家企业参加遴选?",
     "gave 163家企业, which the evidence says of something else"),
    # items of a list left out (the first item runs on from the words before it)
    ("南湖打造了检验检测平台、中小试基地和科技孵化器[1]。", PLATFORMS, "南湖打造了哪些平台载体?",
     "left 南湖打造一批概念验证中心 out of a list"),
    # the last item runs on into what is said of them all: said of fewer of them
    ("南湖合成生物产业集群总估值突破430亿元[1]。", "合成生物、脑科学产业集群总估值突破430亿元。", "南湖合成生物产业集群总估值多少?",
     "left 脑科学 out of a list"),
])
def test_a_misstated_answer_is_caught(answer: str, evidence: str, question: str, fault: str) -> None:
    assert disagreement(answer, [evidence], question) == fault


@pytest.mark.parametrize("answer, evidence, question", [
    ("30多个国家和地区参加[1]。", CONFERENCE, "有多少个国家和地区参加?"),
    ("More than 30 countries and regions took part [1].", CONFERENCE, "How many countries took part?"),
    ("高层次人才超过3000人[1]。", TALENTS, "光明区有多少高层次人才?"),
    ("光明区共有院士59人[1]。", TALENTS, "光明区有多少院士?"),  # a figure written bare in the evidence
    ("南湖合成生物和脑科学产业集群总估值突破430亿元[1]。", "合成生物、脑科学产业集群总估值突破430亿元。",
     "南湖产业集群总估值多少?"),
    ("软信服务业企业数量增长80%[1]。", GROWTH, "软信服务业企业数量涨了百分之几?"),
    ("科技服务业企业数量增长75%[1]。", GROWTH, "科技服务业企业数量增长了多少?"),
    ("The fund is 5 billion yuan [1].", FUND, "How large is the fund?"),
    ("两类企业分别增长75%和80%[1]。", GROWTH, "服务业企业数量增长了多少?"),  # no item asked: not checked
    ("2024年光明区共有院士59人[1]。", TALENTS, "2024年光明区有多少院士?"),  # the year is the question's
    ("The fund is five billion yuan [1].", FUND, "How large is the fund?"),
    ("Songshan Lake's counterpart is the 松山湖科学城 [1].", "东莞松山湖科学城与光明科学城联动发展。", "Which science city?"),
    ("It signed an agreement with the松山湖科学城 [1].", "东莞松山湖科学城与光明科学城联动发展。", "Which science city?"),
    ("In 2023 there were 19 such projects [1].", PROJECTS, "How many such projects are in the pipeline?"),
    ("As of 2023, 19 projects were in the pipeline [1].", PROJECTS, "How many such projects are in the pipeline?"),
    ("南湖打造了概念验证中心、检验检测平台、中小试基地和科技孵化器[1]。", PLATFORMS, "南湖打造了哪些平台载体?"),
    ("高层次人才超3000人[1],科研院所人才近8000人[1]。", TALENTS, "光明区有多少人才?"),
    ("The number of high-level talents exceeds 3,000 [1].", TALENTS, "How many high-level talents?"),  # 超 as a verb
    ("入驻的企业每月可获得45元每平方米的租金补贴[1]。", "入驻的企业每月可获得45元每平方米的租金补贴。", "租金补贴是多少?"),
    ("创新中心组织了450家企业参加遴选[1]。", SELECTION, "创新中心组织了多少家企业参加遴选?"),
    ("通过遴选的企业有163家[1]。", SELECTION, "通过遴选的有多少家?"),
    ("不是163家企业,是450家企业[1]。", SELECTION, "是163家企业参加遴选吗?"),  # the user's own figure
])
def test_a_faithful_answer_passes(answer: str, evidence: str, question: str) -> None:
    assert disagreement(answer, [evidence], question) is None


def test_a_qualifier_is_required_only_when_every_statement_of_the_figure_has_one() -> None:
    other = "另一份报告称光明区高层次人才3000人。"
    assert disagreement("高层次人才3000人[1]。", [TALENTS, other], "高层次人才有多少?") is None


TIMES = "光明区共有院士59人、高层次人才超3000人、科研院所人才近8000人,数量分别为三年前的5.9倍、2.5倍、1.9倍。"


@pytest.mark.parametrize("answer, fault", [
    ("科研院所人才是三年前的1.9倍[1]。", None),
    ("科研院所人才是三年前的5.9倍[1]。", "paired 5.9 with the wrong item of a list"),
])
def test_a_list_may_name_its_items_in_the_clause_before_its_figures(answer: str, fault: str | None) -> None:
    assert disagreement(answer, [TIMES], "光明区科研院所的人才是三年前的几倍?") == fault


def test_an_answer_that_only_restates_the_question_disagrees() -> None:
    evidence = ["2023年,南湖区率先试点“合成生物”“脑科学”市区联动重点专项。"]
    question = "南湖区层面有没有搞类似的市区联动?"
    assert disagreement("是的，南湖区层面搞了类似的市区联动。[1]", evidence, question) is not None
    assert disagreement("是的，南湖区率先试点了合成生物、脑科学市区联动重点专项。[1]", evidence, question) is None
    assert disagreement("Yes, Nanhu piloted such projects. [1]", evidence, question) is None  # English: not judged


def test_a_qualifier_turned_the_other_way_is_a_misstatement() -> None:
    evidence = ["光明区科研院所人才近8000人、博士人才超5000人"]
    assert disagreement("Guangming has over 8000 researchers [1].", evidence, "How many researchers?") is not None
    assert disagreement("Guangming has nearly 8000 researchers and over 5000 doctors [1].", evidence,
                        "How many researchers?") is None


def test_a_figure_followed_by_a_word_that_starts_with_a_qualifiers_character_is_bare() -> None:
    dated = "南湖以科技赋能 日期:2024-01-31 來源:深圳特區報"  # 来 of 来源 is not 十来个's
    assert disagreement("The report is dated 2024-01-31 [1].", [dated], "When was it published?") is None


def test_an_answer_that_counts_the_questions_thing_instead_of_the_evidences_disagrees() -> None:
    evidence = ["南湖科学城规划布局的24个重大科技创新载体建设取得突破,在建和运营数达到20个。"]
    question = "南湖科学城规划了多少个重大科技基础设施?"
    assert disagreement("南湖科学城规划了24个重大科技基础设施[1]。", evidence, question) \
        == "called what the evidence counts 24个基础设施"
    assert disagreement("南湖科学城规划了24个重大科技创新载体[1]。", evidence, question) is None
    # a noun the sentence stating the figure has, even far from it, is the evidence's own
    assert disagreement("有20个载体在建和运营[1]。", evidence, "有多少个载体在建?") is None


def test_the_figure_of_another_clause_than_the_one_asked_about_disagrees() -> None:
    lists = "全区共158名学者入选全球2%顶尖科学家榜单,17人入选全球“高被引科学家”名单。"
    asked = "How many Nanhu researchers made the Highly Cited Researchers list?"
    rendering = "南湖有多少科学家入选高被引科学家名单?"
    assert disagreement("158 Nanhu researchers made the Highly Cited list [1].", [lists], asked, rendering=rendering) \
        == "gave 158, which the evidence gives in another clause than the one asked about"
    assert disagreement("17 Nanhu researchers made the Highly Cited list [1].", [lists], asked, rendering=rendering) is None
    assert disagreement("南湖有17人入选高被引科学家名单[1]。", [lists], rendering) is None
    assert disagreement("南湖有158人入选高被引科学家名单[1]。", [lists], rendering) is not None
    # a word of the question in each clause alone (南湖 in the first, 名单 in the second): no clause is the asked one
    both = "南湖共158名学者入选全球2%顶尖科学家榜单,17人入选全球“高被引科学家”名单。"
    assert disagreement("158 Nanhu researchers made the Highly Cited list [1].", [both], asked, rendering=rendering) is None


def test_the_figure_of_a_parallel_clause_when_the_asked_one_gives_none_disagrees() -> None:
    clusters = "人工智能产业集群规模突破200亿元,生物医药产业集群规模实现倍增。"
    asked = "光明区生物医药产业集群规模多大?"
    assert disagreement("生物医药产业集群规模实现倍增，即200亿元[1]。", [clusters], asked) \
        == "gave 200亿, which the evidence gives in another clause than the one asked about"
    assert disagreement("人工智能产业集群规模突破200亿元[1]。", [clusters], "人工智能产业集群规模多大?") is None
    # a clause that shares no word of the question is not a parallel statement: its figure may be the asked one's
    funded = "总投资50亿元,建设合成生物研究设施。"
    assert disagreement("合成生物研究设施总投资50亿元[1]。", [funded], "合成生物研究设施的规模多大?") is None
    # a clause sharing only a verb with the asked one (实施) is no parallel statement
    rules = "出台人才规划,实施“人才高地计划”,配套55项实施细则,强化顶层设计。"
    assert disagreement("The plan comes with 55 implementing rules [1].", [rules], "How many rules does the plan have?",
                        rendering="实施“人才高地计划”有多少项规则?") is None
