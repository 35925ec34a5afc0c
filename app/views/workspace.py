"""The unlocked workspace: navigation on the side, one page at a time, case files in tabs.

Pages are built from a table (key, title, factory) so adding a screen is one line.
Any page may ask to open a case file (``open_case(beneficiary_id, section)``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QStackedWidget,
    QTabWidget,
    QWidget,
)

from app.i18n import _, pgettext
from app.views import memory
from app.views.app_state import AppState
from app.views.appearance import BASE_POINTS, point_size
from app.views.bidi import protect_tree

if TYPE_CHECKING:
    from app.views.casefile import CaseFileView, CaseKept


@dataclass(frozen=True)
class WorkspaceKept:
    """What a rebuilt workspace (another language) opens again: nothing typed is lost."""

    page: str
    cases: list[CaseKept]
    current_case: int


NAVIGATION_STYLE = """
QListWidget#navigation { border: none; padding-top: 12px; font-size: %dpt; }
QListWidget#navigation::item { padding: 9px 14px; border-radius: 4px; margin: 1px 6px; }
QListWidget#navigation::item:selected { background: #1d5c8c; color: white; }
QListWidget#navigation::item:hover:!selected { background: #e3ecf4; }
"""


@dataclass(frozen=True)
class PageSpec:
    key: str
    title: Callable[[], str]
    factory: Callable[[AppState], QWidget]


def _page_specs(state: AppState) -> list[PageSpec]:
    from app.views.access_log import AccessLogPage, may_open
    from app.views.agenda import AgendaPage
    from app.views.caseload import CaseloadPage
    from app.views.conflicts import ConflictsPage
    from app.views.dashboard import DashboardPage
    from app.views.devices import DevicesPage
    from app.views.devices import may_open as may_manage_devices
    from app.views.duplicates import DuplicatesPage
    from app.views.meetings import MeetingsPage
    from app.views.partners import PartnersPage
    from app.views.settings_view import SettingsPage
    from app.views.worklist import WorklistPage

    worklist = PageSpec("worklist", lambda: _("Worklist"), WorklistPage)
    dashboard = PageSpec("dashboard", lambda: _("Dashboard"), DashboardPage)
    # A supervisor's home is the team's dashboard; everyone else's, their worklist.
    home = [dashboard, worklist] if state.ctx.actor.is_supervisor else [worklist, dashboard]
    # The access log exists only for supervisors and administrators.
    access_log = [PageSpec("access_log", lambda: _("Access log"), AccessLogPage)]
    return [
        *home,
        PageSpec("caseload", lambda: _("Caseload"), CaseloadPage),
        PageSpec("agenda", lambda: pgettext("appointments", "Agenda"), AgendaPage),
        PageSpec("partners", lambda: _("Partners"), PartnersPage),
        PageSpec("meetings", lambda: _("Meetings"), MeetingsPage),
        PageSpec("conflicts", lambda: _("Conflicts"), ConflictsPage),
        PageSpec("duplicates", lambda: _("Duplicates"), DuplicatesPage),
        *(access_log if may_open(state) else []),
        *(
            [PageSpec("devices", lambda: _("Laptops"), DevicesPage)]
            if may_manage_devices(state)
            else []
        ),
        PageSpec("settings", lambda: _("Settings"), SettingsPage),
    ]


class Workspace(QWidget):
    language_changed = Signal(str)
    settings_saved = Signal()

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.navigation = QListWidget()
        self.navigation.setObjectName("navigation")
        app = QApplication.instance()
        points = point_size(app) if isinstance(app, QApplication) else BASE_POINTS
        # The navigation follows the interface zoom (11 pt and 200 px at 100 %).
        self.navigation.setFixedWidth(200 * points // BASE_POINTS)
        self.navigation.setStyleSheet(NAVIGATION_STYLE % (points + 1))
        self.pages = QStackedWidget()
        self.case_tabs = QTabWidget()
        self.case_tabs.setObjectName("caseTabs")
        self.case_tabs.setTabsClosable(True)
        self.case_tabs.setDocumentMode(True)
        self.case_tabs.tabCloseRequested.connect(self._close_case)
        self.case_tabs.currentChanged.connect(self._let_go_hidden_cases)
        self._pages: dict[str, QWidget] = {}
        self._factories: dict[str, Callable[[AppState], QWidget]] = {}
        self._open_cases: dict[uuid.UUID, CaseFileView] = {}
        for spec in _page_specs(state):
            self._factories[spec.key] = spec.factory
            self._add_page(spec.key, spec.title(), QWidget())
        self._add_page("cases", _("Open case files"), self.case_tabs)
        self.navigation.currentRowChanged.connect(self._show_row)
        self.navigation.setCurrentRow(0)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.navigation)
        layout.addWidget(self.pages, 1)
        for row in range(self.navigation.count()):
            shortcut = QShortcut(QKeySequence(f"Ctrl+{row + 1}"), self)
            shortcut.activated.connect(lambda row=row: self.navigation.setCurrentRow(row))

    def _add_page(self, key: str, title: str, page: QWidget) -> None:
        item = QListWidgetItem(title)
        item.setData(Qt.ItemDataRole.UserRole, key)
        self.navigation.addItem(item)
        self.pages.addWidget(page)
        self._pages[key] = page

    def _build(self, key: str) -> QWidget:
        """Pages are built when first shown: unlocking costs only the first page."""
        factory = self._factories.pop(key, None)
        if factory is None:
            return self._pages[key]
        placeholder = self._pages[key]
        index = self.pages.indexOf(placeholder)
        page = factory(self.state)
        protect_tree(page)  # phones, references, dates whole in Arabic cells
        self.pages.insertWidget(index, page)
        self.pages.removeWidget(placeholder)
        placeholder.deleteLater()
        self._pages[key] = page
        open_case = getattr(page, "open_case", None)
        if open_case is not None:
            open_case.connect(self.open_case)
        for name in ("language_changed", "settings_saved"):
            relay = getattr(page, name, None)
            if relay is not None:
                relay.connect(getattr(self, name))
        return page

    def _show_row(self, row: int) -> None:
        key = self.navigation.item(row).data(Qt.ItemDataRole.UserRole)
        built_now = key in self._factories  # a new page has just loaded: not twice
        page = self._build(key)
        self.pages.setCurrentWidget(page)
        refresh = getattr(page, "refresh", None)
        if refresh is not None and not built_now:
            refresh()

    def show_page(self, key: str) -> QWidget:
        keys = [
            self.navigation.item(r).data(Qt.ItemDataRole.UserRole)
            for r in range(self.navigation.count())
        ]
        self.navigation.setCurrentRow(keys.index(key))
        return self._pages[key]

    def page(self, key: str) -> QWidget:
        return self._build(key)

    def open_case(self, beneficiary_id: uuid.UUID, section: str = "") -> CaseFileView:
        """Open (or bring forward) a case file, on ``section`` when given."""
        from app.views.casefile import CaseFileView

        view = self._open_cases.get(beneficiary_id)
        if view is None:
            view = CaseFileView(self.state, beneficiary_id)
            self._open_cases[beneficiary_id] = view
            self.case_tabs.addTab(view, view.title())
        self.case_tabs.setCurrentWidget(view)
        if section:
            view.show_section(section)
        self.show_page("cases")
        memory.release_soon()
        return view

    def keep(self) -> WorkspaceKept:
        """The page shown and the open case files (tab, unsaved input), in tab order."""
        row = self.navigation.currentRow()
        key = self.navigation.item(row).data(Qt.ItemDataRole.UserRole) if row >= 0 else ""
        kept = []
        for index in range(self.case_tabs.count()):
            keep = getattr(self.case_tabs.widget(index), "keep", None)
            if keep is not None:
                kept.append(keep())
        return WorkspaceKept(key, kept, self.case_tabs.currentIndex())

    def restore(self, kept: WorkspaceKept) -> None:
        """Open the case files again as they were, then the page that was shown."""
        for case in kept.cases:
            self.open_case(case.beneficiary_id).restore(case)
        if kept.cases:
            self.case_tabs.setCurrentIndex(max(kept.current_case, 0))
        if kept.page:
            self.show_page(kept.page)

    def _let_go_hidden_cases(self, _index: int) -> None:
        """Case files behind another give back their sections' widgets (memory with 20
        open); one with unsaved input keeps it all (see ``CaseFileView.let_go``)."""
        shown = self.case_tabs.currentWidget()
        let_go = [view.let_go() for view in self._open_cases.values() if view is not shown]
        if any(let_go):  # every one asked, not only up to the first
            memory.release_soon()

    def _close_case(self, index: int) -> None:
        view = self.case_tabs.widget(index)
        if view is None:
            return
        self.case_tabs.removeTab(index)
        self._open_cases = {k: v for k, v in self._open_cases.items() if v is not view}
        view.deleteLater()
        memory.release_soon()
