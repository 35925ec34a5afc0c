"""The restore check rides on the push: one request fewer per sync, nothing merged unchecked.

Issue 23 (many laptops): a laptop with changes used to ask for one record before pushing
(has the server gone back?), a request of its own at every such sync. The push itself
now carries the laptop's cursor and the server's id (``POST /api/v1/push/checked``,
passerelle_core.push_check): a server that went back merges nothing and says so; one
that predates the check answers 404 and is asked the old way.

Real encrypted profiles and a real server (SQLite and PostgreSQL).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

import pytest

from app.models import Beneficiary
from app.services import beneficiaries
from app.sync import client as sync_client
from passerelle_core.push_check import CHECKED_PUSH_PATH
from tests.server.harness import RunningServer
from tests.sync.conftest import Laptop, fresh_server, laptop, server  # noqa: F401
from tests.sync.test_server_memory import restore, snapshot

MakeLaptop = Callable[..., Laptop]
CHECKED = f"POST {CHECKED_PUSH_PATH} "
PLAIN = "POST /api/v1/push "
PULL = "GET /api/v1/pull "


def _log(running: RunningServer) -> str:
    """The access log once it stops growing (a line is written just after its answer)."""
    log, deadline = running.log(), time.monotonic() + 5
    while time.monotonic() < deadline:
        time.sleep(0.1)
        again = running.log()
        if again == log:
            break
        log = again
    return log


def _since(running: RunningServer, before: str) -> str:
    return _log(running)[len(before) :]


def _team() -> str:
    return f"Team {uuid.uuid4().hex[:6]}"


def test_a_sync_with_changes_asks_nothing_before_its_push(
    server: RunningServer,  # noqa: F811
    laptop: MakeLaptop,  # noqa: F811
) -> None:
    team = _team()
    writer, reader = laptop(server.add_user(team=team)), laptop(server.add_user(team=team))
    case = beneficiaries.register(writer.ctx, {"last_name": "Checked", "first_name": "A"}).id
    writer.sync()
    beneficiaries.update(writer.ctx, case, {"phone": "0655555555"})
    before = _log(server)

    report = writer.sync()

    assert report.complete and report.applied == 1
    asked = _since(server, before)
    assert asked.count(CHECKED + "200") == 1
    # The pull proper (carrying the access log: POST): no pull of one record before the push.
    assert asked.count(PULL) + asked.count(PULL.replace("GET", "POST")) == 1
    assert PLAIN not in asked
    reader.sync()
    with reader.profile.sessions() as session:
        person = session.get(Beneficiary, case)
        assert person is not None and person.phone == "0655555555"


def test_a_restored_server_merges_nothing_of_a_checked_push(
    fresh_server: RunningServer,  # noqa: F811
    laptop: MakeLaptop,  # noqa: F811
) -> None:
    team = _team()
    first = laptop(fresh_server.add_user(team=team), on=fresh_server)
    second = laptop(fresh_server.add_user(team=team), on=fresh_server)
    case = beneficiaries.register(first.ctx, {"last_name": "Restored", "first_name": "A"}).id
    first.sync()
    second.sync()
    backup = snapshot(fresh_server.database.engine)
    beneficiaries.update(second.ctx, case, {"address": "After the backup"})
    second.sync()
    first.sync()  # first holds the colleague's edit: its cursor is beyond the backup
    restore(fresh_server.database.engine, backup)
    beneficiaries.update(first.ctx, case, {"phone": "0666666666"})
    before = _log(fresh_server)

    report = first.sync()

    assert report.server_restored and report.reuploaded > 0
    asked = _since(fresh_server, before)
    assert asked.count(CHECKED + "409") == 1  # refused, nothing merged: then sent whole
    assert PLAIN + "200" in asked
    checker = laptop(fresh_server.add_user(team=team), on=fresh_server)
    with checker.profile.sessions() as session:
        person = session.get(Beneficiary, case)
        assert person is not None
        assert person.phone == "0666666666"
        assert person.address == "After the backup"  # the laptop's copy, sent again


def test_a_server_without_the_checked_push_is_asked_the_old_way(
    server: RunningServer,  # noqa: F811
    laptop: MakeLaptop,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An older server: the path is unknown there (404), so nothing was merged."""
    older = "/api/v1/push/not-known-by-this-server"
    monkeypatch.setattr(sync_client, "CHECKED_PUSH_PATH", older)
    team = _team()
    writer, reader = laptop(server.add_user(team=team)), laptop(server.add_user(team=team))
    case = beneficiaries.register(writer.ctx, {"last_name": "Older", "first_name": "A"}).id
    writer.sync()
    beneficiaries.update(writer.ctx, case, {"phone": "0677777777"})
    before = _log(server)

    report = writer.sync()

    assert report.complete and report.applied == 1
    asked = _since(server, before)
    assert asked.count(f"POST {older} 404") == 1
    # The pull of one record before the push, then the pull (carrying the access log: POST).
    assert asked.count(PULL) + asked.count(PULL.replace("GET", "POST")) == 2
    assert asked.count(PLAIN + "200") == 1
    reader.sync()
    with reader.profile.sessions() as session:
        person = session.get(Beneficiary, case)
        assert person is not None and person.phone == "0677777777"
