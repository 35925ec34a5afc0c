"""Consent per purpose, with withdrawal; and the dialogs of the identity section.

Assessment and referrals are refused by the services without an active consent, so
this panel is where a case file starts. Dialogs open without ``exec()``: a test (or a
hurried user) fills them and accepts; a refusal stays inside the dialog.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.i18n import N_, _
from app.models import Beneficiary, ConsentRecord, Partner
from app.services import consent, consent_entries, outcomes, partners
from app.services.consent_entries import ConsentEntry
from app.services.errors import ServiceError
from app.services.identity_entries import IdentityEntry
from app.services.partners import PartnerEntry
from app.views.app_state import AppState
from app.views.labels import choices, gendered, label
from app.views.record_forms import (
    ChoiceCombo,
    MessageBanner,
    RecordDialog,
    date_edit,
    format_date,
    from_qdate,
)
from passerelle_core.enums import ConsentMethod, ConsentPurpose, Sex

MUTED = QColor("#8a949c")


def confirm(parent: QWidget, title: str, text: str, on_yes: Callable[[], object]) -> QMessageBox:
    """Ask before an irreversible step, without blocking (``open``): ``on_yes`` on Yes."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=parent)
    box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
    box.setDefaultButton(QMessageBox.StandardButton.No)
    box.setEscapeButton(QMessageBox.StandardButton.No)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    yes = box.button(QMessageBox.StandardButton.Yes)
    box.buttonClicked.connect(lambda button: on_yes() if button is yes else None)
    box.open()
    return box


def partner_name(partner: Partner | PartnerEntry) -> str:
    return partner.name if not partner.name_ar else f"{partner.name} — {partner.name_ar}"


class ConsentDialog(RecordDialog):
    """Consent to one purpose; consent to share names the partner it covers."""

    def __init__(
        self,
        state: AppState,
        beneficiary_id: uuid.UUID,
        parent: QWidget | None = None,
        *,
        partner_id: uuid.UUID | None = None,
    ) -> None:
        """``partner_id``: consent to share with that partner, asked from a referral."""
        super().__init__(_("Record consent"), parent)
        self.state, self.beneficiary_id = state, beneficiary_id
        today = state.ctx.today()
        self.purpose = ChoiceCombo()
        self.purpose.set_choices(choices(ConsentPurpose))
        self.partner = ChoiceCombo()
        self.partner.set_choices([(partner_name(p), p.id) for p in partners.directory(state.ctx)])
        self.given_on = date_edit(today, maximum=today)
        self.method = ChoiceCombo()
        self.method.set_choices(choices(ConsentMethod))
        self.notes = QPlainTextEdit()
        self.notes.setTabChangesFocus(True)
        self.notes.setFixedHeight(70)
        self.set_intro(
            _(
                "Consent is given for one purpose. Explain the purpose to the person in a "
                "language they understand; consent can be withdrawn at any time."
            )
        )
        for combo in (self.purpose, self.partner, self.method):
            combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.add_row(_("&Purpose:"), self.purpose, "purpose")
        self.add_row(_("P&artner:"), self.partner, "partner_id")
        self.add_row(_("&Given on:"), self.given_on, "given_on")
        self.add_row(_("&Method:"), self.method, "method")
        self.add_row(_("&Notes:"), self.notes, "notes")
        if partner_id is not None:
            self.purpose.select(ConsentPurpose.PARTNER_SHARING)
            self.partner.select(partner_id)
        self.purpose.currentIndexChanged.connect(self._purpose_changed)
        self._purpose_changed()
        self.resize(480, self.sizeHint().height())

    def _purpose_changed(self) -> None:
        sharing = self.purpose.value() is ConsentPurpose.PARTNER_SHARING
        self.partner.setEnabled(sharing)

    def submit(self) -> ConsentRecord:
        purpose = self.purpose.value()
        sharing = purpose is ConsentPurpose.PARTNER_SHARING
        if sharing and self.partner.value() is None:
            raise ServiceError(_("Add the partner to the directory first, then record consent."))
        return consent.record(
            self.state.ctx,
            self.beneficiary_id,
            purpose,
            given_on=from_qdate(self.given_on.date()),
            method=self.method.value(),
            partner_id=self.partner.value() if sharing else None,
            notes=self.notes.toPlainText().strip() or None,
        )


class ReleaseDialog(RecordDialog):
    """The actual release date; the legal status becomes "released"."""

    def __init__(self, state: AppState, person: IdentityEntry, parent: QWidget | None = None):
        super().__init__(_("Record the release"), parent)
        self.state, self.person = state, person
        today = state.ctx.today()
        self.released_on = date_edit(person.actual_release_date or today, maximum=today)
        self.set_intro(
            gendered(
                N_("The legal status becomes “Released”; post-release follow-up starts."),
                person.sex,
            )
        )
        self.add_row(_("&Released on:"), self.released_on, "released_on")

    def submit(self) -> Beneficiary:
        day = from_qdate(self.released_on.date())
        return outcomes.record_release(self.state.ctx, self.person.id, day)


class ConsentPanel(QGroupBox):
    """The person's consents, newest last, with recording and withdrawal."""

    changed = Signal()

    def __init__(
        self, state: AppState, beneficiary_id: uuid.UUID, parent: QWidget | None = None
    ) -> None:
        super().__init__(_("Consents"), parent)
        self.state, self.beneficiary_id = state, beneficiary_id
        self.dialog: ConsentDialog | None = None
        self.records: list[ConsentEntry] = []
        self.sex: Sex | None = None
        """The person's, set by the identity section: sentences about them agree with it."""
        self.tree = QTreeWidget()
        self.tree.setObjectName("consents")
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setHeaderLabels(
            [_("Purpose"), _("Partner"), _("Given on"), _("Method"), _("Withdrawn on")]
        )
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.tree.itemSelectionChanged.connect(self._update_buttons)
        self.empty = QLabel(
            _(
                "No consent recorded yet. A needs assessment and any referral need the "
                "person's consent: record it first."
            )
        )
        self.empty.setWordWrap(True)
        self.empty.setStyleSheet("color: #55606a;")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.tree)
        self.banner = MessageBanner()
        self.record_button = QPushButton(_("Record &consent…"))
        self.withdraw_button = QPushButton(_("&Withdraw…"))
        self.record_button.clicked.connect(self.open_record_dialog)
        self.withdraw_button.clicked.connect(self.withdraw_selected)
        buttons = QHBoxLayout()
        buttons.addWidget(self.record_button)
        buttons.addWidget(self.withdraw_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(self.stack)
        layout.addLayout(buttons)
        self.reload()

    def reload(self) -> None:
        ctx = self.state.ctx
        self.records = consent_entries.entries_for(ctx, self.beneficiary_id)
        names = (
            {p.id: partner_name(p) for p in partners.directory(ctx)}
            if any(r.partner_id for r in self.records)
            else {}
        )
        self.tree.clear()
        for record in self.records:
            item = QTreeWidgetItem(
                [
                    label(record.purpose),
                    names.get(record.partner_id, "") if record.partner_id else "",
                    format_date(record.given_on),
                    label(record.method),
                    format_date(record.withdrawn_on) if record.withdrawn_on else "",
                ]
            )
            item.setData(0, Qt.ItemDataRole.UserRole, record.id)
            if record.notes:
                item.setToolTip(0, record.notes)
            if not record.is_active:
                for column in range(self.tree.columnCount()):
                    item.setForeground(column, QBrush(MUTED))
            self.tree.addTopLevelItem(item)
        self.stack.setCurrentWidget(self.tree if self.records else self.empty)
        self.tree.setFixedHeight(
            min(220, 36 + max(1, len(self.records)) * (self.tree.fontMetrics().height() + 10))
        )
        self._update_buttons()

    def has_active(self, purpose: ConsentPurpose) -> bool:
        return consent_entries.has_active(self.records, purpose)

    def selected(self) -> ConsentEntry | None:
        items = self.tree.selectedItems()
        if not items:
            return None
        consent_id = items[0].data(0, Qt.ItemDataRole.UserRole)
        return next((r for r in self.records if r.id == consent_id), None)

    def _update_buttons(self) -> None:
        record = self.selected()
        self.withdraw_button.setEnabled(record is not None and record.is_active)

    def open_record_dialog(self) -> ConsentDialog:
        self.banner.clear_message()
        dialog = ConsentDialog(self.state, self.beneficiary_id, self)
        dialog.accepted.connect(self._saved)
        self.dialog = dialog
        dialog.open()
        return dialog

    def withdraw_selected(self) -> QMessageBox | None:
        record = self.selected()
        if record is None or not record.is_active:
            return None
        text = gendered(
            N_(
                "Record that the person withdrew their consent ({purpose}) today? What it "
                "allowed stops from now on; this cannot be undone."
            ),
            self.sex,
        ).format(purpose=label(record.purpose))
        return confirm(self, _("Withdraw consent"), text, lambda: self._withdraw(record.id))

    def _withdraw(self, consent_id: uuid.UUID) -> None:
        try:
            consent.withdraw(self.state.ctx, consent_id)
        except ServiceError as error:
            self.banner.show_error(str(error))
            return
        self._saved()

    def _saved(self) -> None:
        self.reload()
        self.changed.emit()
