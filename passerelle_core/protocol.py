"""The sync protocol, version 1: the only schemas the client and the server share.

Every request carries ``X-Passerelle-Protocol``; the server answers 426 with
``ErrorBody(code="client_too_old")`` to a client older than it supports, and the client
keeps working offline with its outbox intact. See docs/sync-protocol.md.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

PROTOCOL_VERSION = 1
MIN_SUPPORTED_VERSION = 1
PROTOCOL_HEADER = "X-Passerelle-Protocol"
MAX_PUSH_CHANGES = 500
MAX_PULL_LIMIT = 1000

RecordType = str  # the table name of a synced model, e.g. "beneficiary"
JsonValue = Any


class Message(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ErrorBody(Message):
    code: Literal[
        "client_too_old",
        "bad_credentials",
        "account_disabled",
        "throttled",
        "device_revoked",
        "wipe",
        "forbidden",
        "invalid_request",
        "not_found",
    ]
    message: str
    wipe: bool = False


class EnrolRequest(Message):
    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=200)
    device_name: str = Field(min_length=1, max_length=100)


class UserInfo(Message):
    staff_id: uuid.UUID
    username: str
    full_name: str
    role: str
    team_id: uuid.UUID | None
    facility_id: uuid.UUID | None


class Change(Message):
    """One local edit of one record, captured in the same transaction as the edit."""

    change_id: uuid.UUID
    record_type: RecordType = Field(max_length=64)
    record_id: uuid.UUID
    op: Literal["upsert", "delete"]
    base_version: int | None = Field(default=None, ge=0)  # None: created on this device
    fields: dict[str, JsonValue] = Field(default_factory=dict)  # new values of changed fields
    base_fields: dict[str, JsonValue] = Field(default_factory=dict)  # their values before
    case_id: uuid.UUID | None = None  # the beneficiary this record belongs to, if any
    recorded_at: datetime  # device clock: shown to people, never used for ordering


class PushRequest(Message):
    changes: list[Change] = Field(max_length=MAX_PUSH_CHANGES)


class ChangeResult(Message):
    change_id: uuid.UUID
    status: Literal["applied", "duplicate", "merged", "conflict", "rejected"]
    version: int | None = None
    conflict_id: uuid.UUID | None = None
    error: str | None = None
    permanent: bool = False  # a rejected change that no retry can fix: quarantine it


class PushResponse(Message):
    results: list[ChangeResult]


class RecordState(Message):
    """The current server state of one record, as delivered by a pull."""

    seq: int
    record_type: RecordType
    record_id: uuid.UUID
    version: int
    deleted: bool
    data: dict[str, JsonValue]
    case_id: uuid.UUID | None = None


class EnrolResponse(Message):
    server_id: uuid.UUID
    device_id: uuid.UUID
    device_token: str
    user: UserInfo
    # The user's facility, team and own staff record, so that anything written between
    # enrolment and the first sync is placed in the user's team (docs: "Placement").
    organisation: list[RecordState] = Field(default_factory=list)


class PullResponse(Message):
    server_id: uuid.UUID
    records: list[RecordState]
    left_scope: list[uuid.UUID] = Field(default_factory=list)  # case ids no longer visible
    next_cursor: int
    has_more: bool
    # Records in scope in all, given with the first page of a first sync (cursor 0),
    # for its progress bar.
    expected: int | None = None
    # This device's cursor is beyond anything this database handed it: the server was
    # restored from an older copy (docs/sync-protocol.md, "Server identity and epoch").
    restored: bool = False
