"""A first sync shows its progress, can be cancelled and resumes; side uploads never
block records (a restored profile's access log goes on as a new chain).

Real encrypted profiles and a real server (SQLite and PostgreSQL).
"""

from __future__ import annotations

import shutil
import threading
import uuid
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import func, select

from app.models import Beneficiary
from app.services import beneficiaries
from app.store.profile import Profile
from app.sync import engine
from app.sync.engine import SyncOptions
from tests.conftest import PASSPHRASE
from tests.server.harness import RunningServer
from tests.sync.conftest import Laptop, laptop, server  # noqa: F401

MakeLaptop = Callable[..., Laptop]


def _count(profile: Profile) -> int:
    with profile.sessions() as session:
        return session.scalar(select(func.count()).select_from(Beneficiary)) or 0


def test_a_first_sync_shows_progress_is_cancelled_and_resumes(
    server: RunningServer,  # noqa: F811
    laptop: MakeLaptop,  # noqa: F811
) -> None:
    team = f"Team {uuid.uuid4().hex[:6]}"
    source = laptop(server.add_user(team=team))
    for number in range(40):
        beneficiaries.register(source.ctx, {"last_name": f"Case {number}", "first_name": "A"})
    source.sync()
    newcomer = laptop(server.add_user(team=team), first_sync=False)

    seen: list[tuple[int, int | None]] = []
    cancel = threading.Event()

    def progress(received: int, expected: int | None) -> None:
        seen.append((received, expected))
        cancel.set()  # the person presses "Cancel" after the first group of pages

    options = SyncOptions(page_size=10, commit_seconds=0, progress=progress, cancel=cancel)
    report = engine.sync(newcomer.profile, options)
    assert report.cancelled and not report.complete
    expected = report.expected
    assert expected is not None and expected > 40
    assert seen == [(10, expected), (20, expected)]  # it stops after the page in hand
    assert 0 < _count(newcomer.profile) < 40  # what was received is kept

    seen.clear()
    resumed = engine.sync(
        newcomer.profile, SyncOptions(page_size=10, commit_seconds=0, progress=progress)
    )
    assert resumed.complete and not resumed.cancelled
    assert seen[-1] == (expected, expected)  # counted on from where it stopped
    assert [received for received, _ in seen] == sorted(received for received, _ in seen)
    assert _count(newcomer.profile) == 40


def test_a_restored_profile_starts_a_new_access_log_chain_and_records_go_on(
    server: RunningServer,  # noqa: F811
    laptop: MakeLaptop,  # noqa: F811
    tmp_path: Path,
) -> None:
    member = laptop(server.add_user())
    beneficiaries.register(member.ctx, {"last_name": "Before the backup", "first_name": "A"})
    member.sync()
    member.profile.close()
    backup = tmp_path / "backup"
    shutil.copytree(member.folder, backup)  # the profile as a backup holds it

    member.profile = Profile.open(member.folder, PASSPHRASE)
    beneficiaries.register(member.ctx, {"last_name": "Lost with the laptop", "first_name": "B"})
    assert member.sync().complete  # the server now holds a longer access log
    member.profile.close()

    shutil.rmtree(member.folder)  # the laptop is lost; the backup is restored on another
    shutil.copytree(backup, member.folder)
    member.profile = Profile.open(member.folder, PASSPHRASE)
    beneficiaries.register(member.ctx, {"last_name": "After the restore", "first_name": "C"})
    report = member.sync()
    assert report.access_log_rechained > 0 and not report.access_log_refused
    assert report.complete, report
    assert _count(member.profile) == 3  # records went on: the server gave back the lost one
