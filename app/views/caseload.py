"""The caseload page: find anyone followed here in a keystroke, narrow by the usual criteria.

Search matches names in both scripts (accents and Arabic spelling variants ignored),
CIN and registration number. The list is the database's, sorted and paged by it
(:mod:`app.views.caseload_model`), so 50,000 cases scroll as easily as fifty; an answer
overtaken by the next keystroke is dropped. The table is :mod:`app.views.caseload_table`,
the offered, named and remembered filters :mod:`app.views.caseload_filters` (values) and
:mod:`app.views.caseload_presets` (on the widgets), "did you mean"
:mod:`app.views.caseload_suggestion`.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, ngettext
from app.models import Beneficiary
from app.security.permissions import Permission, may
from app.services import caseload, saved_filters, search
from app.services.caseload import NO_PLAN, CaseloadFilter
from app.views.app_state import AppState
from app.views.caseload_filters import (
    matching,
    offered,
)
from app.views.caseload_model import CaseloadModel
from app.views.caseload_presets import NamedFilters
from app.views.caseload_suggestion import Suggestion
from app.views.caseload_table import CaseTable, build_table, format_count, letter
from app.views.labels import choices, label
from app.views.record_forms import ChoiceCombo, EmptyState, MessageBanner, align_to_layout
from app.views.register_dialog import RegisterDialog
from app.views.tasks import run_in_background
from app.views.transfer_dialog import TransferDialog
from passerelle_core.enums import LegalStatus, PlanStatus

if TYPE_CHECKING:
    from app.views.import_dialog import ImportDialog

SEARCH_DELAY_MS = 0  # stale queries are skipped by the model: no need to wait
BUSY_NOTICE_MS = 250
"""A query that takes longer than this says so under the search box."""
RELEASE_WINDOWS = (30, 90, 180)
COMBO_CHARS = 10
"""A filter box's narrowest width, in letters (long facility names show when open)."""
OPENED_SECTION = "identity"


def _ignore(_error: Exception) -> None:
    """A failed warm-up costs nothing: the words are read on the first typo instead
    (the task runner has logged it)."""


class CaseloadPage(NamedFilters, QWidget):
    """Every case in one sortable list, with search, filters and registration."""

    open_case = Signal(object, str)

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.dialog: RegisterDialog | None = None
        self.import_dialog: ImportDialog | None = None
        self._columns_fitted = False
        self.search = QLineEdit()
        self.search.setPlaceholderText(_("Name (Latin or Arabic), CIN or registration number"))
        self.search.setClearButtonEnabled(True)
        self.register_button = QPushButton(_("Register a &beneficiary…"))
        self.register_button.clicked.connect(self.register)
        self.import_button = QPushButton(_("&Import a spreadsheet…"))
        self.import_button.clicked.connect(self.import_spreadsheet)
        # Supervisors hand cases over, one or a selection (issue 20).
        self.transfer_button = QPushButton(_("&Transfer…"))
        self.transfer_button.setObjectName("transferButton")
        self.transfer_button.setToolTip(
            _("Transfer the selected cases to another counsellor or team")
        )
        self.transfer_button.clicked.connect(self.transfer_selected)
        self.transfer_button.setVisible(may(state.ctx, Permission.TRANSFER_CASE))
        self.transfer_dialog: TransferDialog | None = None
        self.facility = ChoiceCombo()
        self.legal_status = ChoiceCombo()
        self.staff = ChoiceCombo()
        self.plan = ChoiceCombo()
        self.release = ChoiceCombo()
        self.review_overdue = QCheckBox(_("Plan re&view overdue"))
        self.include_closed = QCheckBox(_("Include &closed cases"))
        self.preset = ChoiceCombo()
        self._saved = saved_filters.saved_filters(state.ctx)
        self.preset.set_choices(offered(self._saved))
        self.preset.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.save_filter_button = QPushButton(_("Sa&ve this filter…"))
        self.save_filter_button.clicked.connect(lambda: self.save_filter())
        self.delete_filter_button = QPushButton(_("&Delete this filter"))
        self.delete_filter_button.clicked.connect(self.delete_filter)
        self.filter_name_dialog: QInputDialog | None = None
        self.clear_button = QPushButton(_("C&lear filters"))
        self.clear_button.clicked.connect(self.clear_filters)
        self.count_label = QLabel()
        self.count_label.setObjectName("caseloadCount")
        self.count_label.setStyleSheet("color: #55606a;")
        align_to_layout(self.count_label)
        self.suggestion = Suggestion()
        self.suggestion.linkActivated.connect(self._accept_suggestion)
        self.banner = MessageBanner()
        self._fill_choices()
        self._restore_filters()
        self.model = CaseloadModel(state.ctx, self.current_filter(), parent=self)
        # The typo-tolerant tier's words, read while the person has not typed yet.
        run_in_background(lambda: search.prepare(state.ctx), lambda _done: None, _ignore)
        self.table = self._build_table()
        self.empty_register_button = QPushButton(_("Register a beneficiary…"))
        self.empty_register_button.clicked.connect(self.register)
        self.empty_clear_button = QPushButton(_("Clear the search and filters"))
        self.empty_clear_button.clicked.connect(self.clear_filters)
        self.no_cases = EmptyState(
            _("No beneficiary yet"),
            _(
                "Register the people you follow: their case file then gathers consents, "
                "assessments, the action plan, sessions and referrals."
            ),
            self.empty_register_button,
        )
        self.no_match = EmptyState(
            _("No beneficiary matches"),
            _(
                "Check the spelling (both scripts are searched), or widen the filters: "
                "closed cases are only listed on request."
            ),
            self.empty_clear_button,
        )
        self.stack = QStackedWidget()
        for widget in (self.table, self.no_cases, self.no_match):
            self.stack.addWidget(widget)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DELAY_MS)
        self._debounce.timeout.connect(self.apply_filter)
        self._busy_notice = QTimer(self)
        self._busy_notice.setSingleShot(True)
        self._busy_notice.setInterval(BUSY_NOTICE_MS)
        self._busy_notice.timeout.connect(lambda: self.count_label.setText(_("Searching…")))
        self._connect()
        self._lay_out()
        self.setTabOrder(self.search, self.table)
        self._show_count(None)
        self._named_changed()

    # -- building ---------------------------------------------------------------------------

    def _build_table(self) -> CaseTable:
        table = build_table(self.model, several=may(self.state.ctx, Permission.TRANSFER_CASE))
        table.row_activated.connect(self.open_row)
        return table

    def _lay_out(self) -> None:
        top = QHBoxLayout()
        preset_label = QLabel(_("Sh&ow:"))
        preset_label.setBuddy(self.preset)
        top.addWidget(preset_label)
        top.addWidget(self.preset)
        top.addSpacing(12)
        search_label = QLabel(_("&Search:"))
        search_label.setBuddy(self.search)
        top.addWidget(search_label)
        top.addWidget(self.search, 1)
        top.addSpacing(12)
        top.addWidget(self.register_button)
        top.addWidget(self.import_button)
        top.addWidget(self.transfer_button)
        filters = QGridLayout()
        filters.setHorizontalSpacing(8)
        filters.setVerticalSpacing(6)
        labelled = (
            (_("&Facility:"), self.facility),
            (_("Le&gal status:"), self.legal_status),
            (_("&Assigned to:"), self.staff),
            (_("&Plan:"), self.plan),
            (_("&Release:"), self.release),
        )
        for position, (text, combo) in enumerate(labelled):
            # Long facility names must not widen the page; the open list shows them whole.
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(COMBO_CHARS)
            combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            row, column = divmod(position, 3)
            caption = QLabel(text)
            caption.setBuddy(combo)
            filters.addWidget(caption, row, column * 2)
            filters.addWidget(combo, row, column * 2 + 1)
            filters.setColumnStretch(column * 2 + 1, 1)
        checks = QHBoxLayout()
        checks.setSpacing(12)
        checks.addWidget(self.review_overdue)
        checks.addWidget(self.include_closed)
        checks.addStretch(1)
        filters.addLayout(checks, 1, 4, 1, 2)
        status = QHBoxLayout()
        status.addWidget(self.count_label)
        status.addWidget(self.suggestion, 1)
        status.addWidget(self.save_filter_button)
        status.addWidget(self.delete_filter_button)
        status.addWidget(self.clear_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.setSpacing(8)
        layout.addLayout(top)
        layout.addLayout(filters)
        layout.addWidget(self.banner)
        layout.addLayout(status)
        layout.addWidget(self.stack, 1)

    def _connect(self) -> None:
        self.search.textChanged.connect(lambda _text: self._debounce.start())
        self.search.returnPressed.connect(self._to_table)
        for combo in (self.facility, self.legal_status, self.staff, self.plan, self.release):
            combo.currentIndexChanged.connect(lambda _index: self.apply_filter())
        for check in (self.review_overdue, self.include_closed):
            check.toggled.connect(lambda _checked: self.apply_filter())
        self.preset.activated.connect(lambda _index: self.apply_preset(self.preset.value()))
        self.model.first_page.connect(self._first_rows)
        self.model.loaded.connect(self._loaded)
        self.model.busy_changed.connect(self._busy_changed)
        self.model.failed.connect(self.banner.show_error)
        find = QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self)
        find.activated.connect(self.focus_search)

    def _fill_choices(self) -> None:
        """The combo boxes' entries; a choice already made survives a refill."""
        options = caseload.filter_choices(self.state.ctx)
        me = self.state.ctx.actor.staff_id
        entries = (
            (
                self.facility,
                [(_("All facilities"), None)] + [(f.name, f.id) for f in options.facilities],
            ),
            (
                self.legal_status,
                [(_("All legal statuses"), None), *choices(LegalStatus)],
            ),
            (
                self.staff,
                [(_("Anyone"), None), (_("Me"), me)]
                + [(s.name, s.id) for s in options.staff if s.id != me],
            ),
            (
                self.plan,
                [(_("Any plan"), None), (_("No current plan"), NO_PLAN)]
                + [(label(s), s) for s in PlanStatus if s is not PlanStatus.CLOSED],
            ),
            (
                self.release,
                [(_("Any release date"), None)]
                + [
                    (ngettext("Within {days} day", "Within {days} days", d).format(days=d), d)
                    for d in RELEASE_WINDOWS
                ],
            ),
        )
        for combo, values in entries:
            chosen = combo.value()
            combo.blockSignals(True)
            combo.set_choices(values)
            combo.select(chosen)
            combo.blockSignals(False)
            view = combo.view()
            view.setMinimumWidth(view.sizeHintForColumn(0) + 4 * letter(view))

    # -- behaviour ------------------------------------------------------------------------

    def current_filter(self) -> CaseloadFilter:
        return CaseloadFilter(
            query=self.search.text().strip(),
            facility_id=self.facility.value(),
            legal_status=self.legal_status.value(),
            assigned_staff_id=self.staff.value(),
            plan_status=self.plan.value(),
            release_within_days=self.release.value(),
            review_overdue=self.review_overdue.isChecked(),
            include_closed=self.include_closed.isChecked(),
        )

    def apply_filter(self) -> None:
        self._debounce.stop()
        wanted = self.current_filter()
        self._remember(wanted)
        self.preset.blockSignals(True)
        if not self.preset.select(matching(self.state.ctx, wanted, self._saved)):
            self.preset.setCurrentIndex(-1)  # filters of one's own: no saved filter named
        self.preset.blockSignals(False)
        self._named_changed()
        self.model.setFilter(wanted)

    def refresh(self) -> None:
        """Shown again: colleagues, facilities and cases may have changed meanwhile."""
        self._fill_choices()
        self.banner.clear_message()
        wanted = self.current_filter()
        if wanted != self.model.filter:
            self.model.setFilter(wanted)
        else:
            self.model.reload()

    def clear_filters(self) -> None:
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self._set_widgets(CaseloadFilter())
        self.apply_filter()
        self.search.setFocus()

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def open_row(self, row: int) -> None:
        beneficiary_id = self.model.beneficiary_id(row)
        if beneficiary_id is not None:
            self.open_case.emit(beneficiary_id, OPENED_SECTION)

    def register(self) -> RegisterDialog:
        """The registration dialog, window-modal; the new case opens once saved."""
        dialog = RegisterDialog(self.state, self)
        dialog.saved.connect(self._registered)
        dialog.open_existing.connect(self._open)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.show()
        self.dialog = dialog
        return dialog

    def import_spreadsheet(self) -> ImportDialog:
        """The import dialog, window-modal; the list reloads once rows are written."""
        from app.views.import_dialog import ImportDialog  # openpyxl: loaded when first used

        dialog = ImportDialog(self.state, self)
        dialog.imported.connect(self.model.reload)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.show()
        self.import_dialog = dialog
        return dialog

    def selected_ids(self) -> list[uuid.UUID]:
        """The cases of the selected rows, in the list's order."""
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        found = (self.model.beneficiary_id(row) for row in rows)
        return [case_id for case_id in found if case_id is not None]

    def transfer_selected(self) -> TransferDialog | None:
        """The transfer dialog for the selected cases, window-modal; the list reloads."""
        chosen = self.selected_ids()
        if not chosen:
            self.banner.show_info(_("Select the cases to transfer in the list first."))
            return None
        self.banner.clear_message()
        dialog = TransferDialog(self.state, chosen, self)
        dialog.saved.connect(lambda _made: self.model.reload())
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.show()
        self.transfer_dialog = dialog
        return dialog

    def _registered(self, record: object) -> None:
        self.model.reload()
        if isinstance(record, Beneficiary):
            self._open(record.id)

    def _open(self, beneficiary_id: uuid.UUID) -> None:
        self.open_case.emit(beneficiary_id, OPENED_SECTION)

    def _to_table(self) -> None:
        """Enter in the search box moves to the results, the first one selected."""
        self.apply_filter()
        if self.model.rowCount() > 0:
            self.table.setFocus(Qt.FocusReason.OtherFocusReason)
            if not self.table.currentIndex().isValid():
                self.table.selectRow(0)

    def _loaded(self, count: int) -> None:
        self._show_count(count)
        self._offer_suggestion(count)

    def _first_rows(self, count: int) -> None:
        """The first rows are in (the count may follow): the table, or why it is empty."""
        if count:
            self.stack.setCurrentWidget(self.table)
            if not self._columns_fitted and self.table.isVisible():
                self._columns_fitted = True  # once, on the first rows
                self.table.fit_columns()
        elif not self.search.text().strip() and self._profile_is_empty():
            self.stack.setCurrentWidget(self.no_cases)
        else:
            self.stack.setCurrentWidget(self.no_match)

    def _offer_suggestion(self, count: int) -> None:
        """When little is found, "did you mean" the spelling the index knows (a link)."""
        self.suggestion.offer(
            self.state.ctx, self.search.text().strip(), count, lambda: self.search.text().strip()
        )

    def _accept_suggestion(self, offered: str) -> None:
        self.search.setText(offered)
        self.apply_filter()

    def _profile_is_empty(self) -> bool:
        """Nothing registered at all (not: nothing matches the filters)."""
        return caseload.count(self.state.ctx, CaseloadFilter(include_closed=True)) == 0

    def _busy_changed(self, busy: bool) -> None:
        if busy:
            self._busy_notice.start()
        else:
            self._busy_notice.stop()

    def _show_count(self, count: int | None) -> None:
        if count is None:
            self.count_label.setText(_("Loading…"))
            return
        text = ngettext("{count} beneficiary", "{count} beneficiaries", count)
        self.count_label.setText(text.format(count=format_count(count)))
