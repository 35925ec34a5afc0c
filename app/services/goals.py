"""The content of an action plan: goals linked to need domains, and their actions.

Goals and actions change while the plan is worked on (draft, active, under review);
never while it awaits approval (the supervisor approves what was submitted) nor once it
is closed. ``app.services.plans`` re-exports these operations with the plan lifecycle.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from app.i18n import N_, _
from app.instruments import load_builtin
from app.models import Action, ActionPlan, Goal, Partner, StaffMember
from app.models.base import SyncedMixin
from app.services.context import ServiceContext
from app.services.errors import FieldError, InvalidTransition, NotFound, ValidationFailed
from app.services.lookup import get_live
from app.services.validation import (
    InputModel,
    Text,
    fail,
    parse,
    provided,
    require_not_future,
)
from passerelle_core.enums import ActionStatus, GoalStatus, PlanStatus, ResponsibleKind

NEEDS_INSTRUMENT = "passerelle-needs"
EDITABLE = frozenset({PlanStatus.DRAFT, PlanStatus.ACTIVE, PlanStatus.UNDER_REVIEW})
STATUS_LABELS = {
    PlanStatus.DRAFT: N_("draft"),
    PlanStatus.AWAITING_APPROVAL: N_("awaiting approval"),
    PlanStatus.ACTIVE: N_("active"),
    PlanStatus.UNDER_REVIEW: N_("under review"),
    PlanStatus.CLOSED: N_("closed"),
}
R = TypeVar("R")


class _GoalFields(InputModel):
    domain_id: str | None = None
    wording: Text | None = None
    target_date: date | None = None


class _NewGoal(_GoalFields):
    domain_id: str
    wording: Text


class _GoalStatus(InputModel):
    status: GoalStatus


class _ActionFields(InputModel):
    description: Text | None = None
    responsible_kind: ResponsibleKind | None = None
    responsible_staff_id: uuid.UUID | None = None
    partner_id: uuid.UUID | None = None
    due_date: date | None = None


class _NewAction(_ActionFields):
    description: Text
    responsible_kind: ResponsibleKind


class _ActionStatus(InputModel):
    status: ActionStatus
    outcome: str | None = None
    completed_on: date | None = None


def add_goal(
    ctx: ServiceContext,
    plan_id: uuid.UUID,
    *,
    domain_id: str,
    wording: str,
    target_date: date | None = None,
) -> Goal:
    """A goal appended to the plan, about one domain of the built-in needs instrument."""
    fields = parse(_NewGoal, locals())
    _check_domain(fields.domain_id)
    with ctx.transaction() as session:
        plan = load_plan(session, plan_id, editable=True)
        position = max((goal.position for goal in plan.goals), default=-1) + 1
        goal = Goal(plan=plan, actions=[], position=position)
        session.add(goal)
        return assign(goal, fields.model_dump())


def add_goals(
    ctx: ServiceContext,
    plan_id: uuid.UUID,
    wordings: Mapping[str, str],
    target_date: date | None = None,
) -> list[Goal]:
    """One goal per domain (domain id -> wording) in one step, all or none: the priority
    domains of an assessment turned into the plan's goals at once."""
    if not wordings:
        raise ValidationFailed([FieldError("wording", _("Write at least one goal."))])
    checked = [
        parse(_NewGoal, {"domain_id": domain, "wording": wording, "target_date": target_date})
        for domain, wording in wordings.items()
    ]
    for fields in checked:
        _check_domain(fields.domain_id)
    with ctx.transaction() as session:
        plan = load_plan(session, plan_id, editable=True)
        position = max((goal.position for goal in plan.goals), default=-1)
        added = []
        for fields in checked:
            position += 1
            goal = Goal(plan=plan, actions=[], position=position)
            session.add(goal)
            added.append(assign(goal, fields.model_dump()))
        return added


def update_goal(ctx: ServiceContext, goal_id: uuid.UUID, **changes: Any) -> Goal:
    """Change the given fields (domain_id, wording, target_date)."""
    values = provided(_GoalFields, changes, required=("domain_id", "wording"))
    if "domain_id" in values:
        _check_domain(values["domain_id"])
    with ctx.transaction() as session:
        return assign(_load_goal(session, goal_id), values)


def set_goal_status(ctx: ServiceContext, goal_id: uuid.UUID, status: GoalStatus) -> Goal:
    fields = parse(_GoalStatus, locals())
    with ctx.transaction() as session:
        return assign(_load_goal(session, goal_id), {"status": fields.status})


def add_action(
    ctx: ServiceContext,
    goal_id: uuid.UUID,
    *,
    description: str,
    responsible_kind: ResponsibleKind,
    responsible_staff_id: uuid.UUID | None = None,
    partner_id: uuid.UUID | None = None,
    due_date: date | None = None,
) -> Action:
    """An action appended to the goal; who is responsible decides which reference it names."""
    values = parse(_NewAction, locals()).model_dump()
    with ctx.transaction() as session:
        goal = _load_goal(session, goal_id)
        _check_responsible(session, values)
        position = max((action.position for action in goal.actions), default=-1) + 1
        action = Action(goal=goal, position=position)
        session.add(action)
        return assign(action, values)


def update_action(ctx: ServiceContext, action_id: uuid.UUID, **changes: Any) -> Action:
    """Change the given fields; a new kind of responsible drops the reference of the old one."""
    values = provided(_ActionFields, changes, required=("description", "responsible_kind"))
    with ctx.transaction() as session:
        action = _load_action(session, action_id)
        refs = ("responsible_kind", "responsible_staff_id", "partner_id")
        merged = {name: getattr(action, name) for name in refs} | values
        if merged["responsible_kind"] != action.responsible_kind:
            merged.update({ref: values.get(ref) for ref in refs[1:]})
        _check_responsible(session, merged)
        return assign(action, values | merged)


def set_action_status(
    ctx: ServiceContext,
    action_id: uuid.UUID,
    status: ActionStatus,
    *,
    outcome: str | None = None,
    completed_on: date | None = None,
) -> Action:
    """Only a done action has a completion date (today unless said otherwise)."""
    fields = parse(_ActionStatus, locals())
    done = fields.status is ActionStatus.DONE
    if fields.completed_on is not None:
        if not done:
            fail("completed_on", _("Only a completed action has a completion date."))
        require_not_future(ctx, fields.completed_on, "completed_on")
    values: dict[str, Any] = {
        "status": fields.status,
        "completed_on": (fields.completed_on or ctx.today()) if done else None,
    }
    if outcome is not None:
        values["outcome"] = fields.outcome
    with ctx.transaction() as session:
        return assign(_load_action(session, action_id), values)


def plans_query() -> Select[ActionPlan]:
    """Live plans with their live goals and actions, so callers can read them detached."""
    live_goals = ActionPlan.goals.and_(Goal.deleted_at.is_(None))
    live_actions = Goal.actions.and_(Action.deleted_at.is_(None))
    query = select(ActionPlan)
    return query.options(selectinload(live_goals).selectinload(live_actions))


def load_plan(session: Session, plan_id: uuid.UUID, *, editable: bool = False) -> ActionPlan:
    """The plan with its goals and actions; ``editable`` refuses a plan that cannot change."""
    plan = session.scalar(plans_query().where(ActionPlan.id == plan_id))
    if plan is None:
        raise NotFound(_("Action plan"))
    if editable and plan.status not in EDITABLE:
        message = _("A plan that is {status} cannot be changed.")
        raise InvalidTransition(message.format(status=_(STATUS_LABELS[plan.status])))
    return plan


def _load_goal(session: Session, goal_id: uuid.UUID) -> Goal:
    """The goal with its plan and actions loaded, so callers can read them detached."""
    goal = get_live(session, Goal, goal_id, _("Goal"))
    plan = load_plan(session, goal.plan_id, editable=True)  # its loader fills goal.actions
    set_committed_value(goal, "plan", plan)
    return goal


def _load_action(session: Session, action_id: uuid.UUID) -> Action:
    action = get_live(session, Action, action_id, _("Action"))
    set_committed_value(action, "goal", _load_goal(session, action.goal_id))
    return action


def _check_responsible(session: Session, values: dict[str, Any]) -> None:
    """Staff actions name a staff member, partner actions a partner, and nothing else."""
    references: tuple[tuple[str, ResponsibleKind, type[SyncedMixin], str], ...] = (
        ("responsible_staff_id", ResponsibleKind.STAFF, StaffMember, N_("Unknown staff member.")),
        ("partner_id", ResponsibleKind.PARTNER, Partner, N_("Unknown partner.")),
    )
    errors = []
    for field, kind, model, unknown in references:
        ref = values.get(field)
        if values["responsible_kind"] is not kind:
            if ref is not None:
                errors.append(FieldError(field, _("Leave empty for this kind of responsible.")))
        elif ref is None:
            errors.append(FieldError(field, _("This field is required.")))
        elif (record := session.get(model, ref)) is None or record.deleted_at is not None:
            errors.append(FieldError(field, _(unknown)))
    if errors:
        raise ValidationFailed(errors)


def _check_domain(domain_id: str) -> None:
    if domain_id not in {domain.id for domain in load_builtin(NEEDS_INSTRUMENT).domains}:
        fail("domain_id", _("Unknown needs domain."))


def assign(record: R, values: dict[str, Any]) -> R:
    for name, value in values.items():
        setattr(record, name, value)
    return record
