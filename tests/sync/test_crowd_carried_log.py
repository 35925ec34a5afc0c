"""The access log rides on the pull's first request: one request of a sync instead of two.

Issue 23 (many laptops): a sync with edits was a push, an access-log upload and a pull;
the log now goes in the body of ``POST /api/v1/pull`` and the answer says how far the
server holds it. Nothing of the log's guarantees moves: the server's copy is the same
chain, a server that predates it gets the log on its own, and the laptop falls back to
the separate upload whenever the carried one was not stored.

Real encrypted profiles and a real server (SQLite and PostgreSQL).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

import pytest
from sqlalchemy import select

from app.models import AccessLogEntry
from app.services import audit, beneficiaries
from app.sync import client as sync_client
from app.sync import state
from app.sync.audit_upload import ACKED_KEY
from server.core.tables import AccessLogCopy
from tests.audit.conftest import build_history
from tests.server.harness import RunningServer
from tests.sync.conftest import Laptop, laptop, server  # noqa: F401

MakeLaptop = Callable[..., Laptop]
UPLOAD = "POST /api/v1/access-log "
CARRYING = "POST /api/v1/pull "
PULL = "GET /api/v1/pull "


def _asked(running: RunningServer, request: str) -> int:
    """How many times the server answered ``request`` (its access log, read once still)."""
    log, deadline = running.log(), time.monotonic() + 5
    while time.monotonic() < deadline:
        time.sleep(0.1)
        again = running.log()
        if again == log:
            break
        log = again
    return log.count(request)


def _local(made: Laptop) -> list[tuple[int, str]]:
    with made.profile.engine.connect() as connection:
        rows = connection.execute(select(AccessLogEntry.seq, AccessLogEntry.hash))
        return [(int(seq), str(value)) for seq, value in rows]


def _held(running: RunningServer) -> set[tuple[int, str]]:
    with running.database.session() as session:
        rows = session.execute(select(AccessLogCopy.seq, AccessLogCopy.hash))
        return {(int(seq), str(value)) for seq, value in rows}


def _acked(made: Laptop) -> str | None:
    with made.profile.engine.connect() as connection:
        return state.get(connection, ACKED_KEY)


def test_a_sync_with_edits_sends_its_log_with_the_pull(
    server: RunningServer,  # noqa: F811
    laptop: MakeLaptop,  # noqa: F811
) -> None:
    team = f"Team {uuid.uuid4().hex[:6]}"
    amina = laptop(server.add_user(team=team))
    history = build_history(amina.ctx, amina.profile.engine)
    audit.open_case(amina.ctx, history.beneficiary_id)
    amina.sync()
    uploads, carrying = _asked(server, UPLOAD), _asked(server, CARRYING)

    beneficiaries.update(amina.ctx, history.beneficiary_id, {"phone": "0611223344"})
    audit.open_case(amina.ctx, history.beneficiary_id)
    report = amina.sync()

    assert report.complete and report.sent == 1
    assert _asked(server, CARRYING) == carrying + 1  # the log rode on the pull
    assert _asked(server, UPLOAD) == uploads  # and was not sent again on its own
    local = _local(amina)
    assert set(local) <= _held(server)  # the same chain, entry for entry
    assert _acked(amina) == str(max(seq for seq, _hash in local))

    before = _asked(server, CARRYING)
    assert amina.sync().complete  # nothing new to log: a plain pull
    assert _asked(server, CARRYING) == before


def test_a_server_without_the_carried_log_gets_it_on_its_own(
    server: RunningServer,  # noqa: F811
    laptop: MakeLaptop,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An older server answers 405 to ``POST /api/v1/pull`` (its route is GET only), as
    the policy route does here: nothing stored, the log sent alone, the pull made."""
    team = f"Team {uuid.uuid4().hex[:6]}"
    writer, reader = laptop(server.add_user(team=team)), laptop(server.add_user(team=team))
    original = sync_client.SyncClient.__init__

    def older(self: sync_client.SyncClient, *args: object, **kwargs: object) -> None:
        original(self, *args, **kwargs)  # type: ignore[arg-type]
        self.carrying_path = "/api/v1/policy"

    monkeypatch.setattr(sync_client.SyncClient, "__init__", older)
    uploads = _asked(server, UPLOAD)
    person = beneficiaries.register(writer.ctx, {"last_name": "Bennani", "first_name": "S"})
    audit.open_case(writer.ctx, person.id)
    report = writer.sync()

    assert report.complete and report.sent >= 1
    assert _asked(server, UPLOAD) == uploads + 1
    assert set(_local(writer)) <= _held(server)
    assert _acked(writer) == str(max(seq for seq, _hash in _local(writer)))
    assert reader.sync().received >= 1


def test_a_full_batch_is_followed_by_the_rest(
    server: RunningServer,  # noqa: F811
    laptop: MakeLaptop,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    amina = laptop(server.add_user())
    history = build_history(amina.ctx, amina.profile.engine)
    for _time in range(3):
        audit.open_case(amina.ctx, history.beneficiary_id)
    from app.sync import audit_upload

    monkeypatch.setattr(audit_upload, "MAX_ACCESS_LOG_ENTRIES", 2)
    after = audit_upload.after_carried
    monkeypatch.setattr(
        audit_upload,
        "after_carried",
        lambda profile, client, carried, noted: after(profile, client, carried, noted, 2),
    )
    assert amina.sync().complete
    local = _local(amina)
    assert len(local) > 2 and set(local) <= _held(server)
    assert _acked(amina) == str(max(seq for seq, _hash in local))
