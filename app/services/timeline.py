"""Everything that happened on one case, as dated events for the case file's timeline.

Events are gathered from the other use cases, so what a staff member may read is
decided there: psychologist-only sessions come only to a psychologist, and no session
note's text ever enters a timeline (a session shows its kind and, when standard, its
topic). A quick note is shown whole: it is two lines about a contact, never confidential.

Some records keep no date of their own change (a goal's status, a plan put under
review): their last modification date stands for it, and the title says what the
state is rather than claiming a precise moment.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime

from app.i18n import N_, _, current_language, ngettext, pgettext
from app.instruments import load_builtin
from app.labels import label
from app.models import ActionPlan, Beneficiary
from app.services import (
    appointments,
    assessments,
    beneficiaries,
    consent,
    documents,
    followup,
    meetings,
    organisation,
    outcomes,
    partners,
    plans,
    quick_notes,
    referrals,
    transfers,
)
from app.services.context import ServiceContext
from passerelle_core.enums import (
    ActionStatus,
    AppointmentStatus,
    AssessmentStage,
    AssessmentStatus,
    Confidentiality,
    ConsentPurpose,
    GoalStatus,
    PlanOutcome,
    PlanStatus,
    SessionKind,
)

NEEDS_INSTRUMENT = "passerelle-needs"

# Within one day, events read in this order (oldest first); the list shows them reversed.
KINDS = (
    "intake",
    "consent_given",
    "assessment",
    "plan_created",
    "plan_approved",
    "plan_activated",
    "session",
    "quick_note",
    "appointment_missed",
    "action_done",
    "goal_achieved",
    "goal_abandoned",
    "referral_sent",
    "referral_status",
    "meeting_decision",
    "plan_review",
    "plan_closed",
    "consent_withdrawn",
    "release",
    "outcome",
    "document",
    "case_transfer",
    "case_closed",
)
_RANK = {kind: index for index, kind in enumerate(KINDS)}

_PURPOSES = {
    ConsentPurpose.ASSESSMENT: N_("assessment"),
    ConsentPurpose.PARTNER_SHARING: N_("sharing with a partner"),
    ConsentPurpose.STATISTICS: N_("anonymised statistics"),
}
_STAGES = {
    AssessmentStage.INTAKE: N_("intake"),
    AssessmentStage.REVIEW: N_("review"),
    AssessmentStage.PRE_RELEASE: N_("pre-release"),
    AssessmentStage.POST_RELEASE: N_("post-release"),
}
_SESSION_KINDS = {
    SessionKind.INDIVIDUAL: N_("Individual session"),
    SessionKind.GROUP_WORKSHOP: N_("Group workshop"),
    SessionKind.FAMILY_VISIT: N_("Family visit"),
    SessionKind.PHONE: N_("Phone call"),
    SessionKind.HOME_VISIT: N_("Home visit"),
}
_PLAN_OUTCOMES = {
    PlanOutcome.ACHIEVED: N_("achieved"),
    PlanOutcome.PARTIALLY_ACHIEVED: N_("partially achieved"),
    PlanOutcome.NOT_ACHIEVED: N_("not achieved"),
    PlanOutcome.TRANSFERRED: N_("transferred"),
    PlanOutcome.DISCONTINUED: N_("discontinued"),
}


@dataclass(frozen=True)
class TimelineEvent:
    when: date
    kind: str
    title: str
    detail: str | None
    section: str


def events(ctx: ServiceContext, beneficiary_id: uuid.UUID) -> list[TimelineEvent]:
    """The case's events, newest first (ties: the later step of the work first)."""
    person = beneficiaries.get(ctx, beneficiary_id)
    staff = organisation.staff_names(ctx)
    partner_names = {p.id: _localised(p.name, p.name_ar) for p in partners.list_partners(ctx)}
    gathered: list[TimelineEvent] = []
    gathered += _case_events(person)
    gathered += _consent_events(ctx, beneficiary_id, partner_names)
    gathered += _assessment_events(ctx, beneficiary_id, staff)
    gathered += _plan_events(plans.list_plans(ctx, beneficiary_id), staff)
    gathered += _session_events(ctx, beneficiary_id, staff)
    gathered += _referral_events(ctx, beneficiary_id, partner_names)
    gathered += _decision_events(ctx, beneficiary_id)
    gathered += _outcome_events(ctx, beneficiary_id)
    gathered += _transfer_events(ctx, beneficiary_id, staff)
    gathered += _document_events(ctx, beneficiary_id)
    gathered += _contact_events(ctx, beneficiary_id, staff)
    gathered.sort(key=lambda event: (event.when, _RANK.get(event.kind, len(KINDS))))
    gathered.reverse()
    return gathered


def _localised(name: str, name_ar: str | None) -> str:
    return name_ar if current_language() == "ar" and name_ar else name


def _event(when: date, kind: str, title: str, detail: str | None, section: str) -> TimelineEvent:
    return TimelineEvent(when, kind, title, detail or None, section)


def _case_events(person: Beneficiary) -> list[TimelineEvent]:
    found = []
    registered = person.intake_date or _day(person.created_at)
    found.append(_event(registered, "intake", _("Intake: case registered"), None, "identity"))
    if person.actual_release_date is not None:
        released = pgettext("event", "Released")  # the event, not the status
        found.append(_event(person.actual_release_date, "release", released, None, "identity"))
    if person.closed_on is not None:
        found.append(_event(person.closed_on, "case_closed", _("Case closed"), None, "identity"))
    return found


def _consent_events(
    ctx: ServiceContext, beneficiary_id: uuid.UUID, partner_names: dict[uuid.UUID, str]
) -> list[TimelineEvent]:
    found = []
    for record in consent.list_for(ctx, beneficiary_id):
        purpose = _(_PURPOSES[record.purpose])
        partner = partner_names.get(record.partner_id) if record.partner_id else None
        found.append(
            _event(
                record.given_on,
                "consent_given",
                _("Consent given: {purpose}").format(purpose=purpose),
                partner,
                "identity",
            )
        )
        if record.withdrawn_on is not None:
            found.append(
                _event(
                    record.withdrawn_on,
                    "consent_withdrawn",
                    _("Consent withdrawn: {purpose}").format(purpose=purpose),
                    partner,
                    "identity",
                )
            )
    return found


def _assessment_events(
    ctx: ServiceContext, beneficiary_id: uuid.UUID, staff: dict[uuid.UUID, str]
) -> list[TimelineEvent]:
    found = []
    domain_label = _domain_labels()
    for assessment in assessments.list_for(ctx, beneficiary_id):
        stage = _(_STAGES[assessment.stage])
        if assessment.status is AssessmentStatus.DRAFT:
            title = _("Needs assessment ({stage}), draft").format(stage=stage)
        else:
            title = _("Needs assessment ({stage})").format(stage=stage)
        priorities = _(", ").join(domain_label(d) for d in assessment.priority_domains)
        parts = [_by(staff, assessment.assessor_id)]
        if priorities:
            parts.append(_("Priorities: {domains}").format(domains=priorities))
        found.append(
            _event(assessment.assessed_on, "assessment", title, _joined(parts), "assessment")
        )
    return found


def _plan_events(
    plan_list: Iterable[ActionPlan], staff: dict[uuid.UUID, str]
) -> list[TimelineEvent]:
    found = []
    domain_label = _domain_labels()
    for plan in plan_list:
        name = plan.title or _("Action plan")
        found.append(
            _event(
                _day(plan.created_at),
                "plan_created",
                _("Plan drafted: {title}").format(title=name),
                _by(staff, plan.author_id),
                "plan",
            )
        )
        if plan.approved_at is not None:
            found.append(
                _event(
                    _day(plan.approved_at),
                    "plan_approved",
                    _("Plan approved: {title}").format(title=name),
                    _by(staff, plan.approved_by_id),
                    "plan",
                )
            )
        if plan.activated_on is not None:
            title = _("Plan activated: {title}").format(title=name)
            found.append(_event(plan.activated_on, "plan_activated", title, None, "plan"))
        if plan.status is PlanStatus.UNDER_REVIEW:
            title = _("Plan under review: {title}").format(title=name)
            found.append(_event(_day(plan.updated_at), "plan_review", title, None, "plan"))
        if plan.closed_on is not None:
            outcome = _(_PLAN_OUTCOMES[plan.outcome]) if plan.outcome else None
            detail = _("Outcome: {outcome}").format(outcome=outcome) if outcome else None
            title = _("Plan closed: {title}").format(title=name)
            found.append(_event(plan.closed_on, "plan_closed", title, detail, "plan"))
        for goal in plan.goals:
            domain = domain_label(goal.domain_id)
            if goal.status is GoalStatus.ACHIEVED:
                title = _("Goal achieved: {goal}").format(goal=goal.wording)
                found.append(_event(_day(goal.updated_at), "goal_achieved", title, domain, "plan"))
            elif goal.status is GoalStatus.ABANDONED:
                title = _("Goal abandoned: {goal}").format(goal=goal.wording)
                found.append(_event(_day(goal.updated_at), "goal_abandoned", title, domain, "plan"))
            for action in goal.actions:
                if action.status is ActionStatus.DONE and action.completed_on is not None:
                    title = _("Action done: {action}").format(action=action.description)
                    found.append(
                        _event(action.completed_on, "action_done", title, action.outcome, "plan")
                    )
    return found


def _session_events(
    ctx: ServiceContext, beneficiary_id: uuid.UUID, staff: dict[uuid.UUID, str]
) -> list[TimelineEvent]:
    """Sessions the actor may see; never a note's text, nor a confidential session's topic."""
    found = []
    for record in followup.list_sessions(ctx, beneficiary_id):
        parts = [_by(staff, record.staff_id)]
        if record.confidentiality is Confidentiality.PSYCHOLOGIST_ONLY:
            parts.append(_("Confidential (psychologist only)"))
        elif record.topic:
            parts.append(record.topic)
        title = _(_SESSION_KINDS[record.kind])
        found.append(_event(record.held_on, "session", title, _joined(parts), "sessions"))
    return found


def _referral_events(
    ctx: ServiceContext, beneficiary_id: uuid.UUID, partner_names: dict[uuid.UUID, str]
) -> list[TimelineEvent]:
    found = []
    for referral in referrals.list_for_beneficiary(ctx, beneficiary_id):
        partner = partner_names.get(referral.partner_id, _("Partner"))
        title = _("Referral to {partner}").format(partner=partner)
        detail = _joined([referral.reference, referral.reason])
        found.append(_event(referral.sent_on, "referral_sent", title, detail, "referrals"))
        if referral.status is not referrals.R.SENT and referral.status_changed_on is not None:
            status = _(referrals.STATUS_LABELS[referral.status])
            title = _("Referral {reference}: {status}").format(
                reference=referral.reference, status=status
            )
            found.append(
                _event(
                    referral.status_changed_on,
                    "referral_status",
                    title,
                    referral.outcome,
                    "referrals",
                )
            )
    return found


def _decision_events(ctx: ServiceContext, beneficiary_id: uuid.UUID) -> list[TimelineEvent]:
    found = []
    for meeting in meetings.list_meetings(ctx, beneficiary_id=beneficiary_id):
        for decision in meeting.decisions:
            if decision.beneficiary_id != beneficiary_id:
                continue
            title = _("Meeting decision: {meeting}").format(meeting=meeting.title)
            found.append(_event(meeting.held_on, "meeting_decision", title, decision.text, ""))
    return found


def _outcome_events(ctx: ServiceContext, beneficiary_id: uuid.UUID) -> list[TimelineEvent]:
    found = []
    for outcome in outcomes.list_outcomes(ctx, beneficiary_id):
        months = int(outcome.checkpoint.value)
        title = ngettext(
            "Outcome {months} month after release", "Outcome {months} months after release", months
        ).format(months=months)
        facts = [
            _fact(
                outcome.in_work_or_training, _("in work or training"), _("not in work or training")
            ),
            _fact(outcome.housing_secured, _("housing secured"), _("no secure housing")),
            _fact(outcome.reincarcerated, _("re-incarcerated"), _("not re-incarcerated")),
        ]
        detail = _joined([*facts, outcome.notes])
        found.append(_event(outcome.recorded_on, "outcome", title, detail, "identity"))
    return found


def _contact_events(
    ctx: ServiceContext, beneficiary_id: uuid.UUID, staff: dict[uuid.UUID, str]
) -> list[TimelineEvent]:
    """Quick notes (kind and text) and missed appointments, apart from sessions."""
    found = []
    for note in quick_notes.list_for(ctx, beneficiary_id):
        title = _("Quick note: {kind}").format(kind=label(note.kind))
        detail = _joined([note.body, _by(staff, note.author_id)])
        found.append(_event(note.noted_on, "quick_note", title, detail, "sessions"))
    for entry in appointments.list_for(ctx, beneficiary_id):
        if entry.status is AppointmentStatus.MISSED:
            title = _("Appointment missed")
            found.append(
                _event(
                    entry.starts_at.date(), "appointment_missed", title, entry.purpose, "sessions"
                )
            )
    return found


def _day(moment: datetime) -> date:
    """The local calendar day of a stored UTC moment (the day the user lived it)."""
    return moment.astimezone().date()


def _fact(value: bool | None, yes: str, no: str) -> str | None:
    if value is None:
        return None
    return yes if value else no


def _by(staff: dict[uuid.UUID, str], staff_id: uuid.UUID | None) -> str | None:
    if staff_id is None or staff_id not in staff:
        return None
    return _("by {name}").format(name=staff[staff_id])


def _joined(parts: Iterable[str | None]) -> str | None:
    return " · ".join(part for part in parts if part) or None


def _domain_labels() -> Callable[[str], str]:
    """Domain id -> label in the UI language (the id itself for an unknown domain)."""
    instrument = load_builtin(NEEDS_INSTRUMENT)
    language = current_language()
    labels = {domain.id: domain.label.get(language) for domain in instrument.domains}
    return lambda domain_id: labels.get(domain_id, domain_id)


def _transfer_events(
    ctx: ServiceContext, beneficiary_id: uuid.UUID, staff: dict[uuid.UUID, str]
) -> list[TimelineEvent]:
    """Every transfer of the case (issue 20): to whom, by whom, why."""
    teams = {team.id: team.name for team in transfers.targets(ctx)[1]}
    found = []
    for moved in transfers.history(ctx, beneficiary_id):
        to_staff = staff.get(moved.to_staff_id) if moved.to_staff_id else None
        to_team = teams.get(moved.to_team_id) if moved.to_team_id else None
        if to_staff and to_team:
            target = _("{name} ({team})").format(name=to_staff, team=to_team)
        else:
            target = to_staff or to_team or "—"
        parts = [_by(staff, moved.transferred_by_id), moved.reason]
        found.append(
            _event(
                moved.transferred_on,
                "case_transfer",
                _("Case transferred to {target}").format(target=target),
                _joined(parts),
                "identity",
            )
        )
    return found


def _document_events(ctx: ServiceContext, beneficiary_id: uuid.UUID) -> list[TimelineEvent]:
    """Documents attached to the case: their type only (a note may be personal)."""
    return [
        _event(
            row.document.document_date or _day(row.document.created_at),
            "document",
            _("Document attached: {kind}").format(kind=documents.kind_label(row.document.kind)),
            None,
            "documents",
        )
        for row in documents.list_for(ctx, beneficiary_id)
    ]
