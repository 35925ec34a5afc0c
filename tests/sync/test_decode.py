"""Pulled records are stored exactly as SQLAlchemy would store them; unfit ones raise
``from_wire``'s precise errors."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from app.demo import fill_profile
from app.models import SYNCED_MODELS
from app.store.profile import Profile
from app.sync import decode, wire_plan
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


ODD_VALUES: list[object] = [
    None, 0, 1, True, False, 1.5, "", "x", "A" * 300, "open", {"a": 1}, [1],
    "2026-01-01", "2026-01-01T10:00:00", "2026-01-01T10:00:00+01:00",
    "3A0879FB-DC78-43B3-A919-B5AAF0C99BEA", "3a0879fb-dc78-43b3-a919-b5aaf0c99bea",
]  # fmt: skip


def test_the_generated_decoders_give_the_generic_path_s_rows(profile: Profile) -> None:
    """``compile_decoder`` (the decoding process's) and ``convert_all`` + ``row_of`` +
    ``parents_of`` agree on every demo record, and on each with one field made odd,
    removed or unknown: the same row and references (value types included), or both Unfit."""
    fill_profile(profile, beneficiaries=8, seed=5)
    plans, layouts = decode.plans(), decode.layouts()
    compiled = {
        name: wire_plan.compile_decoder(plan, layouts[name]) for name, plan in plans.items()
    }
    generic = {name: wire_plan.converters(plan) for name, plan in plans.items()}

    def both(record_type: str, data: dict[str, object], hex_id: str) -> tuple[object, object]:
        try:
            values = wire_plan.convert_all(generic[record_type], data)
            values["id"] = hex_id
            layout = layouts[record_type]
            expected: object = (
                wire_plan.row_of(layout, values),
                wire_plan.parents_of(layout, values),
            )
        except wire_plan.Unfit:
            expected = "unfit"
        try:
            got: object = compiled[record_type](data, hex_id)
        except wire_plan.Unfit:
            got = "unfit"
        return expected, got

    checked = 0
    with profile.engine.connect() as connection:
        for model in SYNCED_MODELS:
            table = model_table(model)
            for row in connection.execute(select(table)).mappings():
                wire = {k: to_wire_value(v) for k, v in row.items() if k != "row_version"}
                cases = [wire, {**wire, "nickname": "x"}]
                for number, name in enumerate(plans[table.name]):
                    cases.append({k: v for k, v in wire.items() if k != name})
                    cases.append({**wire, name: ODD_VALUES[(checked + number) % len(ODD_VALUES)]})
                for data in cases:
                    expected, got = both(table.name, data, uuid.uuid4().hex)
                    assert got == expected
                    if isinstance(got, tuple):
                        assert list(map(type, got[0])) == list(map(type, expected[0]))  # type: ignore[index]
                    checked += 1
    assert checked > 3000


def test_the_decoding_process_is_given_plain_values_only() -> None:
    """Its plans unpickle without importing anything (no SQLAlchemy ``quoted_name``:
    the child would import SQLAlchemy at every initial sync, about 0.25 CPU-s)."""
    import pickle
    import pickletools

    data = pickle.dumps((decode.plans(), decode.layouts()), pickle.HIGHEST_PROTOCOL)
    imports = [op.name for op, _arg, _pos in pickletools.genops(data) if "GLOBAL" in op.name]
    assert imports == []
