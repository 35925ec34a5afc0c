"""Argon2id password hashing with parameters from settings.

The defaults are argon2-cffi's (RFC 9106 low-memory profile); only tests lower them.
Verifying an unknown username still spends one verification against a dummy hash,
so response times do not tell which usernames exist.
"""

from __future__ import annotations

import uuid

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from server.core.settings import ServerSettings


class Passwords:
    def __init__(self, time_cost: int, memory_kib: int, parallelism: int) -> None:
        self._hasher = PasswordHasher(
            time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism
        )
        self._dummy: str | None = None

    @classmethod
    def from_settings(cls, settings: ServerSettings) -> Passwords:
        return cls(
            settings.password_time_cost,
            settings.password_memory_kib,
            settings.password_parallelism,
        )

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str | None, password: str) -> bool:
        if self._dummy is None:
            self._dummy = self._hasher.hash(uuid.uuid4().hex)
        try:
            return self._hasher.verify(password_hash or self._dummy, password) and bool(
                password_hash
            )
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        return self._hasher.check_needs_rehash(password_hash)
