"""Throttling failed logins per username and per client address (fixed windows).

Counted in the database, not in memory, so every worker of a multi-process server
sees the same counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.models.base import utcnow
from server.core.tables import LoginThrottle


@dataclass(frozen=True)
class ThrottlePolicy:
    per_user: int
    per_address: int
    window_seconds: int

    def keys(self, username: str, address: str) -> dict[str, int]:
        return {f"user:{username}": self.per_user, f"addr:{address}": self.per_address}


def retry_after(
    session: Session, policy: ThrottlePolicy, username: str, address: str
) -> int | None:
    """Seconds to wait when a limit is reached, else None."""
    now = utcnow()
    waits = []
    for key, limit in policy.keys(username, address).items():
        row = session.get(LoginThrottle, key)
        if row is None or _expired(row, now, policy):
            continue
        if row.failures >= limit:
            end = row.window_start + timedelta(seconds=policy.window_seconds)
            waits.append(max(1, int((end - now).total_seconds())))
    return max(waits) if waits else None


def record_failure(session: Session, policy: ThrottlePolicy, username: str, address: str) -> None:
    now = utcnow()
    for key in policy.keys(username, address):
        row = _locked(session, key)
        if row is None:
            try:
                with session.begin_nested():
                    session.add(LoginThrottle(key=key, window_start=now, failures=1))
                continue
            except IntegrityError:  # another worker counted the first failure meanwhile
                row = _locked(session, key)
        if row is None:
            continue
        if _expired(row, now, policy):
            row.window_start, row.failures = now, 1
        else:
            row.failures += 1
    session.flush()


def clear_user(session: Session, username: str) -> None:
    """A successful login forgives the username's failures (not the address's)."""
    row = session.get(LoginThrottle, f"user:{username}")
    if row is not None:
        session.delete(row)


def _locked(session: Session, key: str) -> LoginThrottle | None:
    return session.scalar(select(LoginThrottle).where(LoginThrottle.key == key).with_for_update())


def _expired(row: LoginThrottle, now: datetime, policy: ThrottlePolicy) -> bool:
    return now - row.window_start >= timedelta(seconds=policy.window_seconds)
