"""Validating pushed fields and keeping records in one canonical wire form.

Values are checked by the shared ``from_wire`` (a ``WireError`` is a permanent
rejection) and stored back in their wire form with datetimes in UTC, so that two
spellings of one value (``+01:00`` and ``Z``) compare equal in the merge.
"""

from __future__ import annotations

import enum
import re
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from functools import cache
from typing import Any

from passerelle_core.records import (
    LOCAL_ONLY_COLUMNS,
    RECORD_TYPES,
    WireError,
    from_wire,
    wire_fields,
)

CONFLICT_TYPE = "sync_conflict"
# Bookkeeping fields: the last writer sets them, they never conflict.
META_FIELDS = frozenset({"updated_at", "updated_by_id"})
DELETED_FIELD = "deleted_at"
IMMUTABLE_FIELDS = frozenset({"id"})
FIELD_NAME = re.compile(r"[a-z][a-z0-9_]{0,62}")
"""What a field of a newer version may be called: a column name, nothing else."""


def canonical(value: Any) -> Any:
    """The wire form of a parsed value; datetimes always in UTC."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


def parse_fields(
    record_type: str, record_id: uuid.UUID, fields: Mapping[str, Any]
) -> dict[str, Any]:
    """Canonical values of pushed fields; WireError for anything that does not fit."""
    if record_type not in RECORD_TYPES:
        raise WireError(f"unknown record type {record_type!r}")
    columns = wire_fields(record_type)
    known = {name: value for name, value in fields.items() if name in columns}
    values = {name: canonical(value) for name, value in from_wire(record_type, known).items()}
    for name, value in fields.items():
        if name not in columns:
            values[name] = _verbatim(record_type, name, value)
    if "id" in values and values.pop("id") != str(record_id):
        raise WireError(f"{record_type}.id differs from the record id")
    return values


def new_record_data(
    record_type: str, record_id: uuid.UUID, values: Mapping[str, Any]
) -> dict[str, Any]:
    """Every field of a new record: the pushed values, then the catalogue's defaults.

    A column that is required and has no default must be pushed: laptops receiving a
    record without it could not store it.
    """
    data: dict[str, Any] = {"id": str(record_id)}
    found = 0
    for name, default, nullable in _creation_plan(record_type):
        if name in values:
            data[name] = values[name]
            found += 1
        elif default is not None:
            data[name] = canonical(default())
        elif nullable:
            data[name] = None
        else:
            raise WireError(f"{record_type}.{name} is required")
    if found < len(values):
        for name, value in values.items():  # fields of a newer version, kept verbatim
            data.setdefault(name, value)
    return data


@cache
def _creation_plan(record_type: str) -> tuple[tuple[str, Callable[[], Any] | None, bool], ...]:
    """Per field but ``id``, in catalogue order: its default's maker (None: no default)
    and whether it may be empty (:func:`new_record_data`, once per pushed creation)."""
    return tuple(
        (name, field.make_default if field.has_default else None, field.nullable)
        for name, field in wire_fields(record_type).items()
        if name != "id"
    )


def _verbatim(record_type: str, name: str, value: Any) -> Any:
    """A field this server does not know, from a newer laptop: kept as sent and delivered
    with the record, so laptops that know it store it, and this server once updated."""
    if name in LOCAL_ONLY_COLUMNS or not FIELD_NAME.fullmatch(name):
        raise WireError(f"unknown field {record_type}.{name}")
    return value


def uuid_or_none(value: Any) -> uuid.UUID | None:
    return None if value is None else uuid.UUID(str(value))
