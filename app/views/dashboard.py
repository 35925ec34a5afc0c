"""The dashboard: this month's indicators for my caseload or my team, and their trend.

Every number comes from ``app.indicators`` (the same module as the reports and the
exports), computed off the GUI thread. Each figure is a button: it lists the cases it
counts (``app.indicators.case_ids``), and a case opens from there.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.i18n import N_, _, ngettext
from app.indicators import Figure, Indicators, Period, Scope, Trend, compute, monthly
from app.indicators.period import add_months
from app.services import activity, reassessment
from app.services.activity import MyActivity, StaffLoad
from app.services.errors import ServiceError
from app.services.reassessment import DueSummary
from app.views.activity_dialog import ActivityReportDialog
from app.views.app_state import AppState
from app.views.bidi import shown
from app.views.case_list_dialog import CaseListDialog
from app.views.dashboard_charts import BarList, TrendChart, month_name
from app.views.export_menu import ExportMenu
from app.views.labels import plan_status_label
from app.views.record_forms import MessageBanner, domain_label
from app.views.report_actions import DocumentJob, preview_activity
from app.views.tasks import run_in_background
from passerelle_core.enums import PlanStatus


@dataclass(frozen=True)
class Card:
    figure: Figure
    title: str  # N_() marked, translated when shown

    def value(self, data: Indicators) -> str:
        if self.figure is Figure.RELEASES_WITH_PLAN:
            ratio = data.releases_with_plan
            return f"{ratio.part} / {ratio.whole}"
        return str(getattr(data, self.figure.value))


CARDS = (
    Card(Figure.FOLLOWED, N_("People followed")),
    Card(Figure.NEW_INTAKES, N_("New intakes")),
    Card(Figure.ASSESSMENTS, N_("Needs assessments")),
    Card(Figure.ACTIVE_PLANS, N_("Active plans")),
    Card(Figure.SESSIONS, N_("Follow-up sessions")),
    Card(Figure.REFERRALS, N_("Referrals sent")),
    Card(Figure.RELEASES_WITH_PLAN, N_("Releases with a plan")),
    Card(Figure.CLOSED_CASES, N_("Cases closed")),
)

CARD_STYLE = """
QPushButton#figure { text-align: left; padding: 10px 14px; border: 1px solid #c9d3dc;
  border-radius: 6px; background: white; font-size: 10.5pt; }
QPushButton#figure:hover { border-color: #1d5c8c; background: #f3f7fb; }
QPushButton#figure:focus { border: 2px solid #1d5c8c; }
"""


@dataclass(frozen=True)
class ScopeChoice:
    label: str
    scope: Scope


def scope_choices(state: AppState) -> list[ScopeChoice]:
    """Supervisors see their team (and the whole profile); staff their own caseload."""
    actor = state.ctx.actor
    mine = ScopeChoice(_("My caseload"), Scope(staff_id=actor.staff_id))
    if not actor.is_supervisor:
        return [mine]
    choices = [ScopeChoice(_("Whole profile"), Scope())]
    if actor.team_id is not None:
        choices.insert(0, ScopeChoice(_("My team"), Scope(team_id=actor.team_id)))
    return [*choices, mine]


class DashboardPage(QWidget):
    open_case = Signal(uuid.UUID, str)
    figures_shown = Signal()

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.month = state.ctx.today().replace(day=1)
        self.data: Indicators | None = None
        self.trend: Trend | None = None
        self.dialog: CaseListDialog | None = None
        self.job: DocumentJob | None = None
        self._generation = 0
        self.setStyleSheet(CARD_STYLE)
        title = QLabel(_("Dashboard"))
        title.setStyleSheet("font-size: 15pt; font-weight: 600;")
        self.scope_box = QComboBox()
        for choice in scope_choices(state):
            self.scope_box.addItem(choice.label, choice.scope)
        self.scope_box.currentIndexChanged.connect(lambda _index: self.refresh())
        self.previous_button = QToolButton()
        self.previous_button.setText(_("Previous month"))
        self.previous_button.clicked.connect(lambda: self.move_month(-1))
        self.next_button = QToolButton()
        self.next_button.setText(_("Next month"))
        self.next_button.clicked.connect(lambda: self.move_month(1))
        self.month_label = QLabel()
        self.month_label.setMinimumWidth(140)
        self.month_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.report_button = QPushButton(_("&Activity report…"))
        self.report_button.clicked.connect(self.ask_activity_report)
        self.export = ExportMenu(state, self, lambda: self.period, lambda: self.scope, self._tell)
        header = QHBoxLayout()
        header.addWidget(title)
        header.addStretch(1)
        header.addWidget(self.scope_box)
        header.addWidget(self.previous_button)
        header.addWidget(self.month_label)
        header.addWidget(self.next_button)
        header.addSpacing(12)
        header.addWidget(self.report_button)
        header.addWidget(self.export.button)
        self.banner = MessageBanner()
        self.cards: dict[Figure, QPushButton] = {}
        grid = QGridLayout()
        grid.setSpacing(10)
        for index, card in enumerate(CARDS):
            button = QPushButton()
            button.setObjectName("figure")
            button.setMinimumHeight(64)
            button.clicked.connect(lambda _checked=False, f=card.figure: self.show_cases(f))
            self.cards[card.figure] = button
            grid.addWidget(button, index // 4, index % 4)
        # The reassessment schedule and attendance, under the cards (issue 20).
        self.follow_up = QLabel()
        self.follow_up.setObjectName("dueAssessments")
        self.follow_up.setWordWrap(True)
        self.needs = BarList()
        self.plans = BarList()
        self.trend_chart = TrendChart()
        self.needs.picked.connect(lambda key: self.show_cases(Figure.NEEDS, key))
        self.plans.picked.connect(lambda key: self.show_cases(Figure.PLAN_STATUS, key))
        charts = QHBoxLayout()
        charts.addWidget(self._boxed(_("People by priority need"), self.needs), 1)
        charts.addWidget(self._boxed(_("Plans by status"), self.plans), 1)
        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.addLayout(grid)
        body_layout.addWidget(self.follow_up)
        body_layout.addLayout(charts)
        body_layout.addWidget(self._boxed(_("The last 12 months"), self.trend_chart))
        self.my_activity = QLabel()
        self.my_activity.setObjectName("myActivity")
        self.my_activity.setWordWrap(True)
        body_layout.addWidget(
            self._boxed(_("My activity this month, on every case"), self.my_activity)
        )
        self.team_table = QTableWidget(0, 4)
        self.team_table.setObjectName("teamLoad")
        self.team_table.setHorizontalHeaderLabels(
            [_("Staff member"), _("Caseload"), _("Plan reviews overdue"), _("Sessions this month")]
        )
        self.team_table.verticalHeader().hide()
        self.team_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.team_table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        self.team_table.horizontalHeader().setStretchLastSection(True)
        self.team_box = self._boxed(_("Counsellors"), self.team_table)
        self.team_box.setVisible(state.ctx.actor.is_supervisor)
        body_layout.addWidget(self.team_box)
        body_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.banner)
        layout.addWidget(scroll, 1)
        self.refresh()

    @staticmethod
    def _boxed(title: str, widget: QWidget) -> QGroupBox:
        box = QGroupBox(title)
        QVBoxLayout(box).addWidget(widget)
        return box

    @property
    def scope(self) -> Scope:
        scope = self.scope_box.currentData()
        return scope if isinstance(scope, Scope) else Scope()

    @property
    def period(self) -> Period:
        return Period.month(self.month)

    def move_month(self, step: int) -> None:
        self.month = add_months(self.month, step)
        self.refresh()

    def refresh(self) -> None:
        """Recompute in the background; an older answer arriving late is dropped."""
        self._generation += 1
        generation = self._generation
        ctx, period, scope, month = self.state.ctx, self.period, self.scope, self.month
        self.month_label.setText(month_name(month))
        self.next_button.setEnabled(month < ctx.today().replace(day=1))
        self.banner.clear_message()

        supervisor = ctx.actor.is_supervisor

        def work() -> tuple[Indicators, Trend, MyActivity, list[StaffLoad], DueSummary]:
            team = activity.team_load(ctx, period) if supervisor else []
            return (
                compute(ctx, period, scope),
                monthly(ctx, month, scope),
                activity.my_activity(ctx, period),
                team,
                reassessment.summary(ctx, scope),
            )

        run_in_background(work, lambda result: self._show(generation, *result), self._failed)

    def _show(
        self,
        generation: int,
        data: Indicators,
        trend: Trend,
        mine: MyActivity | None = None,
        team: list[StaffLoad] | None = None,
        due: DueSummary | None = None,
    ) -> None:
        if generation != self._generation:
            return
        if due is not None:
            self.follow_up.setText(follow_up_text(due, data))
        if mine is not None:
            self.my_activity.setText(activity_text(mine))
        self._show_team(team or [])
        self.data, self.trend = data, trend
        for card in CARDS:
            self.cards[card.figure].setText(shown(f"{card.value(data)}\n{_(card.title)}"))
        needs = sorted(data.needs, key=lambda n: -n.beneficiaries)
        self.needs.set_bars(
            [(n.domain_id, domain_label(n.domain_id), n.beneficiaries) for n in needs]
        )
        self.plans.set_bars(
            [
                (status, plan_label(status), count)
                for status, count in data.plan_status.items()
                if count
            ]
        )
        self.trend_chart.set_months(
            [(m.month, m.followed, m.sessions) for m in trend.months],
            (_("People followed"), _("Sessions")),
        )
        self.figures_shown.emit()

    def _show_team(self, team: list[StaffLoad]) -> None:
        """Supervisors: each counsellor's load, numbers right-aligned, overdue in words."""
        self.team_table.setRowCount(len(team))
        for row, load in enumerate(team):
            cells = [load.name, str(load.caseload), str(load.overdue_reviews), str(load.sessions)]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.team_table.setItem(row, column, item)
        self.team_table.setFixedHeight(
            self.team_table.horizontalHeader().height()
            + sum(self.team_table.rowHeight(r) for r in range(len(team)))
            + 4
        )

    def _failed(self, error: Exception) -> None:
        message = str(error) if isinstance(error, ServiceError) else None
        self.banner.show_error(message or _("The figures could not be computed."))

    def _tell(self, message: str, error: bool) -> None:
        if error:
            self.banner.show_error(message)
        else:
            self.banner.show_info(message)

    def show_cases(self, figure: Figure, key: object = None) -> CaseListDialog:
        title = self._figure_title(figure, key)
        self.dialog = CaseListDialog(self.state, figure, self.period, self.scope, key, title, self)
        self.dialog.open_case.connect(self.open_case)
        self.dialog.show()
        return self.dialog

    def _figure_title(self, figure: Figure, key: object) -> str:
        names = {card.figure: _(card.title) for card in CARDS}
        if figure is Figure.NEEDS:
            return _("Priority need: {domain}").format(domain=domain_label(str(key)))
        if figure is Figure.PLAN_STATUS:
            return _("Plans: {status}").format(status=plan_label(str(key)))
        return names.get(figure, "")

    def ask_activity_report(self) -> DocumentJob | None:
        dialog = ActivityReportDialog(self.state, self.scope, self)
        if dialog.exec() != ActivityReportDialog.DialogCode.Accepted:
            return None
        return self.activity_report(dialog)

    def activity_report(self, dialog: ActivityReportDialog) -> DocumentJob | None:
        try:
            period = dialog.period()
        except ServiceError as error:
            self.banner.show_error(str(error))
            return None
        self.job = preview_activity(
            self, self.state, period, dialog.chosen_scope(), dialog.chosen_language()
        )
        return self.job


def activity_text(mine: MyActivity) -> str:
    """One sentence per kind of work, each count with its noun's plural form."""
    parts = [
        ngettext("{count} session held", "{count} sessions held", mine.sessions),
        ngettext("{count} assessment completed", "{count} assessments completed", mine.assessments),
        ngettext("{count} referral sent", "{count} referrals sent", mine.referrals),
        ngettext("{count} quick note", "{count} quick notes", mine.quick_notes),
        ngettext("on {count} case", "on {count} cases", mine.cases),
    ]
    counts = (mine.sessions, mine.assessments, mine.referrals, mine.quick_notes, mine.cases)
    return " · ".join(part.format(count=n) for part, n in zip(parts, counts, strict=True))


def plan_label(status: str) -> str:
    """A plan status, or the "no plan" breakdown of the indicators."""
    try:
        return plan_status_label(PlanStatus(status))
    except ValueError:
        return _("No plan")


def follow_up_text(due: DueSummary, data: Indicators) -> str:
    """Assessments due by the instrument's schedule, and attendance at appointments."""
    assessments = _("Needs assessments: {overdue} overdue, {soon} due within 30 days").format(
        overdue=due.overdue, soon=due.due_soon
    )
    ratio = data.attendance
    if not ratio.whole:
        return shown(assessments)
    attendance = _("Attendance at appointments: {kept} of {counted} ({percent} %)").format(
        kept=ratio.part, counted=ratio.whole, percent=round(100 * (ratio.share or 0))
    )
    return shown(f"{assessments} · {attendance}")
