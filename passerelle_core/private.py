"""Files only their owner can read: profile folders 0700, their files and exports 0600.

Another account on the same computer must not copy a profile's header or database for
offline guessing, nor read an export. On POSIX this is the mode bits (SQLite gives its
-wal and -shm files the database file's mode); on Windows the profile lives under the
user's own application data folder, whose ACL already excludes other users
(docs/security.md, "Files"), and these calls change nothing.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

PRIVATE_FOLDER = 0o700
PRIVATE_FILE = 0o600
POSIX = os.name == "posix"


def restrict(path: Path) -> None:
    """Owner-only mode for one file or folder (not through a symbolic link)."""
    if not POSIX:
        return
    with contextlib.suppress(FileNotFoundError):
        mode = os.lstat(path).st_mode
        if stat.S_ISLNK(mode):
            return
        os.chmod(path, PRIVATE_FOLDER if stat.S_ISDIR(mode) else PRIVATE_FILE)


def private_folder(folder: Path) -> Path:
    """Create ``folder`` (and parents) if needed; the folder itself is owner-only."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True, mode=PRIVATE_FOLDER)
    restrict(folder)
    return folder


def restrict_tree(folder: Path) -> None:
    """The folder and every file directly in it owner-only (a profile's layout)."""
    restrict(folder)
    with contextlib.suppress(FileNotFoundError):
        for entry in Path(folder).iterdir():
            restrict(entry)


def create_private_file(path: Path) -> Path:
    """Create (or empty) ``path`` as an owner-only file, before anything is written to it."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
    try:
        if POSIX:
            os.fchmod(fd, PRIVATE_FILE)
    finally:
        os.close(fd)
    return Path(path)
