"""Personalised action plans and their lifecycle (goals and actions: ``goals.py``).

Every move of a plan is listed in ``TRANSITIONS``, so the lifecycle reads in one place
and a refused move always names both states. A beneficiary has at most one plan that
is not closed, so "the current plan" is never ambiguous.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

from pydantic import StringConstraints
from sqlalchemy import Select
from sqlalchemy.orm import Session

from app.i18n import _
from app.models import ActionPlan, Beneficiary, NeedsAssessment, Team
from app.models.base import utcnow
from app.security.permissions import require
from app.services.context import ServiceContext
from app.services.errors import InvalidTransition, ServiceError
from app.services.goals import (
    EDITABLE,
    STATUS_LABELS,
    add_action,
    add_goal,
    assign,
    load_plan,
    plans_query,
    set_action_status,
    set_goal_status,
    update_action,
    update_goal,
)
from app.services.lookup import get_live
from app.services.validation import InputModel, fail, parse, require_not_future, validate
from passerelle_core.enums import PlanOutcome, PlanStatus
from passerelle_core.lifecycle import PLAN_STEPS, TRANSITIONS, refused_permission

__all__ = [
    "EDITABLE",
    "TRANSITIONS",
    "activate",
    "add_action",
    "add_goal",
    "approve",
    "close",
    "current_plan",
    "draft_plan",
    "get_plan",
    "list_plans",
    "resume",
    "return_to_draft",
    "set_action_status",
    "set_goal_status",
    "start_review",
    "submit_for_approval",
    "update_action",
    "update_goal",
    "update_plan",
]

S = PlanStatus
Check = Callable[[ServiceContext, Session, ActionPlan], None]


class _PlanFields(InputModel):
    title: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = None
    assessment_id: uuid.UUID | None = None
    review_date: date | None = None


class _Review(InputModel):
    review_date: date


class _Closing(InputModel):
    outcome: PlanOutcome
    notes: str | None = None
    closed_on: date | None = None


def require_title(title: str | None) -> None:
    """A plan is named in the worklist, the timeline and the printed summary, so a new
    plan needs a title and an edit cannot blank it (plans synced without one stay valid)."""
    if not (title or "").strip():
        fail("title", _("This field is required."))


def draft_plan(
    ctx: ServiceContext,
    beneficiary_id: uuid.UUID,
    *,
    title: str | None = None,
    assessment_id: uuid.UUID | None = None,
    review_date: date | None = None,
) -> ActionPlan:
    """A new draft by the acting staff member; refused while another plan is not closed."""
    fields = parse(_PlanFields, locals())
    require_title(fields.title)
    _check_review_date(ctx, fields.review_date)
    with ctx.transaction() as session:
        get_live(session, Beneficiary, beneficiary_id, _("Beneficiary"))
        if session.scalar(_open_plans(beneficiary_id)) is not None:
            raise ServiceError(_("This beneficiary already has a plan that is not closed."))
        _check_assessment(session, fields.assessment_id, beneficiary_id)
        plan = ActionPlan(beneficiary_id=beneficiary_id, author_id=ctx.actor.staff_id, goals=[])
        session.add(plan)
        return assign(plan, {"status": S.DRAFT, **fields.model_dump()})


def update_plan(ctx: ServiceContext, plan_id: uuid.UUID, **changes: Any) -> ActionPlan:
    """Change the title, the linked assessment or the review date of an editable plan."""
    fields = validate(_PlanFields, changes)
    if "title" in changes:
        require_title(fields.title)
    _check_review_date(ctx, fields.review_date)
    with ctx.transaction() as session:
        plan = load_plan(session, plan_id, editable=True)
        _check_assessment(session, fields.assessment_id, plan.beneficiary_id)
        return assign(plan, fields.model_dump(include=set(changes)))


def submit_for_approval(ctx: ServiceContext, plan_id: uuid.UUID) -> ActionPlan:
    """The plan is then frozen until a supervisor approves it or returns it to draft."""
    return _step(ctx, plan_id, "submit_for_approval", S.AWAITING_APPROVAL, _require_ready)


def approve(ctx: ServiceContext, plan_id: uuid.UUID) -> ActionPlan:
    """Only supervisors (and administrators) approve; the plan becomes active."""
    return _step(ctx, plan_id, "approve", S.ACTIVE, _approve)


def return_to_draft(ctx: ServiceContext, plan_id: uuid.UUID) -> ActionPlan:
    """A submitted plan goes back to its author for changes."""
    return _step(ctx, plan_id, "return_to_draft", S.DRAFT)


def activate(ctx: ServiceContext, plan_id: uuid.UUID) -> ActionPlan:
    """Direct activation, unless the team wants a supervisor to approve plans first."""
    return _step(ctx, plan_id, "activate", S.ACTIVE, _activate_directly)


def start_review(ctx: ServiceContext, plan_id: uuid.UUID) -> ActionPlan:
    return _step(ctx, plan_id, "start_review", S.UNDER_REVIEW)


def resume(ctx: ServiceContext, plan_id: uuid.UUID, *, review_date: date) -> ActionPlan:
    """Back to active after a review, which always sets the date of the next one."""
    fields = parse(_Review, locals())
    _check_review_date(ctx, fields.review_date)
    return _step(ctx, plan_id, "resume", S.ACTIVE, review_date=fields.review_date)


def close(
    ctx: ServiceContext,
    plan_id: uuid.UUID,
    *,
    outcome: PlanOutcome,
    notes: str | None = None,
    closed_on: date | None = None,
) -> ActionPlan:
    """Closed with an outcome (today unless said otherwise); a closed plan never changes."""
    fields = parse(_Closing, locals())
    day = fields.closed_on or ctx.today()
    require_not_future(ctx, day, "closed_on")

    def after_activation(_ctx: ServiceContext, _session: Session, plan: ActionPlan) -> None:
        if plan.activated_on is not None and day < plan.activated_on:
            fail("closed_on", _("A plan cannot close before it was activated."))

    values = {"outcome": fields.outcome, "outcome_notes": fields.notes, "closed_on": day}
    return _step(ctx, plan_id, "close", S.CLOSED, after_activation, **values)


def get_plan(ctx: ServiceContext, plan_id: uuid.UUID) -> ActionPlan:
    """The plan with its goals and actions, in their order."""
    with ctx.reading() as session:
        return load_plan(session, plan_id)


def current_plan(ctx: ServiceContext, beneficiary_id: uuid.UUID) -> ActionPlan | None:
    """The plan being worked on: the latest one that is not closed."""
    with ctx.reading() as session:
        return session.scalar(_open_plans(beneficiary_id))


def list_plans(ctx: ServiceContext, beneficiary_id: uuid.UUID) -> list[ActionPlan]:
    """Every plan of the beneficiary, newest first."""
    with ctx.reading() as session:
        query = plans_query().where(ActionPlan.beneficiary_id == beneficiary_id)
        return list(session.scalars(query.order_by(ActionPlan.created_at.desc())))


def _open_plans(beneficiary_id: uuid.UUID) -> Select[ActionPlan]:
    query = plans_query().where(
        ActionPlan.beneficiary_id == beneficiary_id, ActionPlan.status != S.CLOSED
    )
    return query.order_by(ActionPlan.created_at.desc()).limit(1)


def _step(
    ctx: ServiceContext,
    plan_id: uuid.UUID,
    operation: str,
    target: PlanStatus,
    check: Check | None = None,
    **values: Any,
) -> ActionPlan:
    """One lifecycle move: allowed by PLAN_STEPS for the actor's role, checked, written."""
    with ctx.transaction() as session:
        plan = load_plan(session, plan_id)
        step = PLAN_STEPS.get((plan.status, target))
        if step is None or step.operation != operation:
            message = _("A plan cannot go from {current} to {target}.")
            current, wanted = _(STATUS_LABELS[plan.status]), _(STATUS_LABELS[target])
            raise InvalidTransition(message.format(current=current, target=wanted))
        needs_approval = step.approval and _needs_approval(session, plan)
        refused = refused_permission(ctx.actor.role, step, needs_approval)
        if refused is not None:
            hint = _("This team requires a supervisor's approval: submit the plan for approval.")
            require(ctx, refused, hint if refused is not step.permission else None)
        if check is not None:
            check(ctx, session, plan)
        return assign(plan, {"status": target, **values})


def _require_ready(_ctx: ServiceContext, _session: Session, plan: ActionPlan) -> None:
    if not plan.goals:
        raise ServiceError(_("Add at least one goal before submitting or activating the plan."))
    if plan.review_date is None:
        raise ServiceError(_("Set a review date before submitting or activating the plan."))


def _approve(ctx: ServiceContext, session: Session, plan: ActionPlan) -> None:
    _activate(ctx, session, plan, approved=True)


def _activate_directly(ctx: ServiceContext, session: Session, plan: ActionPlan) -> None:
    _activate(ctx, session, plan, approved=_needs_approval(session, plan))


def _needs_approval(session: Session, plan: ActionPlan) -> bool:
    beneficiary = get_live(session, Beneficiary, plan.beneficiary_id, _("Beneficiary"))
    team = session.get(Team, beneficiary.team_id) if beneficiary.team_id else None
    return team is not None and team.requires_plan_approval


def _activate(ctx: ServiceContext, session: Session, plan: ActionPlan, *, approved: bool) -> None:
    """A supervisor activating a plan their team must approve approves it by doing so."""
    _require_ready(ctx, session, plan)
    plan.activated_on = ctx.today()
    if approved:
        plan.approved_by_id, plan.approved_at = ctx.actor.staff_id, utcnow()


def _check_assessment(
    session: Session, assessment_id: uuid.UUID | None, beneficiary_id: uuid.UUID
) -> None:
    if assessment_id is None:
        return
    found = session.get(NeedsAssessment, assessment_id)
    if found is None or found.deleted_at is not None or found.beneficiary_id != beneficiary_id:
        fail("assessment_id", _("Unknown assessment of this beneficiary."))


def _check_review_date(ctx: ServiceContext, review_date: date | None) -> None:
    if review_date is not None and review_date < ctx.today():
        fail("review_date", _("The review date cannot be in the past."))
