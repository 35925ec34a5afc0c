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

from sqlalchemy import BigInteger, bindparam, case, func, select, update
from sqlalchemy.orm import Session

from server.core.db import read_transaction, single_write, write_transaction
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
    if known[0] is not None and cursor <= known[0]:
        # The usual case (the laptop asks from a cursor it was handed): one conditional
        # statement, no lock taken, no second read. Its condition is the same check made
        # again on the row as it is now; it fails only if a concurrent pull of the same
        # device moved it (then the careful way below decides).
        advanced = single_write(
            session, _ADVANCE, {"device": device_id, "cursor": cursor, "next": next_cursor}
        )
        if advanced:
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


_CURSOR = bindparam("cursor", type_=BigInteger)
_NEXT = bindparam("next", type_=BigInteger)
_ADVANCE = (
    update(Device)
    .where(
        Device.id == bindparam("device"),
        Device.served_cursor.is_not(None),
        Device.served_cursor >= _CURSOR,
    )
    .values(
        served_cursor=case((Device.served_cursor < _NEXT, _NEXT), else_=Device.served_cursor),
        applied_cursor=case(
            (func.coalesce(Device.applied_cursor, 0) < _CURSOR, _CURSOR),
            else_=Device.applied_cursor,
        ),
    )
)
"""The pull's bookkeeping when the device asks from a cursor it was handed: the served
cursor never goes back, the applied one moves up to what the laptop now holds."""


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
