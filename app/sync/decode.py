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

import re
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from functools import cache
from typing import Any

from sqlalchemy import Column, Date, DateTime, Uuid
from sqlalchemy.dialects import sqlite
from sqlalchemy.types import TypeDecorator

from app.sync.records import from_wire, wire_columns

Converter = Callable[[Any], Any]
DIALECT = sqlite.dialect()
"""The profile's dialect (SQLCipher speaks SQLite): what the bind processors target."""

_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


class _Unfit(Exception):
    """The fast path does not take this value: ask ``from_wire``."""


def stored_values(record_type: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """The stored form of ``data``'s fields (WireError when unfit), column by column."""
    converters = _converters(record_type)
    values: dict[str, Any] = {}
    try:
        for name, raw in data.items():
            values[name] = converters[name](raw)
    except (_Unfit, KeyError, ValueError, TypeError):
        processors = _processors(record_type)
        return {n: processors[n](v) for n, v in from_wire(record_type, data).items()}
    return values


def stored_id(value: uuid.UUID) -> str:
    """How a UUID key is stored (and compared) in the profile."""
    return value.hex


def stored_null(record_type: str, name: str) -> Any:
    """What a column missing from a new record stores (JSON columns store ``null``)."""
    return _processors(record_type)[name](None)


@cache
def _processors(record_type: str) -> dict[str, Converter]:
    return {name: _processor(column) for name, column in wire_columns(record_type).items()}


def _processor(column: Column[Any]) -> Converter:
    process = column.type.dialect_impl(DIALECT).bind_processor(DIALECT)
    return process if process is not None else _same


@cache
def _converters(record_type: str) -> dict[str, Converter]:
    return {name: _converter(column) for name, column in wire_columns(record_type).items()}


def _converter(column: Column[Any]) -> Converter:
    convert = _typed(column)
    if column.nullable or column.primary_key:
        null = _processor(column)(None)
        return lambda raw: null if raw is None else convert(raw)
    return convert


def _typed(column: Column[Any]) -> Converter:
    column_type = column.type
    impl = column_type.impl if isinstance(column_type, TypeDecorator) else column_type
    process = _processor(column)
    if isinstance(column_type, Uuid) or isinstance(impl, Uuid):
        return _uuid_hex
    if isinstance(impl, DateTime):
        return _utc_datetime
    if isinstance(impl, Date):
        return _date
    enum_class = getattr(column_type, "enum_class", None)
    if enum_class is not None:
        return _lookup({member.value: process(member) for member in enum_class})
    try:
        python_type = column_type.python_type
    except NotImplementedError:
        return _not_null(process)
    if python_type is bool:
        return _exact(bool, process)
    if python_type is int:
        return _exact(int, process)
    if python_type is str:
        return _text(getattr(column_type, "length", None), process)
    return _not_null(process)


def _uuid_hex(raw: Any) -> str:
    if type(raw) is not str or not _CANONICAL_UUID.fullmatch(raw):
        raise _Unfit
    return raw.replace("-", "")


def _utc_datetime(raw: Any) -> str:
    """SQLAlchemy's SQLite DATETIME text of the UTC time (UTCDateTime stores naive UTC)."""
    if type(raw) is not str:
        raise _Unfit
    parsed = datetime.fromisoformat(raw)
    if parsed.tzinfo is None:
        raise _Unfit
    naive = parsed.astimezone(UTC).replace(tzinfo=None)
    return naive.isoformat(sep=" ", timespec="microseconds")


def _date(raw: Any) -> str:
    if type(raw) is not str:
        raise _Unfit
    return date.fromisoformat(raw).isoformat()


def _lookup(stored: dict[Any, Any]) -> Converter:
    def convert(raw: Any) -> Any:
        if type(raw) is not str or raw not in stored:
            raise _Unfit
        return stored[raw]

    return convert


def _exact(kind: type, process: Converter) -> Converter:
    def check(raw: Any) -> Any:
        if type(raw) is not kind:
            raise _Unfit
        return process(raw)

    def check_only(raw: Any) -> Any:
        if type(raw) is not kind:
            raise _Unfit
        return raw

    return check_only if process is _same else check


def _text(length: int | None, process: Converter) -> Converter:
    limit = length if length is not None else float("inf")

    def check(raw: Any) -> Any:
        if type(raw) is not str or len(raw) > limit:
            raise _Unfit
        return process(raw)

    def check_only(raw: Any) -> Any:
        if type(raw) is not str or len(raw) > limit:
            raise _Unfit
        return raw

    return check_only if process is _same else check


def _not_null(process: Converter) -> Converter:
    def convert(raw: Any) -> Any:
        if raw is None:
            raise _Unfit  # a null where none is allowed: from_wire explains
        return process(raw)

    return convert


def _same(value: Any) -> Any:
    return value
