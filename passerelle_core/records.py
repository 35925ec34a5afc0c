"""Synced record types and their JSON form on the wire (shared by client and server).

A record on the wire is a JSON object of its fields: UUIDs as strings, dates and
datetimes in ISO 8601, enums as their values, JSON fields as they are. ``row_version``
is local bookkeeping and never leaves the laptop. What each type holds is the record
catalogue (``passerelle_core.record_catalogue``, generated from the laptop's models).
"""

from __future__ import annotations

import enum
import os
import uuid
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from passerelle_core.fields import WireField
from passerelle_core.record_catalogue import CATALOGUE

LOCAL_ONLY_COLUMNS = frozenset({"row_version"})

UNKNOWN_ENV = "PASSERELLE_SYNC_UNKNOWN"
"""Version tests only, never set in use: comma-separated ``type`` or ``type.field`` names
this process behaves as if it did not know, so a real laptop or server process plays an
older version against a newer one (tests/sync/test_versions.py)."""
UNKNOWN = frozenset(e.strip() for e in os.environ.get(UNKNOWN_ENV, "").split(",") if e.strip())

SCHEMA_HEADER = "X-Passerelle-Schema"
CURRENT_SCHEMA = 2
"""The synced record types and fields this version knows, as a number: raised by one
whenever a type or field is added (docs/sync-protocol.md, the checklist). Laptop and
server state it in every request and answer; a laptop told of a newer one asks for an
update and keeps working."""
SCHEMA_VERSION = CURRENT_SCHEMA - 1 if UNKNOWN else CURRENT_SCHEMA

RECORD_TYPES: dict[str, dict[str, WireField]] = {
    record_type: {
        field.name: field
        for field in fields
        if field.name not in LOCAL_ONLY_COLUMNS and f"{record_type}.{field.name}" not in UNKNOWN
    }
    for record_type, fields in CATALOGUE.items()
    if record_type not in UNKNOWN
}
"""Record type -> its wire fields, parents before children (the order of a bulk load)."""

CASE_LINKS: dict[str, tuple[str, str]] = {
    "consent_record": ("beneficiary_id", "beneficiary"),
    "needs_assessment": ("beneficiary_id", "beneficiary"),
    "action_plan": ("beneficiary_id", "beneficiary"),
    "follow_up_session": ("beneficiary_id", "beneficiary"),
    "referral": ("beneficiary_id", "beneficiary"),
    "post_release_outcome": ("beneficiary_id", "beneficiary"),
    "meeting_decision": ("beneficiary_id", "beneficiary"),
    "duplicate_decision": ("beneficiary_id", "beneficiary"),
    "case_document": ("beneficiary_id", "beneficiary"),
    "case_transfer": ("beneficiary_id", "beneficiary"),
    "appointment": ("beneficiary_id", "beneficiary"),
    "quick_note": ("beneficiary_id", "beneficiary"),
    "goal": ("plan_id", "action_plan"),
    "action": ("goal_id", "goal"),
    "session_note": ("session_id", "follow_up_session"),
    "sync_conflict": ("case_id", "beneficiary"),
}
"""How a record reaches its case: (field holding the parent's id, parent's record type).

A ``beneficiary`` is its own case; types absent here (organisation data) have no case.
Client and server both walk these links, each over its own copy of the data. A new
synced type that belongs to a case is added here (tests/test_record_catalogue.py checks
that every link names a known field).
"""


class WireError(ValueError):
    """A record or field that does not fit the model: never fixable by a retry."""


def wire_fields(record_type: str) -> Mapping[str, WireField]:
    fields = RECORD_TYPES.get(record_type)
    if fields is None:
        raise WireError(f"unknown record type {record_type!r}")
    return fields


def to_wire_value(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


def from_wire(record_type: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """Field values ready for an INSERT/UPDATE of ``record_type``; WireError if unfit."""
    fields = wire_fields(record_type)
    values = {}
    for name, raw in data.items():
        field = fields.get(name)
        if field is None:
            raise WireError(f"unknown field {record_type}.{name}")
        values[name] = _from_wire_value(record_type, field, raw)
    return values


def _from_wire_value(record_type: str, field: WireField, raw: Any) -> Any:
    where = f"{record_type}.{field.name}"
    if raw is None:
        if not field.nullable and not field.primary_key:
            raise WireError(f"{where} cannot be empty")
        return None
    kind = field.kind
    try:
        if kind == "uuid":
            return uuid.UUID(str(raw))
        if kind == "datetime":
            parsed = datetime.fromisoformat(str(raw))
            if parsed.tzinfo is None:
                raise WireError(f"{where}: datetimes must carry a time zone")
            return parsed
        if kind == "date":
            return date.fromisoformat(str(raw))
        if kind == "enum" and field.enum is not None:
            return field.enum(raw)
        if kind == "enum" and raw not in field.enum_values:
            raise ValueError(f"{raw!r} is not one of {', '.join(field.enum_values)}")
    except WireError:
        raise
    except (ValueError, TypeError) as error:
        raise WireError(f"{where}: {error}") from None
    if kind == "bool" and not isinstance(raw, bool):
        raise WireError(f"{where}: expected true or false")
    if kind == "int" and (isinstance(raw, bool) or not isinstance(raw, int)):
        raise WireError(f"{where}: expected an integer")
    if kind == "str":
        if not isinstance(raw, str):
            raise WireError(f"{where}: expected text")
        if field.length is not None and len(raw) > field.length:
            raise WireError(f"{where}: too long")
    return raw
