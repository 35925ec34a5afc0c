"""Forms that guard: an empty session is refused, a same-day double entry is pointed
out, an entry recorded by mistake is cancelled with its reason (kept, not counted), and
field messages carry one colon, in French and in Arabic."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from pytestqt.qtbot import QtBot

from app import i18n
from app.indicators import figures
from app.indicators.period import Period, Scope
from app.models import Beneficiary, FollowUpSession, NeedsAssessment, Referral
from app.services import assessments, beneficiaries, consent, followup, plans, voiding
from app.services.context import ServiceContext
from app.services.errors import InvalidTransition, ValidationFailed
from app.settings import Settings
from app.store.profile import Profile
from app.views.app_state import AppState
from app.views.casefile.plan import PlanSection
from app.views.casefile.plan_dialogs import DraftPlanDialog, GoalDialog, PriorityGoalsDialog
from app.views.casefile.sessions import RecordSessionDialog, SessionsSection
from app.views.casefile.voiding import VoidDialog
from app.views.record_forms import field_name
from passerelle_core.enums import ConsentPurpose

DOMAINS = ("housing", "employment")


@pytest.fixture
def person(ctx: ServiceContext) -> Beneficiary:
    return beneficiaries.register(ctx, {"last_name": "Idrissi", "first_name": "Karim"})


def _section(
    qtbot: QtBot, profile: Profile, ctx: ServiceContext, person: Beneficiary
) -> SessionsSection:
    section = SessionsSection(AppState(profile, ctx, Settings()), person.id)
    qtbot.addWidget(section)
    section.resize(1100, 700)
    section.show()
    return section


def test_an_untouched_session_form_is_refused_with_one_colon(
    qtbot: QtBot, profile: Profile, ctx: ServiceContext, person: Beneficiary, language: str
) -> None:
    section = _section(qtbot, profile, ctx, person)
    dialog = section.record_session()
    assert isinstance(dialog, RecordSessionDialog)
    dialog.accept()
    assert dialog.isVisible() and dialog.error.isVisible()
    assert followup.list_sessions(ctx, person.id) == []
    message = dialog.error.text()
    topic = field_name(i18n._("&Topic:"))
    assert message.startswith(topic)
    assert "::" not in message.replace(" ", "") and ": :" not in message
    assert i18n._("Give the topic of the session or write its note.") in message


def test_a_same_day_double_entry_is_pointed_out_then_allowed(
    qtbot: QtBot, profile: Profile, ctx: ServiceContext, person: Beneficiary, language: str
) -> None:
    followup.record_session(ctx, person.id, held_on=ctx.today(), topic="Sortie")
    section = _section(qtbot, profile, ctx, person)
    dialog = section.record_session()
    assert isinstance(dialog, RecordSessionDialog)
    qtbot.keyClicks(dialog.topic, "Sortie")
    dialog.accept()
    assert dialog.isVisible() and dialog.error.isVisible()  # warned, nothing saved
    assert len(followup.list_sessions(ctx, person.id)) == 1
    with qtbot.waitSignal(section.changed):
        dialog.accept()  # saving again confirms a second session that day
    assert len(followup.list_sessions(ctx, person.id)) == 2


def test_a_session_recorded_by_mistake_is_cancelled_kept_and_not_counted(
    qtbot: QtBot, profile: Profile, ctx: ServiceContext, person: Beneficiary, language: str
) -> None:
    followup.record_session(ctx, person.id, held_on=ctx.today(), topic="Doublon")
    section = _section(qtbot, profile, ctx, person)
    assert section.void_button.isEnabled()
    dialog = section.void_session()
    assert isinstance(dialog, VoidDialog)
    dialog.accept()  # no reason: refused
    assert dialog.error.isVisible()
    qtbot.keyClicks(dialog.reason, "Saisi deux fois")
    with qtbot.waitSignal(section.changed):
        dialog.accept()
    row = section.table.topLevelItem(0)
    assert row.text(5).startswith(i18n._("Cancelled: {reason}").format(reason="Saisi deux fois"))
    assert row.font(0).strikeOut()
    assert not section.void_button.isEnabled()
    [kept] = followup.list_sessions(ctx, person.id)
    assert kept.void_reason == "Saisi deux fois"
    assert followup.same_day(ctx, person.id, ctx.today()) == []


def test_voided_records_leave_the_indicators(ctx: ServiceContext, person: Beneficiary) -> None:
    recorded = followup.record_session(ctx, person.id, held_on=ctx.today(), topic="X")
    period = Period(date(ctx.today().year, 1, 1), date(ctx.today().year, 12, 31))

    def counted() -> int:
        with ctx.reading() as session:
            return len(session.execute(figures.sessions(period, Scope())).all())

    assert counted() == 1
    voiding.void(ctx, FollowUpSession, recorded.id, "Erreur")
    assert counted() == 0
    with pytest.raises(InvalidTransition):
        voiding.void(ctx, FollowUpSession, recorded.id, "Encore")
    with pytest.raises(ValidationFailed):
        voiding.void(ctx, FollowUpSession, recorded.id, "  ")
    assert {NeedsAssessment, Referral} <= set(voiding.WHAT)


def _plan_section(
    qtbot: QtBot, profile: Profile, ctx: ServiceContext, person: Beneficiary
) -> PlanSection:
    section = PlanSection(AppState(profile, ctx, Settings()), person.id)
    qtbot.addWidget(section)
    section.resize(1100, 700)
    section.show()
    return section


def test_a_plan_needs_a_title_and_its_goals_are_planned_until_in_force(
    qtbot: QtBot, profile: Profile, ctx: ServiceContext, person: Beneficiary, language: str
) -> None:
    section = _plan_section(qtbot, profile, ctx, person)
    draft = section.draft_plan()
    assert isinstance(draft, DraftPlanDialog)
    draft.accept()
    assert draft.isVisible() and draft.error.isVisible()  # no title: refused
    assert field_name(i18n._("&Title:")) in draft.error.text()
    assert plans.list_plans(ctx, person.id) == []
    qtbot.keyClicks(draft.title, "Preparer la sortie")
    with qtbot.waitSignal(section.changed):
        draft.accept()

    for wording in ("Trouver un logement", "Renouveler la CIN"):
        goal_dialog = section.add_goal()
        assert isinstance(goal_dialog, GoalDialog)
        qtbot.keyClicks(goal_dialog.wording, wording)
        with qtbot.waitSignal(section.changed):
            goal_dialog.accept()
        selected = section.selected()
        assert selected is not None and selected.wording == wording  # the new goal, selected
    item = section.tree.currentItem()
    assert item is not None and item.text(3) == i18n._("Planned (goal)")


def test_one_goal_per_priority_domain_in_one_step(
    qtbot: QtBot, profile: Profile, ctx: ServiceContext, person: Beneficiary, language: str
) -> None:
    consent.record(ctx, person.id, ConsentPurpose.ASSESSMENT)
    high = {"priority": "high", "reason": "Sortie proche"}
    assessments.record(ctx, person.id, {}, priority_overrides={DOMAINS[0]: high, DOMAINS[1]: high})
    plans.draft_plan(ctx, person.id, title="Sortie")
    section = _plan_section(qtbot, profile, ctx, person)
    assert section.priority_goals_button.isEnabled()
    dialog = section.add_priority_goals()
    assert isinstance(dialog, PriorityGoalsDialog)
    assert set(dialog.wordings) == {DOMAINS[0], DOMAINS[1]}
    dialog.accept()  # nothing written: refused
    assert dialog.error.isVisible()
    for domain, edit in dialog.wordings.items():
        qtbot.keyClicks(edit, f"Objectif {domain}")
    with qtbot.waitSignal(section.changed):
        dialog.accept()
    plan = plans.list_plans(ctx, person.id)[0]
    assert sorted(goal.domain_id for goal in plan.goals) == sorted(DOMAINS[:2])
    assert not section.priority_goals_button.isEnabled()  # every priority has its goal


def test_the_stage_follows_the_history_and_unrated_domains_are_named(
    qtbot: QtBot, profile: Profile, ctx: ServiceContext, person: Beneficiary, language: str
) -> None:
    from app.views.casefile.assessment import AssessmentSection
    from passerelle_core.enums import AssessmentStage

    consent.record(ctx, person.id, ConsentPurpose.ASSESSMENT)
    assert assessments.suggested_stage(ctx, person.id) is AssessmentStage.INTAKE
    assessments.record(ctx, person.id, {"housing.stability": 1})
    assert assessments.suggested_stage(ctx, person.id) is AssessmentStage.REVIEW
    release = (ctx.today() + timedelta(days=30)).isoformat()
    beneficiaries.update(ctx, person.id, {"expected_release_date": release})
    assert assessments.suggested_stage(ctx, person.id) is AssessmentStage.PRE_RELEASE

    section = AssessmentSection(AppState(profile, ctx, Settings()), person.id)
    qtbot.addWidget(section)
    section.show()
    form = section.new_assessment()
    assert form is not None
    assert form.stage.value() is AssessmentStage.PRE_RELEASE  # not "intake" a second time
    form.domain_pages["housing"].items["housing.stability"].set_value(2)
    unrated = form.unrated_domains()
    assert "housing" not in unrated and len(unrated) >= 3
    form.save()
    message = form.banner.text()
    first_unrated = form.instrument.domain(unrated[0]).label.get(language)
    assert first_unrated in message  # the domains left unrated are named
    assert len(assessments.list_for(ctx, person.id)) == 1  # nothing saved yet
    with qtbot.waitSignal(section.changed):
        form.save()  # saving again completes it all the same
    assert len(assessments.list_for(ctx, person.id)) == 2


def test_an_assessment_recorded_by_mistake_is_cancelled_and_leaves_the_chart(
    qtbot: QtBot, profile: Profile, ctx: ServiceContext, person: Beneficiary, language: str
) -> None:
    from app.views.casefile.assessment import AssessmentSection

    consent.record(ctx, person.id, ConsentPurpose.ASSESSMENT)
    assessments.record(ctx, person.id, {"housing.stability": 1})
    section = AssessmentSection(AppState(profile, ctx, Settings()), person.id)
    qtbot.addWidget(section)
    section.show()
    assert section.void_button.isEnabled()
    dialog = section.void_selected()
    assert isinstance(dialog, VoidDialog)
    qtbot.keyClicks(dialog.reason, "Mauvais dossier")
    with qtbot.waitSignal(section.changed):
        dialog.accept()
    row = section.list.topLevelItem(0)
    assert row.text(2) == i18n._("Cancelled: {reason}").format(reason="Mauvais dossier")
    assert not section.void_button.isEnabled()
    assert assessments.latest(ctx, person.id) is None  # no longer the latest assessment


def test_a_dialog_with_typed_input_asks_before_closing(
    qtbot: QtBot, profile: Profile, ctx: ServiceContext, person: Beneficiary, language: str
) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QDialogButtonBox

    section = _section(qtbot, profile, ctx, person)
    untouched = section.record_session()
    assert isinstance(untouched, RecordSessionDialog)
    asked: list[bool] = []
    untouched.confirm_discard = lambda: asked.append(True) or True
    qtbot.keyClick(untouched, Qt.Key.Key_Escape)
    assert not untouched.isVisible() and asked == []  # nothing typed: closes at once

    dialog = section.record_session()
    assert isinstance(dialog, RecordSessionDialog)
    qtbot.keyClicks(dialog.topic, "Preparation")
    answers = [False, True]
    dialog.confirm_discard = lambda: answers.pop(0)
    cancel = dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel)
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and dialog.topic.text() == "Preparation"  # kept
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible() and answers == []
