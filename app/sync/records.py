"""The laptop's synced models and their wire form.

The wire form itself (record catalogue, ``from_wire``, case links, schema number) is
shared with the server in :mod:`passerelle_core.records`; its names are re-exported
here for the laptop's modules. What needs the desktop models stays here:
the model of each record type, its columns, a row's wire form.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from functools import cache
from typing import Any

from sqlalchemy import Column, inspect

from app.models import SYNCED_MODELS
from app.models.base import Base, SyncedMixin
from passerelle_core import records as _core
from passerelle_core.records import (
    CASE_LINKS,
    CURRENT_SCHEMA,
    LOCAL_ONLY_COLUMNS,
    SCHEMA_HEADER,
    SCHEMA_VERSION,
    UNKNOWN,
    UNKNOWN_ENV,
    WireError,
    to_wire_value,
)

__all__ = [
    "CASE_LINKS",
    "CURRENT_SCHEMA",
    "LOCAL_ONLY_COLUMNS",
    "SCHEMA_HEADER",
    "SCHEMA_VERSION",
    "SYNCED_TYPES",
    "UNKNOWN_ENV",
    "WireError",
    "from_wire",
    "record_to_wire",
    "to_wire_value",
    "wire_columns",
]


def _table_name(model: type[Any]) -> str:
    return str(inspect(model).local_table.name)


SYNCED_TYPES: dict[str, type[SyncedMixin]] = {
    _table_name(m): m for m in SYNCED_MODELS if _table_name(m) not in UNKNOWN
}


def wire_columns(record_type: str) -> dict[str, Column[Any]]:
    model = SYNCED_TYPES.get(record_type)
    if model is None:
        raise WireError(f"unknown record type {record_type!r}")
    table = inspect(model).local_table
    return {
        c.name: c
        for c in table.columns
        if c.name not in LOCAL_ONLY_COLUMNS and f"{record_type}.{c.name}" not in UNKNOWN
    }


def record_to_wire(instance: SyncedMixin | Base) -> dict[str, Any]:
    record_type = _table_name(type(instance))
    return {name: to_wire_value(getattr(instance, name)) for name in wire_columns(record_type)}


def from_wire(record_type: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """Column values ready for an INSERT/UPDATE of ``record_type``; WireError if unfit.

    The shared ``from_wire``, plus the members of the enums only the laptop defines (the
    catalogue knows their values, not their classes).
    """
    values = _core.from_wire(record_type, data)
    for name, enum_class in _laptop_enums(record_type).items():
        if values.get(name) is not None:
            values[name] = enum_class(values[name])
    return values


@cache
def _laptop_enums(record_type: str) -> dict[str, type[enum.Enum]]:
    return {
        name: column.type.enum_class  # type: ignore[attr-defined]
        for name, column in wire_columns(record_type).items()
        if getattr(column.type, "enum_class", None) is not None
        and _core.wire_fields(record_type)[name].enum is None
    }
