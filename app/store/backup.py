"""Encrypted backup and restore of a profile.

A backup is a zip holding the header and a page-by-page copy of the database made with
SQLite's online backup API under the same key: everything in it is as encrypted as the
profile itself, and it opens with the passphrase that was current at backup time.
Restoring never overwrites: a profile already in the target folder is moved aside, and
the database name in a backup's header must be a plain file name on every platform
(a crafted ``..\\x`` or ``C:x`` cannot write outside the profile). Backups and restored
profiles are owner-only files.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from app import __version__
from app.i18n import _
from app.store.engine import connect_keyed, integrity_errors
from app.store.errors import CorruptProfile, StoreError
from app.store.header import (
    HEADER_NAME,
    ProfileHeader,
    fsync_directory,
    header_bytes,
    parse_header,
    write_header,
)
from app.store.profile import Profile, is_profile
from passerelle_core.private import create_private_file, private_folder

MANIFEST_NAME = "manifest.json"
# Letters, digits, dot, dash and underscore; a letter or digit first (the database files
# this application names are ``cases-<hex>.db``).
PLAIN_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}", re.ASCII)
BACKUP_FORMAT = "passerelle-backup"


class Manifest(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    format: str
    format_version: int
    app_version: str
    created_at: str
    database: str
    database_sha256: str


def backup(profile: Profile, out: Path) -> Path:
    """Write a backup of ``profile`` to ``out`` (atomically: a partial file never remains)."""
    problems = profile.integrity_errors()
    if problems:
        raise CorruptProfile(_("the profile failed its integrity check; backup refused"))
    out = Path(out)
    staging = out.with_name(f".{out.name}.staging")
    shutil.rmtree(staging, ignore_errors=True)
    private_folder(staging)
    try:
        copy = staging / profile.header.database
        target = profile.keyed_connection(copy)
        try:
            profile.backup_to(target)
        finally:
            target.close()
        manifest = Manifest(
            format=BACKUP_FORMAT,
            format_version=1,
            app_version=__version__,
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
            database=profile.header.database,
            database_sha256=_sha256(copy),
        )
        partial = create_private_file(out.with_name(out.name + ".partial"))
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_STORED) as archive:
            archive.writestr(MANIFEST_NAME, manifest.model_dump_json(indent=2))
            archive.writestr(HEADER_NAME, header_bytes(profile.header))
            archive.write(copy, arcname=profile.header.database)
        with open(partial, "rb") as handle:
            os.fsync(handle.fileno())
        partial.replace(out)
        fsync_directory(out.parent)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return out


def restore(archive_path: Path, folder: Path, passphrase: str) -> Path | None:
    """Restore into ``folder``; returns where a profile that was there has been moved."""
    folder = Path(folder)
    staging = folder.with_name(f".{folder.name}.restoring")
    shutil.rmtree(staging, ignore_errors=True)
    private_folder(staging)
    try:
        header = _extract(Path(archive_path), staging)
        key = header.open_key(passphrase)
        problems = integrity_errors(staging / header.database, key)
        if problems:
            raise CorruptProfile(_("the database in the backup failed its integrity check"))
        connect_keyed(staging / header.database, key).close()
        write_header(staging, header)
        moved_aside = _make_room(folder)
        staging.replace(folder)
        fsync_directory(folder.parent)
        return moved_aside
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _extract(archive_path: Path, staging: Path) -> ProfileHeader:
    try:
        with zipfile.ZipFile(archive_path) as archive:
            manifest = Manifest.model_validate_json(archive.read(MANIFEST_NAME))
            if manifest.format != BACKUP_FORMAT:
                raise CorruptProfile(_("this file is not a Passerelle backup"))
            header = parse_header(archive.read(HEADER_NAME))
            if header.database != manifest.database or not is_plain_file_name(header.database):
                raise CorruptProfile(_("the backup's files do not belong together"))
            target = create_private_file(staging / header.database)
            with archive.open(header.database) as source, open(target, "wb") as sink:
                shutil.copyfileobj(source, sink)
    except FileNotFoundError:
        raise StoreError(_("Backup file not found: {path}").format(path=archive_path)) from None
    except (zipfile.BadZipFile, KeyError, ValidationError, json.JSONDecodeError, EOFError):
        raise CorruptProfile(_("the backup file is damaged or not a Passerelle backup")) from None
    if _sha256(target) != manifest.database_sha256:
        raise CorruptProfile(_("the backup's database does not match its checksum"))
    return header


def is_plain_file_name(name: str) -> bool:
    """A name that stays in its folder on every platform: no separator of any system,
    no drive letter or stream (``:``), no ``..``, nothing Windows would reinterpret."""
    return bool(PLAIN_NAME.fullmatch(name)) and name not in {".", ".."} and not name.endswith(".")


def _make_room(folder: Path) -> Path | None:
    if not folder.exists():
        return None
    if is_profile(folder):
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        aside = folder.with_name(f"{folder.name}.before-restore-{stamp}")
        folder.replace(aside)
        return aside
    if any(folder.iterdir()):
        raise StoreError(
            _("{folder} is not empty and holds no profile: restore refused.").format(folder=folder)
        )
    folder.rmdir()
    return None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
