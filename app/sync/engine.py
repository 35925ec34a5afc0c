"""Enrolment and one sync: push the outbox, then pull until the server has nothing more.

Every step leaves the profile consistent if the laptop dies there: the outbox is only
emptied by acknowledged results, each pulled page commits together with its cursor,
and a profile the server ordered erased is erased even if the erase is interrupted
(the flag is stored first). The device token never leaves the encrypted database.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection, RootTransaction, insert, select

from app.models import ProfileSetting, StaffMember
from app.models.base import utcnow
from app.services.owner import OWNER_KEY
from app.store.header import HEADER_NAME
from app.store.profile import Profile
from app.sync import extras, state
from app.sync.client import SyncClient, check_server_url
from app.sync.errors import (
    AlreadyEnrolled,
    DeviceRevoked,
    NotEnrolled,
    OwnerMismatch,
    ServerReplaced,
)
from app.sync.feed import PageFeed
from app.sync.protocol import (
    MAX_PULL_LIMIT,
    MAX_PUSH_CHANGES,
    PROTOCOL_VERSION,
    PullResponse,
    UserInfo,
)
from app.sync.pull import PageApplier, PullState
from app.sync.push import PushOutcome, push_outbox
from app.sync.scope import forget_left, remember_left, remove_left_cases

PULL_CACHE_KIB = 128 * 1024
COMMIT_SECONDS = 0.5
"""A pull commits about this often: often enough that a local edit never waits long."""


@dataclass
class SyncReport:
    """What one sync did, for the command line and the status bar."""

    sent: int = 0
    applied: int = 0  # our changes the server applied as they were
    merged: int = 0  # ours, merged with other devices' changes to other fields
    duplicates: int = 0  # resent after a lost reply, recognised by the server
    conflicts: int = 0  # ours that met another device's change: a conflict record says which
    retry: int = 0  # refused for now, sent again next time
    quarantined: int = 0  # refused for good: shown, never resent
    received: int = 0  # records written from the server
    kept_local: int = 0  # received records whose locally edited fields were kept
    held: int = 0  # received records waiting for their parent (or clashing locally)
    left_scope_removed: int = 0
    left_scope_waiting: int = 0
    pages: int = 0
    wiped: bool = False
    errors: list[str] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        """Ours the server refused: for now (``retry``) or for good (``quarantined``)."""
        return self.retry + self.quarantined

    def add_push(self, outcome: PushOutcome) -> None:
        self.sent += outcome.sent
        self.applied += outcome.applied
        self.merged += outcome.merged
        self.duplicates += outcome.duplicates
        self.conflicts += outcome.conflicts
        self.retry += outcome.retry
        self.quarantined += outcome.quarantined


@dataclass(frozen=True)
class SyncOptions:
    """Knobs for tests and benchmarks; the defaults are the protocol's limits."""

    protocol_version: int = PROTOCOL_VERSION
    batch_size: int = MAX_PUSH_CHANGES
    page_size: int = MAX_PULL_LIMIT
    commit_seconds: float = COMMIT_SECONDS  # 0: one transaction per page


def enrol(
    profile: Profile,
    server_url: str,
    username: str,
    password: str,
    device_name: str,
    ca_file: Path | str | None = None,
    *,
    options: SyncOptions | None = None,
) -> UserInfo:
    """Register this laptop with the server as ``username``; the profile's owner is them."""
    url = check_server_url(server_url)
    with profile.engine.begin() as connection:
        if state.get(connection, state.DEVICE_TOKEN) is not None:
            raise AlreadyEnrolled()
        owner = connection.execute(
            select(ProfileSetting.value).where(ProfileSetting.key == OWNER_KEY)
        ).scalar_one_or_none()
    version = (options or SyncOptions()).protocol_version
    with SyncClient(url, ca_file=ca_file, protocol_version=version) as client:
        reply = client.enrol(username, password, device_name)
    user = reply.user
    if owner is not None and uuid.UUID(owner) != user.staff_id:
        raise OwnerMismatch()
    with profile.engine.begin() as connection:
        _link_owner(connection, user, owner is None)
        for key, value in (
            (state.SERVER_URL, url),
            (state.SERVER_ID, str(reply.server_id)),
            (state.DEVICE_ID, str(reply.device_id)),
            (state.DEVICE_TOKEN, reply.device_token),
            (state.CA_FILE, str(ca_file) if ca_file else None),
            (state.USERNAME, user.username),
            (state.CURSOR, "0"),
        ):
            state.put(connection, key, value)
    return user


def _link_owner(connection: Connection, user: UserInfo, new_owner: bool) -> None:
    """The owner's staff record, with the server's id; the pull fills in the rest."""
    staff = state.model_table(StaffMember)
    exists = connection.execute(
        select(staff.c.id).where(staff.c.id == user.staff_id)
    ).scalar_one_or_none()
    if exists is None:
        now = utcnow()
        connection.execute(
            insert(staff).values(
                id=user.staff_id,
                full_name=user.full_name,
                role=user.role,
                username=user.username,
                active=True,
                created_at=now,
                updated_at=now,
                row_version=1,
            )
        )
    if new_owner:
        connection.execute(insert(ProfileSetting).values(key=OWNER_KEY, value=str(user.staff_id)))


def sync(profile: Profile, options: SyncOptions | None = None) -> SyncReport:
    """Push the outbox, then pull every page; erase the profile if the server says so."""
    options = options or SyncOptions()
    report = SyncReport()
    with profile.engine.begin() as connection:
        settings = state.read_all(connection)
    if state.DEVICE_TOKEN not in settings:
        raise NotEnrolled()
    if settings.get(state.WIPE):
        erase(profile)
        report.wiped = True
        return report
    client = SyncClient(
        settings[state.SERVER_URL],
        token=settings[state.DEVICE_TOKEN],
        ca_file=settings.get(state.CA_FILE),
        protocol_version=options.protocol_version,
    )
    try:
        with client:
            report.add_push(push_outbox(profile.engine, client, options.batch_size))
            extras.after_push(profile, client)
            _pull_all(profile, client, uuid.UUID(settings[state.SERVER_ID]), options, report)
            extras.after_pull(profile, client)
    except DeviceRevoked as error:
        if not error.wipe:
            raise
        erase(profile)
        report.wiped = True
        return report
    with profile.engine.begin() as connection:
        state.put(connection, state.LAST_SYNC_AT, utcnow().isoformat())
    return report


def _pull_all(
    profile: Profile,
    client: SyncClient,
    server_id: uuid.UUID,
    options: SyncOptions,
    report: SyncReport,
) -> None:
    """Pages are written in transactions of about ``commit_seconds``, cursor included.

    Each transaction holds whole pages and the cursor after the last of them, so a crash
    replays from a page boundary: never a gap, never a page applied twice. Grouping
    pages matters: every commit writes each index page it touched to the WAL again,
    and records in sequence order touch every table; an initial sync committed page by
    page spends most of its time rewriting the same pages.
    """
    pull = PullState()
    with profile.engine.connect() as connection, _pulling(connection):
        with connection.begin():
            cursor = state.get_cursor(connection)
        with PageFeed(client, cursor, options.page_size) as feed:
            transaction: RootTransaction | None = None
            started = 0.0
            for page in feed:
                if page.server_id != server_id:
                    raise ServerReplaced()
                if transaction is None:
                    transaction, started = connection.begin(), time.monotonic()
                    # Parents may come later in the same pages: checked at commit.
                    connection.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
                _apply_page(connection, page, pull, report)
                if not page.has_more or time.monotonic() - started >= options.commit_seconds:
                    transaction.commit()
                    transaction = None


def _apply_page(
    connection: Connection,
    page: PullResponse,
    pull: PullState,
    report: SyncReport,
) -> None:
    """One page and its cursor, in the caller's transaction.

    Written with Core on a plain connection: ORM change capture never sees it (the
    ``CAPTURE_OFF`` flag is for code that would write pulled data through a Session).
    """
    outcome = PageApplier(connection, pull).apply(page.records)
    forget_left(connection, outcome.case_ids)
    remember_left(connection, page.left_scope)
    removed, waiting = remove_left_cases(connection)
    if removed:
        pull.forget()
    state.put(connection, state.CURSOR, str(page.next_cursor))
    report.pages += 1
    report.received += outcome.applied
    report.kept_local += outcome.merged
    report.held = outcome.held
    report.left_scope_removed += removed
    report.left_scope_waiting = waiting


@contextlib.contextmanager
def _pulling(connection: Connection) -> Iterator[None]:
    """Settings for writing many pulled pages on this connection, restored afterwards.

    ``synchronous = NORMAL``: a page committed just before a power cut may be lost, and
    its cursor with it (same transaction), so it is pulled again: never a gap. The next
    local edit (``FULL``) makes every earlier page durable too, the WAL being sequential.
    A larger page cache spares re-decrypting index pages while thousands of random
    UUID keys are inserted, and no automatic checkpoint runs between pages: each would
    copy the same index pages back into the database again; one checkpoint at the end.
    """
    raw = connection.connection.driver_connection  # outside any transaction
    assert raw is not None
    raw.execute("PRAGMA synchronous = NORMAL")
    previous = int(raw.execute("PRAGMA cache_size").fetchone()[0])
    raw.execute(f"PRAGMA cache_size = -{PULL_CACHE_KIB}")
    autocheckpoint = int(raw.execute("PRAGMA wal_autocheckpoint").fetchone()[0])
    raw.execute("PRAGMA wal_autocheckpoint = 0")
    try:
        yield
    finally:
        if connection.in_transaction():
            connection.rollback()
        raw.execute(f"PRAGMA wal_autocheckpoint = {autocheckpoint}")
        raw.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        raw.execute(f"PRAGMA cache_size = {previous}")
        raw.execute("PRAGMA synchronous = FULL")


def erase(profile: Profile) -> None:
    """Erase the whole profile folder: the wrapped key first, so nothing opens it again."""
    with profile.engine.begin() as connection:
        state.put(connection, state.WIPE, utcnow().isoformat())
    folder = Path(profile.folder)
    profile.close()
    header = folder / HEADER_NAME
    if header.exists():
        size = header.stat().st_size
        with open(header, "r+b") as handle:
            handle.write(os.urandom(size))
            handle.flush()
            os.fsync(handle.fileno())
        header.unlink()
    shutil.rmtree(folder, ignore_errors=True)
