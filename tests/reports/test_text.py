"""Right-to-left and mixed text: wrapped in logical order, each line laid out visually."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.reports import bidi
from app.reports.read_ahead import read_ahead
from app.reports.text import Layout, Line, TextStyle

ARABIC = TextStyle(size=10, leading=15, rtl=True)
FRENCH = TextStyle(size=10, leading=14)
SENTENCE = (
    "يلتزم المستفيد بالبحث عن سكن قبل الإفراج ويتابع تكوينا مهنيا في النجارة "
    "بمساعدة المرشد الاجتماعي والجمعية الشريكة"
)


def _runs_left_to_right(line: Line) -> list[str]:
    """The text of each run, from the left of the page; blank runs left out."""
    ordered = sorted(line.runs, key=lambda placed: placed.x)
    return [placed.run.text.strip() for placed in ordered if placed.run.text.strip()]


def test_visual_order_reverses_right_to_left_levels() -> None:
    assert bidi.visual_order([0, 0, 0]) == [0, 1, 2]
    assert bidi.visual_order([1, 1, 1]) == [2, 1, 0]
    assert bidi.visual_order([0, 1, 1, 0]) == [0, 2, 1, 3]
    assert bidi.visual_order([1, 2, 1]) == [2, 1, 0]  # a number inside Arabic stays LTR inside


def test_a_paragraph_takes_the_direction_of_its_first_letter() -> None:
    assert bidi.base_rtl("محمد El Amrani", default=False)
    assert not bidi.base_rtl("Obtenir une couverture (AMO)", default=True)
    assert bidi.base_rtl("12/05/2026", default=True)
    assert bidi.clean("a\u202eb\tc\x07") == "ab c"


def test_arabic_wraps_first_words_on_the_first_line_read_from_the_right() -> None:
    lines = Layout(ARABIC).lines(SENTENCE, 150)
    assert len(lines) >= 3
    # One run per line (all Arabic): the first line holds the start of the sentence.
    texts = [line.runs[0].run.text for line in lines]
    assert " ".join(texts) == SENTENCE
    assert texts[0].startswith("يلتزم المستفيد")
    assert all(line.width <= 150 for line in lines)


def test_a_latin_name_in_an_arabic_sentence_sits_where_it_is_read() -> None:
    line = Layout(ARABIC).line("المستفيد Mohamed El Amrani يتابع تكوينا")
    # Right to left: "المستفيد" rightmost, then the name (read left to right), then the rest.
    assert _runs_left_to_right(line) == ["يتابع تكوينا", "Mohamed El Amrani", "المستفيد"]


def test_an_arabic_name_in_a_french_sentence_keeps_its_own_order() -> None:
    line = Layout(FRENCH).line("Bénéficiaire : محمد العمراني (né en 1990)")
    runs = _runs_left_to_right(line)
    assert runs == ["Bénéficiaire :", "محمد العمراني", "(né en 1990)"]


def test_a_word_too_long_for_the_line_is_cut_not_lost() -> None:
    word = "x" * 80
    lines = Layout(FRENCH).lines(word, 60)
    assert len(lines) > 1
    assert "".join(line.runs[0].run.text for line in lines) == word


def test_fit_shortens_with_an_ellipsis() -> None:
    layout = Layout(FRENCH)
    label = "Santé mentale, bien-être émotionnel et risque pour soi"
    short = layout.fit(label, 120)
    assert short.endswith("…") and layout.width(short) <= 120
    assert layout.fit("Logement", 120) == "Logement"


def test_read_ahead_hands_over_every_row_and_errors() -> None:
    assert list(read_ahead(iter(range(2500)), batch=100)) == list(range(2500))

    def failing() -> Iterator[int]:
        yield 1
        raise RuntimeError("disk")

    with pytest.raises(RuntimeError, match="disk"):
        list(read_ahead(failing(), batch=1))


def test_read_ahead_closes_the_source_when_the_reader_stops() -> None:
    closed = []

    def source() -> Iterator[int]:
        try:
            yield from range(100_000)
        finally:
            closed.append(True)

    rows = read_ahead(source(), batch=10, depth=2)
    assert next(rows) == 0
    rows.close()  # type: ignore[attr-defined]
    assert closed == [True]
