"""A laptop killed (SIGKILL) at the worst moments of a sync loses nothing, doubles nothing.

The sync runs in a child process that kills itself: right after the server committed
a push but before the reply is read (scenario 1), and in the middle of applying a
pulled page, after its rows were written and before its commit (scenario 2).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.demo import fill_profile
from app.models import OutboxState
from app.sync import outbox
from app.sync.capture import sent_through
from app.sync.state import BASE, CURSOR, OUTBOX, get
from passerelle_core.protocol import MAX_PUSH_CHANGES
from tests.conftest import PASSPHRASE
from tests.server.harness import RunningServer
from tests.sync.conftest import Laptop, server_state

ROOT = Path(__file__).resolve().parents[2]

KILL_AFTER_PUSH = """
    from app.sync import push

    send = push._send

    def push_then_die(client, batch):
        send(client, batch)  # the server has committed: the reply is never read
        os.kill(os.getpid(), signal.SIGKILL)

    push._send = push_then_die
    engine.sync(profile)
"""

KILL_DURING_APPLY = """
    from app.sync.pull import PageApplier

    apply = PageApplier.apply
    pages = []

    def apply_then_die(self, states):
        outcome = apply(self, states)  # written, not committed
        pages.append(len(states))
        if len(pages) == 3:
            os.kill(os.getpid(), signal.SIGKILL)
        return outcome

    PageApplier.apply = apply_then_die
    engine.sync(profile, engine.SyncOptions(page_size=25, commit_seconds=float(sys.argv[3])))
"""


def _die_while(script: str, folder: Path, *arguments: str) -> None:
    code = textwrap.dedent(
        """
        import os, signal, sys
        from pathlib import Path
        from app.store.profile import Profile
        from app.sync import engine

        profile = Profile.open(Path(sys.argv[1]), sys.argv[2])
        """
    ) + textwrap.dedent(script)
    result = subprocess.run(
        [sys.executable, "-c", code, str(folder), PASSPHRASE, *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == -signal.SIGKILL, result.stderr


def test_killed_after_the_server_committed_the_resend_is_applied_once(
    fresh_server: RunningServer, laptop: Callable[..., Laptop]
) -> None:
    """Scenario 1 with a real kill."""
    server = fresh_server
    first = laptop(server.add_user("admin"), on=server)
    fill_profile(first.profile, beneficiaries=3, seed=11)
    queued = outbox.queue_all(first.profile)
    _die_while(KILL_AFTER_PUSH, first.folder)
    with first.profile.engine.connect() as connection:
        states = connection.execute(select(OUTBOX.c.seq, OUTBOX.c.state)).all()
        mark = sent_through(connection)  # rows under the push's sent mark stay as sent
    sent = min(queued, MAX_PUSH_CHANGES)  # the first batch: applied, never acknowledged
    kept = sum(state == OutboxState.INFLIGHT or seq <= mark for seq, state in states)
    assert sent <= kept <= min(queued, 2 * MAX_PUSH_CHANGES) and len(states) == queued
    assert len(server_state(server, first.account)) >= sent  # yet on the server

    report = first.sync()
    assert (report.sent, report.duplicates, report.applied) == (queued, sent, queued - sent)
    assert outbox.pending_count(first.profile) == 0
    assert first.state() == server_state(server, first.account)


@pytest.mark.parametrize("grouped", [False, True], ids=["page-by-page", "grouped"])
def test_killed_while_applying_a_page_resumes_without_gap_or_double(
    fresh_server: RunningServer, laptop: Callable[..., Laptop], grouped: bool
) -> None:
    """Scenario 2: the killed page was never committed; the next sync applies it again.

    Committed page by page, two pages survive with their cursor; grouped in one
    transaction (the default during a fast initial sync), none does: either way the
    next sync resumes from the last committed cursor."""
    server = fresh_server
    admin = server.add_user("admin")
    source = laptop(admin, on=server)
    fill_profile(source.profile, beneficiaries=6, seed=12)
    outbox.queue_all(source.profile)
    source.sync()
    empty = laptop(admin, on=server, first_sync=False)
    # Enrolment already wrote the account's own team and staff record (issue 12).
    with empty.profile.engine.connect() as connection:
        enrolled = connection.execute(select(func.count()).select_from(BASE)).scalar_one()
    _die_while(KILL_DURING_APPLY, empty.folder, "60" if grouped else "0")
    with empty.profile.engine.connect() as connection:
        cursor = int(get(connection, CURSOR) or 0)
        stored = connection.execute(select(func.count()).select_from(BASE)).scalar_one()
    if grouped:
        assert cursor == 0 and stored == enrolled  # nothing committed, nothing half-written
    else:
        assert cursor > 0 and stored > enrolled  # two pages were committed with their cursor

    report = empty.sync()
    assert report.held == 0
    expected = server_state(server, admin)
    assert empty.state() == expected == source.state()
    assert os.path.exists(empty.folder)
