"""Making a document off the GUI thread, then showing it in the preview.

Generation may take a second or two (an activity report over a whole profile): a busy
indicator appears if it lasts, the window stays responsive, and a refusal of the
service (no plan to print, nothing in the period) is told in the user's language.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

from app.i18n import _
from app.indicators import Period, Scope
from app.services.errors import ServiceError
from app.views.app_state import AppState
from app.views.tasks import run_in_background

if TYPE_CHECKING:  # reportlab and pdfium load when a document is first made (~30 MiB)
    from app.views.pdf_preview import PdfPreviewDialog

logger = logging.getLogger(__name__)
BUSY_AFTER_MS = 800


class DocumentJob:
    """One document being made; ``preview`` is set once it is shown (tests read it)."""

    def __init__(
        self,
        parent: QWidget,
        title: str,
        file_name: str,
        render: Callable[[], bytes],
        on_shown: Callable[[PdfPreviewDialog], None] | None = None,
    ) -> None:
        self.parent, self.title, self.file_name = parent, title, file_name
        self.on_shown = on_shown
        self.preview: PdfPreviewDialog | None = None
        self.error: str | None = None
        self.busy = QProgressDialog(_("Preparing the document…"), "", 0, 0, parent)
        self.busy.setWindowTitle(title)
        self.busy.setCancelButton(None)
        self.busy.setWindowModality(Qt.WindowModality.WindowModal)
        self.busy.setMinimumDuration(BUSY_AFTER_MS)
        self.busy.reset()
        self.timer = QTimer(parent)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.busy.show)
        self.timer.start(BUSY_AFTER_MS)
        run_in_background(render, self._done, self._failed)

    def _finish(self) -> None:
        self.timer.stop()
        self.busy.reset()
        self.busy.hide()

    def _done(self, data: bytes) -> None:
        self._finish()
        from app.views.pdf_preview import PdfPreviewDialog

        self.preview = PdfPreviewDialog(data, self.title, self.file_name, self.parent)
        self.preview.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.preview.show()
        if self.on_shown is not None:
            self.on_shown(self.preview)

    def _failed(self, error: Exception) -> None:
        self._finish()
        if isinstance(error, ServiceError):
            self.error = str(error)
        else:
            logger.error("document not made: %s", type(error).__name__)
            self.error = _("The document could not be made. Nothing was changed.")
        QMessageBox.warning(self.parent, self.title, self.error)


def preview_plan(
    parent: QWidget, state: AppState, beneficiary_id: uuid.UUID, language: str
) -> DocumentJob:
    from app.reports.plan_summary import render_plan_summary

    ctx = state.ctx
    return DocumentJob(
        parent,
        _("Action plan"),
        f"plan-{language}.pdf",
        lambda: render_plan_summary(ctx, beneficiary_id, language),
    )


def preview_activity(
    parent: QWidget, state: AppState, period: Period, scope: Scope, language: str
) -> DocumentJob:
    from app.reports.activity import render_activity_report

    ctx = state.ctx
    name = f"activity-{period.start.isoformat()}-{period.end.isoformat()}-{language}.pdf"
    return DocumentJob(
        parent,
        _("Activity report"),
        name,
        lambda: render_activity_report(ctx, period, scope, language),
    )
