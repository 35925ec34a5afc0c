"""The one-pass Arabic normalisation and the ASCII shortcuts of folding change nothing.

``arabic.normalize`` and ``textfold.fold`` run for every name the search index stores;
their fast forms must give exactly what the plain chain of pyarabic functions and
Unicode passes gives, for any text (the index of existing profiles was built with it).
"""

from __future__ import annotations

import unicodedata

import pyarabic.araby as araby
from hypothesis import given, settings
from hypothesis import strategies as st

from app.store import arabic, textfold

NAMES = [
    "أَحْمَد", "فاطمة", "مصطفى", "\ufefb", "العـــربية", "سؤال الأئمة آجلا", "Hélène أحمد",
    "Saïd El Fassi", "e\U0001d165x", "ÉCROU", "إسماعيل", "عبد الله", "ﻷ", "ـ", "\u0654",
    "ﷲ", "Œuvre ﬁn",
]  # fmt: skip
TEXT = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0x0600, max_codepoint=0x06FF),
        st.characters(min_codepoint=0xFB50, max_codepoint=0xFEFF),
        st.characters(codec="utf-8"),
        st.sampled_from("aeiouéèçÀ ‘’-'"),
    ),
    max_size=30,
)


def reference_normalize(text: str) -> str:
    if not text:
        return ""
    text = araby.strip_tashkeel(text)
    text = araby.strip_tatweel(text)
    text = araby.normalize_ligature(text)
    text = araby.normalize_hamza(text, method="tasheel")
    return text.translate(arabic._LETTERS)


def reference_fold(text: str | None) -> str:
    if not text:
        return ""
    text = reference_normalize(unicodedata.normalize("NFC", text))
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return reference_normalize(stripped).casefold()


def test_known_names_fold_as_before() -> None:
    for name in NAMES:
        assert arabic.normalize(name) == reference_normalize(name), name
        assert textfold.fold(name) == reference_fold(name), name


@settings(max_examples=400, deadline=None)
@given(TEXT)
def test_any_text_normalises_and_folds_as_before(text: str) -> None:
    assert arabic.normalize(text) == reference_normalize(text)
    assert textfold.fold(text) == reference_fold(text)
