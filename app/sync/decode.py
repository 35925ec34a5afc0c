"""Fast decoding of pulled records: ``from_wire``'s results, compiled once per record type.

An initial sync decodes hundreds of thousands of records; ``from_wire`` inspects each
column's type for every value. Here each type gets a list of converters built once.
Anything unusual (an unknown field, a value of the wrong type, a null where none is
allowed) falls back to ``from_wire`` itself, which raises the precise ``WireError``: the
fast path only ever accepts what ``from_wire`` accepts, with the same results.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import Column, Date, DateTime, Uuid
from sqlalchemy.types import TypeDecorator

from app.sync.records import from_wire, wire_columns

Converter = Callable[[Any], Any]


class _Unfit(Exception):
    """The fast path does not take this value: ask ``from_wire``."""


def decode(record_type: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """Column values for ``record_type`` (WireError when unfit), like ``from_wire``."""
    converters = _converters(record_type)
    values: dict[str, Any] = {}
    try:
        for name, raw in data.items():
            values[name] = converters[name](raw)
    except (_Unfit, KeyError, ValueError, TypeError):
        return from_wire(record_type, data)
    return values


@cache
def _converters(record_type: str) -> dict[str, Converter]:
    return {name: _converter(column) for name, column in wire_columns(record_type).items()}


def _converter(column: Column[Any]) -> Converter:
    convert = _typed(column)
    if column.nullable or column.primary_key:
        return lambda raw: None if raw is None else convert(raw)
    return convert


def _typed(column: Column[Any]) -> Converter:
    column_type = column.type
    impl = column_type.impl if isinstance(column_type, TypeDecorator) else column_type
    if isinstance(column_type, Uuid) or isinstance(impl, Uuid):
        return _uuid
    if isinstance(impl, DateTime):
        return _aware_datetime
    if isinstance(impl, Date):
        return _date
    enum_class = getattr(column_type, "enum_class", None)
    if enum_class is not None:
        return enum_class
    try:
        python_type = column_type.python_type
    except NotImplementedError:
        return _as_is
    if python_type is bool:
        return _exact(bool)
    if python_type is int:
        return _exact(int)
    if python_type is str:
        return _text(getattr(column_type, "length", None))
    return _as_is


def _uuid(raw: Any) -> uuid.UUID:
    if not isinstance(raw, str):
        raise _Unfit
    return uuid.UUID(raw)


def _aware_datetime(raw: Any) -> datetime:
    if not isinstance(raw, str):
        raise _Unfit
    parsed = datetime.fromisoformat(raw)
    if parsed.tzinfo is None:
        raise _Unfit
    return parsed


def _date(raw: Any) -> date:
    if not isinstance(raw, str):
        raise _Unfit
    return date.fromisoformat(raw)


def _exact(kind: type) -> Converter:
    def check(raw: Any) -> Any:
        if type(raw) is not kind:
            raise _Unfit
        return raw

    return check


def _text(length: int | None) -> Converter:
    def check(raw: Any) -> str:
        if type(raw) is not str or (length is not None and len(raw) > length):
            raise _Unfit
        return raw

    return check


def _as_is(raw: Any) -> Any:
    if raw is None:
        raise _Unfit  # a null where none is allowed: from_wire explains
    return raw
