"""Throttling logins per username and per client address: attempts counted before checking.

Every attempt is counted, in the database, *before* its password is checked (one write
transaction taking the rows' locks: SQLite's BEGIN IMMEDIATE, PostgreSQL's FOR UPDATE),
so parallel guesses from many workers cannot all pass the check before any failure is
recorded: at most ``per_user`` passwords of one account are ever checked in a window.
A success gives its attempt back (the username's count is cleared, the address's
lowered by one); a failure keeps it.

The per-address limit is higher (an office shares one address) and, once reached,
blocks the address for ``backoff_seconds``, doubled at every block in a row; a window
without reaching the limit forgives the past blocks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from passerelle_core.columns import utcnow
from server.core.tables import LoginThrottle

USER, ADDRESS = "user:", "addr:"
MAX_STRIKES = 16  # the back-off stops doubling (about 45 days at 60 s)


@dataclass(frozen=True)
class ThrottlePolicy:
    per_user: int
    per_address: int
    window_seconds: int
    backoff_seconds: int = 60

    def keys(self, username: str, address: str) -> dict[str, int]:
        return {f"{USER}{username}": self.per_user, f"{ADDRESS}{address}": self.per_address}


def begin_attempt(
    session: Session, policy: ThrottlePolicy, username: str, address: str
) -> int | None:
    """Count one attempt (in the caller's write transaction): seconds to wait, or None.

    A refused attempt is not counted: it checks no password.
    """
    now = utcnow()
    rows = {key: _row(session, key, now) for key in policy.keys(username, address)}
    waits = []
    for key, limit in policy.keys(username, address).items():
        row = rows[key]
        if row.blocked_until is not None and row.blocked_until > now:
            waits.append(_seconds(row.blocked_until - now))
            continue
        if _expired(row, now, policy):
            if row.failures < limit:
                row.strikes = 0  # a quiet window forgives the past blocks
            row.window_start, row.failures = now, 0
        if row.failures < limit:
            continue
        if key.startswith(ADDRESS):
            block = timedelta(seconds=policy.backoff_seconds * 2 ** min(row.strikes, MAX_STRIKES))
            row.blocked_until = now + block
            row.strikes += 1
            row.window_start, row.failures = row.blocked_until, 0
            waits.append(_seconds(block))
        else:
            end = row.window_start + timedelta(seconds=policy.window_seconds)
            waits.append(_seconds(end - now))
    if waits:
        session.flush()
        return max(waits)
    for row in rows.values():
        row.failures += 1
    session.flush()
    return None


def end_attempt(
    session: Session, policy: ThrottlePolicy, username: str, address: str, *, ok: bool
) -> None:
    """A checked attempt's outcome: a success gives its attempt back, a failure keeps it."""
    if not ok:
        return
    keys = list(policy.keys(username, address))
    user = _locked(session, keys[0])
    if user is not None:
        session.delete(user)
    place = _locked(session, keys[1])
    if place is not None and place.failures > 0:
        place.failures -= 1
    session.flush()


def _row(session: Session, key: str, now: datetime) -> LoginThrottle:
    row = _locked(session, key)
    if row is not None:
        return row
    try:
        with session.begin_nested():
            session.add(LoginThrottle(key=key, window_start=now, failures=0, strikes=0))
    except IntegrityError:  # another worker counted the first attempt meanwhile
        pass
    row = _locked(session, key)
    assert row is not None
    return row


def _locked(session: Session, key: str) -> LoginThrottle | None:
    return session.scalar(
        select(LoginThrottle)
        .where(LoginThrottle.key == key)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def _expired(row: LoginThrottle, now: datetime, policy: ThrottlePolicy) -> bool:
    return now - row.window_start >= timedelta(seconds=policy.window_seconds)


def _seconds(delta: timedelta) -> int:
    return max(1, int(delta.total_seconds() + 0.999))
