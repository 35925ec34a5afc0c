"""The caseload opens on the counsellor's own cases, offers saved filters and remembers
each staff member's last filters (never the search text), in French and Arabic."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from pytestqt.qtbot import QtBot

from app.i18n import _
from app.services import beneficiaries, saved_filters
from app.services.context import ServiceContext
from app.settings import Settings, load_settings
from app.store.profile import Profile
from app.views.app_state import AppState
from app.views.caseload import CaseloadPage
from passerelle_core.enums import LegalStatus, StaffRole

Colleague = Callable[[StaffRole], ServiceContext]


def _names(page: CaseloadPage) -> list[str]:
    rows = [page.model.row_data(row) for row in range(page.model.rowCount())]
    return sorted(row.last_name for row in rows if row is not None)


def _open(qtbot: QtBot, state: AppState) -> CaseloadPage:
    page = CaseloadPage(state)
    qtbot.addWidget(page)
    page.resize(1100, 700)
    page.show()
    qtbot.waitUntil(lambda: not page.model.busy)
    return page


def test_my_cases_first_then_saved_filters_remembered_per_user(
    qtbot: QtBot, profile: Profile, ctx: ServiceContext, colleague: Colleague, language: str
) -> None:
    other = colleague(StaffRole.SOCIAL_WORKER)
    today = ctx.today()
    soon = (today + timedelta(days=1)).isoformat()
    beneficiaries.register(ctx, {"last_name": "Amrani", "first_name": "A"})
    beneficiaries.register(
        ctx,
        {"last_name": "Berrada", "first_name": "B", "legal_status": "sentenced",
         "expected_release_date": soon},
    )  # fmt: skip
    beneficiaries.register(other, {"last_name": "Chraibi", "first_name": "C"})
    settings = Settings()
    state = AppState(profile, ctx, settings)

    page = _open(qtbot, state)
    assert _names(page) == ["Amrani", "Berrada"]  # my cases, not everyone's
    assert page.preset.currentText() == _("My cases")

    page.apply_preset("everyone")
    qtbot.waitUntil(lambda: _names(page) == ["Amrani", "Berrada", "Chraibi"])
    page.apply_preset("release_month")
    this_month = ["Berrada"] if (today + timedelta(days=1)).month == today.month else []
    qtbot.waitUntil(lambda: not page.model.busy and _names(page) == this_month)
    page.apply_preset("review_overdue")
    qtbot.waitUntil(lambda: not page.model.busy and _names(page) == [])

    page.apply_preset("everyone")
    page.search.setText("chra")
    qtbot.waitUntil(lambda: _names(page) == ["Chraibi"])
    again = _open(qtbot, AppState(profile, ctx, settings))  # the same user comes back
    assert again.preset.currentText() == _("Every case")
    assert again.search.text() == ""  # the search text is never kept
    qtbot.waitUntil(lambda: _names(again) == ["Amrani", "Berrada", "Chraibi"])
    theirs = _open(qtbot, AppState(profile, other, settings))  # a colleague: her own cases
    qtbot.waitUntil(lambda: _names(theirs) == ["Chraibi"])
    assert "chra" not in settings.model_dump_json()


def test_the_old_ten_minute_lock_default_becomes_twenty(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text('{"version": 1, "idle_lock_minutes": 10}', encoding="utf-8")
    assert load_settings(path).idle_lock_minutes == 20
    path.write_text('{"version": 1, "idle_lock_minutes": 5}', encoding="utf-8")
    assert load_settings(path).idle_lock_minutes == 5  # a choice made is kept
    assert Settings().idle_lock_minutes == 20


def test_filters_saved_under_a_name_of_ones_own(
    qtbot: QtBot, profile: Profile, ctx: ServiceContext, colleague: Colleague, language: str
) -> None:
    """Save the filters shown under a name, find it among the offered ones, apply it,
    delete it; each staff member has their own list, kept in the encrypted profile."""
    beneficiaries.register(
        ctx, {"last_name": "Amrani", "first_name": "A", "legal_status": "pre_trial"}
    )
    beneficiaries.register(
        ctx, {"last_name": "Chraibi", "first_name": "C", "legal_status": "sentenced"}
    )
    state = AppState(profile, ctx, Settings())
    page = _open(qtbot, state)
    assert not page.delete_filter_button.isEnabled()
    page.apply_preset("everyone")
    assert page.legal_status.select(LegalStatus.SENTENCED)
    page.apply_filter()
    qtbot.waitUntil(lambda: not page.model.busy)
    assert _names(page) == ["Chraibi"], (page.model.filter, _names(page))
    asked = page.save_filter()
    assert asked is not None  # the name is asked in a small dialog
    asked.setTextValue("Condamnés")
    asked.accept()
    assert page.preset.currentText() == "Condamnés"
    assert page.delete_filter_button.isEnabled()
    assert "Condamnés" not in state.settings.model_dump_json()  # not in the plain file

    page.apply_preset("everyone")
    qtbot.waitUntil(lambda: not page.model.busy and _names(page) == ["Amrani", "Chraibi"])
    page.apply_preset("saved:Condamnés")
    qtbot.waitUntil(lambda: not page.model.busy and _names(page) == ["Chraibi"])
    assert page.preset.currentText() == "Condamnés"

    again = _open(qtbot, state)  # another day: still offered
    assert "Condamnés" in [again.preset.itemText(i) for i in range(again.preset.count())]
    theirs = _open(qtbot, AppState(profile, colleague(StaffRole.SOCIAL_WORKER), Settings()))
    assert "Condamnés" not in [theirs.preset.itemText(i) for i in range(theirs.preset.count())]

    page.save_filter("  ")  # a name is needed
    assert page.banner.isVisible()
    page.apply_preset("saved:Condamnés")
    page.delete_filter()
    assert "Condamnés" not in [page.preset.itemText(i) for i in range(page.preset.count())]
    assert not page.delete_filter_button.isEnabled()
    assert saved_filters.saved_filters(ctx) == {}
