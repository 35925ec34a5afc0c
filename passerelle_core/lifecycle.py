"""Which steps an actor may take: the plan lifecycle and the writes of every record type.

One Qt-free source asked by the screens (which buttons to offer), the services (what to
refuse before writing) and the server (which pushed changes to reject), so that the
three can never disagree. Every rule names a row of the role table
(:mod:`app.security.permissions`): changing who may do something is one line there.

``PLAN_STEPS`` is the plan's lifecycle: each allowed (from, to) pair, the operation that
performs it and the permission it needs; activating directly also needs the approval
permission when the case's team wants plans approved. ``WRITES`` says, for every synced
record type, which permission creating, updating and deleting one needs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from passerelle_core.enums import PlanStatus, StaffRole
from passerelle_core.permissions import Permission, allows

S = PlanStatus
P = Permission


@dataclass(frozen=True)
class Step:
    """One move of a plan: its operation, its permission, and whether approval counts."""

    operation: str
    permission: Permission
    approval: bool = False  # also APPROVE_PLAN when the team wants plans approved


PLAN_STEPS: Mapping[tuple[PlanStatus, PlanStatus], Step] = {
    (S.DRAFT, S.AWAITING_APPROVAL): Step("submit_for_approval", P.SUBMIT_PLAN),
    (S.AWAITING_APPROVAL, S.ACTIVE): Step("approve", P.APPROVE_PLAN),
    (S.AWAITING_APPROVAL, S.DRAFT): Step("return_to_draft", P.RETURN_PLAN_TO_DRAFT),
    (S.DRAFT, S.ACTIVE): Step("activate", P.ACTIVATE_PLAN, approval=True),
    (S.ACTIVE, S.UNDER_REVIEW): Step("start_review", P.REVIEW_PLAN),
    (S.UNDER_REVIEW, S.ACTIVE): Step("resume", P.RESUME_PLAN),
    (S.ACTIVE, S.CLOSED): Step("close", P.CLOSE_PLAN),
    (S.UNDER_REVIEW, S.CLOSED): Step("close", P.CLOSE_PLAN),
}
TRANSITIONS: Mapping[tuple[PlanStatus, PlanStatus], str] = {
    pair: step.operation for pair, step in PLAN_STEPS.items()
}
FIRST_STATUS = S.DRAFT  # every plan starts as a draft


def step_permissions(step: Step, needs_approval: bool) -> tuple[Permission, ...]:
    if step.approval and needs_approval:
        return (step.permission, P.APPROVE_PLAN)
    return (step.permission,)


def may_step(role: StaffRole | str, step: Step, needs_approval: bool) -> bool:
    return all(allows(role, needed) for needed in step_permissions(step, needs_approval))


def refused_permission(
    role: StaffRole | str, step: Step, needs_approval: bool
) -> Permission | None:
    """The first permission of ``step`` that ``role`` lacks (None: it may take it)."""
    for needed in step_permissions(step, needs_approval):
        if not allows(role, needed):
            return needed
    return None


def plan_steps(role: StaffRole | str, status: PlanStatus, needs_approval: bool) -> set[str]:
    """The lifecycle operations ``role`` may take from ``status`` (what a screen offers).

    Submitting for approval is only offered to those who cannot activate directly.
    """
    steps = {
        step.operation
        for (source, _target), step in PLAN_STEPS.items()
        if source is status and may_step(role, step, needs_approval)
    }
    if "activate" in steps:
        steps.discard("submit_for_approval")
    return steps


def may_reach(
    role: StaffRole | str,
    current: PlanStatus | None,
    target: PlanStatus,
    needs_approval: bool,
) -> bool:
    """Whether ``role`` may bring a plan from ``current`` (None: not created yet) to ``target``.

    Through steps it may take, one or several: a laptop merges the pending changes of
    one record, so a plan drafted, activated and closed offline arrives as one change.
    A new plan starts as a draft. Closed is final: nothing leads out of it.
    """
    start = FIRST_STATUS if current is None else current
    seen = {start}
    frontier = [start]
    while frontier:
        status = frontier.pop()
        for (source, following), step in PLAN_STEPS.items():
            if source is status and following not in seen and may_step(role, step, needs_approval):
                seen.add(following)
                frontier.append(following)
    return target in seen


# -- writes of each record type ------------------------------------------------------------

CREATE, UPDATE, DELETE = "create", "update", "delete"
OPERATIONS = (CREATE, UPDATE, DELETE)
ORGANISATION_TYPES = frozenset({"facility", "team", "staff_member"})
PARTNER_TYPES = frozenset({"partner", "partner_contact", "partner_service"})
MEETING_TYPES = frozenset({"coordination_meeting", "meeting_participant"})
NOTE_TYPE = "session_note"
QUICK_NOTE_TYPE = "quick_note"
CONFLICT_TYPE = "sync_conflict"
CASE_TYPES = frozenset(
    {
        "beneficiary",
        "consent_record",
        "needs_assessment",
        "action_plan",
        "goal",
        "action",
        "follow_up_session",
        "referral",
        "meeting_decision",
        "post_release_outcome",
        "case_document",
        "appointment",
        "duplicate_decision",
    }
)


def _same(permission: Permission) -> dict[str, Permission]:
    return dict.fromkeys(OPERATIONS, permission)


WRITES: Mapping[str, Mapping[str, Permission]] = {
    **{name: _same(P.MANAGE_ORGANISATION) for name in ORGANISATION_TYPES},
    "facility": {
        CREATE: P.NAME_FACILITY,
        UPDATE: P.MANAGE_ORGANISATION,
        DELETE: P.MANAGE_ORGANISATION,
    },
    **{name: _same(P.MANAGE_PARTNERS) for name in PARTNER_TYPES},
    "coordination_meeting": {
        CREATE: P.ORGANISE_MEETING,
        UPDATE: P.EDIT_OTHERS_MEETING,
        DELETE: P.EDIT_OTHERS_MEETING,
    },
    "meeting_participant": _same(P.EDIT_OTHERS_MEETING),
    **{name: _same(P.WRITE_CASE) for name in CASE_TYPES},
    "beneficiary": {CREATE: P.WRITE_CASE, UPDATE: P.WRITE_CASE, DELETE: P.DELETE_CASE},
    "case_transfer": _same(P.TRANSFER_CASE),
    NOTE_TYPE: {CREATE: P.REVISE_NOTE, UPDATE: P.EDIT_WRITTEN_NOTE, DELETE: P.EDIT_WRITTEN_NOTE},
    # A quick note is append-only like a session note: written once, never changed.
    QUICK_NOTE_TYPE: {
        CREATE: P.WRITE_CASE,
        UPDATE: P.EDIT_WRITTEN_NOTE,
        DELETE: P.EDIT_WRITTEN_NOTE,
    },
    CONFLICT_TYPE: {
        CREATE: P.RECORD_CONFLICT,
        UPDATE: P.RESOLVE_CONFLICT,
        DELETE: P.RESOLVE_CONFLICT,
    },
}
"""Record type -> operation -> the permission it needs. A meeting's organiser may always
change their meeting and its participants (``organiser_may``); everything else is the
table's answer."""

ORGANISER_MAY = MEETING_TYPES  # the organiser of a meeting is its owner


def write_permission(record_type: str, operation: str) -> Permission:
    """The permission writing ``record_type`` this way needs; KeyError for unknown types."""
    return WRITES[record_type][operation]
