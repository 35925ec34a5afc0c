"""Documents and figures from the desktop client: the plan printed from the case file,
the activity report and the exports from the dashboard, the dashboard's figures and the
cases behind them. Real widgets offscreen, real PDFs read back."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter
from pytestqt.qtbot import QtBot

from app.indicators import Figure, Period, Scope, case_ids, compute
from app.reports.exports import ExportFormat
from app.services import beneficiaries
from app.services.context import ServiceContext
from app.settings import Settings
from app.store.profile import Profile
from app.views.activity_dialog import ActivityReportDialog
from app.views.app_state import AppState
from app.views.casefile.plan import PlanSection
from app.views.dashboard import CARDS, DashboardPage
from app.views.pdf_preview import PdfPreviewDialog, page_count
from app.views.record_forms import to_qdate
from app.views.report_actions import DocumentJob
from passerelle_core.enums import StaffRole
from tests.reports.conftest import PlannedCase, has_words, pdf_text

WAIT_MS = 20_000


def _state(profile: Profile, ctx: ServiceContext) -> AppState:
    return AppState(profile, ctx, Settings())


def _preview(qtbot: QtBot, job: DocumentJob) -> PdfPreviewDialog:
    qtbot.waitUntil(lambda: job.preview is not None or job.error is not None, timeout=WAIT_MS)
    assert job.error is None, job.error
    preview = job.preview
    assert preview is not None
    qtbot.addWidget(preview)
    return preview


def test_the_plan_is_previewed_printed_and_saved_without_a_temporary_file(
    qtbot: QtBot, profile: Profile, ctx: ServiceContext, planned_case: PlannedCase, tmp_path: Path
) -> None:
    section = PlanSection(_state(profile, ctx), planned_case.beneficiary_id)
    qtbot.addWidget(section)
    assert section.print_button.isEnabled()
    preview = _preview(qtbot, section.print_plan("fr"))
    qtbot.waitUntil(lambda: len(preview.page_labels()) > 0, timeout=WAIT_MS)
    pages = page_count(preview.data)
    assert len(preview.page_labels()) == pages >= 1
    assert preview.file_name == "plan-fr.pdf"

    saved = tmp_path / "plan.pdf"
    preview.save_to(saved)
    text = pdf_text(saved)
    assert has_words(text, "Youssef") and has_words(text, planned_case.actions[0])

    printed = tmp_path / "printed.pdf"
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(printed))
    preview.print_to(printer)
    assert page_count(printed.read_bytes()) == pages  # every page went to the printer


def test_a_plan_that_cannot_be_printed_is_refused_with_the_reason(
    qtbot: QtBot, profile: Profile, ctx: ServiceContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[str] = []
    monkeypatch.setattr(
        "app.views.report_actions.QMessageBox.warning",
        lambda _parent, _title, text: shown.append(text),
    )
    person = beneficiaries.register(ctx, {"last_name": "Sans", "first_name": "Plan"})
    section = PlanSection(_state(profile, ctx), person.id)
    qtbot.addWidget(section)
    job = section.print_plan("ar")
    qtbot.waitUntil(lambda: job.error is not None, timeout=WAIT_MS)
    assert job.preview is None and shown == [job.error]
    assert "plan" in shown[0].lower()


def _dashboard(qtbot: QtBot, profile: Profile, ctx: ServiceContext) -> DashboardPage:
    page = DashboardPage(_state(profile, ctx))
    qtbot.addWidget(page)
    page.resize(1200, 800)
    page.show()
    qtbot.waitUntil(lambda: page.data is not None, timeout=WAIT_MS)
    return page


def test_dashboard_figures_are_the_indicators_and_open_their_cases(
    qtbot: QtBot, profile: Profile, ctx: ServiceContext, planned_case: PlannedCase
) -> None:
    page = _dashboard(qtbot, profile, ctx)
    expected = compute(ctx, Period.month(ctx.today()), Scope(staff_id=ctx.actor.staff_id))
    for card in CARDS:
        assert page.cards[card.figure].text().split("\n")[0] == card.value(expected)
    assert expected.active_plans == 1

    dialog = page.show_cases(Figure.ACTIVE_PLANS)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.tree.topLevelItemCount() > 0, timeout=WAIT_MS)
    item = dialog.tree.topLevelItem(0)
    assert item is not None and item.text(0) == "BENNANI Youssef"
    with qtbot.waitSignal(page.open_case) as opened:
        qtbot.keyClick(dialog.tree, Qt.Key.Key_Return)
    assert opened.args == [planned_case.beneficiary_id, ""]

    [need] = [key for key in page.needs.buttons if key == "housing"]
    listed = page.show_cases(Figure.NEEDS, need)
    qtbot.addWidget(listed)
    period, scope = page.period, page.scope
    wanted = case_ids(ctx, Figure.NEEDS, period, scope, key="housing")
    qtbot.waitUntil(lambda: listed.tree.topLevelItemCount() == len(wanted) > 0, timeout=WAIT_MS)


def test_a_supervisor_sees_the_team_and_moves_between_months(
    qtbot: QtBot,
    profile: Profile,
    ctx: ServiceContext,
    colleague: object,
    planned_case: PlannedCase,
) -> None:
    supervisor = colleague(StaffRole.SUPERVISOR)  # type: ignore[operator]
    page = _dashboard(qtbot, profile, supervisor)
    assert page.scope == Scope(team_id=ctx.actor.team_id)
    assert page.cards[Figure.ACTIVE_PLANS].text().startswith("1\n")
    assert not page.next_button.isEnabled()  # no figures from the future
    page.move_month(-1)
    qtbot.waitUntil(lambda: page.data is not None and page.data.period == page.period)
    assert page.next_button.isEnabled()


def test_the_activity_report_and_the_exports_agree(
    qtbot: QtBot, profile: Profile, ctx: ServiceContext, planned_case: PlannedCase, tmp_path: Path
) -> None:
    page = _dashboard(qtbot, profile, ctx)
    dialog = ActivityReportDialog(page.state, page.scope, page)
    qtbot.addWidget(dialog)
    today = ctx.today()
    dialog.start.setDate(to_qdate(today.replace(day=1)))
    dialog.end.setDate(to_qdate(today))
    job = page.activity_report(dialog)
    assert job is not None
    preview = _preview(qtbot, job)
    saved = tmp_path / "activity.pdf"
    preview.save_to(saved)
    assert "Activity report" in pdf_text(saved) or "Rapport d" in pdf_text(saved)

    out = tmp_path / "indicators.csv"
    page.export.write("indicators", ExportFormat.CSV, out)
    qtbot.waitUntil(lambda: page.export.last is not None, timeout=WAIT_MS)
    with open(out, encoding="utf-8-sig", newline="") as handle:
        text = handle.read()
    followed = compute(ctx, page.period, page.scope).followed
    assert any(
        row and row[0] == "followed" and str(followed) in row
        for row in csv.reader(text.splitlines(), delimiter=";")
    )
    assert "Youssef" not in text and "AB123456" not in text


def test_an_inverted_period_is_refused_in_the_page(
    qtbot: QtBot, profile: Profile, ctx: ServiceContext
) -> None:
    page = _dashboard(qtbot, profile, ctx)
    dialog = ActivityReportDialog(page.state, page.scope, page)
    qtbot.addWidget(dialog)
    today = ctx.today()
    dialog.start.setDate(to_qdate(today))
    dialog.end.setDate(to_qdate(today.replace(day=1)).addDays(-1))
    assert page.activity_report(dialog) is None
    assert not page.banner.isHidden()
