"""``insert_many`` stores exactly what SQLAlchemy's own insert stores (issue 23).

The push writes its batch's new records and change-log rows by the driver's bulk path
(executemany on SQLite, COPY on PostgreSQL) with shortcuts for some conversions (a UTC
time's text, JSON by the engine's serialiser). The same rows written both ways into one
database, on each backend, read back as stored text: every column identical.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from pydantic import TypeAdapter
from sqlalchemy import Table, Text, cast, delete, insert, select
from sqlalchemy.exc import IntegrityError

from server.core.db import Database
from server.core.tables import ChangeLog, Record
from server.services.bulk_insert import insert_many
from tests.server.harness import migrated_database

CHANGE_LOG: Table = ChangeLog.__table__  # type: ignore[assignment]
RECORDS: Table = Record.__table__  # type: ignore[assignment]
PARSED = TypeAdapter(datetime).validate_json  # as the push's body gives them

TIMES = [
    datetime(2026, 12, 7, 18, 1, 48, 701486, tzinfo=UTC),
    datetime(2026, 12, 7, 18, 1, 48, tzinfo=UTC),
    datetime(987, 6, 5, 4, 3, 2, 1, tzinfo=UTC),
    datetime(2026, 3, 29, 1, 30, tzinfo=timezone(timedelta(hours=2))),
    datetime(2026, 3, 29, 23, 30, tzinfo=timezone(timedelta(hours=-5, minutes=-30))),
    PARSED('"2026-12-07T18:01:48.701486Z"'),
    PARSED('"2026-12-07T18:01:48+01:00"'),
    PARSED('"2026-12-07T00:00:00-00:00"'),
]
DATA: list[dict[str, Any]] = [
    {"id": "x", "text": 'é ü \u2028 "quoted" \\ back', "n": 1, "f": 2.5, "none": None},
    {"nested": {"list": [1, "two", None, True, {"a": []}]}, "big": 2**70},
    {},
]


@pytest.fixture(scope="module")
def database(database_url: str | None, tmp_path_factory: pytest.TempPathFactory) -> Database:
    return migrated_database(Path(tmp_path_factory.mktemp("bulk-insert")), database_url)


def _logs(count: int) -> list[dict[str, Any]]:
    device, user = uuid.uuid4(), uuid.uuid4()
    return [
        {
            "change_id": uuid.uuid4(),
            "seq": number if number % 3 else None,
            "record_type": "beneficiary",
            "record_id": uuid.uuid4(),
            "version": number % 4 or None,
            "device_id": device,
            "user_id": user,
            "recorded_at": TIMES[number % len(TIMES)],
            "result": {"change_id": str(uuid.uuid4()), "status": "applied", "n": number},
            "received_at": TIMES[(number + 3) % len(TIMES)],
        }
        for number in range(count)
    ]


def _records(count: int, first_seq: int) -> list[dict[str, Any]]:
    shared = {"a": 1, "b": 1}
    return [
        {
            "record_type": "session_note",
            "record_id": uuid.uuid4(),
            "version": 1,
            "data": DATA[number % len(DATA)],
            "field_versions": shared,
            "field_devices": {"a": str(uuid.uuid4())} if number % 2 else shared,
            "deleted": number % 5 == 0,
            "case_id": uuid.uuid4() if number % 3 else None,
            "team_id": None,
            "assigned_staff_id": uuid.uuid4(),
            "restricted": number % 2 == 1,
            "seq": first_seq + number,
        }
        for number in range(count)
    ]


OWN = frozenset({"id", "seq", "change_id", "record_id"})
"""Columns each row has its own value of (unique keys): not compared."""


def _stored(database: Database, table: Table, key: str, keys: list[Any]) -> list[tuple[Any, ...]]:
    columns = [cast(column, Text) for column in table.columns if column.key not in OWN]
    with database.session() as session, session.begin():
        rows = session.execute(select(table.c[key], *columns).where(table.c[key].in_(keys)))
        by_key = {row[0]: tuple(row[1:]) for row in rows}
    return [by_key[value] for value in keys]


@pytest.mark.parametrize("table_name", ["change_log", "record"])
def test_bulk_rows_are_stored_as_sqlalchemy_stores_them(
    database: Database, table_name: str
) -> None:
    if table_name == "change_log":
        table, key, made = CHANGE_LOG, "change_id", [_logs(24), _logs(24)]
    else:
        table, key, made = RECORDS, "record_id", [_records(24, 10_000), _records(24, 20_000)]
    ours, theirs = made
    # Same values in both lists but the keys (and sequence numbers) of each row.
    for mine, other in zip(ours, theirs, strict=True):
        for name, value in mine.items():
            if name not in OWN:
                other[name] = value
    with database.session() as session, session.begin():
        insert_many(session.connection(), table, ours, frozenset({"field_versions"}))
        session.connection().execute(insert(table), theirs)
    assert _stored(database, table, key, [row[key] for row in ours]) == _stored(
        database, table, key, [row[key] for row in theirs]
    )


def test_a_bulk_write_that_breaks_a_constraint_raises_sqlalchemys_error(
    database: Database,
) -> None:
    """The push's bulk merge rolls back and goes the careful way on SQLAlchemyError."""
    rows = _logs(3)
    rows[2]["change_id"] = rows[0]["change_id"]
    with pytest.raises(IntegrityError), database.session() as session, session.begin():
        insert_many(session.connection(), CHANGE_LOG, rows)
    with database.session() as session, session.begin():  # nothing left behind
        wanted = CHANGE_LOG.c.change_id.in_([row["change_id"] for row in rows])
        assert session.execute(select(CHANGE_LOG.c.id).where(wanted)).first() is None
        session.execute(delete(CHANGE_LOG).where(wanted))
