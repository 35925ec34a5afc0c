"""What the unlock and lock screens say about a profile's unlock guard.

Read from the plaintext header (no key needed) before unlocking: attempts left before
the local copy is erased, days left before the server must be reached. After
unlocking, :func:`offline_warning` adds what is at stake: changes not yet sent, which
an erase or a long absence would put at risk.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from app.i18n import _, ngettext
from app.models.base import utcnow
from app.store.errors import StoreError
from app.store.header import read_header
from app.store.profile import Profile
from app.sync import outbox

WARN_DAYS = 5
"""Warn after unlocking when fewer days than this are left before server contact."""
WARN_ATTEMPTS = 5
"""Show the attempts left on the unlock screen once this few remain (or any failed)."""


@dataclass(frozen=True)
class UnlockLimits:
    attempts_left: int | None  # None: this profile is never erased for wrong passphrases
    failed: int
    days_left: float | None  # None: no server, no limit


def unlock_limits(folder: Path, now: datetime | None = None) -> UnlockLimits:
    try:
        guard = read_header(Path(folder)).guard
    except (StoreError, OSError):
        return UnlockLimits(None, 0, None)
    if guard is None:
        return UnlockLimits(None, 0, None)
    return UnlockLimits(guard.attempts_left, guard.failed_unlocks, guard.days_left(now or utcnow()))


def unlock_notice(folder: Path, now: datetime | None = None) -> str:
    """One or two lines for the unlock screen, or "" when nothing needs saying."""
    limits = unlock_limits(folder, now)
    lines = []
    if limits.attempts_left is not None and (
        limits.failed > 0 or limits.attempts_left <= WARN_ATTEMPTS
    ):
        lines.append(attempts_text(limits.attempts_left))
    if limits.days_left is not None:
        if limits.days_left < 0:
            lines.append(
                _("This laptop must reach the sync server to unlock: connect to the network.")
            )
        elif limits.days_left < WARN_DAYS:
            lines.append(days_text(limits.days_left))
    return "\n".join(lines)


def offline_warning(profile: Profile, now: datetime | None = None) -> str | None:
    """After unlocking: the deadline is near, and how many changes are not yet sent."""
    guard = profile.header.guard
    if guard is None:
        return None
    days = guard.days_left(now or utcnow())
    if days >= WARN_DAYS:
        return None
    pending = outbox.pending_count(profile)
    text = days_text(max(days, 0.0))
    if pending:
        text += " " + ngettext(
            "{count} change is not yet on the server: sync soon so it is not put at risk.",
            "{count} changes are not yet on the server: sync soon so they are not put at risk.",
            pending,
        ).format(count=pending)
    return text


def attempts_text(attempts_left: int) -> str:
    return ngettext(
        "{count} attempt left before this laptop's copy of the case files is erased; "
        "changes not yet synced would be lost.",
        "{count} attempts left before this laptop's copy of the case files is erased; "
        "changes not yet synced would be lost.",
        attempts_left,
    ).format(count=attempts_left)


def days_text(days_left: float) -> str:
    days = max(math.ceil(days_left), 0)
    return ngettext(
        "This laptop must reach the sync server within {count} day, or it will not unlock.",
        "This laptop must reach the sync server within {count} days, or it will not unlock.",
        days,
    ).format(count=days)
