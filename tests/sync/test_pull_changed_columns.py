"""A pulled update writes only the columns whose value changed, and nothing when none did
(issue 23): the stored rows, bases and search index end exactly as the former full-row
UPDATE left them, for generated edits of every record type (values swapped between
records, columns set to NULL and back), on both the decoding process's columns and the
careful path. Through a real server: a record pushed and pulled back as the server stored
it is not written again and equals the server's; one another laptop changed in between
is written, with the other laptop's value."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.demo import fill_profile
from app.models import SYNCED_MODELS, Beneficiary
from app.services import beneficiaries
from app.store.keys import KdfParams
from app.store.profile import Profile
from app.sync import engine as sync_engine
from app.sync import pull, writes
from app.sync.decode import layouts, plans
from app.sync.decode_worker import compiled, decode_page
from app.sync.incoming import DecodedPage, RawPage
from app.sync.pull import PageApplier, PullState
from app.sync.records import to_wire_value
from app.sync.state import model_table
from tests.conftest import PASSPHRASE
from tests.server.harness import RunningServer
from tests.sync.conftest import Laptop, server_state

SERVER = "3a0879fb-dc78-43b3-a919-b5aaf0c99bea"
SEARCH_TABLES = ("beneficiary_search_map", "beneficiary_search", "beneficiary_search_infix")
Record = dict[str, Any]


def _wire_records(profile: Profile) -> list[Record]:
    records = []
    with profile.engine.connect() as connection:
        for model in SYNCED_MODELS:
            table = model_table(model)
            for row in connection.execute(select(table)).mappings():
                data = {k: to_wire_value(v) for k, v in row.items() if k != "row_version"}
                records.append(
                    {"record_type": table.name, "record_id": data["id"], "version": 1}
                    | {"deleted": False, "data": data, "case_id": None}
                )
    return records


def _edited(records: list[Record], seed: int, version: int) -> list[Record]:
    """Every record again at ``version``: about a fifth as they are, the others with
    fields taken from another record of the same type (a value of the column's own
    domain, NULL included) or set to NULL where the column allows it."""
    chooser = random.Random(seed)
    by_type: dict[str, list[Record]] = {}
    for record in records:
        by_type.setdefault(record["record_type"], []).append(record)
    nullable = {
        model_table(m).name: {c.name for c in model_table(m).columns if c.nullable}
        for m in SYNCED_MODELS
    }
    edited = []
    for record in records:
        data = dict(record["data"])
        if chooser.random() >= 0.2:
            kind = record["record_type"]
            for name in data:
                if name == "id":
                    continue
                draw = chooser.random()
                if draw < 0.3:
                    data[name] = chooser.choice(by_type[kind])["data"][name]
                elif draw < 0.45 and name in nullable[kind]:
                    data[name] = None
        edited.append(record | {"version": version, "data": data})
    return edited


def _page(records: list[Record], first_seq: int) -> bytes:
    numbered = [{"seq": first_seq + n} | r for n, r in enumerate(records)]
    page = {"server_id": SERVER, "left_scope": [], "next_cursor": first_seq + len(records)}
    page |= {"has_more": False, "expected": None, "records": numbered}
    return json.dumps(page).encode()


def _apply(profile: Profile, raw: bytes, columns: bool) -> None:
    decoded = decode_page(raw, compiled(plans(), layouts()))
    assert decoded is not None
    page = DecodedPage(decoded[1], RawPage(raw))
    with profile.engine.connect() as connection, connection.begin():
        connection.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
        PageApplier(connection, PullState()).apply(page if columns else page.records())


def _contents(profile: Profile) -> dict[str, list[tuple[Any, ...]]]:
    """Every synced row but its local ``row_version`` (the former UPDATE raised it even
    when nothing changed), the bases, held records and the search index's tables."""
    contents = {}
    with profile.engine.connect() as connection:
        for model in SYNCED_MODELS:
            table = model_table(model)
            columns = [c.name for c in table.columns if c.name != "row_version"]
            sql = f'SELECT {", ".join(columns)} FROM "{table.name}"'
            contents[table.name] = sorted(map(tuple, connection.exec_driver_sql(sql)), key=repr)
        for name in ("sync_base", "sync_held", *SEARCH_TABLES):
            rows = connection.exec_driver_sql(f'SELECT * FROM "{name}"')
            contents[name] = sorted(map(tuple, rows), key=repr)
    return contents


def _former_full_update(monkeypatch: pytest.MonkeyPatch) -> None:
    """The former write: every carried column named, whatever the local row holds."""
    monkeypatch.setattr(pull, "_differing_values", pull._values_of_row)
    monkeypatch.setattr(
        pull, "_changed", lambda record: tuple(sorted(n for n in record.values if n != "id"))
    )


def test_changed_columns_store_what_the_full_update_stored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = Profile.create(tmp_path / "source", PASSPHRASE, KdfParams.fast_for_tests())
    fill_profile(source, beneficiaries=8, seed=23)
    records = _wire_records(source)
    source.close()
    assert {r["record_type"] for r in records} >= {"beneficiary", "action_plan", "referral"}
    rounds = [_page(records, 1)]
    for number in range(3):  # NULLs set, then values back in them, then again
        rounds.append(_page(_edited(records, seed=number, version=number + 2), 1 + len(rounds)))
    lanes = {"former": True, "columns": True, "careful": False}
    profiles = {
        name: Profile.create(tmp_path / name, PASSPHRASE, KdfParams.fast_for_tests())
        for name in lanes
    }
    updates: list[int] = []
    update_many = writes.update_many

    def counted(connection: Any, record_type: str, names: Any, rows: list[Any]) -> None:
        updates.append(len(rows) * len(names))
        update_many(connection, record_type, names, rows)

    monkeypatch.setattr(writes, "update_many", counted)
    cells: dict[str, int] = {}
    for name, profile in profiles.items():
        with monkeypatch.context() as patch:
            if name == "former":
                _former_full_update(patch)
            updates.clear()
            for raw in rounds:
                _apply(profile, raw, lanes[name])
            cells[name] = sum(updates)
    former = _contents(profiles["former"])
    assert _contents(profiles["columns"]) == former
    assert _contents(profiles["careful"]) == former
    assert cells["columns"] == cells["careful"] < cells["former"] / 2  # fewer cells written
    # The edits did change names (the search index followed them) and set NULLs.
    assert former["beneficiary_search_map"] and former["beneficiary"]
    for profile in profiles.values():
        profile.close()


def test_a_record_pushed_and_pulled_back_unchanged_is_not_written_again(
    server: RunningServer, laptop: Callable[..., Laptop], monkeypatch: pytest.MonkeyPatch
) -> None:
    account = server.add_user()
    mine = laptop(account)
    person = beneficiaries.register(mine.ctx, {"last_name": "Tazi", "first_name": "Nadia"})
    mine.sync()  # created, pushed, pulled back (the server stamped it: written once)
    with mine.ctx.transaction() as session:
        record = session.get(Beneficiary, person.id)
        assert record is not None
        record.phone = "0612345678"
    written: list[str] = []
    update_many = writes.update_many

    def spied(connection: Any, record_type: str, names: Any, rows: list[Any]) -> None:
        written.extend(row[-1] for row in rows)
        update_many(connection, record_type, names, rows)

    monkeypatch.setattr(writes, "update_many", spied)
    report = mine.sync()
    assert report.applied == 1 and report.received >= 1  # pulled back...
    assert person.id.hex not in written  # ...and not written again
    key = ("beneficiary", str(person.id))
    assert mine.state()[key] == server_state(server, account)[key]
    with mine.profile.engine.connect() as connection:
        base = connection.exec_driver_sql(
            "SELECT version FROM sync_base WHERE record_id = ?", (person.id.hex,)
        ).scalar_one()
    assert base == _server_version(server, account, person.id)


def test_a_record_another_laptop_changed_between_push_and_pull_is_written(
    server: RunningServer, laptop: Callable[..., Laptop], monkeypatch: pytest.MonkeyPatch
) -> None:
    account = server.add_user()
    mine, other = laptop(account), laptop(account)
    person = beneficiaries.register(mine.ctx, {"last_name": "Alami", "first_name": "Karim"})
    mine.sync()
    other.sync()
    with mine.ctx.transaction() as session:
        record = session.get(Beneficiary, person.id)
        assert record is not None
        record.phone = "0700000001"
    with other.ctx.transaction() as session:
        record = session.get(Beneficiary, person.id)
        assert record is not None
        record.last_name = "Berrada"
    push = sync_engine.push_outbox
    between: list[bool] = []

    def then_the_other(*args: Any, **kwargs: Any) -> Any:
        outcome = push(*args, **kwargs)
        if not between:  # our push is in: the other laptop syncs before our pull
            between.append(True)
            other.sync()
        return outcome

    monkeypatch.setattr(sync_engine, "push_outbox", then_the_other)
    written: list[tuple[str, tuple[str, ...]]] = []
    update_many = writes.update_many

    def spied(connection: Any, record_type: str, names: Any, rows: list[Any]) -> None:
        written.extend((row[-1], tuple(names)) for row in rows)
        update_many(connection, record_type, names, rows)

    monkeypatch.setattr(writes, "update_many", spied)
    report = mine.sync()
    assert between and report.applied == 1
    ours = [names for record_id, names in written if record_id == person.id.hex]
    assert ours and "last_name" in ours[-1] and "phone" not in ours[-1]
    key = ("beneficiary", str(person.id))
    assert mine.state()[key] == server_state(server, account)[key]
    assert mine.state()[key]["last_name"] == "Berrada"
    assert mine.state()[key]["phone"] == "0700000001"
    with mine.profile.engine.connect() as connection:
        hits = connection.exec_driver_sql(
            "SELECT count(*) FROM beneficiary_search WHERE beneficiary_search MATCH ?",
            ('"berrada"*',),
        ).scalar_one()
        assert hits == 1
        gone = connection.exec_driver_sql(
            "SELECT count(*) FROM beneficiary_search WHERE beneficiary_search MATCH ?",
            ('"alami"*',),
        ).scalar_one()
        assert gone == 0


def _server_version(server: RunningServer, account: Any, record_id: Any) -> int:
    record = (
        server.enrol(account, device_name="version-check")
        .pull(cursor=0)
        .get("beneficiary", record_id)
    )
    assert record is not None
    return int(record["version"])
