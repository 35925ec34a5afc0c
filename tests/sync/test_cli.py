"""``passerelle enrol``, ``sync`` and ``conflicts`` end to end, in subprocesses."""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Callable
from pathlib import Path

from app.models import Beneficiary
from app.services import beneficiaries, owner
from app.store.profile import Profile
from app.sync import state
from tests.cli.test_cli import PASSPHRASE, assert_one_line_error, passerelle
from tests.server.harness import Account, RunningServer, free_port
from tests.sync.conftest import Laptop


def _enrol(
    folder: Path, server_url: str, account: Account, password: str | None = None
) -> subprocess.CompletedProcess[str]:
    return passerelle(
        "enrol",
        "--profile",
        folder,
        "--server",
        server_url,
        "--user",
        account.username,
        "--device-name",
        "Portable CLI",
        PASSERELLE_PASSWORD=password or account.password,
    )


def test_enrol_sync_and_conflicts_from_the_command_line(
    server: RunningServer, laptop: Callable[..., Laptop], tmp_path: Path
) -> None:
    team = f"Team {uuid.uuid4().hex[:8]}"
    amina = server.add_user(team=team, full_name="Amina Tazi")
    colleague = laptop(server.add_user(team=team, full_name="Karim Berrada"))
    folder = tmp_path / "cli-profile"

    refused = _enrol(folder, server.url, amina, password="not the password")
    assert_one_line_error(refused, "refused the credentials")
    enrolled = _enrol(folder, server.url, amina)
    assert enrolled.returncode == 0, enrolled.stderr
    assert "Amina Tazi" in enrolled.stdout
    assert amina.password not in enrolled.stdout + enrolled.stderr
    first = passerelle("sync", "--profile", folder)
    assert first.returncode == 0, first.stderr
    assert "Sent: 0" in first.stdout

    person = beneficiaries.register(colleague.ctx, {"last_name": "Lahlou", "first_name": "Adil"})
    colleague.sync()
    assert passerelle("sync", "--profile", folder).returncode == 0
    with Profile.open(folder, PASSPHRASE) as profile:
        beneficiaries.update(owner.owner_context(profile.sessions), person.id, {"phone": "0611"})
    beneficiaries.update(colleague.ctx, person.id, {"phone": "0699"})
    colleague.sync()

    synced = passerelle("sync", "--profile", folder)
    assert synced.returncode == 0, synced.stderr
    assert "in conflict: 1" in synced.stdout and "Open conflicts: 1." in synced.stdout
    listed = passerelle("conflicts", "--profile", folder)
    assert listed.returncode == 0, listed.stderr
    assert '"0699"' in listed.stdout and '"0611"' in listed.stdout
    assert "Karim Berrada" in listed.stdout and "Amina Tazi" in listed.stdout
    conflict_id = listed.stdout.split("\t", 1)[0]
    chosen = passerelle(
        "conflicts", "--profile", folder, "--resolve", conflict_id, "--choose", "other"
    )
    assert chosen.returncode == 0, chosen.stderr
    assert "Open conflicts: 0." in passerelle("sync", "--profile", folder).stdout
    colleague.sync()
    with colleague.profile.sessions() as session:
        record = session.get(Beneficiary, person.id)
        assert record is not None and record.phone == "0611"


def test_sync_errors_are_one_clear_line(server: RunningServer, tmp_path: Path) -> None:
    account = server.add_user()
    folder = tmp_path / "cli-profile"
    insecure = _enrol(folder, "http://192.0.2.10:8000", account)
    assert_one_line_error(insecure, "https://")
    assert _enrol(folder, server.url, account).returncode == 0
    again = _enrol(folder, server.url, account)
    assert_one_line_error(again, "already enrolled")

    with Profile.open(folder, PASSPHRASE) as profile:
        with profile.engine.begin() as connection:
            state.put(connection, state.SERVER_URL, f"http://127.0.0.1:{free_port()}")
    unreachable = passerelle("sync", "--profile", folder)
    assert_one_line_error(unreachable, "cannot be reached")
    not_enrolled = tmp_path / "other"
    assert passerelle("init", "--profile", not_enrolled).returncode == 0
    assert_one_line_error(passerelle("sync", "--profile", not_enrolled), "not enrolled")
