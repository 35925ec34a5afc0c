"""The caseload's "did you mean": when a search finds little, the spelling the index
knows, offered as a link that searches it (issue 18)."""

from __future__ import annotations

import html
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget
from shiboken6 import isValid

from app.i18n import _
from app.services import search
from app.services.context import ServiceContext
from app.views.tasks import run_in_background


class Suggestion(QLabel):
    """Hidden until a search that found fewer than ``search.FUZZY_BELOW`` cases has a
    better spelling; ``linkActivated`` carries the spelling chosen."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("caseloadSuggestion")
        self.setTextFormat(Qt.TextFormat.RichText)
        self.hide()

    def offer(self, ctx: ServiceContext, query: str, count: int, typed: Callable[[], str]) -> None:
        """Looked up off the GUI thread; dropped if ``typed()`` no longer is ``query``."""
        if not query or count >= search.FUZZY_BELOW:
            self.hide()
            return

        def done(offered: str | None) -> None:
            if not isValid(self) or typed() != query:
                return
            if offered is None:
                self.hide()
                return
            link = f'<a href="{html.escape(offered)}">{html.escape(offered)}</a>'
            self.setText(_("Did you mean: {suggestion}?").format(suggestion=link))
            self.show()

        def failed(_error: Exception) -> None:
            if isValid(self):
                self.hide()

        run_in_background(lambda: search.suggestion(ctx, query), done, failed)
