"""Versions that differ sync without loss: real laptop and server processes, one of them
playing the older version (``PASSERELLE_SYNC_UNKNOWN``: a record type and a field it
does not know), then updated.

- newer server, older laptop: the records of the unknown type or field are held, not
  skipped (the cursor moves on), and written once the laptop is updated;
- older server, newer laptop: a field the server does not know is kept verbatim; a
  record of a type it does not know is refused, and sent again after its update.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.models import Beneficiary, Partner
from app.services import beneficiaries, partners
from app.settings import Settings
from app.store.profile import Profile
from app.sync import engine, outbox, state
from app.sync.records import SCHEMA_VERSION, UNKNOWN_ENV
from app.sync.state import HELD
from app.views.app_state import AppState
from app.views.conflicts import ConflictsPage
from passerelle_core.enums import PartnerKind
from tests.conftest import PASSPHRASE
from tests.server import conftest as server_fixtures
from tests.server.harness import (
    ROOT,
    RunningServer,
    fresh_postgres_database,
    postgres_admin_url,
    start_server,
)
from tests.sync.conftest import Laptop, server_state

OLDER = "partner,beneficiary.contact_person"
"""What the older version does not know: a whole record type and one field."""


def older_laptop_sync(folder: Path) -> subprocess.CompletedProcess[str]:
    """``passerelle sync`` in a process of the older version."""
    env = {**os.environ, UNKNOWN_ENV: OLDER, "PASSERELLE_PASSPHRASE": PASSPHRASE}
    return subprocess.run(
        [sys.executable, "-m", "app", "--lang", "en", "sync", "--profile", str(folder)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def test_an_older_laptop_keeps_what_it_does_not_know_and_applies_it_once_updated(
    server: RunningServer, laptop: Callable[..., Laptop]
) -> None:
    admin = server.add_user("admin")
    newer = laptop(admin)
    person = beneficiaries.register(
        newer.ctx, {"last_name": "Tazi", "first_name": "Nora", "contact_person": "Leila"}
    )
    partner = partners.create_partner(newer.ctx, {"name": "Espoir", "kind": PartnerKind.NGO})
    newer.sync()

    older = laptop(admin, first_sync=False)
    older.profile.close()
    result = older_laptop_sync(older.folder)
    assert result.returncode == 0, result.stderr
    assert "please update Passerelle" in result.stdout  # told, and working
    with Profile.open(older.folder, PASSPHRASE) as profile, profile.sessions() as session:
        held = {(row.record_type, row.record_id) for row in session.execute(select(HELD))}
        assert ("partner", partner.id) in held  # kept, not skipped
        assert ("beneficiary", person.id) in held  # a field it does not know
        assert session.get(Partner, partner.id) is None
        assert session.get(Beneficiary, person.id) is None

    with Profile.open(older.folder, PASSPHRASE) as updated:  # the laptop was updated
        engine.sync(updated)
        with updated.sessions() as session:
            assert session.execute(select(HELD)).first() is None
            stored = session.get(Beneficiary, person.id)
            assert stored is not None and stored.contact_person == "Leila"
            assert session.get(Partner, partner.id) is not None


class Servers:
    """A server of the older version on its own database; :meth:`update` replaces it by
    the current version on the same database (on another port: laptops are told)."""

    def __init__(self, tmp_path: Path, database_url: str | None) -> None:
        self.tmp_path = tmp_path
        self.database_url = database_url
        self.running = [start_server(tmp_path, database_url, env={UNKNOWN_ENV: OLDER})]

    @property
    def current(self) -> RunningServer:
        return self.running[-1]

    def update(self) -> RunningServer:
        old = self.current
        old.stop()
        same = ["--data-dir", str(old.data_dir)]  # the last --data-dir given wins
        self.running.append(start_server(self.tmp_path, self.database_url, extra_args=same))
        return self.current


@pytest.fixture
def servers(server: RunningServer, tmp_path: Path) -> Iterator[Servers]:
    with contextlib.ExitStack() as stack:
        url = None
        if server.database_url is not None:
            url = stack.enter_context(fresh_postgres_database(postgres_admin_url()))
        made = Servers(tmp_path, url)
        try:
            yield made
        finally:
            for each in made.running:
                each.stop()
        server_fixtures.assert_log_clean(made.current)


def test_an_older_server_keeps_unknown_fields_and_takes_refused_records_after_its_update(
    qtbot: QtBot, servers: Servers, laptop: Callable[..., Laptop]
) -> None:
    admin = servers.current.add_user("admin")
    newer = laptop(admin, on=servers.current)
    person = beneficiaries.register(
        newer.ctx, {"last_name": "Tazi", "first_name": "Nora", "contact_person": "Leila"}
    )
    partner = partners.create_partner(newer.ctx, {"name": "Espoir", "kind": PartnerKind.NGO})
    report = newer.sync()
    assert report.server_schema == SCHEMA_VERSION - 1 and not report.update_available
    assert report.quarantined == 1  # the partner: a type the older server does not know
    [refused] = outbox.quarantined(newer.profile)
    assert refused.record_id == partner.id
    kept = server_state(servers.current, admin)[("beneficiary", str(person.id))]
    assert kept["contact_person"] == "Leila"  # a field it does not know, kept verbatim

    page = ConflictsPage(AppState(newer.profile, newer.ctx, Settings()))  # the app's way
    qtbot.addWidget(page)
    page.refresh()
    assert page.refused_box.isVisibleTo(page)
    page.resend_button.click()
    assert not outbox.quarantined(newer.profile)
    assert newer.sync().quarantined == 1  # sent again too early: refused again, still kept

    updated = servers.update()
    with newer.profile.engine.begin() as connection:  # the same server, at a new port
        state.put(connection, state.SERVER_URL, updated.url)
    resent = subprocess.run(  # the command line's way
        [sys.executable, "-m", "app", "--lang", "en", "sync", "--resend-refused",
         "--profile", str(newer.folder)],
        cwd=ROOT, env={**os.environ, "PASSERELLE_PASSPHRASE": PASSPHRASE},
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert resent.returncode == 0, resent.stderr
    assert "1 refused change queued again." in resent.stdout
    assert not outbox.quarantined(newer.profile)
    report = newer.sync()
    assert report.server_schema == SCHEMA_VERSION and not report.update_available
    on_server = server_state(updated, admin)
    assert on_server[("partner", str(partner.id))]["name"] == "Espoir"
    assert on_server[("beneficiary", str(person.id))]["contact_person"] == "Leila"
