"""Exports of the dashboard: indicators and the anonymised case list, CSV or Excel.

Written off the GUI thread to a file the user chose, after the warning that the file
leaves the encrypted store (the case list is anonymised, but still about real people).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog, QMenu, QToolButton, QWidget

from app.i18n import _
from app.indicators import Period, Scope
from app.reports.formats import ExportFormat
from app.services.errors import ServiceError
from app.views.app_state import AppState
from app.views.export_warning import confirm_export
from app.views.tasks import run_in_background

if TYPE_CHECKING:  # openpyxl loads when a file is first written (~20 MiB)
    from app.reports.exports import Export

logger = logging.getLogger(__name__)
FILTERS = {ExportFormat.CSV: "CSV (*.csv)", ExportFormat.XLSX: "Excel (*.xlsx)"}


class ExportMenu:
    """The "Export" button and its four choices; ``last`` is the last file written."""

    def __init__(
        self,
        state: AppState,
        parent: QWidget,
        period: Callable[[], Period],
        scope: Callable[[], Scope],
        tell: Callable[[str, bool], None],
    ) -> None:
        self.state, self.parent = state, parent
        self.period, self.scope, self.tell = period, scope, tell
        self.last: Export | None = None
        self.button = QToolButton(parent)
        self.button.setText(_("E&xport"))
        self.button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.button)
        for what, title in (("indicators", _("Indicators")), ("cases", _("Anonymised case list"))):
            for export_format in ExportFormat:
                label = f"{title} ({FILTERS[export_format].split(' ')[0]})"
                action = menu.addAction(label)
                action.triggered.connect(
                    lambda _checked=False, w=what, f=export_format: self.ask(w, f)
                )
        self.button.setMenu(menu)

    def ask(self, what: str, export_format: ExportFormat) -> None:
        suggested = f"{what}-{self.period().start.isoformat()}.{export_format.value}"
        path, _filter = QFileDialog.getSaveFileName(
            self.parent, _("Export"), suggested, FILTERS[export_format]
        )
        if path and confirm_export(self.parent, Path(path)):
            self.write(what, export_format, Path(path))

    def write(self, what: str, export_format: ExportFormat, out: Path) -> None:
        ctx, period, scope = self.state.ctx, self.period(), self.scope()
        language = self.state.settings.report_language

        from app.reports.exports import write_case_list, write_indicators  # openpyxl, now

        def work() -> Export:
            if what == "indicators":
                return write_indicators(ctx, period, out, export_format, scope, language)
            return write_case_list(ctx, out, export_format, period, scope, language)

        run_in_background(work, self._written, self._failed)

    def _written(self, export: Export) -> None:
        self.last = export
        self.tell(_("Exported to {path}.").format(path=export.path), False)

    def _failed(self, error: Exception) -> None:
        if isinstance(error, ServiceError | OSError):
            message = str(error) if isinstance(error, ServiceError) else None
        else:
            logger.error("export not written: %s", type(error).__name__)
            message = None
        self.tell(message or _("The export could not be written; nothing was changed."), True)
