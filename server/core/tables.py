"""The server's own tables (not the laptop's models): accounts, devices, the record store.

Every synced record is one row of ``record``: its current state as wire JSON plus, per
field, the version that last changed it and the device that did, which is all the
per-field merge needs. ``seq`` comes from the single ``counter`` row (see
:mod:`server.services.sequence`) so that pulls can never skip an uncommitted change.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, Integer, LargeBinary, MetaData, String, Uuid
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from passerelle_core.columns import NAMING_CONVENTION, UTCDateTime, utcnow

# SQLite only auto-increments INTEGER PRIMARY KEY columns.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class ServerBase(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        datetime: UTCDateTime(),
        uuid.UUID: Uuid(as_uuid=True),
        dict[str, Any]: JSON(),
        int: Integer(),
    }


class ServerUser(ServerBase):
    """A staff member who may enrol laptops; ``id`` is their ``staff_member`` record's id."""

    __tablename__ = "server_user"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(32))
    team_id: Mapped[uuid.UUID | None]
    facility_id: Mapped[uuid.UUID | None]
    full_name: Mapped[str] = mapped_column(String(200))
    disabled: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TeamKey(ServerBase):
    """The stable key ``user add --team KEY`` names a team by (issue 15).

    Set when the command creates the team; renaming the team (its display name, synced
    organisation data) never changes which team a key names.
    """

    __tablename__ = "team_key"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)  # casefolded
    team_id: Mapped[uuid.UUID] = mapped_column(index=True)


class LoginThrottle(ServerBase):
    """Failed logins in the current window, per username (known or not) and per address.

    Unknown usernames are counted exactly like real ones, so a 429 never tells an
    attacker which usernames exist.
    """

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(250), primary_key=True)
    window_start: Mapped[datetime]
    failures: Mapped[int] = mapped_column(default=0)  # attempts counted (before checking)
    strikes: Mapped[int] = mapped_column(default=0)  # blocks in a row (address back-off)
    blocked_until: Mapped[datetime | None]


class Device(ServerBase):
    __tablename__ = "device"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256 hex
    status: Mapped[str] = mapped_column(String(16), default="active")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime | None]
    # Token rotation: the token replaced last stays valid until the new one is first
    # used, so a rotation whose reply was lost never locks the laptop out.
    previous_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    token_rotated_at: Mapped[datetime | None]
    # The last cursor a pull handed this device (None: before it was tracked). A device
    # coming back with a cursor beyond it meets a database restored from an older copy.
    served_cursor: Mapped[int | None] = mapped_column(BigInteger)
    # The highest cursor the device asked a pull from: everything up to it is written on
    # the laptop, including any case that left it (server.services.transfers).
    applied_cursor: Mapped[int | None] = mapped_column(BigInteger)
    # End states (issue 15): when an erase was ordered, and when the one last push of
    # what was recorded before that order was taken.
    wipe_ordered_at: Mapped[datetime | None]
    final_push_at: Mapped[datetime | None]


class Record(ServerBase):
    """The current state of one synced record and what the merge needs to know of it."""

    __tablename__ = "record"
    # A case's records of one type (a push batch's consents of many cases at once,
    # ``case_id IN (...) AND record_type = ...``): with ``case_id`` alone, SQLite's
    # planner, which has no statistics, took the primary key's ``record_type`` prefix
    # instead and read every record of that type, 0.6 s a batch at 50,000 beneficiaries
    # (bench/README.md, scale-24). Queries by ``case_id`` alone use its prefix.
    __table_args__ = (Index("ix_record_case_type", "case_id", "record_type"),)

    record_type: Mapped[str] = mapped_column(String(64), primary_key=True)
    record_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    version: Mapped[int]
    data: Mapped[dict[str, Any]]
    field_versions: Mapped[dict[str, Any]]  # field -> record version that last changed it
    field_devices: Mapped[dict[str, Any]]  # field -> device id (str) that last changed it
    deleted: Mapped[bool] = mapped_column(default=False)
    case_id: Mapped[uuid.UUID | None]
    # Copied from the case's beneficiary so a pull filters without joining JSON.
    team_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    assigned_staff_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    restricted: Mapped[bool] = mapped_column(default=False)  # psychologist-only
    seq: Mapped[int] = mapped_column(BigInteger, unique=True)


class ChangeLog(ServerBase):
    """Every change that touched the store: the idempotency key and who did what, when."""

    __tablename__ = "change_log"
    __table_args__ = (Index("ix_change_log_record", "record_type", "record_id", "version"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    change_id: Mapped[uuid.UUID] = mapped_column(unique=True)
    seq: Mapped[int | None] = mapped_column(BigInteger)
    record_type: Mapped[str] = mapped_column(String(64))
    record_id: Mapped[uuid.UUID]
    version: Mapped[int | None]  # the record's version once this change was applied
    device_id: Mapped[uuid.UUID]
    user_id: Mapped[uuid.UUID]
    recorded_at: Mapped[datetime]  # device clock, shown to people in conflicts
    result: Mapped[dict[str, Any]]  # the ChangeResult returned, replayed for duplicates
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class Counter(ServerBase):
    """One row: the last sequence number handed out, and this database's identity."""

    __tablename__ = "counter"

    id: Mapped[int] = mapped_column(primary_key=True)
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    server_id: Mapped[uuid.UUID]


class ScopeExit(ServerBase):
    """A case left the scope of a team and/or a staff member (it was reassigned).

    Its ``seq`` sits in the same sequence as the records, so a device hears about it
    exactly once: in the pull whose page passes that number.
    """

    __tablename__ = "scope_exit"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    seq: Mapped[int] = mapped_column(BigInteger, unique=True)
    case_id: Mapped[uuid.UUID]
    team_id: Mapped[uuid.UUID | None]  # the team it left, if it changed
    staff_id: Mapped[uuid.UUID | None]  # the staff member it left, if it changed
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AccessLogCopy(ServerBase):
    """The server's copy of each laptop's access log (docs/sync-protocol.md, access log).

    One chain per laptop profile (``device_id`` is the chain's id, made by the laptop);
    ``uploaded_by`` is the enrolled device that sent the entry. Rows are only appended:
    the migration adds triggers refusing UPDATE and DELETE.
    """

    __tablename__ = "access_log"

    device_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    recorded_at: Mapped[datetime] = mapped_column(index=True)
    staff_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    action: Mapped[str] = mapped_column(String(32))
    record_type: Mapped[str | None] = mapped_column(String(64))
    record_id: Mapped[uuid.UUID | None]
    case_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    uploaded_by: Mapped[uuid.UUID] = mapped_column(index=True)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class RecoveryKey(ServerBase):
    """The administration's recovery PUBLIC key (one row); the private key is kept offline."""

    __tablename__ = "recovery_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_id: Mapped[str] = mapped_column(String(32))
    public_key: Mapped[str] = mapped_column(String(64))  # base64 of 32 raw X25519 bytes
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DeviceEscrow(ServerBase):
    """A device's database key sealed for the recovery public key (never the key itself)."""

    __tablename__ = "device_escrow"

    device_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    key_id: Mapped[str] = mapped_column(String(32))
    sealed: Mapped[dict[str, Any]]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    unsealed_at: Mapped[datetime | None]  # last recovery file made from it (an audit fact)


class RetentionRule(ServerBase):
    """How long cases in one state are kept, and what happens then (issue 6, retention).

    Sent to every laptop in its policy (:func:`server.services.retention.retention_policy`)
    and applied to the server's own copy by ``passerelle-server retention run``.
    """

    __tablename__ = "retention_rule"

    case_state: Mapped[str] = mapped_column(String(32), primary_key=True)
    days: Mapped[int]
    action: Mapped[str] = mapped_column(String(16))  # passerelle_core.enums.RetentionAction
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class DocumentContent(ServerBase):
    """Where the server stands with a document's content (issue 20, app.models.document).

    The document's description is a ``record`` of type ``case_document`` (scope, history
    and permissions as for any record); its content arrives in chunks, each its own row,
    so no request and no check ever holds a large document whole.
    """

    __tablename__ = "document_content"

    document_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    complete: Mapped[bool] = mapped_column(default=False)  # every chunk in, SHA-256 checked
    received_at: Mapped[datetime | None]


class DocumentChunk(ServerBase):
    """One piece of a document's content, as the laptop sent it."""

    __tablename__ = "document_chunk"

    document_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    data: Mapped[bytes] = mapped_column(LargeBinary)
