"""Number-like runs in right-to-left text: found once, isolated everywhere.

A law reference ("09-08"), a phone number ("06 40 93 56 53"), a date, a registration
number, a percentage ("45,3 %") or an amount must read left to right as one unit inside
Arabic text; left to the Unicode Bidirectional Algorithm, digit groups joined by a
hyphen or a space swap places after Arabic letters ("08-09"). Printed documents give
such runs a left-to-right level of their own (``app.reports.text``); text shown by Qt
or written to a terminal wraps them in Unicode isolates with :func:`isolate_numbers`.
Qt-free, used by reports and views alike.
"""

from __future__ import annotations

import re

NUMBER_RUN = re.compile(
    r"(?:[<>\u2264\u2265][ \u00a0]?)?"  # "< 5"
    r"\+?\d(?:[\d ./:,\-\u2013\u00a0\u202f]*\d)?"  # "06 40 93 56 53", "09-08", "12/03/2026"
    r"(?:[ \u00a0\u202f]?%)?"  # "45,3 %"
)
"""Digits, with what belongs to them: separators inside, a sign or a comparison before
("< 5", the small cells of anonymised breakdowns), a percent sign after."""
LRI, PDI = "\u2066", "\u2069"
"""Left-to-right isolate and pop directional isolate (Unicode 6.3)."""


def isolate_numbers(text: str) -> str:
    """``text`` with each number-like run wrapped in a left-to-right isolate; text
    without right-to-left letters is returned unchanged (nothing to protect)."""
    if not _has_rtl(text):
        return text
    return NUMBER_RUN.sub(lambda match: f"{LRI}{match.group()}{PDI}", text)


def _has_rtl(text: str) -> bool:
    return any("\u0590" <= char <= "\u08ff" or "\ufb1d" <= char <= "\ufefc" for char in text)
