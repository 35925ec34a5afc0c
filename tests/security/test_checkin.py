"""A laptop away from the server too long unlocks only once the server has answered."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from app.models.base import utcnow
from app.store.errors import ProfileErased, ServerContactRequired
from app.store.profile import GuardState
from app.sync import checkin, state
from tests.conftest import PASSPHRASE
from tests.server.harness import RunningServer
from tests.sync.conftest import Laptop

MakeLaptop = Callable[..., Laptop]


def _away(machine: Laptop, days: int) -> None:
    """As if the last server contact was ``days`` ago (an authentic guard, then closed)."""
    guard = machine.profile.header.guard
    assert guard is not None
    machine.profile.record_server_contact(
        max_failed_unlocks=guard.max_failed_unlocks,
        max_offline_days=guard.max_offline_days,
        at=utcnow() - timedelta(days=days),
    )
    machine.profile.close()


def test_overdue_laptop_reaches_the_server_and_opens(
    server: RunningServer, laptop: MakeLaptop
) -> None:
    machine = laptop(server.add_user())
    _away(machine, days=45)
    with checkin.open_profile(machine.folder, PASSPHRASE) as opened:
        assert opened.guard_state() is GuardState.OPEN
        guard = opened.header.guard
        assert guard is not None and guard.days_left(utcnow()) > 29


def test_overdue_laptop_without_network_stays_closed(
    server: RunningServer, laptop: MakeLaptop
) -> None:
    machine = laptop(server.add_user())
    with machine.profile.engine.begin() as connection:
        state.put(connection, state.SERVER_URL, "http://127.0.0.1:9")  # nobody listens
    _away(machine, days=31)
    with pytest.raises(ServerContactRequired) as raised:
        checkin.open_profile(machine.folder, PASSPHRASE)
    assert not raised.value.tampered


def test_overdue_laptop_ordered_to_wipe_is_erased_at_unlock(
    server: RunningServer, laptop: MakeLaptop
) -> None:
    machine = laptop(server.add_user())
    with machine.profile.engine.begin() as connection:
        device_id = state.get_uuid(connection, state.DEVICE_ID)
    assert device_id is not None
    server.set_device_status(device_id, "stolen")
    _away(machine, days=60)
    with pytest.raises(ProfileErased):
        checkin.open_profile(machine.folder, PASSPHRASE)
    assert not machine.folder.exists()
