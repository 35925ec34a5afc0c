"""The access log page: who opened, changed, printed or exported which case, and when.

Shown to supervisors and administrators only (the workspace leaves it out for anyone
else, and the service refuses them too). Filters: who, what, a date range, a case (by
name, CIN or id). The banner says whether the log's hash chain holds. The export writes
the filtered lines to a CSV file the user chooses, with ids and no beneficiary's name,
and says that the file is not encrypted.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, ngettext
from app.models.audit import AccessAction
from app.services import audit
from app.services.errors import ServiceError
from app.views.app_state import AppState
from app.views.record_forms import ChoiceCombo, MessageBanner, OptionalDateEdit, ltr
from app.views.status_bar import format_moment

DEFAULT_DAYS = 30
SHORT_ID = 8
LINE_ROLE = Qt.ItemDataRole.UserRole


def may_open(state: AppState) -> bool:
    """The workspace lists the page only for those who may read the log."""
    return audit.may_read(state.ctx.actor)


class AccessLogPage(QWidget):
    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.lines: list[audit.LogLine] = []
        self.banner = MessageBanner()
        self.chain = QLabel()
        self.chain.setObjectName("chainStatus")
        self.staff = ChoiceCombo()
        self.action = ChoiceCombo()
        self.action.set_choices(
            [(_("Every action"), None)]
            + [(audit.action_label(action), action) for action in AccessAction]
        )
        today = state.ctx.today()
        self.start = OptionalDateEdit(_("From"), today - timedelta(days=DEFAULT_DAYS))
        self.end = OptionalDateEdit(_("To"), today)
        self.case = QLineEdit()
        self.case.setPlaceholderText(_("Case: name, CIN or id"))
        self.case.setClearButtonEnabled(True)
        self.case.returnPressed.connect(self.reload)
        self.apply_button = QPushButton(_("&Filter"))
        self.apply_button.clicked.connect(self.reload)
        for combo in (self.staff, self.action):
            combo.currentIndexChanged.connect(self.reload)
        self.table = QTreeWidget()
        self.table.setRootIsDecorated(False)
        self.table.setAlternatingRowColors(True)
        self.table.setHeaderLabels(
            [_("When"), _("Who"), _("Action"), _("Record"), _("Case"), _("Device"), _("Entry")]
        )
        self.table.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.count = QLabel()
        self.export_button = QPushButton(_("&Export to CSV…"))
        self.export_button.clicked.connect(self.export)
        layout = QVBoxLayout(self)
        layout.addWidget(self.chain)
        layout.addWidget(self.banner)
        layout.addLayout(self._filters())
        layout.addWidget(self.table, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.count, 1)
        bottom.addWidget(self.export_button)
        layout.addLayout(bottom)
        self.refresh()

    def _filters(self) -> QHBoxLayout:
        row = QHBoxLayout()
        for widget in (self.staff, self.action, self.start, self.end):
            row.addWidget(widget)
        row.addWidget(self.case, 1)
        row.addWidget(self.apply_button)
        return row

    def _fill_staff(self) -> None:
        chosen = self.staff.value()
        self.staff.blockSignals(True)
        self.staff.set_choices(
            [(_("Everyone"), None), *((name, staff_id) for staff_id, name in self._staff())]
        )
        self.staff.select(chosen)
        self.staff.blockSignals(False)

    def _staff(self) -> list[tuple[uuid.UUID, str]]:
        return audit.staff_in_log(self.state.ctx)

    def current_filter(self) -> audit.LogFilter:
        return audit.LogFilter(
            staff_id=self.staff.value(),
            action=self.action.value(),
            start=self.start.value(),
            end=self.end.value(),
            case_ids=audit.find_cases(self.state.ctx, self.case.text()),
        )

    def refresh(self) -> None:
        """Check the chain and reload (the workspace calls it each time the page is shown)."""
        try:
            self._fill_staff()
        except ServiceError as error:
            self.banner.show_error(str(error))
            return
        self._show_chain()
        self.reload()

    def reload(self) -> None:
        """The lines matching the filters, newest first."""
        self.banner.clear_message()
        try:
            self.lines = audit.lines(self.state.ctx, self.current_filter())
            names = audit.case_names(
                self.state.ctx, {ln.case_id for ln in self.lines if ln.case_id}
            )
        except ServiceError as error:
            self.banner.show_error(str(error))
            return
        self.table.clear()
        self.table.addTopLevelItems([self._item(line, names) for line in self.lines])
        self.count.setText(
            ngettext("{n} entry", "{n} entries", len(self.lines)).format(n=len(self.lines))
        )

    def _item(self, line: audit.LogLine, names: dict[uuid.UUID, str]) -> QTreeWidgetItem:
        case = ""
        if line.case_id is not None:
            case = names.get(line.case_id) or ltr(str(line.case_id)[:SHORT_ID])
        item = QTreeWidgetItem(
            [
                format_moment(line.recorded_at),
                line.staff_name or _("(no one: set-up)"),
                audit.action_label(line.action),
                audit.record_label(line.record_type),
                case,
                ltr(str(line.device_id)[:SHORT_ID]),
                str(line.seq),
            ]
        )
        item.setData(0, LINE_ROLE, line.seq)
        return item

    def _show_chain(self) -> None:
        checks = audit.verify(self.state.profile.engine)
        broken = [c.check.broken for c in checks if c.check.broken is not None]
        if broken:
            problem = audit.break_message(broken[0])
            self.chain.setText(
                _("The access log does not hold: {problem}.").format(problem=problem)
            )
            self.chain.setStyleSheet("color: #9b1c1c; font-weight: 600;")
        else:
            self.chain.setText(_("The access log is intact: no entry was removed or altered."))
            self.chain.setStyleSheet("color: #1e6b3a;")

    # -- export -----------------------------------------------------------------------------

    def choose_export_path(self) -> Path | None:
        """Where to write; None if the person cancels (replaced in tests)."""
        name = f"access-log-{date.today().isoformat()}.csv"
        chosen, _filter = QFileDialog.getSaveFileName(
            self, _("Export the access log"), name, _("CSV files (*.csv)")
        )
        return Path(chosen) if chosen else None

    def export(self) -> None:
        path = self.choose_export_path()
        if path is None:
            return
        try:
            count = audit.export_csv(self.state.ctx, path, self.current_filter())
        except (ServiceError, OSError) as error:
            self.banner.show_error(str(error))
            return
        self.banner.show_info(
            ngettext(
                "{count} entry written to {path}. This file is not encrypted: keep it safe.",
                "{count} entries written to {path}. This file is not encrypted: keep it safe.",
                count,
            ).format(count=count, path=path)
        )
        self.refresh_keeping_banner()

    def refresh_keeping_banner(self) -> None:
        """The export is itself an entry: show it, without hiding the message about the file."""
        text = self.banner.text()
        self.reload()
        self.banner.show_info(text)
