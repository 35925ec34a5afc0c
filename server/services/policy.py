"""The policy a laptop receives: unlock limits, token rotation, the recovery public key.

The numbers come from the server's settings (``PASSERELLE_SERVER_MAX_OFFLINE_DAYS``...),
the recovery key from the database (:mod:`server.services.escrow`), the retention
periods from :mod:`server.services.retention`.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from passerelle_core.policy import Policy
from passerelle_core.protocol import UserInfo
from server.core.settings import ServerSettings
from server.services.escrow import recovery_key
from server.services.retention import retention_policy


def device_policy(
    session: Session, settings: ServerSettings, account: UserInfo | None = None
) -> Policy:
    """The policy, with the calling ``account``'s role and team when given."""
    key = recovery_key(session)
    return Policy(
        account_role=account.role if account else None,
        account_team_id=account.team_id if account else None,
        max_offline_days=settings.max_offline_days,
        max_failed_unlocks=settings.max_failed_unlocks,
        token_rotation_days=settings.token_rotation_days,
        anonymity_k=settings.anonymity_k,
        max_document_bytes=settings.max_document_mb * 1024 * 1024,
        duplicate_threshold=settings.duplicate_threshold,
        max_idle_lock_minutes=settings.max_idle_lock_minutes,
        recovery_public_key=key.public_key if key else None,
        recovery_key_id=key.key_id if key else None,
        **retention_policy(session),
    )
