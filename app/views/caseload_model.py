"""The caseload as a Qt table model that holds a few pages, never the whole list.

Rows arrive by pages of :data:`PAGE_SIZE` from ``caseload.page``, sorted by the
database; the row count from ``caseload.count``, asked only when the first page is full
and after it is shown (a keystroke's results never wait for a count). Every query runs off
the GUI thread, so typing and scrolling never wait for SQLite: a row whose page is
still on its way shows a placeholder until it lands. A newer request (another filter,
another sort) makes the answers to older ones irrelevant; they are dropped on arrival.

A table repaint asks ``data()`` for every visible cell and a dozen roles each: the
texts of a row are formatted once (:class:`_Cells`, number runs already isolated) and
every other role is answered before any lookup, so a repaint costs little Python.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QThreadPool,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QStyledItemDelegate
from shiboken6 import isValid

from app.i18n import N_, _
from app.services import caseload, transfers
from app.services.caseload import CaseloadFilter, CaseloadRow
from app.services.context import ServiceContext
from app.services.errors import ServiceError
from app.views.appearance import high_contrast_on
from app.views.bidi import shown
from app.views.labels import label_or_blank
from app.views.record_forms import OVERDUE_COLOUR, format_date, ltr
from app.views.tasks import run_in_background

PAGE_SIZE = 50
"""Rows per query: a screenful or two, so that a keystroke's first page costs little
(reading and formatting 200 rows cost ~2.5 times 50 for rows nobody sees yet)."""
COUNT_DELAY_MS = 40
"""From a full first page to its count. At 0 ms the count began before the rows were
painted, and its thread took the interpreter from the paint (a keystroke's results
then waited for a count after all); a keystroke that follows soon skips it."""
SEARCH_POOL = "passerelleCaseloadPool"
MAX_PAGES = 48
"""Pages kept in memory (2,400 rows); the farthest from the one just needed go first."""
PLACEHOLDER = "…"
OVERDUE_SIGN = "\u26a0"
"""Beside an overdue review date, so that it does not rest on its red alone."""
TRANSFER_SIGN = "\u21c4"
"""With "Transferred to you" before the assignee of a case lately transferred to the
actor or their team (``transfers.transferred_to_me``), as the worklist says it."""
ROLE = Qt.ItemDataRole
ANSWERED = frozenset({ROLE.DisplayRole, ROLE.ForegroundRole, ROLE.ToolTipRole, ROLE.UserRole})
"""The roles this model answers; the others (font, alignment, decoration...) are None."""
TOOLTIP_KEYS = frozenset({"name", "name_ar", "facility", "legal_status", "staff", "plan_status"})
AnyIndex = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Column:
    key: str  # also the caseload service's sort key
    title: str  # N_() message id


COLUMNS: tuple[Column, ...] = (
    Column("name", N_("Name")),
    Column("name_ar", N_("Name in Arabic")),
    Column("cin", N_("CIN")),
    Column("registration", N_("Registration")),
    Column("facility", N_("Facility")),
    Column("legal_status", N_("Legal status")),
    Column("release", N_("Release")),
    Column("staff", N_("Assigned to")),
    Column("plan_status", N_("Plan")),
    Column("review", N_("Plan review")),
)
REVIEW = next(position for position, column in enumerate(COLUMNS) if column.key == "review")
STAFF = next(position for position, column in enumerate(COLUMNS) if column.key == "staff")


def display_name(row: CaseloadRow) -> str:
    """The Latin spelling, surname first in capitals (the Arabic has its own column)."""
    return f"{row.last_name.upper()} {row.first_name}"


def arabic_name(row: CaseloadRow) -> str:
    """The Arabic spelling, first name then surname, isolated so it never reorders a row."""
    arabic = " ".join(part for part in (row.first_name_ar, row.last_name_ar) if part)
    return f"\u2067{arabic}\u2069" if arabic else ""


def search_pool() -> QThreadPool:
    """The caseload's own threads, so that a keystroke's query never waits behind other
    screens' work in the global pool. Owned by the application: it outlives every page
    (a pool owned by the model was torn down during Python's exit and crashed it)."""
    app = QCoreApplication.instance()
    pool = app.findChild(QThreadPool, SEARCH_POOL) if app is not None else None
    if pool is None:
        pool = QThreadPool(app)
        pool.setObjectName(SEARCH_POOL)
        pool.setMaxThreadCount(2)
    return pool


@dataclass(frozen=True)
class _Cells:
    """One row as displayed: its texts by column, and whether its review is overdue."""

    row: CaseloadRow
    texts: tuple[str, ...]
    overdue: bool


class PreparedTextDelegate(QStyledItemDelegate):
    """The model's texts arrive with their number runs isolated and its colours give way
    to the high-contrast theme: Qt's own delegate shows them as they are. No Python
    override on purpose: one is called for every cell of every repaint (a repaint of
    the caseload cost ~20 ms of Python with ``NumberRunDelegate``'s)."""


@dataclass(frozen=True)
class _Request:
    """What the rows are: the filter and the order they were asked with."""

    filter: CaseloadFilter
    sort: str
    descending: bool


class CaseloadModel(QAbstractTableModel):
    """Rows of ``caseload.page``, fetched by pages in the background as they are shown."""

    first_page = Signal(int)  # a new filter or sort has its first rows in (count so far)
    loaded = Signal(int)  # ... and its count: the whole answer is in
    busy_changed = Signal(bool)
    failed = Signal(str)

    def __init__(
        self,
        ctx: ServiceContext,
        filter: CaseloadFilter | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._pool = search_pool()
        self._request = _Request(filter or CaseloadFilter(), "name", False)
        self._generation = 0
        self._shown = (0, self._request)  # the request the rows held belong to
        self._count = 0
        self._pages: dict[int, list[CaseloadRow]] = {}
        self._cells: dict[int, _Cells] = {}
        self._pending: set[int] = set()
        self._busy = False
        self._received: frozenset[uuid.UUID] = frozenset()
        self.rows_loaded = 0
        """Rows fetched from the service since creation (what tests check stays small)."""
        self.reload()

    # -- what the view asks for ------------------------------------------------------

    @property
    def filter(self) -> CaseloadFilter:
        return self._request.filter

    @property
    def sort_key(self) -> str:
        return self._request.sort

    @property
    def descending(self) -> bool:
        return self._request.descending

    @property
    def busy(self) -> bool:
        return self._busy

    def setFilter(self, filter: CaseloadFilter) -> None:  # noqa: N802 - Qt naming
        if filter != self._request.filter:
            self._request = replace(self._request, filter=filter)
            self.reload()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sorting is the database's: a new order reloads from the first page."""
        if not 0 <= column < len(COLUMNS):
            return
        descending = order == Qt.SortOrder.DescendingOrder
        wanted = replace(self._request, sort=COLUMNS[column].key, descending=descending)
        if wanted != self._request:
            self._request = wanted
            self.reload()

    def reload(self) -> None:
        """First page, then the count, for the current request; the rows shown stay
        until the first page is in. A first page that is not full is every row (no count
        query, most searches); a full one is shown at once and the count follows."""
        if self._generation == 0 or self._request == self._shown[1]:
            self._load_received()  # at the start and on a refresh, not on a keystroke
        self._generation += 1
        generation, request = self._generation, self._request
        ctx = self.ctx

        def current() -> bool:
            return generation == self._generation

        def first_page() -> list[CaseloadRow] | None:
            """Skipped when typing went on while it waited for a thread."""
            return _fetch(ctx, request, 0, None) if current() else None

        def shown(first: list[CaseloadRow] | None) -> None:
            if first is None or not current():
                return
            self._shown = (generation, request)
            complete = len(first) < PAGE_SIZE
            self._reset(len(first), first, complete=complete)
            if not complete:  # once these rows are painted, unless typing went on
                QTimer.singleShot(COUNT_DELAY_MS, self, count)

        def count() -> None:
            if current():
                self._run(
                    lambda: caseload.count(ctx, request.filter) if current() else None, counted
                )

        def counted(total: int | None) -> None:
            if total is not None and current():
                self._set_total(total)

        self._set_busy(True)
        self._run(first_page, shown)

    def beneficiary_id(self, row: int) -> uuid.UUID | None:
        found = self._row(row, fetch=False)
        return found.beneficiary_id if found is not None else None

    def row_data(self, row: int) -> CaseloadRow | None:
        return self._row(row, fetch=False)

    # -- QAbstractTableModel -----------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(  # noqa: N802 - Qt naming
        self, section: int, orientation: Qt.Orientation, role: int = ROLE.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == ROLE.DisplayRole:
            if 0 <= section < len(COLUMNS):
                return _(COLUMNS[section].title)
        return None

    def data(self, index: AnyIndex, role: int = ROLE.DisplayRole) -> Any:
        if role not in ANSWERED or not index.isValid():
            return None
        number, column = index.row(), index.column()
        cells = self._cells.get(number)
        if cells is None:
            row = self._row(number, fetch=True)
            if row is None:
                return PLACEHOLDER if role == ROLE.DisplayRole and column == 0 else None
            cells = self._cells[number] = self._format(row)
        if role == ROLE.DisplayRole:
            return cells.texts[column]
        key = COLUMNS[column].key
        if role == ROLE.ForegroundRole:
            if key == "review" and cells.overdue and not high_contrast_on():
                return QColor(OVERDUE_COLOUR)
            return None
        if role == ROLE.ToolTipRole:
            if key == "review" and cells.overdue:
                return _("The plan review date has passed.")
            return cells.texts[column] if key in TOOLTIP_KEYS else None  # a cell cut short
        return cells.row.beneficiary_id

    # -- pages ---------------------------------------------------------------------------

    def _row(self, row: int, *, fetch: bool) -> CaseloadRow | None:
        if not 0 <= row < self._count:
            return None
        number, position = divmod(row, PAGE_SIZE)
        rows = self._pages.get(number)
        if rows is None:
            if fetch:
                self._fetch_page(number)
            return None
        return rows[position] if position < len(rows) else None

    def _fetch_page(self, number: int) -> None:
        if number in self._pending:
            return
        self._pending.add(number)
        (generation, request), total, ctx = self._shown, self._count, self.ctx

        def done(rows: list[CaseloadRow]) -> None:
            if generation != self._shown[0]:
                return
            self._pending.discard(number)
            self._store(number, rows)
            first = number * PAGE_SIZE
            last = min(first + PAGE_SIZE, self._count) - 1
            if last >= first:
                right = len(COLUMNS) - 1
                self.dataChanged.emit(self.index(first, 0), self.index(last, right))

        self._run(lambda: _fetch(ctx, request, number * PAGE_SIZE, total), done)

    def _store(self, number: int, rows: list[CaseloadRow]) -> None:
        self.rows_loaded += len(rows)
        self._pages[number] = rows
        while len(self._pages) > MAX_PAGES:
            farthest = max(self._pages, key=lambda page: abs(page - number))
            del self._pages[farthest]
            first = farthest * PAGE_SIZE
            for row in range(first, first + PAGE_SIZE):
                self._cells.pop(row, None)

    def _reset(self, total: int, first: list[CaseloadRow], *, complete: bool) -> None:
        self.beginResetModel()
        self._count = total
        self._pages.clear()
        self._cells.clear()
        self._pending.clear()
        if first:
            self._store(0, first)
        self.endResetModel()
        self.first_page.emit(total)
        if complete:
            self._set_busy(False)
            self.loaded.emit(total)

    def _set_total(self, total: int) -> None:
        """The count of a request whose first page is shown: the rows past it appear."""
        if total > self._count:
            self.beginInsertRows(QModelIndex(), self._count, total - 1)
            self._count = total
            self.endInsertRows()
        self._set_busy(False)
        self.loaded.emit(self._count)

    def _run(self, work: Callable[[], Any], done: Callable[[Any], None]) -> None:
        """Background work whose answer is dropped if this model is gone by then."""

        def on_done(result: Any) -> None:
            if isValid(self):
                done(result)

        def on_error(error: Exception) -> None:
            if not isValid(self):
                return
            self._set_busy(False)
            if isinstance(error, ServiceError):
                self.failed.emit(str(error))
            else:
                reason = _("The list could not be read: {reason}")
                self.failed.emit(reason.format(reason=error))

        run_in_background(work, on_done, on_error, self._pool)

    def _set_busy(self, busy: bool) -> None:
        if busy != self._busy:
            self._busy = busy
            self.busy_changed.emit(busy)

    def _load_received(self) -> None:
        """The cases lately transferred to the actor (a few ids), off the GUI thread."""
        ctx = self.ctx

        def work() -> frozenset[uuid.UUID]:
            return frozenset(transfers.transferred_to_me(ctx))

        def done(received: frozenset[uuid.UUID]) -> None:
            if isValid(self) and received != self._received:
                self._received = received
                self._cells.clear()  # formatted again with or without the mark
                if self._count:
                    last = self.index(self._count - 1, STAFF)
                    self.dataChanged.emit(self.index(0, STAFF), last)

        run_in_background(work, done, lambda _error: None, self._pool)

    # -- cells -----------------------------------------------------------------------------

    def _format(self, row: CaseloadRow) -> _Cells:
        """The row's texts as the table shows them, once for every repaint to come."""
        overdue = row.review_overdue(self.ctx.today())
        texts = [shown(text) for text in _texts(row)]
        if overdue:  # a sign beside the date, not the colour alone
            texts[REVIEW] = f"{OVERDUE_SIGN} {texts[REVIEW]}"
        if row.beneficiary_id in self._received:  # a sign and words, as in the worklist
            mark = f"{TRANSFER_SIGN} {_('Transferred to you')}"
            texts[STAFF] = f"{mark} · {texts[STAFF]}" if texts[STAFF] else mark
        return _Cells(row, tuple(texts), overdue)


_TEXTS: dict[str, Callable[[CaseloadRow], str]] = {
    "name": display_name,
    "name_ar": arabic_name,
    "cin": lambda row: ltr(row.cin),
    "registration": lambda row: ltr(row.registration_number),
    "facility": lambda row: row.facility_name or "",
    "legal_status": lambda row: label_or_blank(row.legal_status),
    "release": lambda row: _date(row.expected_release_date),
    "staff": lambda row: row.assigned_staff_name or "",
    "plan_status": lambda row: label_or_blank(row.plan_status) or _("No plan"),
    "review": lambda row: _date(row.review_date),
}
"""Each column's text of a row (built once: a repaint formats every row it shows)."""
_KEYS = tuple(column.key for column in COLUMNS)


def _texts(row: CaseloadRow) -> list[str]:
    """The row's texts in the order of :data:`COLUMNS`."""
    return [_TEXTS[key](row) for key in _KEYS]


def _date(day: date | None) -> str:
    return "" if day is None else format_date(day)


def _fetch(
    ctx: ServiceContext, request: _Request, offset: int, total: int | None
) -> list[CaseloadRow]:
    return caseload.page(
        ctx,
        request.filter,
        sort=request.sort,
        descending=request.descending,
        offset=offset,
        limit=PAGE_SIZE,
        total=total,
    )
