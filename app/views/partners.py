"""The partner directory: who to phone, write to and refer people to, by need domain.

Kind and need domain filter through ``partners.list_partners``; the name search runs on
the loaded list (a directory holds tens or hundreds of organisations, not thousands),
ignoring case and accents and matching the Arabic name too.
"""

from __future__ import annotations

import uuid

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.models import Partner
from app.services import partners
from app.services.partners import PartnerEntry
from app.store.textfold import fold_tokens, name_terms, stem
from app.views.app_state import AppState
from app.views.bidi import shown as bidi_shown
from app.views.labels import choices, label
from app.views.master_detail import MasterDetailPage
from app.views.partner_dialogs import ContactDialog, PartnerDialog, ServiceDialog
from app.views.record_forms import (
    ChoiceCombo,
    EmptyState,
    align_to_layout,
    domain_label,
    ltr,
    need_domain_ids,
    select_first,
    top_items,
)
from passerelle_core.enums import PartnerKind

ROLE = Qt.ItemDataRole.UserRole


def matches(partner: PartnerEntry, query: str) -> bool:
    """Every word inside the names or city, folded and stripped of their article as the
    beneficiary search does it ("أمل" finds "جمعية الأمل", "Amal" finds "El Amal")."""
    wanted = [stem(word) or word for word in fold_tokens(query)]
    haystack = name_terms(" ".join(filter(None, (partner.name, partner.name_ar, partner.city))))
    return all(word in haystack for word in wanted)


def _table(headers: list[str], stretch_first: bool = False) -> QTreeWidget:
    table = QTreeWidget()
    table.setRootIsDecorated(False)
    table.setAlternatingRowColors(True)
    table.setHeaderLabels(headers)
    header = table.header()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(not stretch_first)
    if stretch_first:
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    return table


class PartnersPage(MasterDetailPage):
    """The partner directory, filtered by kind and need domain, beside the one chosen."""

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(state, parent)
        self._partners: list[PartnerEntry] = []
        self.new_button = QPushButton(_("&New partner…"))
        self.new_button.clicked.connect(self.new_partner)
        self.search = QLineEdit()
        self.search.setPlaceholderText(_("Search by name or city"))
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._show_list)
        self.kind = ChoiceCombo()
        self.kind.set_choices([(_("All kinds"), None), *choices(PartnerKind)])
        self.domain = ChoiceCombo()
        self.domain.set_choices(
            [(_("All need domains"), None)] + [(domain_label(d), d) for d in need_domain_ids()]
        )
        self.kind.currentIndexChanged.connect(self.refresh)
        self.domain.currentIndexChanged.connect(self.refresh)
        self.list = _table([_("Name"), _("Kind"), _("City"), _("Services")], stretch_first=True)
        self.list.currentItemChanged.connect(lambda *_args: self._show_details())
        self.list.itemActivated.connect(lambda *_args: self.edit_partner())
        self.no_match = QLabel(_("No partner matches these filters."))
        self.no_match.setStyleSheet("color: #55606a;")
        self.no_match.hide()
        self.empty_new_button = QPushButton(_("&New partner…"))
        self.empty_new_button.clicked.connect(self.new_partner)
        empty = EmptyState(
            _("The partner directory is empty"),
            _(
                "Add the associations, employers, public services and authorities you work "
                "with, with a contact to call and the services they offer."
            ),
            self.empty_new_button,
        )
        self.lay_out(empty, self._build_list(), self._build_details(), (520, 580))
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        self.refresh()

    def _build_list(self) -> QWidget:
        filters = QFormLayout()
        filters.addRow(_("&Search:"), self.search)
        filters.addRow(_("&Kind:"), self.kind)
        filters.addRow(_("Need &domain:"), self.domain)
        top = QHBoxLayout()
        top.addWidget(self.new_button)
        top.addStretch(1)
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addLayout(filters)
        layout.addWidget(self.no_match)
        layout.addWidget(self.list, 1)
        return box

    def _build_details(self) -> QWidget:
        self.details_box = QGroupBox(_("Partner"))
        self.details = QFormLayout()
        self.details.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.fields: dict[str, QLabel] = {}
        for key, text in (
            ("name", _("Name:")),
            ("name_ar", _("Name in Arabic:")),
            ("kind", _("Kind:")),
            ("city", _("City:")),
            ("address", _("Address:")),
            ("phone", _("Phone:")),
            ("email", _("E-mail:")),
            ("notes", _("Notes:")),
        ):
            value = QLabel()
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            align_to_layout(value)
            self.fields[key] = value
            self.details.addRow(text, value)
        self.contacts = _table([_("Contact"), _("Position"), _("Phone"), _("E-mail")])
        self.services = _table([_("Service"), _("Need domain"), _("Description")])
        self.edit_button = QPushButton(_("&Edit…"))
        self.contact_button = QPushButton(_("Add a &contact…"))
        self.service_button = QPushButton(_("Add a ser&vice…"))
        self.edit_button.clicked.connect(self.edit_partner)
        self.contact_button.clicked.connect(self.add_contact)
        self.service_button.clicked.connect(self.add_service)
        buttons = QHBoxLayout()
        for button in (self.edit_button, self.contact_button, self.service_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        inner = QVBoxLayout(self.details_box)
        inner.addLayout(self.details)
        inner.addLayout(buttons)
        inner.addWidget(QLabel(_("Contacts")))
        inner.addWidget(self.contacts, 1)
        inner.addWidget(QLabel(_("Services")))
        inner.addWidget(self.services, 1)
        for table in (self.contacts, self.services):
            table.setMinimumHeight(90)
        return self.details_box

    # Reading --------------------------------------------------------------------------

    def refresh(self) -> None:
        """Reload the directory with the kind and domain filters (called when shown)."""
        ctx = self.state.ctx
        if self._select_next is None:
            self._select_next = self.selected_id()
        self._partners = partners.directory(
            ctx, kind=self.kind.value(), domain_id=self.domain.value()
        )
        filtered = self.kind.value() is not None or self.domain.value() is not None
        self.show_content(bool(self._partners) or filtered)
        if not self._partners and not filtered:
            self._select_next = None
            return
        self._show_list()

    def _show_list(self) -> None:
        wanted = self._select_next or self.selected_id()
        self._select_next = None
        self.list.clear()
        query = self.search.text()
        for partner in self._partners:
            if query and not matches(partner, query):
                continue
            item = QTreeWidgetItem(
                [partner.name, label(partner.kind), partner.city or "", str(len(partner.services))]
            )
            item.setData(0, ROLE, partner.id)
            if partner.name_ar:
                item.setToolTip(0, partner.name_ar)
            self.list.addTopLevelItem(item)
            if partner.id == wanted:
                self.list.setCurrentItem(item)
        select_first(self.list)
        self.no_match.setVisible(self.list.topLevelItemCount() == 0)
        self._show_details()

    def selected_id(self) -> uuid.UUID | None:
        item = self.list.currentItem()
        return item.data(0, ROLE) if item is not None else None

    def selected(self) -> PartnerEntry | None:
        wanted = self.selected_id()
        return next((p for p in self._partners if p.id == wanted), None)

    def visible_names(self) -> list[str]:
        return [item.text(0) for item in top_items(self.list)]

    def _show_details(self) -> None:
        partner = self.selected()
        self.details_box.setEnabled(partner is not None)
        self.contacts.clear()
        self.services.clear()
        if partner is None:
            for value in self.fields.values():
                value.setText("")
            return
        shown = {
            "name": partner.name,
            "name_ar": partner.name_ar,
            "kind": label(partner.kind),
            "city": partner.city,
            "address": partner.address,
            "phone": partner.phone,
            "email": partner.email,
            "notes": partner.notes,
        }
        for key, text in shown.items():
            self.fields[key].setText(bidi_shown(text or "—"))
        for contact in partner.contacts:
            self.contacts.addTopLevelItem(
                QTreeWidgetItem(
                    [
                        contact.full_name,
                        contact.position or "",
                        ltr(contact.phone),
                        ltr(contact.email),
                    ]
                )
            )
        for service in partner.services:
            domain = domain_label(service.domain_id) if service.domain_id else "—"
            self.services.addTopLevelItem(
                QTreeWidgetItem([service.name, domain, service.description or ""])
            )

    # Doing ----------------------------------------------------------------------------

    def saved_id(self, record: object) -> uuid.UUID | None:
        """A partner selects itself; a contact or a service, the partner it belongs to."""
        if isinstance(record, Partner):
            return record.id
        found = getattr(record, "partner_id", None)
        return found if isinstance(found, uuid.UUID) else self.selected_id()

    def new_partner(self) -> QDialog:
        return self.open_dialog(PartnerDialog(self.state, None, self))

    def edit_partner(self) -> QDialog | None:
        partner = self.selected()
        return self.open_dialog(PartnerDialog(self.state, partner, self)) if partner else None

    def add_contact(self) -> QDialog | None:
        partner = self.selected()
        return self.open_dialog(ContactDialog(self.state, partner.id, self)) if partner else None

    def add_service(self) -> QDialog | None:
        partner = self.selected()
        return self.open_dialog(ServiceDialog(self.state, partner.id, self)) if partner else None
