"""The screens of issue 6 part B: the right-of-access export of a case file, and the
retention preview an administrator sees before anything is erased."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pytestqt.qtbot import QtBot

from app.reports.subject_access import AccessExport
from app.services.context import ServiceContext
from app.settings import Settings
from app.store.profile import Profile
from app.views.app_state import AppState
from app.views.casefile.identity import IdentitySection
from app.views.retention import RetentionDialog
from app.views.settings_view import SettingsPage
from passerelle_core.enums import StaffRole
from tests.security.cases import LAST_NAME, full_case
from tests.security.test_retention import set_policy

Colleague = Callable[[StaffRole], ServiceContext]


def test_the_case_file_exports_everything_held_in_one_action(
    qtbot: QtBot, profile: Profile, ctx: ServiceContext, colleague: Colleague, tmp_path: Path
) -> None:
    case = full_case(ctx)
    counsellor = IdentitySection(AppState(profile, ctx, Settings()), case.beneficiary_id)
    qtbot.addWidget(counsellor)
    assert counsellor.access_button.isHidden()  # a social worker may not
    supervisor = AppState(profile, colleague(StaffRole.SUPERVISOR), Settings())
    section = IdentitySection(supervisor, case.beneficiary_id)
    qtbot.addWidget(section)
    assert not section.access_button.isHidden()

    dialog = section.export_access()
    dialog.save_button.click()  # no folder yet
    assert "Choose the folder" in dialog.error.text()
    dialog.folder.setText(str(tmp_path))
    # Written, then closed and deleted (the dialog deletes itself on close).
    saved: list[AccessExport] = []
    gone: list[object] = []
    dialog.saved.connect(saved.append)
    dialog.destroyed.connect(lambda *_args: gone.append(True))
    dialog.save_button.click()
    qtbot.waitUntil(lambda: bool(gone), timeout=20000)

    [written] = saved
    assert written.pdf.exists() and written.json.exists()
    assert LAST_NAME in written.json.read_text(encoding="utf-8")
    assert str(written.pdf) in section.banner.text()


def test_an_administrator_sees_the_list_then_runs_it(
    qtbot: QtBot, profile: Profile, ctx: ServiceContext, colleague: Colleague
) -> None:
    full_case(ctx, closed_days_ago=400)
    set_policy(profile)
    admin = AppState(profile, colleague(StaffRole.ADMIN), Settings())
    dialog = RetentionDialog(admin)
    qtbot.addWidget(dialog)
    assert "anonymised 365 days after closing" in dialog.rules.text()
    assert dialog.table.topLevelItemCount() == 1
    assert dialog.table.topLevelItem(0).text(0) == "BENNANI Youssef"
    assert dialog.run_button.isEnabled()

    with qtbot.waitSignal(dialog.finished_run, timeout=20000) as ran:
        dialog.run()

    assert ran.args[0].anonymised == 1
    assert dialog.table.topLevelItemCount() == 0
    assert "1 case anonymised, 0 cases purged" in dialog.banner.text()


def test_a_supervisor_sees_the_list_only_and_a_counsellor_not_at_all(
    qtbot: QtBot, profile: Profile, ctx: ServiceContext, colleague: Colleague
) -> None:
    supervisor = AppState(profile, colleague(StaffRole.SUPERVISOR), Settings())
    page = SettingsPage(supervisor)
    qtbot.addWidget(page)
    dialog = page.show_retention()
    assert isinstance(dialog, RetentionDialog)
    assert dialog.run_button.isHidden()
    assert "No retention period has been received" in dialog.rules.text()
    counsellor_page = SettingsPage(AppState(profile, ctx, Settings()))
    qtbot.addWidget(counsellor_page)
    assert not hasattr(counsellor_page, "retention_button")
