"""A profile: one folder, one encrypted database, one plaintext header.

``Profile.create`` makes a new one, ``Profile.open`` unlocks it (migrating an older
schema in one transaction), ``change_passphrase`` re-wraps the key (atomic header
swap) and ``rekey`` re-encrypts the whole database under a new key: the new database is
written beside the old one and the header swap is the single atomic step that
switches to it, so a crash at any point leaves one consistent, openable profile.
"""

from __future__ import annotations

import contextlib
import os
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import sqlcipher3
from sqlalchemy import Engine
from sqlalchemy.exc import DatabaseError as SADatabaseError
from sqlalchemy.orm import Session, sessionmaker

from app.i18n import _
from app.models import ProfileSetting
from app.store import migrate, search_index
from app.store.engine import connect_keyed, create_keyed_engine, integrity_errors, key_pragma
from app.store.errors import CorruptProfile, MigrationFailed, ProfileExists, WeakPassphrase
from app.store.header import HEADER_NAME, ProfileHeader, read_header, write_header
from app.store.keys import KdfParams, new_database_key

MIN_PASSPHRASE_LENGTH = 8


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
        self.engine: Engine = create_keyed_engine(self.database_path, key)
        self.sessions: sessionmaker[Session] = sessionmaker(self.engine, expire_on_commit=False)
        self.timings = UnlockTimings(0.0, 0.0)

    # -- lifecycle -------------------------------------------------------------------

    @classmethod
    def create(cls, folder: Path, passphrase: str, kdf: KdfParams | None = None) -> Profile:
        check_passphrase_strength(passphrase)
        folder = Path(folder)
        if is_profile(folder):
            raise ProfileExists(str(folder))
        folder.mkdir(parents=True, exist_ok=True)
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
        return profile

    @classmethod
    def open(cls, folder: Path, passphrase: str) -> Profile:
        folder = Path(folder)
        header = read_header(folder)
        started = time.perf_counter()
        wrapping_key = header.derive_wrapping_key(passphrase)
        kdf_done = time.perf_counter()
        key = header.unwrap(wrapping_key)
        profile = cls.open_with_key(folder, header, key)
        profile.timings = UnlockTimings(kdf_done - started, time.perf_counter() - kdf_done)
        return profile

    @classmethod
    def open_with_key(cls, folder: Path, header: ProfileHeader, key: bytes) -> Profile:
        database = folder / header.database
        if not database.is_file():
            raise CorruptProfile(_("the database file is missing"))
        _remove_leftovers(folder, header)
        connect_keyed(database, key).close()
        profile = cls(folder, header, key)
        try:
            migrate.upgrade(profile.engine)
        except (SADatabaseError, sqlcipher3.DatabaseError):
            profile.close()
            raise MigrationFailed() from None
        return profile

    def close(self) -> None:
        self.engine.dispose()
        self._key = b""

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
        old_path = self.database_path
        write_header(self.folder, header)
        self.header, self._key = header, new_key
        _remove_database(old_path)
        self.engine = create_keyed_engine(self.database_path, new_key)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
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
