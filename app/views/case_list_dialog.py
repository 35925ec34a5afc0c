"""The cases behind a figure of the dashboard: who exactly a number counts."""

from __future__ import annotations

import uuid

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, ngettext
from app.indicators import Figure, Period, Scope, case_ids
from app.services import caseload
from app.services.caseload import CaseloadRow
from app.views.app_state import AppState
from app.views.labels import legal_status_label, person_name, plan_status_label
from app.views.tasks import run_in_background


class CaseTree(QTreeWidget):
    activated_case = Signal(uuid.UUID)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt naming
        item = self.currentItem()
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and item is not None:
            self.activated_case.emit(item.data(0, Qt.ItemDataRole.UserRole))
            return
        super().keyPressEvent(event)


class CaseListDialog(QDialog):
    open_case = Signal(uuid.UUID, str)
    listed = Signal(int)

    def __init__(
        self,
        state: AppState,
        figure: Figure,
        period: Period,
        scope: Scope,
        key: object,
        title: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(760, 460)
        self.summary = QLabel(_("Looking for the cases…"))
        self.tree = CaseTree()
        self.tree.setRootIsDecorated(False)
        self.tree.setHeaderLabels(
            [_("Beneficiary"), _("Facility"), _("Legal status"), _("Plan"), _("Assigned to")]
        )
        self.tree.itemDoubleClicked.connect(
            lambda item, _column: self._open(item.data(0, Qt.ItemDataRole.UserRole))
        )
        self.tree.activated_case.connect(self._open)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        hint = QLabel(_("Enter or a double click opens the case file."))
        hint.setStyleSheet("color: #55606a;")
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.tree, 1)
        layout.addWidget(hint)
        layout.addWidget(buttons)
        ctx = state.ctx

        def work() -> list[CaseloadRow]:
            return caseload.rows_for(ctx, case_ids(ctx, figure, period, scope, key=key))

        run_in_background(work, self._show, self._failed)

    def _show(self, rows: list[CaseloadRow]) -> None:
        for row in rows:
            item = QTreeWidgetItem(
                [
                    person_name(
                        f"{row.last_name.upper()} {row.first_name}",
                        " ".join(p for p in (row.first_name_ar, row.last_name_ar) if p),
                    ),
                    row.facility_name or "",
                    legal_status_label(row.legal_status),
                    plan_status_label(row.plan_status) if row.plan_status else _("No plan"),
                    row.assigned_staff_name or "",
                ]
            )
            item.setData(0, Qt.ItemDataRole.UserRole, row.beneficiary_id)
            self.tree.addTopLevelItem(item)
        for column in range(self.tree.columnCount()):
            self.tree.resizeColumnToContents(column)
        self.summary.setText(ngettext("{n} case", "{n} cases", len(rows)).format(n=len(rows)))
        first = self.tree.topLevelItem(0)
        if first is not None:
            self.tree.setCurrentItem(first)
            self.tree.setFocus()
        self.listed.emit(len(rows))

    def _failed(self, _error: Exception) -> None:
        self.summary.setText(_("The cases could not be listed."))

    def _open(self, beneficiary_id: uuid.UUID) -> None:
        self.open_case.emit(beneficiary_id, "")
        self.accept()
