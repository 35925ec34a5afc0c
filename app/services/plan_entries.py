"""Action plans as the case file shows and edits them: frozen read models, goals and
actions inside, in their order.

The plan tab and its dialogs hold these, never the database rows: a plan read in one
transaction and shown after the next is detached, and its goals and actions would be
stale lists the screen could change by mistake.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from app.models import Action, ActionPlan, Goal
from app.services import plans
from app.services.context import ServiceContext
from app.services.read_models import columns
from passerelle_core.enums import ActionStatus, GoalStatus, PlanOutcome, PlanStatus, ResponsibleKind


@dataclass(frozen=True)
class ActionEntry:
    id: uuid.UUID
    goal_id: uuid.UUID
    description: str
    responsible_kind: ResponsibleKind
    responsible_staff_id: uuid.UUID | None
    partner_id: uuid.UUID | None
    due_date: date | None
    status: ActionStatus
    completed_on: date | None
    outcome: str | None

    @classmethod
    def of(cls, action: Action) -> ActionEntry:
        return cls(**columns(cls, action))


@dataclass(frozen=True)
class GoalEntry:
    id: uuid.UUID
    plan_id: uuid.UUID
    domain_id: str
    wording: str
    target_date: date | None
    status: GoalStatus
    actions: tuple[ActionEntry, ...]

    @classmethod
    def of(cls, goal: Goal) -> GoalEntry:
        actions = tuple(ActionEntry.of(action) for action in goal.actions)
        return cls(**columns(cls, goal, actions=actions))


@dataclass(frozen=True)
class PlanEntry:
    id: uuid.UUID
    status: PlanStatus
    title: str | None
    assessment_id: uuid.UUID | None
    author_id: uuid.UUID | None
    approved_by_id: uuid.UUID | None
    approved_at: datetime | None
    activated_on: date | None
    review_date: date | None
    closed_on: date | None
    outcome: PlanOutcome | None
    outcome_notes: str | None
    created_at: datetime | None
    goals: tuple[GoalEntry, ...]

    @classmethod
    def of(cls, plan: ActionPlan) -> PlanEntry:
        goals = tuple(GoalEntry.of(goal) for goal in plan.goals)
        return cls(**columns(cls, plan, goals=goals))


def entries_for(ctx: ServiceContext, beneficiary_id: uuid.UUID) -> list[PlanEntry]:
    """Every plan of the beneficiary, newest first, with its goals and actions."""
    return [PlanEntry.of(plan) for plan in plans.list_plans(ctx, beneficiary_id)]
