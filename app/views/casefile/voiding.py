"""Cancelling a session, assessment or referral recorded by mistake, with the reason.

Shared by the case-file sections: the dialog that asks why, and how a cancelled
entry looks in a list (greyed, struck through, and saying so in words: never by
colour alone).
"""

from __future__ import annotations

import uuid

from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QPlainTextEdit, QTreeWidgetItem, QWidget

from app.i18n import _
from app.models import FollowUpSession, NeedsAssessment, Referral
from app.services import voiding
from app.views.app_state import AppState
from app.views.record_forms import RecordDialog

VOIDED_COLOUR = "#6b7280"


class VoidDialog(RecordDialog):
    """Why the entry was a mistake; it then stays in the history, out of every count."""

    def __init__(
        self,
        state: AppState,
        model: type[FollowUpSession] | type[NeedsAssessment] | type[Referral],
        record_id: uuid.UUID,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(_("Cancel an entry recorded by mistake"), parent)
        self.state, self.model, self.record_id = state, model, record_id
        self.set_intro(
            _(
                "The entry stays in the case history, marked as cancelled with your "
                "reason, and no longer counts in the indicators."
            )
        )
        self.reason = QPlainTextEdit()
        self.reason.setTabChangesFocus(True)
        self.reason.setMinimumHeight(80)
        self.add_row(_("&Reason:"), self.reason, "reason")
        self.save_button.setText(_("Cancel the &entry"))

    def submit(self) -> object:
        return voiding.void(self.state.ctx, self.model, self.record_id, self.reason.toPlainText())


def voided_caption(reason: str | None) -> str:
    return _("Cancelled: {reason}").format(reason=reason or "—")


def mark_voided(item: QTreeWidgetItem, columns: int) -> None:
    """Grey and struck through; the words saying so are put in a cell by the caller."""
    for column in range(columns):
        font = item.font(column)
        font.setStrikeOut(True)
        item.setFont(column, font)
        item.setForeground(column, QBrush(QColor(VOIDED_COLOUR)))
