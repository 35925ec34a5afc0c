"""The timeline section lists the case's events newest first, filtered, and opens sections."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTabWidget, QWidget
from pytestqt.qtbot import QtBot

from app.services import timeline
from app.services.context import ServiceContext
from app.settings import Settings
from app.store.profile import Profile
from app.views.app_state import AppState
from app.views.casefile.timeline import TimelineSection
from passerelle_core.enums import StaffRole
from tests.services.test_timeline import SECRET_NOTE, SECRET_TOPIC, Case, build_case

Colleague = Callable[[StaffRole], ServiceContext]


@pytest.fixture
def case(ctx: ServiceContext, colleague: Colleague) -> Case:
    return build_case(ctx, colleague)


def _section(qtbot: QtBot, profile: Profile, ctx: ServiceContext, case: Case) -> TimelineSection:
    section = TimelineSection(AppState(profile, ctx, Settings()), case.beneficiary_id)
    qtbot.addWidget(section)
    section.resize(1000, 600)
    section.show()
    qtbot.waitExposed(section)
    return section


def _rows(section: TimelineSection) -> list[tuple[str, str, str]]:
    tree = section.tree
    rows = []
    for index in range(tree.topLevelItemCount()):
        item = tree.topLevelItem(index)
        assert item is not None
        rows.append((item.text(0), item.text(1), item.text(2)))
    return rows


def test_lists_the_events_newest_first(
    qtbot: QtBot, profile: Profile, ctx: ServiceContext, case: Case
) -> None:
    section = _section(qtbot, profile, ctx, case)
    rows = _rows(section)
    expected = timeline.events(ctx, case.beneficiary_id)
    assert [row[1] for row in rows] == [event.title for event in expected]
    dates = [row[0] for row in rows]
    assert dates == sorted(dates, reverse=True)
    assert rows[0][1] == "Goal achieved: Trouver un logement"
    assert rows[-1][1] == "Intake: case registered"
    assert section.count.text() == "16 events"


def test_hides_psychologist_only_sessions_from_a_social_worker(
    qtbot: QtBot, profile: Profile, ctx: ServiceContext, colleague: Colleague, case: Case
) -> None:
    social_worker = _section(qtbot, profile, ctx, case)
    psychologist = _section(qtbot, profile, colleague(StaffRole.PSYCHOLOGIST), case)
    sessions = [row for row in _rows(social_worker) if row[1] == "Individual session"]
    assert len(sessions) == 1
    seen = [row for row in _rows(psychologist) if row[1] == "Individual session"]
    assert len(seen) == 2
    assert "Confidential (psychologist only)" in seen[0][2]
    for section in (social_worker, psychologist):
        text = " ".join(" ".join(row) for row in _rows(section))
        assert SECRET_NOTE not in text and SECRET_TOPIC not in text


def test_filter_by_family_and_by_word(
    qtbot: QtBot, profile: Profile, ctx: ServiceContext, case: Case
) -> None:
    section = _section(qtbot, profile, ctx, case)
    section.family.setCurrentIndex(section.family.findText("Referrals"))
    assert [row[1].split(" ")[0] for row in _rows(section)] == ["Referral", "Referral"]
    section.family.setCurrentIndex(0)
    qtbot.keyClicks(section.filter, "consent")
    assert len(_rows(section)) == 4
    qtbot.keyClicks(section.filter, " nothing-like-this")
    assert section.stack.currentWidget() is section.empty


def test_enter_opens_the_section_of_the_event(
    qtbot: QtBot, profile: Profile, ctx: ServiceContext, case: Case
) -> None:
    section = _section(qtbot, profile, ctx, case)
    titles = [row[1] for row in _rows(section)]
    section.tree.setCurrentItem(
        section.tree.topLevelItem(titles.index("Needs assessment (intake)"))
    )
    section.tree.setFocus()
    with qtbot.waitSignal(section.section_requested) as signal:
        qtbot.keyClick(section.tree, Qt.Key.Key_Return)
    assert signal.args == ["assessment"]


class _CaseFile(QTabWidget):
    """Stands for the case file container: a widget with ``show_section``."""

    def __init__(self) -> None:
        super().__init__()
        self.shown: list[str] = []

    def show_section(self, key: str) -> None:
        self.shown.append(key)


def test_double_click_brings_the_section_forward_in_the_case_file(
    qtbot: QtBot, profile: Profile, ctx: ServiceContext, case: Case
) -> None:
    container = _CaseFile()
    qtbot.addWidget(container)
    section = TimelineSection(AppState(profile, ctx, Settings()), case.beneficiary_id)
    container.addTab(QWidget(), "identity")
    container.addTab(section, "timeline")
    container.setCurrentWidget(section)
    container.show()
    qtbot.waitExposed(container)
    item = section.tree.topLevelItem(0)  # the plan's goal
    assert item is not None
    rect = section.tree.visualItemRect(item)
    viewport, left, centre = section.tree.viewport(), Qt.MouseButton.LeftButton, rect.center()
    # A real double click: press, release, then the double-click press and its release.
    qtbot.mouseClick(viewport, left, pos=centre)
    qtbot.mouseDClick(viewport, left, pos=centre)
    qtbot.mouseRelease(viewport, left, pos=centre)
    assert container.shown == ["plan"]
