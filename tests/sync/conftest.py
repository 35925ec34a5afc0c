"""Real laptops (encrypted profiles) enrolled with real servers on SQLite and PostgreSQL.

``server`` is the server engineer's fixture: one ``passerelle-server serve`` process per
module and backend. ``laptop(account)`` makes a fresh encrypted profile, enrols it
with the server through the protocol and syncs it once.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

import app.sync  # noqa: F401  (change capture on every session)
from app.models import SYNCED_MODELS
from app.services import owner
from app.services.context import ServiceContext
from app.store.keys import KdfParams
from app.store.profile import Profile
from app.sync import engine
from app.sync.engine import SyncOptions, SyncReport
from app.sync.records import to_wire_value
from app.sync.state import model_table
from tests.conftest import PASSPHRASE
from tests.server import conftest as server_fixtures
from tests.server.harness import (
    Account,
    RunningServer,
    fresh_postgres_database,
    postgres_admin_url,
    start_server,
)

State = dict[tuple[str, str], dict[str, Any]]

# The server engineer's fixtures: a real server per module, on SQLite and PostgreSQL.
database_url = server_fixtures.database_url
server = server_fixtures.server


@dataclass
class Laptop:
    """One staff member's laptop: an unlocked profile enrolled with the server."""

    profile: Profile
    account: Account
    folder: Path

    @property
    def ctx(self) -> ServiceContext:
        return owner.owner_context(self.profile.sessions)

    def sync(self, options: SyncOptions | None = None) -> SyncReport:
        return engine.sync(self.profile, options)

    def state(self) -> State:
        return local_state(self.profile)


def local_state(profile: Profile) -> State:
    """Every synced row of the profile in its wire form, keyed by (type, id)."""
    state: State = {}
    with profile.engine.connect() as connection:
        for model in SYNCED_MODELS:
            table = model_table(model)
            for row in connection.execute(select(table)).mappings():
                data = {k: to_wire_value(v) for k, v in row.items() if k != "row_version"}
                state[(table.name, data["id"])] = data
    return state


def server_state(server: RunningServer, account: Account) -> State:
    """What the server holds for ``account``'s scope, pulled by a fresh device."""
    device = server.enrol(account, device_name="checker")
    pulled = device.pull(cursor=0)
    return {key: record["data"] for key, record in pulled.records.items()}


@pytest.fixture
def fresh_server(server: RunningServer, tmp_path: Path) -> Iterator[RunningServer]:
    """A server of its own (same backend as ``server``), for tests that see everything."""
    with contextlib.ExitStack() as stack:
        url = None
        if server.database_url is not None:
            url = stack.enter_context(fresh_postgres_database(postgres_admin_url()))
        running = stack.enter_context(start_server(tmp_path, url))
        yield running
    server_fixtures.assert_log_clean(running)


@pytest.fixture
def laptop(server: RunningServer, tmp_path: Path) -> Iterator[Callable[..., Laptop]]:
    opened: list[Laptop] = []
    numbers = itertools.count(1)

    def make(
        account: Account, *, on: RunningServer | None = None, first_sync: bool = True
    ) -> Laptop:
        folder = tmp_path / f"laptop-{next(numbers)}"
        profile = Profile.create(folder, PASSPHRASE, KdfParams.fast_for_tests())
        url = (on or server).url
        engine.enrol(profile, url, account.username, account.password, folder.name)
        made = Laptop(profile, account, folder)
        opened.append(made)
        if first_sync:
            made.sync()
        return made

    yield make
    for made in opened:
        made.profile.close()
