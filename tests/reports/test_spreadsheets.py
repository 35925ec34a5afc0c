"""Exports for the people who open them: French-locale CSV, RFC 4180 CSV for programs,
XLSX read by an independent reader (calamine), and no formula that can run.

A staff member, a facility and a partner named like formulas are pushed through every
CSV and XLSX the laptop writes (indicators, case list, access log); the server's access
log export is in tests/audit/test_export_formulas.py.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook
from sqlalchemy import update

from app.demo import DEMO_TODAY, fill_profile
from app.indicators import Period
from app.models import Facility, Partner, StaffMember
from app.reports import ExportFormat, write_case_list, write_indicators
from app.reports.spreadsheet import CsvDialect
from app.services import audit
from app.services.context import ServiceContext
from app.store.profile import Profile
from passerelle_core.enums import StaffRole
from passerelle_core.formulas import neutralise

FORMULAS = ('=HYPERLINK("http://x.invalid","Ouvrir")', "+212 6 40 93 56 53", "@SUM(A1:A9)")
OCTOBER = Period(date(2026, 10, 1), date(2026, 10, 31))


@pytest.fixture
def demo(profile: Profile, ctx: ServiceContext) -> ServiceContext:
    fill_profile(profile, 40, seed=11)
    return ServiceContext(profile.sessions, ctx.actor, today=lambda: DEMO_TODAY)


@pytest.fixture
def hostile(demo: ServiceContext, profile: Profile) -> ServiceContext:
    """Every facility, partner and staff member named like a formula."""
    with profile.sessions() as session, session.begin():
        session.execute(update(Facility).values(name=FORMULAS[0], name_ar=FORMULAS[0]))
        session.execute(update(Partner).values(name=FORMULAS[2], name_ar=FORMULAS[2]))
        session.execute(update(StaffMember).values(full_name=FORMULAS[0], full_name_ar=None))
    return demo


def _french_csv(path: Path) -> list[list[str]]:
    """As a French-locale spreadsheet reads it: BOM, ";" between cells."""
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with open(path, encoding="utf-8-sig", newline="") as file:
        return list(csv.reader(file, delimiter=";"))


def _cells(rows: list[list[str]]) -> set[str]:
    return {cell for row in rows for cell in row}


def _assert_inert(cells: set[str]) -> None:
    for formula in FORMULAS:
        assert formula not in cells
    assert not [cell for cell in cells if cell and cell[0] in "=+-@\t\r"]


def _assert_xlsx_inert(path: Path) -> set[str]:
    """Every text cell is a string (data type "s"), none starts like a formula."""
    found: set[str] = set()
    for sheet in openpyxl.load_workbook(path).worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", cell.coordinate
                if isinstance(cell.value, str):
                    assert cell.data_type == "s"
                    found.add(cell.value)
    _assert_inert(found)
    return found


def test_the_helper_neutralises_every_trigger() -> None:
    for first in ("=", "+", "-", "@", "\t", "\r"):
        assert neutralise(first + "1+1") == "'" + first + "1+1"
    assert neutralise("Tanger") == "Tanger"
    assert neutralise("") == ""


@pytest.mark.parametrize("dialect", list(CsvDialect))
def test_formula_names_stay_text_in_every_laptop_csv(
    hostile: ServiceContext,
    colleague: Callable[[StaffRole], ServiceContext],
    tmp_path: Path,
    dialect: CsvDialect,
) -> None:
    cases = write_case_list(hostile, tmp_path / "cases.csv", ExportFormat.CSV, dialect=dialect, k=1)
    indicators = write_indicators(
        hostile, OCTOBER, tmp_path / "i.csv", ExportFormat.CSV, dialect=dialect
    )
    delimiter = ";" if dialect is CsvDialect.EXCEL else ","
    for written in (cases, indicators):
        with open(written.path, encoding="utf-8-sig", newline="") as file:
            cells = _cells(list(csv.reader(file, delimiter=delimiter)))
        _assert_inert(cells)
        assert neutralise(FORMULAS[0]) in cells or neutralise(FORMULAS[2]) in cells

    supervisor = colleague(StaffRole.SUPERVISOR)
    log = tmp_path / "log.csv"
    audit.export_csv(supervisor, log)
    with open(log, encoding="utf-8", newline="") as file:
        cells = _cells(list(csv.reader(file)))
    _assert_inert(cells)
    assert neutralise(FORMULAS[0]) in cells


def test_formula_names_are_strings_in_every_xlsx(hostile: ServiceContext, tmp_path: Path) -> None:
    cases = write_case_list(hostile, tmp_path / "cases.xlsx", ExportFormat.XLSX, k=1)
    indicators = write_indicators(hostile, OCTOBER, tmp_path / "i.xlsx", ExportFormat.XLSX)
    assert neutralise(FORMULAS[0]) in _assert_xlsx_inert(cases.path)
    found = _assert_xlsx_inert(indicators.path)
    assert neutralise(FORMULAS[2]) in found or neutralise(FORMULAS[0]) in found


def test_the_french_csv_parses_with_french_settings(demo: ServiceContext, tmp_path: Path) -> None:
    written = write_indicators(demo, OCTOBER, tmp_path / "i.csv", ExportFormat.CSV)
    rows = _french_csv(written.path)
    header, body = rows[0], rows[1:]
    assert header[:2] == ["Indicateur (clé)", "Indicateur"]
    assert all(len(row) == len(header) for row in body)
    values = {row[0]: row[4] for row in body if row[2] == ""}
    per_head = values["sessions_per_beneficiary"]
    assert "," in per_head and "." not in per_head
    assert float(per_head.replace(",", ".")) > 0  # a decimal-comma parse
    share = next(row for row in body if row[7] == "part")
    assert 0 <= float(share[4].replace(",", ".")) <= 1
    assert int(values["followed"]) > 0


def test_the_rfc_csv_is_plain_for_programs(demo: ServiceContext, tmp_path: Path) -> None:
    written = write_indicators(
        demo, OCTOBER, tmp_path / "i.csv", ExportFormat.CSV, dialect=CsvDialect.RFC
    )
    raw = written.path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    with open(written.path, encoding="utf-8", newline="") as file:
        rows = list(csv.reader(file))
    values = {row[0]: row[4] for row in rows[1:] if row[2] == ""}
    assert float(values["sessions_per_beneficiary"]) > 0
    assert "," not in values["sessions_per_beneficiary"]


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_the_xlsx_reads_in_an_independent_reader(
    demo: ServiceContext, tmp_path: Path, language: str
) -> None:
    cases = write_case_list(demo, tmp_path / "c.xlsx", ExportFormat.XLSX, language=language, k=1)
    indicators = write_indicators(
        demo, OCTOBER, tmp_path / "i.xlsx", ExportFormat.XLSX, language=language
    )
    book = CalamineWorkbook.from_path(str(cases.path))
    assert len(book.sheet_names) == 2
    rows = book.get_sheet_by_index(0).to_python()
    header = rows[0]
    assert len(header) == 23
    months = [row[13] for row in rows[1:] if row[13] != ""]  # last assessment (month)
    assert months and all(isinstance(month, date) and month.day == 1 for month in months)
    about = dict((row[0], row[1]) for row in book.get_sheet_by_index(1).to_python())
    assert len(about) >= 4

    sheet = openpyxl.load_workbook(cases.path).worksheets[0]
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["D"].width >= 20
    assert sheet.sheet_view.rightToLeft == (language == "ar")

    book = CalamineWorkbook.from_path(str(indicators.path))
    rows = book.get_sheet_by_index(0).to_python()
    units = {row[7] for row in rows[1:]}
    assert "share" not in units and "count" not in units  # translated
    about = book.get_sheet_by_index(1).to_python()
    period = "01/10/2026"
    assert any(period in str(cell) for row in about for cell in row)


def test_the_csv_dialect_is_a_cli_option() -> None:
    from app.cli.parser import build_parser

    args = build_parser().parse_args(
        ["export", "--profile", "p", "--what", "cases", "--format", "csv", "--out", "x"]
        + ["--csv-dialect", "rfc"]
    )
    assert args.csv_dialect == "rfc"
