"""Answered changes leave the outbox in groups (issue 23): the outbox is emptied in one
statement only when the answered rows are all it holds; a failure part way writes what
was answered; groups of any size end with the server's state and nothing waiting."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from app.services import beneficiaries
from app.sync import outbox, push
from app.sync.engine import SyncOptions
from app.sync.errors import SyncError
from app.sync.state import OUTBOX
from tests.server.harness import RunningServer
from tests.sync.conftest import Laptop, server_state

MakeLaptop = Callable[..., Laptop]


def _cases(laptop: Laptop, count: int) -> None:
    for number in range(count):
        beneficiaries.register(laptop.ctx, {"last_name": f"Nom{number}", "first_name": "Amal"})


def _outbox(laptop: Laptop) -> list[tuple[int, str]]:
    with laptop.profile.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(select(OUTBOX.c.seq, OUTBOX.c.state))]


def test_the_outbox_is_emptied_at_once_only_when_every_row_was_answered(
    server: RunningServer, laptop: MakeLaptop
) -> None:
    mine = laptop(server.add_user(), first_sync=False)
    _cases(mine, 4)
    with mine.profile.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE sync_outbox SET state = 'inflight'")
    rows = _outbox(mine)
    seqs = [seq for seq, _state in rows]
    assert len(seqs) >= 4
    with mine.profile.engine.begin() as connection:  # one row not answered: kept
        push._remove_done(connection, seqs[1:])
    assert _outbox(mine) == [rows[0]]
    _cases(mine, 1)  # a new pending row; an answered row already gone: counts equal
    [(new_seq, new_state)] = [r for r in _outbox(mine) if r[0] != seqs[0]]
    with mine.profile.engine.begin() as connection:
        push._remove_done(connection, [seqs[0], seqs[1]])
    assert _outbox(mine) == [(new_seq, new_state)] and new_state == "pending"
    with mine.profile.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE sync_outbox SET state = 'inflight'")
        push._remove_done(connection, [new_seq])
    assert _outbox(mine) == []


@pytest.mark.parametrize("group", [1, 3, 1000])
def test_groups_of_any_size_end_with_the_servers_state(
    server: RunningServer, laptop: MakeLaptop, monkeypatch: pytest.MonkeyPatch, group: int
) -> None:
    account = server.add_user()
    mine = laptop(account)
    _cases(mine, 5)
    monkeypatch.setattr(push, "SETTLE_ROWS", group)
    report = mine.sync(SyncOptions(batch_size=2))
    assert report.applied == report.sent >= 5
    assert _outbox(mine) == [] and outbox.pending_count(mine.profile) == 0
    assert mine.state() == server_state(server, account)
    with mine.profile.engine.connect() as connection:
        rows = connection.exec_driver_sql("SELECT record_id, version FROM sync_base").all()
    bases: dict[str, int] = {str(record_id): int(version) for record_id, version in rows}
    pulled = server.enrol(account, device_name="bases").pull(cursor=0)
    for (_type, record_id), record in pulled.records.items():
        assert bases[record_id.replace("-", "")] == record["version"]


def test_a_failure_part_way_writes_what_was_answered(
    server: RunningServer, laptop: MakeLaptop, monkeypatch: pytest.MonkeyPatch
) -> None:
    account = server.add_user()
    mine = laptop(account)
    _cases(mine, 6)
    sent: list[int] = []
    send = push._send

    def failing(client: Any, batch: Any) -> Any:
        sent.append(len(batch.rows))
        if len(sent) == 3:
            raise SyncError("the network went away")
        return send(client, batch)

    monkeypatch.setattr(push, "_send", failing)
    monkeypatch.setattr(push, "SETTLE_ROWS", 1000)
    with pytest.raises(SyncError):
        mine.sync(SyncOptions(batch_size=2))
    left = _outbox(mine)
    assert len(left) == sum(sent) - 4  # the two answered batches left the outbox
    monkeypatch.setattr(push, "_send", send)
    report = mine.sync(SyncOptions(batch_size=2))
    assert report.sent == len(left) and report.applied + report.duplicates == len(left)
    assert _outbox(mine) == []
    assert mine.state() == server_state(server, account)
