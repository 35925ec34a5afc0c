"""Migration 0018: the push reads its next batch as one range of the waiting rows' own
index (``ix_sync_outbox_waiting``), whatever the outbox holds besides, on a real
SQLCipher profile upgraded from 0017."""

from __future__ import annotations

import uuid
from pathlib import Path

from sqlalchemy import Engine

from app.store import migrate
from app.store.engine import create_keyed_engine
from app.store.keys import new_database_key
from app.sync import push

_INSERT = (
    "INSERT INTO sync_outbox (change_id, record_type, record_id, op, base_version, fields,"
    " base_fields, case_id, recorded_at, state, error, attempts)"
    " VALUES (?, 'beneficiary', ?, 'update', 1, '{}', '{}', NULL,"
    " '2026-12-08 00:00:00.000001', ?, NULL, 0)"
)


def _plan(engine: Engine) -> str:
    # A new text each time: a cached EXPLAIN statement would show the former schema's plan.
    query = f"EXPLAIN QUERY PLAN {push._READ} -- {uuid.uuid4().hex}"
    with engine.connect() as connection:
        rows = connection.exec_driver_sql(query, (0, 500)).all()
    return " | ".join(str(row[-1]) for row in rows)


def _read(engine: Engine, after: int, size: int) -> list[tuple[int, str]]:
    with engine.connect() as connection:
        return [(row[0], row[-1]) for row in connection.exec_driver_sql(push._READ, (after, size))]


def test_the_push_reads_a_batch_as_one_range_of_the_waiting_rows(tmp_path: Path) -> None:
    engine = create_keyed_engine(tmp_path / "cases.db", new_database_key())
    try:
        migrate.upgrade(engine, "0017")
        # Refused changes first (an admin's seeding push), then waiting and refused mixed.
        states = ["quarantined"] * 400 + ["pending", "inflight", "quarantined"] * 100
        with engine.begin() as connection:
            connection.exec_driver_sql(
                _INSERT, [(uuid.uuid4().hex, uuid.uuid4().hex, state) for state in states]
            )
        migrate.upgrade(engine, "0018")

        plan = _plan(engine)
        assert "USING INDEX ix_sync_outbox_waiting (seq>?)" in plan, plan
        assert "TEMP B-TREE" not in plan, plan  # read in seq order, not sorted
        waiting = [
            (seq, state)
            for seq, state in enumerate(states, start=1)
            if state in ("pending", "inflight")
        ]
        assert _read(engine, 0, 500) == waiting
        assert _read(engine, 0, 7) == waiting[:7]
        assert _read(engine, waiting[6][0], 5) == waiting[7:12]
        with engine.begin() as connection:  # a row refused for good leaves the index
            connection.exec_driver_sql(
                "UPDATE sync_outbox SET state = 'quarantined' WHERE seq = ?", (waiting[0][0],)
            )
        assert _read(engine, 0, 2) == waiting[1:3]
    finally:
        engine.dispose()
