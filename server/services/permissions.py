"""The role table and the lifecycle rules applied to the changes laptops push.

The laptop refuses these operations before they happen; the server refuses them again
when a change arrives, from the same source (:mod:`passerelle_core.lifecycle` and
:mod:`passerelle_core.permissions`), so that an outdated or modified client cannot do more
than the table allows. A refusal is permanent: no retry makes a role change.

Checked for every change: the write itself (``WRITES``: organisation records are the
administrators', partners the roles the table names, a meeting its organiser's and the
supervisors'), holding a psychologist-only record, and what the change means from the
record's state before and after it: a plan moving along its lifecycle (every path into
``active``), approving, closing a plan or a case, recording or withdrawing consent, a
referral (which also needs the beneficiary's consent to share with that partner).
A session note, once written, never changes (but for its erasure by retention, in a
closed case, by a role that runs retention).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from passerelle_core.enums import AppointmentStatus, CaseStatus, ConsentPurpose, PlanStatus
from passerelle_core.erasure import BLANK
from passerelle_core.lifecycle import (
    CREATE,
    ORGANISER_MAY,
    UPDATE,
    may_reach,
    write_permission,
)
from passerelle_core.permissions import Permission
from passerelle_core.permissions import allows as _table_allows
from server.core.tables import Record
from server.services import lookups
from server.services.errors import Rejected
from server.services.scope import BENEFICIARY, Placement, Viewer
from server.services.wire import DELETED_FIELD, META_FIELDS

PLAN = "action_plan"
CONSENT = "consent_record"
REFERRAL = "referral"
TEAM = "team"
MEETING = "coordination_meeting"
NOTE = "session_note"
QUICK_NOTE = "quick_note"
APPOINTMENT = "appointment"
NOTES = frozenset({NOTE, QUICK_NOTE})  # append-only: written once, never changed


@cache
def allows(role: str, permission: Permission) -> bool:
    """The role table's answer, kept per role and permission (the table is fixed: asked
    two or three times per pushed change, each reading the role's enum afresh)."""
    return _table_allows(role, permission)


_reachable = cache(may_reach)
"""``may_reach`` kept per role, statuses and approval (a walk of the fixed plan steps,
once per plan pushed)."""


def check_change(
    session: Session,
    viewer: Viewer,
    record_type: str,
    current: Mapping[str, Any] | None,
    values: Mapping[str, Any],
    placement: Placement,
    operation: str = UPDATE,
) -> None:
    """Rejected (permanent) when the pushing user's role may not make this change.

    ``current`` is the stored record's data (None for a creation), ``values`` the pushed
    fields, ``placement`` where the record belongs, ``operation`` create/update/delete.
    """
    before = current or {}
    if operation == UPDATE and not _changes(before, values):
        return  # a resend of what is stored writes nothing
    write = write_permission(record_type, operation)
    if (
        not allows(viewer.role, write)
        and not _organiser(session, viewer, record_type, before, values)
        and not _retention_erasure(session, viewer, record_type, before, values, placement)
    ):
        _refuse(viewer, write)
    for permission in needed(record_type, before, values, placement):
        if not allows(viewer.role, permission):
            _refuse(viewer, permission)
    if record_type == PLAN:
        _check_plan_path(session, viewer, current, values, placement)
    if record_type == REFERRAL and current is None:
        _check_referral_consent(session, values)
    if record_type == APPOINTMENT:
        _check_appointment(session, current, values, placement)


def _refuse(viewer: Viewer, permission: Permission) -> None:
    raise Rejected(f"the role {viewer.role} may not {permission.value.replace('_', ' ')}")


def needed(
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
        if sets("approved_by_id"):
            wanted.append(Permission.APPROVE_PLAN)
    elif record_type == BENEFICIARY and becomes("case_status", CaseStatus.CLOSED.value):
        wanted.append(Permission.CLOSE_CASE)
    elif record_type == CONSENT and (not current or sets("withdrawn_on")):
        wanted.append(Permission.RECORD_CONSENT)
    elif record_type == REFERRAL and not current:
        wanted.append(Permission.REFER)
    if record_type == BENEFICIARY and _moves_team(current, values):
        wanted.append(Permission.TRANSFER_CASE)  # a transfer (issue 20): supervisors'
    return wanted


def _moves_team(current: Mapping[str, Any], values: Mapping[str, Any]) -> bool:
    """An existing case handed to another team (placing a case that had none is not)."""
    before = current.get("team_id")
    return before is not None and "team_id" in values and values["team_id"] != before


def _changes(current: Mapping[str, Any], values: Mapping[str, Any]) -> bool:
    return any(
        values[name] != current.get(name) for name in values.keys() - META_FIELDS
    ) or values.get(DELETED_FIELD, current.get(DELETED_FIELD)) != current.get(DELETED_FIELD)


def _organiser(
    session: Session,
    viewer: Viewer,
    record_type: str,
    current: Mapping[str, Any],
    values: Mapping[str, Any],
) -> bool:
    """Whether the pushing user organised the meeting this record belongs to."""
    if record_type not in ORGANISER_MAY:
        return False
    if record_type == MEETING:
        organiser = current.get("organiser_id", values.get("organiser_id"))
    else:
        meeting_id = current.get("meeting_id", values.get("meeting_id"))
        meeting = _living(session, MEETING, meeting_id)
        organiser = None if meeting is None else meeting.data.get("organiser_id")
    return organiser is not None and organiser == str(viewer.staff_id)


def _retention_erasure(
    session: Session,
    viewer: Viewer,
    record_type: str,
    current: Mapping[str, Any],
    values: Mapping[str, Any],
    placement: Placement,
) -> bool:
    """A note of a closed case erased by retention (anonymised or purged) on a laptop.

    The one change of a written note (session or quick note) there is: its body
    blanked, or its deletion, by a role that runs retention, in a case that is closed.
    """
    if record_type not in NOTES or not allows(viewer.role, Permission.RUN_RETENTION):
        return False
    case = _living(session, BENEFICIARY, placement.case_id)
    if case is None or case.data.get("case_status") != CaseStatus.CLOSED.value:
        return False
    changed = {
        name
        for name in values.keys() - META_FIELDS - {DELETED_FIELD}
        if values[name] != current.get(name)
    }
    return changed <= {"body"} and values.get("body", BLANK) == BLANK


def _check_plan_path(
    session: Session,
    viewer: Viewer,
    current: Mapping[str, Any] | None,
    values: Mapping[str, Any],
    placement: Placement,
) -> None:
    """Every way into a status goes through steps the role may take (no shortcut)."""
    before = None if current is None else current.get("status")
    after = values.get("status", before)
    if after is None or (current is not None and after == before):
        return
    try:
        start = None if before is None else PlanStatus(before)
        target = PlanStatus(after)
    except ValueError:
        raise Rejected("unknown plan status") from None
    if not _reachable(viewer.role, start, target, _team_approves_plans(session, placement)):
        raise Rejected(
            f"the role {viewer.role} may not bring a plan from {before or 'nothing'} to {after}"
        )


def _check_referral_consent(session: Session, values: Mapping[str, Any]) -> None:
    """A referral needs the beneficiary's living consent to share with that partner."""
    case_id, partner_id = values.get("beneficiary_id"), values.get("partner_id")
    if case_id is None:
        return
    case = uuid.UUID(str(case_id))
    known = lookups.consents_of(session, case)  # a push batch read them at once
    if known is not None and _consented(known, partner_id):
        return
    consents = session.scalars(
        select(Record).where(
            Record.case_id == case,
            Record.record_type == CONSENT,
            Record.deleted.is_(False),
        )
    )
    if not _consented(consents, partner_id):
        raise Rejected("the beneficiary has not consented to sharing with this partner")


def _consented(consents: Iterable[lookups.Known], partner_id: Any) -> bool:
    return any(
        consent.data.get("purpose") == ConsentPurpose.PARTNER_SHARING.value
        and consent.data.get("withdrawn_on") is None
        and consent.data.get("partner_id") == partner_id
        for consent in consents
    )


def _check_appointment(
    session: Session,
    current: Mapping[str, Any] | None,
    values: Mapping[str, Any],
    placement: Placement,
) -> None:
    """As the laptop refuses: no new planned appointment in a closed case, and the plan
    action an appointment serves belongs to the same case. One made offline before the
    case was closed arrives called off (closing calls them off), whatever the order."""
    if current is None and values.get("status", AppointmentStatus.PLANNED.value) == (
        AppointmentStatus.PLANNED.value
    ):
        case = _living(session, BENEFICIARY, placement.case_id)
        if case is not None and case.data.get("case_status") == CaseStatus.CLOSED.value:
            raise Rejected("the case is closed: no appointment can be made")
    action_id = values.get("action_id")
    if action_id is not None and action_id != (current or {}).get("action_id"):
        try:
            action = lookups.peek(session, "action", uuid.UUID(str(action_id)))
        except ValueError:
            raise Rejected("the plan action is not an id") from None
        if action is None:  # outbox order puts it first: probably still on its way
            raise Rejected(f"action {action_id} is not on the server yet", permanent=False)
        if action.case_id != placement.case_id:
            raise Rejected("the plan action belongs to another case")


def _team_approves_plans(session: Session, placement: Placement) -> bool:
    if placement.team_id is None:
        return False
    team = _living(session, TEAM, placement.team_id)
    return team is not None and bool(team.data.get("requires_plan_approval"))


def _living(session: Session, record_type: str, record_id: Any) -> lookups.Known | None:
    """The record, to be read (a batch's plain row as it is), unless absent or deleted."""
    if record_id is None:
        return None
    if isinstance(record_id, uuid.UUID):
        key = record_id
    else:
        try:
            key = uuid.UUID(str(record_id))
        except ValueError:
            return None
    record = lookups.peek(session, record_type, key)
    return None if record is None or record.deleted else record


__all__ = ["CREATE", "check_change", "needed"]
