"""Cells as people type them: dates, digits and identifiers, without a database."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from app.services.import_values import (
    AmbiguousDate,
    CellError,
    DateOrder,
    DateReader,
    cin,
    clean_text,
    day_month_pairs,
    infer_order,
    western_digits,
)

TODAY = date(2026, 12, 6)


@pytest.mark.parametrize(
    ("cells", "order"),
    [
        (["25/12/1985", "03/04/1990"], DateOrder.DAY_FIRST),
        (["12/25/1985", "03/04/1990"], DateOrder.MONTH_FIRST),
        (["03/04/1990", "05/05/1991", "1990-12-25"], DateOrder.UNKNOWN),
        (["25/12/1985", "12/25/1985"], DateOrder.UNKNOWN),
        (["٢٥/١٢/١٩٨٥"], DateOrder.DAY_FIRST),
    ],
)
def test_the_order_comes_from_the_files_unambiguous_dates(
    cells: list[str], order: DateOrder
) -> None:
    assert infer_order(day_month_pairs(cells)) is order


@pytest.mark.parametrize(
    ("cell", "past_only", "expected"),
    [
        ("14/05/1990", True, date(1990, 5, 14)),
        ("14.05.1990", True, date(1990, 5, 14)),
        ("4/5/90", True, date(1990, 5, 4)),
        ("4/5/26", True, date(2026, 5, 4)),  # this year is not the future
        ("4/5/27", True, date(1927, 5, 4)),
        ("4/5/27", False, date(2027, 5, 4)),  # release and intake dates: 20YY
        ("1990-05-14", True, date(1990, 5, 14)),
        ("1990-05-14 00:00:00", True, date(1990, 5, 14)),
        ("١٩٩٠-٠٥-١٤", True, date(1990, 5, 14)),
        ("۱۴/۰۵/۱۹۹۰", True, date(1990, 5, 14)),
        ("\u200f14/05/1990\u200f", True, date(1990, 5, 14)),
        (32977, True, date(1990, 4, 14)),
        (32977.75, True, date(1990, 4, 14)),
        ("32977", True, date(1990, 4, 14)),
        (datetime(1990, 5, 14, 8, 30), True, date(1990, 5, 14)),
        ("05/05/1990", True, date(1990, 5, 5)),
    ],
)
def test_dates_as_typed(cell: object, past_only: bool, expected: date) -> None:
    reader = DateReader(DateOrder.DAY_FIRST, TODAY)
    assert reader.read(cell, past_only=past_only) == expected


def test_an_ambiguous_date_is_read_only_when_the_file_tells_the_order() -> None:
    with pytest.raises(AmbiguousDate):
        DateReader(DateOrder.UNKNOWN, TODAY).read("03/04/1990", past_only=True)
    day_first = DateReader(DateOrder.DAY_FIRST, TODAY).read("03/04/1990", past_only=True)
    month_first = DateReader(DateOrder.MONTH_FIRST, TODAY).read("03/04/1990", past_only=True)
    assert (day_first, month_first) == (date(1990, 4, 3), date(1990, 3, 4))


@pytest.mark.parametrize("cell", ["31/02/1990", "14-05", "1990", "demain", 0, -3, "1990-13-01"])
def test_what_is_not_a_date_is_an_error(cell: object) -> None:
    with pytest.raises(CellError):
        DateReader(DateOrder.DAY_FIRST, TODAY).read(cell, past_only=True)


def test_digits_identifiers_and_text() -> None:
    assert western_digits("٠٦٦١٢٣٤٥٦٧ / ۰۶۶۱") == "0661234567 / 0661"
    assert cin("ab 123-456") == cin("AB.123456") == cin("ab١٢٣٤٥٦") == "AB123456"
    assert clean_text(612345678.0) == "612345678"
    assert clean_text("  Karim   El  Alaoui ") == "Karim El Alaoui"
    assert clean_text("'+212661000000") == "+212661000000"
    assert clean_text("'Ouarzazate") == "'Ouarzazate"
