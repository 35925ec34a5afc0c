"""Importing a team's spreadsheet: map the columns, preview, check, then import.

The file's columns sit beside the fields they will fill, proposed from their names and
contents (or the mapping confirmed last time for the same header); the first rows show
the values as they will be stored, each problem marked on its cell. "Check" is a dry
run: its report lists what would be created or updated, possible duplicates and the
rejected rows, which can be saved as a spreadsheet to correct and import again.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, ngettext
from app.services import import_mapping
from app.services.errors import ServiceError
from app.services.import_duplicates import ACTION_LABELS, DuplicateAction
from app.services.import_fields import FIELD_LABELS, FIELDS, InCustody, label_key
from app.services.import_mapping import ColumnMapping
from app.services.import_parse import ParsedRow, parse_table
from app.services.import_report import save_rejected, summary_lines
from app.services.import_rows import Table, read_table
from app.services.import_values import clean_text
from app.services.importer import ImportReport, import_table, known_facilities
from app.views.app_state import AppState
from app.views.labels import label
from app.views.tasks import run_in_background

PREVIEW_ROWS = 8
EXAMPLES = 3
ERROR_STYLE = "color: #b3261e;"
ERROR_BACKGROUND = QColor("#f9dedc")
WARNING_BACKGROUND = QColor("#fff4d6")


def field_title(name: str) -> str:
    return _(FIELD_LABELS[name])


def stored_text(value: object) -> str:
    """A parsed value as the case file will show it (dates unambiguous, ISO)."""
    if isinstance(value, InCustody):
        return _("In custody (sentenced unless already pre-trial)")
    if isinstance(value, StrEnum):
        return label(value)
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value)


class ImportDialog(QDialog):
    """Window-modal; ``imported`` fires once rows have been written."""

    imported = Signal()

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.table: Table | None = None
        self.report: ImportReport | None = None
        self.mapping_source = ""
        self.facilities: dict[str, str] = {}
        self.setWindowTitle(_("Import beneficiaries from a spreadsheet"))
        self.resize(1100, 720)
        self.stack = QStackedWidget()
        self.stack.addWidget(self._mapping_page())
        self.stack.addWidget(self._report_page())
        layout = QVBoxLayout(self)
        layout.addWidget(self.stack)

    # --- Building -------------------------------------------------------------------

    def _mapping_page(self) -> QWidget:
        page = QWidget()
        self.file_label = QLabel(_("No file chosen."))
        self.file_label.setWordWrap(True)
        self.choose_button = QPushButton(_("&Choose a file…"))
        self.choose_button.clicked.connect(self.choose_file)
        self.info_label = QLabel()
        self.info_label.setWordWrap(True)
        self.problem_label = QLabel()
        self.problem_label.setWordWrap(True)
        self.problem_label.setStyleSheet(ERROR_STYLE)
        self.mapping_table = QTableWidget(0, 3)
        self.mapping_table.setObjectName("importMapping")
        self.mapping_table.setHorizontalHeaderLabels(
            [_("Column in the file"), _("Field"), _("First values")]
        )
        self.mapping_table.verticalHeader().setVisible(False)
        self.mapping_table.horizontalHeader().setSectionResizeMode(
            2, QHeaderView.ResizeMode.Stretch
        )
        self.mapping_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.preview_table = QTableWidget()
        self.preview_table.setObjectName("importPreview")
        self.preview_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.check_button = QPushButton(_("Check the file"))
        self.check_button.setDefault(True)
        self.check_button.setEnabled(False)
        self.check_button.clicked.connect(self.check)
        cancel = QPushButton(_("Cancel"))
        cancel.clicked.connect(self.reject)
        top = QHBoxLayout()
        top.addWidget(self.file_label, 1)
        top.addWidget(self.choose_button)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.check_button)
        layout = QVBoxLayout(page)
        layout.addLayout(top)
        layout.addWidget(self.info_label)
        layout.addWidget(QLabel(_("Which field does each column fill?")))
        layout.addWidget(self.mapping_table, 3)
        layout.addWidget(QLabel(_("First rows, as they will be stored:")))
        layout.addWidget(self.preview_table, 2)
        layout.addWidget(self.problem_label)
        layout.addLayout(buttons)
        return page

    def _report_page(self) -> QWidget:
        page = QWidget()
        self.summary_label = QLabel()
        self.summary_label.setObjectName("importSummary")
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.problems_table = QTableWidget(0, 3)
        self.problems_table.setObjectName("importProblems")
        self.problems_table.setHorizontalHeaderLabels([_("Line"), _("Column"), _("Problem")])
        self.problems_table.verticalHeader().setVisible(False)
        self.problems_table.horizontalHeader().setSectionResizeMode(
            2, QHeaderView.ResizeMode.Stretch
        )
        self.problems_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        # Likely duplicates: written and flagged, left out, or completing the file they
        # match; changing the choice checks the file again, so the counts are the ones
        # the import will give.
        self.duplicate_action = QComboBox()
        self.duplicate_action.setObjectName("duplicateAction")
        for action, text in ACTION_LABELS.items():
            self.duplicate_action.addItem(_(text), action)
        self.duplicate_action.currentIndexChanged.connect(self._action_changed)
        duplicates_label = QLabel(_("Rows likely already in the profile:"))
        duplicates_label.setBuddy(self.duplicate_action)
        duplicates_row = QHBoxLayout()
        duplicates_row.addWidget(duplicates_label)
        duplicates_row.addWidget(self.duplicate_action, 1)
        self.back_button = QPushButton(_("Back to the columns"))
        self.back_button.clicked.connect(lambda: self.stack.setCurrentIndex(0))
        self.save_button = QPushButton(_("Save the rejected rows…"))
        self.save_button.clicked.connect(self.choose_rejected_file)
        self.import_button = QPushButton()
        self.import_button.clicked.connect(self.run_import)
        self.close_button = QPushButton(_("Close"))
        self.close_button.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.import_button)
        layout = QVBoxLayout(page)
        layout.addWidget(self.summary_label)
        layout.addWidget(QLabel(_("Rows to check:")))
        layout.addWidget(self.problems_table, 1)
        layout.addLayout(duplicates_row)
        layout.addLayout(buttons)
        return page

    # --- The file and its mapping ---------------------------------------------------

    def choose_file(self) -> None:
        name, _filter = QFileDialog.getOpenFileName(
            self, _("Choose a spreadsheet"), "", _("Spreadsheets (*.xlsx *.csv)")
        )
        if name:
            self.load_file(Path(name))

    def load_file(self, path: Path) -> None:
        self.file_label.setText(path.name)
        try:
            table = read_table(path)
        except ServiceError as error:
            self.table = None
            self.mapping_table.setRowCount(0)
            self.preview_table.clear()
            self.info_label.clear()
            self.problem_label.setText(str(error))
            self.check_button.setEnabled(False)
            return
        self.table = table
        self.facilities = known_facilities(self.state.ctx)
        saved = import_mapping.saved(self.state.ctx, table.labels)
        if saved is not None:
            mapping = import_mapping.apply_to(table, saved)
            self.mapping_source = _("Columns mapped as for your last file with the same header.")
        else:
            mapping = import_mapping.propose(table)
            self.mapping_source = _("Columns proposed from their names and contents: check them.")
        self._fill_mapping(table, mapping)
        self._refresh()

    def _fill_mapping(self, table: Table, mapping: ColumnMapping) -> None:
        labels = [label for label in table.labels if label]
        self.mapping_table.setRowCount(len(labels))
        for row, column_label in enumerate(labels):
            self.mapping_table.setItem(row, 0, QTableWidgetItem(column_label))
            combo = QComboBox()
            combo.addItem(_("— not imported —"), None)
            for spec in FIELDS:
                combo.addItem(field_title(spec.name), spec.name)
            combo.setCurrentIndex(max(0, combo.findData(mapping.get(column_label))))
            combo.currentIndexChanged.connect(self._refresh)
            self.mapping_table.setCellWidget(row, 1, combo)
            index = table.labels.index(column_label)
            self.mapping_table.setItem(row, 2, QTableWidgetItem(self._examples(table, index)))
        self.mapping_table.resizeColumnsToContents()
        self.mapping_table.horizontalHeader().setSectionResizeMode(
            2, QHeaderView.ResizeMode.Stretch
        )

    @staticmethod
    def _examples(table: Table, index: int) -> str:
        found = [
            clean_text(row.cells[index])
            for row in table.rows
            if index < len(row.cells) and row.cells[index] is not None
        ]
        return " · ".join(found[:EXAMPLES])

    def combo_for(self, column_label: str) -> QComboBox:
        for row in range(self.mapping_table.rowCount()):
            item = self.mapping_table.item(row, 0)
            if item is not None and item.text() == column_label:
                combo = self.mapping_table.cellWidget(row, 1)
                assert isinstance(combo, QComboBox)
                return combo
        raise KeyError(column_label)

    def set_field(self, column_label: str, field: str | None) -> None:
        combo = self.combo_for(column_label)
        combo.setCurrentIndex(combo.findData(field))

    def mapping(self) -> ColumnMapping:
        result: ColumnMapping = {}
        for row in range(self.mapping_table.rowCount()):
            item = self.mapping_table.item(row, 0)
            combo = self.mapping_table.cellWidget(row, 1)
            if item is not None and isinstance(combo, QComboBox):
                result[item.text()] = combo.currentData()
        return result

    def _refresh(self) -> None:
        table = self.table
        if table is None:
            return
        mapping = self.mapping()
        facts = [
            ngettext(
                "{count} row under the header on line {line}.",
                "{count} rows under the header on line {line}.",
                len(table.rows),
            ).format(count=len(table.rows), line=table.header_line)
        ]
        if table.encoding:
            facts.append(_("Read as {encoding}.").format(encoding=table.encoding))
        self.info_label.setText(" ".join([*facts, self.mapping_source]))
        try:
            import_mapping.check(mapping)
        except ServiceError as error:
            self.problem_label.setText(str(error))
            self.check_button.setEnabled(False)
        else:
            unmapped = import_mapping.unmapped_labels(table, mapping)
            self.problem_label.setText(
                _("Not imported: {columns}.").format(columns=", ".join(unmapped))
                if unmapped
                else ""
            )
            self.check_button.setEnabled(True)
        rows = parse_table(table, mapping, self.state.ctx.today(), PREVIEW_ROWS)
        self._fill_preview(table, mapping, rows)

    def _fill_preview(self, table: Table, mapping: ColumnMapping, rows: list[ParsedRow]) -> None:
        positions = {
            field: table.labels.index(column) for column, field in mapping.items() if field
        }
        fields = [spec.name for spec in FIELDS if spec.name in positions]
        self.preview_table.clear()
        self.preview_table.setColumnCount(len(fields))
        self.preview_table.setRowCount(len(rows))
        self.preview_table.setHorizontalHeaderLabels([field_title(name) for name in fields])
        for row_index, row in enumerate(rows):
            line_item = QTableWidgetItem(str(row.line))
            whole_row = [e.message for e in row.errors if e.field is None]
            if whole_row:
                line_item.setBackground(QBrush(ERROR_BACKGROUND))
                line_item.setToolTip("\n".join(whole_row))
            self.preview_table.setVerticalHeaderItem(row_index, line_item)
            for column, name in enumerate(fields):
                cells = row.cells
                original = cells[positions[name]] if positions[name] < len(cells) else None
                item = self._preview_item(row, name, original)
                self.preview_table.setItem(row_index, column, item)
        self.preview_table.resizeColumnsToContents()

    def _preview_item(self, row: ParsedRow, name: str, original: object) -> QTableWidgetItem:
        """The stored value; on a problem, the cell as typed, marked, the reason as tip."""
        value: Any = row.values.get(name)
        if name == "facility" and row.facility:
            known = self.facilities.get(label_key(row.facility))
            value = known or _("{name} (new)").format(name=row.facility)
        problems = [e.message for e in row.errors if e.field == name]
        if not problems:
            return QTableWidgetItem(stored_text(value))
        typed = "" if original is None else clean_text(original)
        item = QTableWidgetItem(f"⚠ {typed}".strip())
        item.setBackground(QBrush(ERROR_BACKGROUND))
        item.setToolTip("\n".join(problems))
        return item

    # --- Checking and importing -------------------------------------------------------

    def check(self) -> None:
        """A dry run; the mapping is remembered for the next file with this header."""
        self._run(dry_run=True)

    def run_import(self) -> None:
        self._run(dry_run=False)

    def _run(self, *, dry_run: bool) -> None:
        table = self.table
        if table is None:
            return
        mapping = self.mapping()
        ctx = self.state.ctx
        import_mapping.save(ctx, table.labels, mapping)
        self.check_button.setEnabled(False)
        self.import_button.setEnabled(False)

        action = DuplicateAction(self.duplicate_action.currentData())

        def work() -> ImportReport:
            return import_table(
                ctx, table, mapping, dry_run=dry_run, skip_invalid=True, duplicates=action
            )

        run_in_background(work, self._show_report, self._failed)

    def _action_changed(self) -> None:
        if self.report is not None and self.report.dry_run:
            self.check()

    def _failed(self, error: Exception) -> None:
        self.check_button.setEnabled(True)
        message = str(error) if isinstance(error, ServiceError) else _("The import failed.")
        self.problem_label.setText(message)
        self.stack.setCurrentIndex(0)
        if not isinstance(error, ServiceError):
            raise error

    def _show_report(self, report: ImportReport) -> None:
        self.report = report
        self.check_button.setEnabled(True)
        self.summary_label.setText("\n".join([*summary_lines(report), *report.warnings]))
        problems: list[tuple[int, str, str, QColor]] = [
            (error.line, error.column or "", error.message, ERROR_BACKGROUND)
            for error in report.errors
        ]
        problems += [
            (d.line, "", _("Possible duplicate: {reason}.").format(reason=d.reason),
             WARNING_BACKGROUND)
            for d in report.duplicates
        ]  # fmt: skip
        problems.sort(key=lambda problem: problem[0])
        self.problems_table.setRowCount(len(problems))
        for row, (line, column, message, colour) in enumerate(problems):
            for index, text in enumerate((str(line), column, message)):
                item = QTableWidgetItem(text)
                item.setBackground(QBrush(colour))
                item.setToolTip(text)
                self.problems_table.setItem(row, index, item)
        self.problems_table.resizeColumnsToContents()
        self.problems_table.horizontalHeader().setSectionResizeMode(
            2, QHeaderView.ResizeMode.Stretch
        )
        self.problems_table.resizeRowsToContents()  # a duplicate's reasons wrap, whole
        self.save_button.setEnabled(bool(report.rejected_rows))
        if report.dry_run:
            self.import_button.setText(
                ngettext(
                    "Import the {count} valid row", "Import the {count} valid rows", report.valid
                ).format(count=report.valid)
            )
            self.import_button.setEnabled(report.valid > 0)
            self.import_button.setVisible(True)
            self.back_button.setEnabled(True)
        else:
            self.import_button.setVisible(False)
            self.back_button.setEnabled(False)
            self.imported.emit()
        self.stack.setCurrentIndex(1)

    def choose_rejected_file(self) -> None:
        name, _filter = QFileDialog.getSaveFileName(
            self,
            _("Save the rejected rows"),
            _("rejected-rows.xlsx"),
            _("Spreadsheets (*.xlsx *.csv)"),
        )
        if name:
            self.save_rejected_to(Path(name))

    def save_rejected_to(self, path: Path) -> None:
        if self.report is None:
            return
        try:
            save_rejected(self.report, path)
        except ServiceError as error:
            self.summary_label.setText(self.summary_label.text() + "\n" + str(error))
