"""Pulled pages decoded in a separate process, overlapping the writes of the previous page.

Python holds one lock for all its threads, and SQLite's ``executemany`` does not release
it usefully: parsing and converting a page in a thread only takes turns with writing
the previous one. A child process (``python -m app.sync.decode_worker``) turns the raw
page into stored values while the profile's connection writes, on another core.

The child imports only the standard library, ``orjson`` (parsing is about 40% of its
work: the page's JSON in half the time of ``json.loads``, to the same values),
:mod:`app.child_process` (its frames) and :mod:`app.sync.wire_plan` (it is given the
column plans, pickled, on start). It accepts
only pages of the ordinary shape; anything else comes back as ``None`` and the main
process parses that page the careful way (pydantic, ``from_wire``), so both paths accept
exactly the same pages.
Frames on its standard input and output: an 8-byte length, then the bytes (a pickle
from the parent, trusted: it is our own child; a zero length ends it).
"""

from __future__ import annotations

import pickle
import sys
from typing import Any

import orjson

from app.child_process import read_frame, write_frame
from app.sync import wire_plan

Row = tuple[Any, ...]
Parents = list[tuple[str, str]]
Columns = tuple[
    list[str], list[str], list[int], list[int], list[bool], list[str | None],
    list[Row | None], list[Parents | None], list[tuple[str, ...] | None],
]  # fmt: skip
"""The page's records as columns: record types, stored ids, seqs, versions, deleted,
case ids as stored hex, the insert statement's parameters and the (type, id) of the
records each refers to (None twice when the careful path must decode that record), and
the names of the fields each carries, None when it carries every field of its type (an
update compares only those: a record pulled back is compared without parsing the page
again in the laptop's process).
Columns, not a tuple per record: the laptop writes a whole page without building an
object per record when nothing in it needs the careful path. The wire fields are not
sent back: the parent keeps the page's bytes and parses them only if a record is held."""
Tables = dict[str, wire_plan.RecordDecoder]
Envelope = tuple[str, list[str], int, bool, int | None, bool]
"""(server id, left scope, next cursor, has more, expected, restored)."""
Decoded = tuple[Envelope, Columns]

_ENVELOPE = {"server_id", "records", "left_scope", "next_cursor", "has_more", "expected"}
_OPTIONAL = {"left_scope", "expected", "restored"}
_RECORD = {"seq", "record_type", "record_id", "version", "deleted", "data", "case_id"}


def decode_page(raw: bytes, tables: Tables, sizes: dict[str, int] | None = None) -> Decoded | None:
    """The page's envelope and records, values in stored form; None if unusual.
    ``sizes``: how many wire fields each record type has (without it, every record's
    field names are sent back)."""
    try:
        page = orjson.loads(raw)
    except orjson.JSONDecodeError:  # stricter than json.loads (NaN, lone surrogates...):
        return None  # such a page goes the careful way, which decides as before
    if type(page) is not dict or not _ENVELOPE - _OPTIONAL <= page.keys() <= _ENVELOPE | _OPTIONAL:
        return None
    server_id, left = page["server_id"], page.get("left_scope", [])
    cursor, more = page["next_cursor"], page["has_more"]
    expected, restored = page.get("expected"), page.get("restored", False)
    if not (
        _is_uuid(server_id)
        and type(left) is list
        and all(_is_uuid(case) for case in left)
        and type(cursor) is int
        and type(more) is bool
        and (expected is None or type(expected) is int)
        and type(restored) is bool
        and type(page["records"]) is list
    ):
        return None
    columns: Columns = ([], [], [], [], [], [], [], [], [])
    types, hexes, seqs, versions, deletions, cases, rows, references, carried = columns
    sizes = sizes or {}
    for record in page["records"]:
        if type(record) is not dict or not record.keys() <= _RECORD:
            return None
        try:
            seq, record_type, record_id = record["seq"], record["record_type"], record["record_id"]
            version, deleted, data = record["version"], record["deleted"], record["data"]
        except KeyError:
            return None
        case = record.get("case_id")
        if not (
            type(seq) is int
            and type(version) is int
            and type(deleted) is bool
            and type(record_type) is str
            and type(data) is dict
            and _is_uuid(record_id)
            and (case is None or _is_uuid(case))
        ):
            return None
        hex_id = record_id.replace("-", "")
        row: Row | None = None
        parents: Parents | None = None
        decode = tables.get(record_type)
        if decode is not None:
            try:
                row, parents = decode(data, hex_id)
            except wire_plan.Unfit:
                pass
        types.append(record_type)
        hexes.append(hex_id)
        seqs.append(seq)
        versions.append(version)
        deletions.append(deleted)
        cases.append(None if case is None else case.replace("-", ""))
        rows.append(row)
        references.append(parents)
        # A decoded record's names are within its type's fields: as many means all.
        whole = row is not None and len(data) == sizes.get(record_type)
        carried.append(None if whole else tuple(data))
    envelope: Envelope = (server_id, left, cursor, more, expected, restored)
    return envelope, columns


def compiled(plans: dict[str, wire_plan.Plan], layouts: dict[str, wire_plan.Layout]) -> Tables:
    """Each record type's generated decoder (see ``wire_plan.compile_decoder``)."""
    return {name: wire_plan.compile_decoder(plan, layouts[name]) for name, plan in plans.items()}


def _is_uuid(value: Any) -> bool:
    return type(value) is str and wire_plan.CANONICAL_UUID.fullmatch(value) is not None


def main() -> int:
    source, sink = sys.stdin.buffer, sys.stdout.buffer
    first = read_frame(source)
    if first is None:
        return 0
    plans: dict[str, wire_plan.Plan]
    layouts: dict[str, wire_plan.Layout]
    plans, layouts = pickle.loads(first)
    tables = compiled(plans, layouts)
    sizes = {name: len(plan) for name, plan in plans.items()}
    while True:
        raw = read_frame(source)
        if not raw:
            return 0
        decoded = decode_page(raw, tables, sizes)
        write_frame(sink, pickle.dumps(decoded, pickle.HIGHEST_PROTOCOL))


if __name__ == "__main__":
    sys.exit(main())
