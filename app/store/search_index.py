"""DDL of the full-text indexes of beneficiaries, kept in step with the table by triggers.

FTS5 rows are keyed by an integer; SQLite may renumber the implicit rowids of a table
without an INTEGER PRIMARY KEY (VACUUM, copies), so a small map table with a stable
integer key links each index row to its beneficiary's UUID. Two indexes share that key:

- ``beneficiary_search`` holds words, for prefix search; names are indexed with the
  variants staff type (``passerelle_name_terms``, see :mod:`app.store.textfold`);
- ``beneficiary_search_infix`` holds the folded names as trigrams, for a match inside a
  word (``lahc`` in ``Belahcen``); contentless, the text is in the first index already.

``beneficiary_search_vocab`` lists the indexed words: the "did you mean" vocabulary.
Both functions are registered on every connection (:mod:`app.store.engine`).
"""

from __future__ import annotations

from sqlalchemy import Connection

_NAMES = (
    "coalesce({t}.last_name, '') || ' ' || coalesce({t}.first_name, '')"
    " || ' ' || coalesce({t}.last_name_ar, '') || ' ' || coalesce({t}.first_name_ar, '')"
)
_TERMS = f"passerelle_name_terms({_NAMES})"
_FOLDED = f"passerelle_fold({_NAMES})"
_IDENTIFIERS = (
    "passerelle_fold(coalesce({t}.cin, '') || ' ' || coalesce({t}.registration_number, ''))"
)
_DOCID = "(SELECT docid FROM beneficiary_search_map WHERE beneficiary_id = {t}.id)"


def _insert(t: str) -> str:
    return f"""
        INSERT INTO beneficiary_search (rowid, names, identifiers)
        VALUES ({_DOCID.format(t=t)}, {_TERMS.format(t=t)}, {_IDENTIFIERS.format(t=t)});
        INSERT INTO beneficiary_search_infix (rowid, names)
        VALUES ({_DOCID.format(t=t)}, {_FOLDED.format(t=t)});"""


def _delete(t: str) -> str:
    return f"""
        DELETE FROM beneficiary_search WHERE rowid = {_DOCID.format(t=t)};
        DELETE FROM beneficiary_search_infix WHERE rowid = {_DOCID.format(t=t)};"""


_SEARCHED = (
    "last_name",
    "first_name",
    "last_name_ar",
    "first_name_ar",
    "cin",
    "registration_number",
)
WHEN_SEARCHED_CHANGED = "\n    WHEN " + " OR ".join(
    f"old.{column} IS NOT new.{column}" for column in _SEARCHED
)

UPDATE_TRIGGER = f"""CREATE TRIGGER beneficiary_search_update
    AFTER UPDATE OF {", ".join(_SEARCHED)} ON beneficiary{WHEN_SEARCHED_CHANGED}
    BEGIN{_delete("old")}{_insert("new")}
    END"""
"""Only when a searched value really changed: a pulled or saved row names every column in
its UPDATE, and re-indexing an unchanged name cost ~0.2 ms a row, growing with the index."""

CREATE_STATEMENTS = (
    """CREATE TABLE beneficiary_search_map (
        docid INTEGER PRIMARY KEY,
        beneficiary_id CHAR(32) NOT NULL UNIQUE
    )""",
    """CREATE VIRTUAL TABLE beneficiary_search USING fts5(
        names, identifiers, tokenize = 'unicode61 remove_diacritics 2'
    )""",
    """CREATE VIRTUAL TABLE beneficiary_search_infix USING fts5(
        names, tokenize = 'trigram', content = '', contentless_delete = 1
    )""",
    """CREATE VIRTUAL TABLE beneficiary_search_vocab
        USING fts5vocab(beneficiary_search, 'col')""",
    f"""CREATE TRIGGER beneficiary_search_insert AFTER INSERT ON beneficiary BEGIN
        INSERT INTO beneficiary_search_map (beneficiary_id) VALUES (new.id);{_insert("new")}
    END""",
    UPDATE_TRIGGER,
    f"""CREATE TRIGGER beneficiary_search_delete AFTER DELETE ON beneficiary BEGIN{_delete("old")}
        DELETE FROM beneficiary_search_map WHERE beneficiary_id = old.id;
    END""",
)

DROP_STATEMENTS = (
    "DROP TRIGGER IF EXISTS beneficiary_search_delete",
    "DROP TRIGGER IF EXISTS beneficiary_search_update",
    "DROP TRIGGER IF EXISTS beneficiary_search_insert",
    "DROP TABLE IF EXISTS beneficiary_search_vocab",
    "DROP TABLE IF EXISTS beneficiary_search_infix",
    "DROP TABLE IF EXISTS beneficiary_search",
    "DROP TABLE IF EXISTS beneficiary_search_map",
)


def rebuild(connection: Connection) -> None:
    """Refill the indexes from the table (after a migration that rebuilt ``beneficiary``)."""
    connection.exec_driver_sql("DELETE FROM beneficiary_search")
    connection.exec_driver_sql("DELETE FROM beneficiary_search_infix")
    connection.exec_driver_sql("DELETE FROM beneficiary_search_map")
    connection.exec_driver_sql(
        # In storing order, as the insert trigger numbers them (same docids either way).
        "INSERT INTO beneficiary_search_map (beneficiary_id) "
        "SELECT id FROM beneficiary ORDER BY rowid"
    )
    source = "FROM beneficiary AS b JOIN beneficiary_search_map AS m ON m.beneficiary_id = b.id"
    connection.exec_driver_sql(
        "INSERT INTO beneficiary_search (rowid, names, identifiers) "
        f"SELECT m.docid, {_TERMS.format(t='b')}, {_IDENTIFIERS.format(t='b')} {source}"
    )
    connection.exec_driver_sql(
        f"INSERT INTO beneficiary_search_infix (rowid, names) "
        f"SELECT m.docid, {_FOLDED.format(t='b')} {source}"
    )


def recreate(connection: Connection) -> None:
    """Drop the indexes whatever their version, create the current ones, refill them."""
    for statement in DROP_STATEMENTS:
        connection.exec_driver_sql(statement)
    for statement in CREATE_STATEMENTS:
        connection.exec_driver_sql(statement)
    rebuild(connection)
