"""Server statements whose cost must not grow with the store (issue 23 item 3, scaling).

A push batch reads the consents of many cases at once. SQLite's planner has no
statistics: given ``case_id IN (...) AND record_type = ?`` and an index on ``case_id``
alone, it took the primary key's ``record_type`` prefix and read every record of the
type (0.6 s a batch at 1.1 million records). The record table's case index now holds
the type too (server migration 0011).
"""

from __future__ import annotations

import uuid
from pathlib import Path

from sqlalchemy import inspect

from server.core.db import Database
from server.core.settings import ServerSettings
from server.services import lookups
from tests.server.conftest import database_url  # noqa: F401  (the fixture)


def test_consents_of_many_cases_are_read_by_the_case_index(
    tmp_path: Path,
    database_url: str | None,  # noqa: F811
) -> None:
    database = Database(ServerSettings(data_dir=tmp_path, database_url=database_url))
    try:
        database.migrate()
        with database.engine.connect() as connection:
            indexes = {
                index["name"]: index["column_names"]
                for index in inspect(connection).get_indexes("record")
            }
            assert indexes["ix_record_case_type"] == ["case_id", "record_type"]
            assert "ix_record_case_id" not in indexes  # its prefix serves those queries
            if connection.dialect.name != "sqlite":
                return  # PostgreSQL plans from statistics: nothing to pin down here
            ids = [uuid.uuid4() for _ in range(3)]
            statement = lookups._LISTED.consents.params(ids=ids).compile(
                connection, compile_kwargs={"literal_binds": True}
            )
            plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}").all()
        details = " ".join(str(row[-1]) for row in plan)
        assert "ix_record_case_type (case_id=? AND record_type=?)" in details, details
    finally:
        database.dispose()
