"""Many rows inserted with the driver's executemany, values converted once (issue 23).

``connection.execute(insert(table), rows)`` builds the parameters of every row through
SQLAlchemy's compiled-statement machinery: about a sixth of a push batch's CPU for its
new records and change-log rows. Here the statement is compiled once per table, columns
and dialect, and each value goes through its column type's own bind processor (the very
conversion SQLAlchemy applies: UUIDs, JSON, times stored alike), then straight to the
driver's ``executemany``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection, Table, insert

Processor = Callable[[Any], Any] | None
_PLANS: dict[tuple[str, tuple[str, ...], str], tuple[str, tuple[tuple[str, Processor], ...]]] = {}


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
    keys = tuple(rows[0])
    sql, columns = _plan(connection, table, keys)
    # Column by column: each converter mapped over its column (no per-value branch).
    values = []
    for name, convert in columns:
        column = [row[name] for row in rows]
        if convert is not None and name in shared:
            convert = _once_per_object(convert)
        values.append(column if convert is None else list(map(convert, column)))
    if connection.dialect.positional:
        connection.exec_driver_sql(sql, list(zip(*values, strict=True)))
        return
    names = [name for name, _convert in columns]
    connection.exec_driver_sql(
        sql, [dict(zip(names, row, strict=True)) for row in zip(*values, strict=True)]
    )


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


def _plan(
    connection: Connection, table: Table, keys: tuple[str, ...]
) -> tuple[str, tuple[tuple[str, Processor], ...]]:
    dialect = connection.dialect
    index = (table.name, keys, dialect.name)
    plan = _PLANS.get(index)
    if plan is None:
        compiled = insert(table).compile(dialect=dialect, column_keys=list(keys))
        order = compiled.positiontup if dialect.positional else keys
        if order is None or set(order) != set(keys):
            raise ValueError(f"cannot insert {keys} into {table.name} in one statement")
        columns = tuple(
            (name, table.c[name].type._cached_bind_processor(dialect)) for name in order
        )
        plan = _PLANS[index] = (compiled.string, columns)
    return plan
