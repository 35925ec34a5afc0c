"""Issue 23 item 1: while a push batch travels, the laptop reads the next one; it starts
only once the request has left, so its Python work (holding the GIL) does not delay the
request the server waits for. Real encrypted profiles, real servers (SQLite and
PostgreSQL); the request's leaving is slowed down here so that the order shows."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from app.sync import push
from app.sync.engine import SyncOptions
from tests.server.harness import RunningServer
from tests.sync.conftest import Laptop
from tests.sync.test_pipelined_push import _cases, _converged

MakeLaptop = Callable[..., Laptop]
BATCH = 3


def test_the_next_batch_is_read_once_the_request_before_it_has_left(
    server: RunningServer, laptop: MakeLaptop, monkeypatch: pytest.MonkeyPatch
) -> None:
    account = server.add_user()
    mine = laptop(account)
    ids = _cases(mine, 4 * BATCH + 1)
    events: list[tuple[str, int]] = []
    leaving = push._Departing.__iter__

    def slow_leaving(body: Any) -> Iterator[bytes]:
        time.sleep(0.05)  # a request slow to leave: the read-ahead must wait for it
        yield from leaving(body)
        events.append(("left", body.batch.last))

    take = push._take

    def noted_take(connection: Any, after: int, size: int) -> Any:
        events.append(("take", after))
        return take(connection, after, size)

    monkeypatch.setattr(push._Departing, "__iter__", slow_leaving)
    monkeypatch.setattr(push, "_take", noted_take)
    report = mine.sync(SyncOptions(batch_size=BATCH))
    assert report.sent == len(ids) and report.applied == len(ids)
    left = [last for kind, last in events if kind == "left"]
    assert len(left) == 5
    for sent in left[:-1]:  # the batch after this one is read only once this one has left
        read_after = events.index(("take", sent))
        assert events.index(("left", sent)) < read_after, events
    _converged(mine, server)
