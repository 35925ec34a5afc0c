"""Needs assessments: answers to a versioned instrument and the scores computed from them."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, SyncedMixin, str_enum
from app.models.voiding import VoidableMixin
from passerelle_core.enums import AssessmentStage, AssessmentStatus


class NeedsAssessment(VoidableMixin, SyncedMixin, Base):
    """One assessment of one beneficiary with one instrument version.

    ``answers`` maps item ids to scale values (None = not answered), ``item_notes``
    item ids to free text, ``scores`` holds the computed domain scores and
    ``priority_overrides`` maps a domain id to ``{"priority": ..., "reason": ...}``:
    the scores are an aid to judgement, the assessor has the last word.
    """

    __tablename__ = "needs_assessment"

    beneficiary_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("beneficiary.id"), index=True)
    instrument_id: Mapped[str] = mapped_column(String(64))
    instrument_version: Mapped[int]
    assessed_on: Mapped[date]
    assessor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_member.id"))
    stage: Mapped[AssessmentStage] = mapped_column(
        str_enum(AssessmentStage), default=AssessmentStage.INTAKE
    )
    status: Mapped[AssessmentStatus] = mapped_column(
        str_enum(AssessmentStatus), default=AssessmentStatus.COMPLETED
    )
    answers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    item_notes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    scores: Mapped[dict[str, Any]] = mapped_column(default=dict)
    priority_domains: Mapped[list[str]] = mapped_column(default=list)
    priority_overrides: Mapped[dict[str, Any]] = mapped_column(default=dict)
    notes: Mapped[str | None] = mapped_column(Text)
