"""The ordering trap (docs/sync-protocol.md), shown with real concurrent PostgreSQL transactions.

The counter-example: if sequence numbers came from a PostgreSQL SEQUENCE (``nextval``
at insert time), two writers would not wait for each other:

    T1: nextval() -> 10, inserts, is still working
    T2: nextval() -> 11, inserts, COMMITS
    reader: pulls, sees 11 (10 is invisible, uncommitted), stores cursor = 11
    T1: COMMITS 10
    reader: pulls "seq > 11": change 10 is skipped for ever on that laptop.

``test_a_plain_sequence_would_skip_a_change`` replays exactly that. The server instead
takes numbers under a lock on the single ``counter`` row held until commit, so T2
cannot even take 11 before T1 has committed 10, and a pull reads the committed counter
first and never pages past it: ``test_a_later_number_waits_for_the_earlier_commit``.
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import create_engine, text

from server.core.db import Database, write_transaction
from server.core.settings import ServerSettings
from server.services.scope import ORGANISATION
from server.services.sequence import SequenceAllocator
from server.services.store import create_record
from server.services.wire import new_record_data
from tests.server import factories
from tests.server.harness import DeviceClient, RunningServer

WAIT_SECONDS = 30


@dataclass
class Writer:
    """One writing transaction in its own thread and connection, paused before commit."""

    database: Database
    record_id: uuid.UUID = field(default_factory=uuid.uuid4)
    connected: threading.Event = field(default_factory=threading.Event)
    took_seq: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    done: threading.Event = field(default_factory=threading.Event)
    pid: int = 0
    seq: int = 0
    error: BaseException | None = None

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self._run, daemon=True)
        thread.start()
        return thread

    def _run(self) -> None:
        try:
            with self.database.session() as session, write_transaction(session):
                self.pid = int(session.scalar(text("SELECT pg_backend_pid()")) or 0)
                self.connected.set()
                seqs = SequenceAllocator(session)  # blocks while another writer holds it
                data = new_record_data("partner", self.record_id, factories.partner())
                record = create_record(
                    session, seqs, "partner", self.record_id, data, ORGANISATION, None
                )
                seqs.save()
                self.seq = record.seq
                self.took_seq.set()
                assert self.release.wait(WAIT_SECONDS)
            # leaving the block committed the transaction
        except BaseException as error:  # reported by the test thread
            self.error = error
        finally:
            self.done.set()


def _page(laptop: DeviceClient, cursor: int) -> tuple[list[str], int]:
    response = laptop.pull_page(cursor)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return [r["record_id"] for r in body["records"]], body["next_cursor"]


def _wait_until_blocked_on_a_lock(database: Database, pid: int) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    with database.engine.connect() as connection:
        while time.monotonic() < deadline:
            wait = connection.execute(
                text("SELECT wait_event_type FROM pg_stat_activity WHERE pid = :pid"),
                {"pid": pid},
            ).scalar()
            if wait == "Lock":
                return
            connection.rollback()
            time.sleep(0.02)  # polling another backend's state: there is no event to wait on
    raise AssertionError("the second writer never waited for the counter lock")


def test_a_later_number_waits_for_the_earlier_commit(pg_server: RunningServer) -> None:
    laptop = pg_server.enrol(pg_server.add_user("admin"))
    start = laptop.pull(0).cursor
    settings = ServerSettings(data_dir=pg_server.data_dir, database_url=pg_server.database_url)
    databases = [Database(settings), Database(settings)]
    t1, t2 = Writer(databases[0]), Writer(databases[1])
    try:
        t1.start()
        assert t1.took_seq.wait(WAIT_SECONDS), t1.error
        assert t1.seq == start + 1
        # T1 holds number start+1, uncommitted: a pull must not move past it.
        assert _page(laptop, start) == ([], start)

        t2.start()
        assert t2.connected.wait(WAIT_SECONDS), t2.error
        _wait_until_blocked_on_a_lock(databases[0], t2.pid)
        assert not t2.took_seq.is_set()  # T2 cannot take a number while T1 holds the counter
        assert _page(laptop, start) == ([], start)

        t1.release.set()  # T1 commits; only now does T2 get the next number
        assert t2.took_seq.wait(WAIT_SECONDS), t2.error
        assert t1.done.is_set() and t1.error is None
        assert t2.seq == t1.seq + 1
        # T1's change is visible, T2's (uncommitted) is not, and the cursor stops at T1.
        assert _page(laptop, start) == ([str(t1.record_id)], t1.seq)

        t2.release.set()
        assert t2.done.wait(WAIT_SECONDS) and t2.error is None
        assert _page(laptop, t1.seq) == ([str(t2.record_id)], t2.seq)
    finally:
        t1.release.set()
        t2.release.set()
        t1.done.wait(WAIT_SECONDS)
        t2.done.wait(WAIT_SECONDS)
        for database in databases:
            database.dispose()


def test_a_plain_sequence_would_skip_a_change(postgres_url: str) -> None:
    """The counter-example: numbers from ``nextval`` commit out of order."""
    engine = create_engine(postgres_url)
    try:
        with engine.begin() as setup:
            setup.execute(text("CREATE SEQUENCE naive_seq"))
            setup.execute(
                text("CREATE TABLE naive_log (seq bigint PRIMARY KEY DEFAULT nextval('naive_seq'))")
            )
        insert = text("INSERT INTO naive_log DEFAULT VALUES RETURNING seq")
        with engine.connect() as t1, engine.connect() as t2, engine.connect() as reader:
            first = t1.execute(insert).scalar_one()  # T1 takes 1 and keeps working
            second = t2.execute(insert).scalar_one()  # T2 takes 2 without waiting...
            t2.commit()  # ...and commits first
            seen = reader.execute(text("SELECT seq FROM naive_log ORDER BY seq")).scalars().all()
            reader.rollback()
            cursor = max(seen)
            t1.commit()
            later = (
                reader.execute(
                    text("SELECT seq FROM naive_log WHERE seq > :cursor"), {"cursor": cursor}
                )
                .scalars()
                .all()
            )
        assert (first, second) == (1, 2)
        assert seen == [2] and cursor == 2
        assert later == []  # change 1 is committed, and no pull will ever return it
    finally:
        with engine.begin() as cleanup:
            cleanup.execute(text("DROP TABLE IF EXISTS naive_log"))
            cleanup.execute(text("DROP SEQUENCE IF EXISTS naive_seq"))
        engine.dispose()
