"""Unlocking a profile from the command line, as the unlock screen does.

Every command that opens a profile comes here: a wrong passphrase is counted and the
next attempt must wait as long as on the unlock screen (:func:`retry_delay_ms`, the
count kept in the profile folder between runs, since each run is a new process); a
right one clears the count and is recorded in the access log ("Profile unlocked"),
like the application's unlock. Reads shown by a command are recorded with
:func:`record_shown`.
"""

from __future__ import annotations

import argparse
import json
import math
import time
import uuid
from collections.abc import Iterable
from pathlib import Path

from app.cli.passphrase import (
    NEW_PASSPHRASE_ENV,
    PASSPHRASE_ENV,
    read_new_passphrase,
    read_passphrase,
)
from app.i18n import _, ngettext
from app.models import AccessAction
from app.services import audit, owner
from app.services.errors import ServiceError
from app.services.passphrase import require_strong, retry_delay_ms
from app.store.errors import ProfileNotFound, WrongPassphrase
from app.store.profile import Profile, is_profile
from app.sync import checkin

WAIT_FILE = "unlock-wait.json"
"""Wrong passphrases so far and the time before which no attempt is made (no secret)."""


class UnlockWait(ServiceError):
    """Too soon after wrong passphrases: the growing wait is not over."""


def open_profile(
    args: argparse.Namespace, *, check_in: bool = True, passphrase: str | None = None
) -> Profile:
    """The profile of ``--profile``, unlocked with the passphrase, the unlock logged.

    ``check_in`` reaches the server when the profile is overdue (as the app does);
    commands that must work offline whatever the guard says pass False.
    """
    folder = Path(args.profile)
    if not is_profile(folder):
        raise ProfileNotFound(str(folder))
    _refuse_while_waiting(folder)
    if passphrase is None:
        passphrase = read_passphrase(args.passphrase_file, _("Passphrase: "))
    try:
        if check_in:
            profile = checkin.open_profile(folder, passphrase)
        else:
            profile = Profile.open(folder, passphrase)
    except WrongPassphrase:
        if folder.is_dir():  # not erased by the guard
            _count_failure(folder)
        raise
    _clear(folder)
    if owner.load_actor(profile.sessions) is not None:
        audit.record_access(owner.owner_context(profile.sessions), AccessAction.UNLOCK, "profile")
    return profile


def new_passphrase(
    file: Path | None,
    env: str = NEW_PASSPHRASE_ENV,
    option: str = "--new-passphrase-file",
) -> str:
    """A new passphrase that meets the policy of the first-run screen, or a refusal."""
    passphrase = read_new_passphrase(file, env=env, option=option)
    require_strong(passphrase)
    return passphrase


def new_profile_passphrase(file: Path | None) -> str:
    """The passphrase of a profile this command creates (``init``, ``enrol``)."""
    return new_passphrase(file, env=PASSPHRASE_ENV, option="--passphrase-file")


def record_shown(profile: Profile, record_type: str, ids: Iterable[uuid.UUID]) -> None:
    """Records whose content a command printed: one "shown" entry each, in one transaction."""
    audit.record_shown(owner.owner_context(profile.sessions), record_type, ids)


def _refuse_while_waiting(folder: Path) -> None:
    failures, until = _read(folder)
    left = until - time.time()
    if failures and left > 0:
        seconds = math.ceil(left)
        raise UnlockWait(
            ngettext(
                "Wrong passphrase too many times: try again in {count} second.",
                "Wrong passphrase too many times: try again in {count} seconds.",
                seconds,
            ).format(count=seconds)
        )


def _count_failure(folder: Path) -> None:
    failures, _until = _read(folder)
    failures += 1
    until = time.time() + retry_delay_ms(failures) / 1000
    _write(folder, {"failures": failures, "until": until})


def _clear(folder: Path) -> None:
    (folder / WAIT_FILE).unlink(missing_ok=True)


def _read(folder: Path) -> tuple[int, float]:
    try:
        data = json.loads((folder / WAIT_FILE).read_text(encoding="utf-8"))
        return int(data["failures"]), float(data["until"])
    except (OSError, ValueError, KeyError, TypeError):
        return 0, 0.0


def _write(folder: Path, data: dict[str, float]) -> None:
    try:
        (folder / WAIT_FILE).write_text(json.dumps(data), encoding="utf-8")
    except OSError:
        pass  # a read-only profile folder: the wait is then the KDF's only
