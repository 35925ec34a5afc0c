"""The role matrix: every permission for every role, against the table and the real calls.

``EXPECTED`` is the policy written out as a grid; the table must say the same, and the
service that performs each operation must succeed or refuse (NotAllowed) as it says.
Reading a psychologist-only session is refused as NotFound on purpose: the answer must
not reveal that such a session exists. Keeping psychologist-only records is a matter of
sync scope: the server's matrix (tests/security/test_server_permissions.py) checks it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from app.security.permissions import REFUSALS, TABLE, Permission, allows
from app.services import (
    appointments,
    audit,
    beneficiaries,
    consent,
    followup,
    meetings,
    partners,
    plans,
    referrals,
    retention,
    subject_access,
    transfers,
)
from app.services.context import ServiceContext
from app.services.errors import NotAllowed, NotFound
from passerelle_core.enums import (
    Confidentiality,
    ConsentPurpose,
    PartnerKind,
    PlanOutcome,
    ResponsibleKind,
    StaffRole,
)

Colleague = Callable[[StaffRole], ServiceContext]
P, W, E, S, A = (
    StaffRole.PSYCHOLOGIST,
    StaffRole.SOCIAL_WORKER,
    StaffRole.EDUCATOR,
    StaffRole.SUPERVISOR,
    StaffRole.ADMIN,
)
ALL = {P, W, E, S, A}
EXPECTED: dict[Permission, set[StaffRole]] = {
    Permission.READ_RESTRICTED_NOTES: {P},
    Permission.WRITE_RESTRICTED_NOTES: {P},
    Permission.HOLD_RESTRICTED_RECORDS: {P},
    Permission.ACTIVATE_PLAN: ALL,
    Permission.APPROVE_PLAN: {S, A},
    Permission.CLOSE_PLAN: ALL,
    Permission.CLOSE_CASE: ALL,
    Permission.RECORD_CONSENT: ALL,
    Permission.REFER: ALL,
    Permission.EXPORT_SUBJECT_ACCESS: {P, S, A},
    Permission.READ_ACCESS_LOG: {S, A},
    Permission.PREVIEW_RETENTION: {S, A},
    Permission.RUN_RETENTION: {A},
    Permission.SUBMIT_PLAN: ALL,
    Permission.RETURN_PLAN_TO_DRAFT: {S, A},
    Permission.REVIEW_PLAN: ALL,
    Permission.RESUME_PLAN: ALL,
    Permission.WRITE_CASE: ALL,
    Permission.DELETE_CASE: ALL,
    Permission.MANAGE_ORGANISATION: {A},
    Permission.NAME_FACILITY: ALL,
    Permission.MANAGE_PARTNERS: {W, S, A},
    Permission.ORGANISE_MEETING: ALL,
    Permission.EDIT_OTHERS_MEETING: {S, A},
    Permission.REVISE_NOTE: ALL,
    Permission.EDIT_WRITTEN_NOTE: set(),
    Permission.RESOLVE_CONFLICT: ALL,
    Permission.RECORD_CONFLICT: set(),
    Permission.READ_TEAM_AGENDA: {S, A},
    Permission.TRANSFER_CASE: {S, A},
}
# No laptop service performs these: the server's matrix checks them
# (tests/security/test_server_permissions.py and test_authorisation.py).
SERVER_ONLY = {
    Permission.HOLD_RESTRICTED_RECORDS,
    Permission.MANAGE_ORGANISATION,
    Permission.NAME_FACILITY,  # the import names facilities for everyone
    Permission.EDIT_OTHERS_MEETING,
    Permission.EDIT_WRITTEN_NOTE,
    Permission.RESOLVE_CONFLICT,
    Permission.RECORD_CONFLICT,
}
CONCEALED = {Permission.READ_RESTRICTED_NOTES}  # refused as NotFound


@dataclass
class World:
    """A case of the owner's team, ready for every operation, and the actor's context."""

    owner: ServiceContext
    actor: ServiceContext
    beneficiary_id: uuid.UUID
    partner_id: uuid.UUID
    plan_id: uuid.UUID
    restricted_session_id: uuid.UUID


def _world(ctx: ServiceContext, colleague: Colleague, role: StaffRole) -> World:
    person = beneficiaries.register(ctx, {"last_name": "Alaoui", "first_name": "Said"})
    partner = partners.create_partner(ctx, {"name": "Al Amal", "kind": PartnerKind.NGO})
    consent.record(ctx, person.id, ConsentPurpose.PARTNER_SHARING, partner_id=partner.id)
    plan = plans.draft_plan(
        ctx, person.id, title="Logement", review_date=ctx.today() + timedelta(days=30)
    )
    goal = plans.add_goal(ctx, plan.id, domain_id="housing", wording="Un logement")
    plans.add_action(
        ctx, goal.id, description="Visite", responsible_kind=ResponsibleKind.BENEFICIARY
    )
    secret = followup.record_session(
        colleague(StaffRole.PSYCHOLOGIST),
        person.id,
        topic="Entretien",
        held_on=ctx.today(),
        confidentiality=Confidentiality.PSYCHOLOGIST_ONLY,
    )
    return World(ctx, colleague(role), person.id, partner.id, plan.id, secret.id)


def _approve(world: World) -> object:
    plans.submit_for_approval(world.owner, world.plan_id)
    return plans.approve(world.actor, world.plan_id)


def _resume(world: World) -> object:
    plans.activate(world.owner, world.plan_id)
    plans.start_review(world.owner, world.plan_id)
    return plans.resume(world.actor, world.plan_id, review_date=date.today() + timedelta(days=9))


def _close_plan(world: World) -> object:
    plans.activate(world.owner, world.plan_id)
    return plans.close(world.actor, world.plan_id, outcome=PlanOutcome.ACHIEVED)


PROBES: dict[Permission, Callable[[World], object]] = {
    Permission.READ_RESTRICTED_NOTES: lambda w: followup.get_session(
        w.actor, w.restricted_session_id
    ),
    Permission.WRITE_RESTRICTED_NOTES: lambda w: followup.record_session(
        w.actor,
        w.beneficiary_id,
        topic="Entretien",
        held_on=date.today(),
        confidentiality=Confidentiality.PSYCHOLOGIST_ONLY,
    ),  # fmt: skip
    Permission.ACTIVATE_PLAN: lambda w: plans.activate(w.actor, w.plan_id),
    Permission.APPROVE_PLAN: _approve,
    Permission.CLOSE_PLAN: _close_plan,
    Permission.CLOSE_CASE: lambda w: beneficiaries.close_case(w.actor, w.beneficiary_id),
    Permission.RECORD_CONSENT: lambda w: consent.record(
        w.actor, w.beneficiary_id, ConsentPurpose.STATISTICS
    ),
    Permission.REFER: lambda w: referrals.refer(w.actor, w.beneficiary_id, w.partner_id),
    Permission.EXPORT_SUBJECT_ACCESS: lambda w: subject_access.collect(w.actor, w.beneficiary_id),
    Permission.READ_ACCESS_LOG: lambda w: audit.lines(w.actor),
    Permission.PREVIEW_RETENTION: lambda w: retention.preview(w.actor),
    Permission.READ_TEAM_AGENDA: lambda w: appointments.agenda(
        w.actor, date.today(), date.today(), team=True
    ),
    Permission.RUN_RETENTION: lambda w: retention.run(w.actor),
    Permission.TRANSFER_CASE: lambda w: transfers.transfer(
        w.actor, [w.beneficiary_id], reason="Depart", to_staff_id=w.actor.actor.staff_id
    ),
    Permission.SUBMIT_PLAN: lambda w: plans.submit_for_approval(w.actor, w.plan_id),
    Permission.RETURN_PLAN_TO_DRAFT: lambda w: plans.return_to_draft(
        w.actor, plans.submit_for_approval(w.owner, w.plan_id).id
    ),
    Permission.REVIEW_PLAN: lambda w: plans.start_review(
        w.actor, plans.activate(w.owner, w.plan_id).id
    ),
    Permission.RESUME_PLAN: _resume,
    Permission.WRITE_CASE: lambda w: beneficiaries.update(
        w.actor, w.beneficiary_id, {"first_name": "Saïd"}
    ),
    Permission.DELETE_CASE: lambda w: beneficiaries.delete(w.actor, w.beneficiary_id),
    Permission.MANAGE_PARTNERS: lambda w: partners.create_partner(
        w.actor, {"name": "Annajat", "kind": PartnerKind.NGO}
    ),
    Permission.ORGANISE_MEETING: lambda w: meetings.record_meeting(
        w.actor, held_on=date.today(), title="Synthèse"
    ),
    Permission.REVISE_NOTE: lambda w: followup.revise_note(
        w.actor,
        followup.record_session(
            w.owner, w.beneficiary_id, held_on=date.today(), topic="Entretien"
        ).id,
        "Suite de l'entretien.",
    ),
}


def test_every_permission_has_a_row_a_refusal_and_a_probe() -> None:
    assert set(TABLE) == set(Permission) == set(EXPECTED) == set(REFUSALS)
    assert set(PROBES) | SERVER_ONLY == set(Permission)


@pytest.mark.parametrize("role", list(StaffRole), ids=str)
@pytest.mark.parametrize("permission", list(Permission), ids=str)
def test_the_table_says_what_the_policy_says(permission: Permission, role: StaffRole) -> None:
    assert allows(role, permission) is (role in EXPECTED[permission])
    assert allows(role.value, permission) is (role in EXPECTED[permission])


@pytest.mark.parametrize("role", list(StaffRole), ids=str)
@pytest.mark.parametrize("permission", sorted(set(Permission) - SERVER_ONLY), ids=str)
def test_the_service_call_does_what_the_table_says(
    permission: Permission, role: StaffRole, ctx: ServiceContext, colleague: Colleague
) -> None:
    world = _world(ctx, colleague, role)
    probe = PROBES[permission]
    if allows(role, permission):
        probe(world)
        return
    refusal = NotFound if permission in CONCEALED else NotAllowed
    with pytest.raises(refusal):
        probe(world)


def test_an_unknown_role_may_do_nothing() -> None:
    assert not any(allows("janitor", permission) for permission in Permission)
