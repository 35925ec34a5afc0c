"""A sync with nothing new costs one request, and what it skips really had nothing to do.

Issue 23 (many laptops): the last pull page states the tag of the caller's policy; a
laptop whose stored policy has that tag does not ask for the policy again. Every request
is still checked by the server (a disabled account, a revoked device), and anything
that changed, a colleague's record or the policy, still arrives.

Real encrypted profiles and a real server (SQLite and PostgreSQL).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.models import Beneficiary
from app.models.base import utcnow
from app.services import beneficiaries
from app.sync import engine
from app.sync.errors import DeviceRevoked, Unauthorized
from app.sync.policy import read_policy
from app.sync.security import CONTACT_REFRESH
from app.sync.state import DEVICE_ID, get_uuid
from passerelle_core.policy import POLICY_TAG_HEADER
from server.services.accounts import disable_user
from server.services.retention import retention_policy, set_rule
from tests.server.harness import RunningServer
from tests.sync.conftest import Laptop, laptop, server  # noqa: F401

MakeLaptop = Callable[..., Laptop]
POLICY = "GET /api/v1/policy "
PULL = "GET /api/v1/pull "


def _asked(running: RunningServer, request: str) -> int:
    """How many times the server answered ``request`` (its access log).

    The server writes a request's line just after sending its answer: the log is read
    until it stays the same for a moment, so a line still being written is counted."""
    log, deadline = running.log(), time.monotonic() + 5
    while time.monotonic() < deadline:
        time.sleep(0.1)
        again = running.log()
        if again == log:
            break
        log = again
    return log.count(request)


def _names(made: Laptop) -> set[str]:
    with made.profile.sessions() as session:
        return set(session.scalars(select(Beneficiary.last_name)))


def test_a_sync_with_nothing_new_is_one_pull_and_a_colleagues_change_still_arrives(
    server: RunningServer,  # noqa: F811
    laptop: MakeLaptop,  # noqa: F811
) -> None:
    team = f"Team {uuid.uuid4().hex[:6]}"
    writer, reader = laptop(server.add_user(team=team)), laptop(server.add_user(team=team))
    policies, pulls = _asked(server, POLICY), _asked(server, PULL)

    assert reader.sync().complete
    assert _asked(server, POLICY) == policies  # the pull's tag matched the stored policy
    assert _asked(server, PULL) == pulls + 1  # and nothing else was asked

    beneficiaries.register(writer.ctx, {"last_name": "Made between two syncs", "first_name": "A"})
    writer.sync()
    report = reader.sync()
    assert report.complete and report.received >= 1
    assert "Made between two syncs" in _names(reader)
    assert _asked(server, POLICY) == policies


def test_a_changed_policy_is_fetched_on_the_next_sync(
    server: RunningServer,  # noqa: F811
    laptop: MakeLaptop,  # noqa: F811
) -> None:
    member = laptop(server.add_user())
    policies = _asked(server, POLICY)
    with server.database.session() as session:
        set_rule(session, "closed", 400 + uuid.uuid4().int % 1000, "anonymise")

    assert member.sync().complete
    assert _asked(server, POLICY) == policies + 1
    with server.database.session() as session:
        wanted = retention_policy(session)["retention_days"]
    with member.profile.engine.connect() as connection:
        assert read_policy(connection).retention_days == wanted

    assert member.sync().complete  # stored now: skipped again
    assert _asked(server, POLICY) == policies + 1


def test_the_pull_states_the_policy_tag_only_on_its_last_page(
    server: RunningServer,  # noqa: F811
) -> None:
    device = server.enrol(server.add_user(role="admin"))
    first = device.pull_page(0, 1)
    assert first.status_code == 200 and first.json()["has_more"]
    assert POLICY_TAG_HEADER.lower() not in {name.lower() for name in first.headers}
    last = device.pull_page(first.json()["next_cursor"], 1000)
    while last.json()["has_more"]:
        last = device.pull_page(last.json()["next_cursor"], 1000)
    assert len(last.headers[POLICY_TAG_HEADER]) == 32


def test_a_disabled_account_is_refused_on_the_cheap_path(
    server: RunningServer,  # noqa: F811
    laptop: MakeLaptop,  # noqa: F811
) -> None:
    account = server.add_user()
    member = laptop(account)
    assert member.sync().complete  # the cheap path, once
    with server.database.session() as session:
        disable_user(session, account.username)
    with pytest.raises(Unauthorized):
        member.sync()


def test_a_revoked_device_is_refused_on_the_cheap_path(
    server: RunningServer,  # noqa: F811
    laptop: MakeLaptop,  # noqa: F811
) -> None:
    member = laptop(server.add_user())
    assert member.sync().complete
    with member.profile.engine.connect() as connection:
        device_id = get_uuid(connection, DEVICE_ID)
    server.set_device_status(device_id, "revoked")
    with pytest.raises(DeviceRevoked):
        engine.sync(member.profile)


def test_the_unlock_guard_is_renewed_at_most_every_few_minutes(
    server: RunningServer,  # noqa: F811
    laptop: MakeLaptop,  # noqa: F811
) -> None:
    member = laptop(server.add_user())
    guard = member.profile.header.guard
    assert guard is not None
    assert member.sync().complete
    again = member.profile.header.guard
    assert again is not None and again.last_contact == guard.last_contact  # not rewritten

    earlier = utcnow() - CONTACT_REFRESH - timedelta(minutes=1)
    member.profile.record_server_contact(
        max_failed_unlocks=guard.max_failed_unlocks,
        max_offline_days=guard.max_offline_days,
        at=earlier,
    )
    assert member.sync().complete
    renewed = member.profile.header.guard
    assert renewed is not None and renewed.last_contact > earlier + CONTACT_REFRESH
