"""What the reader process works out for the duplicate check equals the main process's.

A large file's rows reach the main process with their identity's normalised fields and
blocking keys already made (:mod:`app.services.import_worker`); the duplicate finder
uses them instead of working them out from the values. Every valid row of a seeded
sheet (Latin and Arabic names, swapped birth dates, rows entered twice) gives the same
identity and the same keys both ways.
"""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path

from app.duplicates.blocking import keys
from app.services import import_mapping, import_sample
from app.services.import_duplicates import Candidate, identity, identity_keys, identity_parts
from app.services.import_parse import TableParser
from app.services.importer import read_table


def test_identity_and_keys_made_apart_equal_those_made_from_the_values(tmp_path: Path) -> None:
    sheet = import_sample.sample(1_500, seed=5, known=100)
    path = import_sample.write_csv(tmp_path / "sheet.csv", sheet.known + sheet.rows)
    table = read_table(path)
    rows = TableParser(table, import_mapping.propose(table), date(2026, 12, 7)).rows(table.rows)
    valid = [row for row in rows if not row.errors]
    assert len(valid) > 1_400
    with_keys = 0
    for row in valid:
        row_id = uuid.UUID(int=row.line)
        plain = identity(Candidate(row.line, row.values), row_id)
        parts = identity_parts(row.values)
        made = identity(Candidate(row.line, row.values, None, parts), row_id)
        assert made == plain
        found = identity_keys(parts)
        assert len(found) == len(set(found))
        assert set(found) == keys(plain)
        with_keys += any(key[0] in ("n", "a") for key in found)
    assert with_keys == len(valid), "every valid row has keys on its names"
