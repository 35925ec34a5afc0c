"""Referrals of a case file to partners, and what the partner or the person reported back.

A referral needs the person's consent to share with that partner; the service refuses
without it (ConsentRequired). The consent is recorded from the referral form itself and
the referral is then saved with everything typed. Status updates offer only the moves
``referrals.TRANSITIONS`` allows from the current status.
"""

from __future__ import annotations

import uuid

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QWidget,
)

from app.i18n import N_, _
from app.models import Referral
from app.services import (
    beneficiaries,
    consent_entries,
    partners,
    plans,
    referral_entries,
    referrals,
)
from app.services.errors import ConsentRequired
from app.services.partners import PartnerEntry
from app.services.referral_entries import ReferralEntry
from app.services.validation import fail
from app.views.app_state import AppState
from app.views.casefile.consent_panel import ConsentDialog
from app.views.casefile.section import CaseSection
from app.views.casefile.voiding import VoidDialog, mark_voided, voided_caption
from app.views.labels import gendered, label
from app.views.record_forms import (
    TONES,
    ChoiceCombo,
    EmptyState,
    RecordDialog,
    align_to_layout,
    date_edit,
    format_date,
    from_qdate,
    select_first,
)
from passerelle_core.enums import ConsentPurpose, ReferralStatus

ROLE = Qt.ItemDataRole.UserRole
RS = ReferralStatus
STATUS_TONES = {
    RS.SENT: "info",
    RS.ACCEPTED: "info",
    RS.STARTED: "info",
    RS.COMPLETED: "success",
    RS.REFUSED: "danger",
    RS.NO_SHOW: "warning",
    RS.CANCELLED: "neutral",
}


def next_statuses(current: ReferralStatus) -> list[ReferralStatus]:
    """The statuses a referral may move to, in the order of the vocabulary."""
    allowed = referrals.TRANSITIONS[current]
    return [status for status in ReferralStatus if status in allowed]


class ReferDialog(RecordDialog):
    """Refer to a partner, for one of its services, optionally serving a plan action;
    a missing consent is recorded from here and the referral goes on."""

    def __init__(
        self,
        state: AppState,
        beneficiary_id: uuid.UUID,
        directory: list[PartnerEntry],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(_("Refer to a partner"), parent)
        self.state, self.beneficiary_id = state, beneficiary_id
        self.directory = {partner.id: partner for partner in directory}
        self.sex = beneficiaries.get(state.ctx, beneficiary_id).sex  # the hint agrees with it
        self.consented = {
            record.partner_id
            for record in consent_entries.entries_for(state.ctx, beneficiary_id)
            if record.purpose is ConsentPurpose.PARTNER_SHARING and record.withdrawn_on is None
        }
        today = state.ctx.today()
        self.partner = ChoiceCombo()
        self.partner.set_choices(
            [(_("Choose a partner…"), None), *[(p.name, p.id) for p in directory]]
        )
        self.consent_hint = QLabel()
        align_to_layout(self.consent_hint)
        self.service = ChoiceCombo()
        self.action = ChoiceCombo()
        self.action.set_choices(self._actions())
        self.reason = QPlainTextEdit()
        self.reason.setTabChangesFocus(True)
        self.reason.setFixedHeight(90)
        self.sent_on = date_edit(today, maximum=today)
        self.add_row(_("&Partner:"), self.partner, "partner_id")
        self.form.addRow("", self.consent_hint)
        self.add_row(_("&Service:"), self.service, "service_id")
        self.add_row(_("Plan &action:"), self.action, "action_id")
        self.add_row(_("&Reason:"), self.reason, "reason")
        self.add_row(_("Sent &on:"), self.sent_on, "sent_on")
        self.record_consent = QPushButton(_("Record the &consent…"))
        self.record_consent.clicked.connect(self.ask_consent)
        self.record_consent.hide()
        self.consent_dialog: ConsentDialog | None = None
        self._refused = False  # a save was refused for want of consent: retry once given
        consent_row = QHBoxLayout()
        consent_row.addWidget(self.record_consent)
        consent_row.addStretch(1)
        self.body.insertLayout(self.body.indexOf(self.buttons), consent_row)
        self.partner.currentIndexChanged.connect(self._partner_changed)
        self._partner_changed()
        self.resize(560, self.sizeHint().height())

    def _actions(self) -> list[tuple[str, uuid.UUID | None]]:
        entries: list[tuple[str, uuid.UUID | None]] = [(_("Not linked to a plan action"), None)]
        plan = plans.current_plan(self.state.ctx, self.beneficiary_id)
        if plan is not None:
            entries += [(action.description, action.id) for g in plan.goals for action in g.actions]
        return entries

    def _partner_changed(self) -> None:
        partner = self.directory.get(self.partner.value())
        services = partner.services if partner is not None else []
        self.service.set_choices(
            [(_("No particular service"), None), *[(s.name, s.id) for s in services]]
        )
        self.service.setEnabled(bool(services))
        self._refused = False
        self.error.clear_message()
        self._show_consent()

    def _show_consent(self) -> None:
        """Whether the chosen partner is covered by a consent, and the button if not."""
        partner = self.directory.get(self.partner.value())
        self.form.setRowVisible(self.consent_hint, partner is not None)
        self.record_consent.setVisible(partner is not None and partner.id not in self.consented)
        if partner is None:
            self.consent_hint.setText("")
        elif partner.id in self.consented:
            agreed = N_("The person agreed to share information with them.")
            self.consent_hint.setText(gendered(agreed, self.sex))
            self.consent_hint.setStyleSheet(f"color: {TONES['success'][1]};")
        else:
            self.consent_hint.setText(_("No consent to share with this partner is recorded yet."))
            self.consent_hint.setStyleSheet(f"color: {TONES['warning'][1]};")
        self.grow_to_fit()

    def submit(self) -> Referral:
        partner_id = self.partner.value()
        if partner_id is None:
            fail("partner_id", _("Choose the partner."))
        try:
            return referrals.refer(
                self.state.ctx,
                self.beneficiary_id,
                partner_id,
                service_id=self.service.value(),
                action_id=self.action.value(),
                reason=self.reason.toPlainText(),
                sent_on=from_qdate(self.sent_on.date()),
            )
        except ConsentRequired as error:
            self._refused = True
            self.record_consent.show()
            advice = _(
                "Record the person's consent with “Record the consent”: the referral is "
                "then saved with what you typed."
            )
            raise ConsentRequired(f"{error}\n{advice}") from None

    def ask_consent(self) -> ConsentDialog | None:
        """The consent dialog over this one, set to share with the chosen partner."""
        partner_id = self.partner.value()
        if partner_id is None:
            return None
        dialog = ConsentDialog(self.state, self.beneficiary_id, self, partner_id=partner_id)
        dialog.saved.connect(self._consent_recorded)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.open()
        self.consent_dialog = dialog
        return dialog

    def _consent_recorded(self, record: object) -> None:
        partner_id = getattr(record, "partner_id", None)
        if partner_id is None:
            return  # consent to another purpose: sharing is still not covered
        self.consented.add(partner_id)
        retry = self._refused and partner_id == self.partner.value()
        self.error.clear_message()
        self._show_consent()
        if retry:
            self.accept()  # the save that was refused goes on, nothing retyped


class ReferralStatusDialog(RecordDialog):
    """What the partner or the person reported: only the moves allowed from here."""

    def __init__(
        self, state: AppState, referral: ReferralEntry, parent: QWidget | None = None
    ) -> None:
        super().__init__(_("Update the referral"), parent)
        self.state, self.referral = state, referral
        today = state.ctx.today()
        intro = _("{reference}: {status} since {date}").format(
            reference=referral.reference,
            status=label(referral.status),
            date=format_date(referral.status_changed_on or referral.sent_on),
        )
        self.set_intro(intro)
        self.status = ChoiceCombo()
        self.status.set_choices([(label(s), s) for s in next_statuses(referral.status)])
        self.on = date_edit(today, minimum=min(referral.sent_on, today), maximum=today)
        self.outcome = QPlainTextEdit(referral.outcome or "")
        self.outcome.setTabChangesFocus(True)
        self.outcome.setFixedHeight(90)
        self.add_row(_("New &status:"), self.status, "status")
        self.add_row(_("&Date:"), self.on, "on")
        self.add_row(_("&Outcome:"), self.outcome, "outcome")

    def submit(self) -> Referral:
        return referrals.update_status(
            self.state.ctx,
            self.referral.id,
            self.status.value(),
            on=from_qdate(self.on.date()),
            outcome=self.outcome.toPlainText(),
        )


class ReferralsSection(CaseSection):
    """The case's referrals, newest first, with their status as the partner reported it."""

    def __init__(
        self, state: AppState, beneficiary_id: uuid.UUID, parent: QWidget | None = None
    ) -> None:
        super().__init__(state, beneficiary_id, parent)
        self._referrals: list[ReferralEntry] = []
        self.refer_button = QPushButton(_("&Refer to a partner…"))
        self.refer_button.clicked.connect(self.refer)
        self.empty_refer_button = QPushButton(_("&Refer to a partner…"))
        self.empty_refer_button.clicked.connect(self.refer)
        self.status_button = QPushButton(_("&Update status…"))
        self.status_button.clicked.connect(self.update_status)
        self.void_button = QPushButton(_("Ca&ncel this entry…"))
        self.void_button.setToolTip(_("For a referral recorded by mistake"))
        self.void_button.clicked.connect(self.void_referral)
        self.empty_state = EmptyState(
            _("No referrals yet"),
            _(
                "Refer the person to a partner from the directory; the reference printed on "
                "the slip lets the partner report back by phone."
            ),
            self.empty_refer_button,
        )
        self.table = QTreeWidget()
        self.table.setRootIsDecorated(False)
        self.table.setAlternatingRowColors(True)
        self.table.setHeaderLabels(
            [
                _("Reference"),
                _("Partner"),
                _("Service"),
                _("Sent on"),
                _("Status"),
                _("Since"),
                _("Outcome"),
            ]
        )
        header = self.table.header()
        for column in range(6):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.currentItemChanged.connect(lambda *_args: self._update_buttons())
        self.table.itemActivated.connect(lambda *_args: self.update_status())
        self.lay_out(
            self.empty_state, [self.refer_button, self.status_button, self.void_button], self.table
        )
        self.reload()

    def reload(self) -> None:
        ctx = self.state.ctx
        selected = self.selected()
        self._referrals = referral_entries.entries_for(ctx, self.beneficiary_id)
        self.show_content(bool(self._referrals))
        if not self._referrals:
            return
        directory = partners.directory(ctx)
        names = {partner.id: partner.name for partner in directory}
        services = {s.id: s.name for partner in directory for s in partner.services}
        self.table.clear()
        for referral in self._referrals:
            service = services.get(referral.service_id, "—") if referral.service_id else "—"
            item = QTreeWidgetItem(
                [
                    referral.reference,
                    names.get(referral.partner_id, "—"),
                    service,
                    format_date(referral.sent_on),
                    label(referral.status),
                    format_date(referral.status_changed_on),
                    referral.outcome or "",
                ]
            )
            item.setData(0, ROLE, referral.id)
            background, foreground = TONES[STATUS_TONES[referral.status]]
            item.setBackground(4, QBrush(QColor(background)))
            item.setForeground(4, QBrush(QColor(foreground)))
            if referral.reason:
                item.setToolTip(0, referral.reason)
            if referral.voided:
                item.setText(6, voided_caption(referral.void_reason))
                mark_voided(item, 7)
            self.table.addTopLevelItem(item)
            if selected is not None and referral.id == selected.id:
                self.table.setCurrentItem(item)
        select_first(self.table)
        self._update_buttons()

    def selected(self) -> ReferralEntry | None:
        item = self.table.currentItem()
        if item is None:
            return None
        referral_id = item.data(0, ROLE)
        return next((r for r in self._referrals if r.id == referral_id), None)

    def _update_buttons(self) -> None:
        referral = self.selected()
        self.void_button.setEnabled(referral is not None and not referral.voided)
        movable = referral is not None and referral.may_move
        self.status_button.setEnabled(movable)
        self.status_button.setToolTip(
            "" if movable or referral is None else _("This referral is finished.")
        )

    def void_referral(self) -> QDialog | None:
        """Cancel the selected referral, recorded by mistake (kept, marked, not counted)."""
        referral = self.selected()
        if referral is None:
            return None
        return self.open_dialog(VoidDialog(self.state, Referral, referral.id, self))

    def refer(self) -> QDialog:
        dialog = ReferDialog(
            self.state, self.beneficiary_id, partners.directory(self.state.ctx), self
        )
        return self.open_dialog(dialog)

    def update_status(self) -> QDialog | None:
        referral = self.selected()
        if referral is None or not referrals.TRANSITIONS[referral.status]:
            return None
        return self.open_dialog(ReferralStatusDialog(self.state, referral, self))
