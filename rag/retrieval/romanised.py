"""Chinese names an English question writes in pinyin (Hetao, Guoren, Cai Ying), found among the
words of the index.

The bundled model, translating "Hetao Innovation Center", wrote 海涛创新中心; the documents say
河套. Pinyin is neither searched for nor embedded near its characters, and a translator cannot
know which characters the documents use, but the index can: a name's letters are the toneless
pinyin of the word that writes it. Only capitalised runs of Latin words are read (names), and a
run matches only a word whose pinyin it spells letter for letter.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from rag.text import load_jieba

MAX_LATIN_WORDS = 3  # Song You Yang; a longer run is a phrase, not a name
_HAN_WORD = re.compile(r"[\u3400-\u9fff]{2,}")  # one character has dozens of homophones
_LATIN = re.compile(r"[A-Za-z]+")
_NAME_TAGS = frozenset({"nr", "nrt", "nrfg", "ns", "nt", "nz"})  # jieba: person, place, organisation, other name


def pinyin_keys(vocabulary: Mapping[str, int]) -> dict[str, str]:
    """Toneless pinyin, letters only (hetao) -> the index word it spells. Of homophones, a name
    first: a word the dictionary lacks (国任, not 国人), then one it tags as a name (生辉, not
    盛会); an English text romanises names and translates words. Then the one most chunks hold."""
    from pypinyin import lazy_pinyin

    load_jieba()
    import jieba.posseg

    known, tags = jieba.dt.FREQ, jieba.posseg.dt.word_tag_tab

    def order(item: tuple[str, int]) -> tuple[int, int]:
        word, count = item
        return (0 if not known.get(word) else 1 if tags.get(word) in _NAME_TAGS else 2), -count

    keys: dict[str, str] = {}
    for word, _ in sorted(vocabulary.items(), key=order):
        if _HAN_WORD.fullmatch(word):
            keys.setdefault("".join(lazy_pinyin(word)).lower(), word)
    return keys


def romanised_names(question: str, keys: Mapping[str, str]) -> list[tuple[str, str]]:
    """(name as the question writes it, the index word it spells), in the question's order. Runs
    of capitalised words, not a sentence's first, are tried longest first; a two-word run in
    either order (Yang Dan is 丹扬, family name last)."""
    words = list(_LATIN.finditer(question))
    found: list[tuple[int, str, str]] = []
    used: set[int] = set()
    for size in range(MAX_LATIN_WORDS, 0, -1):
        for i in range(len(words) - size + 1):
            span = words[i : i + size]
            if used & set(range(i, i + size)) or not all(w.group()[0].isupper() for w in span):
                continue
            if re.fullmatch(r"(?:.*[.?!:])?[\s\"'“‘(]*", question[: span[0].start()], re.S):
                continue  # a sentence's first word is capitalised anyway (Name the loan products: 那么)
            written = question[span[0].start() : span[-1].end()]
            if not re.fullmatch(r"[A-Za-z]+(?:[ -][A-Za-z]+)*", written):  # Guangming's Hetao: two phrases
                continue
            orders = [span, span[::-1]] if size == 2 else [span]
            spelled = ("".join(w.group() for w in order).lower() for order in orders)
            word = next((keys[k] for k in spelled if k in keys), None)
            if word:
                found.append((span[0].start(), written, word))
                used |= set(range(i, i + size))
    return [(written, word) for _, written, word in sorted(found)]
