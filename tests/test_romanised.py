"""Pinyin names of English questions matched to the index's words (``rag.retrieval.romanised``)."""

from __future__ import annotations

from rag.retrieval.romanised import pinyin_keys, romanised_names

VOCABULARY = {"河套": 3, "园区": 12, "国人": 9, "国任": 1, "保险": 4, "丹扬": 1, "蔡颖": 5, "那么": 40, "星博": 2,
              "生辉": 2, "盛会": 6, "深圳": 60, "科技": 80}
KEYS = pinyin_keys(VOCABULARY)


def test_a_capitalised_name_finds_the_word_whose_pinyin_it_spells() -> None:
    assert romanised_names("When did the Hetao Innovation Center open?", KEYS) == [("Hetao", "河套")]
    assert romanised_names("Who is Cai Ying in Shenzhen?", KEYS) == [("Cai Ying", "蔡颖"), ("Shenzhen", "深圳")]
    assert romanised_names("How large is the Xingbo Shenghui angel fund?", KEYS) == [
        ("Xingbo", "星博"), ("Shenghui", "生辉")]  # of homophones the name (盛会 is a dictionary word)


def test_of_homophones_a_word_the_dictionary_lacks_is_the_name() -> None:
    assert KEYS["guoren"] == "国任"  # 国人 is a common word, more often indexed: English would translate it
    assert romanised_names("What does Guoren Insurance do?", KEYS) == [("Guoren", "国任")]


def test_a_two_word_name_may_be_written_family_name_last() -> None:
    assert romanised_names("Which lab does Yang Dan lead?", KEYS) == [("Yang Dan", "丹扬")]


def test_only_capitalised_words_not_opening_a_sentence_are_read() -> None:
    assert romanised_names("Name the loan products.", KEYS) == []  # name is 那么 in pinyin
    assert romanised_names("Is it hetao or keji?", KEYS) == []  # lower case: English words
    assert romanised_names("Guoren? Hetao!", KEYS) == []  # each the first word of its sentence
    assert romanised_names("Guoren? And Hetao.", KEYS) == [("Hetao", "河套")]
    assert romanised_names("How big is the Keji park?", KEYS) == [("Keji", "科技")]


def test_one_character_words_and_non_chinese_words_are_not_keys() -> None:
    keys = pinyin_keys({"区": 50, "AI": 3, "5G": 2, "河套": 1})
    assert keys == {"hetao": "河套"}
