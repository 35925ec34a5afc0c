"""Plain rows inserted through the driver, bound exactly as SQLAlchemy would bind them.

A Core ``executemany`` spends more time preparing parameters (a dictionary per row,
every column's processor called through SQLAlchemy's machinery) than SQLite spends
storing them. An import writes tens of thousands of rows of one shape: the processors
are looked up once per column (the dialect's own, so UUIDs, dates, enums and JSON are
stored as SQLAlchemy stores them) and applied in one pass, and the rows go to the
driver's ``executemany`` as tuples.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from enum import Enum
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Dialect, Table
from sqlalchemy.types import TypeDecorator, TypeEngine

Processor = Callable[[Any], Any] | None


class RowInsert:
    """``INSERT INTO table (names...)`` with each value bound by its column's processor."""

    def __init__(self, connection: Connection, table: Table, names: Sequence[str]) -> None:
        dialect = connection.dialect
        if dialect.paramstyle != "qmark":
            raise RuntimeError(f"unexpected paramstyle {dialect.paramstyle!r}")
        self.connection = connection
        self.names = tuple(names)
        self.processors: tuple[Processor, ...] = tuple(
            _processor(table.c[name].type, dialect) for name in names
        )
        quote = dialect.identifier_preparer.quote
        columns = ", ".join(quote(name) for name in names)
        marks = ", ".join("?" for _name in names)
        self.sql = f"INSERT INTO {quote(table.name)} ({columns}) VALUES ({marks})"
        self._values = itemgetter(*self.names) if len(self.names) > 1 else None

    def processor(self, name: str) -> Processor:
        return self.processors[self.names.index(name)]

    def bound(self, values: Sequence[Any]) -> tuple[Any, ...]:
        """``values`` in the order of ``names``, as the driver receives them."""
        return tuple(
            [
                value if value is None or process is None else process(value)
                for process, value in zip(self.processors, values, strict=True)
            ]
        )

    def bound_row(self, row: dict[str, Any]) -> tuple[Any, ...]:
        """A row given by column name (every name present)."""
        if self._values is None:
            return self.bound([row[self.names[0]]])
        return self.bound(self._values(row))

    def execute(self, rows: Iterable[tuple[Any, ...]]) -> None:
        """Insert rows already bound (:meth:`bound`)."""
        batch = list(rows)
        if batch:
            self.connection.exec_driver_sql(self.sql, batch)


def _processor(kind: TypeEngine[Any], dialect: Dialect) -> Processor:
    """The column's bind processor, remembering its last value if values are immutable.

    Many rows of an import share one object in a column (the time of the import, the
    team, the staff member, an enum member): it is converted once, not once per row.
    Only identical objects are reused, and never a mutable one (a JSON document).
    """
    process = kind.dialect_impl(dialect).bind_processor(dialect)
    if process is None or not _immutable(kind):
        return process
    return _remembering(process)


def _immutable(kind: TypeEngine[Any]) -> bool:
    """Whether the column holds values that cannot change after being bound."""
    if isinstance(kind, TypeDecorator):
        return _immutable(kind.impl_instance)  # what it stores
    try:
        python_type = kind.python_type
    except NotImplementedError:
        return False
    return issubclass(python_type, _IMMUTABLE)


_IMMUTABLE = (str, int, float, bytes, date, uuid.UUID, Enum)  # datetime is a date


def _remembering(process: Callable[[Any], Any]) -> Callable[[Any], Any]:
    last: list[Any] = [_NOTHING, None]

    def remembered(value: Any) -> Any:
        if value is last[0]:
            return last[1]
        bound = process(value)
        last[0], last[1] = value, bound
        return bound

    return remembered


_NOTHING = object()
