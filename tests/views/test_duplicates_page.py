"""The duplicates page and the merge dialog on real widgets, in French and Arabic.

A supervisor finds two files of one man (two spellings, one with his phone), opens
them side by side, keeps the second file's first name, merges with a reason: the page
empties, the kept file holds the picked values and the other file's session. Another
pair is recorded as two people and is not proposed again.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.models import AccessAction, AccessLogEntry, Beneficiary, FollowUpSession
from app.services import beneficiaries, followup
from app.services.context import ServiceContext
from app.settings import Settings
from app.store.profile import Profile
from app.views.app_state import AppState
from app.views.duplicates import DuplicatesPage
from app.views.merge_dialog import FIRST, SECOND
from passerelle_core.enums import StaffRole

LEFT = Qt.MouseButton.LeftButton
BORN = date(1988, 5, 17)
TITLES = {
    "fr": ("Doublons probables", "Fusionner deux dossiers"),
    "ar": ("ملفات مكررة محتملة", "دمج ملفين"),
}


def test_compare_pick_and_merge_then_dismiss(
    qtbot: QtBot, profile: Profile, ctx: ServiceContext, colleague, language: str
) -> None:
    supervisor = colleague(StaffRole.SUPERVISOR)
    kept = beneficiaries.register(
        ctx,
        {
            "last_name": "Idrissi",
            "first_name": "Mohamed",
            "last_name_ar": "الإدريسي",
            "birth_date": BORN,
        },
    )
    other = beneficiaries.register(
        ctx,
        {
            "last_name": "El Idrissi",
            "first_name": "Mohammed",
            "birth_date": BORN,
            "phone": "0611223344",
        },
    )
    followup.record_session(
        ctx, other.id, held_on=date(2026, 3, 1), topic="Logement", note="Premier"
    )
    brother = beneficiaries.register(
        ctx, {"last_name": "Bennani", "first_name": "Youssef", "birth_date": date(1979, 1, 2)}
    )
    twin = beneficiaries.register(
        ctx, {"last_name": "Benani", "first_name": "Youssef", "birth_date": date(1979, 1, 2)}
    )

    page = DuplicatesPage(AppState(profile, supervisor, Settings()))
    qtbot.addWidget(page)
    page.show()
    heading, dialog_title = TITLES[language]
    assert page.title.text() == heading
    assert page.tree.topLevelItemCount() == 2
    pairs = {frozenset((p.first_id, p.second_id)): p for p in page.pairs}
    assert set(pairs) == {frozenset((kept.id, other.id)), frozenset((brother.id, twin.id))}

    row = next(
        i for i, p in enumerate(page.pairs) if {p.first_id, p.second_id} == {kept.id, other.id}
    )
    shown = page.tree.topLevelItem(row)
    column = 1 if page.pairs[row].first_id == kept.id else 2
    kept_cell = shown.text(column)
    # The Arabic interface reads the Arabic spelling first, the Latin after it.
    if language == "ar":
        assert kept_cell.index("الإدريسي") < kept_cell.index("Idrissi")
    else:
        assert kept_cell.startswith("Idrissi Mohamed")
    page.tree.setCurrentItem(page.tree.topLevelItem(row))
    dialog = page.open_merge()
    assert dialog is not None
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.windowTitle() == dialog_title
    mine = FIRST if dialog.ids[0] == kept.id else SECOND
    theirs = SECOND if mine == FIRST else FIRST
    dialog.keep.button(mine).click()
    assert dialog.picks["phone"].checkedId() == theirs  # the kept file lacks it
    dialog.picks["first_name"].button(theirs).click()  # may be scrolled out of sight
    assert dialog.choices()["first_name"].value == "other"
    dialog.reason.insert("Même personne" if language == "fr" else "نفس الشخص")  # not ASCII
    qtbot.mouseClick(dialog.merge_button, LEFT)
    assert dialog.merged
    page.refresh()
    assert [{p.first_id, p.second_id} for p in page.pairs] == [{brother.id, twin.id}]
    with ctx.reading() as session:
        person = session.get(Beneficiary, kept.id)
        assert person is not None
        assert (person.first_name, person.phone) == ("Mohammed", "0611223344")
        assert session.get(Beneficiary, other.id) is None
        assert [s.beneficiary_id for s in session.scalars(select(FollowUpSession))] == [kept.id]

    page.tree.setCurrentItem(page.tree.topLevelItem(0))
    qtbot.mouseClick(page.dismiss_button, LEFT)
    assert page.pairs == [] and page.stack.currentWidget() is page.empty


def test_the_listing_is_written_to_the_access_log(
    qtbot: QtBot, profile: Profile, ctx: ServiceContext, colleague
) -> None:
    """The page shows names of files it lists, as ``passerelle duplicates`` prints them:
    each listed file gets a "shown in a list" entry, by the person who looked."""
    supervisor = colleague(StaffRole.SUPERVISOR)
    first = beneficiaries.register(
        ctx, {"last_name": "Bennani", "first_name": "Youssef", "birth_date": date(1979, 1, 2)}
    )
    second = beneficiaries.register(
        ctx, {"last_name": "Benani", "first_name": "Youssef", "birth_date": date(1979, 1, 2)}
    )
    alone = beneficiaries.register(ctx, {"last_name": "Tazi", "first_name": "Omar"})

    page = DuplicatesPage(AppState(profile, supervisor, Settings()))
    qtbot.addWidget(page)
    assert page.tree.topLevelItemCount() == 1
    with profile.sessions() as session:
        shown = session.execute(
            select(AccessLogEntry.record_id, AccessLogEntry.staff_id).where(
                AccessLogEntry.action == AccessAction.VIEW,
                AccessLogEntry.record_type == "beneficiary",
            )
        ).all()
    assert sorted(shown) == sorted(
        [(first.id, supervisor.actor.staff_id), (second.id, supervisor.actor.staff_id)]
    )
    assert alone.id not in {record_id for record_id, _staff in shown}
