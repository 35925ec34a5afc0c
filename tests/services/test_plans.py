"""Action plans: drafting, goals and actions, and the lifecycle from draft to closed."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.models import ActionPlan, Beneficiary, Team
from app.services import beneficiaries, partners, plans
from app.services.context import ServiceContext
from app.services.errors import InvalidTransition, NotAllowed, ServiceError, ValidationFailed
from app.store.profile import Profile
from passerelle_core.enums import (
    ActionStatus,
    GoalStatus,
    PartnerKind,
    PlanOutcome,
    PlanStatus,
    ResponsibleKind,
    StaffRole,
)

Colleague = Callable[[StaffRole], ServiceContext]


@pytest.fixture
def person(ctx: ServiceContext) -> Beneficiary:
    return beneficiaries.register(ctx, {"last_name": "Bennani", "first_name": "Youssef"})


def _require_approval(profile: Profile, ctx: ServiceContext) -> None:
    with profile.sessions.begin() as session:
        team = session.get(Team, ctx.actor.team_id)
        assert team is not None
        team.requires_plan_approval = True


def _ready_plan(ctx: ServiceContext, beneficiary_id: uuid.UUID) -> ActionPlan:
    """A draft with a goal, an action and a review date: ready to activate."""
    review = ctx.today() + timedelta(days=90)
    plan = plans.draft_plan(ctx, beneficiary_id, title="Préparer la sortie", review_date=review)
    goal = plans.add_goal(ctx, plan.id, domain_id="housing", wording="Trouver un logement")
    kind = ResponsibleKind.BENEFICIARY
    plans.add_action(ctx, goal.id, description="Appeler sa sœur", responsible_kind=kind)
    return plan


def _snapshot(ctx: ServiceContext, plan_id: uuid.UUID) -> tuple[PlanStatus, int]:
    plan = plans.get_plan(ctx, plan_id)
    return plan.status, plan.row_version


def test_draft_goals_actions_then_activate(ctx: ServiceContext, person: Beneficiary) -> None:
    plan = plans.draft_plan(ctx, person.id, title="Réinsertion professionnelle")
    assert (plan.status, plan.author_id) == (PlanStatus.DRAFT, ctx.actor.staff_id)
    assert plan.goals == []

    work = plans.add_goal(ctx, plan.id, domain_id="employment", wording="Trouver un emploi")
    papers = plans.add_goal(
        ctx, plan.id, domain_id="civil_status", wording="Refaire la CIN", target_date=ctx.today()
    )
    assert (work.position, papers.position) == (0, 1)
    partner = partners.create_partner(
        ctx, {"name": "ANAPEC Salé", "kind": PartnerKind.PUBLIC_SERVICE}
    )
    first = plans.add_action(
        ctx,
        work.id,
        description="Inscription à l'ANAPEC",
        responsible_kind=ResponsibleKind.PARTNER,
        partner_id=partner.id,
    )
    second = plans.add_action(
        ctx, work.id, description="Préparer un CV", responsible_kind=ResponsibleKind.BENEFICIARY
    )
    assert (first.position, second.position) == (0, 1)

    with pytest.raises(ServiceError, match="review date"):
        plans.activate(ctx, plan.id)
    with pytest.raises(ValidationFailed, match="title"):
        plans.update_plan(ctx, plan.id, title="")
    plans.update_plan(ctx, plan.id, review_date=ctx.today() + timedelta(days=60))
    active = plans.activate(ctx, plan.id)
    assert active.status is PlanStatus.ACTIVE
    assert active.activated_on == ctx.today()
    assert active.approved_by_id is None

    loaded = plans.get_plan(ctx, plan.id)
    assert [goal.domain_id for goal in loaded.goals] == ["employment", "civil_status"]
    assert [action.description for action in loaded.goals[0].actions] == [
        "Inscription à l'ANAPEC",
        "Préparer un CV",
    ]
    assert plans.current_plan(ctx, person.id) is not None


def test_activation_needs_a_goal(ctx: ServiceContext, person: Beneficiary) -> None:
    plan = plans.draft_plan(
        ctx, person.id, title="Sortie", review_date=ctx.today() + timedelta(days=30)
    )
    with pytest.raises(ServiceError, match="goal"):
        plans.activate(ctx, plan.id)
    assert _snapshot(ctx, plan.id) == (PlanStatus.DRAFT, 1)


def test_one_open_plan_per_beneficiary(ctx: ServiceContext, person: Beneficiary) -> None:
    first = _ready_plan(ctx, person.id)
    with pytest.raises(ServiceError, match="not closed"):
        plans.draft_plan(ctx, person.id, title="Sortie")
    plans.activate(ctx, first.id)
    plans.close(ctx, first.id, outcome=PlanOutcome.ACHIEVED)
    second = plans.draft_plan(ctx, person.id, title="Sortie")
    assert plans.current_plan(ctx, person.id).id == second.id  # type: ignore[union-attr]
    assert [plan.id for plan in plans.list_plans(ctx, person.id)] == [second.id, first.id]


def test_team_requiring_approval(
    ctx: ServiceContext, colleague: Colleague, profile: Profile, person: Beneficiary
) -> None:
    _require_approval(profile, ctx)
    plan = _ready_plan(ctx, person.id)
    with pytest.raises(NotAllowed):
        plans.activate(ctx, plan.id)
    assert _snapshot(ctx, plan.id) == (PlanStatus.DRAFT, 1)

    plans.submit_for_approval(ctx, plan.id)
    with pytest.raises(InvalidTransition):  # frozen while awaiting approval
        plans.add_goal(ctx, plan.id, domain_id="family", wording="Renouer avec sa mère")
    with pytest.raises(NotAllowed):
        plans.approve(ctx, plan.id)

    supervisor = colleague(StaffRole.SUPERVISOR)
    returned = plans.return_to_draft(supervisor, plan.id)
    assert returned.status is PlanStatus.DRAFT
    plans.submit_for_approval(ctx, plan.id)
    approved = plans.approve(supervisor, plan.id)
    assert approved.status is PlanStatus.ACTIVE
    assert approved.approved_by_id == supervisor.actor.staff_id
    assert approved.approved_at is not None
    assert approved.activated_on == ctx.today()


def test_supervisor_may_activate_directly(
    ctx: ServiceContext, colleague: Colleague, profile: Profile, person: Beneficiary
) -> None:
    _require_approval(profile, ctx)
    plan = _ready_plan(ctx, person.id)
    supervisor = colleague(StaffRole.SUPERVISOR)
    active = plans.activate(supervisor, plan.id)
    assert active.approved_by_id == supervisor.actor.staff_id


def test_review_resume_and_close(ctx: ServiceContext, person: Beneficiary) -> None:
    plan = _ready_plan(ctx, person.id)
    plans.activate(ctx, plan.id)
    reviewing = plans.start_review(ctx, plan.id)
    assert reviewing.status is PlanStatus.UNDER_REVIEW
    goal = plans.add_goal(ctx, plan.id, domain_id="family", wording="Médiation familiale")
    plans.set_goal_status(ctx, goal.id, GoalStatus.ACHIEVED)

    with pytest.raises(ValidationFailed, match="review_date"):
        plans.resume(ctx, plan.id, review_date=ctx.today() - timedelta(days=1))
    next_review = ctx.today() + timedelta(days=120)
    resumed = plans.resume(ctx, plan.id, review_date=next_review)
    assert (resumed.status, resumed.review_date) == (PlanStatus.ACTIVE, next_review)

    closed = plans.close(ctx, plan.id, outcome=PlanOutcome.PARTIALLY_ACHIEVED, notes="Logé")
    assert closed.status is PlanStatus.CLOSED
    assert (closed.outcome, closed.outcome_notes) == (PlanOutcome.PARTIALLY_ACHIEVED, "Logé")
    assert closed.closed_on == ctx.today()
    assert plans.current_plan(ctx, person.id) is None
    with pytest.raises(InvalidTransition, match="closed"):
        plans.add_goal(ctx, plan.id, domain_id="housing", wording="Trop tard")
    with pytest.raises(InvalidTransition):
        plans.update_goal(ctx, goal.id, wording="Trop tard")


PATHS = {
    PlanStatus.DRAFT: (),
    PlanStatus.AWAITING_APPROVAL: ("submit_for_approval",),
    PlanStatus.ACTIVE: ("activate",),
    PlanStatus.UNDER_REVIEW: ("activate", "start_review"),
    PlanStatus.CLOSED: ("activate", "close"),
}
TARGETS = {operation: target for (_, target), operation in plans.TRANSITIONS.items()}


@pytest.mark.parametrize("status", list(PlanStatus))
def test_every_invalid_transition_writes_nothing(
    ctx: ServiceContext, colleague: Colleague, person: Beneficiary, status: PlanStatus
) -> None:
    supervisor = colleague(StaffRole.SUPERVISOR)  # so that no refusal is about the role
    plan = _ready_plan(ctx, person.id)
    for operation in PATHS[status]:
        _perform(supervisor, operation, plan.id)
    before = _snapshot(ctx, plan.id)
    assert before[0] is status
    refused = [
        op for op, target in TARGETS.items() if plans.TRANSITIONS.get((status, target)) != op
    ]
    assert refused
    for operation in refused:
        with pytest.raises(InvalidTransition, match="cannot go from"):
            _perform(supervisor, operation, plan.id)
        assert _snapshot(ctx, plan.id) == before


def _perform(ctx: ServiceContext, operation: str, plan_id: uuid.UUID) -> None:
    extra: dict[str, dict[str, object]] = {
        "resume": {"review_date": ctx.today() + timedelta(days=30)},
        "close": {"outcome": PlanOutcome.ACHIEVED},
    }
    getattr(plans, operation)(ctx, plan_id, **extra.get(operation, {}))


def test_transition_message_names_both_states(ctx: ServiceContext, person: Beneficiary) -> None:
    plan = _ready_plan(ctx, person.id)
    with pytest.raises(InvalidTransition, match="from draft to under review"):
        plans.start_review(ctx, plan.id)


def test_goal_validation(ctx: ServiceContext, person: Beneficiary) -> None:
    plan = plans.draft_plan(ctx, person.id, title="Sortie")
    with pytest.raises(ValidationFailed, match="domain_id"):
        plans.add_goal(ctx, plan.id, domain_id="astrology", wording="Lire les étoiles")
    with pytest.raises(ValidationFailed, match="wording"):
        plans.add_goal(ctx, plan.id, domain_id="housing", wording="   ")
    goal = plans.add_goal(ctx, plan.id, domain_id="housing", wording="Logement")
    with pytest.raises(ValidationFailed, match="wording"):
        plans.update_goal(ctx, goal.id, wording=None)
    with pytest.raises(ValidationFailed, match="colour"):
        plans.update_goal(ctx, goal.id, colour="red")
    changed = plans.update_goal(ctx, goal.id, wording="Logement stable", domain_id="finances")
    assert (changed.wording, changed.domain_id) == ("Logement stable", "finances")
    with pytest.raises(ValidationFailed, match="status"):
        plans.set_goal_status(ctx, goal.id, "finished")  # type: ignore[arg-type]


def test_action_responsible_rules(ctx: ServiceContext, person: Beneficiary) -> None:
    plan = plans.draft_plan(ctx, person.id, title="Sortie")
    goal = plans.add_goal(ctx, plan.id, domain_id="employment", wording="Emploi")
    staff, partner = ResponsibleKind.STAFF, ResponsibleKind.PARTNER
    cases = [
        (dict(responsible_kind=staff), "responsible_staff_id"),
        (dict(responsible_kind=staff, responsible_staff_id=uuid.uuid4()), "responsible_staff_id"),
        (dict(responsible_kind=partner), "partner_id"),
        (dict(responsible_kind=partner, partner_id=uuid.uuid4()), "partner_id"),
        (
            dict(responsible_kind=ResponsibleKind.BENEFICIARY, partner_id=uuid.uuid4()),
            "partner_id",
        ),
        (dict(responsible_kind="nobody"), "responsible_kind"),
    ]
    for arguments, field in cases:
        with pytest.raises(ValidationFailed, match=field):
            plans.add_action(ctx, goal.id, description="Faire quelque chose", **arguments)  # type: ignore[arg-type]
    with pytest.raises(ValidationFailed, match="description"):
        plans.add_action(ctx, goal.id, description="", responsible_kind=ResponsibleKind.BENEFICIARY)
    assert plans.get_plan(ctx, plan.id).goals[0].actions == []


def test_update_action_and_status(ctx: ServiceContext, person: Beneficiary) -> None:
    plan = plans.draft_plan(ctx, person.id, title="Sortie")
    goal = plans.add_goal(ctx, plan.id, domain_id="employment", wording="Emploi")
    action = plans.add_action(
        ctx,
        goal.id,
        description="Suivre le dossier",
        responsible_kind=ResponsibleKind.STAFF,
        responsible_staff_id=ctx.actor.staff_id,
    )
    moved = plans.update_action(ctx, action.id, responsible_kind=ResponsibleKind.BENEFICIARY)
    assert moved.goal.plan.goals[0].actions[0].id == action.id  # loaded for detached reading
    assert moved.responsible_kind is ResponsibleKind.BENEFICIARY
    assert moved.responsible_staff_id is None
    with pytest.raises(ValidationFailed, match="responsible_staff_id"):
        plans.update_action(ctx, action.id, responsible_kind=ResponsibleKind.STAFF)

    done = plans.set_action_status(ctx, action.id, ActionStatus.DONE, outcome="Inscrit")
    assert (done.completed_on, done.outcome) == (ctx.today(), "Inscrit")
    reopened = plans.set_action_status(ctx, action.id, ActionStatus.IN_PROGRESS)
    assert (reopened.completed_on, reopened.outcome) == (None, "Inscrit")
    with pytest.raises(ValidationFailed, match="completed_on"):
        plans.set_action_status(ctx, action.id, ActionStatus.CANCELLED, completed_on=ctx.today())
    with pytest.raises(ValidationFailed, match="completed_on"):
        plans.set_action_status(
            ctx, action.id, ActionStatus.DONE, completed_on=ctx.today() + timedelta(days=1)
        )


def test_draft_validation(ctx: ServiceContext, person: Beneficiary, profile: Profile) -> None:
    with pytest.raises(ValidationFailed, match="review_date"):
        plans.draft_plan(
            ctx, person.id, title="Sortie", review_date=ctx.today() - timedelta(days=1)
        )
    with pytest.raises(ValidationFailed, match="assessment_id"):
        plans.draft_plan(ctx, person.id, title="Sortie", assessment_id=uuid.uuid4())
    with pytest.raises(ValidationFailed, match="title"):
        plans.draft_plan(ctx, person.id, title="x" * 201)
    with pytest.raises(ValidationFailed, match="title"):
        plans.draft_plan(ctx, person.id, title="  ")
    with profile.sessions() as session:
        assert session.scalars(select(ActionPlan)).all() == []
