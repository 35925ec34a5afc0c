"""The identity section: read, edit, save only what changed; consents; release and closing."""

from __future__ import annotations

import uuid

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from app.services import beneficiaries, consent, partners
from app.services.context import ServiceContext
from app.settings import Settings
from app.store.profile import Profile
from app.views.app_state import AppState
from app.views.casefile.identity import IdentitySection
from app.views.record_forms import format_date
from passerelle_core.enums import (
    CaseStatus,
    ConsentMethod,
    ConsentPurpose,
    LegalStatus,
    PartnerKind,
)

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def state(profile: Profile, ctx: ServiceContext) -> AppState:
    return AppState(profile, ctx, Settings())


@pytest.fixture
def person_id(ctx: ServiceContext) -> uuid.UUID:
    person = beneficiaries.register(
        ctx,
        {
            "last_name": "Bennani",
            "first_name": "Youssef",
            "cin": "BK123456",
            "phone": "0612345678",
        },
    )
    return person.id


@pytest.fixture
def section(qtbot: QtBot, state: AppState, person_id: uuid.UUID) -> IdentitySection:
    widget = IdentitySection(state, person_id)
    qtbot.addWidget(widget)
    widget.resize(1100, 700)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def _retype(qtbot: QtBot, section: IdentitySection, key: str, text: str) -> None:
    editor = section.fields[key].editor
    editor.clear()  # type: ignore[attr-defined]
    qtbot.keyClicks(editor, text)


def test_shows_the_person_read_only_first(section: IdentitySection) -> None:
    assert not section.editing
    assert section.fields["last_name"].display.text() == "Bennani"
    assert section.fields["cin"].display.text() == "BK123456"
    assert section.fields["last_name_ar"].display.text() == "—"
    assert section.fields["legal_status"].display.text() == "Sentenced"
    assert section.edit_button.isVisible() and not section.save_button.isVisible()


def test_edit_names_and_save_only_what_changed(
    qtbot: QtBot, section: IdentitySection, ctx: ServiceContext, person_id: uuid.UUID
) -> None:
    qtbot.mouseClick(section.edit_button, LEFT)
    assert section.editing and section.fields["last_name"].editor.isVisible()
    _retype(qtbot, section, "last_name", "Alaoui")
    # Arabic comes from the keyboard layout or an input method: QTest cannot type it.
    section.fields["first_name_ar"].editor.setText("يوسف")  # type: ignore[attr-defined]
    assert section.changes() == {"last_name": "Alaoui", "first_name_ar": "يوسف"}
    with qtbot.waitSignal(section.changed):
        qtbot.mouseClick(section.save_button, LEFT)
    stored = beneficiaries.get(ctx, person_id)
    assert (stored.last_name, stored.first_name_ar, stored.cin) == ("Alaoui", "يوسف", "BK123456")
    assert not section.editing
    assert section.fields["last_name"].display.text() == "Alaoui"


def test_arabic_names_read_right_to_left_in_the_french_interface(
    section: IdentitySection,
) -> None:
    field = section.fields["last_name_ar"]
    assert field.editor.layoutDirection() == Qt.LayoutDirection.RightToLeft
    assert field.display.alignment() & Qt.AlignmentFlag.AlignRight
    assert section.fields["last_name"].editor.layoutDirection() == Qt.LayoutDirection.LeftToRight


def test_invalid_cin_is_shown_next_to_the_field_and_nothing_is_written(
    qtbot: QtBot, section: IdentitySection, ctx: ServiceContext, person_id: uuid.UUID
) -> None:
    before = beneficiaries.get(ctx, person_id).row_version
    qtbot.mouseClick(section.edit_button, LEFT)
    _retype(qtbot, section, "cin", "12345")
    with qtbot.assertNotEmitted(section.changed):
        qtbot.mouseClick(section.save_button, LEFT)
    error = section.fields["cin"].error
    assert error.isVisible()
    assert error.text() == "A CIN is one or two letters followed by digits (e.g. AB123456)."
    assert section.banner.isVisible()
    assert section.editing  # what was typed is still there, to correct it
    assert section.fields["cin"].value() == "12345"
    stored = beneficiaries.get(ctx, person_id)
    assert (stored.cin, stored.row_version) == ("BK123456", before)


def test_a_required_name_cannot_be_cleared(
    qtbot: QtBot, section: IdentitySection, ctx: ServiceContext, person_id: uuid.UUID
) -> None:
    qtbot.mouseClick(section.edit_button, LEFT)
    section.fields["first_name"].editor.clear()  # type: ignore[attr-defined]
    assert not section.save()
    assert section.fields["first_name"].error.text() == "This field is required."
    assert beneficiaries.get(ctx, person_id).first_name == "Youssef"


def test_reload_while_editing_keeps_the_edit_and_reverts_nothing(
    qtbot: QtBot, section: IdentitySection, ctx: ServiceContext, person_id: uuid.UUID
) -> None:
    qtbot.mouseClick(section.edit_button, LEFT)
    _retype(qtbot, section, "last_name", "Alaoui")
    # Meanwhile another section saves a change (and the container reloads this one).
    beneficiaries.update(ctx, person_id, {"phone": "0699999999"})
    section.reload()
    assert section.editing
    assert section.fields["last_name"].value() == "Alaoui"
    assert section.changes() == {"last_name": "Alaoui"}
    assert section.save()
    stored = beneficiaries.get(ctx, person_id)
    assert (stored.last_name, stored.phone) == ("Alaoui", "0699999999")


def test_cancel_restores_the_stored_values(qtbot: QtBot, section: IdentitySection) -> None:
    qtbot.mouseClick(section.edit_button, LEFT)
    _retype(qtbot, section, "last_name", "Alaoui")
    qtbot.mouseClick(section.cancel_button, LEFT)
    assert not section.editing
    assert section.fields["last_name"].display.text() == "Bennani"
    qtbot.mouseClick(section.edit_button, LEFT)
    assert section.fields["last_name"].value() == "Bennani"


def test_record_and_withdraw_consent(
    qtbot: QtBot, section: IdentitySection, ctx: ServiceContext, person_id: uuid.UUID
) -> None:
    panel = section.consents
    assert panel.stack.currentWidget() is panel.empty
    dialog = panel.open_record_dialog()
    assert dialog.purpose.value() is ConsentPurpose.ASSESSMENT
    assert not dialog.partner.isEnabled()
    dialog.method.select(ConsentMethod.ORAL)
    with qtbot.waitSignal(section.changed):
        qtbot.mouseClick(dialog.save_button, LEFT)
    [record] = consent.list_for(ctx, person_id)
    assert (record.purpose, record.method, record.is_active) == (
        ConsentPurpose.ASSESSMENT,
        ConsentMethod.ORAL,
        True,
    )
    assert panel.tree.topLevelItemCount() == 1
    assert panel.tree.topLevelItem(0).text(0) == "Needs assessment"  # type: ignore[union-attr]

    panel.tree.setCurrentItem(panel.tree.topLevelItem(0))  # type: ignore[arg-type]
    assert panel.withdraw_button.isEnabled()
    box = panel.withdraw_selected()
    assert box is not None
    with qtbot.waitSignal(section.changed):
        qtbot.mouseClick(box.button(QMessageBox.StandardButton.Yes), LEFT)
    [record] = consent.list_for(ctx, person_id)
    assert record.withdrawn_on == ctx.today()
    assert panel.tree.topLevelItem(0).text(4) == format_date(ctx.today())  # type: ignore[union-attr]
    panel.tree.setCurrentItem(panel.tree.topLevelItem(0))  # type: ignore[arg-type]
    assert not panel.withdraw_button.isEnabled()


def test_declining_the_withdrawal_changes_nothing(
    qtbot: QtBot, section: IdentitySection, ctx: ServiceContext, person_id: uuid.UUID
) -> None:
    consent.record(ctx, person_id, ConsentPurpose.STATISTICS)
    section.reload()
    section.consents.tree.setCurrentItem(section.consents.tree.topLevelItem(0))  # type: ignore[arg-type]
    box = section.consents.withdraw_selected()
    assert box is not None
    qtbot.mouseClick(box.button(QMessageBox.StandardButton.No), LEFT)
    assert consent.list_for(ctx, person_id)[0].is_active


def test_consent_to_share_names_the_partner(
    qtbot: QtBot, section: IdentitySection, ctx: ServiceContext, person_id: uuid.UUID
) -> None:
    partner = partners.create_partner(ctx, {"name": "Association Al Amal", "kind": PartnerKind.NGO})
    dialog = section.consents.open_record_dialog()
    dialog.purpose.select(ConsentPurpose.PARTNER_SHARING)
    assert dialog.partner.isEnabled()
    assert dialog.partner.select(partner.id)
    with qtbot.waitSignal(section.changed):
        dialog.accept()
    [record] = consent.list_for(ctx, person_id)
    assert (record.purpose, record.partner_id) == (ConsentPurpose.PARTNER_SHARING, partner.id)
    item = section.consents.tree.topLevelItem(0)
    assert item is not None and item.text(1) == "Association Al Amal"


def test_record_release_then_close_the_case(
    qtbot: QtBot, section: IdentitySection, ctx: ServiceContext, person_id: uuid.UUID
) -> None:
    dialog = section.record_release()
    assert dialog is not None
    with qtbot.waitSignal(section.changed):
        qtbot.mouseClick(dialog.save_button, LEFT)
    stored = beneficiaries.get(ctx, person_id)
    assert (stored.legal_status, stored.actual_release_date) == (LegalStatus.RELEASED, ctx.today())
    assert section.fields["legal_status"].display.text() == "Released"
    assert not section.release_button.isEnabled()

    box = section.close_case()
    with qtbot.waitSignal(section.changed):
        qtbot.mouseClick(box.button(QMessageBox.StandardButton.Yes), LEFT)
    stored = beneficiaries.get(ctx, person_id)
    assert (stored.case_status, stored.closed_on) == (CaseStatus.CLOSED, ctx.today())
    assert section.status_banner.isVisible() and not section.close_button.isEnabled()
