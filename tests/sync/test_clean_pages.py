"""A page decoded in the decoding process is written from its columns, exactly as the
careful path writes it, except the records that need the careful path (held records
retried, a missing parent, an update): those go the careful way."""

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
    # The first page loads the held records (careful); the second is written from its
    # columns and releases them (careful), the third is clean, the fourth updates
    # records already here (careful, whole).
    assert lanes == [False, True, True, False]
    for profile in profiles:
        profile.close()


def test_a_page_mixing_clean_records_and_children_of_a_later_person_is_split(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """People edited after their records (every real server): their children come a page
    before them. The rest of that page is written from its columns, the children held;
    the people's page releases them. Same rows as the careful path, page by page."""
    source = Profile.create(tmp_path / "source", PASSPHRASE, KdfParams.fast_for_tests())
    fill_profile(source, beneficiaries=6, seed=12)
    records = _wire_records(source)
    source.close()
    first = {"facility", "team", "staff_member"}
    groups = [
        [r for r in records if r["record_type"] in first],
        [r for r in records if r["record_type"] not in first | {"beneficiary"}],
        [r for r in records if r["record_type"] == "beneficiary"],
    ]
    assert all(groups) and any(r["record_type"] == "partner" for r in groups[1])
    pages, seq = [], 0
    for number, group in enumerate(groups):
        numbered = [{"seq": seq + n + 1} | r for n, r in enumerate(group)]
        seq += len(group)
        page = {"server_id": SERVER, "left_scope": [], "next_cursor": seq}
        page |= {"has_more": number < len(groups) - 1, "expected": None, "records": numbered}
        pages.append(json.dumps(page).encode())
    written: list[int] = []
    clean = PageApplier._apply_clean

    def counted(self: PageApplier, page: DecodedPage) -> Any:
        outcome = clean(self, page)
        written.append(-1 if outcome is None else outcome.applied)
        if outcome is not None:
            held.append(outcome.held)
        return outcome

    held: list[int] = []
    monkeypatch.setattr(pull.PageApplier, "_apply_clean", counted)
    contents = []
    for name, columns in (("careful", False), ("columns", True)):
        profile = Profile.create(tmp_path / name, PASSPHRASE, KdfParams.fast_for_tests())
        _apply(profile, pages, columns)
        contents.append(_contents(profile))
        profile.close()
    assert contents[0] == contents[1]
    assert contents[0]["sync_held"] == []
    # Page 1 loads the held records (careful); page 2 is split: its partners written,
    # the people's records held; page 3 brings the people and releases them.
    assert written[0] == -1 and 0 < written[1] < len(groups[1])
    assert held[0] > 0 and held[-1] == 0
