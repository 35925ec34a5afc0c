"""Migration 0017: ``sync_base`` becomes a WITHOUT ROWID table keyed by (type, id), on a
real SQLCipher profile, every version kept, and back again by the downgrade."""

from __future__ import annotations

import uuid
from pathlib import Path

from alembic import command
from sqlalchemy import Engine

from app.store import migrate
from app.store.engine import create_keyed_engine
from app.store.keys import new_database_key

LOOKUP = "SELECT version FROM sync_base WHERE record_type = ? AND record_id = ?"


def _definition(engine: Engine) -> str:
    with engine.connect() as connection:
        return str(
            connection.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'sync_base'"
            ).scalar_one()
        )


def _rows(engine: Engine) -> list[tuple[str, str, int]]:
    with engine.connect() as connection:
        query = "SELECT record_type, record_id, version FROM sync_base ORDER BY 1, 2"
        return [tuple(row) for row in connection.exec_driver_sql(query)]


def _plan(engine: Engine) -> str:
    # A new text each time: a cached EXPLAIN statement would show the former schema's plan.
    query = f"EXPLAIN QUERY PLAN {LOOKUP} -- {uuid.uuid4().hex}"
    with engine.connect() as connection:
        rows = connection.exec_driver_sql(query, ("note", "x")).all()
    return " ".join(str(row[-1]) for row in rows)


def _downgrade(engine: Engine, revision: str) -> None:
    with engine.begin() as connection:
        config = migrate.alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def test_sync_base_without_rowid_keeps_every_version_both_ways(tmp_path: Path) -> None:
    engine = create_keyed_engine(tmp_path / "cases.db", new_database_key())
    try:
        migrate.upgrade(engine, "0016")
        rows = [
            (kind, uuid.uuid4().hex, number)
            for number in range(300)
            for kind in ("beneficiary", "note")
        ]
        with engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO sync_base (record_type, record_id, version) VALUES (?, ?, ?)", rows
            )
        assert "WITHOUT ROWID" not in _definition(engine)
        assert "sqlite_autoindex_sync_base_1" in _plan(engine)
        expected = sorted(rows)

        migrate.upgrade(engine, "0017")
        assert _definition(engine).rstrip().endswith("WITHOUT ROWID")
        assert "PRIMARY KEY" in _plan(engine) and "autoindex" not in _plan(engine)
        assert _rows(engine) == expected
        with engine.begin() as connection:  # the key still refuses a second version
            connection.exec_driver_sql(
                "INSERT INTO sync_base (record_type, record_id, version) VALUES (?, ?, 9)"
                " ON CONFLICT (record_type, record_id) DO UPDATE SET version = excluded.version",
                rows[0][:2],
            )
            assert connection.exec_driver_sql(LOOKUP, rows[0][:2]).scalar_one() == 9
        expected[expected.index(rows[0])] = (*rows[0][:2], 9)

        _downgrade(engine, "0016")
        assert "WITHOUT ROWID" not in _definition(engine)
        assert "sqlite_autoindex_sync_base_1" in _plan(engine)
        assert _rows(engine) == expected
        migrate.upgrade(engine)
        assert _rows(engine) == expected
    finally:
        engine.dispose()
