"""A profile: one folder, one encrypted database, one plaintext header.

``Profile.create`` makes a new one, ``Profile.open`` unlocks it (migrating an older
schema in one transaction), ``change_passphrase`` re-wraps the key (atomic header
swap) and ``rekey`` re-encrypts the whole database under a new key: the new database is
written beside the old one and the header swap is the single atomic step that
switches to it, so a crash at any point leaves one consistent, openable profile.

A profile enrolled with a server also carries an unlock guard (:mod:`app.store.guard`):
wrong passphrases are counted and destroy the key at the server's limit, and a laptop
away from the server too long opens only through ``check_in`` (the sync layer's call to
the server), which this module knows only as a callable: the store stays below sync.
"""

from __future__ import annotations

import contextlib
import enum
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import sqlcipher3
from sqlalchemy import Engine, select
from sqlalchemy.exc import DatabaseError as SADatabaseError
from sqlalchemy.orm import Session, sessionmaker

from app.i18n import _
from app.models import ProfileSetting
from app.models.base import utcnow
from app.store import deferred_indexes, escrow, live, lockout, migrate, search_index
from app.store.engine import connect_keyed, create_keyed_engine, integrity_errors, key_pragma
from app.store.errors import (
    CorruptProfile,
    KeyDestroyed,
    MigrationFailed,
    ProfileExists,
    ServerContactRequired,
    WeakPassphrase,
    WrongPassphrase,
)
from app.store.guard import GUARD_SETTING, UnlockGuard
from app.store.header import HEADER_NAME, ProfileHeader, read_header, write_header
from app.store.keys import KdfParams, new_database_key
from passerelle_core.private import private_folder, restrict_tree

MIN_PASSPHRASE_LENGTH = 8


class GuardState(enum.Enum):
    """Whether an unlocked profile may be used without reaching the server first."""

    OPEN = "open"  # no guard (local only), or within its limits
    OVERDUE = "overdue"  # too many days since the last server contact
    TAMPERED = "tampered"  # the guard was edited or removed: trust it no more


CheckIn = Callable[["Profile"], None]
"""Reach the server for an unlocked profile (the sync layer's); raises when it cannot."""


@dataclass(frozen=True)
class UnlockTimings:
    kdf_seconds: float
    open_seconds: float


def check_passphrase_strength(passphrase: str) -> None:
    if len(passphrase) < MIN_PASSPHRASE_LENGTH:
        raise WeakPassphrase(MIN_PASSPHRASE_LENGTH)


def is_profile(folder: Path) -> bool:
    return (folder / HEADER_NAME).is_file()


class Profile:
    """An unlocked profile. Close it (or use it as a context manager) to drop the key."""

    def __init__(self, folder: Path, header: ProfileHeader, key: bytes) -> None:
        self.folder = folder
        self.header = header
        self._key = key
        self._header_lock = threading.Lock()  # sync (guard) vs. lock screen (counter)
        self.engine: Engine = create_keyed_engine(self.database_path, key)
        self.sessions: sessionmaker[Session] = sessionmaker(self.engine, expire_on_commit=False)
        live.install(self.sessions)
        _install_flush_pipeline(self.sessions)
        self.timings = UnlockTimings(0.0, 0.0)

    # -- lifecycle -------------------------------------------------------------------

    @classmethod
    def create(cls, folder: Path, passphrase: str, kdf: KdfParams | None = None) -> Profile:
        check_passphrase_strength(passphrase)
        folder = Path(folder)
        if is_profile(folder):
            raise ProfileExists(str(folder))
        private_folder(folder)
        key = new_database_key()
        database = _database_name()
        header = ProfileHeader.seal(key, passphrase, kdf or KdfParams.calibrated(), database)
        connect_keyed(folder / database, key).close()
        profile = cls(folder, header, key)
        try:
            migrate.upgrade(profile.engine)
            with profile.sessions.begin() as session:
                session.add(ProfileSetting(key="device_id", value=str(uuid.uuid4())))
        except BaseException:
            profile.close()
            (folder / database).unlink(missing_ok=True)
            raise
        # The header is written last: until it exists the folder is not a profile.
        write_header(folder, header)
        restrict_tree(folder)
        return profile

    @classmethod
    def open(
        cls,
        folder: Path,
        passphrase: str,
        *,
        check_in: CheckIn | None = None,
        now: datetime | None = None,
    ) -> Profile:
        """Unlock; a wrong passphrase counts against the guard (the key goes at its limit).

        A profile overdue for server contact, or whose guard was tampered with, is
        returned only once ``check_in`` reached the server; without one (or when it
        fails) it is closed again and :class:`ServerContactRequired` is raised.
        """
        folder = Path(folder)
        header = read_header(folder)
        started = time.perf_counter()
        wrapping_key = header.derive_wrapping_key(passphrase)
        kdf_done = time.perf_counter()
        try:
            key = header.unwrap(wrapping_key)
        except WrongPassphrase:
            left, _counted = lockout.record_failure(folder, header)
            raise WrongPassphrase(left) from None
        header = lockout.reset_failures(folder, header)
        profile = cls.open_with_key(folder, header, key)
        profile.timings = UnlockTimings(kdf_done - started, time.perf_counter() - kdf_done)
        try:
            profile._enforce_guard(check_in, now)
        except BaseException:
            profile.close()
            raise
        return profile

    @classmethod
    def open_with_key(cls, folder: Path, header: ProfileHeader, key: bytes) -> Profile:
        database = folder / header.database
        if not database.is_file():
            raise CorruptProfile(_("the database file is missing"))
        _remove_leftovers(folder, header)
        restrict_tree(folder)  # also profiles made before files were owner-only
        connect_keyed(database, key).close()
        profile = cls(folder, header, key)
        try:
            # An initial sync's fast path cut short (a kill): indexes back before any use.
            deferred_indexes.restore_pending(profile.engine)
            migrate.upgrade(profile.engine)
        except (SADatabaseError, sqlcipher3.DatabaseError):
            profile.close()
            raise MigrationFailed() from None
        return profile

    def close(self) -> None:
        self.engine.dispose()
        self._key = b""

    # -- the unlock guard -------------------------------------------------------------

    def guard_state(self, now: datetime | None = None) -> GuardState:
        guard = self.header.guard
        if guard is None:
            with self.sessions.begin() as session:
                installed = session.scalar(
                    select(ProfileSetting.value).where(ProfileSetting.key == GUARD_SETTING)
                )
            return GuardState.TAMPERED if installed else GuardState.OPEN
        if not guard.is_authentic(self._key):
            return GuardState.TAMPERED
        return GuardState.OVERDUE if guard.contact_overdue(now or utcnow()) else GuardState.OPEN

    def _enforce_guard(self, check_in: CheckIn | None, now: datetime | None) -> None:
        state = self.guard_state(now)
        if state is GuardState.OPEN:
            return
        if check_in is not None:
            check_in(self)
            if self.guard_state(now) is GuardState.OPEN:
                return
        raise ServerContactRequired(tampered=state is GuardState.TAMPERED)

    def record_server_contact(
        self, *, max_failed_unlocks: int, max_offline_days: int, at: datetime | None = None
    ) -> None:
        """The server confirmed this device (a sync, a check-in): renew the guard."""
        with self._header_lock:
            current = self.header.guard
            guard = UnlockGuard.issue(
                self._key,
                max_failed_unlocks=max_failed_unlocks,
                max_offline_days=max_offline_days,
                last_contact=at or utcnow(),
                failed_unlocks=current.failed_unlocks if current is not None else 0,
            )
            header = self.header.with_guard(guard)
            write_header(self.folder, header)  # first: a marker without header is "tampered"
            self.header = header
        if current is None:
            with self.sessions.begin() as session:
                if session.get(ProfileSetting, GUARD_SETTING) is None:
                    session.add(ProfileSetting(key=GUARD_SETTING, value="1"))

    def verify_passphrase(self, passphrase: str) -> None:
        """The lock screen's check: counts a failure like an unlock, keeps nothing.

        Raises :class:`WrongPassphrase` (with the attempts left) or, on the last allowed
        failure, :class:`KeyDestroyed` once the profile is closed and its files destroyed.
        """
        header = self.header
        try:
            header.open_key(passphrase)
        except WrongPassphrase:
            with self._header_lock:
                try:
                    left, self.header = lockout.record_failure(self.folder, self.header)
                except KeyDestroyed:
                    self.close()
                    raise
            raise WrongPassphrase(left) from None
        with self._header_lock:
            self.header = lockout.reset_failures(self.folder, self.header)

    def sealed_key(self, public_key: str, device_id: uuid.UUID) -> escrow.SealedKey:
        """This profile's key sealed for the administration's recovery public key."""
        return escrow.seal_key(self._key, public_key, device_id)

    def __enter__(self) -> Profile:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- sessions ---------------------------------------------------------------------

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: committed on success, rolled back on any error."""
        with self.sessions.begin() as session:
            yield session

    # -- keys -------------------------------------------------------------------------

    @property
    def database_path(self) -> Path:
        return self.folder / self.header.database

    def change_passphrase(self, new_passphrase: str, kdf: KdfParams | None = None) -> None:
        """Re-wrap the same database key: only the header changes, atomically."""
        check_passphrase_strength(new_passphrase)
        params = kdf or self.header.kdf.params
        header = ProfileHeader.seal(self._key, new_passphrase, params, self.header.database)
        with self._header_lock:
            header = header.with_guard(self.header.guard)  # same key: its MAC still holds
            write_header(self.folder, header)
            self.header = header

    def rekey(self, passphrase: str) -> None:
        """Re-encrypt every page under a fresh key (for a suspected key compromise)."""
        new_key = new_database_key()
        new_name = _database_name()
        new_path = self.folder / new_name
        self.engine.dispose()
        source = connect_keyed(self.database_path, self._key)
        try:
            source.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            attach = f"ATTACH DATABASE ? AS rekeyed KEY \"x'{new_key.hex()}'\""
            source.execute(attach, (str(new_path),))
            source.execute("SELECT sqlcipher_export('rekeyed')")
            version = source.execute("PRAGMA user_version").fetchone()[0]
            source.execute(f"PRAGMA rekeyed.user_version = {int(version)}")
            source.execute("DETACH DATABASE rekeyed")
        finally:
            source.close()
        _fsync_file(new_path)
        if integrity_errors(new_path, new_key):
            new_path.unlink()
            raise CorruptProfile(_("the re-encrypted copy failed its integrity check"))
        header = ProfileHeader.seal(new_key, passphrase, self.header.kdf.params, new_name)
        old = self.header.guard
        if old is not None:  # the guard's MAC follows the key; the counter starts again
            guard = UnlockGuard.issue(
                new_key,
                max_failed_unlocks=old.max_failed_unlocks,
                max_offline_days=old.max_offline_days,
                last_contact=old.last_contact,
            )
            header = header.with_guard(guard if old.is_authentic(self._key) else None)
        old_path = self.database_path
        with self._header_lock:
            write_header(self.folder, header)
            self.header, self._key = header, new_key
        _remove_database(old_path)
        self.engine = create_keyed_engine(self.database_path, new_key)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        live.install(self.sessions)
        _install_flush_pipeline(self.sessions)
        with self.engine.begin() as connection:
            search_index.rebuild(connection)

    def integrity_errors(self) -> list[str]:
        return integrity_errors(self.database_path, self._key)

    def backup_to(self, target: sqlcipher3.Connection) -> None:
        """Copy every page with SQLite's online backup API into a connection keyed alike."""
        source = connect_keyed(self.database_path, self._key)
        try:
            source.backup(target)
        finally:
            source.close()

    def keyed_connection(self, path: Path) -> sqlcipher3.Connection:
        """A connection to another file under this profile's key (backups)."""
        connection = sqlcipher3.connect(str(path), isolation_level=None)
        connection.execute("PRAGMA cipher_log_level = NONE")
        connection.execute(key_pragma(self._key))
        return connection


def _database_name() -> str:
    return f"cases-{uuid.uuid4().hex[:12]}.db"


def _remove_leftovers(folder: Path, header: ProfileHeader) -> None:
    """Delete databases left by an interrupted re-key (the header names the live one)."""
    for candidate in folder.glob("cases-*.db"):
        if candidate.name != header.database:
            _remove_database(candidate)
    (folder / (HEADER_NAME + ".tmp")).unlink(missing_ok=True)


def _remove_database(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def _fsync_file(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def _install_flush_pipeline(sessions: sessionmaker[Session]) -> None:
    """Outbox, access log, author stamp and change notices on this profile's sessions.

    Imported here, late: the pipeline belongs to the service layer, which imports the store.
    """
    from app.services import flush_pipeline

    flush_pipeline.install(sessions)
