"""The caseload page on real profiles: search, sort, filters, opening a case, registering.

Typed text is ASCII (QTest cannot type accented or Arabic letters); Arabic queries are
set on the search box, which reacts the same way.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from enum import StrEnum

import pytest
from PySide6.QtCore import QPoint, Qt, QThreadPool
from pytestqt.qtbot import QtBot

from app.demo import fill_profile
from app.services import beneficiaries, caseload
from app.services.caseload import CaseloadFilter
from app.services.context import ServiceContext
from app.settings import Settings
from app.store.profile import Profile
from app.views import labels
from app.views.app_state import AppState
from app.views.caseload import CaseloadPage
from app.views.caseload_model import COLUMNS, PAGE_SIZE
from app.views.register_dialog import RegisterDialog
from passerelle_core import enums as enum_module
from passerelle_core.enums import CaseStatus, GoalStatus, LegalStatus, StaffRole


@pytest.fixture(autouse=True)
def _no_query_outlives_the_profile(profile: Profile) -> Iterator[None]:
    yield
    QThreadPool.globalInstance().waitForDone()


def _page(qtbot: QtBot, profile: Profile, ctx: ServiceContext) -> CaseloadPage:
    page = CaseloadPage(AppState(profile, ctx, Settings()))
    qtbot.addWidget(page)
    page.resize(1100, 700)
    page.show()
    _settle(qtbot, page)
    page.model.rows_loaded = 0  # counted from every case on
    page.apply_preset("everyone")  # these tests start from every case, not "my cases"
    _settle(qtbot, page)
    return page


def _settle(qtbot: QtBot, page: CaseloadPage) -> None:
    """Wait for the last filter or sort to be answered (typing waits a moment first)."""
    qtbot.waitUntil(lambda: not page._debounce.isActive() and not page.model.busy)


def _names(page: CaseloadPage) -> list[str]:
    rows = [page.model.row_data(row) for row in range(page.model.rowCount())]
    return [row.last_name if row else "?" for row in rows]


def _register(ctx: ServiceContext, last_name: str, **fields: object) -> uuid.UUID:
    data = {"last_name": last_name, "first_name": "Test", **fields}
    return beneficiaries.register(ctx, data).id


def _click_header(qtbot: QtBot, page: CaseloadPage, key: str) -> None:
    header = page.table.horizontalHeader()
    column = [c.key for c in COLUMNS].index(key)
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))


def test_typing_filters_the_table_in_both_scripts(
    qtbot: QtBot, profile: Profile, ctx: ServiceContext
) -> None:
    _register(ctx, "Bennani", first_name="Youssef", cin="AB123456")
    _register(ctx, "Lahlou", first_name="Amine", last_name_ar="لحلو", first_name_ar="أحمد")
    _register(ctx, "Tazi", first_name="Helene")
    page = _page(qtbot, profile, ctx)
    assert _names(page) == ["Bennani", "Lahlou", "Tazi"]
    assert page.count_label.text() == "3 beneficiaries"

    qtbot.keyClicks(page.search, "benn")
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    assert _names(page) == ["Bennani"]
    assert page.count_label.text() == "1 beneficiary"
    page.search.clear()
    qtbot.keyClicks(page.search, "ab1234")
    qtbot.waitUntil(lambda: _names(page) == ["Bennani"])
    page.search.setText("احمد")  # hamza and spelling variants are ignored
    qtbot.waitUntil(lambda: _names(page) == ["Lahlou"])
    page.search.setText("zzz")
    qtbot.waitUntil(lambda: page.model.rowCount() == 0)
    assert page.stack.currentWidget() is page.no_match
    qtbot.mouseClick(page.empty_clear_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.model.rowCount() == 3)
    assert page.search.text() == "" and page.stack.currentWidget() is page.table


def test_sorting_by_a_column_asks_the_database(
    qtbot: QtBot, profile: Profile, ctx: ServiceContext
) -> None:
    today = ctx.today()
    _register(ctx, "Alami", expected_release_date=today + timedelta(days=90))
    _register(ctx, "Berrada", expected_release_date=today + timedelta(days=10))
    _register(ctx, "Chraibi")
    page = _page(qtbot, profile, ctx)
    assert _names(page) == ["Alami", "Berrada", "Chraibi"]

    _click_header(qtbot, page, "release")
    qtbot.waitUntil(lambda: _names(page) == ["Berrada", "Alami", "Chraibi"])
    assert (page.model.sort_key, page.model.descending) == ("release", False)
    _click_header(qtbot, page, "release")
    qtbot.waitUntil(lambda: _names(page) == ["Alami", "Berrada", "Chraibi"])  # blank stays last
    assert page.model.descending
    _click_header(qtbot, page, "name")
    qtbot.waitUntil(lambda: page.model.sort_key == "name")
    _settle(qtbot, page)
    assert _names(page) in (["Alami", "Berrada", "Chraibi"], ["Chraibi", "Berrada", "Alami"])


def test_filters_restrict_the_rows(
    qtbot: QtBot, profile: Profile, ctx: ServiceContext, colleague: object
) -> None:
    educator = colleague(StaffRole.EDUCATOR)  # type: ignore[operator]
    _register(ctx, "Amrani", legal_status=LegalStatus.PRE_TRIAL)
    _register(ctx, "Bouzid", assigned_staff_id=educator.actor.staff_id)
    beneficiaries.close_case(ctx, _register(ctx, "Closed"))
    page = _page(qtbot, profile, ctx)
    assert _names(page) == ["Amrani", "Bouzid"]

    assert page.legal_status.select(LegalStatus.PRE_TRIAL)
    qtbot.waitUntil(lambda: _names(page) == ["Amrani"])
    page.legal_status.setCurrentIndex(0)
    qtbot.waitUntil(lambda: page.model.rowCount() == 2)
    page.staff.setCurrentIndex(1)  # the "Me" preset
    assert page.staff.currentText() == "Me"
    qtbot.waitUntil(lambda: _names(page) == ["Amrani"])
    assert page.staff.select(educator.actor.staff_id)
    qtbot.waitUntil(lambda: _names(page) == ["Bouzid"])
    qtbot.mouseClick(page.clear_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.model.rowCount() == 2)
    page.include_closed.setChecked(True)
    qtbot.waitUntil(lambda: _names(page) == ["Amrani", "Bouzid", "Closed"])
    page.review_overdue.setChecked(True)
    qtbot.waitUntil(lambda: page.model.rowCount() == 0)
    assert page.current_filter() == CaseloadFilter(include_closed=True, review_overdue=True)


def test_enter_and_double_click_open_the_case_on_identity(
    qtbot: QtBot, profile: Profile, ctx: ServiceContext
) -> None:
    _register(ctx, "Alami")
    wanted = _register(ctx, "Berrada")
    page = _page(qtbot, profile, ctx)
    opened: list[tuple[uuid.UUID, str]] = []
    page.open_case.connect(lambda beneficiary_id, section: opened.append((beneficiary_id, section)))

    page.table.setFocus()
    page.table.selectRow(1)
    with qtbot.waitSignal(page.open_case) as blocker:
        qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert blocker.args == [wanted, "identity"]
    rect = page.table.visualRect(page.model.index(1, 2))
    qtbot.mouseDClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert opened == [(wanted, "identity")] * 2  # once per gesture

    page.search.setFocus()
    qtbot.keyClicks(page.search, "alam")
    _settle(qtbot, page)
    qtbot.keyClick(page.search, Qt.Key.Key_Return)  # to the results, first one selected
    assert page.table.hasFocus() and page.table.currentIndex().row() == 0
    qtbot.keyClick(page.table, Qt.Key.Key_Enter)
    assert opened[-1][0] == page.model.beneficiary_id(0) != wanted


def test_ctrl_f_focuses_the_search_box(qtbot: QtBot, profile: Profile, ctx: ServiceContext) -> None:
    _register(ctx, "Alami")
    page = _page(qtbot, profile, ctx)
    page.activateWindow()
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(page.search.hasFocus)


def test_the_model_fetches_only_the_pages_shown(
    qtbot: QtBot, profile: Profile, ctx: ServiceContext
) -> None:
    fill_profile(profile, beneficiaries=2000, seed=2, today=ctx.today())
    total = caseload.count(ctx, CaseloadFilter())
    page = _page(qtbot, profile, ctx)
    model = page.model
    assert model.rowCount() == total > 1500
    qtbot.wait(50)  # let the view paint and ask for whatever it wants
    assert model.rows_loaded == PAGE_SIZE  # the first page only, of 1,800 and more

    page.table.scrollToBottom()
    qtbot.waitUntil(lambda: model.row_data(total - 1) is not None)
    assert model.rows_loaded <= 3 * PAGE_SIZE  # and the last one (or two)
    last = model.row_data(total - 1)
    assert last is not None
    first_of_last_page = (total - 1) // PAGE_SIZE * PAGE_SIZE
    expected = caseload.page(ctx, CaseloadFilter(), offset=first_of_last_page, limit=PAGE_SIZE)
    assert last == expected[-1]


def test_register_a_beneficiary_then_open_the_case(
    qtbot: QtBot, profile: Profile, ctx: ServiceContext
) -> None:
    page = _page(qtbot, profile, ctx)
    assert page.stack.currentWidget() is page.no_cases
    qtbot.mouseClick(page.register_button, Qt.MouseButton.LeftButton)
    dialog = page.dialog
    assert isinstance(dialog, RegisterDialog) and dialog.isVisible()
    qtbot.keyClicks(dialog.last_name, "El Fassi")
    qtbot.keyClicks(dialog.first_name, "Karim")
    dialog.last_name_ar.setText("الفاسي")
    qtbot.keyClicks(dialog.cin, "bk 123456")
    qtbot.keyClicks(dialog.registration_number, "OUK/2026/00001")
    assert dialog.legal_status.select(LegalStatus.PRE_TRIAL)
    with qtbot.waitSignal(page.open_case) as blocker:
        dialog.accept()
    assert not dialog.isVisible()
    beneficiary_id, section = blocker.args
    assert section == "identity"
    person = beneficiaries.get(ctx, beneficiary_id)
    assert (person.last_name, person.cin, person.last_name_ar) == ("El Fassi", "BK123456", "الفاسي")
    assert person.legal_status is LegalStatus.PRE_TRIAL
    assert person.assigned_staff_id == ctx.actor.staff_id
    qtbot.waitUntil(lambda: _names(page) == ["El Fassi"])
    assert page.stack.currentWidget() is page.table


def test_register_dialog_shows_each_refusal_under_its_field(
    qtbot: QtBot, profile: Profile, ctx: ServiceContext
) -> None:
    _register(ctx, "Existing", cin="AB1")
    page = _page(qtbot, profile, ctx)
    dialog = page.register()
    qtbot.keyClicks(dialog.last_name, "Naciri")
    qtbot.keyClicks(dialog.cin, "12")
    dialog.accept()
    assert dialog.isVisible()
    assert dialog.field_error("first_name") == "This field is required."
    assert "CIN is one or two letters" in dialog.field_error("cin")
    assert dialog.field_error("last_name") == ""
    qtbot.waitUntil(dialog.first_name.hasFocus)

    qtbot.keyClicks(dialog.first_name, "Omar")
    dialog.cin.setText("ab1")
    dialog.accept()  # first the warning: the CIN is another file's
    assert dialog.duplicates.isVisible() and "same CIN" in dialog.duplicates.rows[0].details.text()
    assert dialog.field_error("first_name") == ""
    dialog.duplicates.reason.setText("checked")
    dialog.accept()  # saved anyway: the service's own check, the CIN is taken
    assert dialog.field_error("cin") == "Another beneficiary already has this CIN."
    dialog.cin.clear()
    dialog.accept()
    assert not dialog.isVisible()
    qtbot.waitUntil(lambda: _names(page) == ["Existing", "Naciri"])


def test_escape_cancels_the_register_dialog(
    qtbot: QtBot, profile: Profile, ctx: ServiceContext
) -> None:
    page = _page(qtbot, profile, ctx)
    dialog = page.register()
    qtbot.keyClicks(dialog.last_name, "Nobody")
    asked: list[bool] = []
    dialog.confirm_discard = lambda: asked.append(True) or True  # typed: asked first
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible() and asked == [True]
    assert beneficiaries.count(ctx) == 0


def test_every_enum_value_has_a_label() -> None:
    """``app.views.labels`` (shared by every screen) names each stored value for people."""
    enums = [
        member
        for member in vars(enum_module).values()
        if isinstance(member, type) and issubclass(member, StrEnum) and member is not StrEnum
    ]
    assert set(enums) == set(labels.LABELLED_ENUMS)
    for enum_class in enums:
        for member in enum_class:
            assert labels.label(member) not in ("", member.value), member
    assert labels.label(CaseStatus.OPEN) != labels.label(GoalStatus.OPEN)  # same value "open"
    assert labels.choices(LegalStatus)[0] == ("Pre-trial detention", LegalStatus.PRE_TRIAL)
    assert labels.label_or_blank(None) == ""
