"""What an operator does for a stuck user: a new password, the account back, the lock lifted.

Each is one write transaction; the username is normalised as at login. Lifting a lock
clears the user's login count (and an address's, when given): the right password is
accepted at once instead of after the throttle's window.
"""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from server.core.db import write_transaction
from server.core.tables import LoginThrottle, ServerUser
from server.services.accounts import MIN_PASSWORD_LENGTH, normalise_username
from server.services.errors import ServiceError
from server.services.passwords import Passwords
from server.services.throttle import ADDRESS, USER


def reset_password(session: Session, username: str, password: str, passwords: Passwords) -> str:
    """Replace the password (and lift the login lock, which the old one may have caused)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ServiceError(f"a password has at least {MIN_PASSWORD_LENGTH} characters")
    password_hash = passwords.hash(password)
    with write_transaction(session):
        user = _user(session, username)
        user.password_hash = password_hash
        _clear(session, [USER + user.username])
        return user.username


def enable_user(session: Session, username: str) -> str:
    """Undo ``user disable``: the account may log in and enrol again."""
    with write_transaction(session):
        user = _user(session, username)
        user.disabled = False
        return user.username


def unlock_user(session: Session, username: str, address: str | None = None) -> int:
    """Forget the failed logins of ``username`` (and of ``address``): rows cleared."""
    with write_transaction(session):
        user = _user(session, username)
        keys = [USER + user.username] + ([ADDRESS + address.strip()] if address else [])
        return _clear(session, keys)


def _user(session: Session, username: str) -> ServerUser:
    user = session.scalar(
        select(ServerUser).where(ServerUser.username == normalise_username(username))
    )
    if user is None:
        raise ServiceError(f"no user {username!r}", "not_found")
    return user


def _clear(session: Session, keys: list[str]) -> int:
    result = session.execute(delete(LoginThrottle).where(LoginThrottle.key.in_(keys)))
    return int(getattr(result, "rowcount", 0) or 0)
