"""Writing an import's new beneficiaries in bulk, with what the flush pipeline would add.

Tens of thousands of ORM objects cost more in the unit of work than in SQLite: each one
is built, flushed, walked by the change capture and the access log. Here new
beneficiaries are plain rows: one Core ``executemany`` (the search index follows through
its triggers), then the same records the flush pipeline
(:mod:`app.services.flush_pipeline`) would have made for them, written in bulk too: the
author stamp, one outbox row per record (:func:`app.sync.capture.write_outbox`, the
same rows), one access-log entry per creation (:func:`app.services.audit_capture.append`)
and the change notice of the transaction (:func:`app.services.changes.note`).
``tests/services/test_import_bulk.py`` checks they match the per-row path.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, cast

from sqlalchemy import Column, Connection, Table, insert
from sqlalchemy.orm import Session

from app.models import AccessAction, Beneficiary
from app.models.base import utcnow
from app.services import audit_capture, changes
from app.services.audit_capture import Access
from app.store import search_index
from app.sync import capture
from app.sync.records import to_wire_value, wire_columns

BENEFICIARY = cast(Table, Beneficiary.__table__)
RECORD_TYPE = "beneficiary"
INDEX_TRIGGER = "beneficiary_search_insert"
_CHUNK = 2_000  # rows per statement batch: bounded memory, and IN lists SQLite accepts


def insert_beneficiaries(
    session: Session,
    actor_id: uuid.UUID | None,
    new_rows: list[dict[str, Any]],
    phases: dict[str, float] | None = None,
) -> list[uuid.UUID]:
    """Insert ``new_rows`` (the fields a new Beneficiary would be built with); their ids.

    ``phases`` receives the seconds spent writing rows and their outbox and log entries.
    """
    phases = {} if phases is None else phases
    if not new_rows:
        return []
    connection = session.connection()
    now = utcnow()
    defaults = _defaults()
    rows = [_complete_row(values, defaults, actor_id, now) for values in new_rows]
    with timed(phases, "write"):
        trigger = _drop_index_trigger(connection)
        last = connection.exec_driver_sql("SELECT coalesce(max(rowid), 0) FROM beneficiary")
        after = int(last.scalar_one())
        for start in range(0, len(rows), _CHUNK):
            connection.execute(insert(BENEFICIARY), rows[start : start + _CHUNK])
    with timed(phases, "index"):
        if trigger is not None:
            _index_rows_after(connection, after)
            connection.exec_driver_sql(trigger)
    with timed(phases, "outbox"):
        _write_outbox(connection, rows)
    ids = [row["id"] for row in rows]
    with timed(phases, "log"):
        accesses = [Access(AccessAction.CREATE, RECORD_TYPE, id_, id_) for id_ in ids]
        audit_capture.append(connection, actor_id, accesses)
        changes.note(session, ((RECORD_TYPE, id_) for id_ in ids))
    return ids


def _drop_index_trigger(connection: Connection) -> str | None:
    """Drop the search index's insert trigger for this transaction; its DDL, to restore.

    Indexing the new rows once, set-based, costs half what the trigger costs row by row.
    The drop is part of the transaction: a failure or a crash rolls it back with the rows.
    """
    found = connection.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (INDEX_TRIGGER,)
    ).scalar_one_or_none()
    if found is not None:
        connection.exec_driver_sql(f"DROP TRIGGER {INDEX_TRIGGER}")
    return found


def _index_rows_after(connection: Connection, rowid: int) -> None:
    """What the insert trigger does, for every beneficiary stored after ``rowid``, in order."""
    connection.exec_driver_sql(
        "INSERT INTO beneficiary_search_map (beneficiary_id) "
        "SELECT id FROM beneficiary WHERE rowid > ? ORDER BY rowid",
        (rowid,),
    )
    source = (
        "FROM beneficiary AS b JOIN beneficiary_search_map AS m ON m.beneficiary_id = b.id "
        "WHERE b.rowid > ? ORDER BY b.rowid"
    )
    # The trigger's own expressions, read rather than copied: the two cannot drift apart.
    terms, identifiers = search_index._TERMS.format(t="b"), search_index._IDENTIFIERS.format(t="b")
    connection.exec_driver_sql(
        "INSERT INTO beneficiary_search (rowid, names, identifiers) "
        f"SELECT m.docid, {terms}, {identifiers} {source}",
        (rowid,),
    )
    connection.exec_driver_sql(
        "INSERT INTO beneficiary_search_infix (rowid, names) "
        f"SELECT m.docid, {search_index._FOLDED.format(t='b')} {source}",
        (rowid,),
    )


def _write_outbox(connection: Connection, rows: list[dict[str, Any]]) -> None:
    """The outbox rows the change capture makes for created records (``_creation``)."""
    names = [name for name in wire_columns(RECORD_TYPE) if name != "id"]
    plain = [name for name in names if _plain(BENEFICIARY.c[name])]
    converted = [name for name in names if name not in plain]
    for start in range(0, len(rows), _CHUNK):
        captured = [
            capture.Captured(
                RECORD_TYPE,
                row["id"],
                {
                    **{name: row[name] for name in plain},
                    **{name: to_wire_value(row[name]) for name in converted},
                },
                created=True,
                case_id=row["id"],
            )
            for row in rows[start : start + _CHUNK]
        ]
        capture.write_outbox(connection, captured)


def _plain(column: Column[Any]) -> bool:
    """Text and numbers go on the wire as they are (``to_wire_value`` keeps them)."""
    try:
        kind = column.type.python_type
    except NotImplementedError:
        return False
    return kind in (str, int, bool, float)


def _complete_row(
    values: dict[str, Any],
    defaults: dict[str, Callable[[], Any]],
    actor_id: uuid.UUID | None,
    now: Any,
) -> dict[str, Any]:
    """Every column, as the ORM would insert it: defaults applied, the author stamped."""
    row = {name: (values[name] if name in values else make()) for name, make in defaults.items()}
    row["created_at"] = row["updated_at"] = now
    if actor_id is not None:
        row["updated_by_id"] = actor_id
    return row


def _defaults() -> dict[str, Callable[[], Any]]:
    """Column name -> its Python-side default (None when it has none)."""
    made: dict[str, Callable[[], Any]] = {}
    for column in BENEFICIARY.columns:
        default = column.default
        if default is None:
            made[column.key] = _none
        elif default.is_scalar:
            made[column.key] = _constant(default.arg)  # type: ignore[attr-defined]
        elif default.is_callable:
            made[column.key] = _called(default.arg)  # type: ignore[attr-defined]
        else:
            raise TypeError(f"unsupported default for beneficiary.{column.key}")
    return made


def _none() -> None:
    return None


def _constant(value: Any) -> Callable[[], Any]:
    return lambda: value


def _called(function: Callable[[Any], Any]) -> Callable[[], Any]:
    return lambda: function(None)  # SQLAlchemy wraps a no-argument default to take a context


@contextmanager
def timed(phases: dict[str, float], name: str) -> Iterator[None]:
    """Add the wall seconds of the block to ``phases[name]``, its CPU seconds to ``name:cpu``."""
    started, started_cpu = time.perf_counter(), time.process_time()
    try:
        yield
    finally:
        phases[name] = phases.get(name, 0.0) + time.perf_counter() - started
        cpu = f"{name}:cpu"
        phases[cpu] = phases.get(cpu, 0.0) + time.process_time() - started_cpu
