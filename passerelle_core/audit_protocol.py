"""The access log's hash chain and its upload schemas (shared by the laptop and the server).

Each entry's ``hash`` is SHA-256 over a canonical serialisation of its fields and of
``prev_hash``, the previous entry's hash of the same device (``GENESIS_HASH`` for the
first). The serialisation is JSON with sorted keys and compact separators over values in
one textual form (UUIDs with dashes, UTC times in ISO 8601 with microseconds), so the
laptop (SQLite) and the server (SQLite or PostgreSQL) compute the same bytes from their
own column types.

What the chain protects, and what not: a plain hash chain has no secret. It detects an
entry removed (a gap in ``seq``), altered, inserted or moved by anyone who edits the
database without recomputing the hashes that follow. Someone holding the profile's key
can rewrite the chain from the altered entry onwards so that it verifies again on the
laptop; the server's copy is the protection against that: entries already uploaded
cannot be changed there by the laptop (a differing resend is refused), and the server
check runs on the server's own copy. Entries written since the last sync are protected
only by the laptop's encryption and triggers until they are uploaded.
"""

from __future__ import annotations

import enum
import hashlib
import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

GENESIS_HASH = "0" * 64
CHAIN_VERSION = 1
MAX_ACCESS_LOG_ENTRIES = 1000
ACCESS_LOG_PATH = "/api/v1/access-log"
ACCESS_LOG_ACK_HEADER = "X-Passerelle-Access-Log-Acked"
"""The answer to a ``POST /api/v1/pull`` carrying the access log: how far the server now
holds the chain (``AccessLogAck.acked_seq``). Absent: nothing was stored (refused, or
an older server): the laptop uploads the log alone (docs/sync-protocol.md)."""
UUID_FIELDS = ("device_id", "staff_id", "record_id", "case_id")
HASHED_FIELDS = (
    "device_id",
    "seq",
    "recorded_at",
    "staff_id",
    "action",
    "record_type",
    "record_id",
    "case_id",
    "prev_hash",
)
HEX_64 = r"^[0-9a-f]{64}$"


def _uuid_text(value: Any) -> Any:
    if value is None or isinstance(value, uuid.UUID):
        return None if value is None else str(value)
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        return str(value)  # a mangled value: kept as is, so its hash cannot match


def _time_text(value: Any) -> Any:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if not isinstance(value, datetime):
        return value
    if value.tzinfo is None:  # SQLite hands back naive UTC
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def _seq_number(value: Any) -> Any:
    try:
        return int(value)
    except (TypeError, ValueError):
        return str(value)


def canonical_fields(entry: Mapping[str, Any]) -> dict[str, Any]:
    """The hashed fields in their one textual form, whatever the database returned."""
    fields: dict[str, Any] = {}
    for name in HASHED_FIELDS:
        value = entry.get(name)
        if name in UUID_FIELDS:
            value = _uuid_text(value)
        elif name == "recorded_at":
            value = _time_text(value)
        elif name == "seq":
            value = _seq_number(value)
        elif isinstance(value, enum.Enum):
            value = value.value
        fields[name] = value
    return fields


def entry_hash(entry: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of the entry's canonical serialisation, ``prev_hash`` included."""
    payload = {**canonical_fields(entry), "v": CHAIN_VERSION}
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


class BreakKind(StrEnum):
    MISSING = "missing"  # seq jumps: entries were removed
    OUT_OF_ORDER = "out_of_order"  # seq goes back or repeats
    BROKEN_LINK = "broken_link"  # prev_hash is not the previous entry's hash
    ALTERED = "altered"  # the entry's content no longer matches its hash
    TRUNCATED = "truncated"  # entries the server acknowledged are gone


@dataclass(frozen=True)
class ChainBreak:
    """The first place the chain does not hold; ``seq`` is the first entry not trusted."""

    seq: int
    kind: BreakKind


@dataclass(frozen=True)
class ChainCheck:
    entries: int
    last_seq: int
    last_hash: str
    broken: ChainBreak | None = None

    @property
    def intact(self) -> bool:
        return self.broken is None


def verify_chain(
    entries: Iterable[Mapping[str, Any]], *, start_seq: int = 1, prev_hash: str = GENESIS_HASH
) -> ChainCheck:
    """Walk entries in stored order (by seq) and report the first break, if any."""
    expected, previous, count = start_seq, prev_hash, 0
    for entry in entries:
        count += 1
        kind = _break_in(entry, expected, previous)
        if kind is not None:
            return ChainCheck(count, expected - 1, previous, ChainBreak(expected, kind))
        previous, expected = str(entry["hash"]), expected + 1
    return ChainCheck(count, expected - 1, previous)


def _break_in(entry: Mapping[str, Any], expected: int, previous: str) -> BreakKind | None:
    seq = _seq_number(entry.get("seq"))
    if not isinstance(seq, int) or seq < expected:
        return BreakKind.OUT_OF_ORDER
    if seq > expected:
        return BreakKind.MISSING
    if entry.get("prev_hash") != previous:
        return BreakKind.BROKEN_LINK
    if entry.get("hash") != entry_hash(entry):
        return BreakKind.ALTERED
    return None


# -- the upload: POST /api/v1/access-log ---------------------------------------------------


class AccessLogRecord(BaseModel):
    """One entry on the wire: ids, action and time only, never a record's content."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    device_id: uuid.UUID
    seq: int = Field(ge=1, le=2**62)
    recorded_at: datetime
    staff_id: uuid.UUID | None = None
    action: str = Field(min_length=1, max_length=32, pattern=r"^[a-z_]+$")
    record_type: str | None = Field(default=None, max_length=64, pattern=r"^[a-z_]+$")
    record_id: uuid.UUID | None = None
    case_id: uuid.UUID | None = None
    prev_hash: str = Field(pattern=HEX_64)
    hash: str = Field(pattern=HEX_64)

    @field_validator("recorded_at")
    @classmethod
    def _aware_utc(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("recorded_at must carry a time zone")
        try:
            return value.astimezone(UTC)
        except OverflowError:
            raise ValueError("recorded_at is out of range") from None


class AccessLogUpload(BaseModel):
    """Entries of one device's chain, consecutive, after the last the server acknowledged."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    device_id: uuid.UUID
    entries: list[AccessLogRecord] = Field(min_length=1, max_length=MAX_ACCESS_LOG_ENTRIES)


class AccessLogAck(BaseModel):
    """How far the server holds this chain (``acked_seq``) and how many entries were new.

    ``acked_seq`` may be lower than the entries sent when the server misses earlier ones
    (its database was restored): the laptop then sends again from ``acked_seq + 1``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    device_id: uuid.UUID
    acked_seq: int = Field(ge=0)
    stored: int = Field(ge=0)
