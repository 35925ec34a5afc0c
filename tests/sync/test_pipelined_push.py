"""The pipelined push (issue 23) loses nothing and applies nothing twice.

A batch is read while the one before travels and settled while the one after travels;
the rows a push may have sent stay under its sent mark (``app.sync.capture.SENT_THROUGH``)
until their answer is settled. Here: batch sizes of every shape, a laptop killed
(SIGKILL) between a send and its settling at batch k, a server error on batch k of n
(reply lost, refused unread), and edits made while the push runs. Each ends with the
server's state equal to the laptop's, every record at the version one application of
each edit gives, and nothing waiting. Real encrypted profiles, real servers (SQLite and
PostgreSQL).
"""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time
import uuid
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.services import beneficiaries
from app.sync import outbox, push
from app.sync.capture import sent_through
from app.sync.engine import SyncOptions
from app.sync.errors import ServerUnavailable, Throttled
from app.sync.state import OUTBOX
from tests.conftest import PASSPHRASE
from tests.server.harness import Account, RunningServer
from tests.sync.conftest import Laptop, server_state

MakeLaptop = Callable[..., Laptop]
ROOT = Path(__file__).resolve().parents[2]
BATCH = 2

KILL_AFTER_SEND = """
    import os, signal, sys
    from pathlib import Path
    from app.store.profile import Profile
    from app.sync import engine, push
    from app.sync.engine import SyncOptions

    profile = Profile.open(Path(sys.argv[1]), sys.argv[2])
    send, sent = push._send, []

    def send_then_die(client, batch):
        answer = send(client, batch)  # the server committed batch k: never settled
        sent.append(batch)
        if len(sent) == int(sys.argv[3]):
            os.kill(os.getpid(), signal.SIGKILL)
        return answer

    push._send = send_then_die
    engine.sync(profile, SyncOptions(batch_size=int(sys.argv[4])))
"""


def _cases(laptop: Laptop, count: int) -> list[uuid.UUID]:
    return [
        beneficiaries.register(laptop.ctx, {"last_name": f"Nom{n}", "first_name": "Amal"}).id
        for n in range(count)
    ]


def _outbox(laptop: Laptop) -> list[Any]:
    with laptop.profile.engine.connect() as connection:
        return list(connection.execute(select(OUTBOX).order_by(OUTBOX.c.seq)))


def _mark(laptop: Laptop) -> int:
    with laptop.profile.engine.connect() as connection:
        return sent_through(connection)


def _versions(server: RunningServer, account: Account) -> dict[tuple[str, str], int]:
    pulled = server.enrol(account, device_name="versions").pull(cursor=0)
    return {key: int(record["version"]) for key, record in pulled.records.items()}


def _converged(laptop: Laptop, server: RunningServer, edited: Collection[str] = ()) -> None:
    """Same state on both sides, nothing waiting, the mark back at 0, and every record
    at version 1 (created once) or 2 (``edited``: created, then one edit applied once)."""
    assert outbox.pending_count(laptop.profile) == 0 and _mark(laptop) == 0
    assert laptop.state() == server_state(server, laptop.account)
    for (record_type, record_id), version in _versions(server, laptop.account).items():
        if record_type == "beneficiary":
            expected = 2 if record_id.replace("-", "") in edited else 1
            assert version == expected, (record_id, version)


@pytest.mark.parametrize("batch_size", [1, 2, 3, 7, 500])
def test_batches_of_any_size_push_everything_once(
    server: RunningServer, laptop: MakeLaptop, batch_size: int
) -> None:
    account = server.add_user()
    mine = laptop(account)
    _cases(mine, 7)
    queued = len(_outbox(mine))
    report = mine.sync(SyncOptions(batch_size=batch_size))
    assert report.sent == report.applied == queued and report.duplicates == 0
    _converged(mine, server)


@pytest.mark.parametrize("killed_at", [1, 2, 3])
def test_killed_between_a_send_and_its_settling_at_batch_k(
    fresh_server: RunningServer, laptop: MakeLaptop, killed_at: int
) -> None:
    """Batches 1..k reached the server; nothing of them was written on the laptop (the
    answered rows leave the outbox at the end of the push): every sent row stays under
    the mark, an edit of one of them becomes a change of its own, and the next sync
    gets duplicates for them, applies the rest once and then the edit."""
    server = fresh_server
    account = server.add_user()
    mine = laptop(account, on=server)
    ids = _cases(mine, 8)
    queued = _outbox(mine)
    code = textwrap.dedent(KILL_AFTER_SEND)
    arguments = [str(mine.folder), PASSPHRASE, str(killed_at), str(BATCH)]
    result = subprocess.run(
        [sys.executable, "-c", code, *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == -signal.SIGKILL, result.stderr
    sent = killed_at * BATCH
    mark = _mark(mine)
    left = _outbox(mine)
    assert [row.change_id for row in left] == [row.change_id for row in queued]
    assert queued[sent - 1].seq <= mark <= queued[min(sent + BATCH, len(queued)) - 1].seq

    # Edited after the kill: the sent creation stays as sent; the edit waits apart.
    first = queued[0]
    assert first.record_type == "beneficiary"
    beneficiaries.update(mine.ctx, first.record_id, {"phone": "0611223344"})
    after = _outbox(mine)
    assert after[0] == first and len(after) == len(queued) + 1
    assert after[-1].record_id == first.record_id and after[-1].fields["phone"] == "0611223344"

    report = mine.sync(SyncOptions(batch_size=BATCH))
    assert report.sent == len(queued) + 1
    assert report.duplicates == sent  # batches 1..k, reached the server, resent once
    assert report.applied + report.merged == len(queued) + 1 - sent
    _converged(mine, server, edited={first.record_id.hex})
    assert server_state(server, account)[("beneficiary", str(ids[0]))]["phone"] == "0611223344"


@pytest.mark.parametrize(
    "failure", ["reply lost", "refused unread", "server error"], ids=lambda f: f.replace(" ", "-")
)
@pytest.mark.parametrize("failing", [1, 3])
def test_a_failure_on_batch_k_of_n(
    server: RunningServer,
    laptop: MakeLaptop,
    monkeypatch: pytest.MonkeyPatch,
    failure: str,
    failing: int,
) -> None:
    """Batch k fails: when the server may hold it (its reply lost) its rows stay under the
    mark; refused unread (throttled) or a 5xx before anything was merged, they are free
    again, like the batch read ahead that was never sent."""
    account = server.add_user()
    mine = laptop(account)
    _cases(mine, 9)
    queued = _outbox(mine)
    send = push._send
    calls: list[list[int]] = []

    def failing_send(client: Any, batch: Any) -> Any:
        calls.append([row.seq for row in batch.rows])
        if len(calls) != failing:
            return send(client, batch)
        if failure == "reply lost":
            send(client, batch)
            raise ServerUnavailable("ReadError")
        raise Throttled() if failure == "refused unread" else ServerUnavailable("HTTP 503")

    monkeypatch.setattr(push, "_send", failing_send)
    with pytest.raises((ServerUnavailable, Throttled)):
        mine.sync(SyncOptions(batch_size=BATCH))
    assert len(calls) == failing  # the batch read ahead was never sent
    answered = (failing - 1) * BATCH
    left = _outbox(mine)
    assert len(left) == len(queued) - answered  # the answered batches left the outbox
    if failure == "reply lost":
        assert _mark(mine) == calls[-1][-1]
    elif failure == "server error":  # a 5xx says nothing of what was merged: kept
        assert _mark(mine) == calls[-1][-1]
    else:  # refused before anything was read: free again, up to the batch before
        assert _mark(mine) == (calls[-2][-1] if failing > 1 else 0)

    monkeypatch.setattr(push, "_send", send)
    report = mine.sync(SyncOptions(batch_size=BATCH))
    assert report.sent == len(left)
    assert report.applied + report.duplicates == len(left)
    assert report.duplicates == (BATCH if failure == "reply lost" else 0)
    _converged(mine, server)


def test_edits_made_while_the_push_runs_are_pushed_after_it(
    server: RunningServer, laptop: MakeLaptop, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The app syncs in the background: edits made while batch 3 travels, of a record
    already answered, of one in the batch travelling, of one in the batch read ahead
    (under the mark) and of one not read yet, are captured, never merged into a sent
    row, and pushed once, after what was sent."""
    account = server.add_user()
    mine = laptop(account)
    ids = _cases(mine, 10)
    rows = _outbox(mine)
    assert [row.record_id for row in rows] == ids  # one row a case: batches of two cases
    edited = (ids[0], ids[4], ids[6], ids[9])
    send = push._send
    calls: list[int] = []

    def send_and_edit(client: Any, batch: Any) -> Any:
        calls.append(len(batch.rows))
        answer = send(client, batch)
        if len(calls) == 3:  # answered, not yet settled: batch 3 still under way
            deadline = time.monotonic() + 30
            while _mark(mine) < rows[7].seq:  # batch 4 read ahead once batch 3 left
                assert time.monotonic() < deadline
                time.sleep(0.01)
            for record_id in edited:
                beneficiaries.update(mine.ctx, record_id, {"phone": f"06{record_id.hex[:8]}"})
        return answer

    monkeypatch.setattr(push, "_send", send_and_edit)
    report = mine.sync(SyncOptions(batch_size=BATCH))
    # Three edits of rows under the mark became changes of their own, read after the
    # queue by the same push; the last case was not read yet: its creation took the edit.
    assert report.sent == len(ids) + 3 and report.duplicates == 0
    assert (report.applied, report.merged) == (len(ids), 3)
    _converged(mine, server, edited={record_id.hex for record_id in edited[:3]})
    held = server_state(server, account)
    for record_id in edited:
        assert held[("beneficiary", str(record_id))]["phone"] == f"06{record_id.hex[:8]}"
