"""The unlock guard: limits a server sets on unlocking a laptop, kept in the plaintext header.

Why in plaintext: the wrong-passphrase counter must be checked and raised *before* the
database can be opened (a wrong passphrase yields no key), and the unlock screen shows
how many attempts and offline days are left without the key.

What protects it: the limits and the time of the last server contact are authenticated
with an HMAC keyed from the database key (HKDF), written only while the profile is
open. A changed limit or contact time is therefore detected at the next successful
unlock, and the profile then opens only after the server has been reached again.
The failure counter itself cannot be authenticated (it rises when the key is *not*
known); resetting it, or restoring an older copy of the whole folder, gives a guesser
more tries through the application. That is accepted and documented
(docs/security.md): the real barrier against guessing is Argon2id's cost, which applies
just as much to someone guessing offline on a copy of the header.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

GUARD_KEY_INFO = b"passerelle/unlock-guard/v1"
GUARD_SETTING = "unlock_guard"
"""``profile_setting`` key telling (inside the encrypted database) that a guard was
installed: a header whose guard section was deleted is then recognised as tampered."""
CLOCK_SKEW = timedelta(days=1)
"""A last contact this far in the future means the clock or the header is wrong."""


class UnlockGuard(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    max_failed_unlocks: int = Field(ge=1)
    max_offline_days: int = Field(ge=1)
    last_contact: AwareDatetime
    failed_unlocks: int = Field(default=0, ge=0)  # not authenticated: see the module doc
    mac: str = Field(pattern=r"^[0-9a-f]{64}$")

    @classmethod
    def issue(
        cls,
        database_key: bytes,
        *,
        max_failed_unlocks: int,
        max_offline_days: int,
        last_contact: datetime,
        failed_unlocks: int = 0,
    ) -> UnlockGuard:
        contact = last_contact.astimezone(UTC)
        return cls(
            max_failed_unlocks=max_failed_unlocks,
            max_offline_days=max_offline_days,
            last_contact=contact,
            failed_unlocks=failed_unlocks,
            mac=_mac(database_key, max_failed_unlocks, max_offline_days, contact),
        )

    def is_authentic(self, database_key: bytes) -> bool:
        expected = _mac(
            database_key, self.max_failed_unlocks, self.max_offline_days, self.last_contact
        )
        return hmac.compare_digest(expected, self.mac)

    @property
    def attempts_left(self) -> int:
        return max(self.max_failed_unlocks - self.failed_unlocks, 0)

    def days_left(self, now: datetime) -> float:
        """Days until the laptop must reach the server to unlock (negative: overdue)."""
        deadline = self.last_contact + timedelta(days=self.max_offline_days)
        return (deadline - now).total_seconds() / 86400

    def contact_overdue(self, now: datetime) -> bool:
        if self.last_contact - now > CLOCK_SKEW:
            return True  # a contact "in the future": a moved clock or an edited header
        return self.days_left(now) < 0

    def with_failures(self, failed_unlocks: int) -> UnlockGuard:
        return self.model_copy(update={"failed_unlocks": failed_unlocks})


def _mac(key: bytes, max_failed: int, max_days: int, contact: datetime) -> str:
    mac_key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=GUARD_KEY_INFO).derive(key)
    bound = {
        "max_failed_unlocks": max_failed,
        "max_offline_days": max_days,
        "last_contact": contact.astimezone(UTC).isoformat(),
    }
    message = json.dumps(bound, sort_keys=True, separators=(",", ":")).encode()
    return hmac.new(mac_key, message, hashlib.sha256).hexdigest()
