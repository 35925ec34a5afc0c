"""Folding word by word gives what folding the whole text gave (app.store.textfold.fold).

``fold`` now splits at ASCII spaces and folds each word once (cached); the search index
and duplicate matching depend on it giving exactly the former result. The former
function is kept here as the reference and both are compared on the sample caseload's
names and on random texts mixing what could make a step reach across a space:
combining marks at a word's start or end, spacing marks that decompose to a space
(``¨``, no-break space), ligatures, Arabic vowel marks and tatweel, final sigma,
Hangul jamo, letters beyond the Basic Multilingual Plane, runs of spaces.
"""

from __future__ import annotations

import random
import unicodedata

from app.services import import_sample
from app.store import arabic
from app.store.textfold import fold, name_terms


def reference_fold(text: str | None) -> str:
    """``fold`` as it was before it went word by word (commit 02b5c09)."""
    if not text:
        return ""
    if text.isascii():
        return text.casefold()
    text = arabic.normalize(unicodedata.normalize("NFC", text))
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return arabic.normalize(stripped).casefold()


PALETTE = (
    " ", "  ", "a", "E", "é", "e\u0301", "\u0301", "\u0327", "\u0308", "\u00a8", "\u00a0",
    "ß", "ﬁ", "Σ", "ς", "ΑΣ", "\u1100", "\u1161", "\u11a8", "Å", "\u212b", "Ⅻ", "①",
    "ＡＢ", "\U0001d400", "\U0001f600", "\u0627\u0644", "\u0623\u062d\u0645\u062f",
    "\u0641\u0627\u0637\u0645\u0629", "\u064e", "\u0651", "\u0640", "\ufefb", "\u0649",
    "\u0671", "\u06cc", "Ben", "el", "-", "'", "0", "\u200f", "\u0130", "\u0131",
)  # fmt: skip


def _random_texts(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choices(PALETTE, k=rng.randint(1, 9))) for _ in range(count)]


def test_fold_matches_the_whole_text_fold_on_random_texts() -> None:
    for text in _random_texts(20_000, seed=23):
        assert fold(text) == reference_fold(text), ascii(text)


def test_fold_matches_on_the_sample_caseload_names() -> None:
    sheet = import_sample.sample(3_000, seed=5)
    for row in sheet.rows:
        names = " ".join(str(cell) for cell in row[:4] if isinstance(cell, str))
        assert fold(names) == reference_fold(names), ascii(names)
        # The indexed text is built on fold: the same words, the same variants.
        assert name_terms(names) == name_terms_reference(names)


def name_terms_reference(text: str) -> str:
    from app.store import textfold

    tokens = textfold._TOKEN.findall(reference_fold(text))
    variants: list[str] = []
    for position, token in enumerate(tokens):
        found = textfold.stem(token)
        if found is not None:
            variants.append(found)
        following = tokens[position + 1] if position + 1 < len(tokens) else None
        if token in textfold.JOINED_PARTICLES and following is not None:
            variants.append(token + following)
    return " ".join(dict.fromkeys(tokens + variants))


def test_fold_of_a_cached_word_is_the_same_every_time() -> None:
    word = "\u0623\u062d\u0645\u062f\u064e"
    assert fold(f"{word} {word}") == f"{fold(word)} {fold(word)}"
    assert fold(word) == reference_fold(word)
