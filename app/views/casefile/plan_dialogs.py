"""The forms of the action plan: drafting, goals, actions, their statuses, review and closing.

Each dialog saves through ``app.services.plans`` when accepted and shows a refusal inline.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from PySide6.QtWidgets import QLineEdit, QPlainTextEdit, QWidget

from app.i18n import _
from app.instruments import Priority
from app.models import Action, ActionPlan, Goal, Partner, StaffMember
from app.services import assessments, goals, plans
from app.services.assessment_entries import AssessmentEntry
from app.services.plan_entries import ActionEntry, GoalEntry, PlanEntry
from app.services.validation import fail
from app.views.app_state import AppState
from app.views.labels import choices, label
from app.views.record_forms import (
    ChoiceCombo,
    OptionalDateEdit,
    RecordDialog,
    date_edit,
    domain_label,
    format_date,
    from_qdate,
    need_domain_ids,
)
from passerelle_core.enums import ActionStatus, GoalStatus, PlanOutcome, ResponsibleKind

DEFAULT_REVIEW_DAYS = 90


def priority_domains(assessment: AssessmentEntry | None) -> list[str]:
    """The assessment's high-priority domains (after overrides), highest score first."""
    if assessment is None:
        return []
    high = {
        domain_id
        for domain_id, priority in assessments.effective_priorities(assessment).items()
        if priority is Priority.HIGH
    }
    ordered = [d for d in assessment.priority_domains if d in high]
    return ordered + sorted(high - set(ordered))


def _text(edit: QPlainTextEdit) -> str:
    return edit.toPlainText().strip()


class DraftPlanDialog(RecordDialog):
    """A new draft, based on the latest completed assessment when there is one."""

    def __init__(
        self,
        state: AppState,
        beneficiary_id: uuid.UUID,
        assessment: AssessmentEntry | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(_("Draft an action plan"), parent)
        self.state, self.beneficiary_id, self.assessment = state, beneficiary_id, assessment
        today = state.ctx.today()
        self.title = QLineEdit()
        self.title.setPlaceholderText(_("e.g. Preparing for release"))
        self.review_date = date_edit(today + timedelta(days=DEFAULT_REVIEW_DAYS), minimum=today)
        self.add_row(_("&Title:"), self.title, "title")
        self.add_row(_("&Review date:"), self.review_date, "review_date")
        if assessment is None:
            basis = _("No completed needs assessment yet: goals can be set on any domain.")
        else:
            basis = _("Based on the needs assessment of {date}.").format(
                date=format_date(assessment.assessed_on)
            )
        self.set_intro(basis)

    def submit(self) -> ActionPlan:
        plans.require_title(self.title.text())
        return plans.draft_plan(
            self.state.ctx,
            self.beneficiary_id,
            title=self.title.text(),
            assessment_id=self.assessment.id if self.assessment is not None else None,
            review_date=from_qdate(self.review_date.date()),
        )


class EditPlanDialog(RecordDialog):
    def __init__(self, state: AppState, plan: PlanEntry, parent: QWidget | None = None) -> None:
        super().__init__(_("Edit the plan"), parent)
        self.state, self.plan = state, plan
        today = state.ctx.today()
        self.title = QLineEdit(plan.title or "")
        review = plan.review_date if plan.review_date and plan.review_date >= today else today
        self.review_date = date_edit(review, minimum=today)
        self.add_row(_("&Title:"), self.title, "title")
        self.add_row(_("&Review date:"), self.review_date, "review_date")

    def submit(self) -> ActionPlan:
        plans.require_title(self.title.text())
        return plans.update_plan(
            self.state.ctx,
            self.plan.id,
            title=self.title.text(),
            review_date=from_qdate(self.review_date.date()),
        )


class PriorityGoalsDialog(RecordDialog):
    """One goal per priority domain of the assessment, written in one form, saved at once.

    A domain left blank gets no goal; the others are added together or not at all.
    """

    def __init__(
        self, state: AppState, plan: PlanEntry, domains: list[str], parent: QWidget | None = None
    ) -> None:
        super().__init__(_("Goals for the priority needs"), parent)
        self.state, self.plan = state, plan
        self.set_intro(
            _("One goal for each priority need of the assessment; leave blank to skip one.")
        )
        self.wordings: dict[str, QLineEdit] = {}
        for domain in domains:
            edit = QLineEdit()
            edit.setPlaceholderText(_("What will be different?"))
            self.wordings[domain] = edit
            self.add_row(_("{domain}:").format(domain=domain_label(domain)), edit, "wording")
        today = state.ctx.today()
        self.target_date = OptionalDateEdit(
            _("Set a target date"), today + timedelta(days=60), None
        )
        self.add_row(_("Ta&rget date:"), self.target_date, "target_date")
        self.resize(560, self.sizeHint().height())

    def submit(self) -> list[Goal]:
        written = {d: e.text().strip() for d, e in self.wordings.items() if e.text().strip()}
        return goals.add_goals(self.state.ctx, self.plan.id, written, self.target_date.value())


class GoalDialog(RecordDialog):
    """A goal on one need domain; the assessment's priority domains come first, marked."""

    def __init__(
        self,
        state: AppState,
        plan: PlanEntry,
        priorities: list[str],
        goal: GoalEntry | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(_("Edit the goal") if goal else _("Add a goal"), parent)
        self.state, self.plan, self.goal = state, plan, goal
        self.domain = ChoiceCombo()
        self._fill_domains(priorities)
        self.wording = QPlainTextEdit(goal.wording if goal else "")
        self.wording.setTabChangesFocus(True)
        self.wording.setPlaceholderText(
            _("Specific, measurable, achievable, realistic and dated: what will be different?")
        )
        self.wording.setFixedHeight(90)
        today = state.ctx.today()
        self.target_date = OptionalDateEdit(
            _("Set a target date"), today + timedelta(days=60), goal.target_date if goal else None
        )
        self.add_row(_("Need &domain:"), self.domain, "domain_id")
        self.add_row(_("&Wording:"), self.wording, "wording")
        self.add_row(_("Ta&rget date:"), self.target_date, "target_date")
        if goal is not None:
            self.domain.select(goal.domain_id)
        self.resize(520, self.sizeHint().height())

    def _fill_domains(self, priorities: list[str]) -> None:
        domains = need_domain_ids()
        marked = _("{domain} — priority")
        entries = [(marked.format(domain=domain_label(d)), d) for d in priorities]
        entries += [(domain_label(d), d) for d in domains if d not in priorities]
        self.domain.set_choices(entries)
        if priorities and len(priorities) < len(domains):
            self.domain.insertSeparator(len(priorities))

    def submit(self) -> Goal:
        domain_id = self.domain.value()
        target = self.target_date.value()
        if self.goal is None:
            return plans.add_goal(
                self.state.ctx,
                self.plan.id,
                domain_id=domain_id,
                wording=_text(self.wording),
                target_date=target,
            )
        return plans.update_goal(
            self.state.ctx,
            self.goal.id,
            domain_id=domain_id,
            wording=_text(self.wording),
            target_date=target,
        )


class ActionDialog(RecordDialog):
    """An action with who is responsible: a colleague, a partner or the person themselves."""

    def __init__(
        self,
        state: AppState,
        goal_id: uuid.UUID,
        staff: list[StaffMember],
        partners: list[Partner],
        action: ActionEntry | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(_("Edit the action") if action else _("Add an action"), parent)
        self.state, self.goal_id, self.action = state, goal_id, action
        self.description = QPlainTextEdit(action.description if action else "")
        self.description.setTabChangesFocus(True)
        self.description.setFixedHeight(70)
        self.kind = ChoiceCombo()
        self.kind.set_choices(choices(ResponsibleKind))
        self.staff = ChoiceCombo()
        self.staff.set_choices([(member.full_name, member.id) for member in staff])
        self.partner = ChoiceCombo()
        self.partner.set_choices([(partner.name, partner.id) for partner in partners])
        today = state.ctx.today()
        self.due_date = OptionalDateEdit(
            _("Set a due date"), today + timedelta(days=30), action.due_date if action else None
        )
        self.add_row(_("&Description:"), self.description, "description")
        self.add_row(_("&Responsible:"), self.kind, "responsible_kind")
        self.add_row(_("&Staff member:"), self.staff, "responsible_staff_id")
        self.add_row(_("&Partner:"), self.partner, "partner_id")
        self.add_row(_("D&ue date:"), self.due_date, "due_date")
        if action is not None:
            self.kind.select(action.responsible_kind)
            self.staff.select(action.responsible_staff_id)
            self.partner.select(action.partner_id)
        else:
            self.kind.select(ResponsibleKind.STAFF)
            self.staff.select(state.ctx.actor.staff_id)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self._kind_changed()
        self.resize(520, self.sizeHint().height())

    def _kind_changed(self) -> None:
        kind = self.kind.value()
        self.form.setRowVisible(self.staff, kind is ResponsibleKind.STAFF)
        self.form.setRowVisible(self.partner, kind is ResponsibleKind.PARTNER)
        self.grow_to_fit()

    def submit(self) -> Action:
        kind: ResponsibleKind = self.kind.value()
        staff_id = self.staff.value() if kind is ResponsibleKind.STAFF else None
        partner_id = self.partner.value() if kind is ResponsibleKind.PARTNER else None
        description = _text(self.description)
        if self.action is None:
            return plans.add_action(
                self.state.ctx,
                self.goal_id,
                description=description,
                responsible_kind=kind,
                responsible_staff_id=staff_id,
                partner_id=partner_id,
                due_date=self.due_date.value(),
            )
        return plans.update_action(
            self.state.ctx,
            self.action.id,
            description=description,
            responsible_kind=kind,
            responsible_staff_id=staff_id,
            partner_id=partner_id,
            due_date=self.due_date.value(),
        )


class GoalStatusDialog(RecordDialog):
    def __init__(self, state: AppState, goal: GoalEntry, parent: QWidget | None = None) -> None:
        super().__init__(_("Goal status"), parent)
        self.state, self.goal = state, goal
        self.set_intro(goal.wording)
        self.status = ChoiceCombo()
        self.status.set_choices(choices(GoalStatus))
        self.status.select(goal.status)
        self.add_row(_("&Status:"), self.status, "status")

    def submit(self) -> Goal:
        return plans.set_goal_status(self.state.ctx, self.goal.id, self.status.value())


class ActionStatusDialog(RecordDialog):
    """A done action has a completion date and usually an outcome worth writing down."""

    def __init__(self, state: AppState, action: ActionEntry, parent: QWidget | None = None) -> None:
        super().__init__(_("Action status"), parent)
        self.state, self.action = state, action
        self.set_intro(action.description)
        today = state.ctx.today()
        self.status = ChoiceCombo()
        self.status.set_choices(choices(ActionStatus))
        self.status.select(action.status)
        self.completed_on = date_edit(action.completed_on or today, maximum=today)
        self.outcome = QPlainTextEdit(action.outcome or "")
        self.outcome.setTabChangesFocus(True)
        self.outcome.setFixedHeight(70)
        self.outcome.setPlaceholderText(_("What came of it (optional)"))
        self.add_row(_("&Status:"), self.status, "status")
        self.add_row(_("&Completed on:"), self.completed_on, "completed_on")
        self.add_row(_("&Outcome:"), self.outcome, "outcome")
        self.status.currentIndexChanged.connect(self._status_changed)
        self._status_changed()

    def _status_changed(self) -> None:
        done = self.status.value() is ActionStatus.DONE
        self.form.setRowVisible(self.completed_on, done)
        self.grow_to_fit()

    def submit(self) -> Action:
        status: ActionStatus = self.status.value()
        done = status is ActionStatus.DONE
        return plans.set_action_status(
            self.state.ctx,
            self.action.id,
            status,
            outcome=_text(self.outcome),
            completed_on=from_qdate(self.completed_on.date()) if done else None,
        )


class ResumeDialog(RecordDialog):
    """Back to active after a review, with the date of the next one."""

    def __init__(self, state: AppState, plan: PlanEntry, parent: QWidget | None = None) -> None:
        super().__init__(_("Resume the plan"), parent)
        self.state, self.plan = state, plan
        today = state.ctx.today()
        self.set_intro(_("The review is over: the plan becomes active again until the next one."))
        self.review_date = date_edit(today + timedelta(days=DEFAULT_REVIEW_DAYS), minimum=today)
        self.add_row(_("&Next review:"), self.review_date, "review_date")

    def submit(self) -> ActionPlan:
        return plans.resume(
            self.state.ctx, self.plan.id, review_date=from_qdate(self.review_date.date())
        )


class ClosePlanDialog(RecordDialog):
    """A closed plan never changes again: its outcome is what the statistics will count."""

    def __init__(self, state: AppState, plan: PlanEntry, parent: QWidget | None = None) -> None:
        super().__init__(_("Close the plan"), parent)
        self.state, self.plan = state, plan
        today = state.ctx.today()
        self.set_intro(_("A closed plan can no longer be changed."))
        self.outcome = ChoiceCombo()
        self.outcome.set_choices([(_("Choose an outcome…"), None), *choices(PlanOutcome)])
        self.closed_on = date_edit(today, minimum=plan.activated_on, maximum=today)
        self.notes = QPlainTextEdit()
        self.notes.setTabChangesFocus(True)
        self.notes.setFixedHeight(90)
        self.add_row(_("&Outcome:"), self.outcome, "outcome")
        self.add_row(_("Closed &on:"), self.closed_on, "closed_on")
        self.add_row(_("&Notes:"), self.notes, "notes")
        self.save_button.setText(_("Close the plan"))

    def submit(self) -> ActionPlan:
        outcome: PlanOutcome | None = self.outcome.value()
        if outcome is None:
            fail("outcome", _("Choose the outcome of the plan."))
        return plans.close(
            self.state.ctx,
            self.plan.id,
            outcome=outcome,
            notes=_text(self.notes) or None,
            closed_on=from_qdate(self.closed_on.date()),
        )


def plan_outcome_text(plan: PlanEntry) -> str:
    if plan.outcome is None:
        return "—"
    return label(plan.outcome)
