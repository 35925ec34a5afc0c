"""The search index follows a beneficiary's searched values, and only those.

A pulled or saved row names every column in its UPDATE: the index must not be rewritten
when a phone number alone changed (its cost grew with the index), and must be when a name
or an identifier changed, on a new profile and on one migrated from revision 0015.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, text

from app.store import migrate
from app.store.engine import create_keyed_engine
from app.store.keys import new_database_key
from app.store.search_index import UPDATE_TRIGGER, WHEN_SEARCHED_CHANGED
from app.store.textfold import fold

ALL_COLUMNS = (
    "UPDATE beneficiary SET phone = :phone, last_name = :last_name, first_name = first_name,"
    " last_name_ar = last_name_ar, first_name_ar = first_name_ar, cin = cin,"
    " registration_number = registration_number WHERE id = :id"
)


FORMER_TRIGGER = UPDATE_TRIGGER.replace(WHEN_SEARCHED_CHANGED, "")


def _engine_at(path: Path, revision: str) -> Engine:
    engine = create_keyed_engine(path, new_database_key())
    migrate.upgrade(engine, revision)
    return engine


def _insert(engine: Engine) -> str:
    record_id = uuid.uuid4().hex
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO beneficiary (id, last_name, first_name, last_name_ar, cin,"
                " legal_status, case_status, created_at, updated_at, row_version)"
                " VALUES (:id, 'Ouazzani', 'Saïd', 'الوزاني', 'BE123456', 'sentenced', 'open',"
                " '2026-01-01 00:00:00', '2026-01-01 00:00:00', 1)"
            ),
            {"id": record_id},
        )
    return record_id


def _index_rewritten(engine: Engine, record_id: str, last_name: str) -> bool:
    """One UPDATE naming every column: did the search index's trigger work (its folding
    function, registered again on this connection to be counted, was called)?"""
    calls: list[str] = []
    with engine.begin() as connection:
        raw = connection.connection.driver_connection
        assert raw is not None

        def counted(value: str | None) -> str:
            calls.append(value or "")
            return fold(value)

        raw.create_function("passerelle_fold", 1, counted)
        try:
            connection.execute(
                text(ALL_COLUMNS),
                {"phone": uuid.uuid4().hex[:10], "last_name": last_name, "id": record_id},
            )
        finally:
            raw.create_function("passerelle_fold", 1, fold, deterministic=True)
    return bool(calls)


def _hits(connection: Connection, word: str) -> int:
    return int(
        connection.execute(
            text("SELECT count(*) FROM beneficiary_search WHERE beneficiary_search MATCH :word"),
            {"word": f'"{word}"*'},
        ).scalar_one()
    )


@pytest.mark.parametrize("start", ["head", "0015"])
def test_only_a_searched_change_rewrites_the_index(tmp_path: Path, start: str) -> None:
    head = migrate.head_revision()
    engine = _engine_at(tmp_path / "cases.db", head if start == "head" else start)
    try:
        if start != "head":
            with engine.begin() as connection:  # a profile made before 0016 had this one
                connection.exec_driver_sql("DROP TRIGGER beneficiary_search_update")
                connection.exec_driver_sql(FORMER_TRIGGER)
            record_id = _insert(engine)
            assert _index_rewritten(engine, record_id, "Ouazzani")  # before 0016: always
            migrate.upgrade(engine, head)
        record_id = _insert(engine)
        assert not _index_rewritten(engine, record_id, "Ouazzani")
        assert _index_rewritten(engine, record_id, "Bennani")
        with engine.begin() as connection:
            assert _hits(connection, "bennani") == 1
            connection.execute(
                text("UPDATE beneficiary SET cin = 'ZZ998877' WHERE id = :id"), {"id": record_id}
            )
            assert _hits(connection, "zz998877") == 1
    finally:
        engine.dispose()


def test_downgrade_restores_the_former_trigger(tmp_path: Path) -> None:
    from alembic import command

    engine = _engine_at(tmp_path / "cases.db", "0016")
    try:
        with engine.begin() as connection:
            config = migrate.alembic_config()
            config.attributes["connection"] = connection
            command.downgrade(config, "0015")
        record_id = _insert(engine)
        assert _index_rewritten(engine, record_id, "Ouazzani")
        assert _index_rewritten(engine, record_id, "Bennani")
    finally:
        engine.dispose()
