"""Recognising a database restored from an older copy, device by device.

The server cannot know it was restored, but each device row remembers the last cursor a
pull handed it. After a restore, device rows are as old as the copy: a device asking
from a cursor beyond what this database ever handed it is told (``restored``), and the
laptop sends everything again. A device whose pull reply was lost asks again from a
cursor it was handed: no false alarm. Devices enrolled after the copy was taken are not
in it at all: they are refused and enrol again.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from server.core.db import read_transaction, write_transaction
from server.core.tables import Device


def note_pull(
    session: Session,
    device_id: uuid.UUID,
    cursor: int,
    next_cursor: int,
    known: tuple[int | None, int | None] | None = None,
) -> bool:
    """Remember ``next_cursor`` as handed to the device; True when ``cursor`` is beyond
    anything handed to it (this database is older than what the device has seen).

    ``known``: the device's (served, applied) cursors as read when the request was
    authenticated. Written only when a number moves: a laptop with nothing new asks
    from the cursor it was handed and is handed it again, and nothing is read or written."""
    if known is None:
        with read_transaction(session):
            known = _cursors(session, device_id)
    if not _moves(*known, cursor, next_cursor):
        return False
    with write_transaction(session):
        served, applied = _cursors(session, device_id, lock=True)  # again, under the lock
        restored = cursor > (served or 0) and served is not None
        values: dict[str, int] = {}
        if restored or served is None or next_cursor > served:
            values["served_cursor"] = next_cursor
        if not restored and cursor > (applied or 0):  # the laptop holds all up to it
            values["applied_cursor"] = cursor
        if values:
            session.execute(update(Device).where(Device.id == device_id).values(**values))
    return restored


def _cursors(
    session: Session, device_id: uuid.UUID, lock: bool = False
) -> tuple[int | None, int | None]:
    query = select(Device.served_cursor, Device.applied_cursor).where(Device.id == device_id)
    served, applied = session.execute(query.with_for_update() if lock else query).one()
    return served, applied


def _moves(served: int | None, applied: int | None, cursor: int, next_cursor: int) -> bool:
    """Whether :func:`note_pull` has anything to write (or a restore to report)."""
    if served is None:
        return True
    return cursor > served or next_cursor > served or cursor > (applied or 0)
