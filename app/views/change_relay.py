"""Screens follow the data: change notices brought to the GUI thread and applied.

:class:`ChangeRelay` subscribes to :data:`app.services.changes.BUS` for one profile and
re-emits each notice as a Qt signal, so a pull running in a worker thread reaches the
widgets on the GUI thread. :func:`follow` applies a notice to the workspace: the open
case files of the cases it names read again (each section keeps an edit in progress as
typed), and after a pull the visible page refreshes (pages keep their selection).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget
from shiboken6 import isValid

from app.services import changes
from app.services.changes import Changes
from app.services.errors import ServiceError


class ChangeRelay(QObject):
    changed = Signal(object)  # Changes, on the GUI thread

    def __init__(self, database: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.database = str(database)
        self._unsubscribe = changes.BUS.subscribe(self._receive)

    def _receive(self, notice: Changes) -> None:
        if notice.database != self.database:
            return
        if not isValid(self):  # the window is gone: stop listening
            self._unsubscribe()
            return
        self.changed.emit(notice)  # queued to the GUI thread when sent from a worker

    def close(self) -> None:
        self._unsubscribe()


def follow(workspace: QWidget, notice: Changes) -> None:
    """Refresh what ``notice`` makes stale in ``workspace`` (a :class:`Workspace`)."""
    tabs = getattr(workspace, "case_tabs", None)
    if tabs is not None:
        for index in range(tabs.count()):
            view = tabs.widget(index)
            case_id = getattr(view, "beneficiary_id", None)
            if case_id is None or not notice.touches_case(case_id):
                continue
            if notice.source == changes.LOCAL and view.isVisible():
                continue  # the screen that saved shows it already
            follow_changes = getattr(view, "follow_changes", None)
            if follow_changes is not None:
                try:
                    follow_changes()
                except ServiceError:  # the case left this laptop: its tab stays as it was
                    continue
    if notice.source != changes.PULL:
        return
    pages = getattr(workspace, "pages", None)
    current = pages.currentWidget() if pages is not None else None
    refresh = getattr(current, "refresh", None)
    if refresh is not None:
        refresh()
