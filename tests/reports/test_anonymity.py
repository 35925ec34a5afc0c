"""Anonymised means anonymous: the smallest group of every export, measured on demo data of
several sizes.

The case list's quasi-identifier columns (age band, sex, place, intake and release
periods) are read back from the written file, as whoever receives it would, and grouped:
no group may be smaller than k. Indicator breakdowns show a count of 1 to k-1 people as
"< k".
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from app.demo import DEMO_TODAY, fill_profile
from app.indicators import Period
from app.reports import ExportFormat, write_case_list, write_indicators
from app.reports.anonymity import Quasi, anonymise, smallest_group
from app.services.context import ServiceContext
from app.store.profile import Profile

QUASI_COLUMNS = (1, 2, 3, 6, 7)
"""Age band, sex, place, intake period, release period."""
YEAR = Period(date(2026, 1, 1), date(2026, 10, 31))

Demo = Callable[[int], ServiceContext]


@pytest.fixture
def demo(profile: Profile, ctx: ServiceContext) -> Demo:
    def make(size: int) -> ServiceContext:
        fill_profile(profile, size, seed=17)
        return ServiceContext(profile.sessions, ctx.actor, today=lambda: DEMO_TODAY)

    return make


def _read(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as file:
        return list(csv.reader(file, delimiter=";"))


@pytest.mark.parametrize(("size", "k"), [(60, 5), (240, 5), (240, 10)])
def test_the_case_list_has_no_group_smaller_than_k(
    demo: Demo, tmp_path: Path, size: int, k: int
) -> None:
    ctx = demo(size)
    written = write_case_list(ctx, tmp_path / "cases.csv", ExportFormat.CSV, k=k)
    rows = _read(written.path)[1:]
    assert len(rows) == written.rows and written.k == k
    quasi = [[row[column] for column in QUASI_COLUMNS] for row in rows]
    assert smallest_group(quasi) >= k or not rows
    assert written.suppressed < size  # something is left to count

    book = CalamineWorkbook.from_path(
        str(write_case_list(ctx, tmp_path / "c.xlsx", ExportFormat.XLSX, k=k).path)
    )
    about = {row[0]: row[1] for row in book.get_sheet_by_index(1).to_python()}
    assert str(k) in about["k-anonymat"]
    assert about["Lignes retirées"] == str(written.suppressed)


def test_a_list_unique_on_its_facts_is_generalised_then_suppressed() -> None:
    # 30 people, each unique on birth year + facility + intake month: the raw list would
    # single out every one of them.
    rows = [
        Quasi(1980 + i % 30, "male", f"Prison {i % 3}", "Tanger", f"2025-{i % 12 + 1:02d}", None)
        for i in range(30)
    ]
    assert smallest_group([tuple(row) for row in rows]) == 1
    found = anonymise(rows, 5, 2026)
    assert smallest_group([tuple(shown) for shown in found.shown]) >= 5
    assert found.step.place != "facility"
    assert found.suppressed + len(found.kept) == 30


def test_small_cells_of_indicator_breakdowns_read_below_k(demo: Demo, tmp_path: Path) -> None:
    ctx = demo(60)
    written = write_indicators(ctx, YEAR, tmp_path / "i.csv", ExportFormat.CSV)
    rows = _read(written.path)[1:]
    breakdowns = [row for row in rows if row[2] and row[7] == "nombre"]
    shown = {row[4] for row in breakdowns}
    assert "< 5" in shown
    for value in shown - {"< 5"}:
        assert int(value) == 0 or int(value) >= 5
