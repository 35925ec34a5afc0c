"""The case file of one beneficiary: one tab per section, all reading through services.

Each section is a :class:`~app.views.casefile.section.CaseSection`, built as
``Section(state, beneficiary_id)``; when one section saves (its ``changed`` signal), the
others reload (the timeline, the identity header...). Sections are built when their tab
is first shown, so opening a case costs one section, not six.
"""

from __future__ import annotations

import html
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QDialog, QLabel, QLineEdit, QTabWidget, QVBoxLayout, QWidget

from app.i18n import _, current_language
from app.services import audit, beneficiaries
from app.views.app_state import AppState
from app.views.bidi import protect_tree, shown
from app.views.labels import short_person_name

if TYPE_CHECKING:
    from app.views.casefile.section import CaseSection

SectionFactory = Callable[[AppState, uuid.UUID], "CaseSection"]


def _sections() -> list[tuple[str, Callable[[], str], SectionFactory]]:
    from app.views.casefile.assessment import AssessmentSection
    from app.views.casefile.documents import DocumentsSection
    from app.views.casefile.identity import IdentitySection
    from app.views.casefile.plan import PlanSection
    from app.views.casefile.referrals import ReferralsSection
    from app.views.casefile.sessions import SessionsSection
    from app.views.casefile.timeline import TimelineSection

    return [
        ("identity", lambda: _("Identity and consent"), IdentitySection),
        ("assessment", lambda: _("Needs assessment"), AssessmentSection),
        ("plan", lambda: _("Action plan"), PlanSection),
        ("sessions", lambda: _("Follow-up sessions"), SessionsSection),
        ("referrals", lambda: _("Referrals"), ReferralsSection),
        ("documents", lambda: _("Documents"), DocumentsSection),
        ("timeline", lambda: _("Timeline"), TimelineSection),
    ]


@dataclass(frozen=True)
class CaseKept:
    """An open case file as the window had it: which tab, and any unsaved form input."""

    beneficiary_id: uuid.UUID
    section: str
    assessment_draft: object | None  # assessment_form.FormDraft


class CaseFileView(QWidget):
    def __init__(
        self, state: AppState, beneficiary_id: uuid.UUID, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.state = state
        self.beneficiary_id = beneficiary_id
        self.header = QLabel()
        self.header.setObjectName("caseHeader")
        self.tabs = QTabWidget()
        self.sections: dict[str, CaseSection] = {}
        self._keys: list[str] = []
        self._factories: dict[str, SectionFactory] = {}
        for key, title, factory in _sections():
            self._keys.append(key)
            self._factories[key] = factory
            self.tabs.addTab(QWidget(), title())
        self.tabs.currentChanged.connect(self._build_at)
        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addWidget(self.tabs, 1)
        self._update_header()
        self._build_at(0)
        audit.open_case(state.ctx, beneficiary_id)  # the access log: who opened which case

    def title(self) -> str:
        person = beneficiaries.get(self.state.ctx, self.beneficiary_id)
        return short_person_name(person.display_name, person.display_name_ar)

    def keep(self) -> CaseKept:
        """The tab shown and unsaved input, to open the case again the same way."""
        key = self._keys[self.tabs.currentIndex()]
        draft = None
        assessment = self.sections.get("assessment")
        unsaved = getattr(assessment, "unsaved", None)
        if unsaved is not None:
            draft = unsaved()
        return CaseKept(self.beneficiary_id, key, draft)

    def restore(self, kept: CaseKept) -> None:
        if kept.assessment_draft is not None:
            section = self.section("assessment")
            resume = getattr(section, "resume", None)
            if resume is not None:
                resume(kept.assessment_draft)
        self.show_section(kept.section)

    def section(self, key: str) -> CaseSection:
        """The section widget, built now if its tab was never shown."""
        return self._build_at(self._keys.index(key))

    def show_section(self, key: str) -> None:
        if key in self._keys:
            self.tabs.setCurrentWidget(self.section(key))

    def _build_at(self, index: int) -> CaseSection:
        key = self._keys[index]
        if key in self.sections:
            return self.sections[key]
        section = self._factories[key](self.state, self.beneficiary_id)
        protect_tree(section)  # phones, references, dates whole in Arabic cells
        section.changed.connect(self._section_changed)
        self.sections[key] = section
        current = self.tabs.currentIndex()
        placeholder = self.tabs.widget(index)
        self.tabs.blockSignals(True)
        self.tabs.removeTab(index)
        self.tabs.insertTab(index, section, _sections()[index][1]())
        self.tabs.setCurrentIndex(current)
        self.tabs.blockSignals(False)
        if placeholder is not None:
            placeholder.deleteLater()
        return section

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt API
        self._build_at(self.tabs.currentIndex())  # its sections were let go while hidden
        super().showEvent(event)

    def let_go(self) -> int:
        """While this case file is hidden, give back its sections' widgets (a case file's
        tab costs ~2 MiB of Qt widgets) unless one holds input not yet saved: a form or
        a dialog open, an identity being edited. They are built again when shown.
        Returns how many sections were let go."""
        gone = 0
        current = self.tabs.currentIndex()
        self.tabs.blockSignals(True)
        for key, section in list(self.sections.items()):
            if not _quiet(section):
                continue
            index = self._keys.index(key)
            del self.sections[key]
            self.tabs.removeTab(index)
            self.tabs.insertTab(index, QWidget(), _sections()[index][1]())
            section.changed.disconnect(self._section_changed)
            section.deleteLater()
            gone += 1
        self.tabs.setCurrentIndex(current)
        self.tabs.blockSignals(False)
        return gone

    def follow_changes(self) -> None:
        """The case changed elsewhere (a pull, another screen): every section built so far
        reads again; a section being edited keeps what is typed (its ``reload`` says so)."""
        for section in self.sections.values():
            section.reload()
        self._update_header()

    def _section_changed(self) -> None:
        sender = self.sender()
        for section in self.sections.values():
            if section is not sender:
                section.reload()
        self._update_header()

    def _update_header(self) -> None:
        person = beneficiaries.get(self.state.ctx, self.beneficiary_id)
        arabic = html.escape(person.display_name_ar or "")
        latin = html.escape(person.display_name)
        details = html.escape(
            shown(" · ".join(p for p in (person.cin, person.registration_number) if p))
        )
        names = (
            f"<span dir='rtl'>{arabic}</span> — <span dir='ltr'>{latin}</span>"
            if arabic and current_language() == "ar"
            else f"{latin} <span dir='rtl'>{arabic}</span>"
        )
        self.header.setText(f"<h2>{names}</h2><p>{details}</p>")


def _quiet(section: CaseSection) -> bool:
    """Nothing typed and unsaved in ``section``: no form over it, no dialog open, no
    identity being edited (the nothing-lost rule: such a section is never let go)."""
    if section.over is not None or getattr(section, "editing", False):
        return False
    if getattr(section, "form", None) is not None:
        return False
    if section.dialog is not None and section.dialog.isVisible():
        return False
    typed = getattr(section, "filter", None)  # the timeline's search: kept as typed
    if isinstance(typed, QLineEdit) and typed.text():
        return False
    return not any(dialog.isVisible() for dialog in section.findChildren(QDialog))
