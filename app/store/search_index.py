"""DDL of the full-text index of beneficiaries, kept in step with the table by triggers.

FTS5 rows are keyed by an integer; SQLite may renumber the implicit rowids of a table
without an INTEGER PRIMARY KEY (VACUUM, copies), so a small map table with a stable
integer key links each index row to its beneficiary's UUID. Text is folded by
``passerelle_fold`` (see :mod:`app.store.textfold`), registered on every connection.
"""

from __future__ import annotations

from sqlalchemy import Connection

_NAMES = (
    "passerelle_fold(coalesce({t}.last_name, '') || ' ' || coalesce({t}.first_name, '')"
    " || ' ' || coalesce({t}.last_name_ar, '') || ' ' || coalesce({t}.first_name_ar, ''))"
)
_IDENTIFIERS = (
    "passerelle_fold(coalesce({t}.cin, '') || ' ' || coalesce({t}.registration_number, ''))"
)
_DOCID = "(SELECT docid FROM beneficiary_search_map WHERE beneficiary_id = {t}.id)"

CREATE_STATEMENTS = (
    """CREATE TABLE beneficiary_search_map (
        docid INTEGER PRIMARY KEY,
        beneficiary_id CHAR(32) NOT NULL UNIQUE
    )""",
    """CREATE VIRTUAL TABLE beneficiary_search USING fts5(
        names, identifiers, tokenize = 'unicode61 remove_diacritics 2'
    )""",
    f"""CREATE TRIGGER beneficiary_search_insert AFTER INSERT ON beneficiary BEGIN
        INSERT INTO beneficiary_search_map (beneficiary_id) VALUES (new.id);
        INSERT INTO beneficiary_search (rowid, names, identifiers)
        VALUES ({_DOCID.format(t="new")}, {_NAMES.format(t="new")},
                {_IDENTIFIERS.format(t="new")});
    END""",
    f"""CREATE TRIGGER beneficiary_search_update
    AFTER UPDATE OF last_name, first_name, last_name_ar, first_name_ar, cin,
        registration_number ON beneficiary BEGIN
        UPDATE beneficiary_search
        SET names = {_NAMES.format(t="new")}, identifiers = {_IDENTIFIERS.format(t="new")}
        WHERE rowid = {_DOCID.format(t="new")};
    END""",
    f"""CREATE TRIGGER beneficiary_search_delete AFTER DELETE ON beneficiary BEGIN
        DELETE FROM beneficiary_search WHERE rowid = {_DOCID.format(t="old")};
        DELETE FROM beneficiary_search_map WHERE beneficiary_id = old.id;
    END""",
)

DROP_STATEMENTS = (
    "DROP TRIGGER IF EXISTS beneficiary_search_delete",
    "DROP TRIGGER IF EXISTS beneficiary_search_update",
    "DROP TRIGGER IF EXISTS beneficiary_search_insert",
    "DROP TABLE IF EXISTS beneficiary_search",
    "DROP TABLE IF EXISTS beneficiary_search_map",
)


def rebuild(connection: Connection) -> None:
    """Refill the index from the table (after a migration that rebuilt ``beneficiary``)."""
    connection.exec_driver_sql("DELETE FROM beneficiary_search")
    connection.exec_driver_sql("DELETE FROM beneficiary_search_map")
    connection.exec_driver_sql(
        "INSERT INTO beneficiary_search_map (beneficiary_id) SELECT id FROM beneficiary"
    )
    connection.exec_driver_sql(
        "INSERT INTO beneficiary_search (rowid, names, identifiers) "
        f"SELECT m.docid, {_NAMES.format(t='b')}, {_IDENTIFIERS.format(t='b')} "
        "FROM beneficiary AS b JOIN beneficiary_search_map AS m ON m.beneficiary_id = b.id"
    )
