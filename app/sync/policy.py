"""The administration's policy for this laptop, as last received from the server.

Stored in ``sync_state`` (JSON) so it holds offline: how long the laptop may stay away
from the server before it must reach it to unlock, how many wrong passphrases destroy
the local key, and how long closed cases are kept before anonymisation or purge.
A profile that never synced uses the defaults (generous, as the issue asks). The
policy's schema is shared with the server: :mod:`passerelle_core.policy`.
"""

from __future__ import annotations

from sqlalchemy import Connection

from app.sync import state
from passerelle_core.policy import Policy

__all__ = ["POLICY_KEY", "Policy", "policy_in", "read_policy", "write_policy"]

POLICY_KEY = "policy"


def read_policy(connection: Connection) -> Policy:
    return _parsed(state.get(connection, POLICY_KEY))


def policy_in(settings: dict[str, str]) -> Policy:
    """The stored policy from sync state already read (``state.read_all``)."""
    return _parsed(settings.get(POLICY_KEY))


def _parsed(raw: str | None) -> Policy:
    return Policy.model_validate_json(raw) if raw else Policy()


def write_policy(connection: Connection, policy: Policy) -> None:
    state.put(connection, POLICY_KEY, policy.model_dump_json())
