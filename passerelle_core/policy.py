"""The administration's policy for a laptop, as the server sends it (``GET /api/v1/policy``).

How long the laptop may stay away from the server before it must reach it to unlock,
how many wrong passphrases destroy the local key, how long closed cases are kept before
anonymisation or purge, and the rest below. The laptop keeps the last one received
(``app.sync.policy``); a profile that never synced uses these defaults (generous).
"""

from __future__ import annotations

import hashlib
import uuid

from pydantic import BaseModel, Field

from passerelle_core.enums import RetentionAction


class Policy(BaseModel):
    max_offline_days: int = Field(default=30, ge=1)
    max_failed_unlocks: int = Field(default=10, ge=3)
    retention_days: dict[str, int] = Field(default_factory=dict)  # case state -> days
    # case state -> what happens when its period ends (anonymise when not said)
    retention_actions: dict[str, RetentionAction] = Field(default_factory=dict)
    # Device security (issue 6): how often the laptop renews its device token, and the
    # administration's recovery public key its database key is escrowed for (none: no
    # escrow). The public key is no secret; the private one never reaches the server.
    token_rotation_days: int = Field(default=30, ge=1)
    recovery_public_key: str | None = None
    recovery_key_id: str | None = None
    # The calling account's role and team as the server holds them (issue 15): the
    # laptop acts with these, never with a synced staff record someone else could edit.
    account_role: str | None = None
    account_team_id: uuid.UUID | None = None
    # Anonymised exports (issue 17): every combination of quasi-identifiers in the case
    # list is shared by at least this many rows, and smaller counts in indicator
    # breakdowns are shown as "< k".
    anonymity_k: int = Field(default=5, ge=2, le=100)
    # Attached documents (issue 20): the largest file a laptop may attach, set by the
    # administrator (the server refuses larger contents too).
    max_document_bytes: int = Field(default=20 * 1024 * 1024, ge=1)
    # Likely duplicates (issue 16): pairs scoring at least this (0-100) are proposed, at
    # registration, at import and on the duplicates page.
    duplicate_threshold: int = Field(default=80, ge=50, le=100)
    # Auto-lock (issue 18): the longest delay without input a laptop's user may choose
    # before the window locks itself; the user's own setting applies within it.
    max_idle_lock_minutes: int = Field(default=60, ge=1, le=240)


POLICY_TAG_HEADER = "X-Passerelle-Policy-Tag"
"""Sent with the last page of a pull: the tag of the policy in force for the caller. A
laptop whose stored policy has the same tag skips ``GET /api/v1/policy`` (issue 23: one
round trip less per sync); any difference, or no header (an older server), fetches it."""


def policy_tag(policy: Policy) -> str:
    """A digest of the whole policy as serialised: equal tags, same policy."""
    return hashlib.sha256(policy.model_dump_json().encode("utf-8")).hexdigest()[:32]
