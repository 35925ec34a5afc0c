"""Pulled records straight to the values SQLite stores, compiled once per record type.

An initial sync writes hundreds of thousands of records. Going wire -> Python objects
(``from_wire``) -> stored values (SQLAlchemy's bind processors) costs two conversions
per field and the generic bookkeeping of an ORM-level executemany; here each column
gets one converter from its wire form to its stored form, built from the column's own
type and bind processor, so the stored values are exactly those SQLAlchemy would write.

Anything unusual (an unknown field, a value of the wrong type, a null where none is
allowed, a UUID in an odd spelling) falls back to ``from_wire``, which raises the
precise ``WireError`` or returns values that then go through the bind processors: the
fast path only ever accepts what ``from_wire`` accepts, with the same results.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

from sqlalchemy import JSON, Boolean, Column, Date, DateTime, Integer, String, Uuid, insert
from sqlalchemy.dialects import sqlite
from sqlalchemy.types import TypeDecorator

from app.sync import wire_plan
from app.sync.records import SYNCED_TYPES, from_wire, wire_columns
from app.sync.state import table_of

Converter = Callable[[Any], Any]
DIALECT = sqlite.dialect()
"""The profile's dialect (SQLCipher speaks SQLite): what the bind processors target."""


def stored_values(record_type: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """The stored form of ``data``'s fields (WireError when unfit), column by column."""
    try:
        return wire_plan.convert_all(_converters(record_type), dict(data))
    except wire_plan.Unfit:
        pass
    processors = _processors(record_type)
    return {n: processors[n](v) for n, v in from_wire(record_type, data).items()}


def decoded_row(record_type: str, data: Mapping[str, Any], hex_id: str) -> wire_plan.Decoded | None:
    """The insert row and references of a record decoded in this process by the generated
    decoder the decoding process uses (``wire_plan.compile_decoder``); None when it does
    not take the record (``stored_values`` then decides, with its precise errors).

    Records decoded here: those of pages parsed in this process (an incremental sync)
    and held records retried when their parent arrives (thousands in an initial sync
    from a server whose cases were edited after their children were created)."""
    decoder = _decoder(record_type)
    if decoder is None or type(data) is not dict:
        return None
    try:
        return decoder(data, hex_id)
    except wire_plan.Unfit:
        return None


@cache
def _decoder(record_type: str) -> wire_plan.RecordDecoder | None:
    if record_type not in SYNCED_TYPES:
        return None
    layout = (insert_columns(record_type), foreign_keys(record_type))
    return wire_plan.compile_decoder(plan(record_type), layout)


def stored_id(value: uuid.UUID) -> str:
    """How a UUID key is stored (and compared) in the profile."""
    return value.hex


def stored_null(record_type: str, name: str) -> Any:
    """What a column missing from a new record stores (JSON columns store ``null``)."""
    return _processors(record_type)[name](None)


def plans() -> dict[str, wire_plan.Plan]:
    """Every synced type's plan: what the decoding process is given."""
    return {name: plan(name) for name in SYNCED_TYPES}


def layouts() -> dict[str, wire_plan.Layout]:
    """Every synced type's insert columns (with their defaults) and foreign keys."""
    return {name: (insert_columns(name), foreign_keys(name)) for name in SYNCED_TYPES}


@cache
def insert_columns(record_type: str) -> tuple[tuple[str, Any], ...]:
    """The insert statement's columns in order, each with what a missing field stores."""
    table = table_of(record_type)
    compiled = insert(table).compile(dialect=DIALECT)
    names = list(compiled.positiontup or ())
    # Columns the wire does not carry (local ones) store their null, as wire ones do.
    return tuple(
        (name, 1 if name == "row_version" else _processor(table.c[name])(None)) for name in names
    )


@cache
def foreign_keys(record_type: str) -> tuple[tuple[str, str], ...]:
    """(column, parent record type) of each reference to another record, as plain
    ``str``: SQLAlchemy's ``quoted_name`` would make the decoding process import
    SQLAlchemy to unpickle its plans, and travel pickled in every page's references."""
    return tuple(
        (str(column.name), str(next(iter(column.foreign_keys)).column.table.name))
        for column in table_of(record_type).columns
        if column.foreign_keys
    )


@cache
def plan(record_type: str) -> wire_plan.Plan:
    return {name: _column_plan(column) for name, column in wire_columns(record_type).items()}


@cache
def _processors(record_type: str) -> dict[str, Converter]:
    return {name: _processor(column) for name, column in wire_columns(record_type).items()}


def _processor(column: Column[Any]) -> Converter:
    process = column.type.dialect_impl(DIALECT).bind_processor(DIALECT)
    return process if process is not None else _same


@cache
def _converters(record_type: str) -> dict[str, Converter]:
    return wire_plan.converters(plan(record_type))


def _column_plan(column: Column[Any]) -> wire_plan.ColumnPlan:
    nullable = bool(column.nullable or column.primary_key)
    process = _processor(column)
    kind, parameter = _kind(column, process)
    return (kind, nullable, process(None), parameter)


def _kind(column: Column[Any], process: Converter) -> tuple[str, Any]:
    column_type = column.type
    impl = column_type.impl if isinstance(column_type, TypeDecorator) else column_type
    if isinstance(column_type, Uuid) or isinstance(impl, Uuid):
        return "uuid", None
    if isinstance(impl, DateTime):
        return "datetime", None
    if isinstance(impl, Date):
        return "date", None
    enum_class = getattr(column_type, "enum_class", None)
    if enum_class is not None:
        return "lookup", {member.value: process(member) for member in enum_class}
    if isinstance(impl, Boolean):
        return "bool", (process(False), process(True))
    if isinstance(impl, JSON) and DIALECT._json_serializer is None:  # json.dumps
        return "json", None
    if process is not _same:
        return "other", None
    if isinstance(impl, Integer):
        return "int", None
    if isinstance(impl, String):  # Text too
        return "text", getattr(impl, "length", None)
    return "other", None


def _same(value: Any) -> Any:
    return value
