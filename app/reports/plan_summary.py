"""The plan summary: the personalised action plan on paper, for the beneficiary to read
and sign, in French or Arabic.

Layout, top to bottom: letterhead; identity; when, by whom and which plan; the latest
needs assessment (a chart of domain scores and the priority domains); each goal with
its actions, who is responsible and when; the next review; signatures.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer

from app.i18n import N_
from app.instruments import Priority
from app.models import AccessAction
from app.reports.blocks import grid, heading, key_values, signatures
from app.reports.charts import HorizontalBars, Series
from app.reports.document import BODY_WIDTH, Letterhead, Styles, render_pdf, write_pdf
from app.reports.language import DocumentLanguage
from app.reports.letterhead import identity_line, organisation_lines
from app.reports.plan_data import (
    ActionLine,
    AssessmentSummary,
    GoalLine,
    Name,
    PlanSummary,
    load,
)
from app.reports.text import Text
from app.services import audit
from app.services.context import ServiceContext
from passerelle_core.enums import ResponsibleKind

PRIORITY_LABELS = {
    Priority.LOW: N_("low"),
    Priority.MEDIUM: N_("medium"),
    Priority.HIGH: N_("high"),
}
PRIORITY_COLOURS = {
    Priority.LOW: colors.HexColor("#6a9f78"),
    Priority.MEDIUM: colors.HexColor("#d9a441"),
    Priority.HIGH: colors.HexColor("#c8574d"),
}
UNSCORED = colors.HexColor("#c3cad2")


def render_plan_summary(
    ctx: ServiceContext, beneficiary_id: uuid.UUID, language: str = "fr"
) -> bytes:
    """The PDF of the beneficiary's current plan, in ``language`` ("fr" or "ar").

    The printing is recorded in the access log. Raises NotFound for an unknown
    beneficiary, NoPlanToPrint when there is no plan.
    """
    summary = load(ctx, beneficiary_id)
    document = _Renderer(summary, DocumentLanguage(language)).render()
    audit.record_access(ctx, AccessAction.PRINT, "beneficiary", beneficiary_id)
    return document


def write_plan_summary(
    ctx: ServiceContext, beneficiary_id: uuid.UUID, out: Path, language: str = "fr"
) -> Path:
    """:func:`render_plan_summary` written to ``out`` (whole or not at all); returns ``out``."""
    return write_pdf(render_plan_summary(ctx, beneficiary_id, language), out)


class _Renderer:
    def __init__(self, summary: PlanSummary, language: DocumentLanguage) -> None:
        self.summary = summary
        self.language = language
        self.styles = Styles.of(language)
        self.rtl = language.rtl

    def name(self, name: Name | None) -> str:
        return name.in_language(self.language.code) if name else "—"

    def render(self) -> bytes:
        _ = self.language.gettext
        lang = self.language
        summary = self.summary
        letterhead = Letterhead(
            organisation=organisation_lines(lang, summary.identity.facility),
            title=_("Personalised action plan"),
            subtitle=_("Printed on {date}").format(date=lang.short_date(summary.printed_on)),
            footer_note=_(
                "Confidential: personal data protected by law 09-08. Keep in the case file; "
                "do not pass on without the beneficiary's consent."
            ),
            page_label=_("Page {page} of {pages}"),
            identity=identity_line(
                lang, summary.identity.name, summary.identity.registration_number
            ),
        )
        story = [
            *self.title(),
            *self.identity(),
            *self.assessment(),
            *self.goals(),
            *self.signatures(),  # with the review date: never alone on a page
        ]
        return render_pdf(story, lang, letterhead, title=_("Personalised action plan"))

    def title(self) -> list[Flowable]:
        _ = self.language.gettext
        summary, lang = self.summary, self.language
        title = summary.plan_title or _("Personalised action plan")
        facts = [_("Status: {status}").format(status=lang.label(summary.plan_status))]
        if summary.activated_on:
            facts.append(
                _("in force since {date}").format(date=lang.short_date(summary.activated_on))
            )
        facts.append(_("drawn up by {name}").format(name=self.name(summary.plan_author)))
        if summary.approved_by:
            facts.append(_("approved by {name}").format(name=self.name(summary.approved_by)))
        printed = _("Printed on {date} by {name}.").format(
            date=lang.long_date(summary.printed_on), name=self.name(summary.printed_by)
        )
        return [
            Text(title, self.styles.title),
            Text(" · ".join(facts), self.styles.muted),
            Text(printed, self.styles.muted.but(space_after=4)),
        ]

    def identity(self) -> list[Flowable]:
        _ = self.language.gettext
        person, lang = self.summary.identity, self.language
        name = person.name
        if self.rtl:
            spellings = [(_("Name"), name.arabic or name.latin)]
            if name.arabic:
                spellings.append((_("Name in Latin script"), name.latin))
        else:
            spellings = [(_("Name"), name.latin), (_("Name in Arabic script"), name.arabic or "")]
        pairs = [
            *spellings,
            (_("Birth date"), lang.short_date(person.birth_date)),
            (_("Sex"), lang.label(person.sex) if person.sex else ""),
            (_("Registration number"), person.registration_number or ""),
            (_("CIN"), person.cin or ""),
            (_("Facility"), self.name(person.facility)),
            (_("Legal status"), lang.label_for(person.legal_status, person.sex)),
            (_("Intake date"), lang.short_date(person.intake_date)),
            (
                _("Release") if person.actual_release_date else _("Expected release"),
                lang.short_date(person.actual_release_date or person.expected_release_date),
            ),
            (_("Counsellor"), self.name(person.counsellor)),
        ]
        return [
            heading(_("Beneficiary"), self.styles),
            key_values(pairs, self.styles, rtl=self.rtl),
        ]

    def assessment(self) -> list[Flowable]:
        _ = self.language.gettext
        found = self.summary.assessment
        story: list[Flowable] = [heading(_("Needs assessment"), self.styles)]
        if found is None:
            story.append(Text(_("No completed needs assessment yet."), self.styles.body))
            return story
        lang = self.language
        story.append(
            Text(
                _("Assessment of {date} ({stage}), by {name}.").format(
                    date=lang.short_date(found.assessed_on),
                    stage=lang.label(found.stage),
                    name=self.name(found.assessor),
                ),
                self.styles.body,
            )
        )
        story.append(self.score_chart(found))
        story.append(Text(self.priorities(found), self.styles.body.but(space_before=4)))
        if any(score.overridden for score in found.scores):
            note = _("* priority set by the assessor's professional judgement")
            story.append(Text(note, self.styles.muted))
        story.append(
            Text(
                _("Scores are an aid to professional judgement, never a verdict."),
                self.styles.muted,
            )
        )
        return story

    def score_chart(self, found: AssessmentSummary) -> Flowable:
        _ = self.language.gettext
        lang = self.language
        scored = [score for score in found.scores if score.score is not None]
        names = [lang.domain(s.domain_id) + (" *" if s.overridden else "") for s in scored]
        bars = [
            Series(
                _(PRIORITY_LABELS[priority]),
                [(s.score or 0.0) if s.priority is priority else 0.0 for s in scored],
                PRIORITY_COLOURS[priority],
            )
            for priority in Priority
        ]
        return HorizontalBars(
            names,
            bars,
            self.styles.cell,
            BODY_WIDTH,
            lambda value: lang.decimal(value) if value % 1 else lang.number(int(value)),
            pitch=10.5 if not self.rtl else 12.5,
            value_max=100,
        )

    def priorities(self, found: AssessmentSummary) -> str:
        _ = self.language.gettext
        if not found.priority_domains:
            return _("No priority domain.")
        names = [self.language.domain(domain_id) for domain_id in found.priority_domains]
        separator = "، " if self.rtl else ", "
        return _("Priority domains: {domains}").format(domains=separator.join(names))

    def goals(self) -> list[Flowable]:
        _ = self.language.gettext
        title = heading(_("Goals and actions"), self.styles)
        if not self.summary.goals:
            return [title, Text(_("No goal yet."), self.styles.body)]
        story: list[Flowable] = []
        for number, goal in enumerate(self.summary.goals, start=1):
            lines = self.goal(number, goal)
            story.append(KeepTogether([title, *lines] if number == 1 else lines))
        return story

    def goal(self, number: int, goal: GoalLine) -> list[Flowable]:
        _ = self.language.gettext
        lang = self.language
        title = _("Goal {number}: {domain}").format(
            number=number, domain=lang.domain(goal.domain_id)
        )
        facts = [_("Status: {status}").format(status=lang.label(goal.status))]
        if goal.target_date:
            facts.append(_("target date: {date}").format(date=lang.short_date(goal.target_date)))
        story: list[Flowable] = [
            Text(title, self.styles.subheading),
            Text(goal.wording, self.styles.body.but(space_after=1)),
            Text(" · ".join(facts), self.styles.muted.but(space_after=3)),
        ]
        if not goal.actions:
            story.append(Text(_("No action yet."), self.styles.muted))
            return story
        rows: list[list[str]] = [[_("Action"), _("Responsible"), _("Due date"), _("Status")]]
        rows += [
            [
                action.description,
                self.responsible(action),
                lang.short_date(action.due_date),
                lang.label(action.status),
            ]
            for action in goal.actions
        ]
        widths = [BODY_WIDTH * share for share in (0.5, 0.24, 0.12, 0.14)]
        story.append(grid(rows, widths, self.styles, rtl=self.rtl))
        return story

    def responsible(self, action: ActionLine) -> str:
        label = self.language.label(action.responsible_kind)
        if action.responsible_kind is ResponsibleKind.BENEFICIARY or action.responsible is None:
            return label
        return self.name(action.responsible)

    def review(self) -> list[Flowable]:
        _ = self.language.gettext
        review_date = self.summary.review_date
        text = (
            _("Next review of the plan: {date}").format(date=self.language.short_date(review_date))
            if review_date
            else _("Next review of the plan: to be set")
        )
        return [Spacer(1, 4 * mm), Text(text, self.styles.subheading)]

    def signatures(self) -> list[Flowable]:
        _ = self.language.gettext
        sex = self.summary.identity.sex
        beneficiary = self.language.gendered(N_("The beneficiary"), sex)
        labels = [beneficiary, _("The counsellor"), _("The supervisor")]
        agreement = self.language.gendered(
            N_(
                "By signing, the beneficiary confirms that this plan was explained to them and "
                "that they agree to take part in it."
            ),
            sex,
        )
        return [
            KeepTogether(
                [
                    *self.review(),
                    heading(_("Signatures"), self.styles),
                    Text(agreement, self.styles.body),
                    Spacer(1, 2 * mm),
                    signatures(labels, _("Name, date and signature"), self.styles, rtl=self.rtl),
                ]
            )
        ]
