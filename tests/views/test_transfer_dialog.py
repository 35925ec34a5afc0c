"""Transferring cases from the caseload, on real widgets: a supervisor selects several rows,
chooses a counsellor and a reason; a counsellor has no such button and selects one row.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QItemSelectionModel
from PySide6.QtWidgets import QAbstractItemView
from pytestqt.qtbot import QtBot

from app.services import beneficiaries, transfers
from app.services.context import ServiceContext
from app.settings import Settings
from app.store.profile import Profile
from app.views.app_state import AppState
from app.views.caseload import CaseloadPage
from app.views.transfer_dialog import TransferDialog
from passerelle_core.enums import StaffRole

Colleague = Callable[[StaffRole], ServiceContext]


def _page(qtbot: QtBot, profile: Profile, ctx: ServiceContext) -> CaseloadPage:
    page = CaseloadPage(AppState(profile, ctx, Settings()))
    qtbot.addWidget(page)
    page.resize(1100, 700)
    page.show()
    qtbot.waitUntil(lambda: not page._debounce.isActive() and not page.model.busy)
    page.apply_preset("everyone")
    qtbot.waitUntil(lambda: not page._debounce.isActive() and not page.model.busy)
    return page


def test_a_supervisor_transfers_a_selection(
    qtbot: QtBot, profile: Profile, ctx: ServiceContext, colleague: Colleague
) -> None:
    for name in ("Alaoui", "Bennani", "Chraibi"):
        beneficiaries.register(ctx, {"last_name": name, "first_name": "Test"})
    receiving = colleague(StaffRole.EDUCATOR)
    counsellor_page = _page(qtbot, profile, ctx)
    assert counsellor_page.transfer_button.isHidden()
    assert counsellor_page.table.selectionMode() is QAbstractItemView.SelectionMode.SingleSelection

    page = _page(qtbot, profile, colleague(StaffRole.SUPERVISOR))
    assert not page.transfer_button.isHidden()
    assert page.transfer_selected() is None  # nothing selected: a hint, no dialog
    assert page.banner.isVisible()
    selection = page.table.selectionModel()
    for row in (0, 2):
        selection.select(
            page.model.index(row, 0),
            QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
        )
    chosen = page.selected_ids()
    assert len(chosen) == 2
    dialog = page.transfer_selected()
    assert isinstance(dialog, TransferDialog)
    assert dialog.staff.select(receiving.actor.staff_id)
    dialog.accept()  # no reason: refused inline, nothing transferred
    assert dialog.error.isVisible() and dialog.isVisible()
    qtbot.keyClicks(dialog.reason, "Depart du conseiller")
    dialog.accept()
    assert not dialog.isVisible()

    for case_id in chosen:
        [entry] = transfers.history(ctx, case_id)
        assert entry.to_staff_id == receiving.actor.staff_id
        assert entry.reason == "Depart du conseiller"
        assert beneficiaries.get(ctx, case_id).assigned_staff_id == receiving.actor.staff_id
    assert transfers.transferred_to_me(receiving) == set(chosen)
