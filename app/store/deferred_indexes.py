"""Secondary indexes and the search index set aside while an empty profile is filled.

An initial sync writes every record once, in sequence order: maintaining a dozen
secondary B-trees keyed by random UUIDs and the full-text index row by row costs more
than the rows themselves. Building them once at the end, from sorted data, is cheaper
(docs/sync-protocol.md, "Initial sync fast path").

Crash safety: the dropped statements are saved in ``profile_setting`` in the same
transaction that drops them, and :func:`restore` recreates everything and forgets them
in one transaction. A kill at any point leaves either the saved statements (restored by
the next :func:`restore`, which :meth:`Profile.open_with_key` calls before anything else
reads the profile) or the complete schema. Unique constraints (the UUID keys, CIN,
referral references) are never dropped: clashes are found while writing, as always.

Within one transaction (an import), :func:`set_aside` and :func:`put_back` do the same
without saving anything: the drop, the rows and the rebuilt indexes commit together or
not at all.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from sqlalchemy import Connection, Engine

from app.store import search_index

SETTING = "deferred_indexes"
"""``profile_setting`` key: JSON list of the CREATE statements set aside."""
SEARCH_TRIGGERS = ("beneficiary_search_insert", "beneficiary_search_update")
"""The delete trigger stays: a row removed meanwhile must leave no index entry behind."""


def is_deferred(connection: Connection) -> bool:
    return _saved(connection) is not None


def defer(connection: Connection, tables: set[str]) -> None:
    """Drop the non-unique indexes of ``tables`` and the search triggers (caller's
    transaction); their statements are saved first, so :func:`restore` can rebuild."""
    if is_deferred(connection):
        return
    rows = connection.exec_driver_sql(
        "SELECT type, name, tbl_name, sql FROM sqlite_master "
        "WHERE type IN ('index', 'trigger') AND sql IS NOT NULL ORDER BY rowid"
    ).all()
    saved: list[list[str]] = []
    for kind, name, table, sql in rows:
        if kind == "index" and table in tables and not _is_unique(sql):
            saved.append(["index", name, sql])
        elif kind == "trigger" and name in SEARCH_TRIGGERS:
            saved.append(["trigger", name, sql])
    connection.exec_driver_sql(
        "INSERT INTO profile_setting (key, value) VALUES (?, ?)", (SETTING, json.dumps(saved))
    )
    for kind, name, _sql in saved:
        connection.exec_driver_sql(f"DROP {kind.upper()} {_quote(name)}")


def set_aside(connection: Connection, tables: Iterable[str], keep: Iterable[str] = ()) -> list[str]:
    """Drop the non-unique indexes of ``tables`` (but those named in ``keep``) in the
    caller's transaction; their CREATE statements, for :func:`put_back` before it ends.

    A rollback or a crash undoes the drop with the transaction's rows: nothing is saved.
    """
    tables, keep = set(tables), set(keep)
    rows = connection.exec_driver_sql(
        "SELECT name, tbl_name, sql FROM sqlite_master "
        "WHERE type = 'index' AND sql IS NOT NULL ORDER BY rowid"
    ).all()
    statements: list[str] = []
    for name, table, sql in rows:
        if table in tables and name not in keep and not _is_unique(sql):
            statements.append(sql)
            connection.exec_driver_sql(f"DROP INDEX {_quote(name)}")
    return statements


def put_back(connection: Connection, statements: Iterable[str]) -> None:
    """Build again the indexes :func:`set_aside` dropped (same transaction), each in one
    pass over sorted keys."""
    for sql in statements:
        connection.exec_driver_sql(sql)


def restore(connection: Connection) -> bool:
    """Recreate whatever was set aside and rebuild the search index (caller's
    transaction); False when nothing was deferred."""
    saved = _saved(connection)
    if saved is None:
        return False
    present = {
        (kind, name)
        for kind, name in connection.exec_driver_sql(
            "SELECT type, name FROM sqlite_master WHERE type IN ('index', 'trigger')"
        )
    }
    search = False
    for kind, name, sql in saved:
        search = search or kind == "trigger"
        if (kind, name) not in present:
            connection.exec_driver_sql(sql)
    if search:
        search_index.rebuild(connection)  # numbered in storing order, as the triggers do
    connection.exec_driver_sql("DELETE FROM profile_setting WHERE key = ?", (SETTING,))
    return True


def restore_pending(engine: Engine) -> bool:
    """At unlock: a fast path cut short (a kill, a power cut) is completed first."""
    with engine.begin() as connection:
        if not _has_settings_table(connection):
            return False
        return restore(connection)


def _saved(connection: Connection) -> list[list[str]] | None:
    value = connection.exec_driver_sql(
        "SELECT value FROM profile_setting WHERE key = ?", (SETTING,)
    ).scalar_one_or_none()
    return None if value is None else list(json.loads(value))


def _has_settings_table(connection: Connection) -> bool:
    found = connection.exec_driver_sql(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'profile_setting'"
    ).first()
    return found is not None


def _is_unique(sql: str) -> bool:
    return sql.lstrip().upper().startswith("CREATE UNIQUE")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
