"""The caseload page: find anyone followed here in a keystroke, narrow by the usual criteria.

Search matches names in both scripts (accents and Arabic spelling variants ignored),
CIN and registration number. The list is the database's, sorted and paged by it
(:mod:`app.views.caseload_model`), so 50,000 cases scroll as easily as fifty. Typing
waits for a short pause before asking, so each keystroke does not start a query.
"""

from __future__ import annotations

import html
import math
import uuid
from dataclasses import replace
from datetime import date, timedelta

from PySide6.QtCore import QLocale, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QMouseEvent, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QStyle,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from app.i18n import N_, _, current_language, ngettext
from app.models import Beneficiary
from app.models.enums import LegalStatus, PlanStatus
from app.security.permissions import Permission, may
from app.services import caseload, search
from app.services.caseload import NO_PLAN, CaseloadFilter
from app.settings import FilterValue
from app.views.app_state import AppState
from app.views.caseload_model import COLUMNS, CaseloadModel, PreparedTextDelegate
from app.views.import_dialog import ImportDialog
from app.views.labels import choices, label
from app.views.record_forms import ChoiceCombo, EmptyState, MessageBanner, align_to_layout
from app.views.register_dialog import RegisterDialog
from app.views.tasks import run_in_background
from app.views.transfer_dialog import TransferDialog

SEARCH_DELAY_MS = 0  # stale queries are skipped by the model: no need to wait
BUSY_NOTICE_MS = 250
"""A query that takes longer than this says so under the search box."""
RELEASE_WINDOWS = (30, 90, 180)
NAME_CHARS = 24
"""The name column's starting width, in Latin letters: most names fit."""
# How narrow a text column may become (in Latin letters) when the page is too
# narrow for every column; identifiers and dates never shrink.
SHRINKABLE = {
    "name": 18,
    "name_ar": 18,
    "facility": 13,
    "legal_status": 12,
    "staff": 12,
    "plan_status": 10,
}
OPENED_SECTION = "identity"
PRESETS: tuple[tuple[str, str], ...] = (
    ("mine", N_("My cases")),
    ("release_month", N_("My cases released this month")),
    ("review_overdue", N_("My cases with a plan review overdue")),
    ("everyone", N_("Every case")),
)
"""The saved filters offered first; "mine" is what a counsellor sees the first time."""


def filter_to_settings(wanted: CaseloadFilter) -> dict[str, FilterValue]:
    """Ids and codes only: the settings file is not encrypted (no search text kept)."""

    def text(value: object) -> str | None:
        return None if value is None else str(value)

    return {
        "facility_id": text(wanted.facility_id),
        "legal_status": text(wanted.legal_status),
        "assigned_staff_id": text(wanted.assigned_staff_id),
        "plan_status": text(wanted.plan_status),
        "release_within_days": wanted.release_within_days,
        "review_overdue": wanted.review_overdue,
        "include_closed": wanted.include_closed,
    }


def filter_from_settings(saved: dict[str, FilterValue]) -> CaseloadFilter | None:
    """The remembered filter, or None when it no longer reads (ids of another format)."""
    try:

        def ident(key: str) -> uuid.UUID | None:
            value = saved.get(key)
            return None if value is None else uuid.UUID(str(value))

        plan = saved.get("plan_status")
        days = saved.get("release_within_days")
        legal = saved.get("legal_status")
        return CaseloadFilter(
            facility_id=ident("facility_id"),
            legal_status=None if legal is None else LegalStatus(str(legal)),
            assigned_staff_id=ident("assigned_staff_id"),
            plan_status=(
                None if plan is None else NO_PLAN if plan == NO_PLAN else PlanStatus(str(plan))
            ),
            release_within_days=int(days) if isinstance(days, int) else None,
            review_overdue=bool(saved.get("review_overdue")),
            include_closed=bool(saved.get("include_closed")),
        )
    except ValueError:
        return None


CELL_PADDING = 8
COMBO_CHARS = 10


def _letter(widget: QWidget) -> int:
    """The width of a Latin letter (Arabic fonts' average is much wider)."""
    return widget.fontMetrics().horizontalAdvance("n")


def format_count(number: int) -> str:
    """Thousands grouped the way the interface language writes them, in Western digits."""
    if current_language() == "ar":
        locale = QLocale(QLocale.Language.Arabic, QLocale.Country.Morocco)
    else:
        locale = QLocale()
    return locale.toString(number)


class CaseTable(QTableView):
    """A read-only table whose rows open with Enter or a double click (once, not twice)."""

    row_activated = Signal(int)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt naming
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.row_activated.emit(self.currentIndex().row())
            event.accept()
            return
        super().keyPressEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt naming
        index = self.indexAt(event.position().toPoint())
        if index.isValid() and event.button() == Qt.MouseButton.LeftButton:
            self.row_activated.emit(index.row())
            event.accept()
            return
        super().mouseDoubleClickEvent(event)


class CaseloadPage(QWidget):
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
        self.preset.set_choices([(_(title), key) for key, title in PRESETS])
        self.preset.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.clear_button = QPushButton(_("C&lear filters"))
        self.clear_button.clicked.connect(self.clear_filters)
        self.count_label = QLabel()
        self.count_label.setObjectName("caseloadCount")
        self.count_label.setStyleSheet("color: #55606a;")
        align_to_layout(self.count_label)
        self.suggestion = QLabel()
        self.suggestion.setObjectName("caseloadSuggestion")
        self.suggestion.setTextFormat(Qt.TextFormat.RichText)
        self.suggestion.linkActivated.connect(self._accept_suggestion)
        self.suggestion.hide()
        self.banner = MessageBanner()
        self._fill_choices()
        self._restore_filters()
        self.model = CaseloadModel(state.ctx, self.current_filter(), parent=self)
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

    # -- building ---------------------------------------------------------------------------

    def _build_table(self) -> CaseTable:
        table = CaseTable()
        table.setObjectName("caseloadTable")
        table.setModel(self.model)
        table.setItemDelegate(PreparedTextDelegate(table))
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        several = may(self.state.ctx, Permission.TRANSFER_CASE)  # a bulk transfer
        table.setSelectionMode(
            QAbstractItemView.SelectionMode.ExtendedSelection
            if several
            else QAbstractItemView.SelectionMode.SingleSelection
        )
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        table.setTabKeyNavigation(False)
        table.setShowGrid(False)
        table.verticalHeader().hide()
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 10)
        header = table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionsMovable(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        header.setResizeContentsPrecision(0)  # fit to the rows on screen, never fetch more
        header.setMinimumSectionSize(4 * _letter(table))
        header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        header.resizeSection(0, NAME_CHARS * _letter(table))
        if current_language() == "ar":  # the Arabic interface reads the Arabic name first
            header.moveSection(header.visualIndex(1), 0)
        table.setSortingEnabled(True)
        table.row_activated.connect(self.open_row)
        return table

    def _fit_columns(self) -> None:
        """Once, on the first rows: columns fit them and the page, the name gets the rest.

        When the content is wider than the page, the text columns give up room, down to
        their :data:`SHRINKABLE` width, their text elided (whole in the tooltip).
        """
        self._columns_fitted = True
        table, header = self.table, self.table.horizontalHeader()
        character = _letter(table)
        table.resizeColumnsToContents()
        widths = [header.sectionSize(p) + CELL_PADDING for p in range(len(COLUMNS))]
        widths[0] = max(widths[0], NAME_CHARS * character)
        floors = [
            min(width, SHRINKABLE[column.key] * character) if column.key in SHRINKABLE else width
            for column, width in zip(COLUMNS, widths, strict=True)
        ]
        # The vertical scroll bar may not be there yet: leave it room all the same.
        bar = table.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        missing_bar = 0 if table.verticalScrollBar().isVisible() else bar
        available = table.viewport().width() - missing_bar - 1
        overflow = sum(widths) - available
        slack = sum(width - floor for width, floor in zip(widths, floors, strict=True))
        if overflow > 0 and slack > 0:
            share = min(1.0, overflow / slack)
            widths = [
                width - math.ceil((width - floor) * share)
                for width, floor in zip(widths, floors, strict=True)
            ]
        room = available - sum(widths)
        if room > 0:
            widths[0] += room
        for position, width in enumerate(widths):
            header.resizeSection(position, width)

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
            view.setMinimumWidth(view.sizeHintForColumn(0) + 4 * _letter(view))

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
        if not self.preset.select(self._matching_preset(wanted)):
            self.preset.setCurrentIndex(-1)  # filters of one's own: no saved filter named
        self.preset.blockSignals(False)
        self.model.setFilter(wanted)

    # -- presets and remembered filters -----------------------------------------------

    def _preset_filter(self, key: str) -> CaseloadFilter:
        me = self.state.ctx.actor.staff_id
        today = self.state.ctx.today()
        if key == "release_month":
            end = date(today.year + today.month // 12, today.month % 12 + 1, 1) - timedelta(1)
            return CaseloadFilter(assigned_staff_id=me, release_within_days=(end - today).days)
        if key == "review_overdue":
            return CaseloadFilter(assigned_staff_id=me, review_overdue=True)
        if key == "everyone":
            return CaseloadFilter()
        return CaseloadFilter(assigned_staff_id=me)

    def _matching_preset(self, wanted: CaseloadFilter) -> str | None:
        bare = replace(wanted, query="")
        for key, _title in PRESETS:
            if self._preset_filter(key) == bare:
                return key
        return None

    def apply_preset(self, key: str | None) -> None:
        """One of the saved filters: the widgets take its values, the search text stays."""
        if key is None:
            return
        self._set_widgets(self._preset_filter(key))
        self.apply_filter()

    def _set_widgets(self, wanted: CaseloadFilter) -> None:
        widgets = (self.facility, self.legal_status, self.staff, self.plan, self.release)
        for widget in (*widgets, self.review_overdue, self.include_closed):
            widget.blockSignals(True)
        self.facility.select(wanted.facility_id)
        self.legal_status.select(wanted.legal_status)
        self.staff.select(wanted.assigned_staff_id)
        self.plan.select(wanted.plan_status)
        days = wanted.release_within_days
        if days is not None and days not in self.release.values():
            text = ngettext("Within {days} day", "Within {days} days", days)
            self.release.add_choice(text.format(days=days), days)
        self.release.select(wanted.release_within_days)
        self.review_overdue.setChecked(wanted.review_overdue)
        self.include_closed.setChecked(wanted.include_closed)
        for widget in (*widgets, self.review_overdue, self.include_closed):
            widget.blockSignals(False)

    def _remember(self, wanted: CaseloadFilter) -> None:
        """The filters (never the search text) kept per staff member for the next time."""
        staff_id = self.state.ctx.actor.staff_id
        if staff_id is None:
            return
        remembered = dict(self.state.settings.caseload_filters)
        remembered[str(staff_id)] = filter_to_settings(wanted)
        self.state.settings.caseload_filters = remembered

    def _restore_filters(self) -> None:
        """The staff member's last filters, or their own cases the first time."""
        staff_id = self.state.ctx.actor.staff_id
        saved = self.state.settings.caseload_filters.get(str(staff_id)) if staff_id else None
        wanted = filter_from_settings(saved) if saved is not None else None
        if wanted is None:
            wanted = self._preset_filter("mine")
        if wanted.assigned_staff_id not in self.staff.values():
            wanted = replace(wanted, assigned_staff_id=None)
        self._set_widgets(wanted)
        if not self.preset.select(self._matching_preset(wanted)):
            self.preset.setCurrentIndex(-1)

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
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.open_existing.connect(self._open)
        dialog.show()
        self.dialog = dialog
        return dialog

    def import_spreadsheet(self) -> ImportDialog:
        """The import dialog, window-modal; the list reloads once rows are written."""
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
        if count:
            self.stack.setCurrentWidget(self.table)
            if not self._columns_fitted and self.table.isVisible():
                self._fit_columns()
        elif not self.search.text().strip() and self._profile_is_empty():
            self.stack.setCurrentWidget(self.no_cases)
        else:
            self.stack.setCurrentWidget(self.no_match)

    def _offer_suggestion(self, count: int) -> None:
        """When little is found, "did you mean" the spelling the index knows (a link)."""
        query = self.search.text().strip()
        if not query or count >= search.FUZZY_BELOW:
            self.suggestion.hide()
            return
        ctx = self.state.ctx

        def done(offered: str | None) -> None:
            if not isValid(self) or self.search.text().strip() != query:
                return
            if offered is None:
                self.suggestion.hide()
                return
            link = f'<a href="{html.escape(offered)}">{html.escape(offered)}</a>'
            self.suggestion.setText(_("Did you mean: {suggestion}?").format(suggestion=link))
            self.suggestion.show()

        run_in_background(
            lambda: search.suggestion(ctx, query), done, lambda _error: self.suggestion.hide()
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
