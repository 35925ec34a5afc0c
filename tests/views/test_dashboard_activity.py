"""The dashboard says who does what: a counsellor's own work on a colleague's case is in
"my activity"; supervisors see each counsellor's load; the trend has values and whole,
unambiguous month names. French and Arabic."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.indicators.period import Period
from app.models import FollowUpSession
from app.services import activity, beneficiaries, followup, quick_notes, voiding
from app.services.context import ServiceContext
from app.settings import Settings
from app.store.profile import Profile
from app.views.app_state import AppState
from app.views.dashboard import DashboardPage, activity_text
from app.views.dashboard_charts import month_label
from passerelle_core.enums import QuickNoteKind, StaffRole

Colleague = Callable[..., ServiceContext]


def test_my_work_on_a_colleagues_case_and_the_team_load(
    qtbot: QtBot, profile: Profile, ctx: ServiceContext, colleague: Colleague, language: str
) -> None:
    worker = colleague(StaffRole.SOCIAL_WORKER, "Nadia Berrada")
    theirs = beneficiaries.register(worker, {"last_name": "Alami", "first_name": "Sara"})
    held = followup.record_session(ctx, theirs.id, held_on=ctx.today(), topic="Remplacement")
    mistaken = followup.record_session(ctx, theirs.id, held_on=ctx.today(), topic="Doublon")
    voiding.void(ctx, FollowUpSession, mistaken.id, "Saisi deux fois")
    other = beneficiaries.register(worker, {"last_name": "Tazi", "first_name": "Omar"})
    quick_notes.add(ctx, other.id, QuickNoteKind.PHONE, "Appel de la mère : rendez-vous pris.")
    quick_notes.add(worker, other.id, QuickNoteKind.CORRIDOR, "Vu au parloir.")  # not mine
    period = Period.month(ctx.today())
    mine = activity.my_activity(ctx, period)
    assert (mine.sessions, mine.quick_notes, mine.cases) == (1, 1, 2)  # voided: not counted
    del held

    page = DashboardPage(AppState(profile, ctx, Settings()))
    qtbot.addWidget(page)
    page.resize(1200, 900)
    page.show()
    qtbot.waitUntil(lambda: page.my_activity.text() != "")
    assert page.my_activity.text() == activity_text_for(mine)
    noted = {"fr": "1 note rapide", "ar": "ملاحظة سريعة واحدة"}[language]
    assert noted in page.my_activity.text()
    load = {
        page.team_table.item(row, 0).text(): page.team_table.item(row, 1).text()
        for row in range(page.team_table.rowCount())
    }
    assert page.team_box.isVisible() == ctx.actor.is_supervisor
    if ctx.actor.is_supervisor:
        assert load["Nadia Berrada"] == "2"
    supervisor = colleague(StaffRole.SUPERVISOR, "Karima Fassi")
    team = activity.team_load(supervisor, period)
    assert {row.name: (row.caseload, row.sessions) for row in team}["Nadia Berrada"] == (2, 0)
    page.trend_chart.grab()  # paints values, axis and months without error


def activity_text_for(mine: activity.MyActivity) -> str:
    return activity_text(mine)


def test_june_and_july_read_differently(qapp: QApplication, language: str) -> None:
    metrics = QFontMetrics(qapp.font())
    june, july = (month_label(date(2026, m, 1), metrics, 200) for m in (6, 7))
    assert june != july and not june.endswith(".") and not july.endswith(".")
    assert month_label(date(2026, 7, 1), metrics, 10) == "07"  # no room: the number
