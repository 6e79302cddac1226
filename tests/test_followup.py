"""Follow-up questions rewritten by rule: the common elliptical forms, and the ones left to the model."""

from __future__ import annotations

import pytest

from rag.generation.followup import depends_on_history, resolve


@pytest.mark.parametrize("previous, question, standalone", [
    (["光明区现在有多少院士?"], "那高层次人才呢?", "光明区现在有多少高层次人才?"),
    # a demonstrative with a one-character noun, named in full by the previous question
    (["南湖想构建的全过程创新生态链,由哪几个环节组成?"], "为了这条链,南湖打造了哪些平台载体?",
     "为了南湖全过程创新生态链,南湖打造了哪些平台载体?"),
    # a question of its own framed as a follow-up keeps the year the conversation is about
    (["南湖区2024年要推动哪几只产业基金实质化运营?"], "种子基金呢,要做到什么程度?", "2024年种子基金要做到什么程度?"),
    (["2025年南湖想争取哪些产业基金落地?"], "那科技保险这块要试点什么险种?", "2025年科技保险这块要试点什么险种?"),
    (["初创型人才和团队能配到什么空间?"], "那给青年人才办的创业集会活动有啥?", "给青年人才办的创业集会活动有啥?"),
    # a named programme for a named programme
    (["南湖区党代会报告里的“创新能级提升行动”,具体要做些什么?"], "那“创新服务提效行动”呢?",
     "南湖区党代会报告里的“创新服务提效行动”,具体要做些什么?"),
    (["南湖区有多少位院士?"], "那里的博士人才有多少?", "南湖区的博士人才有多少?"),  # 那里: the place, not 那 + 里
    (["落户南湖的三只产业基金里,规模最大的是哪一只?"], "第二大的呢?", "落户南湖的三只产业基金里,规模第二大的是哪一只?"),
    (["从柏林回南湖创业的宋悠洋,觉得公司落地南湖有什么方便之处?"], "她说公司还能拿到哪些扶持?", "宋悠洋说公司还能拿到哪些扶持?"),
    # 会 that ends a name (大会) is not a modal verb; 同一年 is the year before; 那 only says it follows on
    (["2021年南湖区评价里,南湖高新区综合排第几?", "同一年南湖办的国际人才交流大会是第几届?"], "那届大会现场谈成了多少项合作意向?",
     "2021年南湖办的国际人才交流大会现场谈成了多少项合作意向?"),
    # a new thing with the old one's head (基金) replaces it, whatever the compound asked (基金规模)
    (["落户南湖的智能传感器产业基金规模是多少?"], "那合成生物产业基金呢?", "合成生物产业基金规模是多少?"),
    # the same asked of another thing, when the one before asks no count of a plain noun phrase
    (["2023年南湖的超算二期建到什么程度了?"], "那南湖醫學科學院呢?", "2023年南湖醫學科學院建到什么程度了?"),
    (["南湖引导基金拿过什么荣誉?"], "那种子基金呢?", "种子基金拿过什么荣誉?"),
    # another thing of the kind the question named (集群), not of what it measured (规模)
    (["2024年南湖智能终端等三大产业集群的总规模到多少了?"], "那生物医药产业集群呢?", "2024年生物医药产业集群的总规模到多少了?"),
    (["南湖引进了哪些大院大所?"], "那这类项目一共有几个?", "南湖引进的大院大所项目一共有几个?"),  # the kind listed
    # 那 only says it follows on, also before a question the subject of the one before completes
    (["南湖的院士数量是三年前的几倍?"], "那现在一共有多少位?", "南湖的院士数量现在一共有多少位?"),
    # the same head (目标) after what was counted: the target of another measure, not counted in 家
    (["南湖给脑科学产业定的2024年企业数量目标是多少家?"], "那估值目标呢?", "南湖给脑科学产业定的2024年估值目标是多少?"),
    # another plan with the same head (方案), named with its own demonstrative
    (["市科创委2021年印发的“五地”实施方案,提出了多少条举措?"], "那示范区建设的那个行动方案呢?",
     "市科创委2021年印发的示范区建设的行动方案,提出了多少条举措?"),
    (["南湖科技金融大厦是哪一年开始投入使用的?"], "那里面进驻了多少家金融机构?", "南湖科技金融大厦里面进驻了多少家金融机构?"),
    (["南湖科技金融大厦是哪一年开始投入使用的?", "那里面进驻了多少家金融机构?"], "这栋楼总共投资了多少钱?",
     "南湖科技金融大厦总共投资了多少钱?"),
    (["南湖区是哪一年出台全国第一个合成生物专项政策的?"], "这个政策一共投了多少钱?", "南湖区合成生物专项政策一共投了多少钱?"),
    (["2024年南湖区的人才有多少?"], "那院士有几位?", "2024年南湖区院士有几位?"),  # another count of the place
    (["How many functional islands does the facility have?", "How much was invested in building it?"],
     "And the brain analysis facility - how much did that one cost?", "How much did the brain analysis facility cost?"),
    (["How many high-level talents does Nanhu have now?", "And by what percentage did that grow?"],
     "What about research-institute talent?", "How many research-institute talent does Nanhu have now?"),
    # "that year" is the year the question before named (rendered alone, it came out as 今年, this year)
    (["How many landmark scientists did Nanhu bring in during 2024?"],
     "And how many national technology invention awards did the district win that year?",
     "How many national technology invention awards did the district win in 2024?"),
    (["How many landmark scientists did Nanhu bring in during 2024?"],
     "How many invention awards did the district win that year?", "How many invention awards did the district win in 2024?"),
    # a name first (Nanhu itself), then a question of its own about it
    (["How much intelligent computing capacity does Shenzhen have built?"],
     "And what about Nanhu itself — how much schedulable computing power is it aiming for?",
     "How much schedulable computing power is Nanhu aiming for?"),
    # a demonstrative's noun that only an earlier question names points at that question's topic
    (["南湖今年要组建的科创类母基金,投资体系覆盖哪几个阶段?", "那科技保险方面,支持保险机构试点哪些险种?"],
     "这个母基金规模定了多大?", "南湖科创类母基金规模定了多大?"),
    # a modal verb jieba joins to the subject (中心想) is not part of it
    (["国创中心想把成果转化从什么模式转成什么模式?"], "它是哪一年批下来的?", "国创中心是哪一年批下来的?"),
    # "that year" is the year the previous question named
    (["2023年南湖有哪些创新成果做到了全球领先?"], "當年創新聯合體發展到幾個?", "2023年創新聯合體發展到幾個?"),
    (["2023年南湖有哪些创新成果?"], "那当年它的产值呢?", "2023年南湖的产值呢?"),
    # the subject ends where its predicate starts, a verb with its complement (扩大到); a title is one name
    (["跟三年前比,南湖区高层次人才规模扩大到了原来的多少倍?"], "现在具体有多少人?", "南湖区高层次人才现在具体有多少人?"),
    (["《南湖以科技赋能》这篇报道是哪天发表的?"], "作者是谁?", "《南湖以科技赋能》这篇报道作者是谁?"),
    (["光明区一共有多少家合成生物企业?"], "那脑科学企业呢?", "光明区一共有多少家脑科学企业?"),
    (["2024年光明区拿了几个国家级科技进步奖?"], "省级的呢?", "2024年光明区拿了几个省级科技进步奖?"),
    # the noun asked about runs past the two focus words (省级+科技 of 省级科技进步奖): all of it is replaced
    (["2024年光明区拿了几个国家级科技进步奖?", "省级的呢?"], "国家级技术发明奖呢?", "2024年光明区拿了几个国家级技术发明奖?"),
    (["2023年光明区全社会研发投入是多少?"], "那2024年呢?", "2024年光明区全社会研发投入是多少?"),
    (["光明區現在高層次人才有多少?"], "那博士人才數量呢?", "光明區現在博士人才數量有多少?"),  # asked about before 多少
    (["深圳市合成生物产业基金的规模是多少?"], "智能传感器产业基金的规模呢?", "智能传感器产业基金的规模是多少?"),
    (["光明科技金融大廈是哪一年投用的?"], "它一共有幾層?", "光明科技金融大廈一共有幾層?"),
    # the subject ends where a time word or a time adverb starts what is said of it
    (["南湖区引导基金现在参与出资了几只子基金?"], "它有没有拿过什么奖?", "南湖区引导基金有没有拿过什么奖?"),
    # a date question takes no year from the question before it
    (["超算二期2023年的时候建到哪一步了?"], "那它什么时候能全面点亮?", "超算二期什么时候能全面点亮?"),
    # a demonstrative after the name of what it points at: the question names it itself
    (["那脑解析设施呢?哪年开建的?"], "合成生物那个设施现在投用了没?", "合成生物设施现在投用了没?"),
    (["南湖要深化拓展哪些青年人才项目?"], "2021年办的那届人才交流大会是第几届?", "2021年办的人才交流大会是第几届?"),
    (["光明科技金融大厦有多少层?"], "它的建筑面积呢?", "光明科技金融大厦的建筑面积是多少?"),
    # a measure alone is one of the same topic (not a thing to count in its place); the topic loses the old measure
    (["南湖科技大厦有多少层?"], "建筑面积呢?", "南湖科技大厦的建筑面积是多少?"),
    (["南湖区有多少院士?"], "规模呢?", "南湖区的院士的规模是多少?"),
    (["南湖科技大厦的建筑面积是多少?"], "总投资呢?", "南湖科技大厦的总投资是多少?"),
    (["南湖产业基金规模多大?"], "它投了哪些企业?", "南湖产业基金投了哪些企业?"),
    (["南湖引导基金本身的规模是多少?"], "它参与出资了多少只子基金?", "南湖引导基金参与出资了多少只子基金?"),
    (["南湖科技大厦总投资多少钱?"], "它一共有几层?", "南湖科技大厦一共有几层?"),
    # a predicate without its subject: the previous question's subject, with what it counted
    (["光明区科研院所的人才有多少?"], "是三年前的几倍?", "光明区科研院所的人才是三年前的几倍?"),
    (["光明區有多少名院士?"], "是三年前的幾倍?", "光明區的院士是三年前的幾倍?"),
    (["南湖區的院士團隊現在有幾個?"], "增幅是多少?", "南湖區的院士團隊增幅是多少?"),
    # which they are, after a count: the things counted last
    (["南湖区的“大院大所”项目有多少个?"], "都有哪些?", "南湖区的“大院大所”项目都有哪些?"),
    (["南湖科技金融大厦一共多少层? 里面聚了多少家金融机构?"], "具体有哪些?",
     "南湖科技金融大厦一共多少层? 里面聚了哪些金融机构?"),
    (["深圳有几家单位被纳入国家职务科技成果单列试点?"], "具体是哪几家?", "深圳有哪些单位被纳入国家职务科技成果单列试点?"),
    # with whom, its subject left out: the place the conversation is about
    (["南湖区跟哪个科学城签了全面战略合作协议?"], "跟河套又是怎么合作的?", "南湖区跟河套又是怎么合作的?"),
    (["南湖区去年在金融上落地了全市第一支什么基金?"], "那跟中银一起发布的又是个什么基金?",
     "去年南湖区跟中银一起发布的又是个什么基金?"),
    # a noun phrase with a head of its own replaces the quoted name and the noun it names
    (["南湖准备建多少个“枢纽+末端”低空起降点?"], "城市治理方面新增的应用场景呢?", "南湖准备建多少个城市治理方面新增的应用场景?"),
    # 甚麼, as Hong Kong and Taiwan write 什麼
    (["南湖科學城佈局的「超級雙腦」是指哪兩個項目?"], "其中超算二期在2023年建到甚麼程度了?", "超算二期在2023年建到什麼程度了?"),
    # a demonstrative and its noun stand for the topic; the topic is the subject, not the question's clause
    (["南湖那座全球最大的生物铸造厂是什么时候开建的?"], "这个项目总共投了多少钱?", "南湖那座全球最大的生物铸造厂总共投了多少钱?"),
    (["南湖那座生物铸造厂总共投了多少钱?"], "有多少家企业在用这个设施?", "有多少家企业在用南湖那座生物铸造厂?"),
    (["當年創新聯合體發展到幾個?"], "這些聯合體的研發經費有多少?", "當年創新聯合體的研發經費有多少?"),
    (["南湖区有多少家孵化器?"], "这些孵化器一共有多大面积?", "南湖区孵化器一共有多大面积?"),
    # the topic ends at a comma, or where a clause of its own starts
    (["深圳编的那个行动方案,时间跨度是哪几年?"], "它从几个方面提出举措?", "深圳编的那个行动方案从几个方面提出举措?"),
    (["南湖区引导基金在2024年的排名是什么?"], "它投了几只子基金?", "南湖区引导基金投了几只子基金?"),
    (["跟三年前比,南湖区高层次人才规模扩大到了原来的多少倍?"], "这些人才有多少在企业?", "南湖区高层次人才有多少在企业?"),
    # a yes/no question that states a figure asked for that figure
    (["南湖区有超过3000名高层次人才吗?"], "那院士呢?", "南湖区有多少名院士?"),
    # a plural pronoun alone stands for the things a count question counted, not for its topic
    (["南湖区有多少院士?"], "他们中有多少来自海外?", "南湖区的院士中有多少来自海外?"),
    (["南湖区希望引进多少家人工智能公司?"], "它们主要做什么?", "南湖区希望引进的人工智能公司主要做什么?"),
    (["南湖区有哪些大科学装置?"], "它们什么时候开放共享?", "南湖区的大科学装置什么时候开放共享?"),
    # the things a which question asks for, where more follows them
    (["张三提到要支持哪两家龙头集团在南湖布局研究院?"], "它们主要瞄准哪些领域?", "张三提到要支持的龙头集团主要瞄准哪些领域?"),
    # the things a question counts before asking what they are
    (["南湖有两个计算设施被称为“超级双核”。它们是什么?"], "它们什么时候完成?", "南湖的计算设施什么时候完成?"),
    # 都 leans on what was asked; a request for examples is kept after the question it follows
    (["南湖区推出了几款科技保险产品?"], "都有哪些险种?举两个例子。", "南湖区推出的科技保险产品都有哪些险种?举两个例子。"),
    (["南湖区推出了几款科技保险产品?"], "有哪些险种?请举个例子", "南湖区推出的科技保险产品有哪些险种?请举个例子"),
    (["南湖这边现在有几家科技支行了?"], "它们占全市的多大比重?", "南湖这边的科技支行占全市的多大比重?"),
    (["南湖区的高层次人才有多少?"], "他们中有多少来自海外?", "南湖区的高层次人才中有多少来自海外?"),
    # a question of its own, framed as a follow-up
    (["东湖实验室是跟哪家机构一体化运作的?"], "那南湖实验室呢,跟谁合作了?", "南湖实验室跟谁合作了?"),
    (["南湖區的院士團隊現在有幾個?"], "那院士本人有幾位呢?", "院士本人有幾位?"),
    (["保险这块准备试点哪些险种?"], "那已经推出来的科技保险产品有几个?", "已经推出来的科技保险产品有几个?"),
    (["How many academicians does Guangming have?"], "And how many high-level talents?",
     "How many high-level talents does Guangming have?"),
    (["How many national high-tech enterprises did Guangming have in 2023?"], "And in 2024?",
     "How many national high-tech enterprises did Guangming have in 2024?"),
    # "And how many…" with a verb and subject of its own is a whole question; its "it" is the name the one
    # before has as its subject, or, when it names none, the one before goes along
    (["How many researchers in Nanhu are on the Highly Cited list?"], "And how many academicians does the district have?",
     "How many academicians does the district have?"),
    (["How many AI labs is Nanhu planning to set up?"], "And how many new use cases does it want?",
     "How many new use cases does Nanhu want?"),
    (["How big is the Nanhu seed fund?"], "And how many firms has it invested in?",
     "How many firms has it invested in (How big is the Nanhu seed fund)?"),
    (["What computing capacity is Nanhu aiming for in 2025?"], "And how big is its AI industry?",
     "How big is Nanhu's AI industry?"),
    # "And provincial ones?": the kind replaces the first word of what was counted
    (["How many national S&T progress awards did Nanhu win in 2024?"], "And provincial ones?",
     "How many provincial S&T progress awards did Nanhu win in 2024?"),
    # after a count, "it" is the subject asked about (the answer, a number, names no thing)
    (["How many provincial S&T progress awards did Nanhu win in 2024?"],
     "How many national research projects did it take on that year?",
     "How many national research projects did Nanhu take on in 2024?"),
    # "that fund" is the fund the question before named, with its article
    (["Who did Nanhu team up with to launch the Science City parent fund?"], "How big is that fund?",
     "How big is the Science City parent fund?"),
    (["Which science city did the district sign a strategic cooperation agreement with?"],
     "How much investment does that agreement involve?",
     "How much investment does the strategic cooperation agreement involve?"),
    # "And how many of them…" counts among what the one before counted: it goes along whole
    (["How many firms has the Nanhu centre screened so far?"], "And how many of them made it through?",
     "And how many of them made it through (How many firms has the Nanhu centre screened so far)?"),
    # a yes/no predicate without its subject is said of the previous question's topic
    (["深圳市合成生物产业基金规模多大?"], "是否已经设立?", "深圳市合成生物产业基金是否已经设立?"),
    (["南湖那个合成生物大设施是哪一年开工的?"], "现在已经投入使用了吗?", "南湖那个合成生物大设施现在已经投入使用了吗?"),
    # a count of a thing of its own, with its measure word, is another count of the place asked about
    (["南湖区的博士人才有多少人?"], "院士又有多少位?", "南湖区院士又有多少位?"),
    # an adverb (最早, 主要) starts what is said of the subject; a 什么 question's noun is no part of a topic that stops before it
    (["“楼上楼下创新创业综合体”这个模式最早是谁搞出来的?"], "它后来被国家发改委列进了什么清单?",
     "“楼上楼下创新创业综合体”这个模式后来被国家发改委列进了什么清单?"),
    (["“楼上楼下创新创业综合体”这个模式后来被国家发改委列进了什么清单?"], "通过它孵化出来的标杆企业有哪些?",
     "通过“楼上楼下创新创业综合体”这个模式孵化出来的标杆企业有哪些?"),
    (["华星基地主要攻关哪些材料?"], "它还建立了什么数据库?", "华星基地还建立了什么数据库?"),
    # 它要…: the one who wants, without what it wanted before
    (["南湖2025年想争取哪些产业基金落地?"], "那它要组建的母基金是哪一类?", "南湖2025年要组建的母基金是哪一类?"),
    # 指的是 ends a topic as 是 does
    (["南湖科学城说的“超级双核”指的是哪两个?"], "它们2026年分别要达到什么状态?",
     "南湖科学城说的“超级双核”2026年分别要达到什么状态?"),
    # a name with a demonstrative and measure word but no noun: the noun counted with that measure word before
    (["2023年落到南湖的那三只产业基金分别是哪几只?"], "那合成生物那只规模多大?", "合成生物产业基金规模多大?"),
    (["落地南湖的3隻產業基金是哪幾隻?"], "那腦科學那隻呢?規模多大?", "腦科學產業基金呢?規模多大?"),
    # among those (其中), a question naming its own thing needs nothing more
    (["南湖推动了哪些龙头企业建设中试基地?"], "其中华星那个基地主要攻关哪些材料?", "华星基地主要攻关哪些材料?"),
    # 多大 asks a measure as 多少 does: the new fund takes the old one's place
    (["南湖科学城母基金规模多大?"], "那脑科学产业基金呢?", "脑科学产业基金规模多大?"),
    # another count of the district (全区) it names, now: not the year of the question before
    (["2024年南湖新引进了几位标志性科学家?"], "那全区院士现在有多少位?", "全区院士现在有多少位?"),
    # she said…, where no question before names her: what she said is the question
    (["接受采访的那位南湖区领导是谁?", "南湖的院士数量是三年前的几倍?"], "她还说扫码入企让企业受检频次降了多少?",
     "扫码入企让企业受检频次降了多少?"),
    # "And X?" is "What about X?"; "the zone" is the one the question before named
    (["How many academicians does Nanhu have?"], "And the high-level talents?", "How many high-level talents does Nanhu have?"),
    (["How many academicians does Nanhu have?"], "And in 2023?", "How many academicians does Nanhu have in 2023?"),
    # a fragment that asks only how: the question before goes along whole
    (["What rent subsidy do biotech firms get in Nanhu?"], "For how many years?",
     "For how many years (What rent subsidy do biotech firms get in Nanhu)?"),
    (["What rent subsidy do biotech firms get in Nanhu?"], "Who talks about getting that subsidy?",
     "Who talks about getting the rent subsidy?"),
])
def test_common_elliptical_follow_ups_are_rewritten_by_rule(previous: list[str], question: str, standalone: str) -> None:
    assert depends_on_history(question)
    assert resolve(question, previous) == standalone


@pytest.mark.parametrize("previous, question", [
    # "it" is the topic named first only when that is a definite thing (the plan), not places to hang out
    (["What kind of service does Nanhu promise its young talent?"],
     "What about places to hang out - what hotspots does it want to create for them?"),
    (["How big was Guangming's AI industry cluster in 2024?"], "What about the three key clusters?"),
    # a Chinese follow-up of an English question: no Chinese words of it to fill the ellipsis with
    (["What is Guangming's synthetic biology cluster worth?"], "它的建筑面积呢?"),
    (["光明区有多少院士?"], "And what about its high-level talents?"),
    # "And in Shenzhen?" names a place, not a thing counted: not "How many in Shenzhen does…"
    (["How many academicians does Nanhu have?"], "And in Shenzhen?"),
    (["2024年南湖在跟河套园区合作上有什么进展?"], "和其他科学城呢?"),  # 其他 points back to nothing
    (["南湖创新中心组织过多少批次的企业遴选?"], "最后通过了几家?"),  # 几家 asks, it names nothing
    # "how many are…" counts the things asked about before: not a whole question of its own
    (["How many researchers from Nanhu appear on the top 2% list?"], "And how many are on the Highly Cited list?"),
])
def test_follow_ups_no_rule_can_rewrite_are_left_to_the_model(previous: list[str], question: str) -> None:
    assert resolve(question, previous) is None


def test_the_thing_the_question_before_named_in_more_words_is_named_so() -> None:
    before = ["Who heads the leading group for Nanhu's high-tech zone?"]
    assert not depends_on_history("And who runs the zone's management committee?")
    assert resolve("And who runs the zone's management committee?", before) == \
        "Who runs Nanhu's high-tech zone's management committee?"
    # "the talent" is no head of its own there, and "the number" is a measure
    housing = ["What housing policy for talent does Nanhu offer?"]
    assert resolve("Where is the talent community pilot?", housing) == "Where is the talent community pilot?"
    assert resolve("What is the number of flats?", ["How many flats does the housing policy for the number offer?"]) == \
        "What is the number of flats?"


def test_a_question_that_stands_alone_is_kept_as_it_is() -> None:
    assert resolve("南湖区不同年龄段的人才各有多少?", ["2023年南湖有哪些创新成果?"]) == "南湖区不同年龄段的人才各有多少?"
    assert resolve("光明科学城论坛已经举办了几届?", ["光明区有多少院士?"]) == "光明科学城论坛已经举办了几届?"
    assert resolve("光明区有多少院士?", []) == "光明区有多少院士?"


@pytest.mark.parametrize("question", [
    "What will the Nanhu University institute set up in the district this year?",  # this year: the present
    "How many incubators are there in Nanhu?",  # there are: something exists, not a place pointed back to
    "Is there a subway line to the science city?",
])
def test_english_words_that_only_look_like_pronouns_do_not_make_a_follow_up(question: str) -> None:
    assert not depends_on_history(question)
    assert resolve(question, ["How many academicians does Nanhu have?"]) == question


@pytest.mark.parametrize("question", ["Who works there?", "What did they sign that year?", "When was it built?"])
def test_english_pronouns_make_a_follow_up(question: str) -> None:
    assert depends_on_history(question)


def test_an_english_pronoun_follow_up_carries_the_whole_previous_question() -> None:
    # which noun "it" stands for needs a parser: the previous question goes along, not a guess at it
    assert resolve("How many firms attended it?", ["At which fair did Nanhu sign 95 deals?"]) == \
        "How many firms attended it (At which fair did Nanhu sign 95 deals)?"


@pytest.mark.parametrize("previous, answer, question, standalone", [
    # the previous question asked what was built; its answer named it
    ("知识产权服务方面建了个什么?", "建成南湖首个知识产权公共服务中心,形成“技术+法律”服务矩阵[1]。",
     "这个中心去年受理了多少件业务?", "知识产权公共服务中心去年受理了多少件业务?"),
    # which one it is was asked: the answer's fund, not the three the question named (traditional script kept)
    ("落戶南湖的三隻產業基金裡,規模第二大的是哪一隻?", "以及規模15億元的南湖合成生物產業基金[1]。",
     "這隻基金已經出手投資了誰?", "南湖合成生物產業基金已經出手投資了誰?"),
    ("南湖针对科研设备搞了个什么通关机制?", "创新“白名单+智能预审”通关机制,大幅降低通关时长[1]。",
     "這個機制效果怎麼樣?", "“白名单+智能预审”通关机制效果怎麼樣?"),
    # a pronoun alone after a question that asked which one: the one the answer named, by the noun asked about
    ("南湖想把哪个在线平台打造成主流科技金融服务平台?", "进一步加强南湖创投网在线服务平台建设[1]。",
     "目前有多少家投资机构注册在它上面?", "目前有多少家投资机构注册在南湖创投网在线服务平台上面?"),
    # a 什么 question asks for a thing too: 它 is the system the answer named (its name runs on past a quoted part)
    ("南湖2021年给研发资金配置搞了个什么改革体系?", "逐步建立南湖研发资金“双轨制”配置改革体系[1]。",
     "它具体包括哪两类计划?", "南湖研发资金“双轨制”配置改革体系具体包括哪两类计划?"),
    # the answer's name ends with the one the question gave: the question's, not the answer's clause before it
    ("南湖科学城母基金是南湖区跟哪几家一起发起的?", "南湖区与深投控、市引导基金发起科学城母基金[1]。",
     "那这个母基金规模多大?", "南湖科学城母基金规模多大?"),
    # …but the answer's name when the question's is the shorter, and the question's when the answer's is the same
    ("南湖打算以哪个园区为试点组建开发建设与运营集团?", "以坪山园区为试点,探索组建南湖高新区开发建设与运营集团[1]。",
     "那这个集团计划哪一年挂牌成立?", "南湖高新区开发建设与运营集团计划哪一年挂牌成立?"),
    ("入驻南湖的合成生物企业,每个月每平方米能拿多少租金补贴?", "入驻的合成生物企业,每月可获得45元每平方米的租金补贴[1]。",
     "这个补贴是哪位创业者在采访里提到的?", "入驻南湖的合成生物企业租金补贴是哪位创业者在采访里提到的?"),
    # 它还…: the one who acted does more, not what the answer named
    ("南湖市科创委2022年打算推动修订哪部条例?", "推动修订《南湖高新技术产业园区条例》[1]。",
     "它还准备申报哪几类示范园区?", "南湖市科创委2022年还准备申报哪几类示范园区?"),
])
def test_a_demonstrative_stands_for_the_name_the_previous_answer_gave(previous: str, answer: str, question: str,
                                                                     standalone: str) -> None:
    assert resolve(question, [previous], answer=answer) == standalone


def test_a_demonstrative_keeps_the_previous_questions_name_when_it_was_not_asked_for() -> None:
    # the tower was named by the question; 这些 points at many things, which no one name in an answer is
    assert resolve("这座大厦有几层?", ["南湖金融大厦总投资多少?"], answer="南湖金融大厦总投资20亿元[1]。") == "南湖金融大厦有几层?"
    many = resolve("这些企业估值到多少了?", ["南湖创新中心遴选了多少家企业?"],
                   answer="通过遴选企业163家,孵化出粒影生物等标杆企业[1]。")
    assert many is not None and many.startswith("南湖创新中心") and "标杆" not in many


def test_what_about_a_topic_with_its_own_question_is_that_question() -> None:
    assert resolve("And what about Shenzhen as a whole, how much computing capacity is built?",
                   ["How much computing power is Nanhu aiming for?"]) == \
        "For Shenzhen as a whole, how much computing capacity is built?"


def test_a_time_phrase_jieba_cuts_ends_the_subject_a_pronoun_stands_for() -> None:
    # 前阵子 (前 + 阵子 to jieba) starts what is said of the fund, as 现在 does
    assert resolve("它现在投了几只子基金?", ["南湖区的引导基金前阵子拿了个什么奖?"]) == "南湖区的引导基金现在投了几只子基金?"


def test_among_those_with_the_member_named_stands_alone_unless_it_counts() -> None:
    assert resolve("其中南湖高等研究院是哪一年完工的?", ["南湖引进的大院大所项目一共有几个?"]) == "南湖高等研究院是哪一年完工的?"
    # a part counted is counted within the whole asked before: not the part alone
    assert resolve("其中国家级的有几个?", ["南湖区一年开展多少个国家、省、市重点科研项目?"]) != "国家级的有几个?"
    assert resolve("其中有专门保知识产权的吗?", ["南湖一共推出了几个科技保险产品?"]) != "有专门保知识产权的吗?"
    assert resolve("其中规模最大的是哪一只?", ["落地南湖的那3只产业基金,总规模是多少?"]) != "规模最大的是哪一只?"


def test_a_pronoun_after_a_question_that_asked_a_things_name_is_the_name_answered() -> None:
    # 它打算…: what it intends is the college's, though 打算 after 它 is also how an actor acts again
    standalone = resolve("它打算在哪些地方培养人?", ["杨帆说南湖要建一所学院来培养创新创业人才,这所学院叫什么?"],
                         answer="推动建设南湖科学城创新创业学院,培养一批高水平人才[1]。")
    assert standalone is not None and standalone.endswith("南湖科学城创新创业学院打算在哪些地方培养人?")


def test_a_question_opening_with_a_time_word_or_an_adverb_asks_of_the_same_subject() -> None:
    before = ["南湖那个全国首个合成生物专项政策是哪年出的?"]
    assert resolve("前后一共投了多少钱?", before) == "南湖那个全国首个合成生物专项政策前后一共投了多少钱?"
    assert resolve("其中最大的一笔有多少?", before) != "南湖那个全国首个合成生物专项政策其中最大的一笔有多少?"


def test_another_item_of_the_answers_list_replaces_the_one_asked_about_with_its_modifier() -> None:
    answer = "南湖区共有院士59人、高层次人才超3000人、科研院所人才近8000人、博士人才超5000人[1]。"
    assert resolve("那博士呢?", ["南湖区现在科研院所的人才大概有多少?"], answer=answer) == "南湖区现在博士人才大概有多少?"
    assert resolve("那博士呢?", ["南湖区现在科研院所的人才大概有多少?"]) != "南湖区现在博士人才大概有多少?"
    assert resolve("那南湖区呢?", ["北湖区现在科研院所的人才大概有多少?"], answer=answer) == "南湖区现在科研院所的人才大概有多少?"


def test_another_partner_place_replaces_the_one_asked_about() -> None:
    before = ["2024年南湖和哪个科学城签了合作协议?", "那跟河套深圳园区呢,有啥进展?"]
    assert resolve("香港那边呢?", before) == "2024年跟香港有啥进展?"


def test_what_about_a_topic_then_a_dash_and_its_own_question_is_that_question() -> None:
    assert resolve("And what about the implementation plan for the 'five forces' — how many measures?",
                   ["How many measures does Nanhu's action plan put forward?"]) == \
        "For the implementation plan for the 'five forces', how many measures?"
