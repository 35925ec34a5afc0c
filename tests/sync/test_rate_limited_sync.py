"""A server's request rate limit slows a sync down; it does not stop it.

The limit (a token bucket per client address, server/api/ratelimit.py) refuses with 429
and ``Retry-After`` before reading anything, so the laptop waits as asked and sends the
same request again. A long pull (hundreds of pages: a seeding laptop's pull-back, a
laptop catching up) used to stop with "too many failed attempts", a message about
passwords. A wait longer than the laptop accepts stops the sync, saying the server is
busy, with nothing lost. Real server (SQLite: the limit is the same on both backends),
real encrypted profiles.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from app.i18n import _
from app.services import beneficiaries, owner
from app.store.keys import KdfParams
from app.store.profile import Profile
from app.sync import engine
from app.sync.client import SyncClient
from app.sync.engine import SyncOptions
from app.sync.errors import Throttled
from tests.conftest import PASSPHRASE
from tests.server.harness import start_server
from tests.sync.conftest import local_state

PEOPLE = 24


def _laptop(folder: Path, url: str, username: str, password: str) -> Profile:
    profile = Profile.create(folder, PASSPHRASE, KdfParams.fast_for_tests())
    engine.enrol(profile, url, username, password, folder.name)
    return profile


def test_a_long_pull_waits_for_the_rate_limit_and_completes(tmp_path: Path) -> None:
    limits = {
        "PASSERELLE_SERVER_RATE_LIMIT_PER_MINUTE": "240",
        "PASSERELLE_SERVER_RATE_LIMIT_BURST": "10",
    }
    with start_server(tmp_path, env=limits) as server:
        account = server.add_user("social_worker", "Oukacha")
        writer = _laptop(tmp_path / "writer", server.url, account.username, account.password)
        reader = _laptop(tmp_path / "reader", server.url, account.username, account.password)
        try:
            context = owner.owner_context(writer.sessions)
            for number in range(PEOPLE):
                first = "Samira" if number % 2 else "Youssef"
                beneficiaries.register(
                    context, {"last_name": f"Alaoui {number}", "first_name": first}
                )
            engine.sync(writer)
            time.sleep(3)  # the bucket refills: the reader's pull starts with a burst
            report = engine.sync(reader, SyncOptions(page_size=1))  # a page per record
            refused = server.log().count("/api/v1/pull 429")
        finally:
            writer.close()
            reader.close()
        assert refused >= 1  # the limit was reached, and waited for
        assert report.received >= PEOPLE
        written = local_state(writer)
        pulled = local_state(reader)
        people = {key for key in written if key[0] == "beneficiary"}
        assert len(people) == PEOPLE
        assert people <= set(pulled)


def test_a_wait_longer_than_the_laptop_accepts_says_the_server_is_busy(
    tmp_path: Path,
) -> None:
    limits = {
        "PASSERELLE_SERVER_RATE_LIMIT_PER_MINUTE": "1",
        "PASSERELLE_SERVER_RATE_LIMIT_BURST": "3",
    }
    with start_server(tmp_path, env=limits) as server:
        client = SyncClient(server.url, token="not-a-token")
        started = time.monotonic()
        with pytest.raises(Throttled) as stopped:
            for _attempt in range(10):
                try:
                    client.pull(0)
                except Throttled:
                    raise
                except Exception:  # noqa: BLE001, S112 (401 until the bucket is empty)
                    continue
        assert time.monotonic() - started < 10  # a 60 s wait is not waited for
        assert stopped.value.busy
        assert str(stopped.value) == _("The server is busy: sync again in a few minutes.")
        assert client.rate_waited == 0
