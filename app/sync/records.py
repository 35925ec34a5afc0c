"""Synced record types and their JSON form on the wire (shared by client and server).

A record on the wire is a JSON object of its columns: UUIDs as strings, dates and
datetimes in ISO 8601, enums as their values, JSON columns as they are. ``row_version``
is local bookkeeping and never leaves the laptop.
"""

from __future__ import annotations

import enum
import os
import uuid
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import Column, Date, DateTime, Uuid, inspect
from sqlalchemy.types import TypeDecorator

from app.models import SYNCED_MODELS
from app.models.base import Base, SyncedMixin

LOCAL_ONLY_COLUMNS = frozenset({"row_version"})


def _table_name(model: type[Any]) -> str:
    return str(inspect(model).local_table.name)


UNKNOWN_ENV = "PASSERELLE_SYNC_UNKNOWN"
"""Version tests only, never set in use: comma-separated ``type`` or ``type.field`` names
this process behaves as if it did not know, so a real laptop or server process plays an
older version against a newer one (tests/sync/test_versions.py)."""
_UNKNOWN = frozenset(e.strip() for e in os.environ.get(UNKNOWN_ENV, "").split(",") if e.strip())

SCHEMA_HEADER = "X-Passerelle-Schema"
CURRENT_SCHEMA = 1
"""The synced record types and fields this version knows, as a number: raised by one
whenever a type or field is added (docs/sync-protocol.md, the checklist). Laptop and
server state it in every request and answer; a laptop told of a newer one asks for an
update and keeps working."""
SCHEMA_VERSION = CURRENT_SCHEMA - 1 if _UNKNOWN else CURRENT_SCHEMA

SYNCED_TYPES: dict[str, type[SyncedMixin]] = {
    _table_name(m): m for m in SYNCED_MODELS if _table_name(m) not in _UNKNOWN
}


class WireError(ValueError):
    """A record or field that does not fit the model: never fixable by a retry."""


def wire_columns(record_type: str) -> dict[str, Column[Any]]:
    model = SYNCED_TYPES.get(record_type)
    if model is None:
        raise WireError(f"unknown record type {record_type!r}")
    table = inspect(model).local_table
    return {
        c.name: c
        for c in table.columns
        if c.name not in LOCAL_ONLY_COLUMNS and f"{record_type}.{c.name}" not in _UNKNOWN
    }


def to_wire_value(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


def record_to_wire(instance: SyncedMixin | Base) -> dict[str, Any]:
    record_type = _table_name(type(instance))
    return {name: to_wire_value(getattr(instance, name)) for name in wire_columns(record_type)}


def from_wire(record_type: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """Column values ready for an INSERT/UPDATE of ``record_type``; WireError if unfit."""
    columns = wire_columns(record_type)
    values = {}
    for name, raw in data.items():
        column = columns.get(name)
        if column is None:
            raise WireError(f"unknown field {record_type}.{name}")
        values[name] = _from_wire_value(column, raw)
    return values


def _from_wire_value(column: Column[Any], raw: Any) -> Any:
    where = f"{getattr(column.table, 'name', '')}.{column.name}"
    if raw is None:
        if not column.nullable and not column.primary_key:
            raise WireError(f"{where} cannot be empty")
        return None
    column_type = column.type
    impl = column_type.impl if isinstance(column_type, TypeDecorator) else column_type
    try:
        if isinstance(column_type, Uuid) or isinstance(impl, Uuid):
            return uuid.UUID(str(raw))
        if isinstance(impl, DateTime):
            parsed = datetime.fromisoformat(str(raw))
            if parsed.tzinfo is None:
                raise WireError(f"{where}: datetimes must carry a time zone")
            return parsed
        if isinstance(impl, Date):
            return date.fromisoformat(str(raw))
        enum_class = getattr(column_type, "enum_class", None)
        if enum_class is not None:
            return enum_class(raw)
        python_type = column_type.python_type
    except WireError:
        raise
    except (ValueError, TypeError) as error:
        raise WireError(f"{where}: {error}") from None
    except NotImplementedError:
        return raw
    if python_type is bool and not isinstance(raw, bool):
        raise WireError(f"{where}: expected true or false")
    if python_type is int and (isinstance(raw, bool) or not isinstance(raw, int)):
        raise WireError(f"{where}: expected an integer")
    if python_type is str and not isinstance(raw, str):
        raise WireError(f"{where}: expected text")
    if python_type is str and column_type.length is not None and len(raw) > column_type.length:  # type: ignore[attr-defined]
        raise WireError(f"{where}: too long")
    return raw


CASE_LINKS: dict[str, tuple[str, str]] = {
    "consent_record": ("beneficiary_id", "beneficiary"),
    "needs_assessment": ("beneficiary_id", "beneficiary"),
    "action_plan": ("beneficiary_id", "beneficiary"),
    "follow_up_session": ("beneficiary_id", "beneficiary"),
    "referral": ("beneficiary_id", "beneficiary"),
    "post_release_outcome": ("beneficiary_id", "beneficiary"),
    "meeting_decision": ("beneficiary_id", "beneficiary"),
    "goal": ("plan_id", "action_plan"),
    "action": ("goal_id", "goal"),
    "session_note": ("session_id", "follow_up_session"),
    "sync_conflict": ("case_id", "beneficiary"),
}
"""How a record reaches its case: (field holding the parent's id, parent's record type).

A ``beneficiary`` is its own case; types absent here (organisation data) have no case.
Client and server both walk these links, each over its own copy of the data.
"""
