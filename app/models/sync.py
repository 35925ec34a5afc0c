"""Sync records: conflicts (synced like any record) and the laptop's own bookkeeping.

``SyncConflict`` is created by the server when two devices changed the same field; it
keeps both values until a person chooses, and travels to every laptop of the case.
The other tables never leave the laptop: the outbox of local changes waiting to be
pushed (written in the same transaction as the edit), the server version each record
was last seen at, held-back pulled records, and key/value sync state (server, device
token, cursor). They live in the encrypted profile database, like everything else.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, SyncedMixin, str_enum, utcnow


class ConflictResolution(StrEnum):
    KEPT = "kept"  # the value already on the server stays
    OTHER = "other"  # the value that lost the race is chosen instead


class SyncConflict(SyncedMixin, Base):
    """Two values of one field: the one the server kept, the one that arrived second."""

    __tablename__ = "sync_conflict"
    __table_args__ = (Index("ix_sync_conflict_target", "target_type", "target_id"),)

    target_type: Mapped[str] = mapped_column(String(64))
    target_id: Mapped[uuid.UUID]
    field: Mapped[str] = mapped_column(String(64))
    kept_value: Mapped[Any | None] = mapped_column(JSON)
    # Authors are plain UUIDs, no foreign key: a staff record may arrive after a conflict.
    kept_by: Mapped[uuid.UUID | None]
    kept_at: Mapped[datetime | None]
    other_value: Mapped[Any | None] = mapped_column(JSON)
    other_by: Mapped[uuid.UUID | None]
    other_at: Mapped[datetime | None]
    resolution: Mapped[ConflictResolution | None] = mapped_column(str_enum(ConflictResolution))
    resolved_by: Mapped[uuid.UUID | None]
    resolved_at: Mapped[datetime | None]
    case_id: Mapped[uuid.UUID | None] = mapped_column(index=True)

    @property
    def is_open(self) -> bool:
        return self.resolution is None and self.deleted_at is None


class OutboxState(StrEnum):
    PENDING = "pending"  # waiting to be pushed; later edits of the record merge into it
    INFLIGHT = "inflight"  # sent, reply not yet processed: resent with the same change_id
    QUARANTINED = "quarantined"  # refused for good by the server: shown, never resent


class OutboxChange(Base):
    """One local edit of one record waiting for the server (local only, never synced)."""

    __tablename__ = "sync_outbox"
    __table_args__ = (
        Index("ix_sync_outbox_record", "record_type", "record_id"),
        Index("ix_sync_outbox_state", "state"),
        Index("ix_sync_outbox_case_id", "case_id"),
        # The push's next batch, one range of the waiting rows in seq order (0018); SQLite
        # uses it for a query whose condition names this one (app/sync/push.py's _READ).
        Index(
            "ix_sync_outbox_waiting", "seq", sqlite_where=text("state IN ('pending', 'inflight')")
        ),
        {"sqlite_autoincrement": True},
    )

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    change_id: Mapped[uuid.UUID] = mapped_column(unique=True, default=uuid.uuid4)
    record_type: Mapped[str] = mapped_column(String(64))
    record_id: Mapped[uuid.UUID]
    op: Mapped[str] = mapped_column(String(8))
    base_version: Mapped[int | None]
    fields: Mapped[dict[str, Any]] = mapped_column(default=dict)
    base_fields: Mapped[dict[str, Any]] = mapped_column(default=dict)
    case_id: Mapped[uuid.UUID | None]
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    state: Mapped[OutboxState] = mapped_column(str_enum(OutboxState), default=OutboxState.PENDING)
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(default=0)


class SyncBase(Base):
    """The server version a local record was last seen at (the base of the next edit).

    ``WITHOUT ROWID`` (migration 0017): the key's B-tree holds the version, one random-keyed
    search per pulled record instead of the key's index and then the row."""

    __tablename__ = "sync_base"
    __table_args__ = {"sqlite_with_rowid": False}

    record_type: Mapped[str] = mapped_column(String(64), primary_key=True)
    record_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    version: Mapped[int]


class HeldRecord(Base):
    """A pulled record that cannot be stored yet (its parent has not arrived, or it clashes
    with a local record): kept here and retried at every page and every sync."""

    __tablename__ = "sync_held"

    record_type: Mapped[str] = mapped_column(String(64), primary_key=True)
    record_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    seq: Mapped[int]
    version: Mapped[int]
    deleted: Mapped[bool] = mapped_column(default=False)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    case_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    reason: Mapped[str | None] = mapped_column(Text)


class SyncStateEntry(Base):
    """Key/value sync state: server_url, server_id, device_id, device_token, cursor..."""

    __tablename__ = "sync_state"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
