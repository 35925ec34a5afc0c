"""The activity report: a period's indicators for a facility, a team or the whole profile,
as supervisors send them to the central administration every month.

Every number comes from ``app.indicators`` (the same module as the exports and the
dashboard); the report adds charts, tables and, last, the definition of each
indicator, so that a reader can tell exactly what was counted.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer

from app.i18n import N_, _, ngettext
from app.indicators import (
    DEFINITIONS,
    NO_PLAN,
    Figure,
    Indicators,
    Period,
    Scope,
    compute,
    counts_in_period,
)
from app.models import AccessAction
from app.reports import indicator_rows
from app.reports.anonymity import small_cell
from app.reports.blocks import grid, heading
from app.reports.charts import PALETTE, HorizontalBars, MonthColumns, Series
from app.reports.document import BODY_WIDTH, Letterhead, Styles, render_pdf, write_pdf
from app.reports.indicator_rows import OUTCOME_FACTS
from app.reports.language import DocumentLanguage
from app.reports.letterhead import organisation_lines
from app.reports.scope import ScopeNames, describe
from app.reports.text import Text
from app.services import audit
from app.services.context import ServiceContext
from app.services.errors import ServiceError
from app.sync.policy import read_policy
from passerelle_core.enums import GoalStatus, PlanStatus, ReferralStatus

CHART_PARTNERS = 12
"""Partners shown in the referrals chart (the table lists them all)."""
STATUS_COLOURS = {
    ReferralStatus.SENT: PALETTE[6],
    ReferralStatus.ACCEPTED: PALETTE[5],
    ReferralStatus.STARTED: PALETTE[0],
    ReferralStatus.COMPLETED: PALETTE[1],
    ReferralStatus.REFUSED: PALETTE[3],
    ReferralStatus.NO_SHOW: PALETTE[2],
    ReferralStatus.CANCELLED: PALETTE[4],
}
NO_PLAN_LABEL = N_("No plan")


class NothingToReport(ServiceError):
    """Nobody followed and nothing done in the period: no report is written."""


def render_activity_report(
    ctx: ServiceContext, period: Period, scope: Scope | None = None, language: str = "fr"
) -> bytes:
    """The activity report's PDF.

    Recorded in the access log. Raises NothingToReport for a period without activity or
    not begun yet, NotFound for a scope naming an unknown facility, team or staff member.
    """
    scope = scope or Scope()
    if period.start > ctx.today():
        raise NothingToReport(_("This period has not begun yet: there is nothing to report."))
    indicators = compute(ctx, period, scope)
    if indicators.is_empty:
        raise NothingToReport(
            _("Nothing to report: nobody was followed in this period for this scope.")
        )
    sessions = counts_in_period(ctx, Figure.SESSIONS, period, scope)
    names = describe(ctx, scope)
    with ctx.reading() as session:
        k = read_policy(session.connection()).anonymity_k
    document = _Renderer(indicators, sessions, names, DocumentLanguage(language), k).render()
    audit.record_access(ctx, AccessAction.PRINT, "activity_report")
    return document


def write_activity_report(
    ctx: ServiceContext,
    period: Period,
    out: Path,
    scope: Scope | None = None,
    language: str = "fr",
) -> Path:
    """:func:`render_activity_report` written to ``out`` (whole or not at all)."""
    return write_pdf(render_activity_report(ctx, period, scope, language), out)


class _Renderer:
    def __init__(
        self,
        indicators: Indicators,
        sessions: list[tuple[date, int]],
        names: ScopeNames,
        language: DocumentLanguage,
        k: int,
    ) -> None:
        self.k = k
        self.data = indicators
        self.sessions = sessions
        self.names = names
        self.language = language
        self.styles = Styles.of(language)
        self.rtl = language.rtl

    def number(self, value: float) -> str:
        return self.language.number(int(value))

    def small(self, value: float) -> bool:
        return small_cell(int(value), self.k)

    def count(self, value: float) -> str:
        """A count of people in a breakdown: "< k" when so few could be recognised."""
        return f"< {self.k}" if self.small(value) else self.number(value)

    def render(self) -> bytes:
        _ = self.language.gettext
        lang, period = self.language, self.data.period
        period_text = _("From {start} to {end}").format(
            start=lang.short_date(period.start), end=lang.short_date(period.end)
        )
        letterhead = Letterhead(
            organisation=organisation_lines(lang, self.names.facility),
            title=_("Activity report"),
            subtitle=period_text,
            footer_note=_(
                "Internal document: aggregated figures, no beneficiary is named. "
                "Definitions at the end of the report."
            ),
            page_label=_("Page {page} of {pages}"),
        )
        story = [
            *self.title(period_text),
            *self.key_figures(),
            *self.needs(),
            *self.plans(),
            *self.goals(),
            *self.sessions_section(),
            *self.referrals(),
            *self.outcomes(),
            *self.definitions(),
        ]
        return render_pdf(story, lang, letterhead, title=_("Activity report"))

    def title(self, period_text: str) -> list[Flowable]:
        _ = self.language.gettext
        scope = self.names.label(self.language)
        printed = _("Printed on {date} by {name}.").format(
            date=self.language.long_date(self.names.today),
            name=self.names.author.in_language(self.language.code) if self.names.author else "—",
        )
        return [
            Text(_("Activity report"), self.styles.title),
            Text(period_text, self.styles.subheading.but(space_before=0)),
            Text(_("Scope: {scope}").format(scope=scope), self.styles.body),
            Text(
                _(
                    'Counts of fewer than {k} people in a breakdown read "< {k}": nobody '
                    "can be recognised from them."
                ).format(k=self.k),
                self.styles.muted,
            ),
            Text(printed, self.styles.muted.but(space_after=4)),
        ]

    def key_figures(self) -> list[Flowable]:
        _ = self.language.gettext
        rows = [[_("Indicator"), _("Value")]]
        rows += [
            [row.label, row.shown(self.language)]
            for row in indicator_rows.headline(self.data, self.language)
        ]
        widths = [BODY_WIDTH * 0.62, BODY_WIDTH * 0.38]
        return [
            heading(_("Key figures"), self.styles),
            grid(rows, widths, self.styles, rtl=self.rtl, numeric={1}),
        ]

    def needs(self) -> list[Flowable]:
        _ = self.language.gettext
        lang = self.language
        title = heading(_("Beneficiaries by priority needs domain"), self.styles)
        if not any(need.beneficiaries for need in self.data.needs):
            return [title, Text(_("No priority domain recorded."), self.styles.body)]
        chart = HorizontalBars(
            [lang.domain(need.domain_id) for need in self.data.needs],
            [Series("", [need.beneficiaries for need in self.data.needs], PALETTE[0])],
            self.styles.cell,
            BODY_WIDTH,
            self.count,
            small=self.small,
            axis_number=self.number,
        )
        return [KeepTogether([title, chart])]

    def plans(self) -> list[Flowable]:
        _ = self.language.gettext
        lang = self.language
        statuses = list(self.data.plan_status.items())
        names = [
            _(NO_PLAN_LABEL) if status == NO_PLAN else lang.label(PlanStatus(status))
            for status, _count in statuses
        ]
        chart = HorizontalBars(
            names,
            [Series("", [count for _status, count in statuses], PALETTE[5])],
            self.styles.cell,
            BODY_WIDTH,
            self.count,
            small=self.small,
            axis_number=self.number,
        )
        return [KeepTogether([heading(_("Current plan status"), self.styles), chart])]

    def goals(self) -> list[Flowable]:
        _ = self.language.gettext
        lang = self.language
        title = heading(_("Goals by needs domain"), self.styles)
        if not self.data.goals:
            return [title, Text(_("No goal in the plans in force."), self.styles.body)]
        rows = [[_("Domain"), *[lang.label(status) for status in GoalStatus], _("Total")]]
        for goals in self.data.goals:
            counts = [goals.count(status) for status in GoalStatus]
            rows.append(
                [lang.domain(goals.domain_id), *map(self.count, counts), self.count(goals.total)]
            )
        widths = [BODY_WIDTH * 0.44] + [BODY_WIDTH * 0.14] * 4
        return [title, grid(rows, widths, self.styles, rtl=self.rtl, numeric={1, 2, 3, 4})]

    def sessions_section(self) -> list[Flowable]:
        _ = self.language.gettext
        lang = self.language
        months = [
            (lang.month(month), str(month.year) if index == 0 or month.month == 1 else "")
            for index, (month, _count) in enumerate(self.sessions)
        ]
        chart = MonthColumns(
            months,
            [count for _month, count in self.sessions],
            self.styles.cell,
            BODY_WIDTH,
            self.number,
        )
        kinds = [[_("Kind of session"), _("Sessions")]]
        kinds += [
            [lang.label(kind), lang.number(count)]
            for kind, count in self.data.sessions_by_kind.items()
        ]
        staff = [[_("Staff member"), _("Sessions")]]
        staff += [
            [
                lang.pick(row.name, row.name_ar) if row.name else _(indicator_rows.NOT_RECORDED),
                lang.number(row.sessions),
            ]
            for row in self.data.sessions_by_staff
        ]
        widths = [BODY_WIDTH * 0.7, BODY_WIDTH * 0.3]
        return [
            KeepTogether(
                [
                    heading(_("Sessions"), self.styles),
                    Text(_("Sessions held per month in the period"), self.styles.subheading),
                    chart,
                ]
            ),
            Spacer(1, 3 * mm),
            KeepTogether([grid(kinds, widths, self.styles, rtl=self.rtl, numeric={1})]),
            Spacer(1, 3 * mm),
            grid(staff, widths, self.styles, rtl=self.rtl, numeric={1}),
        ]

    def referrals(self) -> list[Flowable]:
        _ = self.language.gettext
        lang = self.language
        title = heading(_("Referrals by partner and outcome"), self.styles)
        partners = self.data.referrals_by_partner
        if not partners:
            return [title, Text(_("No referral sent in this period."), self.styles.body)]
        shown = partners[:CHART_PARTNERS]
        # Numbered in the chart and in the table: a name cut short in the chart is told
        # apart from its neighbours, and read in full on the table's line of that number.
        names = [
            f"{number}. {lang.pick(partner.name, partner.name_ar)}"
            for number, partner in enumerate(partners, start=1)
        ]
        chart = HorizontalBars(
            names[:CHART_PARTNERS],
            [
                Series(
                    lang.label(status),
                    [p.by_status.get(status, 0) for p in shown],
                    STATUS_COLOURS[status],
                )
                for status in ReferralStatus
            ],
            self.styles.cell,
            BODY_WIDTH,
            self.count,
            small=self.small,
            axis_number=self.number,
        )
        rows = [[_("Partner"), *[lang.label(status) for status in ReferralStatus], _("Total")]]
        for name, partner in zip(names, partners, strict=True):
            counts = [partner.by_status.get(status, 0) for status in ReferralStatus]
            rows.append([name, *map(self.count, counts), self.count(partner.total)])
        columns = len(ReferralStatus) + 1
        widths = [BODY_WIDTH * 0.2] + [BODY_WIDTH * 0.8 / columns] * columns
        table = grid(rows, widths, self.styles, rtl=self.rtl, numeric=set(range(1, columns + 1)))
        note = None
        if len(partners) > CHART_PARTNERS:
            note = Text(
                ngettext(
                    "The chart shows the {count} partner with the most referrals.",
                    "The chart shows the {count} partners with the most referrals.",
                    CHART_PARTNERS,
                ).format(count=CHART_PARTNERS),
                self.styles.muted,
            )
        return [KeepTogether([title, chart]), *([note] if note else []), Spacer(1, 3 * mm), table]

    def outcomes(self) -> list[Flowable]:
        _ = self.language.gettext
        lang = self.language
        rows = [
            [
                _("Checkpoint"),
                _("Outcomes recorded"),
                *[_(label) for label in OUTCOME_FACTS.values()],
            ]
        ]
        for outcome in self.data.outcomes:
            cells = [lang.label(outcome.checkpoint), self.count(outcome.recorded)]
            for fact in OUTCOME_FACTS:
                ratio = getattr(outcome, fact)
                hidden = self.small(ratio.part) or self.small(ratio.whole)
                share = "—" if hidden else lang.percent(ratio.share)
                cells.append(f"{share} ({self.count(ratio.part)} / {self.count(ratio.whole)})")
            rows.append(cells)
        widths = [BODY_WIDTH * 0.22, BODY_WIDTH * 0.15] + [BODY_WIDTH * 0.21] * 3
        return [
            KeepTogether(
                [
                    heading(_("Post-release outcomes"), self.styles),
                    grid(rows, widths, self.styles, rtl=self.rtl, numeric={1, 2, 3, 4}),
                    Text(
                        _("Each share counts only the people whose situation is known."),
                        self.styles.muted.but(space_before=2),
                    ),
                ]
            )
        ]

    def definitions(self) -> list[Flowable]:
        _ = self.language.gettext
        story: list[Flowable] = [heading(_("Definitions"), self.styles)]
        for definition in DEFINITIONS:
            story.append(Text(_(definition.label), self.styles.cell_bold))
            story.append(Text(_(definition.definition), self.styles.cell.but(space_after=3)))
        return story
