"""The server's memory never deletes a laptop's data (docs/sync-protocol.md).

A server restored from an older copy (its tables put back as they were, the process
still running, SQLite and PostgreSQL) is recognised by its sequence going back: the
laptop removes nothing, sends everything again and pulls everything again. A new
empty server at the same address has another identity: the laptop refuses to sync
with it until enrolled there again, then sends everything. A pull that would remove
many cases at once is stopped by the fail-safe, then let through when confirmed.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from app.models import Beneficiary
from app.services import beneficiaries
from app.sync import engine, state
from app.sync.errors import ServerReplaced, Unauthorized
from server.core.tables import AccessLogCopy, ServerBase
from tests.server.harness import RunningServer
from tests.sync.conftest import Laptop, fresh_server, laptop, server  # noqa: F401

MakeLaptop = Callable[..., Laptop]
Snapshot = dict[str, list[dict[str, Any]]]
APPEND_ONLY = {AccessLogCopy.__tablename__}  # its triggers refuse DELETE, by design


def snapshot(db: Engine) -> Snapshot:
    """A logical backup of the server's tables (the access log copy aside)."""
    with db.connect() as connection:
        return {
            table.name: [dict(row) for row in connection.execute(table.select()).mappings()]
            for table in ServerBase.metadata.sorted_tables
            if table.name not in APPEND_ONLY
        }


def restore(db: Engine, copy: Snapshot) -> None:
    """Put the tables back as the backup had them, as an administrator's restore would."""
    tables = [t for t in ServerBase.metadata.sorted_tables if t.name not in APPEND_ONLY]
    with db.begin() as connection:
        for table in reversed(tables):
            connection.execute(table.delete())
        for table in tables:
            if copy[table.name]:
                connection.execute(table.insert(), copy[table.name])


def names(member: Laptop) -> set[str]:
    with member.profile.sessions() as session:
        return {
            b.last_name for b in session.query(Beneficiary).where(Beneficiary.deleted_at.is_(None))
        }


def register(member: Laptop, name: str) -> uuid.UUID:
    return beneficiaries.register(member.ctx, {"last_name": name, "first_name": "Amina"}).id


@pytest.fixture
def team() -> Iterator[str]:
    yield f"Team {uuid.uuid4().hex[:6]}"


def test_a_restored_server_loses_nothing_of_the_laptops(
    fresh_server: RunningServer,  # noqa: F811
    laptop: MakeLaptop,  # noqa: F811
    team: str,
) -> None:
    first = laptop(fresh_server.add_user(team=team), on=fresh_server)
    second = laptop(fresh_server.add_user(team=team), on=fresh_server)
    old_case = register(first, "Before the backup")
    first.sync()
    second.sync()
    backup = snapshot(fresh_server.database.engine)

    register(first, "After the backup")
    beneficiaries.update(first.ctx, old_case, {"phone": "0611111111"})
    first.sync()
    register(second, "Second after the backup")
    second.sync()
    first.sync()
    held = {member.profile.folder: names(member) for member in (first, second)}
    assert held[first.profile.folder] == held[second.profile.folder]

    restore(fresh_server.database.engine, backup)
    report = first.sync()
    assert report.server_restored and report.reuploaded > 0
    assert report.left_scope_removed == 0
    assert names(first) == held[first.profile.folder]  # nothing removed here
    # The second laptop learns it too, though the first one's uploads moved the
    # server's sequence past its cursor: the server remembers what it handed each device.
    assert second.sync().server_restored
    first.sync()
    for member in (first, second):
        assert names(member) == held[member.profile.folder]
    with second.profile.sessions() as session:
        person = session.get(Beneficiary, old_case)
        assert person is not None and person.phone == "0611111111"
    checker = laptop(fresh_server.add_user(team=team), on=fresh_server)
    assert names(checker) == held[first.profile.folder]  # the server holds it all again


def test_a_new_empty_server_is_refused_then_receives_everything(
    request: pytest.FixtureRequest,
    server: RunningServer,  # noqa: F811
    laptop: MakeLaptop,  # noqa: F811
    team: str,
) -> None:
    if server.database_url is not None:
        pytest.skip("identity checks do not depend on the backend (SQLite runs it)")
    fresh_server: RunningServer = request.getfixturevalue("fresh_server")  # noqa: F811
    account = fresh_server.add_user(team=team)
    first = laptop(account, on=fresh_server)
    register(first, "Kept through the replacement")
    first.sync()
    before = names(first)

    # The same address now answers with an empty database (here: another server).
    replacement = server
    with first.profile.engine.begin() as connection:
        state.put(connection, state.SERVER_URL, replacement.url)
    with pytest.raises((ServerReplaced, Unauthorized)):  # it knows neither us nor our token
        first.sync()
    assert names(first) == before
    again = replacement.add_user(team=team, username=account.username)
    outcome = engine.enrol_with_outcome(
        first.profile, replacement.url, again.username, again.password, "laptop"
    )
    assert outcome.queued > 0
    report = first.sync()
    assert report.complete, report
    assert names(first) == before
    colleague = laptop(replacement.add_user(team=team), on=replacement)
    assert names(colleague) == before


def test_the_fail_safe_stops_a_mass_removal_until_confirmed(
    server: RunningServer,  # noqa: F811
    laptop: MakeLaptop,  # noqa: F811
    team: str,
) -> None:
    counsellor = laptop(server.add_user(team=team), on=server)
    supervisor = laptop(server.add_user("supervisor", team=team), on=server)
    elsewhere = server.add_user()
    cases = [register(counsellor, f"Case {n}") for n in range(8)]
    counsellor.sync()
    supervisor.sync()
    with supervisor.ctx.transaction() as session:  # a mistaken bulk reassignment
        for case_id in cases:
            record = session.get(Beneficiary, case_id)
            assert record is not None
            record.team_id, record.assigned_staff_id = elsewhere.team_id, elsewhere.staff_id
    supervisor.sync()

    report = counsellor.sync()
    assert report.removals_held == 8 and not report.complete
    assert len(names(counsellor)) == 8  # nothing removed
    report = counsellor.sync()  # asked again: still held, still listed
    assert report.removals_held == 8
    report = counsellor.sync(engine.SyncOptions(confirm_removals=True))
    assert (report.removals_held, report.left_scope_removed) == (0, 8)
    assert names(counsellor) == set()


def test_the_command_line_says_a_sync_was_partial(
    server: RunningServer,  # noqa: F811
    laptop: MakeLaptop,  # noqa: F811
    team: str,
    tmp_path: Path,
) -> None:
    """Exit code 4 and a line per step that did not go through; 0 once confirmed."""
    if server.database_url is not None:
        pytest.skip("the command line's output does not depend on the backend")
    import os
    import subprocess
    import sys

    from tests.conftest import PASSPHRASE

    counsellor = laptop(server.add_user(team=team), on=server)
    supervisor = laptop(server.add_user("supervisor", team=team), on=server)
    elsewhere = server.add_user()
    cases = [register(counsellor, f"Case {n}") for n in range(6)]
    counsellor.sync()
    supervisor.sync()
    with supervisor.ctx.transaction() as session:
        for case_id in cases:
            record = session.get(Beneficiary, case_id)
            assert record is not None
            record.team_id, record.assigned_staff_id = elsewhere.team_id, elsewhere.staff_id
    supervisor.sync()
    folder = counsellor.folder
    counsellor.profile.close()
    secret = tmp_path / "passphrase"
    secret.write_text(PASSPHRASE, encoding="utf-8")

    def run(*extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "app", "--lang", "en", "sync", "--profile", str(folder),
             "--passphrase-file", str(secret), *extra],
            capture_output=True, text=True, timeout=120, check=False, env=dict(os.environ),
        )  # fmt: skip

    held = run()
    assert held.returncode == 4, held.stderr
    assert "--confirm-removals" in held.stderr and "Partial sync" in held.stderr
    confirmed = run("--confirm-removals")
    assert confirmed.returncode == 0, confirmed.stderr
