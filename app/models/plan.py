"""The personalised action plan: goals linked to need domains, actions with owners and dates."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, SyncedMixin, str_enum
from passerelle_core.enums import ActionStatus, GoalStatus, PlanOutcome, PlanStatus, ResponsibleKind


class ActionPlan(SyncedMixin, Base):
    __tablename__ = "action_plan"
    # The "current plan" of a beneficiary (latest live one) is looked up per caseload row.
    __table_args__ = (
        Index(
            "ix_action_plan_current",
            "beneficiary_id",
            "deleted_at",
            "created_at",
            "status",
            "review_date",
        ),
    )

    beneficiary_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("beneficiary.id"), index=True)
    status: Mapped[PlanStatus] = mapped_column(str_enum(PlanStatus), default=PlanStatus.DRAFT)
    title: Mapped[str | None] = mapped_column(String(200))
    assessment_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("needs_assessment.id"))
    author_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_member.id"))
    approved_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_member.id"))
    approved_at: Mapped[datetime | None]
    activated_on: Mapped[date | None]
    review_date: Mapped[date | None] = mapped_column(index=True)
    closed_on: Mapped[date | None]
    outcome: Mapped[PlanOutcome | None] = mapped_column(str_enum(PlanOutcome))
    outcome_notes: Mapped[str | None] = mapped_column(Text)

    goals: Mapped[list[Goal]] = relationship(
        back_populates="plan", order_by="Goal.position", cascade="save-update, merge"
    )


class Goal(SyncedMixin, Base):
    __tablename__ = "goal"

    plan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("action_plan.id"), index=True)
    domain_id: Mapped[str] = mapped_column(String(64))
    wording: Mapped[str] = mapped_column(Text)
    target_date: Mapped[date | None]
    status: Mapped[GoalStatus] = mapped_column(str_enum(GoalStatus), default=GoalStatus.OPEN)
    position: Mapped[int] = mapped_column(default=0)

    plan: Mapped[ActionPlan] = relationship(back_populates="goals")
    actions: Mapped[list[Action]] = relationship(
        back_populates="goal", order_by="Action.position", cascade="save-update, merge"
    )


class Action(SyncedMixin, Base):
    __tablename__ = "action"

    goal_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("goal.id"), index=True)
    description: Mapped[str] = mapped_column(Text)
    responsible_kind: Mapped[ResponsibleKind] = mapped_column(
        str_enum(ResponsibleKind), default=ResponsibleKind.STAFF
    )
    responsible_staff_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("staff_member.id"), index=True
    )
    partner_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("partner.id"))
    due_date: Mapped[date | None] = mapped_column(index=True)
    status: Mapped[ActionStatus] = mapped_column(
        str_enum(ActionStatus), default=ActionStatus.PLANNED
    )
    completed_on: Mapped[date | None]
    outcome: Mapped[str | None] = mapped_column(Text)
    position: Mapped[int] = mapped_column(default=0)

    goal: Mapped[Goal] = relationship(back_populates="actions")
