"""Screens follow the data: a pull announces what changed, open case files read again,
and what the person is typing stays as typed. Real laptops, real server, real widgets."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pytestqt.qtbot import QtBot

from app.services import beneficiaries, changes
from app.services.changes import Changes
from app.settings import Settings
from app.views.casefile import CaseFileView
from app.views.casefile.identity import IdentitySection
from app.views.main_window import MainWindow
from tests.server.harness import RunningServer
from tests.sync.conftest import Laptop


def test_a_pull_refreshes_open_case_files_and_keeps_unsaved_input(
    qtbot: QtBot, server: RunningServer, laptop: Callable[..., Laptop], tmp_path: Path
) -> None:
    account = server.add_user("social_worker")
    colleague, mine = laptop(account), laptop(account)
    shown = beneficiaries.register(colleague.ctx, {"last_name": "Alaoui", "first_name": "Sara"})
    edited = beneficiaries.register(colleague.ctx, {"last_name": "Berrada", "first_name": "Ali"})
    colleague.sync()
    mine.sync()
    heard: list[Changes] = []
    unsubscribe = changes.BUS.subscribe(heard.append)
    window = MainWindow(Settings(), tmp_path / "profiles", tmp_path / "settings.json")
    qtbot.addWidget(window)
    window.open_profile(mine.profile)
    assert window.sync is not None and window.workspace is not None
    window.sync.stop(wait=True)  # the test pulls itself, at a known moment
    window.show()
    read_only = window.workspace.open_case(shown.id)
    typing = window.workspace.open_case(edited.id)
    section = typing.section("identity")
    assert isinstance(section, IdentitySection)
    section.start_editing()
    section.fields["contact_person"].editor.setText("Fatima")  # type: ignore[attr-defined]

    beneficiaries.update(colleague.ctx, shown.id, {"phone": "0611223344"})
    beneficiaries.update(colleague.ctx, edited.id, {"phone": "0655667788"})
    colleague.sync()
    mine.sync()

    pulled = [notice for notice in heard if notice.source == changes.PULL]
    assert any({shown.id, edited.id} <= notice.case_ids for notice in pulled)
    assert any("beneficiary" in notice.record_types for notice in pulled)
    identity = _identity(read_only)
    qtbot.waitUntil(lambda: identity.fields["phone"].display.text() == "0611223344")
    assert section.editing  # the edit in progress is untouched...
    assert section.fields["contact_person"].value() == "Fatima"
    assert section.person.phone == "0655667788"  # ...while the record behind it is fresh
    unsubscribe()
    window.close()


def test_a_local_operation_announces_its_record_types_and_case(
    server: RunningServer, laptop: Callable[..., Laptop]
) -> None:
    device = laptop(server.add_user("social_worker"), first_sync=False)
    heard: list[Changes] = []
    unsubscribe = changes.BUS.subscribe(heard.append)
    person = beneficiaries.register(device.ctx, {"last_name": "Chraibi", "first_name": "Omar"})
    try:
        beneficiaries.update(device.ctx, person.id, {"last_name": ""})
    except Exception:  # noqa: BLE001 - refused: nothing committed, nothing announced
        pass
    unsubscribe()
    assert [(n.record_types, n.case_ids, n.source) for n in heard] == [
        (frozenset({"beneficiary"}), frozenset({person.id}), changes.LOCAL)
    ]
    assert heard[0].database == str(device.profile.database_path)


def _identity(view: CaseFileView) -> IdentitySection:
    section = view.section("identity")
    assert isinstance(section, IdentitySection)
    return section
