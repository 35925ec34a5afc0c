"""Pulled records are stored exactly as SQLAlchemy would store them; unfit ones raise
``from_wire``'s precise errors."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.demo import fill_profile
from app.models import SYNCED_MODELS
from app.store.profile import Profile
from app.sync.decode import stored_values
from app.sync.records import WireError, from_wire, to_wire_value
from app.sync.state import model_table


def test_every_demo_record_is_stored_as_sqlalchemy_stores_it(profile: Profile) -> None:
    """Demo rows were written through SQLAlchemy: their raw stored columns are the truth."""
    fill_profile(profile, beneficiaries=20, seed=3)
    checked = 0
    with profile.engine.connect() as connection:
        for model in SYNCED_MODELS:
            table = model_table(model)
            names = [c.name for c in table.columns if c.name != "row_version"]
            raw_rows = connection.exec_driver_sql(
                f"SELECT {', '.join(names)} FROM {table.name} ORDER BY id"
            ).all()
            rows = connection.execute(select(table).order_by(table.c.id)).mappings().all()
            assert len(raw_rows) == len(rows)
            for raw, row in zip(raw_rows, rows, strict=True):
                wire = {k: to_wire_value(row[k]) for k in names}
                assert from_wire(table.name, wire) == {k: row[k] for k in names}
                assert stored_values(table.name, wire) == dict(zip(names, raw, strict=True))
                checked += 1
    assert checked > 300


def test_odd_but_valid_spellings_are_stored_in_canonical_form() -> None:
    """The slow path (``from_wire`` then the bind processors) gives the same stored form."""
    canonical = stored_values(
        "beneficiary",
        {"id": "3a0879fb-dc78-43b3-a919-b5aaf0c99bea", "created_at": "2026-01-01T10:00:00+00:00"},
    )
    odd = stored_values(
        "beneficiary",
        {"id": "3A0879FBDC7843B3A919B5AAF0C99BEA", "created_at": "2026-01-01T11:00:00+01:00"},
    )
    assert (
        odd
        == canonical
        == {
            "id": "3a0879fbdc7843b3a919b5aaf0c99bea",
            "created_at": "2026-01-01 10:00:00.000000",
        }
    )


@pytest.mark.parametrize(
    ("record_type", "data", "message"),
    [
        ("beneficiary", {"last_name": None}, "cannot be empty"),
        ("beneficiary", {"phone": "0" * 80}, "too long"),
        ("beneficiary", {"nickname": "x"}, "unknown field"),
        ("beneficiary", {"birth_date": "1er mai"}, "birth_date"),
        ("beneficiary", {"created_at": "2026-01-01T10:00:00"}, "time zone"),
        ("beneficiary", {"legal_status": "escaped"}, "legal_status"),
        ("team", {"requires_plan_approval": 1}, "true or false"),
        ("goal", {"position": "3"}, "integer"),
        ("goal", {"position": True}, "integer"),
        ("beneficiary", {"id": "not-a-uuid"}, "id"),
        ("beneficiary", {"last_name": 7}, "text"),
    ],
)
def test_unfit_values_raise_from_wire_errors(
    record_type: str, data: dict[str, object], message: str
) -> None:
    with pytest.raises(WireError, match=message):
        stored_values(record_type, data)
