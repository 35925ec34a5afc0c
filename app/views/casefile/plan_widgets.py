"""The parts of the action plan screen that only display: the plan's header with its
lifecycle buttons, the tree of goals and actions, and the previous (closed) plans.

They know nothing of services; ``PlanSection`` reads the data and decides what may be done.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.i18n import N_, _
from app.services.plan_entries import ActionEntry, GoalEntry, PlanEntry
from app.views.casefile.plan_dialogs import plan_outcome_text
from app.views.labels import label
from app.views.record_forms import (
    OVERDUE_COLOUR,
    Badge,
    align_to_layout,
    domain_label,
    format_date,
    top_items,
)
from passerelle_core.enums import ActionStatus, GoalStatus, PlanStatus, ResponsibleKind

ROLE = Qt.ItemDataRole.UserRole
STATUS_TONES = {
    PlanStatus.DRAFT: "neutral",
    PlanStatus.AWAITING_APPROVAL: "warning",
    PlanStatus.ACTIVE: "success",
    PlanStatus.UNDER_REVIEW: "info",
    PlanStatus.CLOSED: "neutral",
}
FINISHED_ACTIONS = frozenset({ActionStatus.DONE, ActionStatus.CANCELLED})
NOT_YET_IN_FORCE = frozenset({PlanStatus.DRAFT, PlanStatus.AWAITING_APPROVAL})
LIFECYCLE_STEPS = (
    ("edit_plan", N_("Edit the &plan…")),
    ("activate", N_("&Activate")),
    ("submit_for_approval", N_("Su&bmit for approval")),
    ("approve", N_("A&pprove")),
    ("return_to_draft", N_("Return to dra&ft")),
    ("start_review", N_("Start &review")),
    ("resume", N_("Res&ume…")),
    ("close", N_("&Close the plan…")),
    ("draft_new", N_("&Draft a new plan…")),
)


def plan_title(plan: PlanEntry) -> str:
    if plan.title:
        return plan.title
    drafted = format_date(plan.created_at.date()) if plan.created_at else "—"
    return _("Plan drafted on {date}").format(date=drafted)


def stretch_first(tree: QTreeWidget) -> None:
    header = tree.header()
    header.setStretchLastSection(False)
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    for column in range(1, tree.columnCount()):
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)


def goal_status(plan: PlanEntry, goal: GoalEntry) -> str:
    """An open goal of a plan not yet in force is planned, not under way."""
    if goal.status is GoalStatus.OPEN and plan.status in NOT_YET_IN_FORCE:
        return _("Planned (goal)")
    return label(goal.status)


@dataclass(frozen=True)
class Names:
    """Who is who, to show names where the plan holds ids."""

    staff: dict[uuid.UUID, str]
    partners: dict[uuid.UUID, str]

    def staff_name(self, staff_id: uuid.UUID | None) -> str:
        return self.staff.get(staff_id, "—") if staff_id is not None else "—"


class PlanHeader(QGroupBox):
    """Title, status badge, dates and people, and one button per lifecycle step."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)  # the case file's tab already says "Action plan"
        self.title_label = QLabel()
        self.title_label.setStyleSheet("font-size: 15px; font-weight: 600;")
        self.title_label.setWordWrap(True)
        self.status_badge = Badge()
        top = QHBoxLayout()
        top.addWidget(self.title_label, 1)
        top.addWidget(self.status_badge)
        self.details = QFormLayout()
        self.details.setHorizontalSpacing(16)
        # Values sit next to their labels, in Arabic too (a stretched Latin value would
        # align to the far side).
        self.details.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        self.review_label, self.author_label = QLabel(), QLabel()
        self.approval_label, self.basis_label = QLabel(), QLabel()
        self.outcome_label, self.notes_label = QLabel(), QLabel()
        self.notes_label.setWordWrap(True)
        align_to_layout(self.notes_label)
        for text, widget in (
            (_("Review date:"), self.review_label),
            (_("Drafted by:"), self.author_label),
            (_("Approval:"), self.approval_label),
            (_("Based on:"), self.basis_label),
            (_("Outcome:"), self.outcome_label),
        ):
            self.details.addRow(text, widget)
        self.lifecycle: dict[str, QPushButton] = {}
        buttons = QHBoxLayout()
        for key, text in LIFECYCLE_STEPS:
            button = QPushButton(_(text))
            self.lifecycle[key] = button
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.lifecycle_hint = QLabel()
        self.lifecycle_hint.setStyleSheet("color: #55606a;")
        self.lifecycle_hint.setWordWrap(True)
        align_to_layout(self.lifecycle_hint)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(self.details)
        layout.addWidget(self.notes_label)
        layout.addWidget(self.lifecycle_hint)
        layout.addLayout(buttons)

    def show_plan(
        self, plan: PlanEntry, names: Names, *, approval: str, basis: str, today: date
    ) -> None:
        self.title_label.setText(plan_title(plan))
        self.status_badge.show_status(label(plan.status), STATUS_TONES[plan.status])
        late = (
            plan.review_date is not None
            and plan.review_date < today
            and plan.status in {PlanStatus.ACTIVE, PlanStatus.UNDER_REVIEW}
        )
        review = format_date(plan.review_date)
        if late:
            review = _("{date} (past: time for a review)").format(date=review)
        self.review_label.setText(review)
        self.review_label.setStyleSheet(f"color: {OVERDUE_COLOUR};" if late else "")
        self.author_label.setText(names.staff_name(plan.author_id))
        self.approval_label.setText(approval)
        self.basis_label.setText(basis)
        closed = plan.status is PlanStatus.CLOSED
        if closed:
            outcome = _("{outcome}, closed on {date}").format(
                outcome=plan_outcome_text(plan), date=format_date(plan.closed_on)
            )
            self.outcome_label.setText(outcome)
            notes = plan.outcome_notes or "—"
            self.notes_label.setText(_("Closing notes: {notes}").format(notes=notes))
        self.details.setRowVisible(self.outcome_label, closed)
        self.notes_label.setVisible(closed)

    def show_steps(self, steps: set[str], hint: str) -> None:
        for key, button in self.lifecycle.items():
            button.setVisible(key in steps)
        self.lifecycle_hint.setText(hint)
        self.lifecycle_hint.setVisible(bool(hint))


class GoalTree(QTreeWidget):
    """Goals (bold) with their actions; overdue due dates in a calm red."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setHeaderLabels(
            [
                _("Goal or action"),
                _("Need domain or responsible"),
                _("Target or due date"),
                _("Status"),
            ]
        )
        self.setAlternatingRowColors(True)
        stretch_first(self)

    def select_goal(self, goal_id: uuid.UUID) -> None:
        for item in top_items(self):
            if item.data(0, ROLE) == ("goal", goal_id):
                self.setCurrentItem(item)
                return

    def fill(self, plan: PlanEntry, names: Names, today: date) -> None:
        self.clear()
        bold = QFont(self.font())
        bold.setBold(True)
        for goal in plan.goals:
            target = format_date(goal.target_date) if goal.target_date else ""
            goal_item = QTreeWidgetItem(
                [goal.wording, domain_label(goal.domain_id), target, goal_status(plan, goal)]
            )
            goal_item.setData(0, ROLE, ("goal", goal.id))
            goal_item.setFont(0, bold)
            goal_item.setToolTip(0, goal.wording)
            self.addTopLevelItem(goal_item)
            for action in goal.actions:
                goal_item.addChild(self._action_item(action, names, today))
        self.expandAll()

    def _action_item(self, action: ActionEntry, names: Names, today: date) -> QTreeWidgetItem:
        due = format_date(action.due_date) if action.due_date else ""
        status = label(action.status)
        if action.status is ActionStatus.DONE and action.completed_on is not None:
            status = _("{status} on {date}").format(
                status=status, date=format_date(action.completed_on)
            )
        item = QTreeWidgetItem([action.description, responsible(action, names), due, status])
        item.setData(0, ROLE, ("action", action.id))
        item.setToolTip(0, action.description)
        if action.outcome:
            item.setToolTip(3, _("Outcome: {outcome}").format(outcome=action.outcome))
        overdue = (
            action.due_date is not None
            and action.due_date < today
            and action.status not in FINISHED_ACTIONS
        )
        if overdue:
            item.setForeground(2, QBrush(QColor(OVERDUE_COLOUR)))
            item.setToolTip(2, _("Overdue"))
        return item

    def selected_record(self, plan: PlanEntry | None) -> GoalEntry | ActionEntry | None:
        """The selected goal or action, looked up in the plan as loaded."""
        items = self.selectedItems()
        if not items or plan is None:
            return None
        kind, record_id = items[0].data(0, ROLE)
        for goal in plan.goals:
            if kind == "goal" and goal.id == record_id:
                return goal
            for action in goal.actions:
                if kind == "action" and action.id == record_id:
                    return action
        return None


def responsible(action: ActionEntry, names: Names) -> str:
    """Who carries the action: the person, a partner or a colleague, by name."""
    if action.responsible_kind is ResponsibleKind.BENEFICIARY:
        return _("The beneficiary")
    if action.responsible_kind is ResponsibleKind.PARTNER and action.partner_id:
        return names.partners.get(action.partner_id, "—")
    return names.staff_name(action.responsible_staff_id)


class PreviousPlans(QGroupBox):
    """Closed plans, read-only, with the goals they had and how those ended."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(_("Previous plans"), parent)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels([_("Plan or goal"), _("Outcome or status"), _("Closed on")])
        self.tree.setMaximumHeight(160)
        stretch_first(self.tree)
        QVBoxLayout(self).addWidget(self.tree)

    def fill(self, closed: list[PlanEntry]) -> None:
        self.tree.clear()
        for plan in closed:
            item = QTreeWidgetItem(
                [
                    plan_title(plan),
                    plan_outcome_text(plan),
                    format_date(plan.closed_on),
                ]
            )
            for goal in plan.goals:
                item.addChild(QTreeWidgetItem([goal.wording, label(goal.status), ""]))
            self.tree.addTopLevelItem(item)
        self.setVisible(bool(closed))
