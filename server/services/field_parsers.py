"""``parse_fields`` without per-field dispatch: one converter per field, built once.

:func:`server.services.wire.parse_fields` checks a pushed value with the shared
``from_wire`` and canonicalises what it returns; a push batch does that for every field
of every change. Here each field of the record catalogue gets a converter, built on
first use of its record type, that accepts a value already in canonical wire form as is
(a lower-case hyphenated uuid, an enum's value, text within its length...) and hands
anything else to the shared code, so that every refusal and every canonical value is
exactly the one ``wire.parse_fields`` gives (tests/server/test_field_parsers.py).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from functools import cache
from typing import Any

from passerelle_core.fields import WireField
from passerelle_core.records import RECORD_TYPES, WireError, from_wire, wire_fields
from server.services.wire import _verbatim, canonical

Converter = Callable[[Any], Any]
JSON_TYPES = frozenset({dict, list, str, int, float, bool})
CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def parse_fields(
    record_type: str, record_id: uuid.UUID, fields: Mapping[str, Any]
) -> dict[str, Any]:
    """What ``wire.parse_fields`` returns (or raises) for the same arguments."""
    converters = _converters(record_type) if record_type in RECORD_TYPES else None
    if converters is None:
        raise WireError(f"unknown record type {record_type!r}")
    values: dict[str, Any] = {}
    unknown: list[str] = []
    for name, raw in fields.items():
        convert = converters.get(name)
        if convert is None:
            unknown.append(name)
        else:
            values[name] = convert(raw)
    for name in unknown:
        values[name] = _verbatim(record_type, name, fields[name])
    if "id" in values and values.pop("id") != str(record_id):
        raise WireError(f"{record_type}.id differs from the record id")
    return values


@cache
def _converters(record_type: str) -> dict[str, Converter]:
    return {
        name: _converter(record_type, field) for name, field in wire_fields(record_type).items()
    }


def _converter(record_type: str, field: WireField) -> Converter:
    """The fast check of one field's canonical form; the shared code otherwise."""
    name = field.name

    def shared(raw: Any) -> Any:
        return canonical(from_wire(record_type, {name: raw})[name])

    empty_ok = field.nullable or field.primary_key
    kind = field.kind
    # One closure per field, the canonical form checked inline (a call per field fewer).
    if kind == "uuid":
        match = CANONICAL_UUID.fullmatch

        def convert(raw: Any) -> Any:
            if type(raw) is str and match(raw) is not None:
                return raw
            return None if raw is None and empty_ok else shared(raw)

    elif kind == "str":
        length = field.length if field.length is not None else -1

        def convert(raw: Any) -> Any:
            if type(raw) is str and (length < 0 or len(raw) <= length):
                return raw
            return None if raw is None and empty_ok else shared(raw)

    elif kind == "enum":
        values = (
            frozenset(member.value for member in field.enum)
            if field.enum is not None
            else frozenset(field.enum_values)
        )

        def convert(raw: Any) -> Any:
            if type(raw) is str and raw in values:
                return raw
            return None if raw is None and empty_ok else shared(raw)

    elif kind == "bool":

        def convert(raw: Any) -> Any:
            if raw is True or raw is False:
                return raw
            return None if raw is None and empty_ok else shared(raw)

    elif kind == "int":

        def convert(raw: Any) -> Any:
            if type(raw) is int:
                return raw
            return None if raw is None and empty_ok else shared(raw)

    elif kind == "json":

        def convert(raw: Any) -> Any:
            if type(raw) in JSON_TYPES:
                return raw
            return None if raw is None and empty_ok else shared(raw)

    elif kind == "datetime":
        return _datetime(shared, empty_ok)
    elif kind == "date":
        return _date(shared, empty_ok)
    else:  # a kind added later: the shared code alone
        return shared
    return convert


def _datetime(shared: Converter, empty_ok: bool) -> Converter:
    def convert(raw: Any) -> Any:
        if type(raw) is str:
            try:
                parsed = datetime.fromisoformat(raw)
            except ValueError:
                return shared(raw)
            # Spelt as isoformat spells a UTC time to the second, as laptops send them
            # (2026-12-07T10:00:00+00:00): its own canonical form, no astimezone nor
            # isoformat (a third of a push's field parsing). The shape is checked whole:
            # Python reads other spellings of that length (T151000.1, 2026-W49-1T...).
            if (
                len(raw) == 25
                and raw[19:] == "+00:00"
                and raw[10] == "T"
                and raw[4] == "-"
                and raw[7] == "-"
                and raw[13] == ":"
                and raw[16] == ":"
                and raw[11:13] != "24"
            ):
                return raw
            if parsed.tzinfo is not None:
                return parsed.astimezone(UTC).isoformat()
        elif raw is None and empty_ok:
            return None
        return shared(raw)

    return convert


def _date(shared: Converter, empty_ok: bool) -> Converter:
    def convert(raw: Any) -> Any:
        if type(raw) is str:
            try:
                parsed = date.fromisoformat(raw)
            except ValueError:
                return shared(raw)
            if len(raw) == 10 and raw[4] == "-" and raw[7] == "-":
                return raw  # YYYY-MM-DD: its own canonical form
            return parsed.isoformat()
        if raw is None and empty_ok:
            return None
        return shared(raw)

    return convert
