"""The needs-assessment section: past assessments, their scores over time, and the form.

Consent is enforced here before the service refuses: without an active consent to
assessment, "New assessment" is disabled and the section says what to do. The form
opens inside the section, so an assessment in progress survives a lock of the window.
"""

from __future__ import annotations

import uuid

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, current_language
from app.instruments import load_builtin
from app.models import NeedsAssessment
from app.services import assessment_entries, assessments, consent_entries, organisation
from app.services.assessment_entries import AssessmentEntry
from app.views.app_state import AppState
from app.views.casefile.assessment_form import AssessmentForm, FormDraft
from app.views.casefile.section import CaseSection, button_row
from app.views.casefile.timeline import reveal_section
from app.views.casefile.voiding import VoidDialog, mark_voided, voided_caption
from app.views.charts import ChartSeries, DomainHistoryChart
from app.views.labels import label
from app.views.record_forms import EmptyState, format_date
from passerelle_core.enums import ConsentPurpose


class AssessmentSection(CaseSection):
    """Past assessments and their chart; the form opens in their place (open_page)."""

    def __init__(
        self, state: AppState, beneficiary_id: uuid.UUID, parent: QWidget | None = None
    ) -> None:
        super().__init__(state, beneficiary_id, parent)
        self.assessments: list[AssessmentEntry] = []
        self.form: AssessmentForm | None = None
        self.has_consent = False
        self._overview()
        self.reload()

    # -- building -------------------------------------------------------------------------

    def _overview(self) -> None:
        self.consent_note = QLabel(
            _(
                "The person has not consented to a needs assessment (or withdrew their "
                "consent). Record their consent in “Identity and consent” first."
            )
        )
        self.consent_note.setObjectName("consentNote")
        self.consent_note.setWordWrap(True)
        self.consent_button = QPushButton(_("Go to &consent"))
        self.consent_button.clicked.connect(lambda: reveal_section(self, "identity"))
        self.consent_box = QFrame()
        self.consent_box.setObjectName("consentBox")
        self.consent_box.setStyleSheet(
            "#consentBox { background: #fbf0d9; border-radius: 4px; } "
            "#consentBox QLabel { color: #7a4f00; }"
        )
        consent_row = QHBoxLayout(self.consent_box)
        consent_row.addWidget(self.consent_note, 1)
        consent_row.addWidget(self.consent_button)
        self.new_button = QPushButton(_("&New assessment"))
        self.new_button.clicked.connect(self.new_assessment)
        self.open_button = QPushButton(_("&Open"))
        self.open_button.setToolTip(_("Continue or correct the selected assessment"))
        self.open_button.clicked.connect(self.open_selected)
        self.void_button = QPushButton(_("Ca&ncel this entry…"))
        self.void_button.setToolTip(_("For an assessment recorded by mistake"))
        self.void_button.clicked.connect(self.void_selected)

        self.list = QTreeWidget()
        self.list.setObjectName("assessments")
        self.list.setRootIsDecorated(False)
        self.list.setAlternatingRowColors(True)
        self.list.setUniformRowHeights(True)
        self.list.setHeaderLabels(
            [_("Date"), _("Stage"), _("Status"), _("Assessor"), _("Priority domains")]
        )
        header = self.list.header()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.list.itemActivated.connect(lambda _item, _column: self.open_selected())
        self.list.itemSelectionChanged.connect(self._update_buttons)
        list_box = QGroupBox(_("Assessments"))
        QVBoxLayout(list_box).addWidget(self.list)

        self.chart = DomainHistoryChart()
        chart_scroll = QScrollArea()
        chart_scroll.setWidgetResizable(True)
        chart_scroll.setFrameShape(QFrame.Shape.NoFrame)
        chart_scroll.setWidget(self.chart)
        chart_box = QGroupBox(_("Domain scores over time"))
        chart_layout = QVBoxLayout(chart_box)
        chart_layout.addWidget(chart_scroll)
        hint = QLabel(_("0 = no need, 100 = the highest need; dashed lines: priority thresholds."))
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #55606a;")
        chart_layout.addWidget(hint)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(list_box)
        splitter.addWidget(chart_box)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([150, 450])

        empty = EmptyState(
            _("No needs assessment yet"),
            _(
                "An assessment rates each need domain with the person; its priorities "
                "then guide the action plan."
            ),
        )
        # The buttons stay in view on the empty state: "New assessment" is its way out.
        buttons = button_row([self.new_button, self.open_button, self.void_button])
        self.lay_out(empty, [], splitter, above=[self.consent_box, buttons])

    # -- reading --------------------------------------------------------------------------

    def reload(self) -> None:
        """Refresh the overview; a form being filled in is left exactly as it is."""
        ctx = self.state.ctx
        records = consent_entries.entries_for(ctx, self.beneficiary_id)
        self.has_consent = consent_entries.has_active(records, ConsentPurpose.ASSESSMENT)
        self.consent_box.setVisible(not self.has_consent)
        self.assessments = assessment_entries.entries_for(ctx, self.beneficiary_id)
        self._fill_list()
        self._fill_chart()
        self.show_content(bool(self.assessments))
        self._update_buttons()

    def _fill_list(self) -> None:
        names = organisation.staff_names(self.state.ctx)
        language = current_language()
        self.list.clear()
        for assessment in reversed(self.assessments):  # newest first
            instrument = load_builtin(assessment.instrument_id, assessment.instrument_version)
            labels = {d.id: d.label.get(language) for d in instrument.domains}
            priorities = _(", ").join(labels.get(d, d) for d in assessment.priority_domains)
            item = QTreeWidgetItem(
                [
                    format_date(assessment.assessed_on),
                    label(assessment.stage),
                    label(assessment.status),
                    names.get(assessment.assessor_id, "") if assessment.assessor_id else "",
                    priorities or "—",
                ]
            )
            item.setData(0, Qt.ItemDataRole.UserRole, assessment.id)
            item.setToolTip(4, priorities)
            if assessment.voided:
                item.setText(2, voided_caption(assessment.void_reason))
                mark_voided(item, 5)
            self.list.addTopLevelItem(item)
        first = self.list.topLevelItem(0)
        if first is not None:
            self.list.setCurrentItem(first)

    def _fill_chart(self) -> None:
        completed = [a for a in self.assessments if a.counted]
        instrument = load_builtin(assessments.DEFAULT_INSTRUMENT)
        if completed:
            latest = completed[-1]
            instrument = load_builtin(latest.instrument_id, latest.instrument_version)
        language = current_language()
        domains = [(d.id, d.label.get(language)) for d in instrument.domains]
        series = [
            ChartSeries(
                _("{date} ({stage})").format(date=format_date(a.assessed_on), stage=label(a.stage)),
                {e["domain_id"]: e.get("score") for e in a.scores.get("domains", [])},
            )
            for a in completed
        ]
        self.chart.set_empty_text(_("Completed assessments will be charted here."))
        self.chart.set_history(domains, series, instrument.thresholds)

    def selected(self) -> AssessmentEntry | None:
        items = self.list.selectedItems()
        if not items:
            return None
        wanted = items[0].data(0, Qt.ItemDataRole.UserRole)
        return next((a for a in self.assessments if a.id == wanted), None)

    def _update_buttons(self) -> None:
        editing = self.form is not None
        self.new_button.setEnabled(self.has_consent and not editing)
        self.open_button.setEnabled(
            self.has_consent and not editing and self.selected() is not None
        )
        chosen = self.selected()
        self.void_button.setEnabled(not editing and chosen is not None and not chosen.voided)
        if not self.has_consent:
            self.new_button.setToolTip(_("The person's consent to assessment is needed first."))
        else:
            self.new_button.setToolTip("")

    def void_selected(self) -> VoidDialog | None:
        """Cancel the selected assessment, recorded by mistake (kept, marked, not counted)."""
        chosen = self.selected()
        if chosen is None:
            return None
        dialog = VoidDialog(self.state, NeedsAssessment, chosen.id, self)
        self.open_dialog(dialog)
        return dialog

    # -- the form -------------------------------------------------------------------------

    def new_assessment(self) -> AssessmentForm | None:
        if not self.has_consent:
            return None
        return self._show_form(None)

    def open_selected(self) -> AssessmentForm | None:
        assessment = self.selected()
        if assessment is None or not self.has_consent:
            return None
        return self._show_form(assessment)

    def _show_form(self, assessment: AssessmentEntry | None) -> AssessmentForm:
        if self.form is not None:
            return self.form
        self.banner.clear_message()
        form = AssessmentForm(self.state, self.beneficiary_id, assessment)
        form.saved.connect(self._saved)
        form.closed.connect(self._close_form)
        self.form = form
        self.open_page(form)
        form.domain_list.setFocus()
        return form

    def unsaved(self) -> FormDraft | None:
        """The input of an open form that was changed and not saved, if any."""
        if self.form is None or not self.form.dirty:
            return None
        return self.form.draft()

    def resume(self, draft: FormDraft) -> AssessmentForm | None:
        """Open the form again (new or the same assessment) with the draft's input."""
        assessment = None
        if draft.assessment_id is not None:
            assessment = next(
                (a for a in assessment_entries.entries_for(self.state.ctx, self.beneficiary_id)
                 if a.id == draft.assessment_id),
                None,
            )  # fmt: skip
            if assessment is None:
                return None
        form = self._show_form(assessment)
        form.restore(draft)
        return form

    def _saved(self, _assessment: AssessmentEntry) -> None:
        self.banner.show_info(_("The assessment was saved."))
        self.changed.emit()

    def _close_form(self) -> None:
        self.form = None
        self.close_page()
