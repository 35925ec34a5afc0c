"""Arabic spelling normalisation of names, shared by search and duplicate matching.

Staff write the same name many ways: with or without hamza (أحمد/احمد), ta marbuta or
heh (فاطمة/فاطمه), alef maksura or yeh (مصطفى/مصطفي), vowel marks and tatweel, and
with or without the article (العلوي/علوي), sometimes behind a particle (والعلوي). The
letter-level rules come from pyarabic (a maintained library); the name-level rules
(article, particles) are ours, because they are about how names are registered.
"""

from __future__ import annotations

import pyarabic.araby as araby

_LETTERS = str.maketrans(
    {
        "\u0629": "\u0647",  # teh marbuta -> heh
        "\u0649": "\u064a",  # alef maksura -> yeh
        "\u0671": "\u0627",  # alef wasla -> alef
        "\u06cc": "\u064a",  # farsi yeh -> yeh
        "\u06a9": "\u0643",  # keheh -> kaf
        "\u0640": None,  # tatweel (also stripped by pyarabic; kept for text it misses)
    }
)
ARTICLE = "\u0627\u0644"  # ال
PARTICLES = ("\u0648", "\u0628", "\u0644", "\u0641", "\u0643")  # و ب ل ف ك
"""One-letter particles written glued to a word; before the article they are dropped."""
MIN_STEM = 3
"""Letters that must remain once an article is dropped (الله is not ال + له)."""


_ONE_PASS = str.maketrans(
    {
        **dict.fromkeys(araby.TASHKEEL),  # araby.strip_tashkeel
        araby.TATWEEL: None,  # araby.strip_tatweel
        **dict.fromkeys(araby.LIGUATURES, araby.LAM + araby.ALEF),  # araby.normalize_ligature
        **{  # araby.normalize_hamza(method="tasheel")
            araby.ALEF_MADDA: araby.ALEF, araby.ALEF_HAMZA_ABOVE: araby.ALEF,
            araby.ALEF_HAMZA_BELOW: araby.ALEF, araby.HAMZA_ABOVE: araby.ALEF,
            araby.HAMZA_BELOW: araby.ALEF, araby.WAW_HAMZA: araby.WAW,
            araby.YEH_HAMZA: araby.YEH,
        },
        **_LETTERS,
    }
)  # fmt: skip
"""pyarabic's letter rules then ours, as one table: each maps letters no other rule reads."""


def normalize(text: str) -> str:
    """One spelling per Arabic name: no vowel marks nor tatweel, plain alef and yeh.

    pyarabic's ``strip_tashkeel``, ``strip_tatweel``, ``normalize_ligature`` and
    ``normalize_hamza(method="tasheel")``, then ours, in one ``translate`` (the search
    index calls this for every name written; tests/store/test_arabic_fast.py checks it
    against the functions themselves). They touch non-ASCII letters only.
    """
    if not text:
        return ""
    if text.isascii():
        return text
    return text.translate(_ONE_PASS)


def without_article(token: str) -> str | None:
    """The word without its article and the particle before it (والعلوي -> علوي), if any.

    ``token`` is already normalised. ``لل`` is ل + ال with the alef dropped (للعلوي).
    """
    stem: str | None = None
    if token.startswith(ARTICLE):
        stem = token[2:]
    elif len(token) > 3 and token[0] in PARTICLES and token[1:].startswith(ARTICLE):
        stem = token[3:]
    elif token.startswith("\u0644\u0644"):  # لل
        stem = token[2:]
    if stem is None or len(stem) < MIN_STEM:
        return None
    return stem


def is_article(token: str) -> bool:
    """A bare article typed as its own word (ال علوي)."""
    return token == ARTICLE
