"""The fast decoder of pulled records gives exactly ``from_wire``'s results and errors."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.demo import fill_profile
from app.models import SYNCED_MODELS
from app.store.profile import Profile
from app.sync.decode import decode
from app.sync.records import WireError, from_wire, to_wire_value
from app.sync.state import model_table


def test_every_demo_record_decodes_like_from_wire(profile: Profile) -> None:
    fill_profile(profile, beneficiaries=20, seed=3)
    checked = 0
    with profile.engine.connect() as connection:
        for model in SYNCED_MODELS:
            table = model_table(model)
            for row in connection.execute(select(table)).mappings():
                wire = {k: to_wire_value(v) for k, v in row.items() if k != "row_version"}
                stored = {k: v for k, v in row.items() if k != "row_version"}
                assert decode(table.name, wire) == from_wire(table.name, wire) == stored
                checked += 1
    assert checked > 300


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
        decode(record_type, data)
