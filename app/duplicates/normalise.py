"""Names reduced to the forms two registrations of one person share, in each script.

Search and matching fold text the same way (:func:`app.store.textfold.fold`: accents,
case, and the Arabic letter rules of :mod:`app.store.arabic`, from pyarabic). Matching
goes one step further, because two counsellors transliterate one Arabic name
differently: ``ou``/``u``/``w``, ``ch``/``sh``, ``dh``/``d``, doubled letters, ``y``/``i``,
the article (``El Idrissi``/``Idrissi``) and particles (``Ben Ali``/``Benali``).

Each name gives one or two *forms* (with and without its particles) compared by
similarity, and a *skeleton* (consonants only) used as a blocking key: ``Mohamed``,
``Mohammed`` and ``Mhamed`` all give ``mhmd``.
"""

from __future__ import annotations

import re
from functools import lru_cache

from app.store import arabic
from app.store.textfold import fold, fold_tokens, stem

LATIN_PARTICLES = frozenset({"el", "al", "ben", "bent", "bint", "bin", "ibn", "ould", "ou"})
"""Words of a Latin name that one registration writes and another leaves out."""
ARABIC_PARTICLES = frozenset(
    {
        "\u0628\u0646",  # بن
        "\u0627\u0628\u0646",  # ابن
        "\u0628\u0646\u062a",  # بنت
        "\u0648\u0644\u062f",  # ولد
    }
)
"""Arabic counterparts (the article ال is handled by :func:`app.store.arabic.without_article`)."""

CACHED_NAMES = 1 << 16
"""Names recur (Mohamed, Alaoui): each spelling is normalised once per process."""

_TRANSLITERATION = (
    ("sch", "ch"),
    ("sh", "ch"),
    ("dh", "d"),
    ("th", "t"),
    ("ph", "f"),
    ("ck", "k"),
    ("q", "k"),
    ("ou", "u"),
    ("oo", "u"),
    ("w", "u"),
    ("ee", "i"),
    ("y", "i"),
)
_DOUBLES = re.compile(r"([^aeiou])\1+")
_VOWELS = re.compile(r"[aeiou]")
_LATIN = re.compile(r"^[a-z]+$")
_NOT_ALNUM = re.compile(r"[^0-9A-Za-z]")


def _latin_tokens(text: str | None) -> list[str]:
    """Folded Latin words, a glued article dropped (``Elidrissi`` -> ``idrissi``)."""
    tokens = []
    for token in fold_tokens(text or ""):
        if not _LATIN.match(token):
            continue
        tokens.append(stem(token) or token)
    return tokens


def transliterate(word: str) -> str:
    """One spelling for the common variants of a folded Latin word."""
    for old, new in _TRANSLITERATION:
        word = word.replace(old, new)
    return _DOUBLES.sub(r"\1", word)


@lru_cache(maxsize=CACHED_NAMES)
def latin_forms(text: str | None) -> tuple[str, ...]:
    """The name's words joined, with and without particles (``ben ali`` -> benali, ali)."""
    tokens = _latin_tokens(text)
    if not tokens:
        return ()
    whole = transliterate("".join(tokens))
    core = [t for t in tokens if t not in LATIN_PARTICLES]
    bare = transliterate("".join(core)) if core else whole
    return (whole,) if bare == whole else (whole, bare)


@lru_cache(maxsize=CACHED_NAMES)
def arabic_forms(text: str | None) -> tuple[str, ...]:
    """Normalised Arabic name joined, with and without article and particles."""
    tokens = [t for t in fold_tokens(text or "") if not _LATIN.match(t) and not t.isdigit()]
    if not tokens:
        return ()
    whole = "".join(tokens)
    core = [
        arabic.without_article(t) or t
        for t in tokens
        if t not in ARABIC_PARTICLES and not arabic.is_article(t)
    ]
    bare = "".join(core) if core else whole
    return (whole,) if bare == whole else (whole, bare)


@lru_cache(maxsize=CACHED_NAMES)
def skeleton(form: str) -> str:
    """Consonants of a transliterated form: the blocking key of a Latin name."""
    consonants = _DOUBLES.sub(r"\1", _VOWELS.sub("", form))
    return consonants or form


def identifier(value: str | None) -> str | None:
    """A CIN or registration number compared without case, spaces or punctuation."""
    if not value:
        return None
    if value.isalnum() and value.isascii():  # as stored: AB123456
        return value.casefold()
    if value.isascii():
        cleaned = _NOT_ALNUM.sub("", value).casefold()
    else:  # Arabic-Indic digits, accents
        cleaned = "".join(ch for ch in fold(value) if ch.isalnum())
    return cleaned or None
