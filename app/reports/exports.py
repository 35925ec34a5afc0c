"""Spreadsheet exports: the indicators of a period, and the anonymised case list.

Two formats, written by ``app.reports.spreadsheet``: CSV for French-locale spreadsheets
by default (``;``, decimal comma, BOM) or plain RFC 4180 for programs, ISO dates,
shares as fractions of 1; XLSX for people (typed numbers and months, percentages,
frozen header, right-to-left in Arabic, an "About" sheet). Both are written row by row
and whole or not at all; text cells are neutralised against formula injection.

The indicator rows are those of ``app.reports.indicator_rows``, the same the activity
report prints: a figure cannot differ between the PDF and a spreadsheet.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from app.i18n import N_
from app.indicators import Period, Scope, compute
from app.models import AccessAction
from app.reports import indicator_rows
from app.reports.anonymity import Quasi, Shown, anonymise, small_cell
from app.reports.case_list import CaseRow, case_rows
from app.reports.files import replacing
from app.reports.formats import ExportFormat
from app.reports.indicator_rows import IndicatorRow, Unit
from app.reports.language import DocumentLanguage
from app.reports.read_ahead import read_ahead
from app.reports.scope import describe
from app.reports.spreadsheet import CsvDialect, Kind, Table, Value, write_csv, write_xlsx
from app.services import audit
from app.services.context import ServiceContext
from app.sync.policy import read_policy
from passerelle_core.enums import CaseStatus, LegalStatus, PlanStatus, Sex

UNIT_LABELS = {
    Unit.COUNT: N_("count"),
    Unit.SHARE: N_("share"),
    Unit.DAYS: N_("days"),
    Unit.RATIO: N_("ratio"),
}
N, T, M = Kind.NUMBER, Kind.TEXT, Kind.MONTH
CASE_KINDS = [N, T, T, T, T, T, T, T, T, N, N, N, T, M, N, N, N]
"""The case list's columns (see :func:`_case_header`); the outcome columns are text."""


@dataclass(frozen=True)
class Export:
    path: Path
    rows: int
    k: int | None = None
    """The case list's k (every quasi-identifier combination shared by k rows or more)."""
    suppressed: int = 0
    """Case list rows left out because they stayed too rare."""


def write_indicators(
    ctx: ServiceContext,
    period: Period,
    out: Path,
    export_format: ExportFormat,
    scope: Scope | None = None,
    language: str = "fr",
    dialect: CsvDialect = CsvDialect.EXCEL,
    k: int | None = None,
) -> Export:
    """Every indicator of the period, one figure a row (the export is access-logged);
    small cells of the breakdowns read "< k" (the administration's k unless given)."""
    scope = scope or Scope()
    lang = DocumentLanguage(language)
    _ = lang.gettext
    names = describe(ctx, scope)
    found = indicator_rows.rows(compute(ctx, period, scope), lang)
    if k is None:
        with ctx.reading() as session:
            k = read_policy(session.connection()).anonymity_k
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
    units = {unit: _(UNIT_LABELS[unit]) for unit in Unit}
    table = Table(
        title=_("Indicators"),
        header=header,
        rows=(_indicator_cells(row, units, k) for row in found),
        about=_about(lang, period, names.label(lang), names.today),
        kinds=[Kind.TEXT, Kind.TEXT, Kind.TEXT, Kind.TEXT, Kind.NUMBER, Kind.NUMBER, Kind.NUMBER],
        shares=4,
        share_flag=(7, units[Unit.SHARE]),
        widths={0: 24, 1: 46, 2: 24, 3: 36},
    )
    done = _write(table, out, export_format, lang, dialect, count=len(found))
    audit.record_access(ctx, AccessAction.EXPORT, "indicators")
    return done


def _indicator_cells(row: IndicatorRow, units: dict[Unit, str], k: int) -> list[Value]:
    """A row's cells; in a breakdown, a count of 1 to k-1 people reads "< k" (a small
    cell can single a person out), and so does a share counted on so few."""
    value: Value = row.value
    part: Value = row.part
    whole: Value = row.whole
    if isinstance(value, float) and row.unit is not Unit.SHARE:
        value = round(value, 2)
    hidden = f"< {k}"
    if row.breakdown and row.unit is Unit.COUNT and small_cell(int(row.value or 0), k):
        value = hidden
    if row.breakdown and row.unit is Unit.SHARE:
        if small_cell(row.part or 0, k) or small_cell(row.whole or 0, k):
            value = None
            part = hidden if small_cell(row.part or 0, k) else part
            whole = hidden if small_cell(row.whole or 0, k) else whole
    return [
        row.indicator,
        row.label,
        row.breakdown,
        row.breakdown_label,
        value,
        part,
        whole,
        units[row.unit],
    ]


def write_case_list(
    ctx: ServiceContext,
    out: Path,
    export_format: ExportFormat,
    period: Period | None = None,
    scope: Scope | None = None,
    language: str = "fr",
    dialect: CsvDialect = CsvDialect.EXCEL,
    k: int | None = None,
) -> Export:
    """The anonymised case list (see ``app.reports.case_list`` for what it leaves out),
    k-anonymous with the administration's ``k`` unless one is given (see
    ``app.reports.anonymity``); the export is recorded in the access log."""
    scope = scope or Scope()
    lang = DocumentLanguage(language)
    _ = lang.gettext
    names = describe(ctx, scope)
    if k is None:
        with ctx.reading() as session:
            k = read_policy(session.connection()).anonymity_k
    cases = list(read_ahead(case_rows(ctx, period, scope)))
    cells = _CaseCells(lang)
    found = anonymise([cells.quasi(row) for row in cases], k, names.today.year)
    rows = (
        cells(number, cases[index], shown)
        for number, (index, shown) in enumerate(zip(found.kept, found.shown, strict=True), 1)
    )
    about = _about(lang, period, names.label(lang), names.today, anonymised=True)
    rule = _(
        "Every combination of age band, sex, place, intake and release periods is shared "
        "by at least {k} rows."
    )
    about += [
        (_("k-anonymity"), rule.format(k=k)),
        (_("Rows left out"), lang.number(found.suppressed)),
    ]
    table = Table(
        title=_("Cases"),
        header=_case_header(lang),
        rows=rows,
        about=about,
        kinds=CASE_KINDS,
        widths={3: 30, 12: 40},
    )
    done = _write(table, out, export_format, lang, dialect, count=len(found.kept))
    audit.record_access(ctx, AccessAction.EXPORT, "case_list")
    return replace(done, k=k, suppressed=found.suppressed)


def _case_header(lang: DocumentLanguage) -> list[str]:
    _ = lang.gettext
    return [
        _("No."),
        _("Age band"),
        _("Sex"),
        _("Facility or region"),
        _("Legal status"),
        _("Case status"),
        _("Intake (period)"),
        _("Release (period)"),
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
        self.quarter = _("{year}-Q{quarter}")

    def quasi(self, row: CaseRow) -> Quasi:
        facility = (row.facility_ar if self.rtl and row.facility_ar else row.facility) or None
        return Quasi(
            row.birth_year, row.sex, facility, row.region, row.intake_month, row.release_month
        )

    def period(self, text: str | None) -> str:
        """ "2026-Q4" in the export's words ("2026-T4"); a year as it is."""
        if not text:
            return ""
        if "-Q" not in text:
            return text
        year, quarter = text.split("-Q")
        return self.quarter.format(year=year, quarter=quarter)

    def domain(self, domain_id: str) -> str:
        found = self.domains.get(domain_id)
        if found is None:
            found = self.domains[domain_id] = self.domain_name(domain_id)
        return found

    def __call__(self, number: int, row: CaseRow, shown: Shown) -> list[Value]:
        labels, facts = self.labels, self.facts
        six = row.outcome_6 or (None, None, None)
        twelve = row.outcome_12 or (None, None, None)
        return [
            number,
            f"{shown.age[0]}–{shown.age[1]}" if shown.age else "",
            labels[shown.sex],
            shown.place or "",
            labels[row.legal_status],
            labels[row.case_status],
            self.period(shown.intake),
            self.period(shown.release),
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
            "No names, no identity or registration numbers, age bands instead of birth "
            "dates; only beneficiaries who consented to anonymised statistics."
        )
        lines.append((_("Anonymised"), note))
    return lines


def _write(
    table: Table,
    out: Path,
    export_format: ExportFormat,
    lang: DocumentLanguage,
    dialect: CsvDialect,
    *,
    count: int,
) -> Export:
    with replacing(out) as temporary:
        if export_format is ExportFormat.CSV:
            write_csv(table, temporary, dialect)
        else:
            write_xlsx(table, temporary, rtl=lang.rtl, about_title=lang.gettext("About"))
    return Export(Path(out), count)
