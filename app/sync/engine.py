"""Enrolment and one sync: push the outbox, then pull until the server has nothing more.

Every step leaves the profile consistent if the laptop dies there: the outbox is only
emptied by acknowledged results, each pulled page commits together with its cursor,
and a profile the server ordered erased is erased even if the erase is interrupted
(the flag is stored first). The device token never leaves the encrypted database.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, RootTransaction, func, insert, select

from app.models import Beneficiary, ProfileSetting, StaffMember
from app.models.audit import DEVICE_SETTING
from app.models.base import utcnow
from app.services import changes
from app.services.owner import OWNER_KEY
from app.store import deferred_indexes, writelock
from app.store.header import HEADER_NAME
from app.store.profile import Profile
from app.sync import adopt, audit_upload, documents, extras, outbox, security, state
from app.sync.audit_upload import UploadOutcome
from app.sync.client import (
    CarriedLogUnknown,
    PushCheckUnknown,
    ServerWentBack,
    SyncClient,
    check_server_url,
)
from app.sync.errors import (
    AlreadyEnrolled,
    DeviceRevoked,
    NotEnrolled,
    OwnerMismatch,
    ServerReplaced,
    SyncError,
)
from app.sync.feed import PageFeed
from app.sync.held import HeldLine, held_lines
from app.sync.pull import PageApplier, PullState, fast_path, may_take_fast_path
from app.sync.push import PushOutcome, push_outbox
from app.sync.records import SCHEMA_VERSION
from app.sync.scope import note_page_scope, remove_left_cases
from passerelle_core.audit_protocol import AccessLogUpload
from passerelle_core.protocol import (
    MAX_PULL_LIMIT,
    MAX_PUSH_CHANGES,
    PROTOCOL_VERSION,
    PullResponse,
    UserInfo,
)

PULL_CACHE_KIB = 128 * 1024
COMMIT_SECONDS = 0.5
"""A pull commits about this often: often enough that a local edit never waits long."""
EDITING_PAGE_SIZE = 250
"""Records a page of a pull may carry while the laptop can be used (not the fast path)."""
NEXT_PAGE_POLL_SECONDS = 0.01
"""How often a commit group waiting for the next page looks for a waiting save."""
PULL_WRITE_WAIT_SECONDS = 120.0
"""How long a pull's commit group waits for the lock (a large import may hold it)."""
REMOVAL_SHARE = 0.2
REMOVAL_FLOOR = 5
"""The removal fail-safe: a pull that would remove more than this share of the local
cases (and more than the floor) at once waits for a supervisor's confirmation."""


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
    held: int = 0  # received records waiting for their parent (or for an update)
    held_records: list[HeldLine] = field(default_factory=list)  # the first ones, named
    left_scope_removed: int = 0
    left_scope_waiting: int = 0
    pages: int = 0
    wiped: bool = False
    errors: list[str] = field(default_factory=list)
    server_schema: int | None = None  # the schema version the server stated
    changed_types: set[str] = field(default_factory=set)  # written by the pull: screens
    changed_cases: set[uuid.UUID] = field(default_factory=set)  # follow (app.services.changes)
    expected: int | None = None  # records the server announced for a first sync
    received_so_far: int = 0  # of those, written so far (across resumed syncs)
    cancelled: bool = False  # stopped on request: the next sync resumes where it stopped
    removals_held: int = 0  # cases the fail-safe kept until someone confirms
    access_log_refused: bool = False
    access_log_rechained: int = 0  # entries carried to a new chain (a restored profile)
    policy_failed: bool = False
    server_restored: bool = False  # the server lost what it had acknowledged
    reuploaded: int = 0
    # Document contents (app.sync.documents), moved after the records.
    documents_sent: int = 0
    documents_received: int = 0
    documents_waiting: int = 0  # contents their author's laptop has not sent yet
    documents_interrupted: bool = False  # stopped mid-way: the next sync resumes

    @property
    def complete(self) -> bool:
        """Every step went through: only then does a sync report success."""
        return not (
            self.cancelled
            or self.documents_interrupted
            or self.removals_held
            or self.access_log_refused
            or self.policy_failed
            or self.rejected
        )

    @property
    def update_available(self) -> bool:
        """The server knows record types or fields this version does not: records of
        theirs wait (held) until Passerelle is updated on this laptop."""
        return self.server_schema is not None and self.server_schema > SCHEMA_VERSION

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
    confirm_removals: bool = False  # let a removal past the fail-safe through
    removal_share: float = REMOVAL_SHARE
    removal_floor: int = REMOVAL_FLOOR
    progress: Callable[[int, int | None], None] | None = None  # (received, expected)
    cancel: threading.Event | None = None  # set: stop after the current page, resumable


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
    """Register this laptop with the server as ``username``; the profile's owner is them.

    A profile never enrolled whose owner is someone local (started offline) is adopted
    by the account. A profile enrolled before may enrol again only as the same person,
    on a server that is not the one it knows (replaced): everything is sent again.
    """
    return enrol_with_outcome(
        profile, server_url, username, password, device_name, ca_file, options=options
    ).user


@dataclass(frozen=True)
class EnrolOutcome:
    user: UserInfo
    adopted: bool = False  # the profile's owner became this account (offline start)
    queued: int = 0  # local records queued for upload (adoption, new server)


def enrol_with_outcome(
    profile: Profile,
    server_url: str,
    username: str,
    password: str,
    device_name: str,
    ca_file: Path | str | None = None,
    *,
    options: SyncOptions | None = None,
) -> EnrolOutcome:
    """:func:`enrol`, saying whether the profile was adopted and how much it will upload."""
    url = check_server_url(server_url)
    with profile.engine.begin() as connection:
        known_server = state.get(connection, state.SERVER_ID)
        enrolled_as = state.get(connection, state.ENROLLED_STAFF) or (
            None if known_server is None else _owner(connection)
        )
        known_username = state.get(connection, state.USERNAME)
        owner = _owner(connection)
    version = (options or SyncOptions()).protocol_version
    with SyncClient(url, ca_file=ca_file, protocol_version=version) as client:
        reply = client.enrol(username, password, device_name)
    user = reply.user
    new_server = known_server is not None and uuid.UUID(known_server) != reply.server_id
    if enrolled_as is not None and uuid.UUID(enrolled_as) != user.staff_id:
        # A new server has new accounts: the same person is known by the username.
        if not (new_server and known_username == user.username):
            raise OwnerMismatch()
    if known_server is not None and not new_server:
        raise AlreadyEnrolled()
    adopted = owner is not None and uuid.UUID(owner) != user.staff_id
    queued = 0
    with profile.engine.begin() as connection:
        if new_server:  # nothing we hold is on it: forget what the old one acknowledged
            adopt.forget_server(connection)
        adopt.write_organisation(connection, reply.organisation)
        if adopted and owner is not None:
            queued = adopt.adopt(connection, uuid.UUID(owner), user)
        else:
            _link_owner(connection, user, owner is None)
            if new_server:
                queued = adopt.queue_unknown(connection)
        for key, value in (
            (state.SERVER_URL, url),
            (state.SERVER_ID, str(reply.server_id)),
            (state.DEVICE_ID, str(reply.device_id)),
            (state.DEVICE_TOKEN, reply.device_token),
            (state.CA_FILE, str(ca_file) if ca_file else None),
            (state.USERNAME, user.username),
            (state.ENROLLED_STAFF, str(user.staff_id)),
            (state.CURSOR, "0"),
        ):
            state.put(connection, key, value)
    return EnrolOutcome(user, adopted, queued)


def _owner(connection: Connection) -> str | None:
    return connection.execute(
        select(ProfileSetting.value).where(ProfileSetting.key == OWNER_KEY)
    ).scalar_one_or_none()


def _link_owner(connection: Connection, user: UserInfo, new_owner: bool) -> None:
    """The owner's staff record, with the server's id; the pull fills in the rest.

    The enrolment normally delivered it (with the team): this is for an older server.
    """
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
    start = _read_start(profile)
    settings = start.settings
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
    server_id = uuid.UUID(settings[state.SERVER_ID])
    try:
        with client:
            cursor = int(settings.get(state.CURSOR) or 0)
            pull: PullState | None = None
            if _push_checked(profile, client, server_id, cursor, options, report):
                _reupload_to_restored(profile, client, server_id, options, report)
            carry = _carry_access_log(profile, client, report, start.access_log)
            if not report.server_restored:
                # What the sync read at its start and the push leaves alone: not read again.
                pull = _pull_state(settings, start.deferred)
                if _pull_carrying(profile, client, server_id, options, report, carry, pull, start):
                    pull = None
                    _reupload_to_restored(profile, client, server_id, options, report)
            if carry is not None:
                client.access_log = None
                outcome = audit_upload.after_carried(profile, client, carry.upload, carry.noted)
                _note_access_log(report, outcome)
            report.server_schema = client.server_schema
            if pull is not None and pull.held.loaded and not pull.held.records:
                report.held_records, report.held = [], 0  # the pull's index is the table
            else:
                report.held_records, report.held = held_lines(profile.engine)
            if not report.cancelled:
                _exchange_documents(profile, client, options, report, start.documents)
                left = None if pull is None else pull.left
                report.removals_held = _remove_left(profile, options, report, left)
                try:
                    extras.after_pull(profile, client, start.known)
                except DeviceRevoked:
                    raise
                except SyncError:  # records went through; the policy did not
                    report.policy_failed = True
    except DeviceRevoked as error:
        if not error.wipe:
            raise
        erase(profile)
        report.wiped = True
        return report
    if report.complete:
        with profile.engine.begin() as connection:
            state.put(connection, state.LAST_SYNC_AT, utcnow().isoformat())
    return report


_PROFILE_SETTINGS = select(ProfileSetting.key, ProfileSetting.value).where(
    ProfileSetting.key.in_((deferred_indexes.SETTING, DEVICE_SETTING, *security.ACCOUNT_KEYS))
)
"""What a sync needs of ``profile_setting``: the indexes set aside (the pull's fast path),
the access log's chain id, the account's role and team (the security steps)."""


@dataclass
class _Start:
    """What a sync reads in its first transaction (issue 23: the later steps read nothing
    of their own): the sync state, whether indexes are set aside, the access log's next
    batch, what the security steps need; and, filled by the pull's last transaction,
    whether documents have work (``app.sync.documents.look``)."""

    settings: dict[str, str]
    deferred: bool = False
    access_log: AccessLogUpload | str | None = None
    known: security.Known | None = None
    documents: documents.Look | None = None


def _read_start(profile: Profile) -> _Start:
    """One reading transaction: the sync state and what the steps after it would each
    have read in a transaction of their own. The access log's entries are read before
    the push: one recorded meanwhile goes with the next sync."""
    with writelock.reading(profile.engine).connect() as connection:
        settings = state.read_all(connection)
        if state.DEVICE_TOKEN not in settings or settings.get(state.WIPE):
            return _Start(settings)
        held = {key: value for key, value in connection.execute(_PROFILE_SETTINGS)}
        access_log = audit_upload.pending_upload_in(connection, settings, held.get(DEVICE_SETTING))
    account = {key: held[key] for key in security.ACCOUNT_KEYS if key in held}
    return _Start(
        settings,
        deferred=held.get(deferred_indexes.SETTING) is not None,
        access_log=access_log,
        known=security.Known(settings, account),
    )


def _pull_state(settings: dict[str, str], deferred: bool) -> PullState:
    """A pull's state seeded with what the sync read at its start and the push leaves
    alone: the cursor, the cases waiting for removal, a first sync's progress, and
    whether the initial sync's fast path may be taken (indexes set aside, a first sync
    unfinished, or the cursor at 0: otherwise ``fast_path._fresh`` is false whatever
    the push did)."""
    left = json.loads(settings.get(state.LEFT_SCOPE) or "[]")
    expected = settings.get(state.FIRST_SYNC_EXPECTED)
    received = int(settings.get(state.FIRST_SYNC_RECEIVED) or 0)
    first = None if expected is None else (int(expected), received)
    cursor = int(settings.get(state.CURSOR) or 0)
    maybe_fast = deferred or expected is not None or cursor == 0
    return PullState(
        left=set(left), first_sync=first, first_sync_read=True, start=(cursor, maybe_fast)
    )


@dataclass
class _Carried:
    """The access log riding on the pull's first request, and whether the server's
    acknowledgement was stored with the first page."""

    upload: AccessLogUpload
    noted: bool = False


def _carry_access_log(
    profile: Profile,
    client: SyncClient,
    report: SyncReport,
    pending: AccessLogUpload | str | None,
) -> _Carried | None:
    """The access log's next batch (read at the sync's start) handed to the pull (one
    request instead of two); sent alone, as before, when the pull will not run or the
    log needs the long way."""
    pending = None if report.server_restored else pending
    if isinstance(pending, AccessLogUpload):
        client.access_log = pending
        return _Carried(pending)
    if pending is not None or report.server_restored:
        _note_access_log(report, extras.after_push(profile, client))
    return None


def _pull_carrying(
    profile: Profile,
    client: SyncClient,
    server_id: uuid.UUID,
    options: SyncOptions,
    report: SyncReport,
    carry: _Carried | None,
    pull: PullState,
    start: _Start | None = None,
) -> bool:
    """:func:`_pull_all`; a server that predates the carried log is sent it alone first,
    then pulled the plain way (nothing was written: its first page never came)."""
    try:
        return _pull_all(profile, client, server_id, options, report, carry, pull, start)
    except CarriedLogUnknown:
        client.access_log = None
        _note_access_log(report, extras.after_push(profile, client))
        return _pull_all(profile, client, server_id, options, report, pull=pull, start=start)


def _exchange_documents(
    profile: Profile,
    client: SyncClient,
    options: SyncOptions,
    report: SyncReport,
    looked: documents.Look | None = None,
) -> None:
    """Document contents, once every record is in: they never hold records back.
    ``looked``: whether there is work, as the pull's last transaction saw it."""
    outcome = documents.exchange(profile, client, options.cancel, looked)
    report.documents_sent += outcome.sent
    report.documents_received += outcome.received
    report.documents_waiting = outcome.waiting
    report.documents_interrupted = outcome.interrupted


def _note_access_log(report: SyncReport, outcome: UploadOutcome) -> None:
    report.access_log_refused = outcome.refused
    report.access_log_rechained = outcome.rechained


def _push_checked(
    profile: Profile,
    client: SyncClient,
    server_id: uuid.UUID,
    cursor: int,
    options: SyncOptions,
    report: SyncReport,
) -> bool:
    """Push the outbox, each push checked by the server itself: True, with nothing
    merged, when the server went back (see :func:`_went_back_before_push` for why).

    The check rides on the push (passerelle_core.push_check): one request instead of a
    pull of one record before it. A server that predates it answers 404, merging
    nothing, and is asked the old way. (With nothing to push no request is made: the
    outbox is not counted first.)"""
    if cursor == 0:
        report.add_push(push_outbox(profile.engine, client, options.batch_size))
        return False
    client.push_check = (cursor, server_id)
    try:
        report.add_push(push_outbox(profile.engine, client, options.batch_size))
        return False
    except ServerWentBack:
        return True
    except PushCheckUnknown:
        client.push_check = None
        if _went_back_before_push(profile, client, server_id, cursor):
            return True
        report.add_push(push_outbox(profile.engine, client, options.batch_size))
        return False
    finally:
        client.push_check = None


def _went_back_before_push(
    profile: Profile, client: SyncClient, server_id: uuid.UUID, cursor: int
) -> bool:
    """Asked before sending changes: is the server older than what we have seen?

    After a restore, the versions our changes are based on were handed out by the lost
    database and are handed out again by the restored one: a change sent as is could be
    read as made on top of a colleague's newer value and overwrite it without a trace,
    and an edit of a record the copy lacks would be refused (it is not whole). So the
    outbox is sent only once we know; with nothing waiting, the pull finds out itself.
    """
    if cursor == 0 or outbox.pending_count(profile) == 0:
        return False
    try:
        page = client.pull(cursor, 1)  # only looked at: the pull proper reads it again
    except DeviceRevoked:
        return False  # a laptop ordered erased still sends its changes first (push)
    if page.server_id != server_id:
        raise ServerReplaced()
    return page.restored or (page.next_cursor < cursor and not page.has_more and not page.records)


def _reupload_to_restored(
    profile: Profile,
    client: SyncClient,
    server_id: uuid.UUID,
    options: SyncOptions,
    report: SyncReport,
) -> None:
    """The server went back in time: send everything again, then pull it all again."""
    report.server_restored = True
    with profile.engine.begin() as connection:
        report.reuploaded = adopt.reupload(connection)
        state.put(connection, state.SERVER_RESTORED_AT, utcnow().isoformat())
    report.add_push(push_outbox(profile.engine, client, options.batch_size))
    _pull_all(profile, client, server_id, options, report)


def _remove_left(
    profile: Profile, options: SyncOptions, report: SyncReport, left: set[str] | None = None
) -> int:
    """Cases that left the scope, removed at the end of the pull; past the fail-safe they
    wait for a confirmation (``confirm_removals``). Returns how many wait for it.
    ``left``: the list as the pull last stored it (None: read it)."""
    if left is not None and not left:  # nothing waits: nothing to read either
        report.left_scope_waiting = 0
        return 0
    with writelock.reading(profile.engine).connect() as connection:  # no write lock to look
        if state.get(connection, state.LEFT_SCOPE) in (None, "", "[]"):  # spare the count
            report.left_scope_waiting = 0
            return 0
    with profile.engine.begin() as connection:
        local = connection.execute(
            select(func.count()).select_from(state.model_table(Beneficiary))
        ).scalar_one()
        limit = max(options.removal_floor, int(local * options.removal_share))
        removed, waiting, held = remove_left_cases(
            connection, limit=None if options.confirm_removals else limit
        )
    report.left_scope_removed += removed
    report.left_scope_waiting = waiting
    if removed:  # their case files close, the lists read again
        database = str(profile.database_path)
        changes.BUS.publish(
            changes.Changes(database, frozenset(), source=changes.PULL, cases_removed=True)
        )
    return held


def _pull_all(
    profile: Profile,
    client: SyncClient,
    server_id: uuid.UUID,
    options: SyncOptions,
    report: SyncReport,
    carry: _Carried | None = None,
    pull: PullState | None = None,
    start: _Start | None = None,
) -> bool:
    """Pages are written in transactions of about ``commit_seconds``, cursor included;
    True when the server turned out restored from an older copy (nothing written).
    ``carry``: the access log rode on the first request; its acknowledgement is stored
    with the first page. ``start``: given, the last page's transaction also looks
    whether documents have work (``start.documents``), once every record is in.

    Each transaction holds whole pages and the cursor after the last of them, so a crash
    replays from a page boundary: never a gap, never a page applied twice. Grouping
    pages matters: every commit writes each index page it touched to the WAL again,
    and records in sequence order touch every table; an initial sync committed page by
    page spends most of its time rewriting the same pages.
    """
    pull = pull if pull is not None else PullState()
    with profile.engine.connect() as connection, _pulling(connection) as bulk:
        # A user's save may hold the lock for a moment: the pull waits longer than she does.
        connection.execution_options(**{writelock.WAIT_OPTION: PULL_WRITE_WAIT_SECONDS})
        if pull.start is not None:
            cursor, maybe_fast = pull.start
        else:
            with writelock.reading(profile.engine).connect() as reading:  # no write lock
                cursor = state.get_cursor(reading)
                maybe_fast = may_take_fast_path(reading)  # write lock only if it may be taken
        with (
            fast_path(connection, looked=maybe_fast) as fast,
            PageFeed(client, cursor, _page_size(options, fast), apart=fast) as feed,
        ):
            transaction: RootTransaction | None = None
            started = 0.0
            for page in feed:
                if page.server_id != server_id:
                    raise ServerReplaced()
                went_back = page.next_cursor < cursor and not page.has_more and not page.records
                if page.restored or went_back:
                    # Its last number is below what we already hold: the server was
                    # restored from an older copy. Nothing is written or removed.
                    return True
                if fast or page.has_more:
                    bulk.start()  # a large pull: settings for many pages, once
                if transaction is None:
                    transaction, started = connection.begin(), time.monotonic()
                    # Parents may come later in the same pages: checked at commit.
                    _raw(connection).execute("PRAGMA defer_foreign_keys = ON")
                extra: dict[str, str] = {}
                if carry is not None and not carry.noted:
                    extra = audit_upload.carried_state(client)
                    carry.noted = bool(extra)
                _apply_page(connection, page, pull, report, extra)
                if start is not None and not page.has_more:
                    start.documents = documents.look(connection)
                stop = options.cancel is not None and options.cancel.is_set()
                elapsed = time.monotonic() - started >= options.commit_seconds
                elapsed = elapsed or writelock.WAITERS.count > 0  # a save waits: let it in
                if (
                    elapsed
                    or not page.has_more
                    or stop
                    or not _next_in_time(feed, started, options)
                ):
                    transaction.commit()
                    transaction = None
                    _announce(profile, report)
                    if options.progress is not None:
                        options.progress(report.received_so_far, report.expected)
                    if page.has_more:
                        writelock.pull_yield()  # a save waiting for the lock goes first
                if stop and page.has_more:
                    report.cancelled = True
                    break
    return False


def _page_size(options: SyncOptions, fast: bool) -> int:
    """Full pages for an initial sync's fast path; smaller ones otherwise, since a page and
    its cursor are one transaction: a save made meanwhile waits for at most one small
    page to be written (a full one took 5 s on a loaded 2-core CI machine)."""
    return options.page_size if fast else min(options.page_size, EDITING_PAGE_SIZE)


def _next_in_time(feed: PageFeed, started: float, options: SyncOptions) -> bool:
    """Whether the next page arrives before this commit group must end: the group never
    keeps the write lock while it waits on the server longer than its own time, nor at
    all once a save is waiting (a loaded server may take seconds for a page)."""
    while not feed.ready(NEXT_PAGE_POLL_SECONDS):
        if writelock.WAITERS.count or time.monotonic() - started >= options.commit_seconds:
            return False
    return True


def _announce(profile: Profile, report: SyncReport) -> None:
    """Tell the screens what the pull has committed so far (record types, cases)."""
    if report.changed_types:
        changes.BUS.publish(
            changes.Changes(
                str(profile.database_path),
                frozenset(report.changed_types),
                frozenset(report.changed_cases),
                source=changes.PULL,
            )
        )
        report.changed_types = set()
        report.changed_cases = set()


def _apply_page(
    connection: Connection,
    page: PullResponse,
    pull: PullState,
    report: SyncReport,
    extra: dict[str, str] | None = None,
) -> None:
    """One page and its cursor (with ``extra`` settings), in the caller's transaction.

    Written with Core on a plain connection: ORM change capture never sees it (the
    ``CAPTURE_OFF`` flag is for code that would write pulled data through a Session).
    """
    outcome = PageApplier(connection, pull).apply(page.records)
    # Cases delivered are in scope again; those that left are removed after the last
    # page (fail-safe).
    pull.left = note_page_scope(connection, outcome.case_ids, page.left_scope, pull.left)
    state.put_all(connection, {state.CURSOR: str(page.next_cursor), **(extra or {})})
    _first_sync_progress(connection, page, outcome.applied, report, pull)
    report.pages += 1
    report.received += outcome.applied
    report.kept_local += outcome.merged
    report.held = outcome.held
    report.changed_types |= outcome.record_types
    report.changed_cases |= outcome.case_ids


def _first_sync_progress(
    connection: Connection, page: PullResponse, applied: int, report: SyncReport, pull: PullState
) -> None:
    """Records so far / expected, kept with the cursor so a resumed first sync goes on
    counting where it stopped; forgotten once the last page is in. Read once a pull
    (``pull.first_sync``): only the pull writes them."""
    if page.expected is not None:
        pull.first_sync, pull.first_sync_read = (page.expected, 0), True
        state.put(connection, state.FIRST_SYNC_EXPECTED, str(page.expected))
    elif not pull.first_sync_read:
        expected = state.get(connection, state.FIRST_SYNC_EXPECTED)
        if expected is not None:
            received = int(state.get(connection, state.FIRST_SYNC_RECEIVED) or 0)
            pull.first_sync = (int(expected), received)
        pull.first_sync_read = True
    if pull.first_sync is None:
        return
    expected_total, received = pull.first_sync
    received += applied
    report.expected, report.received_so_far = expected_total, received
    if page.has_more:
        pull.first_sync = (expected_total, received)
        state.put(connection, state.FIRST_SYNC_RECEIVED, str(received))
    else:
        pull.first_sync = None
        state.put(connection, state.FIRST_SYNC_EXPECTED, None)
        state.put(connection, state.FIRST_SYNC_RECEIVED, None)


class _BulkPull:
    """Settings for writing many pulled pages on one connection, restored afterwards.

    ``synchronous = NORMAL``: a page committed just before a power cut may be lost, and
    its cursor with it (same transaction), so it is pulled again: never a gap. The next
    local edit (``FULL``) makes every earlier page durable too, the WAL being sequential.
    A larger page cache spares re-decrypting index pages while thousands of random
    UUID keys are inserted, and no automatic checkpoint runs between pages: each would
    copy the same index pages back into the database again; one checkpoint at the end.

    Taken only once a pull turns out large (a page says more follow, or the initial
    sync's fast path): an incremental sync of a few records keeps the defaults and pays
    none of these statements nor the checkpoint.
    """

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.previous: tuple[int, int] | None = None  # cache_size, wal_autocheckpoint

    def start(self) -> None:
        if self.previous is not None:
            return
        raw = self._raw()  # called between transactions: before a group of pages begins
        raw.execute("PRAGMA synchronous = NORMAL")
        cache = int(raw.execute("PRAGMA cache_size").fetchone()[0])
        raw.execute(f"PRAGMA cache_size = -{PULL_CACHE_KIB}")
        autocheckpoint = int(raw.execute("PRAGMA wal_autocheckpoint").fetchone()[0])
        raw.execute("PRAGMA wal_autocheckpoint = 0")
        self.previous = (cache, autocheckpoint)

    def stop(self) -> None:
        if self.connection.in_transaction():
            self.connection.rollback()
        if self.previous is None:
            return
        raw = self._raw()
        cache, autocheckpoint = self.previous
        raw.execute(f"PRAGMA wal_autocheckpoint = {autocheckpoint}")
        raw.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        raw.execute(f"PRAGMA cache_size = {cache}")
        raw.execute("PRAGMA synchronous = FULL")
        self.previous = None

    def _raw(self) -> Any:
        return _raw(self.connection)


def _raw(connection: Connection) -> Any:
    """The DB-API connection: a pragma through it skips SQLAlchemy's statement machinery."""
    raw = connection.connection.driver_connection
    assert raw is not None
    return raw


@contextlib.contextmanager
def _pulling(connection: Connection) -> Iterator[_BulkPull]:
    """The pull's connection, with :class:`_BulkPull` undone however the pull ends."""
    bulk = _BulkPull(connection)
    try:
        yield bulk
    finally:
        bulk.stop()


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
