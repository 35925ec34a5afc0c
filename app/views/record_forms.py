"""Parts shared by the case-work screens: a form dialog that saves through a service, an
optional date input, status badges, an inline message banner and an empty state.

A ``RecordDialog`` calls its service when accepted: a refusal is shown inside the dialog,
which stays open with what was typed, so nothing needs ``exec()`` and tests can fill a
dialog and call ``accept()``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from PySide6.QtCore import QDate, QLocale, Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, current_language
from app.instruments import load_builtin
from app.services.errors import ServiceError, ValidationFailed
from app.views.bidi import shown

NEEDS_INSTRUMENT = "passerelle-needs"
DATE_FORMAT = "yyyy-MM-dd"
OVERDUE_COLOUR = "#b3261e"
TONES = {
    "neutral": ("#eceff1", "#37474f"),
    "info": ("#e3ecf8", "#1d4e89"),
    "success": ("#e3f1e6", "#1e5e2e"),
    "warning": ("#fbf0d9", "#7a4f00"),
    "danger": ("#f8e3e1", "#8c1d18"),
}


def need_domain_ids() -> list[str]:
    """The domains of the built-in needs instrument, in its order."""
    return [domain.id for domain in load_builtin(NEEDS_INSTRUMENT).domains]


def domain_label(domain_id: str) -> str:
    """A need domain's label in the interface language (its id if the instrument lacks it)."""
    try:
        return load_builtin(NEEDS_INSTRUMENT).domain(domain_id).label.get(current_language())
    except KeyError:
        return domain_id


def ltr(text: str | None) -> str:
    """Phone numbers, e-mails, references: kept left to right inside Arabic screens.

    A leading left-to-right mark stops the bidi algorithm from reversing the groups of
    "05 22 05 44 13" in a right-to-left cell.
    """
    return "\u200e" + text if text else ""


def format_date(day: date | None) -> str:
    """Dates read the same in every language: YYYY-MM-DD; a missing one is a dash.

    The leading left-to-right mark keeps the date whole inside an Arabic sentence, where
    the bidi algorithm would otherwise print "2026-11-29" as "29-11-2026".
    """
    return "\u200e" + day.isoformat() if day is not None else "—"


def to_qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def from_qdate(day: QDate) -> date:
    return date(day.year(), day.month(), day.day())


def date_edit(
    value: date, *, minimum: date | None = None, maximum: date | None = None
) -> QDateEdit:
    """A date input with a calendar, limited to the dates the service would accept."""
    edit = QDateEdit()
    if QLocale().language() == QLocale.Language.Arabic:
        # Moroccan Arabic writes dates with Western digits, like every table here.
        edit.setLocale(QLocale(QLocale.Language.Arabic, QLocale.Country.Morocco))
    # Dates read YYYY-MM-DD in Arabic too; mirrored, the sections would come out reversed.
    edit.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat(DATE_FORMAT)
    if minimum is not None:
        edit.setMinimumDate(to_qdate(minimum))
    if maximum is not None:
        edit.setMaximumDate(to_qdate(maximum))
    edit.setDate(to_qdate(value))
    return edit


class OptionalDateEdit(QWidget):
    """A date that may be left unset: a check box turns the date input on."""

    def __init__(
        self, label: str, default: date, value: date | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.check = QCheckBox(label)
        self.edit = date_edit(value or default)
        self.check.toggled.connect(self.edit.setEnabled)
        self.check.setChecked(value is not None)
        self.edit.setEnabled(value is not None)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.check)
        layout.addWidget(self.edit, 1)
        self.setFocusProxy(self.check)

    def value(self) -> date | None:
        return from_qdate(self.edit.date()) if self.check.isChecked() else None

    def set_value(self, value: date | None) -> None:
        self.check.setChecked(value is not None)
        if value is not None:
            self.edit.setDate(to_qdate(value))


def align_to_layout(label: QLabel) -> QLabel:
    """Align a label's text with the interface, not with its content's script.

    Qt aligns a label by the direction of its text, so a French name or a reference at
    the start of a sentence would sit on the left of an Arabic screen.
    """
    if label.layoutDirection() == Qt.LayoutDirection.RightToLeft:
        label.setAlignment(
            Qt.AlignmentFlag.AlignRight
            | Qt.AlignmentFlag.AlignAbsolute
            | Qt.AlignmentFlag.AlignVCenter
        )
    return label


def top_items(tree: QTreeWidget) -> list[QTreeWidgetItem]:
    items = (tree.topLevelItem(row) for row in range(tree.topLevelItemCount()))
    return [item for item in items if item is not None]


def select_first(tree: QTreeWidget) -> None:
    """Keep a row selected so the details beside a list are never blank for no reason."""
    items = top_items(tree)
    if tree.currentItem() is None and items:
        tree.setCurrentItem(items[0])


def current_index(tree: QTreeWidget) -> int:
    item = tree.currentItem()
    return tree.indexOfTopLevelItem(item) if item is not None else -1


class ChoiceCombo(QComboBox):
    """A combo box that gives back the very Python values it was filled with.

    Qt turns a ``str`` subclass (our enums) into a plain string on the way through
    ``itemData``; the values are kept here and only their position goes through Qt.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._values: list[Any] = []

    def set_choices(self, entries: Iterable[tuple[str, Any]]) -> None:
        self.clear()
        self._values = []
        for label, value in entries:
            self.addItem(label, len(self._values))
            self._values.append(value)

    def value(self) -> Any:
        position = self.currentData()
        return self._values[position] if isinstance(position, int) else None

    def select(self, value: Any) -> bool:
        """Make ``value`` current; False when it is not offered."""
        for index in range(self.count()):
            position = self.itemData(index)
            if isinstance(position, int) and self._values[position] == value:
                self.setCurrentIndex(index)
                return True
        return False

    def values(self) -> list[Any]:
        return list(self._values)

    def add_choice(self, label: str, value: Any) -> None:
        self.addItem(label, len(self._values))
        self._values.append(value)


class Badge(QLabel):
    """A small coloured label for a status: colour helps, the word says it."""

    def __init__(
        self, text: str = "", tone: str = "neutral", parent: QWidget | None = None
    ) -> None:
        super().__init__(text, parent)
        self.set_tone(tone)

    def show_status(self, text: str, tone: str) -> None:
        self.setText(text)
        self.set_tone(tone)

    def set_tone(self, tone: str) -> None:
        background, foreground = TONES.get(tone, TONES["neutral"])
        self.setStyleSheet(
            f"QLabel {{ background: {background}; color: {foreground}; border-radius: 9px;"
            " padding: 2px 10px; font-weight: 600; }"
        )


class MessageBanner(QLabel):
    """An inline message above a screen's content, hidden until there is something to say."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        align_to_layout(self)
        self.hide()

    def show_error(self, message: str) -> None:
        self._show(message, "danger")

    def show_info(self, message: str) -> None:
        self._show(message, "info")

    def clear_message(self) -> None:
        self.setText("")
        self.hide()

    def _show(self, message: str, tone: str) -> None:
        background, foreground = TONES[tone]
        self.setStyleSheet(
            f"QLabel {{ background: {background}; color: {foreground}; border-radius: 4px;"
            " padding: 8px 10px; }"
        )
        self.setText(shown(message))
        self.show()


class EmptyState(QWidget):
    """What a screen says when there is nothing yet, and the one thing to do about it."""

    def __init__(
        self,
        title: str,
        sentence: str,
        button: QPushButton | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        heading = QLabel(title)
        heading.setStyleSheet("font-size: 15px; font-weight: 600;")
        heading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        text = QLabel(sentence)
        text.setWordWrap(True)
        text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        text.setStyleSheet("color: #55606a;")
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(heading)
        layout.addWidget(text)
        if button is not None:
            row = QHBoxLayout()
            row.addStretch(1)
            row.addWidget(button)
            row.addStretch(1)
            layout.addSpacing(8)
            layout.addLayout(row)
        layout.addStretch(2)


def field_name(label: str) -> str:
    """A form label as the name of its field in a message: no mnemonic, no colon of its
    own ("Libellé :" would read "Libellé : : ..." once the message adds one)."""
    return label.replace("&", "").rstrip(" :\u00a0\u202f\u061b")


class RecordDialog(QDialog):
    """A form that saves through a service when accepted, and shows a refusal inline."""

    saved = Signal(object)

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setMinimumWidth(480)
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.intro.setStyleSheet("color: #55606a;")
        align_to_layout(self.intro)
        self.intro.hide()
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.form.setVerticalSpacing(8)
        self.error = MessageBanner()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setDefault(True)
        self._field_labels: dict[str, str] = {}
        self.body = QVBoxLayout(self)
        self.body.setContentsMargins(16, 16, 16, 12)
        self.body.setSpacing(10)
        self.body.addWidget(self.intro)
        self.body.addLayout(self.form)
        self.body.addWidget(self.error)
        self.body.addWidget(self.buttons)
        self.result_record: object = None
        self._shown_input: tuple[object, ...] | None = None
        self.confirm_discard: Callable[[], bool] = self._ask_discard
        """Asked before what was typed is thrown away (tests put their answer here)."""

    # -- nothing typed is lost without asking ---------------------------------------------

    def input_state(self) -> tuple[object, ...]:
        """Everything the user can type or choose in the dialog, to see if it changed."""
        state: list[object] = []
        for widget in self.findChildren(QWidget):
            if isinstance(widget, QLineEdit):
                state.append(widget.text())
            elif isinstance(widget, QPlainTextEdit):
                state.append(widget.toPlainText())
            elif isinstance(widget, QComboBox):
                state.append(widget.currentIndex())
            elif isinstance(widget, QAbstractSpinBox):
                state.append(widget.text())
            elif isinstance(widget, QCheckBox):
                state.append(widget.isChecked())
        return tuple(state)

    def has_unsaved_input(self) -> bool:
        return self._shown_input is not None and self.input_state() != self._shown_input

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt API
        if self._shown_input is None:
            self._shown_input = self.input_state()
        super().showEvent(event)

    def cancel(self) -> None:
        """Cancel, Escape or the window's close box: ask first when something was typed."""
        if self.has_unsaved_input() and not self.confirm_discard():
            return
        self.reject()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt API
        if event.key() == Qt.Key.Key_Escape:
            self.cancel()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        if event.spontaneous() and self.has_unsaved_input() and not self.confirm_discard():
            event.ignore()
            return
        super().closeEvent(event)

    def _ask_discard(self) -> bool:
        answer = QMessageBox.question(
            self,
            _("Discard what you typed?"),
            _("This form has input that was not saved. Close it and lose that input?"),
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Discard

    def set_intro(self, text: str) -> None:
        self.intro.setText(shown(text))
        self.intro.setVisible(bool(text))

    def add_row(self, label: str, widget: QWidget, *fields: str) -> QWidget:
        """A labelled row (``&`` marks the mnemonic); ``fields`` are the service's names."""
        self.form.addRow(label, widget)
        for name in fields:
            self._field_labels[name] = field_name(label)
        return widget

    def submit(self) -> object:
        """Call the service; raise ServiceError to refuse. Returns the saved record."""
        raise NotImplementedError

    def accept(self) -> None:
        try:
            self.result_record = self.submit()
        except ServiceError as error:
            self.show_error(error)
            return
        self.saved.emit(self.result_record)
        super().accept()

    def show_error(self, error: ServiceError | str) -> None:
        self.error.show_error(self.describe(error))
        self.grow_to_fit()

    def grow_to_fit(self) -> None:
        """Grow, never squeeze, when an error, a hint or a row appears."""
        hint = self.sizeHint()
        self.resize(max(self.width(), hint.width()), max(self.height(), hint.height()))

    def describe(self, error: ServiceError | str) -> str:
        """Field errors under the form's own labels, not the service's field names."""
        if not isinstance(error, ValidationFailed):
            return str(error)
        lines = []
        for field_error in error.errors:
            label = self._field_labels.get(field_error.field)
            if label is None:
                lines.append(field_error.message)
            else:
                line = _("{field}: {message}")
                lines.append(line.format(field=label, message=field_error.message))
        return "\n".join(lines)
