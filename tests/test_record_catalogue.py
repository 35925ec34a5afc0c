"""The server's record catalogue says what the laptop's models say (it is generated)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import inspect

from app.sync.records import SYNCED_TYPES, wire_columns
from passerelle_core.records import CASE_LINKS, RECORD_TYPES, wire_fields

ROOT = Path(__file__).resolve().parent.parent


def test_catalogue_is_up_to_date() -> None:
    """Fails after a synced model or field was added without regenerating the catalogue."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "record_catalogue.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_catalogue_and_models_name_the_same_fields() -> None:
    assert list(RECORD_TYPES) == list(SYNCED_TYPES)
    for record_type in SYNCED_TYPES:
        assert set(wire_fields(record_type)) == set(wire_columns(record_type)), record_type


def test_case_links_name_known_fields_and_types() -> None:
    for record_type, (field, parent_type) in CASE_LINKS.items():
        if record_type not in RECORD_TYPES:
            continue  # a type still being written by its author (its model is not there yet)
        assert field in RECORD_TYPES[record_type], f"{record_type}.{field}"
        assert parent_type in RECORD_TYPES, parent_type


def test_every_record_with_a_beneficiary_reaches_its_case() -> None:
    """A new synced type holding ``beneficiary_id`` needs its line in ``CASE_LINKS``."""
    missing = [
        record_type
        for record_type, model in SYNCED_TYPES.items()
        if "beneficiary_id" in inspect(model).local_table.columns and record_type not in CASE_LINKS
    ]
    assert missing == []
