"""A live strength indicator under a new-passphrase field: a bar, a level, the reasons.

The estimate itself lives in ``app.services.passphrase`` (Qt-free); this widget only
shows it, so the user learns why a passphrase is refused before pressing a button.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QProgressBar, QVBoxLayout, QWidget

from app.i18n import _, ngettext
from app.services.passphrase import PassphraseStrength, StrengthLevel, estimate_strength
from app.store.profile import MIN_PASSPHRASE_LENGTH

_COLOURS = {
    StrengthLevel.VERY_WEAK: "#b3261e",
    StrengthLevel.WEAK: "#c4661f",
    StrengthLevel.FAIR: "#b38600",
    StrengthLevel.STRONG: "#2e7d32",
    StrengthLevel.VERY_STRONG: "#1b5e20",
}


def level_label(level: StrengthLevel) -> str:
    labels = {
        StrengthLevel.VERY_WEAK: _("Very weak"),
        StrengthLevel.WEAK: _("Weak"),
        StrengthLevel.FAIR: _("Fair"),
        StrengthLevel.STRONG: _("Strong"),
        StrengthLevel.VERY_STRONG: _("Very strong"),
    }
    return labels[level]


class PassphraseStrengthMeter(QWidget):
    """Call :meth:`update_for` on every edit; :attr:`strength` keeps the last estimate."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bar = QProgressBar()
        self.bar.setObjectName("strengthBar")
        self.bar.setRange(0, len(StrengthLevel))
        self.bar.setTextVisible(False)
        self.bar.setFixedHeight(8)
        self.level = QLabel()
        self.level.setObjectName("strengthLevel")
        self.problems = QLabel()
        self.problems.setObjectName("strengthProblems")
        self.problems.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.bar)
        layout.addWidget(self.level)
        layout.addWidget(self.problems)
        self.strength = estimate_strength("")
        self.update_for("")

    def update_for(self, passphrase: str) -> PassphraseStrength:
        self.strength = estimate_strength(passphrase)
        level = self.strength.level
        self.bar.setValue(int(level) + 1 if passphrase else 0)
        self.bar.setStyleSheet(
            "QProgressBar { border: none; border-radius: 4px; background: #e4e4e7; }"
            f"QProgressBar::chunk {{ border-radius: 4px; background: {_COLOURS[level]}; }}"
        )
        if passphrase:
            self.level.setText(_("Strength: {level}").format(level=level_label(level)))
        else:
            self.level.setText(
                ngettext(
                    "At least {count} character; several words make a strong passphrase.",
                    "At least {count} characters; several words make a strong passphrase.",
                    MIN_PASSPHRASE_LENGTH,
                ).format(count=MIN_PASSPHRASE_LENGTH)
            )
        shown = self.strength.problems if passphrase else []
        self.problems.setText("\n".join(shown))
        self.problems.setVisible(bool(shown))
        return self.strength
