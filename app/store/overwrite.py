"""Deleted rows overwritten on disk while erasing, the connection's setting restored after.

SQLCipher's build turns ``secure_delete`` on by default; an eraser that set it ``OFF``
when done (as two of them did) silently changed every later delete made on that pooled
connection. The previous value is read and put back instead.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from sqlalchemy import Connection


@contextlib.contextmanager
def overwriting(connection: Connection) -> Iterator[None]:
    """``PRAGMA secure_delete = ON`` on ``connection`` for the block, then as it was."""
    before = int(connection.exec_driver_sql("PRAGMA secure_delete").scalar_one())
    connection.exec_driver_sql("PRAGMA secure_delete = ON")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA secure_delete = {before}")
