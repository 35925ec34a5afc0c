"""The assessments' read model: what the list, the chart and the form need, copied and
frozen; only completed, uncancelled assessments count."""

from __future__ import annotations

import dataclasses

import pytest

from app.services import assessment_entries, assessments, beneficiaries, consent
from app.services.context import ServiceContext
from passerelle_core.enums import AssessmentStatus, ConsentPurpose


def test_entries_are_frozen_copies_oldest_first(ctx: ServiceContext) -> None:
    person = beneficiaries.register(ctx, {"last_name": "Alaoui", "first_name": "Said"})
    consent.record(ctx, person.id, ConsentPurpose.ASSESSMENT)
    done = assessments.record(ctx, person.id, {"housing.stability": 1})
    draft = assessments.record(
        ctx, person.id, {"housing.stability": 3}, status=AssessmentStatus.DRAFT
    )

    first, second = assessment_entries.entries_for(ctx, person.id)
    assert (first.id, second.id) == (done.id, draft.id)
    assert first.answers == {"housing.stability": 1} and first.counted
    assert not second.counted and isinstance(first.priority_domains, tuple)
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.notes = "x"  # type: ignore[misc]
