"""Forms of the partner directory: a partner, one of its contacts, one of its services."""

from __future__ import annotations

import uuid
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QPlainTextEdit, QWidget

from app.i18n import _
from app.models import Partner, PartnerContact, PartnerService
from app.services import partners
from app.services.partners import PartnerEntry
from app.views.app_state import AppState
from app.views.labels import choices
from app.views.record_forms import ChoiceCombo, RecordDialog, domain_label, need_domain_ids
from passerelle_core.enums import PartnerKind


def _text_box(text: str | None, height: int = 70) -> QPlainTextEdit:
    box = QPlainTextEdit(text or "")
    box.setTabChangesFocus(True)
    box.setFixedHeight(height)
    return box


class PartnerDialog(RecordDialog):
    """A new partner, or the description of an existing one."""

    def __init__(
        self, state: AppState, partner: PartnerEntry | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(_("Edit the partner") if partner else _("New partner"), parent)
        self.state, self.partner = state, partner
        self.name = QLineEdit(partner.name if partner else "")
        self.name_ar = QLineEdit(partner.name_ar or "" if partner else "")
        self.name_ar.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
        self.kind = ChoiceCombo()
        self.kind.set_choices(choices(PartnerKind))
        self.kind.select(partner.kind if partner else PartnerKind.NGO)
        self.city = QLineEdit(partner.city or "" if partner else "")
        self.address = _text_box(partner.address if partner else None, 60)
        self.phone = QLineEdit(partner.phone or "" if partner else "")
        self.email = QLineEdit(partner.email or "" if partner else "")
        self.notes = _text_box(partner.notes if partner else None)
        self.add_row(_("&Name:"), self.name, "name")
        self.add_row(_("Name in &Arabic:"), self.name_ar, "name_ar")
        self.add_row(_("&Kind:"), self.kind, "kind")
        self.add_row(_("&City:"), self.city, "city")
        self.add_row(_("Add&ress:"), self.address, "address")
        self.add_row(_("&Phone:"), self.phone, "phone")
        self.add_row(_("&E-mail:"), self.email, "email")
        self.add_row(_("N&otes:"), self.notes, "notes")

    def values(self) -> dict[str, Any]:
        return {
            "name": self.name.text(),
            "name_ar": self.name_ar.text(),
            "kind": self.kind.value(),
            "city": self.city.text(),
            "address": self.address.toPlainText(),
            "phone": self.phone.text(),
            "email": self.email.text(),
            "notes": self.notes.toPlainText(),
        }

    def submit(self) -> Partner:
        if self.partner is None:
            return partners.create_partner(self.state.ctx, self.values())
        return partners.update_partner(self.state.ctx, self.partner.id, self.values())


class ContactDialog(RecordDialog):
    """Someone to call at the partner."""

    def __init__(
        self, state: AppState, partner_id: uuid.UUID, parent: QWidget | None = None
    ) -> None:
        super().__init__(_("Add a contact"), parent)
        self.state, self.partner_id = state, partner_id
        self.full_name = QLineEdit()
        self.position = QLineEdit()
        self.phone = QLineEdit()
        self.email = QLineEdit()
        self.add_row(_("Full &name:"), self.full_name, "full_name")
        self.add_row(_("P&osition:"), self.position, "position")
        self.add_row(_("&Phone:"), self.phone, "phone")
        self.add_row(_("&E-mail:"), self.email, "email")

    def submit(self) -> PartnerContact:
        data = {
            "full_name": self.full_name.text(),
            "position": self.position.text(),
            "phone": self.phone.text(),
            "email": self.email.text(),
        }
        return partners.add_contact(self.state.ctx, self.partner_id, data)


class ServiceDialog(RecordDialog):
    """What the partner offers, and the need domain it answers (used to find partners)."""

    def __init__(
        self, state: AppState, partner_id: uuid.UUID, parent: QWidget | None = None
    ) -> None:
        super().__init__(_("Add a service"), parent)
        self.state, self.partner_id = state, partner_id
        self.name = QLineEdit()
        self.domain = ChoiceCombo()
        self.domain.set_choices(
            [(_("No particular need domain"), None)]
            + [(domain_label(domain_id), domain_id) for domain_id in need_domain_ids()]
        )
        self.description = _text_box(None)
        self.add_row(_("&Service:"), self.name, "name")
        self.add_row(_("Need &domain:"), self.domain, "domain_id")
        self.add_row(_("&Description:"), self.description, "description")

    def submit(self) -> PartnerService:
        return partners.add_service(
            self.state.ctx,
            self.partner_id,
            name=self.name.text(),
            domain_id=self.domain.value(),
            description=self.description.toPlainText(),
        )
