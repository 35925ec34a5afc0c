"""Transfer one case or a selection to another counsellor or team, with the reason.

Opened from the caseload (several rows selected) by supervisors and administrators;
the service refuses anyone else (and the server again). Each case's history keeps the
transfer: who, to whom, when and why.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QPlainTextEdit,
    QRadioButton,
    QSizePolicy,
    QWidget,
)

from app.i18n import _, ngettext
from app.models import CaseTransfer
from app.services import transfers
from app.views.app_state import AppState
from app.views.record_forms import ChoiceCombo, RecordDialog


class TransferDialog(RecordDialog):
    """To a counsellor (the case joins their team) or to a team, and why."""

    def __init__(
        self,
        state: AppState,
        beneficiary_ids: Sequence[uuid.UUID],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(_("Transfer cases"), parent)
        self.setObjectName("transferDialog")
        self.state, self.beneficiary_ids = state, list(beneficiary_ids)
        count = len(self.beneficiary_ids)
        self.set_intro(
            ngettext(
                "Hand {count} case over to another counsellor or team. The case's history "
                "keeps the transfer and its reason.",
                "Hand {count} cases over to another counsellor or team. Each case's history "
                "keeps the transfer and its reason.",
                count,
            ).format(count=count)
        )
        staff, teams = transfers.targets(state.ctx)
        team_names = {team.id: team.name for team in teams}
        self.to_staff = QRadioButton(_("To a &counsellor"))
        self.to_team = QRadioButton(_("To a &team"))
        self.to_staff.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.to_staff)
        group.addButton(self.to_team)
        self.staff = ChoiceCombo()
        named = _("{name} ({team})")
        self.staff.set_choices(
            [
                (named.format(name=m.full_name, team=_team_name(team_names, m.team_id)), m.id)
                for m in staff
                if m.id != state.ctx.actor.staff_id
            ]
        )
        self.team = ChoiceCombo()
        self.team.set_choices([(team.name, team.id) for team in teams])
        self.reason = QPlainTextEdit()
        self.reason.setTabChangesFocus(True)
        self.reason.setFixedHeight(80)
        self.reason.setPlaceholderText(_("e.g. the counsellor leaves; release to another region"))
        for combo in (self.staff, self.team):
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(30)
            combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.form.addRow(self.to_staff)
        self.form.addRow("", self.staff)
        self.form.addRow(self.to_team)
        self.form.addRow("", self.team)
        self.add_row(_("&Reason:"), self.reason, "reason")
        self.to_staff.toggled.connect(self._target_changed)
        self._target_changed()
        self.save_button.setText(_("&Transfer"))
        width = 600  # the wrapped introduction decides the height, in either language
        self.resize(width, max(self.sizeHint().height(), self.body.totalHeightForWidth(width)))

    def _target_changed(self) -> None:
        self.staff.setEnabled(self.to_staff.isChecked())
        self.team.setEnabled(self.to_team.isChecked())

    def submit(self) -> list[CaseTransfer]:
        reason = self.reason.toPlainText()
        if self.to_staff.isChecked():
            return transfers.transfer(
                self.state.ctx, self.beneficiary_ids, reason=reason, to_staff_id=self.staff.value()
            )
        return transfers.transfer(
            self.state.ctx, self.beneficiary_ids, reason=reason, to_team_id=self.team.value()
        )


def _team_name(names: dict[uuid.UUID, str], team_id: uuid.UUID | None) -> str:
    return names.get(team_id, "—") if team_id is not None else "—"
