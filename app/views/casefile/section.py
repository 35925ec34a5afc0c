"""What every case-file section shares, so that a new tab is its content and nothing else.

A section belongs to one case (``state``, ``beneficiary_id``). From the top: what must
stay in view whatever the state (``above``: a notice, a filter bar, short contacts), a
banner for a refusal or a notice, then an empty state until there is something to list,
then a row of buttons above its content. A form may open in place of all of it
(:meth:`open_page`: it survives a reload). Dialogs open without ``exec()`` and, once
saved, the section reads again and says so (``changed``: the case file refreshes the
other sections); a service step refused shows its reason in the banner (:meth:`run`).

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
from collections.abc import Callable, Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLayout,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.services.errors import ServiceError
from app.views.app_state import AppState
from app.views.record_forms import MessageBanner


def button_row(buttons: Sequence[QWidget], trailing: Sequence[QWidget] = ()) -> QHBoxLayout:
    """Buttons from the start side, ``trailing`` ones pushed to the end side."""
    row = QHBoxLayout()
    for button in buttons:
        row.addWidget(button)
    row.addStretch(1)
    for button in trailing:
        row.addWidget(button)
    return row


class CaseSection(QWidget):
    """Base of a case-file tab: banner, empty state or buttons over content, dialogs."""

    changed = Signal()

    def __init__(
        self, state: AppState, beneficiary_id: uuid.UUID, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.state, self.beneficiary_id = state, beneficiary_id
        self.dialog: QWidget | None = None
        self.banner = MessageBanner()
        self.stack = QStackedWidget()
        self.empty: QWidget | None = None
        self.page: QWidget | None = None  # the buttons over the content
        self.over: QWidget | None = None  # a form opened in place of the section
        self.body = QWidget()  # all of the above, hidden while a form is open

    def lay_out(
        self,
        empty: QWidget | None,
        buttons: Sequence[QWidget],
        content: QWidget,
        *,
        trailing: Sequence[QWidget] = (),
        above: Sequence[QWidget | QLayout] = (),
    ) -> None:
        """The section's widgets in place: ``above`` always shown, then ``empty`` until
        :meth:`show_content` says there is something (no ``empty``: always the content),
        then ``buttons`` (and ``trailing`` at the end side) in a row above ``content``."""
        self.empty = empty
        self.page = QWidget()
        column = QVBoxLayout(self.page)
        column.setContentsMargins(0, 0, 0, 0)
        if buttons or trailing:
            column.addLayout(button_row(buttons, trailing))
        column.addWidget(content, 1)
        if empty is not None:
            self.stack.addWidget(empty)
        self.stack.addWidget(self.page)
        self.stack.setCurrentWidget(empty if empty is not None else self.page)
        body = QVBoxLayout(self.body)
        body.setContentsMargins(0, 0, 0, 0)
        for item in above:
            if isinstance(item, QLayout):
                body.addLayout(item)
            else:
                body.addWidget(item)
        body.addWidget(self.banner)
        body.addWidget(self.stack, 1)
        QVBoxLayout(self).addWidget(self.body, 1)

    def show_content(self, shown: bool) -> None:
        """The content if ``shown``, else the empty state (under a form, if one is open)."""
        target = self.page if shown or self.empty is None else self.empty
        if target is not None:
            self.stack.setCurrentWidget(target)

    def open_page(self, page: QWidget) -> None:
        """Show ``page`` (a form) in place of the whole section until :meth:`close_page`;
        reloads meanwhile update what is under it, never the form."""
        self.close_page(reload=False)
        self.over = page
        self.body.hide()
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout), "lay_out() first"
        layout.addWidget(page, 1)
        page.show()

    def close_page(self, *, reload: bool = True) -> None:
        page, self.over = self.over, None
        if page is not None:
            page.hide()
            page.setParent(None)
            page.deleteLater()
        self.body.show()
        if reload:
            self.reload()

    def open_dialog(self, dialog: QDialog, then: Callable[[], object] | None = None) -> QDialog:
        """Open ``dialog`` over the section (not modal-blocking); once accepted: ``then``,
        by default read again and tell the case file (:meth:`saved`)."""
        self.banner.clear_message()
        self.dialog = dialog
        dialog.accepted.connect(then if then is not None else self.saved)
        dialog.open()
        return dialog

    def run(self, step: Callable[[], object]) -> bool:
        """Do a service ``step`` now; refused: its reason in the banner, nothing else."""
        self.banner.clear_message()
        try:
            step()
        except ServiceError as error:
            self.banner.show_error(str(error))
            return False
        self.saved()
        return True

    def saved(self) -> None:
        self.reload()
        self.changed.emit()

    def reload(self) -> None:
        """Read the case's records again and show them (each section's own)."""
        raise NotImplementedError
