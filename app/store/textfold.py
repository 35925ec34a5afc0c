"""Folding of names and identifiers for search: accents, case and Arabic spelling variants.

Applied both when indexing (from SQL triggers, registered on every connection) and to
the query, so ``helene`` finds ``Hélène`` and ``احمد`` finds ``أحمد``. Names are indexed
with their variants as staff type them: without the article (``العلوي`` also as
``علوي``, ``Elmansouri`` also as ``mansouri``) and with a particle glued to the next
word (``Ben Ali`` also as ``benali``, ``عبد الله`` also as ``عبدالله``).
"""

from __future__ import annotations

import functools
import re
import unicodedata

from app.store import arabic

_TOKEN = re.compile(r"\w+")
LATIN_ARTICLES = ("el", "al")
"""Written apart (El Alaoui); glued, only ``el`` is an article (Elalaoui, but Alaoui)."""
GLUED_ARTICLE = "el"
MIN_LATIN_STEM = 4
"""Letters left after a glued Latin article for the stem to count (Alami is not al+ami)."""
JOINED_PARTICLES = frozenset(
    {
        "ben", "bin", "ibn", "bou", "abd", "ait", "ould", "el", "al",
        "\u0628\u0646",  # بن
        "\u0627\u0628\u0646",  # ابن
        "\u0639\u0628\u062f",  # عبد
        "\u0628\u0648",  # بو
        "\u0627\u064a\u062a",  # ايت
        "\u0627\u0644",  # ال
    }
)  # fmt: skip
"""Name particles that staff write either apart or glued to the next word."""


def fold(text: str | None) -> str:
    """``text`` without accents, case nor Arabic spelling variants.

    Folded word by word (split at ASCII spaces), each word once: every step works
    letter by letter or within a letter and its marks, and a space starts a new one, so
    the result is the whole text's (tests/store/test_fold_words.py checks it). Names
    repeat across a caseload: the search index and duplicate matching fold the same
    words again and again (``passerelle_name_terms`` for every beneficiary written).
    """
    if not text:
        return ""
    if text.isascii():
        return text.casefold()  # the same result, without the Unicode passes below
    return " ".join(map(_fold_word, text.split(" ")))


@functools.lru_cache(maxsize=16_384)
def _fold_word(text: str) -> str:
    if text.isascii():
        return text.casefold()
    text = arabic.normalize(unicodedata.normalize("NFC", text))
    decomposed = unicodedata.normalize("NFKD", text)
    if max(decomposed, default="") <= _BMP_LAST:
        stripped = decomposed.translate(_bmp_combining_marks())
    else:
        stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return arabic.normalize(stripped).casefold()


_BMP_LAST = "\uffff"


@functools.cache
def _bmp_combining_marks() -> dict[int, None]:
    """The combining marks of the Basic Multilingual Plane, to drop in one ``translate``."""
    return dict.fromkeys(c for c in range(0x10000) if unicodedata.combining(chr(c)))


def fold_tokens(text: str) -> list[str]:
    return _TOKEN.findall(fold(text))


def stem(token: str) -> str | None:
    """``token`` (folded) without its article, in either script; None when it has none."""
    found = arabic.without_article(token)
    if found is not None:
        return found
    rest = token[len(GLUED_ARTICLE) :]
    if token.startswith(GLUED_ARTICLE) and len(rest) >= MIN_LATIN_STEM and rest.isascii():
        return rest
    return None


def is_article(token: str) -> bool:
    return token in LATIN_ARTICLES or arabic.is_article(token)


def name_terms(text: str | None) -> str:
    """The folded words of names followed by their search variants (the indexed text)."""
    tokens = fold_tokens(text or "")
    variants: list[str] = []
    for position, token in enumerate(tokens):
        found = stem(token)
        if found is not None:
            variants.append(found)
        following = tokens[position + 1] if position + 1 < len(tokens) else None
        if token in JOINED_PARTICLES and following is not None:
            variants.append(token + following)
    return " ".join(dict.fromkeys(tokens + variants))
