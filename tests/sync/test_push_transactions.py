"""A push of a single batch writes in two transactions (issue 23, item 4).

Fifty laptops syncing at once, each pushing a few edits: every write transaction on the
laptop costs a commit (an fsync with ``synchronous = FULL``). A batch known to be the
last (fewer rows than a batch) is not followed by a read-ahead, and its answers are
settled in the transaction that writes the acknowledgements: the sent mark, then the
answers (before: the mark, an empty read-ahead, the answers, the acknowledgements: 4).
The guarantees stay: edits made while it travels are pushed by the next sync, never
merged into a sent row. Real encrypted profiles, a real server (SQLite and PostgreSQL).
"""

from __future__ import annotations

import sys
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, select

from app.models import Beneficiary
from app.services import beneficiaries
from app.store import writelock
from app.store.profile import Profile
from app.sync import outbox, push
from app.sync.capture import sent_through
from app.sync.engine import SyncOptions
from tests.server.harness import RunningServer
from tests.sync.conftest import Laptop, server_state

MakeLaptop = Callable[..., Laptop]
PUSH_MODULE = "app/sync/push.py"
ONE_BATCH_PUSH_WRITES = 2  # the sent mark; the answers with the acknowledgements (was 4)


@contextmanager
def push_transactions(profile: Profile) -> Iterator[Counter[str]]:
    """Transactions begun from ``app/sync/push.py`` meanwhile, writing and reading (the
    approach of tests/sync/test_crowd_incremental.py)."""
    counts: Counter[str] = Counter()

    def on_begin(connection: Any) -> None:
        frame: Any = sys._getframe(1)
        while frame is not None and not frame.f_code.co_filename.endswith(PUSH_MODULE):
            frame = frame.f_back
        if frame is not None:
            reading = connection.get_execution_options().get(writelock.READING)
            counts["reads" if reading else "writes"] += 1

    event.listen(profile.engine, "begin", on_begin)
    try:
        yield counts
    finally:
        event.remove(profile.engine, "begin", on_begin)


def _ids(made: Laptop) -> list[uuid.UUID]:
    with made.profile.sessions() as session:
        return list(session.scalars(select(Beneficiary.id).order_by(Beneficiary.id)))


def _mark(made: Laptop) -> int:
    with made.profile.engine.connect() as connection:
        return sent_through(connection)


def _phone() -> str:
    return f"06{uuid.uuid4().int % 10**8:08d}"


def test_a_one_batch_push_writes_twice(server: RunningServer, laptop: MakeLaptop) -> None:
    made = laptop(server.add_user())
    for number in range(8):
        beneficiaries.register(made.ctx, {"last_name": f"Lot {number}", "first_name": "A"})
    assert made.sync().complete
    for record_id in _ids(made)[:5]:
        beneficiaries.update(made.ctx, record_id, {"phone": _phone()})

    with push_transactions(made.profile) as counts:
        report = made.sync()

    assert report.complete and report.sent == 5 and report.applied == 5
    assert counts["writes"] == ONE_BATCH_PUSH_WRITES, counts
    assert outbox.pending_count(made.profile) == 0 and _mark(made) == 0
    assert made.state() == server_state(server, made.account)


def test_a_full_batch_still_reads_ahead(server: RunningServer, laptop: MakeLaptop) -> None:
    """A batch of exactly the batch size may have rows after it: it is read ahead (3
    writes: the mark, the empty read-ahead, the answers with the acknowledgements)."""
    made = laptop(server.add_user())
    for number in range(3):
        beneficiaries.register(made.ctx, {"last_name": f"Plein {number}", "first_name": "A"})
    with push_transactions(made.profile) as counts:
        report = made.sync(SyncOptions(batch_size=3))
    assert report.complete and report.sent == report.applied == 3
    assert counts["writes"] == 3, counts
    assert outbox.pending_count(made.profile) == 0 and _mark(made) == 0


def test_edits_while_a_last_batch_travels_go_with_the_next_sync(
    server: RunningServer, laptop: MakeLaptop, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing is read ahead of a last batch: an edit made while it travels, of the record
    sent and of another, waits as changes of their own (the sent row is never merged
    into) and the next sync pushes them once."""
    made = laptop(server.add_user())
    for number in range(3):
        beneficiaries.register(made.ctx, {"last_name": f"Vol {number}", "first_name": "A"})
    assert made.sync().complete
    first, second = _ids(made)[:2]
    beneficiaries.update(made.ctx, first, {"phone": _phone()})
    send = push._send
    later = {first: _phone(), second: _phone()}

    def send_and_edit(client: Any, batch: Any) -> Any:
        for record_id, phone in later.items():
            beneficiaries.update(made.ctx, record_id, {"phone": phone})
        return send(client, batch)

    monkeypatch.setattr(push, "_send", send_and_edit)
    report = made.sync()
    assert report.sent == 1 and report.applied == 1
    assert outbox.pending_count(made.profile) == 2 and _mark(made) == 0

    monkeypatch.setattr(push, "_send", send)
    report = made.sync()
    assert report.sent == 2 and report.duplicates == 0
    assert outbox.pending_count(made.profile) == 0 and _mark(made) == 0
    held = server_state(server, made.account)
    for record_id, phone in later.items():
        assert held[("beneficiary", str(record_id))]["phone"] == phone
    assert made.state() == held
