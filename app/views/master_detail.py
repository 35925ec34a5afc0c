"""What list pages with a detail pane share (meetings, partners...): an empty state until
there is something to list, then the list beside the selected item's details; dialogs
opened over the page select what they saved once the list is read again.

    class VisitsPage(MasterDetailPage):
        def __init__(self, state, parent=None):
            super().__init__(state, parent)
            self.lay_out(EmptyState(...), list_side, details_side, (470, 630))
            self.refresh()

        def refresh(self) -> None:
            wanted = self.take_selection()
            rows = service.list_visits(self.state.ctx)
            self.show_content(bool(rows))
            ...

        def saved_id(self, record: object) -> uuid.UUID | None:
            return getattr(record, "id", None)
"""

from __future__ import annotations

import uuid

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QSplitter, QStackedWidget, QVBoxLayout, QWidget

from app.views.app_state import AppState
from app.views.record_forms import RecordDialog


class MasterDetailPage(QWidget):
    """Base of a page listing records beside the details of the one selected."""

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.dialog: QDialog | None = None
        self.stack = QStackedWidget()
        self.empty: QWidget | None = None
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self._select_next: uuid.UUID | None = None

    def lay_out(
        self, empty: QWidget, master: QWidget, detail: QWidget, sizes: tuple[int, int]
    ) -> None:
        """``empty`` until :meth:`show_content`; then ``master`` beside ``detail``."""
        self.empty = empty
        self.splitter.addWidget(master)
        self.splitter.addWidget(detail)
        self.splitter.setSizes(list(sizes))
        self.stack.addWidget(empty)
        self.stack.addWidget(self.splitter)
        layout = QVBoxLayout(self)
        layout.addWidget(self.stack)

    def show_content(self, shown: bool) -> None:
        self.stack.setCurrentIndex(1 if shown else 0)

    def take_selection(self, current: uuid.UUID | None) -> uuid.UUID | None:
        """The record to select after reading again: the one just saved, else ``current``."""
        wanted, self._select_next = self._select_next or current, None
        return wanted

    def open_dialog(self, dialog: QDialog) -> QDialog:
        """Open ``dialog`` over the page; once saved, read again with its record selected."""
        self.dialog = dialog
        if isinstance(dialog, RecordDialog):
            dialog.saved.connect(self._remember)
        dialog.accepted.connect(self.refresh)
        dialog.open()
        return dialog

    def saved_id(self, record: object) -> uuid.UUID | None:
        """Which list entry a saved record selects (its own id unless said otherwise)."""
        found = getattr(record, "id", None)
        return found if isinstance(found, uuid.UUID) else None

    def refresh(self) -> None:
        """Read the records again and show them (each page's own)."""
        raise NotImplementedError

    def _remember(self, record: object) -> None:
        self._select_next = self.saved_id(record)
