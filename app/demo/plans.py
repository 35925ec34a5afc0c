"""The personalised action plan: its status history, goals and actions.

Goals address the priority domains of the first completed assessment (topped up with
the next highest-scoring domains); each action is owned by the person, a staff member
or a partner offering a service for that need, and has a due date, so that overdue
actions, plans awaiting approval and plans due for review all appear in the demo.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from itertools import accumulate

from app.demo import texts
from app.demo.assessments import ASSESSED_SHARE, Assessed
from app.demo.beneficiaries import Case
from app.demo.organisation import Organisation, ServiceRef
from app.demo.records import Clock, Row, RowBuffer, synced
from app.demo.referrals import PartnerAction
from passerelle_core.enums import (
    ActionStatus,
    GoalStatus,
    PlanOutcome,
    PlanStatus,
    ResponsibleKind,
)

PLANNED_SHARE = 0.65
PARTNER_ACTION_SHARE = 0.11

_S = PlanStatus
_PLAN_IN_CUSTODY = (
    (_S.DRAFT, _S.AWAITING_APPROVAL, _S.ACTIVE, _S.UNDER_REVIEW, _S.CLOSED),
    tuple(accumulate((12, 5, 58, 15, 10))),
)
_PLAN_RELEASED = (
    (_S.DRAFT, _S.ACTIVE, _S.UNDER_REVIEW, _S.CLOSED),
    tuple(accumulate((5, 30, 15, 50))),
)
_O = PlanOutcome
_OUTCOME_RELEASED = (
    (_O.ACHIEVED, _O.PARTIALLY_ACHIEVED, _O.NOT_ACHIEVED, _O.DISCONTINUED),
    tuple(accumulate((30, 40, 20, 10))),
)
_OUTCOME_IN_CUSTODY = ((_O.TRANSFERRED, _O.DISCONTINUED), (60, 100))
_G = GoalStatus
_GOALS_BY_OUTCOME: dict[PlanOutcome | None, tuple[int, int, int]] = {
    _O.ACHIEVED: (10, 85, 5),
    _O.PARTIALLY_ACHIEVED: (25, 50, 25),
    _O.NOT_ACHIEVED: (30, 10, 60),
    _O.TRANSFERRED: (70, 30, 0),
    _O.DISCONTINUED: (30, 0, 70),
    None: (70, 22, 8),
}
"""Weights of (open, achieved, abandoned) goals by plan outcome (None: plan in progress)."""


class PlanMaker:
    def __init__(self, clock: Clock, org: Organisation) -> None:
        self.clock = clock
        self.org = org

    def make(self, case: Case, completed: list[Assessed], buffer: RowBuffer) -> list[PartnerAction]:
        """A plan for about 65% of people, with goals and actions; returns the partner
        actions to refer (none while the plan is still a draft)."""
        if not completed or self.clock.rng.random() >= PLANNED_SHARE / ASSESSED_SHARE:
            return []
        clock, rng = self.clock, self.clock.rng
        end = case.last_day or clock.today
        statuses, weights = _PLAN_RELEASED if case.release else _PLAN_IN_CUSTODY
        status = rng.choices(statuses, cum_weights=weights)[0]
        if status is _S.AWAITING_APPROVAL and not case.team.requires_approval:
            status = _S.DRAFT
        if case.closed_on is not None:
            status = _S.CLOSED
        started = status not in (_S.DRAFT, _S.AWAITING_APPROVAL)
        if started:
            assessment = completed[0]
            created = clock.past(min(end, assessment.day + timedelta(days=rng.randint(1, 30))))
        else:  # a draft is recent work, on the latest assessment
            assessment = completed[-1]
            created = clock.between(max(assessment.day, end - timedelta(days=60)), end)
        activated = clock.past(created + timedelta(days=rng.randint(0, 21))) if started else None
        approved = started and case.team.requires_approval and case.team.supervisor is not None
        # A review date is required to submit or activate; drafts often have one already.
        next_review = (activated or created) + timedelta(days=rng.randint(90, 180))
        review: date | None = next_review
        if status is _S.UNDER_REVIEW:
            review = clock.past(next_review)
        elif status is _S.DRAFT and rng.random() < 0.3:
            review = None
        closed_on = outcome = None
        if status is _S.CLOSED and activated is not None:
            closed_on = clock.between(min(end, activated + timedelta(days=60)), end)
            outcomes, outcome_weights = _OUTCOME_RELEASED if case.release else _OUTCOME_IN_CUSTODY
            outcome = rng.choices(outcomes, cum_weights=outcome_weights)[0]
        version = {
            _S.DRAFT: 1,
            _S.AWAITING_APPROVAL: 2,
            _S.ACTIVE: 2,
            _S.UNDER_REVIEW: 3,
            _S.CLOSED: 4,
        }[status] + approved
        touched = max(d for d in (created, activated, closed_on) if d is not None)
        if status is _S.UNDER_REVIEW and review is not None:
            touched = max(touched, review)
        plan_id = clock.new_id()
        buffer.rows["action_plan"].append(
            synced(plan_id, clock.at(created), clock.at(touched), case.staff.id, version)
            | {
                "beneficiary_id": case.id,
                "status": status,
                "title": f"{rng.choice(texts.PLAN_TITLES)} – {created.year}",
                "assessment_id": assessment.id,
                "author_id": case.staff.id,
                "approved_by_id": case.team.supervisor if approved else None,
                "approved_at": clock.at(activated) if approved and activated else None,
                "activated_on": activated,
                "review_date": review,
                "closed_on": closed_on,
                "outcome": outcome,
                "outcome_notes": rng.choice(texts.PLAN_OUTCOME_NOTES[outcome.value])
                if outcome
                else None,
            }
        )
        domains = list(assessment.priority_domains)
        domains += [d for d in assessment.ranked_domains if d not in domains]
        goal_count = rng.randint(2, 4)
        partner_actions: list[PartnerAction] = []
        for position, domain_id in enumerate(domains[:goal_count]):
            partner_actions += self._goal(
                case, plan_id, status, outcome, activated or created, domain_id, position, buffer
            )
        return partner_actions if started else []

    def _goal(
        self,
        case: Case,
        plan_id: uuid.UUID,
        plan_status: PlanStatus,
        outcome: PlanOutcome | None,
        start: date,
        domain_id: str,
        position: int,
        buffer: RowBuffer,
    ) -> list[PartnerAction]:
        clock, rng = self.clock, self.clock.rng
        if plan_status in (_S.DRAFT, _S.AWAITING_APPROVAL):
            status = _G.OPEN
        else:
            weights = tuple(accumulate(_GOALS_BY_OUTCOME[outcome]))
            status = rng.choices((_G.OPEN, _G.ACHIEVED, _G.ABANDONED), cum_weights=weights)[0]
        goal_id, created = clock.new_id(), clock.at(start)
        buffer.rows["goal"].append(
            synced(goal_id, created, None, case.staff.id, 1 if status is _G.OPEN else 2)
            | {
                "plan_id": plan_id,
                "domain_id": domain_id,
                "wording": rng.choice(texts.GOALS[domain_id]),
                "target_date": start + timedelta(days=rng.randint(60, 300)),
                "status": status,
                "position": position,
            }
        )
        partner_actions = []
        for position_in_goal in range(rng.randint(1, 3)):
            action, service = self._action(case, goal_id, plan_status, status, start, domain_id)
            action["position"] = position_in_goal
            buffer.rows["action"].append(action)
            if service is not None:
                partner_actions.append((action["id"], service, start))
        return partner_actions

    def _action(
        self,
        case: Case,
        goal_id: uuid.UUID,
        plan_status: PlanStatus,
        goal_status: GoalStatus,
        start: date,
        domain_id: str,
    ) -> tuple[Row, ServiceRef | None]:
        """One action row (position set by the caller) and the partner service it relies on."""
        clock, rng = self.clock, self.clock.rng
        services = self.org.services_by_domain.get(domain_id, [])
        draw = rng.random()
        service: ServiceRef | None = None
        staff_id = None
        if services and draw < PARTNER_ACTION_SHARE:
            kind = ResponsibleKind.PARTNER
            local = [s for s in services if s.city == case.city]
            service = rng.choice(local or services)
        elif draw < 0.40:
            kind = ResponsibleKind.BENEFICIARY
        else:
            kind, staff_id = ResponsibleKind.STAFF, case.staff.id
            if domain_id == "mental_health" and case.team.psychologists:
                staff_id = rng.choice(case.team.psychologists).id
        due = start + timedelta(days=rng.randint(7, 200))
        status = self._action_status(plan_status, goal_status, due)
        completed_on = None
        if status is ActionStatus.DONE:
            completed_on = clock.past(clock.between(start, due + timedelta(days=20)))
        touched = completed_on or (clock.past(due) if status is not ActionStatus.PLANNED else start)
        row = synced(
            clock.new_id(),
            clock.at(start),
            clock.at(max(start, touched)),
            case.staff.id,
            1 if status is ActionStatus.PLANNED else 2,
        ) | {
            "goal_id": goal_id,
            "description": rng.choice(texts.ACTIONS[domain_id]),
            "responsible_kind": kind,
            "responsible_staff_id": staff_id,
            "partner_id": service.partner_id if service else None,
            "due_date": due,
            "status": status,
            "completed_on": completed_on,
            "outcome": rng.choice(texts.ACTION_OUTCOMES)
            if completed_on and rng.random() < 0.5
            else None,
            "position": 0,
        }
        return row, service

    def _action_status(
        self, plan_status: PlanStatus, goal_status: GoalStatus, due: date
    ) -> ActionStatus:
        """Statuses consistent with the goal; open goals keep some overdue actions."""
        rng = self.clock.rng
        if plan_status in (_S.DRAFT, _S.AWAITING_APPROVAL):
            return ActionStatus.PLANNED
        if goal_status is _G.ACHIEVED:
            return ActionStatus.DONE
        if goal_status is _G.ABANDONED:
            return ActionStatus.CANCELLED if rng.random() < 0.6 else ActionStatus.DONE
        if due < self.clock.today:
            status = rng.choices(
                (
                    ActionStatus.DONE,
                    ActionStatus.IN_PROGRESS,
                    ActionStatus.PLANNED,
                    ActionStatus.CANCELLED,
                ),
                cum_weights=(75, 83, 93, 100),
            )[0]
        else:
            status = rng.choices(
                (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS, ActionStatus.DONE),
                cum_weights=(60, 95, 100),
            )[0]
        if plan_status is _S.CLOSED and status in (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS):
            return ActionStatus.CANCELLED
        return status

    # -- referrals ----------------------------------------------------------------------
