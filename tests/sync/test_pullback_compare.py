"""The pull-back after a seeding push (issue 23): a laptop that pushed its whole caseload
pulls every record back, most of them differing from its rows only in what the server
stamped (who wrote them). The pages of such a long pull, after its first few, are
decoded in the decoding process, as an initial sync's are, and compared with the local rows without
the page being parsed again in the laptop's process; what the server stamped is stored,
and a field a record does not carry is left as stored."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.demo import fill_profile
from app.models import SYNCED_MODELS, Beneficiary
from app.store.keys import KdfParams
from app.store.profile import Profile
from app.sync import decoder as decoder_module
from app.sync import feed, incoming, outbox
from app.sync.decode import layouts, plans
from app.sync.decode_worker import compiled, decode_page
from app.sync.engine import SyncOptions
from app.sync.incoming import DecodedPage, RawPage
from app.sync.pull import PageApplier, PullState
from app.sync.records import to_wire_value
from app.sync.state import model_table
from tests.conftest import PASSPHRASE
from tests.server.harness import RunningServer
from tests.sync.conftest import Laptop, server_state

SERVER = "3a0879fb-dc78-43b3-a919-b5aaf0c99bea"
PAGES = SyncOptions(page_size=40, commit_seconds=0)


def _parsed_again(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the pages whose JSON the laptop's process parses to read a record's fields."""
    parsed: list[int] = []
    data_of = RawPage.data_of

    def counted(self: RawPage, hex_id: str) -> dict[str, Any]:
        if self._data is None:
            parsed.append(1)
        return data_of(self, hex_id)

    monkeypatch.setattr(RawPage, "data_of", counted)
    return parsed


def test_a_seeding_pull_back_is_decoded_apart_and_stores_the_server_stamps(
    server: RunningServer,
    laptop: Callable[..., Laptop],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    admin = server.add_user("admin")
    seed = laptop(admin)
    fill_profile(seed.profile, beneficiaries=6, seed=24)
    outbox.queue_all(seed.profile)
    submitted: list[int] = []
    submit = decoder_module.PageDecoder.submit

    def counted(self: decoder_module.PageDecoder, raw: bytes) -> bool:
        submitted.append(1)
        return submit(self, raw)

    monkeypatch.setattr(decoder_module.PageDecoder, "submit", counted)
    parsed = _parsed_again(monkeypatch)
    report = seed.sync(PAGES)  # the push, then its records pulled back, 40 a page
    assert report.sent > 100 and report.pages > 3
    # Every page after the first few (the process pays for itself on a long pull).
    assert len(submitted) == report.pages - feed.APART_AFTER_PAGES > 0
    assert parsed == []  # compared with the local rows from the decoded columns
    # The server stamped who wrote each record (the admin who pushed): stored here.
    theirs = server_state(server, admin)
    mine = {key: data for key, data in seed.state().items() if key in theirs}
    assert mine == theirs
    stamped = [data["updated_by_id"] for (kind, _id), data in mine.items() if kind == "goal"]
    assert stamped and len(set(stamped)) == 1


def _page(records: list[dict[str, Any]], first_seq: int) -> bytes:
    numbered = [{"seq": first_seq + n} | r for n, r in enumerate(records)]
    page = {"server_id": SERVER, "left_scope": [], "next_cursor": first_seq + len(records)}
    page |= {"has_more": False, "expected": None, "records": numbered}
    return json.dumps(page).encode()


def _apply(profile: Profile, raw: bytes) -> None:
    tables = compiled(plans(), layouts())
    sizes = {name: len(plan) for name, plan in plans().items()}  # as the decoding process
    decoded = decode_page(raw, tables, sizes)
    assert decoded is not None
    with profile.engine.connect() as connection, connection.begin():
        PageApplier(connection, PullState()).apply(DecodedPage(decoded[1], RawPage(raw)))


def _caseload(tmp_path: Path) -> list[dict[str, Any]]:
    """A demo caseload of one beneficiary as the server sends it, parents first."""
    source = Profile.create(tmp_path / "source", PASSPHRASE, KdfParams.fast_for_tests())
    fill_profile(source, beneficiaries=1, seed=24)
    records = []
    with source.engine.connect() as connection:
        for model in SYNCED_MODELS:
            for row in connection.execute(select(model_table(model))).mappings():
                data = {k: to_wire_value(v) for k, v in row.items() if k != "row_version"}
                kind = model_table(model).name
                records.append(
                    {"record_type": kind, "record_id": data["id"], "version": 1}
                    | {"deleted": False, "case_id": None, "data": data}
                )
    source.close()
    return records


def _a_person(records: list[dict[str, Any]]) -> dict[str, Any]:
    return next(r for r in records if r["record_type"] == "beneficiary")


def test_a_field_the_record_does_not_carry_is_left_as_stored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    records = _caseload(tmp_path)
    person = _a_person(records)
    profile = Profile.create(tmp_path / "laptop", PASSPHRASE, KdfParams.fast_for_tests())
    whole = person["data"] | {"phone": "0612345678", "address": "first"}
    person["data"] = whole
    _apply(profile, _page(records, 1))
    parsed = _parsed_again(monkeypatch)
    # Version 2 changes the address and does not carry the phone.
    partial = {k: v for k, v in whole.items() if k != "phone"} | {"address": "second"}
    _apply(profile, _page([person | {"version": 2, "data": partial}], 1 + len(records)))
    assert parsed == []  # the carried names came with the decoded columns
    with profile.engine.connect() as connection:
        stored = connection.execute(select(Beneficiary.phone, Beneficiary.address)).one()
        held = connection.exec_driver_sql("SELECT count(*) FROM sync_held").scalar_one()
    assert (tuple(stored), held) == (("0612345678", "second"), 0)
    assert incoming.wire_names("beneficiary") > partial.keys()
    profile.close()


@pytest.mark.parametrize("carried", ["all", "some"])
def test_the_decoding_process_names_the_fields_only_of_a_partial_record(
    carried: str, tmp_path: Path
) -> None:
    person = _a_person(_caseload(tmp_path))
    if carried == "some":
        person["data"].pop("phone")
    raw = _page([person], 1)
    sizes = {name: len(plan) for name, plan in plans().items()}
    decoded = decode_page(raw, compiled(plans(), layouts()), sizes)
    assert decoded is not None
    assert decoded[1][6][0] is not None  # decoded there
    fields = decoded[1][8][0]
    assert fields == (None if carried == "all" else tuple(person["data"]))
