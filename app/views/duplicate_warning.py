"""The warning a form shows when the person typed may already have a file.

Each likely file is one line (the name as registered, birth date, identifiers, score and
reasons) with a button to open it; under the list, the reason asked to save anyway.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.duplicates.scoring import reasons_text
from app.i18n import _, ngettext
from app.services.registration_check import MAX_REASON, LikelyMatch
from app.views.bidi import shown
from app.views.labels import person_name
from app.views.record_forms import TONES, align_to_layout, format_date, ltr

ERROR_STYLE = "color: #b3261e;"


def describe(match: LikelyMatch) -> str:
    """The facts that let a counsellor recognise the person, then why they match."""
    facts = [_("born {date}").format(date=format_date(match.birth_date))]
    if match.cin:
        facts.append(_("CIN {cin}").format(cin=ltr(match.cin)))
    if match.registration_number:
        facts.append(_("registration {number}").format(number=ltr(match.registration_number)))
    score = _("score {score}/100").format(score=match.score)
    return _("{facts} · {score}: {reasons}").format(
        facts=" · ".join(facts), score=score, reasons=reasons_text(match.reasons)
    )


class MatchRow(QWidget):
    """One likely file: who it is, why it matches, and a button to open it."""

    def __init__(self, match: LikelyMatch, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.match = match
        self.name = QLabel(f"<b>{shown(person_name(match.name, match.name_ar))}</b>")
        self.details = QLabel(shown(describe(match)))
        self.details.setWordWrap(True)
        for label in (self.name, self.details):
            align_to_layout(label)
        self.open_button = QPushButton(_("Open the existing file"))
        text = QVBoxLayout()
        text.setSpacing(2)
        text.addWidget(self.name)
        text.addWidget(self.details)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 4)
        layout.addLayout(text, 1)
        layout.addWidget(self.open_button)


class DuplicateWarning(QFrame):
    """Likely files of the person being registered, and the reason to save anyway."""

    open_existing = Signal(uuid.UUID)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        background, foreground = TONES["warning"]
        self.setObjectName("duplicateWarning")
        self.setStyleSheet(
            f"#duplicateWarning {{ background: {background}; border-radius: 4px; }}"
            f" #duplicateWarning QLabel {{ color: {foreground}; }}"
        )
        self.title = QLabel()
        self.title.setWordWrap(True)
        align_to_layout(self.title)
        self.rows: list[MatchRow] = []
        self.list = QVBoxLayout()
        self.list.setSpacing(0)
        self.reason_label = QLabel(_("If this is another person, say why, then save anyway:"))
        self.reason_label.setWordWrap(True)
        align_to_layout(self.reason_label)
        self.reason = QLineEdit()
        self.reason.setMaxLength(MAX_REASON)
        self.reason.setPlaceholderText(_("e.g. other father's name, checked with the family"))
        self.reason_label.setBuddy(self.reason)
        self.reason_error = QLabel()
        self.reason_error.setStyleSheet(ERROR_STYLE)
        self.reason_error.setWordWrap(True)
        align_to_layout(self.reason_error)
        self.reason_error.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.addWidget(self.title)
        layout.addLayout(self.list)
        layout.addWidget(self.reason_label)
        layout.addWidget(self.reason)
        layout.addWidget(self.reason_error)
        self.hide()

    def show_matches(self, matches: Sequence[LikelyMatch]) -> None:
        for row in self.rows:
            self.list.removeWidget(row)
            row.deleteLater()
        self.rows = []
        count = len(matches)
        self.title.setText(
            "<b>"
            + ngettext(
                "This person may already be registered: {count} file looks alike.",
                "This person may already be registered: {count} files look alike.",
                count,
            ).format(count=count)
            + "</b>"
        )
        for match in matches:
            row = MatchRow(match, self)
            row.open_button.clicked.connect(
                lambda _checked=False, chosen=match.id: self.open_existing.emit(chosen)
            )
            self.list.addWidget(row)
            self.rows.append(row)
        self.clear_error()
        self.setVisible(bool(matches))

    @property
    def shown_ids(self) -> list[uuid.UUID]:
        return [row.match.id for row in self.rows] if self.isVisible() else []

    def show_error(self, message: str) -> None:
        self.reason_error.setText(message)
        self.reason_error.show()

    def clear_error(self) -> None:
        self.reason_error.clear()
        self.reason_error.hide()
