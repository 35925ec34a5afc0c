"""Spreadsheet exports: the indicators of a period, and the anonymised case list.

Two formats. CSV is for other programs: comma-separated, UTF-8 with a byte-order mark
(so Excel reads Arabic right), ISO dates, dot decimals, shares as fractions of 1. XLSX
is for people: typed numbers, percentages formatted, a sheet that reads right-to-left
in Arabic, and an "About" sheet saying what, when and for whom. Both are written row by
row (openpyxl's write-only mode) and whole or not at all.

The indicator rows are those of ``app.reports.indicator_rows``, the same the activity
report prints: a figure cannot differ between the PDF and a spreadsheet.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from app.indicators import Period, Scope, compute
from app.models import AccessAction
from app.models.enums import CaseStatus, LegalStatus, PlanStatus, Sex
from app.reports import indicator_rows
from app.reports.case_list import CaseRow, case_rows
from app.reports.files import replacing
from app.reports.indicator_rows import IndicatorRow, Unit
from app.reports.language import DocumentLanguage
from app.reports.read_ahead import read_ahead
from app.reports.scope import describe
from app.services import audit
from app.services.context import ServiceContext

Value = str | int | float | None


class ExportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


@dataclass(frozen=True)
class Export:
    path: Path
    rows: int


@dataclass(frozen=True)
class _Table:
    title: str
    header: list[str]
    rows: Iterable[Sequence[Value]]
    about: list[tuple[str, str]]
    shares: int | None = None
    """The column holding a fraction of 1 on rows whose last cell says "share"."""


def write_indicators(
    ctx: ServiceContext,
    period: Period,
    out: Path,
    export_format: ExportFormat,
    scope: Scope | None = None,
    language: str = "fr",
) -> Export:
    """Every indicator of the period, one figure a row (the export is access-logged)."""
    scope = scope or Scope()
    lang = DocumentLanguage(language)
    _ = lang.gettext
    names = describe(ctx, scope)
    found = indicator_rows.rows(compute(ctx, period, scope), lang)
    header = [
        _("Indicator (key)"),
        _("Indicator"),
        _("Breakdown (key)"),
        _("Breakdown"),
        _("Value"),
        _("Part"),
        _("Whole"),
        _("Unit"),
    ]
    table = _Table(
        title=_("Indicators"),
        header=header,
        rows=(_indicator_cells(row) for row in found),
        about=_about(lang, period, names.label(lang), names.today),
        shares=4,
    )
    done = _write(table, out, export_format, lang, count=len(found))
    audit.record_access(ctx, AccessAction.EXPORT, "indicators")
    return done


def _indicator_cells(row: IndicatorRow) -> list[Value]:
    value: Value = row.value
    if isinstance(value, float) and row.unit is not Unit.SHARE:
        value = round(value, 2)
    return [
        row.indicator,
        row.label,
        row.breakdown,
        row.breakdown_label,
        value,
        row.part,
        row.whole,
        row.unit.value,
    ]


def write_case_list(
    ctx: ServiceContext,
    out: Path,
    export_format: ExportFormat,
    period: Period | None = None,
    scope: Scope | None = None,
    language: str = "fr",
) -> Export:
    """The anonymised case list (see ``app.reports.case_list`` for what it leaves out);
    the export is recorded in the access log."""
    scope = scope or Scope()
    lang = DocumentLanguage(language)
    _ = lang.gettext
    names = describe(ctx, scope)
    counter = _Counter(read_ahead(case_rows(ctx, period, scope)))
    table = _Table(
        title=_("Cases"),
        header=_case_header(lang),
        rows=map(_CaseCells(lang), counter),
        about=_about(lang, period, names.label(lang), names.today, anonymised=True),
    )
    done = _write(table, out, export_format, lang, counter=counter)
    audit.record_access(ctx, AccessAction.EXPORT, "case_list")
    return done


class _Counter:
    """Counts the rows of a stream as they go by (the case list is never held whole)."""

    def __init__(self, rows: Iterable[CaseRow]) -> None:
        self.rows = rows
        self.count = 0

    def __iter__(self) -> Iterator[CaseRow]:
        for row in self.rows:
            self.count += 1
            yield row


def _case_header(lang: DocumentLanguage) -> list[str]:
    _ = lang.gettext
    return [
        _("No."),
        _("Birth year"),
        _("Sex"),
        _("Facility"),
        _("Legal status"),
        _("Case status"),
        _("Intake (month)"),
        _("Release (month)"),
        _("Plan status"),
        _("Goals in progress"),
        _("Goals achieved"),
        _("Goals abandoned"),
        _("Priority domains"),
        _("Last assessment (month)"),
        _("Sessions"),
        _("Referrals"),
        _("Referrals completed"),
        _("6 months: in work or training"),
        _("6 months: housing secured"),
        _("6 months: re-incarcerated"),
        _("12 months: in work or training"),
        _("12 months: housing secured"),
        _("12 months: re-incarcerated"),
    ]


class _CaseCells:
    """Turns anonymised rows into cells, every label translated once per export (not once
    per row: the list may have 50,000 rows)."""

    def __init__(self, lang: DocumentLanguage) -> None:
        _ = lang.gettext
        self.rtl = lang.rtl
        self.labels: dict[str | None, str] = {None: ""}
        for enum in (Sex, LegalStatus, CaseStatus, PlanStatus):
            self.labels.update({member.value: lang.label(member) for member in enum})
        self.no_plan = _("No plan")
        self.facts: dict[bool | None, str] = {True: _("yes"), False: _("no"), None: ""}
        self.domains: dict[str, str] = {}
        self.domain_name = lang.domain
        self.separator = "؛ " if lang.rtl else "; "

    def domain(self, domain_id: str) -> str:
        found = self.domains.get(domain_id)
        if found is None:
            found = self.domains[domain_id] = self.domain_name(domain_id)
        return found

    def __call__(self, row: CaseRow) -> list[Value]:
        labels, facts = self.labels, self.facts
        six = row.outcome_6 or (None, None, None)
        twelve = row.outcome_12 or (None, None, None)
        return [
            row.number,
            row.birth_year,
            labels[row.sex],
            (row.facility_ar if self.rtl and row.facility_ar else row.facility) or "",
            labels[row.legal_status],
            labels[row.case_status],
            row.intake_month or "",
            row.release_month or "",
            labels[row.plan_status] if row.plan_status else self.no_plan,
            row.goals_open,
            row.goals_achieved,
            row.goals_abandoned,
            self.separator.join(map(self.domain, row.priority_domains)),
            row.last_assessment_month or "",
            row.sessions,
            row.referrals,
            row.referrals_completed,
            *(facts[fact] for fact in six),
            *(facts[fact] for fact in twelve),
        ]


def _about(
    lang: DocumentLanguage,
    period: Period | None,
    scope: str,
    today: date,
    anonymised: bool = False,
) -> list[tuple[str, str]]:
    _ = lang.gettext
    if period is None:
        dates = _("All dates")
    else:
        start, end = lang.short_date(period.start), lang.short_date(period.end)
        dates = _("From {start} to {end}").format(start=start, end=end)
    lines = [(_("Period"), dates), (_("Scope"), scope), (_("Exported on"), lang.short_date(today))]
    if anonymised:
        note = _(
            "No names, no identity or registration numbers, birth year only; only "
            "beneficiaries who consented to anonymised statistics."
        )
        lines.append((_("Anonymised"), note))
    return lines


def _write(
    table: _Table,
    out: Path,
    export_format: ExportFormat,
    lang: DocumentLanguage,
    *,
    count: int | None = None,
    counter: _Counter | None = None,
) -> Export:
    with replacing(out) as temporary:
        if export_format is ExportFormat.CSV:
            _write_csv(table, temporary)
        else:
            _write_xlsx(table, temporary, lang)
    rows = counter.count if counter is not None else count or 0
    return Export(Path(out), rows)


def _write_csv(table: _Table, path: Path) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(table.header)
        writer.writerows(["" if value is None else value for value in row] for row in table.rows)


def _write_xlsx(table: _Table, path: Path, lang: DocumentLanguage) -> None:
    _ = lang.gettext
    workbook = Workbook(write_only=True)
    sheet: WriteOnlyWorksheet = workbook.create_sheet(table.title[:31])
    sheet.sheet_view.rightToLeft = lang.rtl
    bold = Font(bold=True)
    header = []
    for text in table.header:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in table.rows:
        cells: list[Any] = [None if value == "" else value for value in row]  # no empty cells
        if table.shares is not None and cells[-1] == Unit.SHARE.value:
            share = WriteOnlyCell(sheet, value=cells[table.shares])
            share.number_format = "0.0%"
            cells[table.shares] = share
        sheet.append(cells)
    about: WriteOnlyWorksheet = workbook.create_sheet(_("About")[:31])
    about.sheet_view.rightToLeft = lang.rtl
    for label, text in table.about:
        about.append([label, text])
    workbook.save(path)
