"""The access log: who opened, changed, printed or exported which record, never the content.

One row per access, appended and never changed: the ORM refuses to update or delete a
row (below), and the migration adds SQLite triggers that refuse it at the SQL level too.
Each row is chained to the previous one of its device (``prev_hash``, ``hash``: see
:mod:`passerelle_core.audit_protocol`), so removing, altering, inserting or reordering a row is
detected by ``passerelle audit verify`` and by the server, which keeps a copy.

``device_id`` is the profile's own device id (``profile_setting`` ``device_id``, made
when the profile is created, before any enrolment): one chain per profile for its whole
life, whether or not it is enrolled, so entries written offline before enrolment and
after it form one unbroken chain. The server notes which enrolled device uploaded it.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import String, event
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, str_enum

DEVICE_SETTING = "device_id"
"""The ``profile_setting`` key holding the id that names this profile's chain."""


class AccessAction(StrEnum):
    """What was done. Stored and synced as-is: never rename a value."""

    OPEN_CASE = "open_case"  # a case file was opened on screen
    VIEW = "view"  # a record's content was shown in a list (a search result on the CLI)
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    RESOLVE_CONFLICT = "resolve_conflict"
    PRINT = "print"  # a document was written to PDF
    EXPORT = "export"  # data left the encrypted store in a file
    ANONYMISE = "anonymise"  # retention: identity erased, statistics kept
    PURGE = "purge"  # retention: the case removed
    UNLOCK = "unlock"
    LOCK = "lock"
    PIN_RECOVERY_KEY = "pin_recovery_key"  # the recovery key escrow trusts was set/replaced
    MERGE = "merge"  # two files of one person merged into the kept one (on the other)


class AppendOnlyError(RuntimeError):
    """An attempt to change or remove an access log entry (a programming error or worse)."""


class AccessLogEntry(Base):
    """One access. ``staff_id`` is None only for writes made without an acting person
    (creating the profile's owner at first run)."""

    __tablename__ = "access_log"

    device_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    recorded_at: Mapped[datetime] = mapped_column(index=True)
    staff_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    action: Mapped[AccessAction] = mapped_column(str_enum(AccessAction))
    record_type: Mapped[str | None] = mapped_column(String(64))
    record_id: Mapped[uuid.UUID | None]
    case_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


def _refuse(_mapper: Any, _connection: Any, _target: Any) -> None:
    raise AppendOnlyError("access log entries are never changed nor removed")


event.listen(AccessLogEntry, "before_update", _refuse)
event.listen(AccessLogEntry, "before_delete", _refuse)
