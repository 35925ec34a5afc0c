"""Cells as people type them, read into the values the profile stores.

Dates come as ``14/05/1990``, ``4/5/90``, ``1990-05-14``, real date cells or Excel
serial numbers; digits come Western, Arabic-Indic (``١٩٩٠``) or Eastern Arabic-Indic
(``۱۹۹۰``). An ambiguous date is never guessed: ``03/04/1990`` is read day first only
when another date of the same file proves the order (a first number above 12), and is
an error on its cell otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum

from app.i18n import _

_DIGITS = str.maketrans(
    {**{0x0660 + i: str(i) for i in range(10)}, **{0x06F0 + i: str(i) for i in range(10)}}
)
# Bidi marks Arabic spreadsheets leave around numbers, and the Arabic date separator.
_INVISIBLE = str.maketrans({c: None for c in "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e"})
_ARABIC_PUNCTUATION = str.maketrans({"\u066b": ".", "\u066c": ",", "\u060c": ","})
_ISO = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_DAY_MONTH = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})")
_SERIAL = re.compile(r"\d{5}(?:\.0+)?")
_EXCEL_EPOCH = date(1899, 12, 30)
_SERIAL_RANGE = (1, 2958465)  # 1900-01-01 .. 9999-12-31
_FORMULA_TRIGGERS = ("=", "+", "-", "@")
_CIN_SEPARATORS = re.compile(r"[\s\-./]+")


class DateOrder(Enum):
    """How a file writes ``NN/NN/YYYY`` dates, as far as its unambiguous dates tell."""

    DAY_FIRST = "day_first"
    MONTH_FIRST = "month_first"
    UNKNOWN = "unknown"


class CellError(ValueError):
    """The cell cannot be read; the message names no personal value."""


class AmbiguousDate(CellError):
    """A real date, but day and month could be swapped and the file does not say which."""


def clean_text(cell: object) -> str:
    """A cell as text: numbers typed as numbers give back their digits, marks dropped.

    A leading apostrophe that our own exports add before ``=``, ``+``, ``-`` or ``@``
    (so that spreadsheets do not run it) is removed again.
    """
    if type(cell) is str:
        text = cell
    elif isinstance(cell, bool):
        return str(cell)
    elif isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    elif isinstance(cell, datetime):
        return cell.date().isoformat() if cell.time() == datetime.min.time() else cell.isoformat()
    elif isinstance(cell, date):
        return cell.isoformat()
    else:
        text = str(cell)
    if not text.isascii():
        text = text.translate(_INVISIBLE)
    text = " ".join(text.split())
    if text.startswith("'") and text[1:].startswith(_FORMULA_TRIGGERS):
        text = text[1:]
    return text


def western_digits(text: str) -> str:
    """``٠٦٦١٢٣٤٥٦٧`` and ``۰۶۶۱`` become ``0661234567`` and ``0661``."""
    if text.isascii():
        return text
    return text.translate(_DIGITS).translate(_ARABIC_PUNCTUATION)


def identifier(cell: object) -> str:
    return western_digits(clean_text(cell))


def cin(cell: object) -> str:
    """``ab 123-456`` is ``AB123456``: spaces, dashes, dots and case do not count."""
    return _CIN_SEPARATORS.sub("", identifier(cell)).upper()


def day_month_pairs(cells: Iterable[object]) -> Iterable[tuple[int, int]]:
    """The two leading numbers of each ``NN/NN/YYYY`` text cell."""
    for cell in cells:
        if isinstance(cell, str):
            match = _DAY_MONTH.fullmatch(western_digits(clean_text(cell)))
            if match:
                yield int(match.group(1)), int(match.group(2))


def infer_order(pairs: Iterable[tuple[int, int]]) -> DateOrder:
    """Day first when some first number exceeds 12 and no second one does, and vice versa."""
    day_first = month_first = False
    for first, second in pairs:
        day_first = day_first or (first > 12 >= second)
        month_first = month_first or (second > 12 >= first)
    if day_first and not month_first:
        return DateOrder.DAY_FIRST
    if month_first and not day_first:
        return DateOrder.MONTH_FIRST
    return DateOrder.UNKNOWN


@dataclass(frozen=True)
class DateReader:
    """Reads the date cells of one file, with the order its other dates show.

    ``past_only``: a two-digit year is the latest year not in the future (birth dates);
    otherwise it is 20YY (release and intake dates).
    """

    order: DateOrder
    today: date

    def read(self, cell: object, *, past_only: bool) -> date:
        if isinstance(cell, datetime):
            return cell.date()
        if isinstance(cell, date):
            return cell
        if isinstance(cell, (int, float)) and not isinstance(cell, bool):
            return _serial(cell)
        text = western_digits(clean_text(cell))
        if _SERIAL.fullmatch(text):
            return _serial(float(text))
        iso = _ISO.fullmatch(text)
        if iso:
            return _make(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        match = _DAY_MONTH.fullmatch(text)
        if match is None:
            raise CellError(_("Not a date (expected DD/MM/YYYY or YYYY-MM-DD)."))
        first, second = int(match.group(1)), int(match.group(2))
        year = self._year(match.group(3), past_only=past_only)
        if first > 12 or first == second:
            return _make(year, second, first)
        if second > 12:
            return _make(year, first, second)
        if self.order is DateOrder.DAY_FIRST:
            return _make(year, second, first)
        if self.order is DateOrder.MONTH_FIRST:
            return _make(year, first, second)
        raise AmbiguousDate(
            _(
                "Ambiguous date: day and month could be swapped and no other date of the file "
                "tells the order. Write it as DD/MM/YYYY with a day above 12 elsewhere, or as "
                "YYYY-MM-DD."
            )
        )

    def _year(self, digits: str, *, past_only: bool) -> int:
        if len(digits) == 4:
            return int(digits)
        year = 2000 + int(digits)
        if past_only and year > self.today.year:
            year -= 100
        return year


def _make(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise CellError(_("This date does not exist.")) from None


def _serial(number: float) -> date:
    if not _SERIAL_RANGE[0] <= number <= _SERIAL_RANGE[1]:
        raise CellError(_("Not a date (expected DD/MM/YYYY or YYYY-MM-DD)."))
    return _EXCEL_EPOCH + timedelta(days=int(number))
