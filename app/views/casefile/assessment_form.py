"""The needs-assessment form, generated from the instrument file (no domain is hard-coded).

Domains are listed on the side with their live score and priority; the selected
domain's items are on the right, each with its scale as radio buttons and a note. The
scores are recomputed with the pure ``score_assessment`` at every answer, so the
assessor sees the priorities form while talking, and may override one with a reason.
The form lives inside the case file (not in a modal dialog), so it survives a lock.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from PySide6.QtCore import QDate, QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QKeySequence, QPainter, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, current_language, ngettext
from app.instruments import AssessmentScores, Instrument, Priority, load_builtin, score_assessment
from app.services import assessments
from app.services.assessment_entries import AssessmentEntry
from app.services.errors import ServiceError
from app.views.app_state import AppState
from app.views.casefile.assessment_items import DomainPage, score_text
from app.views.charts import PRIORITY_COLOURS, DomainScoresChart, format_score
from app.views.labels import choices
from app.views.record_forms import (
    ChoiceCombo,
    MessageBanner,
    date_edit,
    format_date,
    from_qdate,
    to_qdate,
)
from passerelle_core.enums import AssessmentStage, AssessmentStatus

SUMMARY = "__summary__"


def _dot(colour: QColor) -> QIcon:
    """A small disc in a priority's colour, for the domain list."""
    pixmap = QPixmap(12, 12)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(colour)
    painter.drawEllipse(1, 1, 10, 10)
    painter.end()
    return QIcon(pixmap)


@dataclass(frozen=True)
class FormDraft:
    """What was typed in an assessment form, to carry it over a rebuild of the window
    (a change of language) without saving it."""

    assessment_id: uuid.UUID | None
    stage: object
    assessed_on: QDate
    answers: dict[str, int | None]
    item_notes: dict[str, str]
    overrides: dict[str, dict[str, str]]
    notes: str
    domain_row: int


class AssessmentForm(QWidget):
    """A new assessment (``assessment`` None) or the editing of an existing one."""

    saved = Signal(object)  # the AssessmentEntry written
    closed = Signal()  # saved or cancelled: the section goes back to its overview

    def __init__(
        self,
        state: AppState,
        beneficiary_id: uuid.UUID,
        assessment: AssessmentEntry | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.state, self.beneficiary_id, self.assessment = state, beneficiary_id, assessment
        if assessment is None:
            self.instrument: Instrument = load_builtin(assessments.DEFAULT_INSTRUMENT)
        else:
            self.instrument = load_builtin(assessment.instrument_id, assessment.instrument_version)
        self.language = current_language()
        self.scores: AssessmentScores = score_assessment(self.instrument, {})
        self.dirty = False
        self._unrated_warned = False
        """Saving as completed with unrated domains says which first; saving again confirms."""
        self._build()
        if assessment is not None:
            self._load(assessment)
        else:
            self.stage.select(assessments.suggested_stage(state.ctx, beneficiary_id))
        self._rescore()
        self.dirty = False
        self.domain_list.setCurrentRow(0)

    # -- building -------------------------------------------------------------------------

    def _build(self) -> None:
        today = self.state.ctx.today()
        title = QLabel()
        title.setObjectName("formTitle")
        title.setStyleSheet("font-size: 15px; font-weight: 600;")
        if self.assessment is None:
            title.setText(self.instrument.title.get(self.language))
        else:
            text = _("{title} of {date}").format(
                title=self.instrument.title.get(self.language),
                date=format_date(self.assessment.assessed_on),
            )
            title.setText(text)
        self.stage = ChoiceCombo()
        self.stage.set_choices(choices(AssessmentStage))
        self.assessed_on = date_edit(today, maximum=today)
        self.priorities = QLabel()
        self.priorities.setObjectName("prioritySummary")
        self.priorities.setWordWrap(True)
        header = QFormLayout()
        header.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        stage_label = QLabel(_("S&tage:"))
        stage_label.setBuddy(self.stage)
        date_label = QLabel(_("Assessed &on:"))
        date_label.setBuddy(self.assessed_on)
        row = QHBoxLayout()
        row.addWidget(stage_label)
        row.addWidget(self.stage)
        row.addSpacing(16)
        row.addWidget(date_label)
        row.addWidget(self.assessed_on)
        row.addStretch(1)
        if self.assessment is not None:
            # The service keeps an assessment's stage and date: they are what it is.
            self.stage.setEnabled(False)
            self.assessed_on.setEnabled(False)
        header.addRow(row)
        header.addRow(_("Priority domains:"), self.priorities)

        self.domain_list = QListWidget()
        self.domain_list.setObjectName("domainList")
        self.domain_list.setIconSize(QSize(12, 12))
        self.domain_list.setMinimumWidth(240)
        self.domain_list.setSpacing(2)
        self.domain_list.setWordWrap(True)
        self.domain_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.pages = QStackedWidget()
        self.domain_pages: dict[str, DomainPage] = {}
        for domain in self.instrument.domains:
            page = DomainPage(self.instrument, domain, self.language)
            page.answers_changed.connect(self._answer_changed)
            page.override_changed.connect(self._override_changed)
            self.domain_pages[domain.id] = page
            self.pages.addWidget(page)
            item = QListWidgetItem(domain.label.get(self.language))
            item.setData(Qt.ItemDataRole.UserRole, domain.id)
            self.domain_list.addItem(item)
        self.pages.addWidget(self._summary_page())
        summary_item = QListWidgetItem(_("Summary and notes"))
        summary_item.setData(Qt.ItemDataRole.UserRole, SUMMARY)
        font = summary_item.font()
        font.setBold(True)
        summary_item.setFont(font)
        self.domain_list.addItem(summary_item)
        self.domain_list.currentRowChanged.connect(self.pages.setCurrentIndex)
        splitter = QSplitter()
        splitter.addWidget(self.domain_list)
        splitter.addWidget(self.pages)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([280, 720])

        self.banner = MessageBanner()
        self.cancel_button = QPushButton(_("Cancel"))
        self.draft_button = QPushButton(_("Save as &draft"))
        self.save_button = QPushButton(_("&Save assessment"))
        self.save_button.setDefault(True)
        self.save_button.setToolTip(_("Save the completed assessment (Ctrl+S)"))
        self.cancel_button.clicked.connect(self.cancel)
        self.draft_button.clicked.connect(lambda: self.save(AssessmentStatus.DRAFT))
        self.save_button.clicked.connect(lambda: self.save(AssessmentStatus.COMPLETED))
        save = QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self, self.save)
        save.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.draft_button)
        buttons.addWidget(self.save_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(title)
        layout.addLayout(header)
        layout.addWidget(self.banner)
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)
        QWidget.setTabOrder(self.assessed_on, self.domain_list)

    def _summary_page(self) -> QWidget:
        page = QWidget()
        self.chart = DomainScoresChart()
        self.chart.set_empty_text(_("Rate items to see the domain scores."))
        self.notes = QPlainTextEdit()
        self.notes.setTabChangesFocus(True)
        self.notes.setPlaceholderText(
            _("What the scores do not say: context, the person's own view, what to check.")
        )
        self.notes.setFixedHeight(90)
        self.notes.textChanged.connect(self._mark_dirty)
        notes_label = QLabel(_("General &notes:"))
        notes_label.setBuddy(self.notes)
        hint = QLabel(
            _(
                "Scores are an aid to professional judgement, not a verdict: when your "
                "assessment differs, override the domain's priority on its page and say why."
            )
        )
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #55606a;")
        chart_scroll = QScrollArea()
        chart_scroll.setWidgetResizable(True)
        chart_scroll.setFrameShape(QFrame.Shape.NoFrame)
        chart_scroll.setWidget(self.chart)
        layout = QVBoxLayout(page)
        layout.addWidget(chart_scroll, 1)
        layout.addWidget(hint)
        layout.addWidget(notes_label)
        layout.addWidget(self.notes)
        return page

    def _load(self, assessment: AssessmentEntry) -> None:
        self.stage.select(assessment.stage)
        self.assessed_on.setDate(to_qdate(assessment.assessed_on))
        for page in self.domain_pages.values():
            page.load(assessment.answers, assessment.item_notes, assessment.priority_overrides)
        self.notes.setPlainText(assessment.notes or "")

    def draft(self) -> FormDraft:
        return FormDraft(
            self.assessment.id if self.assessment is not None else None,
            self.stage.value(),
            self.assessed_on.date(),
            self.answers(),
            self.item_notes(),
            self.overrides(),
            self.notes.toPlainText(),
            self.domain_list.currentRow(),
        )

    def restore(self, draft: FormDraft) -> None:
        """Put a draft's input back; the form stays unsaved (dirty) as it was."""
        self.stage.select(draft.stage)
        self.assessed_on.setDate(draft.assessed_on)
        for page in self.domain_pages.values():
            page.load(draft.answers, draft.item_notes, draft.overrides)
        self.notes.setPlainText(draft.notes)
        self._rescore()
        self.domain_list.setCurrentRow(max(draft.domain_row, 0))
        self.dirty = True

    # -- live scores ----------------------------------------------------------------------

    def answers(self) -> dict[str, int | None]:
        """Every rated item's value (unrated items are left out: they do not count)."""
        found: dict[str, int | None] = {}
        for page in self.domain_pages.values():
            found.update(page.answers())
        return found

    def item_notes(self) -> dict[str, str]:
        found: dict[str, str] = {}
        for page in self.domain_pages.values():
            found.update(page.item_notes())
        return found

    def overrides(self) -> dict[str, dict[str, str]]:
        found: dict[str, dict[str, str]] = {}
        for domain_id, page in self.domain_pages.items():
            override = page.override()
            if override is not None:
                priority, reason = override
                found[domain_id] = {"priority": priority.value, "reason": reason}
        return found

    def unrated_domains(self) -> list[str]:
        """Domains with no item rated: their score is unknown, not "no need"."""
        answers = self.answers()
        return [
            domain_id
            for domain_id, page in self.domain_pages.items()
            if not any(answers.get(item) is not None for item in page.items)
        ]

    def _answer_changed(self) -> None:
        self.banner.clear_message()  # a refusal about ratings no longer holds once rated
        self._mark_dirty()
        self._rescore()

    def _override_changed(self) -> None:
        self._mark_dirty()
        self._rescore()

    def _mark_dirty(self) -> None:
        self.dirty = True

    def _rescore(self) -> None:
        self.scores = score_assessment(self.instrument, self.answers())
        by_domain = self.scores.by_domain()
        for row, domain in enumerate(self.instrument.domains):
            score = by_domain[domain.id]
            page = self.domain_pages[domain.id]
            page.show_score(score)
            priority = page.effective_priority(score.priority)
            item = self.domain_list.item(row)
            label = domain.label.get(self.language)
            if score.score is None:
                item.setText(label)
            else:
                shown = _("{domain} — {score}").format(
                    domain=label, score=format_score(score.score)
                )
                item.setText(shown)
            colour = PRIORITY_COLOURS[priority] if priority else QColor("#c4cad0")
            item.setIcon(_dot(colour))
            item.setToolTip(score_text(score, page.override()))
        self._show_priorities()
        domains = [(d.id, d.label.get(self.language)) for d in self.instrument.domains]
        self.chart.set_scores(
            domains, {d: s.score for d, s in by_domain.items()}, self.instrument.thresholds
        )

    def priority_domains(self) -> list[str]:
        """The HIGH domains after overrides, as the service will store them."""
        overrides = self.overrides()
        kept = [d for d in self.scores.priority_domains() if d not in overrides]
        added = [
            d.id
            for d in self.instrument.domains
            if overrides.get(d.id, {}).get("priority") == Priority.HIGH.value
        ]
        return kept + [d for d in added if d not in kept]

    def _show_priorities(self) -> None:
        labels = [
            self.instrument.domain(d).label.get(self.language) for d in self.priority_domains()
        ]
        if labels:
            self.priorities.setText(_(", ").join(labels))
            self.priorities.setStyleSheet("font-weight: 600; color: #8c1d18;")
        else:
            self.priorities.setText(_("None so far (no domain with a high priority)."))
            self.priorities.setStyleSheet("color: #55606a;")

    # -- saving ---------------------------------------------------------------------------

    def show_domain(self, domain_id: str) -> None:
        ids = [d.id for d in self.instrument.domains]
        self.domain_list.setCurrentRow(ids.index(domain_id) if domain_id in ids else len(ids))

    def _check(self) -> bool:
        """What the form can tell before asking the service: reasons for every override."""
        first_bad = None
        for domain_id, page in self.domain_pages.items():
            if not page.check_override() and first_bad is None:
                first_bad = domain_id
        if first_bad is not None:
            self.banner.show_error(_("Overriding a priority needs a reason."))
            self.show_domain(first_bad)
            self.domain_pages[first_bad].reason.setFocus()
            return False
        return True

    def save(self, status: AssessmentStatus = AssessmentStatus.COMPLETED) -> AssessmentEntry | None:
        """Write the assessment; a refusal is shown above the form, which stays as typed."""
        self.banner.clear_message()
        if not self._check():
            return None
        if status is AssessmentStatus.COMPLETED and not self.answers():
            self.banner.show_error(_("Rate at least one item, or save the assessment as a draft."))
            return None
        unrated = self.unrated_domains()
        if status is AssessmentStatus.COMPLETED and unrated and not self._unrated_warned:
            self._unrated_warned = True
            names = _(", ").join(
                self.instrument.domain(d).label.get(self.language) for d in unrated
            )
            self.banner.show_error(
                ngettext(
                    "Not rated yet: {domains}. Save again to complete the assessment all the "
                    "same, or save it as a draft.",
                    "Not rated yet ({count} domains): {domains}. Save again to complete the "
                    "assessment all the same, or save it as a draft.",
                    len(unrated),
                ).format(count=len(unrated), domains=names)
            )
            self.show_domain(unrated[0])
            return None
        ctx = self.state.ctx
        try:
            if self.assessment is None:
                saved = assessments.record(
                    ctx,
                    self.beneficiary_id,
                    self.answers(),
                    item_notes=self.item_notes(),
                    assessed_on=from_qdate(self.assessed_on.date()),
                    stage=self.stage.value(),
                    status=status,
                    notes=self.notes.toPlainText().strip() or None,
                    priority_overrides=self.overrides(),
                    instrument_id=self.instrument.id,
                    instrument_version=self.instrument.version,
                )
            else:
                saved = assessments.update(
                    ctx,
                    self.assessment.id,
                    answers=self.answers(),
                    item_notes=self.item_notes(),
                    notes=self.notes.toPlainText().strip(),
                    status=status,
                    priority_overrides=self.overrides(),
                )
        except ServiceError as error:
            self.banner.show_error(str(error))
            return None
        self.dirty = False
        entry = AssessmentEntry.of(saved)
        self.saved.emit(entry)
        self.closed.emit()
        return entry

    def cancel(self) -> None:
        """Leave the form; what was typed is lost, so ask first when something was."""
        if not self.dirty:
            self.closed.emit()
            return
        from app.views.casefile.consent_panel import confirm

        confirm(
            self,
            _("Discard the assessment"),
            _("Leave this assessment without saving? The answers given so far will be lost."),
            self.closed.emit,
        )

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(1000, 640)
