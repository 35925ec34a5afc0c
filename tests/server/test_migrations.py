"""The Alembic migrations build exactly the tables ``server.core.tables`` declares."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import select

from server.core.db import Database
from server.core.settings import ServerSettings
from server.core.tables import Counter, ServerBase


def test_migrations_match_the_tables(tmp_path: Path, database_url: str | None) -> None:
    database = Database(ServerSettings(data_dir=tmp_path, database_url=database_url))
    try:
        assert database.migrate() is True
        assert database.migrate() is False  # idempotent: serve and admin commands both run it
        assert database.is_current()
        with database.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, ServerBase.metadata) == []
            counters = connection.execute(select(Counter.id, Counter.last_seq)).all()
        assert [tuple(row) for row in counters] == [(1, 0)]
    finally:
        database.dispose()
