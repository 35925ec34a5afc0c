"""The policy a laptop receives: unlock limits, token rotation, the recovery public key.

The numbers come from the server's settings (``PASSERELLE_SERVER_MAX_OFFLINE_DAYS``...),
the recovery key from the database (:mod:`server.services.escrow`), the retention
periods from :mod:`server.services.retention`.

Every pull's last page states the caller's policy tag (``server.api.routes.sync``), so
this runs for nearly every request of a sync: what it reads from the database is read
in one statement, as plain rows.
"""

from __future__ import annotations

from sqlalchemy import literal, select, true
from sqlalchemy.orm import Session

from passerelle_core.policy import Policy
from passerelle_core.protocol import UserInfo
from server.core.db import reads
from server.core.settings import ServerSettings
from server.core.tables import RecoveryKey, RetentionRule
from server.services.escrow import RECOVERY_KEY_ROW
from server.services.retention import retention_fields

_ONE = select(literal(1).label("one")).subquery()
_POLICY_ROWS = (
    select(
        RecoveryKey.key_id,
        RecoveryKey.public_key,
        RetentionRule.case_state,
        RetentionRule.days,
        RetentionRule.action,
    )
    .select_from(_ONE)
    .outerjoin(RecoveryKey, RecoveryKey.id == RECOVERY_KEY_ROW)
    .outerjoin(RetentionRule, true())
    .order_by(RetentionRule.case_state)
)
"""The recovery key (or nulls) beside each retention rule, at least one row: one statement."""


def device_policy(
    session: Session, settings: ServerSettings, account: UserInfo | None = None
) -> Policy:
    """The policy, with the calling ``account``'s role and team when given."""
    with reads(session) as connection:
        rows = connection.execute(_POLICY_ROWS).all()
    key = rows[0]
    rules = [(row.case_state, row.days, row.action) for row in rows if row.case_state is not None]
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
        recovery_public_key=key.public_key,
        recovery_key_id=key.key_id,
        **retention_fields(rules),
    )
