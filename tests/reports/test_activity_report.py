"""The activity report, its exports, and the agreement of their figures."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from app.demo import DEMO_TODAY, fill_profile
from app.indicators import Period, Scope, compute
from app.models import Beneficiary, Facility
from app.reports import (
    ExportFormat,
    NothingToReport,
    write_activity_report,
    write_indicators,
)
from app.reports.indicator_rows import HEADLINE, Unit, headline
from app.reports.language import DocumentLanguage
from app.services.context import ServiceContext
from app.store.profile import Profile
from tests.reports.conftest import has_words, page_count, pdf_text

OCTOBER = Period(date(2026, 10, 1), date(2026, 10, 31))


@pytest.fixture
def demo(profile: Profile, ctx: ServiceContext) -> ServiceContext:
    """Forty demo cases; "today" is the demo's, so the period is the month just ended."""
    fill_profile(profile, 40, seed=5)
    return ServiceContext(profile.sessions, ctx.actor, today=lambda: DEMO_TODAY)


def _csv(path: Path) -> list[list[str]]:
    """Read as a French-locale spreadsheet does: ";" between cells, decimal comma."""
    with open(path, encoding="utf-8-sig", newline="") as file:
        return [[cell.replace(",", ".") for cell in row] for row in csv.reader(file, delimiter=";")]


def _xlsx(path: Path) -> list[tuple[object, ...]]:
    return list(openpyxl.load_workbook(path, read_only=True).worksheets[0].values)


def test_pdf_csv_and_xlsx_show_the_same_figures(demo: ServiceContext, out: Path) -> None:
    french = DocumentLanguage("fr")
    figures = compute(demo, OCTOBER)
    assert figures.followed > 0 and figures.sessions > 0
    pdf = pdf_text(write_activity_report(demo, OCTOBER, out / "activity.pdf", language="fr"))
    written = write_indicators(demo, OCTOBER, out / "indicators.csv", ExportFormat.CSV)
    spreadsheet = write_indicators(demo, OCTOBER, out / "indicators.xlsx", ExportFormat.XLSX)
    csv_rows = {(row[0], row[2]): row for row in _csv(written.path)[1:]}
    xlsx_rows = {(row[0], row[2] or ""): row for row in _xlsx(spreadsheet.path)[1:]}
    assert written.rows == spreadsheet.rows == len(csv_rows) == len(xlsx_rows)

    for row in headline(figures, french):
        assert row.indicator in HEADLINE
        assert f"{row.label}\n" in pdf or row.label in pdf
        assert row.shown(french) in pdf
        in_csv, in_xlsx = csv_rows[(row.indicator, "")], xlsx_rows[(row.indicator, "")]
        if row.value is None:
            assert in_csv[4] == "" and in_xlsx[4] is None
        elif row.unit is Unit.COUNT:
            assert int(in_csv[4]) == in_xlsx[4] == row.value
        else:
            assert float(in_csv[4]) == pytest.approx(row.value, abs=0.005)
            assert in_xlsx[4] == pytest.approx(row.value, abs=0.005)
            assert french.decimal(float(in_csv[4])) in pdf or row.unit is Unit.SHARE
        if row.unit is Unit.SHARE:
            assert (int(in_csv[5]), int(in_csv[6])) == (row.part, row.whole)
    assert int(csv_rows[("followed", "")][4]) == figures.followed
    assert int(csv_rows[("sessions", "")][4]) == figures.sessions


def test_report_counts_pages_and_names_its_scope(demo: ServiceContext, out: Path) -> None:
    busiest = (
        select(Facility.id, Facility.name)
        .join(Beneficiary, Beneficiary.facility_id == Facility.id)
        .group_by(Facility.id, Facility.name)
        .order_by(func.count().desc())
        .limit(1)
    )
    with demo.reading() as session:
        facility_id, name = session.execute(busiest).one()
    scope = Scope(facility_id=facility_id)
    path = write_activity_report(demo, OCTOBER, out / "activity.pdf", scope, "fr")
    text = pdf_text(path)
    pages = page_count(path)
    label = DocumentLanguage("fr").gettext("Page {page} of {pages}")
    assert pages >= 2
    assert label.format(page=1, pages=pages) in text
    assert label.format(page=pages, pages=pages) in text
    assert name in text


def test_arabic_report_has_arabic_headings_and_domains(demo: ServiceContext, out: Path) -> None:
    arabic = DocumentLanguage("ar")
    text = pdf_text(write_activity_report(demo, OCTOBER, out / "activity-ar.pdf", language="ar"))
    assert arabic.gettext("Activity report") in text
    assert arabic.gettext("Key figures") in text
    figures = compute(demo, OCTOBER)
    for need in figures.needs:
        if need.beneficiaries:
            assert has_words(text, arabic.domain(need.domain_id))
    assert arabic.number(figures.followed) in text


@pytest.mark.parametrize(
    "period",
    [Period(date(2001, 1, 1), date(2001, 1, 31)), Period(date(2027, 1, 1), date(2027, 1, 31))],
    ids=["nothing-happened", "not-begun"],
)
def test_a_period_without_activity_is_refused(
    demo: ServiceContext, out: Path, period: Period
) -> None:
    with pytest.raises(NothingToReport):
        write_activity_report(demo, period, out / "activity.pdf")
    assert list(out.iterdir()) == []
