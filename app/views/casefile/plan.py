"""The action plan of a case file: goals on the priority needs, their actions, the lifecycle.

What a button offers follows the plan's status (``plans.TRANSITIONS``) and the actor's
role: a social worker in a team that wants approval submits, a supervisor approves.
The service still decides; its refusals are shown in a banner above the plan.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from PySide6.QtWidgets import (
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.models import Goal
from app.security.permissions import Permission, may
from app.services import assessment_entries, organisation, partners, plan_entries, plans
from app.services.assessment_entries import AssessmentEntry
from app.services.plan_entries import ActionEntry, GoalEntry, PlanEntry
from app.views.activity_dialog import REPORT_LANGUAGES
from app.views.app_state import AppState
from app.views.casefile.plan_dialogs import (
    ActionDialog,
    ActionStatusDialog,
    ClosePlanDialog,
    DraftPlanDialog,
    EditPlanDialog,
    GoalDialog,
    GoalStatusDialog,
    PriorityGoalsDialog,
    ResumeDialog,
    priority_domains,
)
from app.views.casefile.plan_widgets import GoalTree, Names, PlanHeader, PreviousPlans
from app.views.casefile.section import CaseSection
from app.views.record_forms import EmptyState, format_date
from app.views.report_actions import DocumentJob, preview_plan
from passerelle_core.enums import DocumentKind, PlanStatus
from passerelle_core.lifecycle import plan_steps


class PlanSection(CaseSection):
    """The current plan (or the last closed one), its goals and actions, earlier plans."""

    def __init__(
        self, state: AppState, beneficiary_id: uuid.UUID, parent: QWidget | None = None
    ) -> None:
        super().__init__(state, beneficiary_id, parent)
        self.plan: PlanEntry | None = None
        self._select_next: uuid.UUID | None = None
        self.print_job: DocumentJob | None = None
        self.names = Names({}, {})
        self.draft_button = QPushButton(_("&Draft a plan…"))
        self.draft_button.clicked.connect(self.draft_plan)
        empty = EmptyState(
            _("No action plan yet"),
            _(
                "An action plan turns the priority needs found by the assessment into goals, "
                "actions and dates. Draft one to start."
            ),
            self.draft_button,
        )
        self.header = PlanHeader()
        slots: dict[str, Callable[[], object]] = {
            "edit_plan": self.edit_plan,
            "activate": self.activate,
            "submit_for_approval": self.submit_for_approval,
            "approve": self.approve,
            "return_to_draft": self.return_to_draft,
            "start_review": self.start_review,
            "resume": self.resume,
            "close": self.close_plan,
            "draft_new": self.draft_plan,
        }
        for key, button in self.header.lifecycle.items():
            button.clicked.connect(slots[key])
        self.previous = PreviousPlans()
        page = QWidget()
        page_layout = QVBoxLayout(page)
        page_layout.setContentsMargins(0, 0, 0, 0)
        page_layout.addWidget(self.header)
        page_layout.addWidget(self._build_goals(), 1)
        page_layout.addWidget(self.previous)
        self.lay_out(empty, [], page)
        self.reload()

    def _build_goals(self) -> QGroupBox:
        box = QGroupBox(_("Goals and actions"))
        self.tree = GoalTree()
        self.tree.itemSelectionChanged.connect(self._update_buttons)
        self.tree.itemActivated.connect(lambda _item, _column: self.edit_selected())
        self.goals_empty = QLabel(
            _("No goals yet. Add a goal for each priority need, then the actions that serve it.")
        )
        self.goals_empty.setStyleSheet("color: #55606a;")
        self.goals_empty.setWordWrap(True)
        self.add_goal_button = QPushButton(_("Add a &goal…"))
        self.priority_goals_button = QPushButton(_("Goals for the &priorities…"))
        self.priority_goals_button.setToolTip(
            _("One goal per priority need of the assessment, in one step")
        )
        self.priority_goals_button.clicked.connect(self.add_priority_goals)
        self.add_action_button = QPushButton(_("Add an ac&tion…"))
        self.edit_button = QPushButton(_("&Edit…"))
        self.status_button = QPushButton(_("Set &status…"))
        self.add_goal_button.clicked.connect(self.add_goal)
        self.add_action_button.clicked.connect(self.add_action)
        self.edit_button.clicked.connect(self.edit_selected)
        self.status_button.clicked.connect(self.set_status)
        self.appointment_button = QPushButton(_("A&ppointment…"))
        self.appointment_button.setToolTip(_("An appointment with the person for this action"))
        self.appointment_button.clicked.connect(self.make_appointment)
        self.print_button = QToolButton()
        self.print_button.setText(_("&Print the plan"))
        self.print_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        print_menu = QMenu(self.print_button)
        for code, name in REPORT_LANGUAGES:
            action = print_menu.addAction(_("In {language}…").format(language=name))
            action.triggered.connect(lambda _checked=False, code=code: self.print_plan(code))
        print_menu.addSeparator()  # the summary comes back signed: scanned, attached (issue 20)
        signed = print_menu.addAction(_("Attach the signed copy (a scan)…"))
        signed.triggered.connect(lambda _checked=False: self.attach_signed_copy())
        self.print_button.setMenu(print_menu)
        row = QHBoxLayout()
        for button in (
            self.add_goal_button,
            self.priority_goals_button,
            self.add_action_button,
            self.edit_button,
            self.status_button,
            self.appointment_button,
        ):
            row.addWidget(button)
        row.addStretch(1)
        row.addWidget(self.print_button)
        layout = QVBoxLayout(box)
        layout.addWidget(self.goals_empty)
        layout.addWidget(self.tree, 1)
        layout.addLayout(row)
        return box

    # Reading --------------------------------------------------------------------------

    def reload(self) -> None:
        ctx = self.state.ctx
        every = plan_entries.entries_for(ctx, self.beneficiary_id)
        current = next((p for p in every if p.status is not PlanStatus.CLOSED), None)
        self.plan = current or (every[0] if every else None)
        self.show_content(self.plan is not None)
        if self.plan is None:
            return
        self.names = Names(
            organisation.staff_names(ctx), {p.id: p.name for p in partners.list_partners(ctx)}
        )
        assessment = self._assessment(self.plan)
        basis = (
            _("Needs assessment of {date}").format(date=format_date(assessment.assessed_on))
            if assessment is not None
            else _("No assessment linked")
        )
        self.header.show_plan(
            self.plan,
            self.names,
            approval=self._approval_text(self.plan),
            basis=basis,
            today=ctx.today(),
        )
        self.tree.fill(self.plan, self.names, ctx.today())
        if self._select_next is not None:
            self.tree.select_goal(self._select_next)
            self._select_next = None
        self.goals_empty.setVisible(not self.plan.goals)
        self.previous.fill([p for p in every if p is not self.plan])
        self._update_buttons()

    def _approval_text(self, plan: PlanEntry) -> str:
        if plan.approved_by_id is not None and plan.approved_at is not None:
            return _("Approved by {name} on {date}").format(
                name=self.names.staff_name(plan.approved_by_id),
                date=format_date(plan.approved_at.date()),
            )
        if plan.status is PlanStatus.AWAITING_APPROVAL:
            return _("Waiting for a supervisor's approval")
        if plan.activated_on is not None:
            return _("Not required (activated on {date})").format(
                date=format_date(plan.activated_on)
            )
        if organisation.plan_needs_approval(self.state.ctx, self.beneficiary_id):
            return _("A supervisor approves plans before they start")
        return _("Not required in this team")

    def _assessment(self, plan: PlanEntry) -> AssessmentEntry | None:
        if plan.assessment_id is None:
            return None
        found = assessment_entries.entries_for(self.state.ctx, self.beneficiary_id)
        return next((a for a in found if a.id == plan.assessment_id), None)

    # What may be done -----------------------------------------------------------------

    def available_steps(self) -> set[str]:
        """Lifecycle operations offered for this plan's status and the actor's role."""
        if self.plan is None:
            return set()
        status = self.plan.status
        needs_approval = organisation.plan_needs_approval(self.state.ctx, self.beneficiary_id)
        steps = plan_steps(self.state.ctx.actor.role, status, needs_approval)
        if status in plans.EDITABLE:
            steps.add("edit_plan")
        if status is PlanStatus.CLOSED:
            steps.add("draft_new")
        return steps

    def _update_buttons(self) -> None:
        hint = ""
        if self.plan is not None and self.plan.status is PlanStatus.AWAITING_APPROVAL:
            if not may(self.state.ctx, Permission.APPROVE_PLAN):
                hint = _("Submitted: a supervisor will approve it or return it to draft.")
        self.header.show_steps(self.available_steps(), hint)
        editable = self.plan is not None and self.plan.status in plans.EDITABLE
        selected = self.selected() is not None
        self.add_goal_button.setEnabled(editable)
        self.priority_goals_button.setEnabled(editable and bool(self._uncovered_priorities()))
        self.add_action_button.setEnabled(editable and selected)
        self.edit_button.setEnabled(editable and selected)
        self.status_button.setEnabled(editable and selected)
        self.appointment_button.setEnabled(isinstance(self.selected(), ActionEntry))

    def selected(self) -> GoalEntry | ActionEntry | None:
        return self.tree.selected_record(self.plan)

    def _selected_goal(self) -> GoalEntry | None:
        record = self.selected()
        if isinstance(record, GoalEntry) or record is None or self.plan is None:
            return record if isinstance(record, GoalEntry) else None
        return next(g for g in self.plan.goals if any(a is record for a in g.actions))

    # Doing ----------------------------------------------------------------------------

    def attach_signed_copy(self) -> QDialog | None:
        """The signed summary, scanned back, attached to this plan (it lists under Documents)."""
        from app.views.casefile.documents import AttachDialog

        if self.plan is None:
            return None
        dialog = AttachDialog(
            self.state,
            self.beneficiary_id,
            self,
            kind=DocumentKind.SIGNED_PLAN,
            plan_id=self.plan.id,
        )
        return self.open_dialog(dialog, then=self.changed.emit)

    def print_plan(self, language: str) -> DocumentJob:
        """The plan summary for the beneficiary to read and sign, previewed before print."""
        self.print_job = preview_plan(self, self.state, self.beneficiary_id, language)
        return self.print_job

    def draft_plan(self) -> QDialog:
        latest = assessment_entries.latest(self.state.ctx, self.beneficiary_id)
        return self.open_dialog(DraftPlanDialog(self.state, self.beneficiary_id, latest, self))

    def edit_plan(self) -> QDialog | None:
        if self.plan is None:
            return None
        return self.open_dialog(EditPlanDialog(self.state, self.plan, self))

    def _priorities(self) -> list[str]:
        """The plan's assessment's priority domains, or the latest assessment's."""
        assert self.plan is not None
        assessment = self._assessment(self.plan)
        if assessment is None:
            assessment = assessment_entries.latest(self.state.ctx, self.beneficiary_id)
        return priority_domains(assessment)

    def add_goal(self) -> QDialog | None:
        if self.plan is None:
            return None
        dialog = GoalDialog(self.state, self.plan, self._priorities(), parent=self)
        dialog.saved.connect(self._select_saved)
        return self.open_dialog(dialog)

    def _uncovered_priorities(self) -> list[str]:
        """Priority domains of the assessment that no goal of the plan addresses yet."""
        if self.plan is None:
            return []
        covered = {goal.domain_id for goal in self.plan.goals}
        return [domain for domain in self._priorities() if domain not in covered]

    def add_priority_goals(self) -> QDialog | None:
        domains = self._uncovered_priorities()
        if self.plan is None or not domains:
            return None
        dialog = PriorityGoalsDialog(self.state, self.plan, domains, parent=self)
        dialog.saved.connect(self._select_saved)
        return self.open_dialog(dialog)

    def _select_saved(self, record: object) -> None:
        """The goal just added is selected once the plan is shown again (its actions next)."""
        if isinstance(record, list):
            record = record[0] if record else None
        if isinstance(record, Goal):
            self._select_next = record.id

    def add_action(self) -> QDialog | None:
        goal = self._selected_goal()
        if goal is None:
            return None
        return self.open_dialog(self._action_dialog(goal.id, None))

    def _action_dialog(self, goal_id: uuid.UUID, action: ActionEntry | None) -> ActionDialog:
        staff = organisation.list_staff(self.state.ctx)
        every_partner = partners.list_partners(self.state.ctx)
        return ActionDialog(self.state, goal_id, staff, every_partner, action, self)

    def edit_selected(self) -> QDialog | None:
        record = self.selected()
        if record is None or self.plan is None or self.plan.status not in plans.EDITABLE:
            return None
        if isinstance(record, GoalEntry):
            dialog = GoalDialog(self.state, self.plan, self._priorities(), record, self)
            return self.open_dialog(dialog)
        return self.open_dialog(self._action_dialog(record.goal_id, record))

    def make_appointment(self) -> QDialog | None:
        """An appointment for the selected action (its description as the purpose)."""
        from app.views.appointment_dialog import AppointmentDialog

        action = self.selected()
        if not isinstance(action, ActionEntry):
            return None
        due = action.due_date
        dialog = AppointmentDialog(
            self.state,
            self.beneficiary_id,
            self,
            day=due if due is not None and due > self.state.ctx.today() else None,
            purpose=action.description,
            action_id=action.id,
        )
        return self.open_dialog(dialog)

    def set_status(self) -> QDialog | None:
        record = self.selected()
        if record is None:
            return None
        if isinstance(record, GoalEntry):
            return self.open_dialog(GoalStatusDialog(self.state, record, self))
        return self.open_dialog(ActionStatusDialog(self.state, record, self))

    def _plan_id(self) -> uuid.UUID:
        assert self.plan is not None
        return self.plan.id

    def activate(self) -> bool:
        return self.run(lambda: plans.activate(self.state.ctx, self._plan_id()))

    def submit_for_approval(self) -> bool:
        return self.run(lambda: plans.submit_for_approval(self.state.ctx, self._plan_id()))

    def approve(self) -> bool:
        return self.run(lambda: plans.approve(self.state.ctx, self._plan_id()))

    def return_to_draft(self) -> bool:
        return self.run(lambda: plans.return_to_draft(self.state.ctx, self._plan_id()))

    def start_review(self) -> bool:
        return self.run(lambda: plans.start_review(self.state.ctx, self._plan_id()))

    def resume(self) -> QDialog | None:
        if self.plan is None:
            return None
        return self.open_dialog(ResumeDialog(self.state, self.plan, self))

    def close_plan(self) -> QDialog | None:
        if self.plan is None:
            return None
        return self.open_dialog(ClosePlanDialog(self.state, self.plan, self))
