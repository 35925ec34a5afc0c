"""An incremental sync's own cost on the laptop: transactions and statements, counted.

Issue 23 (many laptops at once): every statement a 5-edit sync runs costs the laptop
SQLAlchemy's and SQLCipher's overhead, and every write transaction a commit (an fsync
with ``synchronous = FULL``). Outside the push (``app/sync/push.py``, counted apart),
such a sync writes in two transactions: the pulled page with its cursor and the access
log's acknowledgement, then the time of the sync; and it reads in one, at its start.
Nothing it can know without asking is asked again: the pull's cursor and whether its
fast path may be taken, the access log's next batch, the policy, escrow and token marks
come from what the start read; held records and cases waiting for removal are known
from the pull; whether documents have work is looked at in the last page's transaction.

Real encrypted profiles, a real server (SQLite and PostgreSQL).
"""

from __future__ import annotations

import sys
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, select

from app.models import Beneficiary
from app.services import beneficiaries
from app.store import writelock
from app.store.profile import Profile
from app.sync import state
from app.sync.state import HELD
from tests.server.harness import RunningServer
from tests.sync.conftest import Laptop, laptop, server  # noqa: F401

MakeLaptop = Callable[..., Laptop]
PUSH_MODULE = "app/sync/push.py"
WRITES_OUTSIDE_PUSH = 2  # the page (cursor, access-log acknowledgement), the sync's time
STATEMENTS_OUTSIDE_PUSH = 16  # 15 when written (before: 50, then 24 in 5 reading transactions)
READS_OUTSIDE_PUSH = 1  # the start: sync state, profile settings, the access log's batch


def _in_push() -> bool:
    frame: Any = sys._getframe(2)
    while frame is not None:
        if frame.f_code.co_filename.endswith(PUSH_MODULE):
            return True
        frame = frame.f_back
    return False


@contextmanager
def counted(profile: Profile) -> Iterator[Counter[str]]:
    """Statements and transactions of ``profile``'s engine meanwhile, the push's apart."""
    counts: Counter[str] = Counter()

    def on_statement(*_args: Any) -> None:
        counts["push statements" if _in_push() else "statements"] += 1

    def on_begin(connection: Any) -> None:
        kind = "reads" if connection.get_execution_options().get(writelock.READING) else "writes"
        counts[f"push {kind}" if _in_push() else kind] += 1

    engine = profile.engine
    event.listen(engine, "before_cursor_execute", on_statement)
    event.listen(engine, "begin", on_begin)
    try:
        yield counts
    finally:
        event.remove(engine, "before_cursor_execute", on_statement)
        event.remove(engine, "begin", on_begin)


def _ids(made: Laptop) -> list[uuid.UUID]:
    with made.profile.sessions() as session:
        return list(session.scalars(select(Beneficiary.id).order_by(Beneficiary.id)))


def _phones(made: Laptop) -> dict[uuid.UUID, str | None]:
    with made.profile.sessions() as session:
        rows = session.execute(select(Beneficiary.id, Beneficiary.phone))
        return {record_id: phone for record_id, phone in rows}


def test_an_incremental_sync_writes_twice_outside_the_push_and_asks_little(
    server: RunningServer,  # noqa: F811
    laptop: MakeLaptop,  # noqa: F811
) -> None:
    team = f"Team {uuid.uuid4().hex[:6]}"
    writer, reader = laptop(server.add_user(team=team)), laptop(server.add_user(team=team))
    for number in range(30):
        beneficiaries.register(writer.ctx, {"last_name": f"Crowd {number}", "first_name": "A"})
    assert writer.sync().complete
    assert reader.sync().received >= 30
    ids = _ids(reader)
    mine, theirs = ids[:5], ids[5:25]
    for record_id in theirs:
        beneficiaries.update(writer.ctx, record_id, {"phone": f"06{uuid.uuid4().hex[:8]}"})
    assert writer.sync().complete
    for record_id in mine:
        beneficiaries.update(reader.ctx, record_id, {"phone": f"07{uuid.uuid4().hex[:8]}"})

    with counted(reader.profile) as counts:
        report = reader.sync()

    assert report.complete and report.sent == 5 and report.received >= 20
    assert report.held == 0 and report.held_records == []
    assert counts["writes"] == WRITES_OUTSIDE_PUSH, counts
    assert counts["reads"] <= READS_OUTSIDE_PUSH, counts
    assert counts["statements"] <= STATEMENTS_OUTSIDE_PUSH, counts
    # What it spared was not needed: both laptops hold both sets of edits.
    writer.sync()
    assert _phones(reader) == _phones(writer)
    with reader.profile.engine.connect() as connection:
        assert state.get(connection, state.LEFT_SCOPE) is None
        assert state.get(connection, state.LAST_SYNC_AT) is not None
        assert int(state.get(connection, state.CURSOR) or 0) > 0


def test_a_held_record_is_still_reported_when_the_pull_knows_of_none_new(
    server: RunningServer,  # noqa: F811
    laptop: MakeLaptop,  # noqa: F811
) -> None:
    """The summary's held records come from the pull's own index only when it holds
    none; a record held by an earlier pull is read from the table and named."""
    team = f"Team {uuid.uuid4().hex[:6]}"
    made = laptop(server.add_user(team=team))
    waiting = uuid.uuid4()
    with made.profile.engine.begin() as connection:
        connection.execute(
            HELD.insert().values(
                record_type="referral",
                record_id=waiting,
                seq=1,
                version=1,
                deleted=False,
                data={},
                case_id=None,
                reason="waiting for beneficiary 0",
            )
        )
    report = made.sync()
    assert report.held == 1
    assert [line.record_id for line in report.held_records] == [waiting]
