"""Counting wrong passphrases, and destroying the local key when a guard's limit is hit.

Only a profile with a guard (enrolled with a server, see :mod:`app.store.guard`) counts
failures: its cases come back from the server after re-enrolment. A local-only profile
has nowhere to come back from, so it keeps the growing wait of the unlock screen only.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path

from app.store.errors import KeyDestroyed
from app.store.header import HEADER_NAME, ProfileHeader, fsync_directory, write_header


def record_failure(folder: Path, header: ProfileHeader) -> tuple[int | None, ProfileHeader]:
    """Count one wrong passphrase: the attempts left (None: unguarded) and the new header.

    Raises :class:`KeyDestroyed` (after destroying the key) on the last allowed failure.
    """
    guard = header.guard
    if guard is None:
        return None, header
    failures = guard.failed_unlocks + 1
    if failures >= guard.max_failed_unlocks:
        destroy_key(folder)
        raise KeyDestroyed()
    counted = header.with_guard(guard.with_failures(failures))
    write_header(folder, counted)
    return guard.max_failed_unlocks - failures, counted


def reset_failures(folder: Path, header: ProfileHeader) -> ProfileHeader:
    """After a right passphrase: the counter back to zero (written only if it was not)."""
    if header.guard is None or header.guard.failed_unlocks == 0:
        return header
    reset = header.with_guard(header.guard.with_failures(0))
    write_header(folder, reset)
    return reset


def destroy_key(folder: Path) -> None:
    """Overwrite the wrapped key, remove it, then the rest of the profile folder.

    The header goes first and is overwritten in place before it is unlinked: once it is
    gone nothing can open the database, even if removing the other files fails (an
    open file on Windows) or the laptop dies half-way.
    """
    folder = Path(folder)
    header = folder / HEADER_NAME
    if header.exists():
        size = max(header.stat().st_size, 1)
        with open(header, "r+b") as handle:
            handle.write(os.urandom(size))
            handle.flush()
            os.fsync(handle.fileno())
        header.unlink()
        with contextlib.suppress(OSError):
            fsync_directory(folder)
    shutil.rmtree(folder, ignore_errors=True)
