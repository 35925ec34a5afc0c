"""The timeline section: everything that happened on the case, newest first.

Read from ``app.services.timeline``, which decides what the actor may see (never the
text of a session note). Enter or a double-click opens the section an event belongs to.
"""

from __future__ import annotations

import uuid

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QWidget,
)

from app.i18n import N_, _, ngettext
from app.services import timeline
from app.services.timeline import TimelineEvent
from app.views.app_state import AppState
from app.views.casefile.section import CaseSection
from app.views.record_forms import ChoiceCombo, EmptyState, format_date

# The filter's families of events: (label, kinds).
FAMILIES: tuple[tuple[str, frozenset[str]], ...] = (
    (N_("Intake and consent"), frozenset({"intake", "consent_given", "consent_withdrawn"})),
    (N_("Needs assessments"), frozenset({"assessment"})),
    (
        N_("Action plan"),
        frozenset(
            {
                "plan_created",
                "plan_approved",
                "plan_activated",
                "plan_review",
                "plan_closed",
                "goal_achieved",
                "goal_abandoned",
                "action_done",
            }
        ),
    ),
    (N_("Follow-up sessions"), frozenset({"session", "quick_note", "appointment_missed"})),
    (N_("Referrals"), frozenset({"referral_sent", "referral_status"})),
    (N_("Meeting decisions"), frozenset({"meeting_decision"})),
    (N_("Release and after"), frozenset({"release", "outcome", "case_closed"})),
)


def reveal_section(widget: QWidget, key: str) -> bool:
    """Bring forward section ``key`` of the case file holding ``widget`` (if it is in one)."""
    parent = widget.parentWidget()
    while parent is not None:
        show_section = getattr(parent, "show_section", None)
        if callable(show_section):
            show_section(key)
            return True
        parent = parent.parentWidget()
    return False


class TimelineSection(CaseSection):
    """Read only: ``changed`` is never emitted; the filter bar stays above the events."""

    section_requested = Signal(str)

    def __init__(
        self, state: AppState, beneficiary_id: uuid.UUID, parent: QWidget | None = None
    ) -> None:
        super().__init__(state, beneficiary_id, parent)
        self.events: list[TimelineEvent] = []
        self.family = ChoiceCombo()
        self.family.set_choices([(_("All events"), None)] + [(_(n), k) for n, k in FAMILIES])
        self.family.currentIndexChanged.connect(self._fill)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText(_("Filter by word"))
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self._fill)
        family_label = QLabel(_("&Show:"))
        family_label.setBuddy(self.family)
        self.count = QLabel()
        self.count.setStyleSheet("color: #55606a;")
        bar = QHBoxLayout()
        bar.addWidget(family_label)
        bar.addWidget(self.family)
        bar.addWidget(self.filter, 1)
        bar.addWidget(self.count)
        self.tree = QTreeWidget()
        self.tree.setObjectName("timeline")
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setHeaderLabels([_("Date"), _("Event"), _("Details")])
        header = self.tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(1, 340)
        header.setStretchLastSection(True)
        self.tree.itemActivated.connect(self._activated)
        empty = EmptyState(
            _("Nothing matches"), _("No event of this kind on the case. Show all events.")
        )
        self.lay_out(empty, [], self.tree, above=[bar])
        self.reload()

    def reload(self) -> None:
        self.events = timeline.events(self.state.ctx, self.beneficiary_id)
        self._fill()

    def shown_events(self) -> list[TimelineEvent]:
        kinds = self.family.value()
        words = self.filter.text().casefold().split()
        shown = []
        for event in self.events:
            if kinds is not None and event.kind not in kinds:
                continue
            text = f"{event.title} {event.detail or ''}".casefold()
            if all(word in text for word in words):
                shown.append(event)
        return shown

    def _fill(self) -> None:
        shown = self.shown_events()
        self.tree.clear()
        for event in shown:
            item = QTreeWidgetItem([format_date(event.when), event.title, event.detail or ""])
            item.setData(0, Qt.ItemDataRole.UserRole, event.section)
            item.setToolTip(1, event.title)
            if event.detail:
                item.setToolTip(2, event.detail)
            self.tree.addTopLevelItem(item)
        first = self.tree.topLevelItem(0)
        if first is not None:
            self.tree.setCurrentItem(first)
        self.show_content(bool(shown))
        self.count.setText(ngettext("{n} event", "{n} events", len(shown)).format(n=len(shown)))

    def _activated(self, item: QTreeWidgetItem, _column: int) -> None:
        section = item.data(0, Qt.ItemDataRole.UserRole)
        if section and section != "timeline":
            self.section_requested.emit(section)
            reveal_section(self, section)
