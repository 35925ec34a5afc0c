"""Unlocking a laptop that must reach the server first (offline too long, guard altered).

:func:`open_profile` is ``Profile.open`` with a check-in: when the unlock guard asks
for server contact, the sync settings in the (now decrypted) database are used to ask
the server for this device's policy. The server's answer renews the guard, or orders
the profile erased (it is), or refuses the device; no answer leaves the profile
closed with :class:`ServerContactRequired`. Nothing of the profile reaches the caller
before the server has answered.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from app.store.errors import ProfileErased, ServerContactRequired
from app.store.profile import GuardState, Profile
from app.sync import security, state
from app.sync.client import SyncClient
from app.sync.engine import erase
from app.sync.errors import DeviceRevoked, ServerUnavailable, Throttled


def open_profile(folder: Path, passphrase: str, *, now: datetime | None = None) -> Profile:
    return Profile.open(folder, passphrase, check_in=check_in, now=now)


def check_in(profile: Profile) -> None:
    with profile.engine.begin() as connection:
        settings = state.read_all(connection)
    if state.DEVICE_TOKEN not in settings:
        return  # never enrolled (or enrolment lost): there is no server to ask
    client = SyncClient(
        settings[state.SERVER_URL],
        token=settings[state.DEVICE_TOKEN],
        ca_file=settings.get(state.CA_FILE),
    )
    try:
        with client:
            security.refresh(profile, client)
    except DeviceRevoked as error:
        if not error.wipe:
            raise
        erase(profile)
        raise ProfileErased() from None
    except (ServerUnavailable, Throttled):
        tampered = profile.guard_state() is GuardState.TAMPERED
        raise ServerContactRequired(tampered=tampered) from None
