"""Needs assessments: consent first, answers checked, scores computed, overrides reasoned."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.instruments import Priority, load_builtin
from app.services import assessments, beneficiaries, consent
from app.services.context import ServiceContext
from app.services.errors import ConsentRequired, ValidationFailed
from passerelle_core.enums import ConsentPurpose


@pytest.fixture
def person(ctx: ServiceContext) -> object:
    return beneficiaries.register(ctx, {"last_name": "Bennani", "first_name": "Youssef"})


def _answers(value: int, domain: str) -> dict[str, int | None]:
    instrument = load_builtin(assessments.DEFAULT_INSTRUMENT)
    return {item.id: value for item in instrument.domain(domain).items}


def test_assessment_requires_consent_then_scores(ctx: ServiceContext, person: object) -> None:
    pid = person.id  # type: ignore[attr-defined]
    with pytest.raises(ConsentRequired):
        assessments.record(ctx, pid, _answers(3, "housing"))
    assert assessments.list_for(ctx, pid) == []
    consent.record(ctx, pid, ConsentPurpose.ASSESSMENT)
    done = assessments.record(ctx, pid, {**_answers(3, "housing"), **_answers(0, "education")})
    scores = {entry["domain_id"]: entry for entry in done.scores["domains"]}
    assert scores["housing"]["score"] == 100.0
    assert scores["education"]["score"] == 0.0
    assert done.priority_domains == ["housing"]
    assert done.assessor_id == ctx.actor.staff_id


def test_withdrawn_consent_blocks_new_assessment(ctx: ServiceContext, person: object) -> None:
    pid = person.id  # type: ignore[attr-defined]
    given = consent.record(ctx, pid, ConsentPurpose.ASSESSMENT)
    consent.withdraw(ctx, given.id)
    with pytest.raises(ConsentRequired):
        assessments.record(ctx, pid, _answers(1, "housing"))


def test_bad_answers_and_future_date_refused(ctx: ServiceContext, person: object) -> None:
    pid = person.id  # type: ignore[attr-defined]
    consent.record(ctx, pid, ConsentPurpose.ASSESSMENT)
    with pytest.raises(ValidationFailed, match="answers"):
        assessments.record(ctx, pid, {"housing.nope": 1})
    with pytest.raises(ValidationFailed):
        assessments.record(ctx, pid, {next(iter(_answers(0, "housing"))): 9})
    with pytest.raises(ValidationFailed, match="future"):
        assessments.record(ctx, pid, {}, assessed_on=ctx.today() + timedelta(days=1))


def test_override_needs_reason_and_changes_priorities(ctx: ServiceContext, person: object) -> None:
    pid = person.id  # type: ignore[attr-defined]
    consent.record(ctx, pid, ConsentPurpose.ASSESSMENT)
    done = assessments.record(ctx, pid, {**_answers(3, "housing"), **_answers(1, "family")})
    with pytest.raises(ValidationFailed, match="reason"):
        assessments.override_priority(ctx, done.id, "family", Priority.HIGH, "  ")
    changed = assessments.override_priority(
        ctx, done.id, "family", Priority.HIGH, "Conflit familial aigu signalé par l'épouse"
    )
    assert changed.priority_domains == ["housing", "family"]
    lowered = assessments.override_priority(
        ctx, done.id, "housing", Priority.LOW, "Logé par son frère"
    )
    assert lowered.priority_domains == ["family"]
    assert assessments.effective_priorities(lowered)["housing"] is Priority.LOW


def test_history_is_ordered_for_charts(ctx: ServiceContext, person: object) -> None:
    pid = person.id  # type: ignore[attr-defined]
    consent.record(ctx, pid, ConsentPurpose.ASSESSMENT)
    later = assessments.record(ctx, pid, _answers(1, "housing"))
    earlier = assessments.record(
        ctx, pid, _answers(3, "housing"), assessed_on=ctx.today() - timedelta(days=90)
    )
    assert [a.id for a in assessments.list_for(ctx, pid)] == [earlier.id, later.id]
    latest = assessments.latest(ctx, pid)
    assert latest is not None and latest.id == later.id
