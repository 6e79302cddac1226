"""Follow-up questions rewritten by rule: the common elliptical forms, and the ones left to the model."""

from __future__ import annotations

import pytest

from rag.generation.followup import depends_on_history, resolve


@pytest.mark.parametrize("previous, question, standalone", [
    (["光明区现在有多少院士?"], "那高层次人才呢?", "光明区现在有多少高层次人才?"),
    (["光明区一共有多少家合成生物企业?"], "那脑科学企业呢?", "光明区一共有多少家脑科学企业?"),
    (["2024年光明区拿了几个国家级科技进步奖?"], "省级的呢?", "2024年光明区拿了几个省级科技进步奖?"),
    # the noun asked about runs past the two focus words (省级+科技 of 省级科技进步奖): all of it is replaced
    (["2024年光明区拿了几个国家级科技进步奖?", "省级的呢?"], "国家级技术发明奖呢?", "2024年光明区拿了几个国家级技术发明奖?"),
    (["2023年光明区全社会研发投入是多少?"], "那2024年呢?", "2024年光明区全社会研发投入是多少?"),
    (["光明區現在高層次人才有多少?"], "那博士人才數量呢?", "光明區現在博士人才數量有多少?"),  # asked about before 多少
    (["深圳市合成生物产业基金的规模是多少?"], "智能传感器产业基金的规模呢?", "智能传感器产业基金的规模是多少?"),
    (["光明科技金融大廈是哪一年投用的?"], "它一共有幾層?", "光明科技金融大廈一共有幾層?"),
    (["光明科技金融大厦有多少层?"], "它的建筑面积呢?", "光明科技金融大厦的建筑面积是多少?"),
    # a predicate without its subject: the previous question's subject, with what it counted
    (["光明区科研院所的人才有多少?"], "是三年前的几倍?", "光明区科研院所的人才是三年前的几倍?"),
    (["光明區有多少名院士?"], "是三年前的幾倍?", "光明區的院士是三年前的幾倍?"),
    (["How many academicians does Guangming have?"], "And how many high-level talents?",
     "How many high-level talents does Guangming have?"),
    (["How many national high-tech enterprises did Guangming have in 2023?"], "And in 2024?",
     "How many national high-tech enterprises did Guangming have in 2024?"),
])
def test_common_elliptical_follow_ups_are_rewritten_by_rule(previous: list[str], question: str, standalone: str) -> None:
    assert depends_on_history(question)
    assert resolve(question, previous) == standalone


@pytest.mark.parametrize("previous, question", [
    (["How big was Guangming's AI industry cluster in 2024?"], "What about the three key clusters?"),
    (["深圳市合成生物产业基金规模多大?"], "是否已经设立?"),
    # a Chinese follow-up of an English question: no Chinese words of it to fill the ellipsis with
    (["What is Guangming's synthetic biology cluster worth?"], "它的建筑面积呢?"),
    (["光明区有多少院士?"], "And what about its high-level talents?"),
])
def test_follow_ups_no_rule_can_rewrite_are_left_to_the_model(previous: list[str], question: str) -> None:
    assert resolve(question, previous) is None


def test_a_question_that_stands_alone_is_kept_as_it_is() -> None:
    assert resolve("光明科学城论坛已经举办了几届?", ["光明区有多少院士?"]) == "光明科学城论坛已经举办了几届?"
    assert resolve("光明区有多少院士?", []) == "光明区有多少院士?"
