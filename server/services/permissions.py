"""The role table (:mod:`app.security.permissions`) applied to the changes laptops push.

The laptop refuses these operations before they happen; the server refuses them again
when a change arrives, so that an outdated or modified client cannot do more than the
table allows. A refusal is permanent: no retry makes a role change.

What each change means is read from the record's state before and after it:
a plan becoming active from draft or submission in a team that approves plans is an
approval; setting ``approved_by_id`` is an approval; a plan or a case becoming closed
is a closing; a new consent or a withdrawal is recording consent; a new referral is a
referral. Writing a psychologist-only record needs the right to hold one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from app.models.enums import CaseStatus, PlanStatus
from app.security.permissions import Permission, allows
from server.core.tables import Record
from server.services.errors import Rejected
from server.services.scope import BENEFICIARY, Placement, Viewer

PLAN = "action_plan"
CONSENT = "consent_record"
REFERRAL = "referral"
TEAM = "team"
BEFORE_APPROVAL = frozenset({None, PlanStatus.DRAFT.value, PlanStatus.AWAITING_APPROVAL.value})


def check_change(
    session: Session,
    viewer: Viewer,
    record_type: str,
    current: Mapping[str, Any] | None,
    values: Mapping[str, Any],
    placement: Placement,
) -> None:
    """Rejected (permanent) when the pushing user's role may not make this change.

    ``current`` is the stored record's data (None for a creation), ``values`` the pushed
    fields, ``placement`` where the record belongs.
    """
    for permission in needed(session, record_type, current or {}, values, placement):
        if not allows(viewer.role, permission):
            raise Rejected(f"the role {viewer.role} may not {permission.value.replace('_', ' ')}")


def needed(
    session: Session,
    record_type: str,
    current: Mapping[str, Any],
    values: Mapping[str, Any],
    placement: Placement,
) -> list[Permission]:
    def becomes(name: str, value: str) -> bool:
        return values.get(name, current.get(name)) == value and current.get(name) != value

    def sets(name: str) -> bool:
        return name in values and values[name] is not None and values[name] != current.get(name)

    wanted: list[Permission] = []
    if placement.restricted:
        wanted.append(Permission.HOLD_RESTRICTED_RECORDS)
    if record_type == PLAN:
        if becomes("status", PlanStatus.ACTIVE.value):
            wanted.append(Permission.ACTIVATE_PLAN)
            if current.get("status") in BEFORE_APPROVAL and (
                current.get("status") == PlanStatus.AWAITING_APPROVAL.value
                or _team_approves_plans(session, placement)
            ):
                wanted.append(Permission.APPROVE_PLAN)
        if sets("approved_by_id"):
            wanted.append(Permission.APPROVE_PLAN)
        if becomes("status", PlanStatus.CLOSED.value):
            wanted.append(Permission.CLOSE_PLAN)
    elif record_type == BENEFICIARY and becomes("case_status", CaseStatus.CLOSED.value):
        wanted.append(Permission.CLOSE_CASE)
    elif record_type == CONSENT and (not current or sets("withdrawn_on")):
        wanted.append(Permission.RECORD_CONSENT)
    elif record_type == REFERRAL and not current:
        wanted.append(Permission.REFER)
    return wanted


def _team_approves_plans(session: Session, placement: Placement) -> bool:
    if placement.team_id is None:
        return False
    team = session.get(Record, (TEAM, placement.team_id))
    return team is not None and not team.deleted and bool(team.data.get("requires_plan_approval"))
