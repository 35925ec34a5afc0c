"""Needs assessments as the case file shows and reopens them: frozen read models.

The screens hold these, never the database rows (a row read in one transaction and shown
after the next is detached). The answers and scores are copied: the form and the chart
read them long after the reading ended, and nothing the screen does can change them.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from app.models import NeedsAssessment
from app.services import assessments
from app.services.context import ServiceContext
from app.services.read_models import columns
from passerelle_core.enums import AssessmentStage, AssessmentStatus


@dataclass(frozen=True)
class AssessmentEntry:
    """One assessment with what its list row, the chart and the form need."""

    id: uuid.UUID
    instrument_id: str
    instrument_version: int
    assessed_on: date
    assessor_id: uuid.UUID | None
    stage: AssessmentStage
    status: AssessmentStatus
    answers: Mapping[str, Any]
    item_notes: Mapping[str, Any]
    scores: Mapping[str, Any]
    priority_domains: tuple[str, ...]
    priority_overrides: Mapping[str, Any]
    notes: str | None
    voided: bool
    void_reason: str | None

    @classmethod
    def of(cls, record: NeedsAssessment) -> AssessmentEntry:
        return cls(
            **columns(
                cls,
                record,
                answers=copy.deepcopy(record.answers or {}),
                item_notes=copy.deepcopy(record.item_notes or {}),
                scores=copy.deepcopy(record.scores or {}),
                priority_domains=tuple(record.priority_domains or ()),
                priority_overrides=copy.deepcopy(record.priority_overrides or {}),
                voided=record.voided_at is not None,
            )
        )

    @property
    def counted(self) -> bool:
        """Completed and not cancelled: what charts and plans go by."""
        return self.status is AssessmentStatus.COMPLETED and not self.voided


def entries_for(ctx: ServiceContext, beneficiary_id: uuid.UUID) -> list[AssessmentEntry]:
    """The case's assessments, oldest first (the order of a chart of scores over time)."""
    return [AssessmentEntry.of(record) for record in assessments.list_for(ctx, beneficiary_id)]


def latest(ctx: ServiceContext, beneficiary_id: uuid.UUID) -> AssessmentEntry | None:
    """The latest completed, uncancelled assessment: what a new plan is based on."""
    counted = [entry for entry in entries_for(ctx, beneficiary_id) if entry.counted]
    return counted[-1] if counted else None
