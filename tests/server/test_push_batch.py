"""A push batch merged in bulk (issue 23) decides each change as one at a time would.

Pushed over HTTP to a real server on both backends: a batch that mixes creations, a
change sent twice, refusals (permanent and for a retry) and edits of a record refused
half-way leaves exactly what the applied changes made; then the same batch, merged in
process the careful way (a savepoint per change) and in bulk, gives the same answers.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from passerelle_core.protocol import Change
from server.core.db import Database
from server.core.settings import ServerSettings
from server.core.tables import Device
from server.services import accounts, push
from server.services.devices import Caller
from server.services.passwords import Passwords
from tests.server import factories
from tests.server.harness import (
    FAST_HASHING,
    RunningServer,
    change,
    fresh_postgres_database,
    postgres_admin_url,
)


def _batch(team_id: uuid.UUID | None) -> tuple[list[dict[str, Any]], dict[str, uuid.UUID]]:
    """Creations, a duplicate, refusals in the middle; ids by role."""
    ids = {name: uuid.uuid4() for name in ("case", "session", "note", "orphan", "bad")}
    twice = change("follow_up_session", ids["session"], factories.follow_up_session(ids["case"]))
    changes = [
        change("beneficiary", ids["case"], factories.beneficiary(team_id)),
        twice,
        change("session_note", ids["orphan"], factories.session_note(uuid.uuid4())),
        twice,  # the same change_id again: applied once
        change("action_plan", ids["bad"], factories.action_plan(ids["case"], status="nonsense")),
        change("session_note", ids["note"], factories.session_note(ids["session"])),
    ]
    return changes, ids


def test_a_batch_mixing_refusals_and_duplicates(server: RunningServer) -> None:
    account = server.add_user("admin", team=f"Batch {uuid.uuid4().hex[:6]}")
    laptop = server.enrol(account)
    changes, ids = _batch(account.team_id)
    results = laptop.push(*changes)
    assert [r["status"] for r in results] == [
        "applied", "applied", "rejected", "duplicate", "rejected", "applied",
    ]  # fmt: skip
    assert results[3]["version"] == results[1]["version"] == 1
    assert results[2]["permanent"] is False  # its session may still come
    assert results[4]["permanent"] is True
    pulled = laptop.pull(0)
    for name in ("case", "session", "note"):
        assert pulled.get(_type(name), ids[name]) is not None
    assert pulled.get("session_note", ids["orphan"]) is None
    assert pulled.get("action_plan", ids["bad"]) is None


def test_a_change_refused_half_way_leaves_its_record_as_it_was(server: RunningServer) -> None:
    """The merge writes the record, then finds the new parent unknown: put back."""
    account = server.add_user("admin", team=f"Undo {uuid.uuid4().hex[:6]}")
    laptop = server.enrol(account)
    case, session = uuid.uuid4(), uuid.uuid4()
    laptop.push(
        change("beneficiary", case, factories.beneficiary(account.team_id)),
        change("follow_up_session", session, factories.follow_up_session(case)),
    )
    moved = {"beneficiary_id": str(uuid.uuid4()), "topic": "Moved"}
    results = laptop.push(
        change("follow_up_session", session, moved, base_version=1),
        change("follow_up_session", session, {"topic": "Work"}, base_version=1),
    )
    assert [r["status"] for r in results] == ["rejected", "applied"]
    assert results[1]["version"] == 2  # the refused change left no version behind
    record = laptop.pull(0).get("follow_up_session", session)
    assert record is not None
    assert record["version"] == 2
    assert record["data"]["topic"] == "Work"
    assert record["data"]["beneficiary_id"] == str(case)


@pytest.fixture
def two_databases(database_url: str | None, tmp_path: Path) -> Iterator[list[Database]]:
    """Two empty databases of the module's backend: one per way of merging."""
    if database_url is None:
        yield [_database(tmp_path / name, None) for name in ("bulk", "careful")]
        return
    with fresh_postgres_database(postgres_admin_url()) as other:
        yield [_database(tmp_path / "bulk", database_url), _database(tmp_path / "careful", other)]


def test_bulk_and_careful_merges_answer_alike(two_databases: list[Database]) -> None:
    changes, _ids = _batch(None)
    answers = []
    for database in two_databases:
        caller = _caller(database)
        parsed = [Change.model_validate(c) for c in changes]
        with database.session() as session:
            results = push.push(session, caller, parsed, bulk=database is two_databases[0])
        answers.append([(r.status, r.version, r.permanent, r.error) for r in results])
        database.dispose()
    assert answers[0] == answers[1]


def _database(folder: Path, url: str | None) -> Database:
    settings = ServerSettings(data_dir=folder, database_url=url, **FAST_HASHING)
    database = Database(settings)
    database.migrate()
    return database


def _caller(database: Database) -> Caller:
    passwords = Passwords.from_settings(database.settings)
    with database.session() as session:
        user = accounts.add_user(
            session, accounts.NewUser("batch-admin", "x" * 16, "admin", "Batch"), passwords
        )
    device_id = uuid.uuid4()
    with database.session() as session, session.begin():
        session.add(Device(id=device_id, user_id=user.staff_id, name="laptop", token_hash="0"))
    return Caller(device_id, "laptop", "active", user)


def _type(name: str) -> str:
    return {"case": "beneficiary", "session": "follow_up_session", "note": "session_note"}[name]
