"""Number-like runs keep their order inside Arabic text once isolated (the interface's
text and terminal output); a reference implementation of the Unicode Bidirectional
Algorithm (python-bidi) shows what a reader would see."""

from __future__ import annotations

from bidi import get_display

from app.bidi_runs import LRI, PDI, isolate_numbers

SENTENCE = "طبقا للقانون 09-08، الهاتف 06 40 93 56 53 بنسبة 45,3 % بتاريخ 12/03/2026 عدد < 5"


def _seen(text: str) -> str:
    return get_display(text).replace(LRI, "").replace(PDI, "")


def test_without_isolates_the_algorithm_swaps_digit_groups() -> None:
    assert "08-09" in _seen(SENTENCE)  # the bug the reviewer found


def test_isolated_runs_read_left_to_right() -> None:
    seen = _seen(isolate_numbers(SENTENCE))
    for run in ("09-08", "06 40 93 56 53", "45,3 %", "12/03/2026", "< 5"):
        assert run in seen
    assert "08-09" not in seen


def test_latin_text_is_left_alone() -> None:
    assert isolate_numbers("Loi 09-08, tél. 06 40 93 56 53") == "Loi 09-08, tél. 06 40 93 56 53"
