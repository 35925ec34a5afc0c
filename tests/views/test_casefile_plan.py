"""The action plan section, driven as a counsellor would: draft, goals, actions, lifecycle.

Typed text is ASCII: QTest cannot type accented letters (qasciikey asserts).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTreeWidgetItem
from pytestqt.qtbot import QtBot

from app.models import Beneficiary, Team
from app.services import assessments, beneficiaries, consent, plans
from app.services.context import ServiceContext
from app.settings import Settings
from app.store.profile import Profile
from app.views.app_state import AppState
from app.views.casefile.plan import PlanSection
from app.views.casefile.plan_dialogs import (
    ActionDialog,
    ActionStatusDialog,
    ClosePlanDialog,
    DraftPlanDialog,
    GoalDialog,
)
from passerelle_core.enums import (
    ActionStatus,
    ConsentPurpose,
    PlanOutcome,
    PlanStatus,
    ResponsibleKind,
    StaffRole,
)

Colleague = Callable[[StaffRole], ServiceContext]


@pytest.fixture
def person(ctx: ServiceContext) -> Beneficiary:
    return beneficiaries.register(ctx, {"last_name": "Bennani", "first_name": "Youssef"})


def _state(profile: Profile, ctx: ServiceContext) -> AppState:
    return AppState(profile, ctx, Settings())


def _section(qtbot: QtBot, state: AppState, person: Beneficiary) -> PlanSection:
    section = PlanSection(state, person.id)
    qtbot.addWidget(section)
    section.resize(1100, 700)
    section.show()
    return section


def _assess_with_priority(ctx: ServiceContext, person: Beneficiary, domain: str) -> None:
    """A completed assessment where ``domain`` is overridden to high priority."""
    consent.record(ctx, person.id, ConsentPurpose.ASSESSMENT)
    override = {domain: {"priority": "high", "reason": "Sortie dans trois mois, sans toit"}}
    assessments.record(ctx, person.id, {}, priority_overrides=override)


def _require_approval(profile: Profile, ctx: ServiceContext) -> None:
    with profile.sessions.begin() as session:
        team = session.get(Team, ctx.actor.team_id)
        assert team is not None
        team.requires_plan_approval = True


def _draft_with_goal_and_action(qtbot: QtBot, section: PlanSection) -> None:
    qtbot.mouseClick(section.draft_button, Qt.MouseButton.LeftButton)
    draft = section.dialog
    assert isinstance(draft, DraftPlanDialog)
    qtbot.keyClicks(draft.title, "Preparer la sortie")
    with qtbot.waitSignal(section.changed):
        draft.accept()
    assert section.header.status_badge.text() == "Draft"

    qtbot.mouseClick(section.add_goal_button, Qt.MouseButton.LeftButton)
    goal_dialog = section.dialog
    assert isinstance(goal_dialog, GoalDialog)
    assert goal_dialog.domain.value() == "housing"  # the priority domain comes first
    assert "priority" in goal_dialog.domain.currentText()
    qtbot.keyClicks(goal_dialog.wording, "Trouver un hebergement a la sortie")
    with qtbot.waitSignal(section.changed):
        goal_dialog.accept()
    goal_item = section.tree.topLevelItem(0)
    assert goal_item.text(0) == "Trouver un hebergement a la sortie"
    assert goal_item.text(1) == "Housing after release"

    section.tree.setCurrentItem(goal_item)
    qtbot.mouseClick(section.add_action_button, Qt.MouseButton.LeftButton)
    action_dialog = section.dialog
    assert isinstance(action_dialog, ActionDialog)
    assert action_dialog.kind.value() is ResponsibleKind.STAFF
    qtbot.keyClicks(action_dialog.description, "Contacter le centre d'accueil")
    action_dialog.due_date.check.setChecked(True)
    with qtbot.waitSignal(section.changed):
        action_dialog.accept()
    action_item = section.tree.topLevelItem(0).child(0)
    assert action_item.text(0) == "Contacter le centre d'accueil"
    assert action_item.text(1) == "Amina Tazi"


def test_draft_goal_action_activate(
    qtbot: QtBot, profile: Profile, ctx: ServiceContext, person: Beneficiary
) -> None:
    _assess_with_priority(ctx, person, "housing")
    section = _section(qtbot, _state(profile, ctx), person)
    assert section.stack.currentWidget() is section.empty

    _draft_with_goal_and_action(qtbot, section)
    assert section.header.lifecycle["activate"].isVisible()
    assert not section.header.lifecycle["submit_for_approval"].isVisible()
    qtbot.mouseClick(section.header.lifecycle["activate"], Qt.MouseButton.LeftButton)
    assert section.header.status_badge.text() == "Active"
    assert section.header.lifecycle["start_review"].isVisible()
    assert not section.banner.isVisible()


def test_activation_refused_without_goal_shows_the_reason(
    qtbot: QtBot, profile: Profile, ctx: ServiceContext, person: Beneficiary
) -> None:
    plans.draft_plan(ctx, person.id, title="Sortie", review_date=ctx.today() + timedelta(days=30))
    section = _section(qtbot, _state(profile, ctx), person)
    qtbot.mouseClick(section.header.lifecycle["activate"], Qt.MouseButton.LeftButton)
    assert section.banner.isVisible()
    assert "at least one goal" in section.banner.text()
    assert section.header.status_badge.text() == "Draft"


def test_team_requiring_approval(
    qtbot: QtBot,
    profile: Profile,
    ctx: ServiceContext,
    colleague: Colleague,
    person: Beneficiary,
) -> None:
    _require_approval(profile, ctx)
    _assess_with_priority(ctx, person, "housing")
    section = _section(qtbot, _state(profile, ctx), person)
    _draft_with_goal_and_action(qtbot, section)
    assert not section.header.lifecycle["activate"].isVisible()
    submit = section.header.lifecycle["submit_for_approval"]
    assert submit.isVisible()
    qtbot.mouseClick(submit, Qt.MouseButton.LeftButton)
    assert section.header.status_badge.text() == "Awaiting approval"
    assert not section.header.lifecycle["approve"].isVisible()
    assert not section.add_goal_button.isEnabled()  # frozen while awaiting approval

    supervisor = colleague(StaffRole.SUPERVISOR)
    theirs = _section(qtbot, _state(profile, supervisor), person)
    assert theirs.header.lifecycle["approve"].isVisible()
    assert theirs.header.lifecycle["return_to_draft"].isVisible()
    qtbot.mouseClick(theirs.header.lifecycle["approve"], Qt.MouseButton.LeftButton)
    assert theirs.header.status_badge.text() == "Active"
    assert theirs.header.approval_label.text().startswith("Approved by Colleague supervisor")


def test_action_status_review_and_close(
    qtbot: QtBot, profile: Profile, ctx: ServiceContext, person: Beneficiary
) -> None:
    _assess_with_priority(ctx, person, "housing")
    section = _section(qtbot, _state(profile, ctx), person)
    _draft_with_goal_and_action(qtbot, section)
    qtbot.mouseClick(section.header.lifecycle["activate"], Qt.MouseButton.LeftButton)

    action_item: QTreeWidgetItem = section.tree.topLevelItem(0).child(0)
    section.tree.setCurrentItem(action_item)
    qtbot.mouseClick(section.status_button, Qt.MouseButton.LeftButton)
    status = section.dialog
    assert isinstance(status, ActionStatusDialog)
    status.status.select(ActionStatus.DONE)
    qtbot.keyClicks(status.outcome, "Place reservee")
    with qtbot.waitSignal(section.changed):
        status.accept()
    assert section.tree.topLevelItem(0).child(0).text(3).startswith("Done")

    qtbot.mouseClick(section.header.lifecycle["start_review"], Qt.MouseButton.LeftButton)
    assert section.header.status_badge.text() == "Under review"
    assert section.header.lifecycle["resume"].isVisible()
    qtbot.mouseClick(section.header.lifecycle["close"], Qt.MouseButton.LeftButton)
    closing = section.dialog
    assert isinstance(closing, ClosePlanDialog)
    closing.accept()  # no outcome chosen: refused inline, the dialog stays open
    assert closing.error.isVisible() and closing.isVisible()
    closing.outcome.select(PlanOutcome.ACHIEVED)
    qtbot.keyClicks(closing.notes, "Heberge chez sa soeur")
    with qtbot.waitSignal(section.changed):
        closing.accept()
    assert section.header.status_badge.text() == "Closed"
    assert section.header.outcome_label.text().startswith("Achieved")
    assert section.header.lifecycle["draft_new"].isVisible()
    assert not section.add_goal_button.isEnabled()
    assert plans.list_plans(ctx, person.id)[0].status is PlanStatus.CLOSED

    qtbot.mouseClick(section.header.lifecycle["draft_new"], Qt.MouseButton.LeftButton)
    draft = section.dialog
    assert isinstance(draft, DraftPlanDialog)
    qtbot.keyClicks(draft.title, "Apres la sortie")  # a plan needs a title
    with qtbot.waitSignal(section.changed):
        draft.accept()
    assert section.header.status_badge.text() == "Draft"
    assert section.previous.isVisible()
    assert section.previous.tree.topLevelItemCount() == 1


def test_overdue_action_in_red(
    qtbot: QtBot, profile: Profile, ctx: ServiceContext, person: Beneficiary
) -> None:
    plan = plans.draft_plan(ctx, person.id, title="Papiers")
    goal = plans.add_goal(ctx, plan.id, domain_id="civil_status", wording="Refaire la CIN")
    plans.add_action(
        ctx,
        goal.id,
        description="Demander l'extrait de naissance",
        responsible_kind=ResponsibleKind.BENEFICIARY,
        due_date=ctx.today() + timedelta(days=10),
    )
    # Forty days later, the action is still planned: its due date has passed.
    later = ServiceContext(ctx.sessions, ctx.actor, today=lambda: ctx.today() + timedelta(days=40))
    section = _section(qtbot, _state(profile, later), person)
    item = section.tree.topLevelItem(0).child(0)
    assert item.text(1) == "The beneficiary"
    assert item.toolTip(2) == "Overdue"
    assert item.foreground(2).color().name() == "#b3261e"
