"""What every case-file section shares, so that a new tab is its content and nothing else.

A section belongs to one case (``state``, ``beneficiary_id``), shows a refusal or a notice
in its banner, an empty state until there is something to list, then a row of buttons
above its content; its dialogs open without ``exec()`` and, once saved, the section reads
again and says so (``changed``: the case file refreshes the other sections).

    class NotesSection(CaseSection):
        def __init__(self, state, beneficiary_id, parent=None):
            super().__init__(state, beneficiary_id, parent)
            self.add_button = QPushButton(_("&Add…"))
            self.lay_out(EmptyState(...), [self.add_button], self.table)
            self.reload()

        def reload(self) -> None:
            rows = service.list_for(self.state.ctx, self.beneficiary_id)
            self.show_content(bool(rows))
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QHBoxLayout, QStackedWidget, QVBoxLayout, QWidget

from app.views.app_state import AppState
from app.views.record_forms import MessageBanner


class CaseSection(QWidget):
    """Base of a case-file tab: banner, empty state or buttons over content, dialogs."""

    changed = Signal()

    def __init__(
        self, state: AppState, beneficiary_id: uuid.UUID, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.state, self.beneficiary_id = state, beneficiary_id
        self.dialog: QDialog | None = None
        self.banner = MessageBanner()
        self.stack = QStackedWidget()
        self.empty: QWidget | None = None

    def lay_out(self, empty: QWidget, buttons: Sequence[QWidget], content: QWidget) -> None:
        """The section's widgets in place: ``empty`` until :meth:`show_content` says there
        is something, then ``buttons`` in a row above ``content``."""
        self.empty = empty
        page = QWidget()
        column = QVBoxLayout(page)
        column.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        for button in buttons:
            row.addWidget(button)
        row.addStretch(1)
        column.addLayout(row)
        column.addWidget(content, 1)
        self.stack.addWidget(empty)
        self.stack.addWidget(page)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(self.stack, 1)

    def show_content(self, shown: bool) -> None:
        self.stack.setCurrentIndex(1 if shown else 0)

    def open_dialog(self, dialog: QDialog) -> QDialog:
        """Open ``dialog`` over the section (not modal-blocking); saved: read again."""
        self.banner.clear_message()
        self.dialog = dialog
        dialog.accepted.connect(self.saved)
        dialog.open()
        return dialog

    def saved(self) -> None:
        self.reload()
        self.changed.emit()

    def reload(self) -> None:
        """Read the case's records again and show them (each section's own)."""
        raise NotImplementedError
