"""The seeding push's shortcuts give what the general code gives (seedsrv-23c).

A seeding push is thousands of creations: their answers are built without pydantic's
construction, logged without ``model_dump``, their change-log times converted once per
value, their ids read as one array's text on PostgreSQL. Each shortcut is checked here
against what it replaces; the stored rows and change log against the careful path are
compared by tests/server/test_push_fast_create.py.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import select

from passerelle_core.protocol import Change, ChangeResult, PushResponse
from server.core.db import Database
from server.core.tables import ChangeLog, Record
from server.services import bulk_insert, creation, lookups, push
from server.services.devices import Caller
from tests.server import factories
from tests.server.harness import change, migrated_database
from tests.server.test_push_bulk_random import _caller

RESULTS = [
    ChangeResult(change_id=uuid.uuid4(), status="applied", version=1),
    ChangeResult(change_id=uuid.uuid4(), status="merged", version=7),
    ChangeResult(change_id=uuid.uuid4(), status="conflict", version=3, conflict_id=uuid.uuid4()),
    ChangeResult(change_id=uuid.uuid4(), status="rejected", error="no", permanent=True),
    ChangeResult(change_id=uuid.uuid4(), status="rejected", error="later"),
    ChangeResult(change_id=uuid.uuid4(), status="duplicate", version=2),
    ChangeResult.model_construct(change_id=uuid.uuid4(), status="applied", version=1),
]


def test_an_applied_answer_is_the_one_pydantic_builds() -> None:
    change_id = uuid.uuid4()
    fast = creation.applied(change_id, 4)
    constructed = ChangeResult.model_construct(change_id=change_id, status="applied", version=4)
    validated = ChangeResult(change_id=change_id, status="applied", version=4)
    assert fast == constructed == validated
    assert fast.__dict__ == validated.__dict__
    assert fast.model_fields_set == constructed.model_fields_set
    assert fast.model_dump_json() == validated.model_dump_json()
    assert fast.model_dump(exclude_unset=True) == constructed.model_dump(exclude_unset=True)
    answer = PushResponse(results=[fast])
    assert answer.model_dump_json() == PushResponse(results=[validated]).model_dump_json()
    assert creation.applied(change_id, 4).model_fields_set is not fast.model_fields_set


@pytest.mark.parametrize("result", RESULTS, ids=lambda r: str(r.status))
def test_a_logged_result_is_its_json_dump(result: ChangeResult) -> None:
    assert push._stored_result(result) == result.model_dump(mode="json")
    assert list(push._stored_result(result)) == list(ChangeResult.model_fields)


def test_times_are_converted_once_per_value_and_alike() -> None:
    calls: list[Any] = []

    def convert(value: datetime) -> Any:
        calls.append(value)
        if value.tzinfo is None:
            raise ValueError("naive")
        return value.astimezone(UTC).replace(tzinfo=None)

    once = bulk_insert._once_per_value(convert)
    utc = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
    plus_one = datetime(2026, 12, 7, 11, 0, tzinfo=timezone(timedelta(hours=1)))  # same instant
    assert once(utc) == once(datetime(2026, 12, 7, 10, 0, tzinfo=UTC)) == once(plus_one)
    assert len(calls) == 1
    assert once(utc + timedelta(microseconds=1)) == datetime(2026, 12, 7, 10, 0, 0, 1)
    with pytest.raises(ValueError):  # a naive time never equals an aware one: refused
        once(datetime(2026, 12, 7, 10, 0))


@pytest.fixture(scope="module")
def seeded(
    database_url: str | None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Database, Caller]]:
    database = migrated_database(tmp_path_factory.mktemp("seed-fast"), database_url)
    yield database, _caller(database, "admin", 0)
    database.dispose()


def _times() -> list[datetime]:
    shared = datetime(2026, 12, 7, 9, 30, 15, 250, tzinfo=UTC)
    return [
        shared,
        shared.replace(),  # equal, another object (as pydantic parses each change)
        shared.astimezone(timezone(timedelta(hours=1))),  # the same instant elsewhere
        datetime(2026, 12, 6, 23, 59, 59, tzinfo=timezone(timedelta(hours=-5))),
        shared,
    ]


def test_a_seeding_batch_logs_each_change_as_sent(seeded: tuple[Database, Caller]) -> None:
    """Every change-log row holds its change's own time and the batch's one reception
    time; the records and their parents read by id arrays are found again when the
    batch is sent a second time (all duplicates, answered from the change log)."""
    database, caller = seeded
    team = caller.viewer.team_id
    cases = [uuid.uuid4() for _ in range(3)]
    changes = [
        Change.model_validate(
            {**change("beneficiary", case, factories.beneficiary(team)), "recorded_at": when}
        )
        for case, when in zip(cases, _times(), strict=False)
    ]
    for number, case in enumerate(cases):
        session = change("follow_up_session", uuid.uuid4(), factories.follow_up_session(case))
        changes.append(Change.model_validate({**session, "recorded_at": _times()[number + 2]}))
    before = datetime.now(UTC) - timedelta(seconds=1)
    with database.session() as session:
        first = push.push(session, caller, changes)
    assert [r.status for r in first] == ["applied"] * len(changes)
    with database.session() as session:
        logs = session.execute(
            select(ChangeLog.change_id, ChangeLog.recorded_at, ChangeLog.received_at)
        ).all()
        stored = session.scalars(select(Record).where(Record.record_id.in_(cases))).all()
    sent = {c.change_id: c.recorded_at for c in changes}
    assert {log.change_id: log.recorded_at for log in logs} == sent
    assert len({log.received_at for log in logs}) == 1
    assert before <= logs[0].received_at <= datetime.now(UTC)
    assert {record.record_id for record in stored} == set(cases)

    with database.session() as session:
        again = push.push(session, caller, changes)
    assert [r.status for r in again] == ["duplicate"] * len(changes)
    assert [r.version for r in again] == [r.version for r in first]
    with database.session() as session, session.begin():
        found = lookups.applied_changes(session, [uuid.uuid4(), *sent, uuid.uuid4()])
        cache = lookups.BatchRecords()
        keys = [("beneficiary", case) for case in cases] + [("beneficiary", uuid.uuid4())]
        cache.load(session, keys)
    with database.session() as session, session.begin():  # (no ORM copies: plain rows)
        rows = lookups.BatchRecords()
        rows.load(session, keys, parents=True)
    assert set(found) == set(sent)
    for known in (cache, rows):
        assert [known.records[key] is not None for key in keys] == [True, True, True, False]
    assert all(isinstance(rows.records[key], lookups.Row) for key in keys[:3])
    assert {rows.records[key].team_id for key in keys[:3]} == {team}  # type: ignore[union-attr]


def test_the_id_array_is_the_text_postgresql_reads() -> None:
    ids = [uuid.UUID(int=0), uuid.uuid4()]
    assert lookups._id_array(ids) == "{" + f"{ids[0].hex},{ids[1].hex}" + "}"
    assert lookups._id_array([]) == "{}"


def test_a_case_merged_away_is_told_by_the_database(seeded: tuple[Database, Caller]) -> None:
    """A parent case read as a row says whether it was merged away without its data
    being decoded; a child of such a case, pushed in a later batch, still goes to the
    file it was merged into (the careful path's redirection)."""
    database, caller = seeded
    team = caller.viewer.team_id
    kept, merged, plain = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    cases = [
        change("beneficiary", kept, factories.beneficiary(team)),
        change("beneficiary", merged, factories.beneficiary(team, merged_into_id=str(kept))),
        change("beneficiary", plain, factories.beneficiary(team)),
    ]
    with database.session() as session:
        assert {r.status for r in push.push(session, caller, _changes(cases))} == {"applied"}
    with database.session() as session, session.begin():
        rows = lookups.BatchRecords()
        keys = [("beneficiary", case) for case in (kept, merged, plain)]
        rows.load(session, keys, parents=True)
        staff = [("staff_member", caller.user_id)]
        rows.load(session, staff, parents=True)
    found = [rows.records[key] for key in keys]
    assert [row.merged for row in found] == [False, True, False]  # type: ignore[union-attr]
    assert all(row._data is None for row in found)  # type: ignore[union-attr]
    assert rows.records[staff[0]].merged is None  # type: ignore[union-attr]
    assert [row.get("merged_into_id") for row in found] == [None, str(kept), None]  # type: ignore[union-attr]

    child, other = uuid.uuid4(), uuid.uuid4()
    sessions = [
        change("follow_up_session", child, factories.follow_up_session(merged)),
        change("follow_up_session", other, factories.follow_up_session(plain)),
    ]
    with database.session() as session:
        answers = push.push(session, caller, _changes(sessions))
    assert [r.status for r in answers] == ["applied", "applied"]
    with database.session() as session:
        stored = {
            record.record_id: record
            for record in session.scalars(
                select(Record).where(Record.record_id.in_([child, other]))
            )
        }
    assert stored[child].case_id == kept and stored[child].data["beneficiary_id"] == str(kept)
    assert stored[other].case_id == plain


def _changes(changes: list[dict[str, Any]]) -> list[Change]:
    return [Change.model_validate(item) for item in changes]
