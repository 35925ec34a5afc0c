"""Wire value -> stored value converters, built from plain column plans (stdlib only).

A *plan* says, per column, what kind of value it stores and how: :mod:`app.sync.decode`
derives it from the models' columns and bind processors, and the decoding process
(:mod:`app.sync.decode_worker`) receives it pickled, so that it needs neither
SQLAlchemy nor the models. Both build their converters here: one implementation.

A converter raises :class:`Unfit` for anything unusual; the caller then asks
``from_wire`` (in the main process), which explains or canonicalises.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

Converter = Callable[[Any], Any]
ColumnPlan = tuple[str, bool, Any, Any]
"""(kind, null allowed, stored null, parameter). Kinds: uuid, datetime, date, lookup
(parameter: wire value -> stored value), bool (parameter: stored False, stored True),
int, text (parameter: maximum length or None), json, other (never converted here)."""
Plan = dict[str, ColumnPlan]
Layout = tuple[tuple[tuple[str, Any], ...], tuple[tuple[str, str], ...]]
"""(insert columns in order with the value a missing field stores, foreign keys as
(column, parent record type))."""

CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


_PLAIN_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?\+00:00")


class Unfit(Exception):
    """The fast path does not take this value: ask ``from_wire``."""


def converters(plan: Plan) -> dict[str, Converter]:
    return {name: converter(column) for name, column in plan.items()}


def converter(column: ColumnPlan) -> Converter:
    kind, nullable, null, parameter = column
    convert = _typed(kind, parameter)
    if nullable:
        return lambda raw: null if raw is None else convert(raw)
    return convert


def convert_all(table: dict[str, Converter], data: dict[str, Any]) -> dict[str, Any]:
    """Every field's stored value; Unfit (or KeyError: an unknown field) otherwise."""
    try:
        return {name: table[name](raw) for name, raw in data.items()}
    except (KeyError, ValueError, TypeError):
        raise Unfit from None


def _typed(kind: str, parameter: Any) -> Converter:
    if kind == "uuid":
        return uuid_hex
    if kind == "datetime":
        return _utc_datetime
    if kind == "date":
        return _date
    if kind == "lookup":
        return _lookup(parameter)
    if kind == "bool":
        return _bool(parameter)
    if kind == "int":
        return _int
    if kind == "text":
        return _text(parameter)
    if kind == "json":
        return _json
    return _never


def uuid_hex(raw: Any) -> str:
    if type(raw) is not str or not CANONICAL_UUID.fullmatch(raw):
        raise Unfit
    return raw.replace("-", "")


def _utc_datetime(raw: Any) -> str:
    """SQLAlchemy's SQLite DATETIME text of the UTC time (UTCDateTime stores naive UTC)."""
    if type(raw) is not str:
        raise Unfit
    parsed = datetime.fromisoformat(raw)  # checks the value whatever its spelling
    if raw.endswith("+00:00") and _PLAIN_UTC.fullmatch(raw):  # what servers send: no reformat
        if len(raw) == 32:
            return raw[:10] + " " + raw[11:26]
        return raw[:10] + " " + raw[11:19] + ".000000"
    if parsed.tzinfo is None:
        raise Unfit
    naive = parsed.astimezone(UTC).replace(tzinfo=None)
    return naive.isoformat(sep=" ", timespec="microseconds")


def _date(raw: Any) -> str:
    if type(raw) is not str:
        raise Unfit
    return date.fromisoformat(raw).isoformat()


def _lookup(stored: dict[Any, Any]) -> Converter:
    def convert(raw: Any) -> Any:
        if type(raw) is not str or raw not in stored:
            raise Unfit
        return stored[raw]

    return convert


def _bool(stored: tuple[Any, Any]) -> Converter:
    false, true = stored

    def convert(raw: Any) -> Any:
        if type(raw) is not bool:
            raise Unfit
        return true if raw else false

    return convert


def _int(raw: Any) -> Any:
    if type(raw) is not int:
        raise Unfit
    return raw


def _text(length: int | None) -> Converter:
    limit = length if length is not None else float("inf")

    def convert(raw: Any) -> Any:
        if type(raw) is not str or len(raw) > limit:
            raise Unfit
        return raw

    return convert


def _json(raw: Any) -> Any:
    if raw is None:
        raise Unfit  # a null where none is allowed: from_wire explains
    return json.dumps(raw)


def _never(_raw: Any) -> Any:
    raise Unfit


Decoded = tuple[tuple[Any, ...], list[tuple[str, str]]]
RecordDecoder = Callable[[dict[str, Any], str], Decoded]
"""(wire fields, stored id) -> (the insert statement's parameters, the references), as
``convert_all`` then ``row_of`` and ``parents_of`` give them; Unfit otherwise."""

_MISSING = object()


def compile_decoder(plan: Plan, layout: Layout) -> RecordDecoder:
    """One record type's decoding as a single generated function.

    An initial sync decodes every field of hundreds of thousands of records: the generic
    path (a dictionary of converters, one closure per nullable column, then the row and
    the references built from a dictionary) spends more on calls than on conversions.
    Here each column's check is written out once, in insert order; the generated code
    holds only names and constants from the plan (column names come from the models).
    """
    names: dict[str, Any] = {"Unfit": Unfit, "_M": _MISSING, "_U": CANONICAL_UUID.fullmatch}
    names |= {"_dt": _utc_datetime, "_date": _date, "_json": _json}
    lines = [
        "def decode(data, hex_id):",
        "  if not data.keys() <= FIELDS: raise Unfit",
        "  get = data.get",
    ]
    names["FIELDS"] = frozenset(plan)
    columns = [name for name, _default in layout[0]]
    references = {column for column, _parent in layout[1]}
    extra = [name for name in plan if name not in columns]
    for number, name in enumerate([*columns, *extra]):
        value = f"c{number}"
        if name in columns:
            names[f"D{number}"] = layout[0][number][1]
        if name not in plan:
            lines.append(f"  {value} = D{number}")
            continue
        lines.append(f"  v = get({name!r}, _M)")
        missing = f"D{number}" if name in columns else "None"
        lines.append(f"  if v is _M: {value} = {missing}")
        kind, nullable, null, parameter = plan[name]
        names[f"N{number}"] = null
        lines.append(
            f"  elif v is None: {value} = N{number}"
            if nullable
            else "  elif v is None: raise Unfit"
        )
        lines.extend(f"  {line}" for line in _inline(kind, parameter, number, names))
        if name in references:  # as ``parents_of``: only the fields the record carries
            lines.append(f"  r{number} = None if v is _M else {value}")
        if name == "id":
            lines.append(f"  {value} = hex_id")
            if name in references:
                lines.append(f"  r{number} = hex_id")
    if "id" not in plan and "id" in columns:
        lines.append(f"  c{columns.index('id')} = hex_id")
    row = ", ".join(f"c{number}" for number in range(len(columns)))
    lines.append(f"  row = ({row}{',' if len(columns) == 1 else ''})")
    lines.append("  parents = []")
    for column, parent_type in layout[1]:
        number = columns.index(column)
        reference = f"r{number}" if column in plan else "None"
        lines.append(
            f"  if {reference} is not None: parents.append(({parent_type!r}, {reference}))"
        )
    lines.append("  return row, parents")
    body = "\n".join(
        [
            "def compiled(data, hex_id):",
            "  try:",
            "    return decode(data, hex_id)",
            "  except (KeyError, ValueError, TypeError):",
            "    raise Unfit from None",
        ]
    )
    namespace = dict(names)
    exec("\n".join(lines) + "\n" + body, namespace)  # noqa: S102 - our own generated code
    decoder: RecordDecoder = namespace["compiled"]
    return decoder


def _inline(kind: str, parameter: Any, number: int, names: dict[str, Any]) -> list[str]:
    """The ``else`` branch converting a present, non-null raw value ``v`` into ``cN``."""
    value = f"c{number}"
    if kind == "uuid":
        return [
            "else:",
            "  if type(v) is not str or not _U(v): raise Unfit",
            f"  {value} = v.replace('-', '')",
        ]
    if kind == "datetime":
        return [f"else: {value} = _dt(v)"]
    if kind == "date":
        return [f"else: {value} = _date(v)"]
    if kind == "lookup":
        names[f"L{number}"] = parameter
        return [
            "else:",
            f"  {value} = L{number}.get(v, _M) if type(v) is str else _M",
            f"  if {value} is _M: raise Unfit",
        ]
    if kind == "bool":
        names[f"F{number}"], names[f"T{number}"] = parameter
        return [
            f"elif v is True: {value} = T{number}",
            f"elif v is False: {value} = F{number}",
            "else: raise Unfit",
        ]
    if kind == "int":
        return ["elif type(v) is not int: raise Unfit", f"else: {value} = v"]
    if kind == "text":
        if parameter is None:
            return ["elif type(v) is not str: raise Unfit", f"else: {value} = v"]
        names[f"X{number}"] = parameter
        return [f"elif type(v) is not str or len(v) > X{number}: raise Unfit", f"else: {value} = v"]
    if kind == "json":
        return [f"else: {value} = _json(v)"]
    return ["else: raise Unfit"]


def row_of(layout: Layout, values: dict[str, Any]) -> tuple[Any, ...]:
    """The insert statement's parameters for these stored values."""
    return tuple([values.get(name, default) for name, default in layout[0]])


def parents_of(layout: Layout, values: dict[str, Any]) -> list[tuple[str, str]]:
    """(parent record type, stored id) of every reference these values make."""
    parents = []
    for column, parent_type in layout[1]:
        value = values.get(column)
        if value is not None:
            parents.append((parent_type, value))
    return parents
