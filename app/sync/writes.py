"""Bulk writes of pulled records in their stored form, with statements compiled once.

``connection.execute(insert(table), rows)`` re-processes every parameter of every row;
pulled values are already in stored form (:mod:`app.sync.decode`), so here they go to
the driver's ``executemany`` directly. Table and column names come from the models,
never from the wire.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any

from sqlalchemy import Connection, Table, insert

from app.sync.decode import DIALECT, insert_columns
from app.sync.state import BASE, table_of

IdChunk = list[str]


def insert_many(connection: Connection, record_type: str, rows: list[dict[str, Any]]) -> None:
    """Insert new records (stored values by column; missing columns get their null)."""
    defaults = insert_columns(record_type)
    insert_rows(
        connection,
        record_type,
        [tuple(row.get(name, default) for name, default in defaults) for row in rows],
    )


def insert_rows(connection: Connection, record_type: str, rows: list[tuple[Any, ...]]) -> None:
    """Insert new records given as the insert statement's parameters, in its order."""
    if rows:
        connection.exec_driver_sql(_insert_sql(record_type), rows)


def update_many(
    connection: Connection, record_type: str, names: tuple[str, ...], rows: list[list[Any]]
) -> None:
    """Update the ``names`` columns of records; each row is their values then the id."""
    table = table_of(record_type)
    assignments = ", ".join(f"{_quote(name)} = ?" for name in names)
    sql = (
        f"UPDATE {_quote(table.name)} SET {assignments}, row_version = row_version + 1 WHERE id = ?"
    )
    if rows:
        connection.exec_driver_sql(sql, [tuple(row) for row in rows])


def existing_ids(connection: Connection, record_type: str, ids: IdChunk) -> set[str]:
    """Which of these stored ids the record type's table holds."""
    table = table_of(record_type)
    marks = ", ".join("?" for _ in ids)
    sql = f"SELECT id FROM {_quote(table.name)} WHERE id IN ({marks})"
    return {row[0] for row in connection.exec_driver_sql(sql, tuple(ids))}


def stored_rows(
    connection: Connection, record_type: str, ids: IdChunk
) -> dict[str, tuple[Any, ...]]:
    """The rows of these stored ids that the table holds, by id, as the driver reads
    them, in the insert statement's column order (``insert_columns``)."""
    table = table_of(record_type)
    names = [name for name, _default in insert_columns(record_type)]
    position = names.index("id")
    columns = ", ".join(_quote(name) for name in names)
    marks = ", ".join("?" for _ in ids)
    sql = f"SELECT {columns} FROM {_quote(table.name)} WHERE id IN ({marks})"
    return {row[position]: tuple(row) for row in connection.exec_driver_sql(sql, tuple(ids))}


BASES_SQL = (
    f"INSERT INTO {BASE.name} (record_type, record_id, version) VALUES (?, ?, ?) "
    "ON CONFLICT (record_type, record_id) DO UPDATE SET version = excluded.version"
    f" WHERE {BASE.name}.version IS NOT excluded.version"
)
"""A base already at that version is left alone: no page written (a record pushed, then
pulled back at the version its push result gave, is the common case)."""


def record_bases(connection: Connection, rows: Iterable[tuple[str, str, int]]) -> None:
    """Remember the server version of each (record type, stored id) just written."""
    sql = BASES_SQL
    parameters = list(rows)
    if parameters:  # an empty list would run the statement once, with no parameters
        connection.exec_driver_sql(sql, parameters)


@cache
def _insert_sql(record_type: str) -> str:
    table: Table = table_of(record_type)
    return str(insert(table).compile(dialect=DIALECT))


def _quote(name: str) -> str:
    return DIALECT.identifier_preparer.quote(name)
