"""Likely duplicates: pairs of files that may be one person, for a person to settle.

Listed best first with their score and reasons (from the matching engine). For each
pair: "Compare and merge..." opens both files side by side (app.views.merge_dialog),
"Not a duplicate" records that they are two people (the pair is not proposed again).
Shown to supervisors and to the counsellors of either case (the service filters).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, ngettext
from app.services import audit, duplicates
from app.services.duplicates import LikelyPair
from app.services.errors import ServiceError
from app.views.app_state import AppState
from app.views.labels import person_name
from app.views.merge_dialog import MergeDialog
from app.views.record_forms import EmptyState, MessageBanner, select_first

PAIR_ROLE = Qt.ItemDataRole.UserRole
SCORE, FIRST, SECOND, REASONS = range(4)


class DuplicatesPage(QWidget):
    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.pairs: list[LikelyPair] = []
        self.title = QLabel(_("Likely duplicates"))
        self.title.setStyleSheet("font-size: 17px; font-weight: 600;")
        intro = QLabel(
            _(
                "Files that may be the same person, registered twice (two laptops, two "
                "spellings). Compare them and merge, or record that they are two people."
            )
        )
        intro.setWordWrap(True)
        self.count = QLabel()
        self.banner = MessageBanner()
        self.tree = QTreeWidget()
        self.tree.setObjectName("duplicatePairs")
        self.tree.setHeaderLabels([_("Score"), _("File"), _("Possible duplicate"), _("Reasons")])
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.tree.header()
        header.setSectionResizeMode(SCORE, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(FIRST, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(SECOND, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.tree.itemDoubleClicked.connect(lambda *_args: self.compare())
        self.compare_button = QPushButton(_("&Compare and merge…"))
        self.compare_button.clicked.connect(self.compare)
        self.dismiss_button = QPushButton(_("&Not a duplicate"))
        self.dismiss_button.clicked.connect(self.dismiss)
        self.refresh_button = QPushButton(_("&Refresh"))
        self.refresh_button.clicked.connect(self.refresh)
        actions = QHBoxLayout()
        actions.addWidget(self.compare_button)
        actions.addWidget(self.dismiss_button)
        actions.addStretch(1)
        actions.addWidget(self.refresh_button)

        self.empty = EmptyState(
            _("No likely duplicates"),
            _("Files that may be the same person appear here, after a sync or an import."),
        )
        listing = QWidget()
        listing_layout = QVBoxLayout(listing)
        listing_layout.setContentsMargins(0, 0, 0, 0)
        listing_layout.addWidget(self.tree, 1)
        listing_layout.addLayout(actions)
        self.stack = QStackedWidget()
        self.stack.addWidget(listing)
        self.stack.addWidget(self.empty)

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(intro)
        layout.addWidget(self.count)
        layout.addWidget(self.banner)
        layout.addWidget(self.stack, 1)
        self.refresh()

    def refresh(self) -> None:
        self.pairs = duplicates.likely_pairs(self.state.ctx)
        shown = (i for pair in self.pairs for i in (pair.first_id, pair.second_id))
        audit.record_shown(self.state.ctx, "beneficiary", shown)  # as the command line does
        self.tree.clear()
        for pair in self.pairs:
            item = QTreeWidgetItem(
                [
                    str(pair.score),
                    person_name(*pair.first_names),
                    person_name(*pair.second_names),
                    " · ".join(pair.reasons),
                ]
            )
            item.setData(SCORE, PAIR_ROLE, pair)
            item.setTextAlignment(SCORE, Qt.AlignmentFlag.AlignCenter)
            self.tree.addTopLevelItem(item)
        self.count.setText(
            ngettext("{n} pair to look at", "{n} pairs to look at", len(self.pairs)).format(
                n=len(self.pairs)
            )
        )
        self.stack.setCurrentIndex(0 if self.pairs else 1)
        select_first(self.tree)

    def current_pair(self) -> LikelyPair | None:
        item = self.tree.currentItem()
        return None if item is None else item.data(SCORE, PAIR_ROLE)

    def open_merge(self) -> MergeDialog | None:
        """The merge dialog of the selected pair (not shown): tests and ``compare``."""
        pair = self.current_pair()
        if pair is None:
            return None
        return MergeDialog(self.state, pair.first_id, pair.second_id, self)

    def compare(self) -> None:
        dialog = self.open_merge()
        if dialog is None:
            return
        dialog.exec()
        if dialog.merged:
            self.banner.show_info(_("The two files were merged."))
            self.refresh()

    def dismiss(self) -> None:
        pair = self.current_pair()
        if pair is None:
            return
        try:
            duplicates.dismiss(self.state.ctx, pair.first_id, pair.second_id)
        except ServiceError as error:
            self.banner.show_error(str(error))
            return
        self.banner.show_info(_("Recorded: these two files are two different people."))
        self.refresh()
