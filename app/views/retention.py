"""Retention of closed cases: the preview list, then the run, for administrators.

Nothing is erased before the administrator has seen the list: the dialog shows the
cases past their period (with the rule from the server's policy) and runs exactly those
(``retention.run(confirmed=...)``) after a confirmation. A supervisor sees the list but
cannot run it. The run happens off the GUI thread.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, ngettext
from app.security.permissions import Permission, may
from app.services import retention
from app.services.errors import ServiceError
from app.services.retention import DueCase, RetentionReport, RetentionRule
from app.views.app_state import AppState
from app.views.casefile.consent_panel import confirm
from app.views.record_forms import MessageBanner, format_date
from app.views.tasks import run_in_background
from passerelle_core.enums import RetentionAction

ROLE = Qt.ItemDataRole.UserRole


def action_label(action: RetentionAction) -> str:
    return _("Anonymise") if action is RetentionAction.ANONYMISE else _("Purge")


def rule_text(rule: RetentionRule) -> str:
    if rule.action is RetentionAction.PURGE:
        text = ngettext(
            "Closed cases are purged {days} day after closing.",
            "Closed cases are purged {days} days after closing.",
            rule.days,
        )
    else:
        text = ngettext(
            "Closed cases are anonymised {days} day after closing.",
            "Closed cases are anonymised {days} days after closing.",
            rule.days,
        )
    return text.format(days=rule.days)


class RetentionDialog(QDialog):
    """``finished_run`` carries the RetentionReport once a run is done."""

    finished_run = Signal(object)

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.due: list[DueCase] = []
        self.setWindowTitle(_("Retention of closed cases"))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(720, 460)
        self.rules = QLabel()
        self.rules.setWordWrap(True)
        self.banner = MessageBanner()
        self.table = QTreeWidget()
        self.table.setRootIsDecorated(False)
        self.table.setHeaderLabels(
            [_("Beneficiary"), _("Closed on"), _("Period ended"), _("Action")]
        )
        self.table.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.run_button = QPushButton()
        self.run_button.clicked.connect(self.ask_to_run)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.run_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.run_button.setVisible(may(state.ctx, Permission.RUN_RETENTION))  # after adding
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.rules)
        layout.addWidget(self.banner)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.reload()

    def reload(self) -> None:
        ctx = self.state.ctx
        rules = retention.current_rules(ctx)
        if rules:
            self.rules.setText("\n".join(rule_text(rule) for rule in rules))
        else:
            self.rules.setText(
                _("No retention period has been received from the server yet: every case is kept.")
            )
        self.due = retention.preview(ctx)
        self.table.clear()
        for case in self.due:
            item = QTreeWidgetItem(
                [
                    case.name,
                    format_date(case.closed_on),
                    format_date(case.due_on),
                    action_label(case.action),
                ]
            )
            item.setData(0, ROLE, case.beneficiary_id)
            self.table.addTopLevelItem(item)
        count = len(self.due)
        self.run_button.setText(
            ngettext("&Apply to {count} case…", "&Apply to {count} cases…", count).format(
                count=count
            )
        )
        self.run_button.setEnabled(count > 0)
        if not count:
            self.banner.show_info(_("No closed case is past its retention period."))

    def ask_to_run(self) -> QDialog:
        text = _(
            "The identity of these people will be erased (anonymise) or their files deleted "
            "(purge), on this laptop and, at the next sync, on the server. This cannot be "
            "undone. Continue?"
        )
        return confirm(self, _("Retention of closed cases"), text, self.run)

    def run(self) -> None:
        ctx, confirmed = self.state.ctx, [case.beneficiary_id for case in self.due]
        self.run_button.setEnabled(False)
        run_in_background(lambda: retention.run(ctx, confirmed=confirmed), self._done, self._failed)

    def _done(self, report: RetentionReport) -> None:
        self.reload()
        self.banner.show_info(
            _("{anonymised}, {purged} ({records}).").format(
                anonymised=ngettext(
                    "{count} case anonymised", "{count} cases anonymised", report.anonymised
                ).format(count=report.anonymised),
                purged=ngettext(
                    "{count} case purged", "{count} cases purged", report.purged
                ).format(count=report.purged),
                records=ngettext("{count} record", "{count} records", report.records).format(
                    count=report.records
                ),
            )
        )
        self.finished_run.emit(report)

    def _failed(self, error: Exception) -> None:
        self.run_button.setEnabled(bool(self.due))
        if isinstance(error, ServiceError):
            self.banner.show_error(str(error))
        else:
            self.banner.show_error(_("Retention could not run. Nothing was changed."))
