"""The shared text toolkit: matching forms, the one sentence splitter, the jieba loader."""

from __future__ import annotations

import marshal
import random

import jieba

from rag.text import (
    Span,
    _read_cached_dictionary,
    asks_credit,
    credit_span,
    fold_script,
    language,
    load_jieba,
    normalise,
    split_sentences,
    terms,
)


def _texts(text: str) -> list[str]:
    spans = split_sentences(text)
    assert all(text[s.start:s.end] == s.text for s in spans)
    return [s.text for s in spans]


def test_chinese_sentences_keep_their_closing_quotes() -> None:
    assert _texts("他说：“好的。”然后走了……真的？！是的；对\n下一行") == [
        "他说：“好的。”", "然后走了……", "真的？！", "是的；", "对", "下一行"]


def test_english_sentences_keep_decimals_and_versions() -> None:
    assert _texts('Pi is 3.14 today. Version v1.2.3 works! Really? Yes; "Quoted." End.') == [
        "Pi is 3.14 today.", "Version v1.2.3 works!", "Really?", "Yes;", '"Quoted."', "End."]


def test_half_width_punctuation_brackets_and_a_full_stop_before_chinese() -> None:
    assert _texts("如何激发新动能?光明紧握机遇(见下文。)继续推进」完。") == [
        "如何激发新动能?", "光明紧握机遇(见下文。)", "继续推进」完。"]
    assert _texts("It opened in 2024.光明区随后扩建。") == ["It opened in 2024.", "光明区随后扩建。"]


def test_citation_markers_stay_with_the_sentence_they_close() -> None:
    text = "院士12人。[1] 增长5.9倍！Funding was 1.2 billion. Done?\n下一行"
    assert split_sentences(text) == [
        Span("院士12人。[1]", 0, 9), Span("增长5.9倍！", 10, 17), Span("Funding was 1.2 billion.", 17, 41),
        Span("Done?", 42, 47), Span("下一行", 48, 51)]


def test_list_numbers_and_white_space_are_not_sentences() -> None:
    assert _texts("\n\n标题\n\n1. 第一项。 2. 第二项\n") == ["标题", "1. 第一项。", "2. 第二项"]
    assert split_sentences("") == [] and split_sentences("   \n ") == []


def test_sentences_are_stripped_ordered_and_lose_no_visible_character() -> None:
    rng = random.Random(11)
    alphabet = "光明科学城位于深圳西北部。！？；…!?;.,，、：”」） \n3a[1]"
    for _ in range(300):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 80)))
        spans = split_sentences(text)
        covered = [False] * len(text)
        for s in spans:
            assert s.text and s.text == s.text.strip() and text[s.start:s.end] == s.text
            covered[s.start:s.end] = [True] * (s.end - s.start)
        assert all(a.end <= b.start for a, b in zip(spans, spans[1:]))
        assert all(covered[i] or ch.isspace() for i, ch in enumerate(text))


def test_matching_forms_fold_script_width_and_case() -> None:
    assert fold_script("光明區ＡＢＣ１２３") == "光明区ABC123"
    assert normalise("光明區ＡＢＣ") == "光明区abc"
    assert language("光明区有多少院士?") == "zh" and language("How many academicians?") == "en"


def test_jieba_is_loaded_once_with_its_dictionary() -> None:
    jieba = load_jieba()
    assert load_jieba() is jieba and jieba.dt.FREQ
    assert terms("光明科學城的院士") == ["光明", "科学", "科学城", "院士"]


def test_jiebas_dictionary_is_read_from_its_cache_in_one_piece_and_a_damaged_cache_is_left_to_jieba(tmp_path) -> None:
    reference = load_jieba().dt
    good = jieba.Tokenizer()
    good.tmp_dir = str(tmp_path)
    marshal_bytes = marshal.dumps((reference.FREQ, reference.total))
    (tmp_path / "jieba.cache").write_bytes(marshal_bytes)
    _read_cached_dictionary(good)
    assert good.initialized and good.FREQ == reference.FREQ and good.total == reference.total
    assert good.lcut("光明科学城建设进展顺利") == reference.lcut("光明科学城建设进展顺利")

    (tmp_path / "jieba.cache").write_bytes(marshal_bytes[: len(marshal_bytes) // 2])
    damaged = jieba.Tokenizer()
    damaged.tmp_dir = str(tmp_path)
    _read_cached_dictionary(damaged)
    assert not damaged.initialized  # jieba's initialize then rebuilds the dictionary and its cache


def test_a_document_s_date_is_the_one_its_header_gives() -> None:
    from rag.text import published

    assert published("光明以科技賦能\n日期:2024-01-31 來源:深圳特區報\n正文") == "2024-01-31"
    assert published("标题\n- 2025年3月7日\n正文") == "2025-03-07"
    assert published("一、2021年工作成效\n(一)加强系统谋划") == ""  # a year, not a date
    assert published("标题\n" + "正文。" * 200 + "2023-05-06") == ""  # a date in the text is not the document's


def test_a_reports_credit_lines_are_found_where_it_states_them() -> None:
    doc = "南湖科学城建设提速\n南湖(深圳)新增实验室3个。\n(鄧紅麗)\n\n编辑:李可\n校审:靳峰 陈圆圆\n如需转载,请注明\n"
    start, end = credit_span(doc) or (0, 0)
    assert doc[start:end] == "(鄧紅麗)\n\n编辑:李可\n校审:靳峰 陈圆圆"  # not 南湖(深圳): a line of its own
    assert credit_span("南湖科学城今年新增实验室3个。\n") is None
    assert asks_credit("这篇报道的作者是谁?") and asks_credit("Who is the editor?") and not asks_credit("南湖有几个实验室?")
