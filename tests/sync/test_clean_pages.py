"""A page decoded in the decoding process is written from its columns when nothing in it
needs the careful path, and exactly as the careful path writes it; otherwise the careful
path takes the whole page (held records, a missing parent, an update)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.demo import fill_profile
from app.models import SYNCED_MODELS
from app.store.keys import KdfParams
from app.store.profile import Profile
from app.sync import pull
from app.sync.decode import layouts, plans
from app.sync.decode_worker import compiled, decode_page
from app.sync.incoming import DecodedPage, RawPage
from app.sync.pull import PageApplier, PullState
from app.sync.records import to_wire_value
from app.sync.state import model_table
from tests.conftest import PASSPHRASE

SERVER = "3a0879fb-dc78-43b3-a919-b5aaf0c99bea"


def _wire_records(profile: Profile) -> list[dict[str, Any]]:
    records = []
    with profile.engine.connect() as connection:
        for model in SYNCED_MODELS:
            table = model_table(model)
            for row in connection.execute(select(table)).mappings():
                data = {k: to_wire_value(v) for k, v in row.items() if k != "row_version"}
                case = data["id"] if table.name == "beneficiary" else None
                records.append(
                    {"record_type": table.name, "record_id": data["id"], "version": 1}
                    | {"deleted": False, "data": data, "case_id": case}
                )
    return records


def _pages(records: list[dict[str, Any]]) -> list[bytes]:
    """Children first (held), then their parents, then the rest, then a few updates."""
    children, rest = records[-25:], records[:-25]
    half = len(rest) // 2
    updated = [r | {"version": 2, "data": r["data"] | {"last_name": "Bennani"}} for r in rest]
    people = [r for r in updated if r["record_type"] == "beneficiary"][:3]
    groups = [children, rest[:half], rest[half:], people]
    pages, seq = [], 0
    for number, group in enumerate(groups):
        numbered = []
        for record in group:
            seq += 1
            numbered.append({"seq": seq} | record)
        page = {"server_id": SERVER, "left_scope": [], "next_cursor": seq}
        page |= {"has_more": number < len(groups) - 1, "expected": None, "records": numbered}
        pages.append(json.dumps(page).encode())
    return pages


def _apply(profile: Profile, pages: list[bytes], columns: bool) -> None:
    tables = compiled(plans(), layouts())
    state = PullState()
    with profile.engine.connect() as connection, connection.begin():
        connection.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
        for raw in pages:
            decoded = decode_page(raw, tables)
            assert decoded is not None
            page = DecodedPage(decoded[1], RawPage(raw))
            PageApplier(connection, state).apply(page if columns else page.records())


def _contents(profile: Profile) -> dict[str, list[tuple[Any, ...]]]:
    with profile.engine.connect() as connection:
        names = [m.__tablename__ for m in SYNCED_MODELS] + ["sync_held", "sync_base"]
        return {
            name: sorted(
                (tuple(row) for row in connection.exec_driver_sql(f'SELECT * FROM "{name}"')),
                key=repr,
            )
            for name in names
        }


def test_clean_pages_are_written_as_the_careful_path_writes_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = Profile.create(tmp_path / "source", PASSPHRASE, KdfParams.fast_for_tests())
    fill_profile(source, beneficiaries=6, seed=11)
    pages = _pages(_wire_records(source))
    source.close()
    lanes: list[bool] = []
    clean = PageApplier._apply_clean

    def counted(self: PageApplier, page: DecodedPage) -> Any:
        outcome = clean(self, page)
        lanes.append(outcome is not None)
        return outcome

    monkeypatch.setattr(pull.PageApplier, "_apply_clean", counted)
    profiles = []
    for name, columns in (("careful", False), ("columns", True)):
        profile = Profile.create(tmp_path / name, PASSPHRASE, KdfParams.fast_for_tests())
        _apply(profile, pages, columns)
        profiles.append(profile)
    careful, columns = (_contents(p) for p in profiles)
    assert careful == columns
    assert careful["sync_held"] == []  # every child found its parent
    assert sum("Bennani" in row for row in careful["beneficiary"]) == 3  # updated
    stored = sum(len(rows) for name, rows in careful.items() if not name.startswith("sync_"))
    assert len(careful["sync_base"]) == stored
    # The first page loads the held records (careful), the second releases them, the
    # third is clean, the fourth updates records already here.
    assert lanes == [False, False, True, False]
    for profile in profiles:
        profile.close()
