"""What a small push costs whatever its size (srvpush-24, issue 23 item 4).

An incremental sync's push is a handful of edits: its statements, not its changes,
make its cost. On PostgreSQL the records its changes name (a case's team, counsellor,
facility) are read in one statement, whatever their types; the device's held cursor is
written by a statement built once. The push routes parse the body with the cycle
collector paused, as the merge already ran.
"""

from __future__ import annotations

import gc
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event

from passerelle_core.protocol import Change, PushRequest
from server.api.routes import sync as routes
from server.core.db import Database
from server.services import push
from server.services.devices import Caller
from server.services.sequence import committed_high_water
from tests.server import factories
from tests.server.harness import change, migrated_database
from tests.server.test_push_bulk_random import _caller

PARENT_READ = "CAST(record.data AS TEXT)"
"""What every read of a batch's parents (records read for their placement) selects."""


@pytest.fixture(scope="module")
def seeded(
    database_url: str | None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Database, Caller, list[uuid.UUID]]]:
    database = migrated_database(tmp_path_factory.mktemp("fixed-cost"), database_url)
    caller = _caller(database, "admin", 0)
    team = caller.viewer.team_id
    cases = [uuid.uuid4() for _ in range(10)]  # five for each test
    facility = uuid.uuid4()
    created = [  # (the facility is named, not stored: asked for all the same)
        change(
            "beneficiary",
            case,
            factories.beneficiary(team, caller.user_id, facility_id=str(facility)),
        )
        for case in cases
    ]
    with database.session() as session:
        results = push.push(session, caller, [Change.model_validate(c) for c in created])
    assert {r.status for r in results} == {"applied"}, results
    yield database, caller, cases
    database.dispose()


def _edits(cases: list[uuid.UUID], phone: str) -> list[Change]:
    return [
        Change.model_validate(
            {**change("beneficiary", case, {"contact_phone": phone}), "base_version": 1}
        )
        for case in cases
    ]


def test_a_small_push_reads_its_parents_in_one_statement(
    seeded: tuple[Database, Caller, list[uuid.UUID]],
) -> None:
    """Five edits of cases naming a facility, a team and a counsellor: one read of
    those on PostgreSQL (three before, one per type), one per type on SQLite."""
    database, caller, cases = seeded
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    with database.session() as session:
        cursor, server_id = committed_high_water(session)
        session.rollback()
        event.listen(database.engine, "before_cursor_execute", count)
        try:
            results = push.push(
                session, caller, _edits(cases[:5], "06 11 22 33 44"),
                expected=push.Expected(cursor, server_id),
            )  # fmt: skip
        finally:
            event.remove(database.engine, "before_cursor_execute", count)
    assert [r.status for r in results] == ["applied"] * 5
    parents = [s for s in statements if PARENT_READ in s]
    if database.engine.dialect.name == "postgresql":
        assert len(parents) == 1, parents
        assert len(statements) <= 8, statements  # 10 before (srvpush-24)
    else:
        assert len(parents) == 3, parents  # facility, team, staff member


def test_the_push_routes_parse_the_body_with_the_collector_paused(
    seeded: tuple[Database, Caller, list[uuid.UUID]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The body's parse, the merge and the answer run with the collector paused; it is
    on again once the route is done, and after a refused body too."""
    database, caller, cases = seeded
    seen: list[bool] = []
    parse = routes.parse_push

    def parse_watched(raw: bytes) -> PushRequest:
        seen.append(gc.isenabled())
        return parse(raw)

    monkeypatch.setattr(routes, "parse_push", parse_watched)
    body = PushRequest(changes=_edits(cases[5:], "06 55 66 77 88")).model_dump_json().encode()
    assert gc.isenabled()
    with database.session() as session:
        answer = routes.push_changes(caller, body, session, database.settings)
    assert answer.status_code == 200 and b'"applied"' in answer.body
    assert seen == [False] and gc.isenabled()
    with database.session() as session, pytest.raises(routes.RequestValidationError):
        routes.push_changes(caller, b'{"changes": [{"op": "upsert"}]}', session, database.settings)
    assert seen == [False, False] and gc.isenabled()
