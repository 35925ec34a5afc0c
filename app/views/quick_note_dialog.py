"""A quick note: a short contact in two fields (what kind, what was said).

Opened from the case file or the worklist. Saved at once, never edited afterwards
(a correction is a new note), and shown in the case's timeline.
"""

from __future__ import annotations

import uuid

from PySide6.QtWidgets import QPlainTextEdit, QWidget

from app.i18n import _
from app.models import QuickNote
from app.services import quick_notes
from app.views.app_state import AppState
from app.views.labels import choices
from app.views.record_forms import ChoiceCombo, RecordDialog
from passerelle_core.enums import QuickNoteKind


class QuickNoteDialog(RecordDialog):
    def __init__(
        self, state: AppState, beneficiary_id: uuid.UUID, parent: QWidget | None = None
    ) -> None:
        super().__init__(_("Quick note"), parent)
        self.state, self.beneficiary_id = state, beneficiary_id
        self.set_intro(
            _("A phone call, a word in the corridor, a message: two lines, dated today.")
        )
        self.kind = ChoiceCombo()
        self.kind.set_choices(choices(QuickNoteKind))
        self.text_edit = QPlainTextEdit()
        self.text_edit.setTabChangesFocus(True)
        self.text_edit.setMaximumHeight(110)
        self.add_row(_("&Contact:"), self.kind, "kind")
        self.add_row(_("&What was said:"), self.text_edit, "body")

    def submit(self) -> QuickNote:
        return quick_notes.add(
            self.state.ctx, self.beneficiary_id, self.kind.value(), self.text_edit.toPlainText()
        )
