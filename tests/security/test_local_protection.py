"""What protects a laptop's data when the server, the computer or a file is hostile.

A replaced recovery key on the server gets nothing escrowed: the laptop trusts only
the key pinned from outside the server, and replacing the pin is logged. The laptop's
role and team are its account's, not a synced record's. Profiles, backups and exports
are owner-only files; a backup naming a file outside its folder is refused on every
platform; a server answering too much, or for ever, is refused.
"""

from __future__ import annotations

import json
import os
import stat
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from app.models import AccessAction, StaffMember
from app.services import audit, owner
from app.services.context import Actor, ServiceContext
from app.store.backup import MANIFEST_NAME, backup, is_plain_file_name, restore
from app.store.errors import CorruptProfile
from app.store.escrow import generate_recovery_key, key_id, public_key_text
from app.store.header import HEADER_NAME
from app.store.profile import Profile
from app.sync import recovery_pin, state
from app.sync.client import SyncClient
from app.sync.errors import ResponseRefused
from app.sync.security import ESCROW_REFUSED_KEY
from passerelle_core.enums import StaffRole
from server.core.tables import DeviceEscrow
from server.services import escrow
from tests.conftest import PASSPHRASE
from tests.security.conftest import RecoveryKeyFile
from tests.server.harness import RunningServer
from tests.sync.conftest import Laptop

MakeLaptop = Callable[..., Laptop]


@pytest.fixture(scope="module")
def database_url() -> None:
    """SQLite only: nothing here depends on the server's database (CI time)."""
    return None


POSIX_ONLY = pytest.mark.skipif(os.name != "posix", reason="POSIX modes (Windows: ACLs)")


def _escrowed_for(server: RunningServer, laptop: Laptop) -> str | None:
    with laptop.profile.engine.connect() as connection:
        device = state.get_uuid(connection, state.DEVICE_ID)
    with server.database.session() as session, session.begin():
        row = session.get(DeviceEscrow, device)
        return row.key_id if row is not None else None


def _substitute_server_key(server: RunningServer) -> str:
    attacker = public_key_text(generate_recovery_key())
    with server.database.session() as session:
        escrow.set_recovery_key(session, attacker)
    return key_id(attacker)


# -- the recovery key -------------------------------------------------------------------


def test_a_substituted_recovery_key_gets_nothing(
    server: RunningServer, recovery_key: RecoveryKeyFile, laptop: MakeLaptop
) -> None:
    machine = laptop(server.add_user())  # synced once: escrowed to the pinned key
    assert _escrowed_for(server, machine) == recovery_key.key_id
    sealed_before = _sealed(server, machine)

    attacker = _substitute_server_key(server)
    machine.profile.rekey(PASSPHRASE)  # a new database key: it would be escrowed again
    machine.sync()

    assert _escrowed_for(server, machine) == recovery_key.key_id
    assert _sealed(server, machine) == sealed_before
    with machine.profile.engine.connect() as connection:
        assert state.get(connection, ESCROW_REFUSED_KEY) == attacker


def test_without_a_pin_nothing_is_escrowed(server: RunningServer, laptop: MakeLaptop) -> None:
    _substitute_server_key(server)  # whatever key the server names
    machine = laptop(server.add_user())
    assert _escrowed_for(server, machine) is None


def test_replacing_the_pinned_key_is_explicit_and_logged(
    server: RunningServer,
    recovery_key: RecoveryKeyFile,
    laptop: MakeLaptop,
    tmp_path: Path,
) -> None:
    machine = laptop(server.add_user())
    replacement = generate_recovery_key()
    key_file = tmp_path / "new-key.pub"
    key_file.write_text(public_key_text(replacement), encoding="ascii")
    new_id = recovery_pin.fingerprint_of_file(key_file)

    with pytest.raises(recovery_pin.PinError):
        recovery_pin.pin(machine.profile, new_id)
    assert recovery_pin.pinned(machine.profile) == recovery_key.key_id
    assert recovery_pin.pin(machine.profile, new_id.upper(), replace=True)

    with server.database.session() as session:
        escrow.set_recovery_key(session, public_key_text(replacement))
    machine.sync()
    assert _escrowed_for(server, machine) == new_id
    supervisor = _reader(machine)
    actions = [line.action for line in audit.lines(supervisor)]
    assert AccessAction.PIN_RECOVERY_KEY in actions


def _sealed(server: RunningServer, laptop: Laptop) -> object:
    with laptop.profile.engine.connect() as connection:
        device = state.get_uuid(connection, state.DEVICE_ID)
    with server.database.session() as session, session.begin():
        row = session.get(DeviceEscrow, device)
        return None if row is None else dict(row.sealed)


def _reader(laptop: Laptop) -> ServiceContext:
    actor = laptop.ctx.actor
    return ServiceContext(laptop.profile.sessions, Actor(actor.staff_id, StaffRole.ADMIN))


# -- the laptop's own role and team ------------------------------------------------------


def test_the_laptop_acts_with_its_accounts_role_and_team(
    server: RunningServer, laptop: MakeLaptop
) -> None:
    account = server.add_user("educator")
    machine = laptop(account)
    # A synced staff record says otherwise (as a colleague's edit once could).
    with machine.profile.sessions.begin() as session:
        staff = session.get(StaffMember, account.staff_id)
        assert staff is not None
        staff.role, staff.team_id = StaffRole.ADMIN, None

    actor = owner.load_actor(machine.profile.sessions)

    assert actor is not None
    assert actor.role is StaffRole.EDUCATOR
    assert actor.team_id == account.team_id


# -- files ------------------------------------------------------------------------------


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@POSIX_ONLY
def test_profiles_backups_and_exports_are_owner_only(
    profile: Profile, colleague: Callable[[StaffRole], ServiceContext], tmp_path: Path
) -> None:
    assert _mode(profile.folder) == 0o700
    assert {_mode(f) for f in profile.folder.iterdir() if f.is_file()} == {0o600}
    written = backup(profile, tmp_path / "backup.zip")
    assert _mode(written) == 0o600
    out = tmp_path / "log.csv"
    audit.export_csv(colleague(StaffRole.SUPERVISOR), out)
    assert _mode(out) == 0o600


@POSIX_ONLY
def test_an_old_profile_is_made_owner_only_when_opened(profile: Profile, tmp_path: Path) -> None:
    folder = profile.folder
    profile.close()
    os.chmod(folder, 0o755)
    for file in folder.iterdir():
        os.chmod(file, 0o644)
    with Profile.open(folder, PASSPHRASE) as reopened:
        assert _mode(reopened.folder) == 0o700
        assert {_mode(f) for f in folder.iterdir() if f.is_file()} == {0o600}


@POSIX_ONLY
def test_the_servers_access_log_export_is_owner_only(server: RunningServer, tmp_path: Path) -> None:
    out = tmp_path / "server-log.csv"
    run = server.admin("audit", "export", "--out", str(out))
    assert run.returncode == 0, run.stderr
    assert _mode(out) == 0o600


@pytest.mark.parametrize(
    "name",
    ["..\\evil.db", "../evil.db", "C:evil.db", "C:\\Windows\\evil.db", "/tmp/evil.db",
     "sub/evil.db", "evil.db:stream", "..", "evil.db.", "", "nul\x00.db"],
)  # fmt: skip
def test_a_backup_naming_a_file_outside_its_folder_is_refused(
    profile: Profile, tmp_path: Path, name: str
) -> None:
    assert not is_plain_file_name(name)
    crafted = _crafted_backup(profile, tmp_path, name)
    target = tmp_path / "restored"

    with pytest.raises(CorruptProfile):
        restore(crafted, target, PASSPHRASE)

    assert not target.exists()
    assert not (tmp_path / "evil.db").exists() and not (tmp_path.parent / "evil.db").exists()


def test_a_plain_database_name_restores(profile: Profile, tmp_path: Path) -> None:
    written = backup(profile, tmp_path / "backup.zip")
    assert is_plain_file_name(profile.header.database)
    restore(written, tmp_path / "restored", PASSPHRASE)
    assert (tmp_path / "restored" / profile.header.database).is_file()


def _crafted_backup(profile: Profile, tmp_path: Path, name: str) -> Path:
    """A real backup whose header and manifest name ``name`` as the database."""
    original = backup(profile, tmp_path / "original.zip")
    crafted = tmp_path / "crafted.zip"
    real = profile.header.database
    with zipfile.ZipFile(original) as source, zipfile.ZipFile(crafted, "w") as sink:
        for item in source.infolist():
            data = source.read(item)
            if item.filename in {MANIFEST_NAME, HEADER_NAME}:
                document = json.loads(data)
                document["database"] = name
                data = json.dumps(document).encode()
            sink.writestr(name if item.filename == real and name else item.filename, data)
    return crafted


# -- what the sync client takes in -------------------------------------------------------


def test_the_sync_client_caps_answers_and_pages(server: RunningServer) -> None:
    account = server.add_user()
    device = server.enrol(account)
    with SyncClient(server.url, token=device.token, max_response_bytes=64) as client:
        with pytest.raises(ResponseRefused):
            client.pull(0)
    with SyncClient(server.url, token=device.token, max_pull_pages=2) as client:
        client.pull(0, limit=1)
        client.pull(0, limit=1)
        with pytest.raises(ResponseRefused):
            client.pull(0, limit=1)
