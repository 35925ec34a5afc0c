"""The worklist page: groups by urgency, lines that open the case on the right section."""

from __future__ import annotations

import uuid
from datetime import timedelta

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.services import beneficiaries, consent, partners, plans, referrals
from app.services.context import ServiceContext
from app.services.worklist import WorkItem, WorkKind
from app.settings import Settings
from app.store.profile import Profile
from app.views.app_state import AppState
from app.views.worklist import WorklistPage
from passerelle_core.enums import ConsentPurpose, ResponsibleKind


def _page(qtbot: QtBot, profile: Profile, ctx: ServiceContext) -> WorklistPage:
    page = WorklistPage(AppState(profile, ctx, Settings()))
    qtbot.addWidget(page)
    page.resize(1100, 700)
    page.show()
    qtbot.waitExposed(page)
    return page


def _person(ctx: ServiceContext, last_name: str) -> uuid.UUID:
    return beneficiaries.register(ctx, {"last_name": last_name, "first_name": "Test"}).id


def _work(ctx: ServiceContext) -> tuple[uuid.UUID, uuid.UUID]:
    """An overdue action and an action due this week for Alami; a referral for Bennani."""
    today = ctx.today()
    alami = _person(ctx, "Alami")
    plan = plans.draft_plan(ctx, alami, title="Sortie", review_date=today + timedelta(days=60))
    goal = plans.add_goal(ctx, plan.id, domain_id="employment", wording="Travail")
    mine = {"responsible_kind": ResponsibleKind.STAFF, "responsible_staff_id": ctx.actor.staff_id}
    for text, days in (("Appeler l'ANAPEC", -2), ("Preparer le CV", 3)):
        due = today + timedelta(days=days)
        plans.add_action(ctx, goal.id, description=text, due_date=due, **mine)
    bennani = _person(ctx, "Bennani")
    ngo = partners.create_partner(ctx, {"name": "Association Relais"})
    consent.record(ctx, bennani, ConsentPurpose.PARTNER_SHARING, partner_id=ngo.id)
    referrals.refer(ctx, bennani, ngo.id)
    return alami, bennani


def _group_titles(page: WorklistPage) -> list[str]:
    tree = page.tree
    return [tree.topLevelItem(i).text(0) for i in range(tree.topLevelItemCount())]  # type: ignore[union-attr]


def test_lines_are_grouped_and_open_the_case_on_their_section(
    qtbot: QtBot, profile: Profile, ctx: ServiceContext
) -> None:
    alami, bennani = _work(ctx)
    page = _page(qtbot, profile, ctx)
    assert page.stack.currentWidget() is page.listing
    assert _group_titles(page) == ["Overdue (1)", "This week (1)", "Later (1)"]
    lines = page.work_lines()
    assert [(line.text(1), line.text(2)) for line in lines] == [
        ("Action", "ALAMI Test"),
        ("Action", "ALAMI Test"),
        ("Referral without news", "BENNANI Test"),
    ]
    assert lines[0].text(3) == "Appeler l'ANAPEC"
    assert lines[0].foreground(0).color().name() == "#b3261e"  # overdue, in calm red
    assert lines[1].foreground(0).color().name() != "#b3261e"
    assert page.tree.currentItem() is lines[0]

    page.tree.setFocus()
    with qtbot.waitSignal(page.open_case) as blocker:
        qtbot.keyClick(page.tree, Qt.Key.Key_Return)
    assert blocker.args == [alami, "plan"]

    rect = page.tree.visualItemRect(lines[2])
    with qtbot.waitSignal(page.open_case) as blocker:
        qtbot.mouseDClick(page.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert blocker.args == [bennani, "referrals"]

    page.tree.setCurrentItem(lines[0])
    qtbot.keyClick(page.tree, Qt.Key.Key_Down)  # over the "This week" heading
    assert page.tree.currentItem() is lines[1]
    qtbot.keyClick(page.tree, Qt.Key.Key_Down)
    work = page.tree.currentItem().data(0, Qt.ItemDataRole.UserRole)  # type: ignore[union-attr]
    assert isinstance(work, WorkItem) and work.kind is WorkKind.REFERRAL
    qtbot.keyClick(page.tree, Qt.Key.Key_Up)
    assert page.tree.currentItem() is lines[1]
    page.tree.setCurrentItem(lines[0])
    qtbot.keyClick(page.tree, Qt.Key.Key_Up)  # nothing above but a heading: stays
    assert page.tree.currentItem() is lines[0]


def test_group_headings_fold_instead_of_opening(
    qtbot: QtBot, profile: Profile, ctx: ServiceContext
) -> None:
    _work(ctx)
    page = _page(qtbot, profile, ctx)
    heading = page.tree.topLevelItem(0)
    assert heading is not None and heading.isExpanded()
    opened: list[object] = []
    page.open_case.connect(lambda *args: opened.append(args))
    rect = page.tree.visualItemRect(heading)
    qtbot.mouseDClick(page.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert not heading.isExpanded() and opened == []


def test_refresh_shows_new_work_and_the_empty_state(
    qtbot: QtBot, profile: Profile, ctx: ServiceContext
) -> None:
    page = _page(qtbot, profile, ctx)
    assert page.stack.currentWidget() is page.empty
    assert page.summary.text().endswith("0 items")
    _work(ctx)
    qtbot.mouseClick(page.refresh_button, Qt.MouseButton.LeftButton)
    assert page.stack.currentWidget() is page.listing
    assert len(page.work_lines()) == 3
    assert page.summary.text().endswith(f"{ctx.today().isoformat()} · 3 items")
