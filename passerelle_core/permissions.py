"""Who may do what: one table of roles and the operations that are not for everyone.

The laptop checks it before an operation (``app.security.permissions.require``), the
server checks it again for the changes a laptop pushes (``server.services.permissions``):
a modified or outdated client cannot do more than the table allows. Operations every
role may do are listed too, so that the table reads as the whole answer to "who
may..." and a change of policy is one line here (the role matrix test then says which
calls changed).

Psychologist-only notes have three rows: reading and writing them is for psychologists;
*holding* copies (sync scope, bulk loads, retention) is for psychologists too:
administrators receive them only if this table says so. A session note, once written,
is never changed (``EDIT_WRITTEN_NOTE`` is nobody's): corrections are new revisions.

The plan lifecycle and the write rules per record type, built on these rows, are in
:mod:`passerelle_core.lifecycle`: the view, the service and the server all ask it.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Protocol

from passerelle_core.enums import StaffRole
from passerelle_core.markers import N_


class Permission(StrEnum):
    READ_RESTRICTED_NOTES = "read_restricted_notes"
    WRITE_RESTRICTED_NOTES = "write_restricted_notes"
    HOLD_RESTRICTED_RECORDS = "hold_restricted_records"
    ACTIVATE_PLAN = "activate_plan"
    APPROVE_PLAN = "approve_plan"
    CLOSE_PLAN = "close_plan"
    CLOSE_CASE = "close_case"
    RECORD_CONSENT = "record_consent"
    REFER = "refer"
    EXPORT_SUBJECT_ACCESS = "export_subject_access"
    READ_ACCESS_LOG = "read_access_log"
    PREVIEW_RETENTION = "preview_retention"
    RUN_RETENTION = "run_retention"
    SUBMIT_PLAN = "submit_plan"
    RETURN_PLAN_TO_DRAFT = "return_plan_to_draft"
    REVIEW_PLAN = "review_plan"
    RESUME_PLAN = "resume_plan"
    WRITE_CASE = "write_case"
    DELETE_CASE = "delete_case"
    MANAGE_ORGANISATION = "manage_organisation"
    NAME_FACILITY = "name_facility"
    MANAGE_PARTNERS = "manage_partners"
    ORGANISE_MEETING = "organise_meeting"
    EDIT_OTHERS_MEETING = "edit_others_meeting"
    REVISE_NOTE = "revise_note"
    EDIT_WRITTEN_NOTE = "edit_written_note"
    RESOLVE_CONFLICT = "resolve_conflict"
    RECORD_CONFLICT = "record_conflict"
    READ_TEAM_AGENDA = "read_team_agenda"
    TRANSFER_CASE = "transfer_case"


PSY = StaffRole.PSYCHOLOGIST
WORKER = StaffRole.SOCIAL_WORKER
SUP = StaffRole.SUPERVISOR
ADMIN = StaffRole.ADMIN
EVERYONE = frozenset(StaffRole)
NOBODY: frozenset[StaffRole] = frozenset()

TABLE: Mapping[Permission, frozenset[StaffRole]] = {
    Permission.READ_RESTRICTED_NOTES: frozenset({PSY}),
    Permission.WRITE_RESTRICTED_NOTES: frozenset({PSY}),
    Permission.HOLD_RESTRICTED_RECORDS: frozenset({PSY}),
    Permission.ACTIVATE_PLAN: EVERYONE,
    Permission.APPROVE_PLAN: frozenset({SUP, ADMIN}),
    Permission.CLOSE_PLAN: EVERYONE,
    Permission.CLOSE_CASE: EVERYONE,
    Permission.RECORD_CONSENT: EVERYONE,
    Permission.REFER: EVERYONE,
    Permission.EXPORT_SUBJECT_ACCESS: frozenset({PSY, SUP, ADMIN}),
    Permission.READ_ACCESS_LOG: frozenset({SUP, ADMIN}),
    Permission.PREVIEW_RETENTION: frozenset({SUP, ADMIN}),
    Permission.RUN_RETENTION: frozenset({ADMIN}),
    Permission.SUBMIT_PLAN: EVERYONE,
    Permission.RETURN_PLAN_TO_DRAFT: frozenset({SUP, ADMIN}),
    Permission.REVIEW_PLAN: EVERYONE,
    Permission.RESUME_PLAN: EVERYONE,
    Permission.WRITE_CASE: EVERYONE,
    Permission.DELETE_CASE: EVERYONE,
    Permission.MANAGE_ORGANISATION: frozenset({ADMIN}),
    # Naming a new facility (an import, an offline start) grants no scope and changes
    # nobody's placement; renaming, moving or deleting one stays administrators'.
    Permission.NAME_FACILITY: EVERYONE,
    Permission.MANAGE_PARTNERS: frozenset({WORKER, SUP, ADMIN}),
    Permission.ORGANISE_MEETING: EVERYONE,
    Permission.EDIT_OTHERS_MEETING: frozenset({SUP, ADMIN}),
    Permission.REVISE_NOTE: EVERYONE,
    Permission.EDIT_WRITTEN_NOTE: NOBODY,
    Permission.RESOLVE_CONFLICT: EVERYONE,
    Permission.RECORD_CONFLICT: NOBODY,  # the server records conflicts, laptops resolve them
    Permission.READ_TEAM_AGENDA: frozenset({SUP, ADMIN}),
    # Handing a case to another counsellor or team (a transfer, with its reason).
    Permission.TRANSFER_CASE: frozenset({SUP, ADMIN}),
}
"""Permission -> the roles allowed. Every permission has a row (a test checks it)."""

REFUSALS: Mapping[Permission, str] = {
    Permission.READ_RESTRICTED_NOTES: N_("Only a psychologist can read psychologist-only notes."),
    Permission.WRITE_RESTRICTED_NOTES: N_(
        "Only a psychologist can record a psychologist-only session."
    ),
    Permission.HOLD_RESTRICTED_RECORDS: N_(
        "Psychologist-only records are kept by psychologists and administrators only."
    ),
    Permission.ACTIVATE_PLAN: N_("Your role does not allow activating an action plan."),
    Permission.APPROVE_PLAN: N_("Only a supervisor can approve an action plan."),
    Permission.CLOSE_PLAN: N_("Your role does not allow closing an action plan."),
    Permission.CLOSE_CASE: N_("Your role does not allow closing a case."),
    Permission.RECORD_CONSENT: N_("Your role does not allow recording consent."),
    Permission.REFER: N_("Your role does not allow referring to a partner."),
    Permission.EXPORT_SUBJECT_ACCESS: N_(
        "Only a psychologist, a supervisor or an administrator can export everything "
        "held on a person."
    ),
    Permission.READ_ACCESS_LOG: N_(
        "Only a supervisor or an administrator can read the access log."
    ),
    Permission.PREVIEW_RETENTION: N_(
        "Only a supervisor or an administrator can see the cases due for retention."
    ),
    Permission.RUN_RETENTION: N_("Only an administrator can anonymise or purge cases."),
    Permission.SUBMIT_PLAN: N_("Your role does not allow submitting an action plan."),
    Permission.RETURN_PLAN_TO_DRAFT: N_("Only a supervisor can return a plan to draft."),
    Permission.REVIEW_PLAN: N_("Your role does not allow reviewing an action plan."),
    Permission.RESUME_PLAN: N_("Your role does not allow resuming an action plan."),
    Permission.WRITE_CASE: N_("Your role does not allow changing this case."),
    Permission.DELETE_CASE: N_("Your role does not allow deleting a case."),
    Permission.MANAGE_ORGANISATION: N_(
        "Only an administrator can change teams, staff members and facilities."
    ),
    Permission.NAME_FACILITY: N_("Your role does not allow adding a facility."),
    Permission.MANAGE_PARTNERS: N_(
        "Only a social worker, a supervisor or an administrator can change partners."
    ),
    Permission.ORGANISE_MEETING: N_("Your role does not allow recording a meeting."),
    Permission.EDIT_OTHERS_MEETING: N_(
        "Only the organiser or a supervisor can change this meeting."
    ),
    Permission.REVISE_NOTE: N_("Your role does not allow adding to a session note."),
    Permission.EDIT_WRITTEN_NOTE: N_(
        "A session note is never changed once written: add a correction instead."
    ),
    Permission.RESOLVE_CONFLICT: N_("Your role does not allow resolving a sync conflict."),
    Permission.RECORD_CONFLICT: N_("Only the server records a sync conflict."),
    Permission.READ_TEAM_AGENDA: N_(
        "Only a supervisor or an administrator can see the team's agenda."
    ),
    Permission.TRANSFER_CASE: N_(
        "Only a supervisor or an administrator can transfer a case to another counsellor or team."
    ),
}


class _Actor(Protocol):
    @property
    def role(self) -> StaffRole: ...


class _HasActor(Protocol):
    @property
    def actor(self) -> _Actor: ...


def allows(role: StaffRole | str, permission: Permission) -> bool:
    """Whether ``role`` (a member or its stored value: the server's roles are text) may."""
    try:
        member = StaffRole(role)
    except ValueError:
        return False  # an unknown role may do nothing
    return member in TABLE[permission]


def may(ctx: _HasActor, permission: Permission) -> bool:
    """Whether the acting staff member may: for screens that hide what they cannot do."""
    return allows(ctx.actor.role, permission)
