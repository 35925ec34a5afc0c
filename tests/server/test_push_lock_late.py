"""Numbers handed out at the end: a push merges and writes with provisional numbers,
then takes the counter lock only to make them real and commit (server/services/push.py
and sequence.py ``number_late``, issue 23). Through the real server on PostgreSQL.

What must still hold is the ordering guarantee of docs/sync-protocol.md: a number is
visible only once every smaller one is committed, the numbers are gap-free, a record's
number is its change-log row's, and nothing provisional ever reaches a pull. These tests
fail if the lock were released (or never taken) before the commit: a push stalled while
numbering must hold back every other push and every puller.
"""

from __future__ import annotations

import threading
import uuid
from typing import Any

from sqlalchemy import Connection, text

from tests.server import factories
from tests.server.harness import DeviceClient, RunningServer, change
from tests.server.racing import Racing

WAIT_SECONDS = 30
LAPTOPS = 6
PER_PUSH = 4


def _laptop_with_case(server: RunningServer) -> tuple[DeviceClient, uuid.UUID, Any]:
    """A counsellor of a team of their own, and a case of theirs at version 1."""
    account = server.add_user("social_worker")
    laptop = server.enrol(account)
    case_id = uuid.uuid4()
    [made] = laptop.push(change("beneficiary", case_id, factories.beneficiary(account.team_id)))
    assert made["status"] == "applied", made
    return laptop, case_id, account


def _batch(case_id: uuid.UUID, version: int) -> list[dict[str, Any]]:
    """An edit of the case and new follow-up sessions: one number each."""
    edit = change("beneficiary", case_id, {"phone": f"06{version:08d}"}, base_version=version)
    sessions = [
        change("follow_up_session", uuid.uuid4(), factories.follow_up_session(case_id))
        for _ in range(PER_PUSH - 1)
    ]
    return [edit, *sessions]


def _numbers(connection: Connection, start: int) -> tuple[list[int], dict[uuid.UUID, int]]:
    """The records' numbers above ``start`` (sorted), and each change-log row's."""
    seqs = connection.execute(
        text("SELECT seq FROM record WHERE seq > :start ORDER BY seq"), {"start": start}
    ).scalars()
    logged = connection.execute(
        text("SELECT record_id, seq FROM change_log WHERE seq > :start"), {"start": start}
    )
    return list(seqs), {row.record_id: row.seq for row in logged}


def _check_numbered(racing: Racing, start: int, pushes: int) -> None:
    """Gap-free from ``start`` to the counter, every record's number its change-log
    row's, nothing provisional left, each push's numbers one block."""
    last = racing.last_seq()
    with racing.engine.connect() as connection:
        seqs, logged = _numbers(connection, start)
        current = dict(
            connection.execute(
                text("SELECT record_id, seq FROM record WHERE seq > :start"), {"start": start}
            ).all()
        )
        by_push = connection.execute(
            text(
                "SELECT device_id, min(seq), max(seq), count(*) FROM change_log"
                " WHERE seq > :start GROUP BY device_id"
            ),
            {"start": start},
        ).all()
    assert seqs == list(range(start + 1, last + 1))  # gap-free, none above the counter
    assert len(logged) == len(seqs) == pushes * PER_PUSH
    assert logged == current  # each record's number is its change-log row's
    for _device, low, high, count in by_push:
        assert high - low + 1 == count  # one push, one block of numbers


def test_a_push_stalled_while_numbering_holds_back_pushes_and_pulls(
    pg_server: RunningServer, racing: Racing
) -> None:
    """The test stalls the first push inside its numbering statement (it holds the
    ``scope_exit`` table that statement updates): the push holds the counter lock with
    its numbers taken but not committed. The second push, merged meanwhile, waits; a
    pull sees nothing of either and its cursor does not move; then both commit in order."""
    (one, first_case, _), (two, second_case, _) = (
        _laptop_with_case(pg_server),
        _laptop_with_case(pg_server),
    )
    watcher = pg_server.enrol(pg_server.add_user("admin"))
    start = racing.hold()
    assert racing.holder is not None
    racing.push("one", one, *_batch(first_case, 1))
    racing.wait_blocked(1)  # merged and written, waiting for the counter
    staller = racing.engine.connect()
    try:
        # (A push already inside its numbering statement holds the table: no hanging.)
        staller.execute(text("SET lock_timeout = '10s'"))
        staller.execute(text("LOCK TABLE scope_exit IN EXCLUSIVE MODE"))
        racing.holder.rollback()  # the counter lock goes to the first push...
        racing.wait_blocked(1, "scope_exit")  # ...which stalls in its numbering statement
        racing.push("two", two, *_batch(second_case, 1))
        racing.wait_blocked(1, "FOR UPDATE OF device")  # merged, waiting for the counter
        page = watcher.pull_page(start)
        assert page.status_code == 200
        body = page.json()
        assert (body["records"], body["next_cursor"]) == ([], start)
        assert racing.last_seq() == start  # nothing committed
    finally:
        staller.rollback()
        staller.close()
    racing.release()
    for name in ("one", "two"):
        assert [r["status"] for r in racing.results[name]] == ["applied"] * PER_PUSH
    _check_numbered(racing, start, 2)
    with racing.engine.connect() as connection:
        _seqs, logged = _numbers(connection, start)
    assert logged[first_case] < logged[second_case]  # in commit order
    pulled = watcher.pull(start)
    assert sorted(r["seq"] for r in pulled.records.values()) == list(
        range(start + 1, racing.last_seq() + 1)
    )


def test_pushes_racing_freely_number_gap_free(pg_server: RunningServer, racing: Racing) -> None:
    """Several laptops push at once (no lock held by the test): every number from the
    counter before to the counter after is a record's, and its change-log row's."""
    laptops = [_laptop_with_case(pg_server) for _ in range(LAPTOPS)]
    start = racing.last_seq()
    barrier = threading.Barrier(LAPTOPS)
    results: dict[int, list[dict[str, Any]]] = {}

    def run(slot: int, laptop: DeviceClient, case_id: uuid.UUID) -> None:
        barrier.wait(WAIT_SECONDS)
        results[slot] = laptop.push(*_batch(case_id, 1))

    threads = [
        threading.Thread(target=run, args=(slot, laptop, case_id), daemon=True)
        for slot, (laptop, case_id, _account) in enumerate(laptops)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT_SECONDS)
        assert not thread.is_alive()
    assert all(
        [r["status"] for r in results[slot]] == ["applied"] * PER_PUSH for slot in range(LAPTOPS)
    ), results
    _check_numbered(racing, start, LAPTOPS)
