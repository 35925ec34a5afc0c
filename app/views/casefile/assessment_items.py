"""One domain's page of the assessment form: its items, its live score, its override.

Built from the instrument's ``Domain``: each item's scale becomes a row of radio
buttons (with "Not rated" for an item that does not apply), labelled in the interface
language, and an optional note.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.i18n import N_, _, ngettext
from app.instruments import Domain, DomainScore, Instrument, Item, Priority, Scale
from app.views.charts import PRIORITY_COLOURS, format_score
from app.views.record_forms import ChoiceCombo

# Priority comes from the instrument package, not passerelle_core.enums: labels kept here.
PRIORITY_LABELS = {
    Priority.LOW: N_("low"),
    Priority.MEDIUM: N_("medium"),
    Priority.HIGH: N_("high"),
}
ERROR_STYLE = "color: #b3261e;"
MUTED_STYLE = "color: #55606a;"


def priority_label(priority: Priority | None) -> str:
    return _(PRIORITY_LABELS[priority]) if priority is not None else "—"


def score_text(score: DomainScore, override: tuple[Priority, str] | None = None) -> str:
    """The one-line reading of a domain's score, e.g. "Score: 66.7 / 100 — priority: medium"."""
    if score.score is None:
        line = _("Not scored yet: no item rated.")
    else:
        line = _("Score: {score} / 100 — priority: {priority}").format(
            score=format_score(score.score), priority=priority_label(score.priority)
        )
    if override is None:
        return line
    overridden = _("Priority set to {priority} by the assessor.").format(
        priority=priority_label(override[0])
    )
    return "\n".join((line, overridden))


class ItemEditor(QFrame):
    """One item: its wording, its scale as radio buttons, an optional note."""

    changed = Signal()

    def __init__(self, item: Item, scale: Scale, language: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.item = item
        self.setObjectName("assessmentItem")
        self.setStyleSheet("#assessmentItem { border-bottom: 1px solid #e3e6ea; }")
        wording = QLabel(item.text.get(language))
        wording.setWordWrap(True)
        wording.setStyleSheet("font-weight: 600;")
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.not_rated = QRadioButton(_("Not rated"))
        self.not_rated.setToolTip(_("Not assessed, or does not apply: the item does not count."))
        self.not_rated.setChecked(True)
        self._values: dict[QAbstractButton, int | None] = {self.not_rated: None}
        self.group.addButton(self.not_rated)
        row = QHBoxLayout()
        row.setSpacing(14)
        row.addWidget(self.not_rated)
        for option in scale.options:
            button = QRadioButton(option.label.get(language))
            self._values[button] = option.value
            self.group.addButton(button)
            row.addWidget(button)
        row.addStretch(1)
        self.group.buttonToggled.connect(self._toggled)
        self.note = QLineEdit()
        self.note.setPlaceholderText(_("Note (optional)"))
        self.note.setAccessibleName(_("Note on: {item}").format(item=item.text.get(language)))
        self.note.textEdited.connect(lambda _text: self.changed.emit())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 8, 4, 10)
        layout.setSpacing(6)
        layout.addWidget(wording)
        layout.addLayout(row)
        layout.addWidget(self.note)

    def _toggled(self, _button: QAbstractButton, checked: bool) -> None:
        if checked:
            self.changed.emit()

    def value(self) -> int | None:
        checked = self.group.checkedButton()
        return self._values.get(checked) if checked is not None else None

    def set_value(self, value: int | None) -> None:
        for button, option in self._values.items():
            if option == value:
                button.setChecked(True)
                return
        self.not_rated.setChecked(True)

    def button_for(self, value: int | None) -> QRadioButton:
        """The radio button of a scale value (None: "Not rated")."""
        for button, option in self._values.items():
            if option == value and isinstance(button, QRadioButton):
                return button
        raise KeyError(value)


class DomainPage(QScrollArea):
    """A domain's items, its score as answers come, and the assessor's override."""

    answers_changed = Signal()
    override_changed = Signal()

    def __init__(
        self, instrument: Instrument, domain: Domain, language: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.domain = domain
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.setContentsMargins(12, 4, 12, 12)
        title = QLabel(domain.label.get(language))
        title.setStyleSheet("font-size: 15px; font-weight: 600;")
        title.setWordWrap(True)
        layout.addWidget(title)
        explanations = [domain.description.get(language)] if domain.description else []
        if domain.protective:
            explanations.append(_("Strengths: the score measures how much they need building up."))
        for text in explanations:
            label = QLabel(text)
            label.setWordWrap(True)
            label.setStyleSheet(MUTED_STYLE)
            layout.addWidget(label)
        layout.addWidget(self._score_box())
        self.items: dict[str, ItemEditor] = {}
        for item in domain.items:
            editor = ItemEditor(item, instrument.scales[item.scale], language)
            editor.changed.connect(self.answers_changed)
            self.items[item.id] = editor
            layout.addWidget(editor)
        layout.addStretch(1)
        self.setWidget(content)

    def _score_box(self) -> QGroupBox:
        box = QGroupBox(_("Score and priority"))
        self.score_label = QLabel()
        self.score_label.setObjectName(f"score_{self.domain.id}")
        self.answered_label = QLabel()
        self.answered_label.setStyleSheet(MUTED_STYLE)
        self.override_combo = ChoiceCombo()
        entries: list[tuple[str, Any]] = [(_("As computed"), None)]
        entries += [(_(PRIORITY_LABELS[p]).capitalize(), p) for p in Priority]
        self.override_combo.set_choices(entries)
        self.override_combo.currentIndexChanged.connect(self._override_chosen)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(_("Why your judgement differs from the score"))
        self.reason.setEnabled(False)
        self.reason.textEdited.connect(self._reason_edited)
        self.reason_error = QLabel()
        self.reason_error.setStyleSheet(ERROR_STYLE)
        self.reason_error.hide()
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.addRow(self.score_label)
        form.addRow(self.answered_label)
        override_label = QLabel(_("Priority &override:"))
        override_label.setBuddy(self.override_combo)
        reason_label = QLabel(_("&Reason:"))
        reason_label.setBuddy(self.reason)
        form.addRow(override_label, self.override_combo)
        form.addRow(reason_label, self.reason)
        form.addRow("", self.reason_error)
        return box

    # -- values ---------------------------------------------------------------------------

    def answers(self) -> dict[str, int | None]:
        return {
            item_id: value
            for item_id, editor in self.items.items()
            if (value := editor.value()) is not None
        }

    def item_notes(self) -> dict[str, str]:
        return {
            item_id: text
            for item_id, editor in self.items.items()
            if (text := editor.note.text().strip())
        }

    def override(self) -> tuple[Priority, str] | None:
        priority = self.override_combo.value()
        if priority is None:
            return None
        return Priority(priority), self.reason.text().strip()

    def effective_priority(self, computed: Priority | None) -> Priority | None:
        override = self.override()
        return override[0] if override is not None else computed

    def load(
        self,
        answers: Mapping[str, int | None],
        notes: Mapping[str, Any],
        overrides: Mapping[str, Mapping[str, Any]],
    ) -> None:
        for item_id, editor in self.items.items():
            editor.set_value(answers.get(item_id))
            editor.note.setText(str(notes.get(item_id) or ""))
        override = overrides.get(self.domain.id)
        if override is not None:
            self.override_combo.select(Priority(override["priority"]))
            self.reason.setText(str(override.get("reason") or ""))

    # -- display and checks ---------------------------------------------------------------

    def show_score(self, score: DomainScore) -> None:
        self.score_label.setText(score_text(score))
        shown = self.effective_priority(score.priority)
        colour = PRIORITY_COLOURS[shown].name() if shown else "#55606a"
        self.score_label.setStyleSheet(f"font-weight: 600; color: {colour};")
        self.answered_label.setText(
            ngettext(
                "{answered} of {total} item rated",
                "{answered} of {total} items rated",
                score.total,
            ).format(answered=score.answered, total=score.total)
        )

    def check_override(self) -> bool:
        """An override needs a reason; the error is shown beside the reason when missing."""
        override = self.override()
        missing = override is not None and not override[1]
        self.reason_error.setText(_("Overriding a priority needs a reason.") if missing else "")
        self.reason_error.setVisible(missing)
        return not missing

    def _override_chosen(self) -> None:
        chosen = self.override_combo.value() is not None
        self.reason.setEnabled(chosen)
        if not chosen:
            self.reason_error.hide()
        self.override_changed.emit()

    def _reason_edited(self) -> None:
        if self.reason_error.isVisible() and self.reason.text().strip():
            self.reason_error.hide()
        self.override_changed.emit()

    def focus_first_item(self) -> None:
        first = next(iter(self.items.values()), None)
        if first is not None:
            checked = first.group.checkedButton()
            (checked or first.not_rated).setFocus(Qt.FocusReason.OtherFocusReason)
