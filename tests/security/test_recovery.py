"""Forgotten passphrase: escrow at sync, unsealing by an administrator, recovery, re-key.

And the other half of the promise: the server's database and configuration alone never
hold a laptop's key in clear and cannot unwrap the sealed copy.
"""

from __future__ import annotations

import base64
import os
import re
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from app.models import Beneficiary
from app.services import beneficiaries
from app.store.errors import RecoveryFailed, WrongPassphrase
from app.store.escrow import (
    EscrowError,
    SealedKey,
    generate_recovery_key,
    unseal_key,
)
from app.store.profile import Profile
from app.store.recovery import recover
from app.sync import state
from server.core.tables import DeviceEscrow
from tests.conftest import PASSPHRASE
from tests.security.conftest import RECOVERY_ENV, RecoveryKeyFile
from tests.server.harness import ROOT, RunningServer
from tests.sync.conftest import Laptop

MakeLaptop = Callable[..., Laptop]
NEW_PASSPHRASE = "a brand new passphrase"
CODE = re.compile(r"one-time code \(give it by phone, not with the file\): (\S+)")


def _escrow_row(server: RunningServer, device_id: uuid.UUID) -> DeviceEscrow | None:
    with server.database.session() as session, session.begin():
        return session.get(DeviceEscrow, device_id)


def _device_id(laptop: Laptop) -> uuid.UUID:
    with laptop.profile.engine.begin() as connection:
        found = state.get_uuid(connection, state.DEVICE_ID)
    assert found is not None
    return found


def _unseal(server: RunningServer, key: RecoveryKeyFile, device: uuid.UUID, out: Path) -> str:
    run = server.admin(
        "recovery", "unseal", "--device", str(device), "--private-key", str(key.path),
        "--out", str(out), env=RECOVERY_ENV,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    found = CODE.search(run.stdout)
    assert found is not None, run.stdout
    return found.group(1)


def _passerelle(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_forgotten_passphrase_recovered_end_to_end(
    server: RunningServer, recovery_key: RecoveryKeyFile, laptop: MakeLaptop, tmp_path: Path
) -> None:
    account = server.add_user()
    machine = laptop(account)  # enrolled and synced once: the key is escrowed
    device = _device_id(machine)
    row = _escrow_row(server, device)
    assert row is not None and row.key_id == recovery_key.key_id
    escrowed_before = row.sealed
    synced = beneficiaries.register(machine.ctx, {"last_name": "Tazi", "first_name": "Omar"}).id
    machine.sync()
    unsynced = beneficiaries.register(machine.ctx, {"last_name": "Idrissi", "first_name": "Nora"})
    folder = machine.folder
    old_database = machine.profile.header.database
    machine.profile.close()

    # The user forgot the passphrase; the administrator unseals with the offline key.
    recovery_file = tmp_path / "recovery.json"
    code = _unseal(server, recovery_key, device, recovery_file)
    run = _passerelle(
        "recover", "--profile", str(folder), "--recovery-file", str(recovery_file),
        env={"PASSERELLE_RECOVERY_CODE": code.lower(), "PASSERELLE_NEW_PASSPHRASE": NEW_PASSPHRASE},
    )  # fmt: skip
    assert run.returncode == 0, run.stderr

    with pytest.raises(WrongPassphrase):
        Profile.open(folder, PASSPHRASE)
    with Profile.open(folder, NEW_PASSPHRASE) as recovered:
        assert recovered.header.database != old_database  # re-keyed: the file opens nothing
        with recovered.sessions() as session:
            ids = set(session.scalars(select(Beneficiary.id)))
        assert {synced, unsynced.id} <= ids  # unsynced work survived the recovery
        machine.profile = recovered
        machine.sync()
    row = _escrow_row(server, device)
    assert row is not None and row.unsealed_at is not None
    assert row.sealed != escrowed_before  # the new key was escrowed at the sync
    with pytest.raises(RecoveryFailed):
        recover(folder, recovery_file.read_bytes(), code, "yet another passphrase")


def test_recovery_needs_the_right_code(
    server: RunningServer, recovery_key: RecoveryKeyFile, laptop: MakeLaptop, tmp_path: Path
) -> None:
    machine = laptop(server.add_user())
    device = _device_id(machine)
    machine.profile.close()
    recovery_file = tmp_path / "recovery.json"
    _unseal(server, recovery_key, device, recovery_file)
    with pytest.raises(RecoveryFailed, match="code"):
        recover(
            machine.folder, recovery_file.read_bytes(), "AAAAA-AAAAA-AAAAA-AAAAA", NEW_PASSPHRASE
        )
    Profile.open(machine.folder, PASSPHRASE).close()  # untouched


def test_rekey_is_escrowed_again_at_the_next_sync(
    server: RunningServer, recovery_key: RecoveryKeyFile, laptop: MakeLaptop
) -> None:
    machine = laptop(server.add_user())
    device = _device_id(machine)
    first = _escrow_row(server, device)
    assert first is not None
    machine.profile.rekey(PASSPHRASE)
    machine.sync()
    second = _escrow_row(server, device)
    assert second is not None and second.sealed != first.sealed


def test_server_database_and_config_alone_cannot_open_a_laptop_key(
    server: RunningServer, recovery_key: RecoveryKeyFile, laptop: MakeLaptop
) -> None:
    machine = laptop(server.add_user())
    key = machine.profile._key
    device = _device_id(machine)
    spellings = [key, key.hex().encode(), key.hex().upper().encode(), base64.b64encode(key)]
    # Every table of the server's database, as text, and every file of its data folder.
    dump = _dump_server_database(server)
    for spelling in spellings:
        assert spelling.decode("latin-1") not in dump
    for path in server.data_dir.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert b"PRIVATE KEY" not in data
            assert all(spelling not in data for spelling in spellings)
    # What the server holds (the sealed key, the public key) does not open it: only the
    # administration's private key does.
    row = _escrow_row(server, device)
    assert row is not None
    sealed = SealedKey.model_validate(row.sealed)
    with pytest.raises(EscrowError):
        unseal_key(sealed, generate_recovery_key(), device)


def _dump_server_database(server: RunningServer) -> str:
    from sqlalchemy import MetaData

    metadata = MetaData()
    with server.database.engine.connect() as connection:
        metadata.reflect(connection)
        rows = []
        for table in metadata.sorted_tables:
            rows.extend(repr(tuple(row)) for row in connection.execute(table.select()))
    return "\n".join(rows)


def test_recovery_commands_fail_in_one_line(
    server: RunningServer, recovery_key: RecoveryKeyFile, tmp_path: Path
) -> None:
    unknown = server.admin(
        "recovery", "unseal", "--device", str(uuid.uuid4()), "--private-key",
        str(recovery_key.path), "--out", str(tmp_path / "r.json"), env=RECOVERY_ENV,
    )  # fmt: skip
    assert unknown.returncode == 1 and "no escrowed key" in unknown.stderr
    assert unknown.stderr.count("\n") == 1 and "Traceback" not in unknown.stderr
    garbage = tmp_path / "public.txt"
    garbage.write_text("not a key")
    refused = server.admin("recovery", "set-public-key", str(garbage))
    assert refused.returncode == 1 and "unusable recovery public key" in refused.stderr
    again = server.admin(
        "recovery", "init", "--private-key-out", str(recovery_key.path), env=RECOVERY_ENV
    )
    assert again.returncode == 1 and "already exists" in again.stderr
    assert server.admin("recovery", "show").stdout.startswith(recovery_key.key_id)
