"""Plain rows inserted through the driver, bound exactly as SQLAlchemy would bind them.

A Core ``executemany`` spends more time preparing parameters (a dictionary per row,
every column's processor called through SQLAlchemy's machinery) than SQLite spends
storing them. An import writes tens of thousands of rows of one shape: the processors
are looked up once per column (the dialect's own, so UUIDs, dates, enums and JSON are
stored as SQLAlchemy stores them) and applied in one pass, and the rows go to the
driver's ``executemany`` as tuples.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Table

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
            table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names
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
