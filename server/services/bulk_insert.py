"""Many rows inserted with the driver's bulk path, values converted once (issue 23).

``connection.execute(insert(table), rows)`` builds the parameters of every row through
SQLAlchemy's compiled-statement machinery: about a sixth of a push batch's CPU for its
new records and change-log rows. Here the statement is compiled once per table, columns
and dialect, and each value goes through its column type's own bind processor (the very
conversion SQLAlchemy applies: UUIDs, JSON, times stored alike), then straight to the
driver: ``executemany`` on SQLite, ``COPY ... FROM STDIN`` on PostgreSQL (psycopg's
executemany sends and dumps every row as a statement of its own, in Python: a third of
a PostgreSQL push's CPU; COPY formats the rows in C, one round trip).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Connection, DateTime, Dialect, Table, Uuid, insert
from sqlalchemy.exc import DBAPIError

Processor = Callable[[Any], Any] | None
Plan = tuple[str, tuple[tuple[str, Processor], ...]]
_PLANS: dict[tuple[str, tuple[str, ...], str], Plan] = {}


def insert_many(
    connection: Connection,
    table: Table,
    rows: Sequence[dict[str, Any]],
    shared: frozenset[str] = frozenset(),
) -> None:
    """Insert ``rows`` (dicts with the same keys, every column named) into ``table``.

    ``shared``: columns whose values are often one object for many rows (a batch's new
    records share their field versions): each object is converted once."""
    if not rows:
        return
    insert_columns(
        connection, table, {name: [row[name] for row in rows] for name in rows[0]}, shared
    )


def insert_columns(
    connection: Connection,
    table: Table,
    by_column: dict[str, list[Any]],
    shared: frozenset[str] = frozenset(),
) -> None:
    """:func:`insert_many` of rows given column by column (lists of the same length):
    a caller holding objects reads each column straight from them, no dict per row."""
    keys = tuple(by_column)
    if not keys or not by_column[keys[0]]:
        return
    copying = _copies(connection)
    sql, columns = (
        _copy_plan(connection, table, keys) if copying else _plan(connection, table, keys)
    )
    # Column by column: each converter mapped over its column (no per-value branch).
    values = []
    for name, convert in columns:
        column = by_column[name]
        if convert is not None and name in shared:
            convert = _once_per_object(convert)
        elif convert is not None and table.c[name].type._type_affinity is DateTime:
            convert = _once_per_value(convert)
        values.append(column if convert is None else list(map(convert, column)))
    if copying:
        _copy(connection, sql, zip(*values, strict=True))
        return
    if connection.dialect.positional:
        connection.exec_driver_sql(sql, list(zip(*values, strict=True)))
        return
    names = [name for name, _convert in columns]
    connection.exec_driver_sql(
        sql, [dict(zip(names, row, strict=True)) for row in zip(*values, strict=True)]
    )


def _copies(connection: Connection) -> bool:
    """PostgreSQL through psycopg 3: rows go by COPY."""
    dialect = connection.dialect
    return dialect.name == "postgresql" and dialect.driver == "psycopg"


def _copy(connection: Connection, sql: str, rows: Any) -> None:
    """``COPY`` in this connection's transaction; a driver error as SQLAlchemy raises it
    (the push's bulk merge rolls back and goes the careful way on ``SQLAlchemyError``)."""
    dbapi: Any = connection.connection.dbapi_connection  # a psycopg.Connection
    error_class = connection.dialect.loaded_dbapi.Error
    try:
        with dbapi.cursor() as cursor, cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
    except error_class as error:
        raise DBAPIError.instance(sql, None, error, error_class) from error


def _once_per_object(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``convert`` remembering its answer per object (alive for the whole call: the
    rows hold them, so an ``id`` is never reused meanwhile)."""
    done: dict[int, Any] = {}

    def once(value: Any) -> Any:
        key = id(value)
        try:
            return done[key]
        except KeyError:
            converted = done[key] = convert(value)
            return converted

    return once


def _once_per_value(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``convert`` remembering its answer per value: for times, where equal values
    convert alike (an aware time to the same UTC instant; a naive one never equals an
    aware one, and is refused as before). A seeding push's changes share one
    ``recorded_at``, each its own object."""
    done: dict[Any, Any] = {}

    def once(value: Any) -> Any:
        try:
            return done[value]
        except KeyError:
            converted = done[value] = convert(value)
            return converted
        except TypeError:  # (not hashable: converted, or refused, as it is)
            return convert(value)

    return once


def _uuid_text(value: Any) -> Any:
    """COPY: a UUID as its 32 hex digits (what psycopg's own dumper writes, in Python
    per value), so that one shared by many rows is converted once."""
    return value if value is None else value.hex


def _plan(connection: Connection, table: Table, keys: tuple[str, ...]) -> Plan:
    dialect = connection.dialect
    index = (table.name, keys, dialect.name)
    plan = _PLANS.get(index)
    if plan is None:
        compiled = insert(table).compile(dialect=dialect, column_keys=list(keys))
        order = compiled.positiontup if dialect.positional else keys
        if order is None or set(order) != set(keys):
            raise ValueError(f"cannot insert {keys} into {table.name} in one statement")
        columns = tuple((name, _processor(table, name, dialect)) for name in order)
        plan = _PLANS[index] = (compiled.string, columns)
    return plan


def _processor(table: Table, name: str, dialect: Dialect) -> Processor:
    """The column's bind processor; for an aware datetime stored as text (SQLite's
    ``UTCDateTime``), a shortcut writing a UTC time's text directly, used only when it
    writes what the processor writes (two per change-log row, a third of its cost)."""
    column_type = table.c[name].type
    convert = column_type._cached_bind_processor(dialect)
    if convert is None or column_type._type_affinity is not DateTime:
        return convert
    probe = datetime(987, 6, 5, 4, 3, 2, 1, tzinfo=UTC)
    return _utc_text(convert) if _utc_text(convert)(probe) == convert(probe) == _PROBE else convert


_PROBE = "0987-06-05 04:03:02.000001"


def _utc_text(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def fast(value: Any) -> Any:
        if type(value) is datetime:
            offset = value.utcoffset()
            if offset is not None and not offset:
                return value.replace(tzinfo=None).isoformat(" ", "microseconds")
        return convert(value)

    return fast


def _copy_plan(connection: Connection, table: Table, keys: tuple[str, ...]) -> Plan:
    """``COPY table (keys) FROM STDIN`` and each column's conversion: its bind
    processor, but a JSON value made text by the engine's serialiser directly (the text
    psycopg's JSON wrapper would send: a ``json`` column stores it as it is)."""
    dialect = connection.dialect
    index = (table.name, keys, "copy")
    plan = _PLANS.get(index)
    if plan is None:
        preparer = dialect.identifier_preparer
        serialise = getattr(dialect, "_json_serializer", None) or json.dumps
        columns: list[tuple[str, Processor]] = []
        for name in keys:
            column_type = table.c[name].type
            if isinstance(column_type, JSON):
                columns.append((name, serialise))
            elif isinstance(column_type, Uuid):
                columns.append((name, _uuid_text))
            else:
                columns.append((name, column_type._cached_bind_processor(dialect)))
        names = ", ".join(preparer.quote(name) for name in keys)
        sql = f"COPY {preparer.format_table(table)} ({names}) FROM STDIN"
        plan = _PLANS[index] = (sql, tuple(columns))
    return plan
