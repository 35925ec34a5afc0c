"""The plans' read model: each plan with its goals and their actions, in their order,
frozen (tuples, not lists a screen could change)."""

from __future__ import annotations

import dataclasses

import pytest

from app.services import beneficiaries, goals, plan_entries, plans
from app.services.context import ServiceContext
from passerelle_core.enums import PlanStatus, ResponsibleKind


def test_plans_with_goals_and_actions(ctx: ServiceContext) -> None:
    person = beneficiaries.register(ctx, {"last_name": "Alaoui", "first_name": "Said"})
    plan = plans.draft_plan(ctx, person.id, title="Insertion")
    housing = goals.add_goal(ctx, plan.id, domain_id="housing", wording="Un logement")
    goals.add_goal(ctx, plan.id, domain_id="employment", wording="Un emploi")
    goals.add_action(
        ctx,
        housing.id,
        description="Appeler le foyer",
        responsible_kind=ResponsibleKind.BENEFICIARY,
    )

    [entry] = plan_entries.entries_for(ctx, person.id)
    assert (entry.id, entry.title, entry.status) == (plan.id, "Insertion", PlanStatus.DRAFT)
    assert [g.wording for g in entry.goals] == ["Un logement", "Un emploi"]
    assert [a.description for a in entry.goals[0].actions] == ["Appeler le foyer"]
    assert entry.goals[1].actions == () and isinstance(entry.goals, tuple)
    with pytest.raises(dataclasses.FrozenInstanceError):
        entry.goals[0].actions[0].status = None  # type: ignore[misc,assignment]
