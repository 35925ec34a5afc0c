"""Needs assessments: answers validated against the instrument, scores computed on save.

Scores are an aid to judgement: the assessor may override a domain's priority with a
written reason, and the stored priority domains follow the overrides.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date
from typing import Any, Protocol

from sqlalchemy import select

from app.i18n import _
from app.instruments import AnswerError, Instrument, Priority, load_builtin, score_assessment
from app.instruments.loader import InstrumentError
from app.models import Beneficiary, NeedsAssessment
from app.services import consent
from app.services.context import ServiceContext
from app.services.errors import FieldError, ServiceError, ValidationFailed
from app.services.lookup import get_live
from app.services.validation import fail, require_not_future
from passerelle_core.enums import AssessmentStage, AssessmentStatus, ConsentPurpose, LegalStatus

DEFAULT_INSTRUMENT = "passerelle-needs"


def record(
    ctx: ServiceContext,
    beneficiary_id: uuid.UUID,
    answers: Mapping[str, int | None],
    *,
    item_notes: Mapping[str, str] | None = None,
    assessed_on: date | None = None,
    stage: AssessmentStage = AssessmentStage.INTAKE,
    status: AssessmentStatus = AssessmentStatus.COMPLETED,
    notes: str | None = None,
    priority_overrides: Mapping[str, Mapping[str, str]] | None = None,
    instrument_id: str = DEFAULT_INSTRUMENT,
    instrument_version: int | None = None,
) -> NeedsAssessment:
    """Refused unless the beneficiary consented to assessment (checked in the same transaction)."""
    instrument = _instrument(instrument_id, instrument_version)
    assessed_on = assessed_on or ctx.today()
    require_not_future(ctx, assessed_on, "assessed_on")
    with ctx.transaction() as session:
        get_live(session, Beneficiary, beneficiary_id, _("Beneficiary"))
        consent.require(session, beneficiary_id, ConsentPurpose.ASSESSMENT)
        assessment = NeedsAssessment(
            beneficiary_id=beneficiary_id,
            instrument_id=instrument.id,
            instrument_version=instrument.version,
            assessed_on=assessed_on,
            assessor_id=ctx.actor.staff_id,
            stage=stage,
            status=status,
            notes=notes,
        )
        _apply(instrument, assessment, answers, item_notes or {}, priority_overrides or {})
        session.add(assessment)
        session.flush()
        return assessment


def update(
    ctx: ServiceContext,
    assessment_id: uuid.UUID,
    *,
    answers: Mapping[str, int | None] | None = None,
    item_notes: Mapping[str, str] | None = None,
    notes: str | None = None,
    status: AssessmentStatus | None = None,
    priority_overrides: Mapping[str, Mapping[str, str]] | None = None,
) -> NeedsAssessment:
    with ctx.transaction() as session:
        assessment = get_live(session, NeedsAssessment, assessment_id, _("Assessment"))
        instrument = _instrument(assessment.instrument_id, assessment.instrument_version)
        _apply(
            instrument,
            assessment,
            answers if answers is not None else assessment.answers,
            item_notes if item_notes is not None else assessment.item_notes,
            priority_overrides if priority_overrides is not None else assessment.priority_overrides,
        )
        if notes is not None:
            assessment.notes = notes
        if status is not None:
            assessment.status = status
        return assessment


def override_priority(
    ctx: ServiceContext, assessment_id: uuid.UUID, domain_id: str, priority: Priority, reason: str
) -> NeedsAssessment:
    with ctx.reading() as session:
        existing = dict(
            get_live(session, NeedsAssessment, assessment_id, _("Assessment")).priority_overrides
        )
    existing[domain_id] = {"priority": priority.value, "reason": reason}
    return update(ctx, assessment_id, priority_overrides=existing)


def list_for(ctx: ServiceContext, beneficiary_id: uuid.UUID) -> list[NeedsAssessment]:
    """Oldest first: the order of a chart of scores over time."""
    with ctx.reading() as session:
        query = (
            select(NeedsAssessment)
            .where(
                NeedsAssessment.beneficiary_id == beneficiary_id,
            )
            .order_by(NeedsAssessment.assessed_on, NeedsAssessment.created_at)
        )
        return list(session.scalars(query))


def latest(ctx: ServiceContext, beneficiary_id: uuid.UUID) -> NeedsAssessment | None:
    completed = [
        a
        for a in list_for(ctx, beneficiary_id)
        if a.status is AssessmentStatus.COMPLETED and a.voided_at is None
    ]
    return completed[-1] if completed else None


PRE_RELEASE_DAYS = 90
"""An assessment within this many days of the expected release prepares the release."""


def suggested_stage(ctx: ServiceContext, beneficiary_id: uuid.UUID) -> AssessmentStage:
    """The stage a new assessment most likely is, from the case's history: the first one
    is the intake; later ones are reviews, before release when it is near, after release
    once the person is out."""
    earlier = [a for a in list_for(ctx, beneficiary_id) if a.voided_at is None]
    if not earlier:
        return AssessmentStage.INTAKE
    with ctx.reading() as session:
        person = get_live(session, Beneficiary, beneficiary_id, _("Beneficiary"))
        status, release = person.legal_status, person.expected_release_date
    today = ctx.today()
    if status is LegalStatus.RELEASED or (release is not None and release <= today):
        return AssessmentStage.POST_RELEASE
    if release is not None and (release - today).days <= PRE_RELEASE_DAYS:
        return AssessmentStage.PRE_RELEASE
    return AssessmentStage.REVIEW


class Scored(Protocol):
    """An assessment's scores and overrides: a row or its read model (AssessmentEntry)."""

    @property
    def scores(self) -> Mapping[str, Any]: ...

    @property
    def priority_overrides(self) -> Mapping[str, Any]: ...


def effective_priorities(assessment: Scored) -> dict[str, Priority | None]:
    """Each domain's priority after the assessor's overrides."""
    priorities: dict[str, Priority | None] = {}
    for entry in assessment.scores.get("domains", []):
        value = entry.get("priority")
        priorities[entry["domain_id"]] = Priority(value) if value else None
    for domain_id, override in assessment.priority_overrides.items():
        priorities[domain_id] = Priority(override["priority"])
    return priorities


def _apply(
    instrument: Instrument,
    assessment: NeedsAssessment,
    answers: Mapping[str, int | None],
    item_notes: Mapping[str, str],
    overrides: Mapping[str, Mapping[str, str]],
) -> None:
    try:
        scores = score_assessment(instrument, answers)
    except AnswerError as error:
        raise ValidationFailed([FieldError("answers", str(error))]) from None
    unknown_notes = [item for item in item_notes if item not in _item_ids(instrument)]
    if unknown_notes:
        fail("item_notes", _("Unknown item."))
    checked = _checked_overrides(instrument, overrides)
    assessment.answers = dict(answers)
    assessment.item_notes = {item: text for item, text in item_notes.items() if text.strip()}
    assessment.scores = scores.as_json()
    assessment.priority_overrides = checked
    assessment.priority_domains = _priority_domains(scores.priority_domains(), checked, instrument)


def _checked_overrides(
    instrument: Instrument, overrides: Mapping[str, Mapping[str, Any]]
) -> dict[str, dict[str, str]]:
    domain_ids = {domain.id for domain in instrument.domains}
    checked = {}
    for domain_id, override in overrides.items():
        if domain_id not in domain_ids:
            fail("priority_overrides", _("Unknown domain."))
        reason = str(override.get("reason") or "").strip()
        if not reason:
            fail("priority_overrides", _("Overriding a priority needs a reason."))
        try:
            priority = Priority(str(override.get("priority")))
        except ValueError:
            raise ValidationFailed(
                [FieldError("priority_overrides", _("Unknown priority."))]
            ) from None
        checked[domain_id] = {"priority": priority.value, "reason": reason}
    return checked


def _priority_domains(
    computed: list[str], overrides: Mapping[str, Mapping[str, str]], instrument: Instrument
) -> list[str]:
    kept = [d for d in computed if d not in overrides]
    added = [
        domain.id
        for domain in instrument.domains
        if overrides.get(domain.id, {}).get("priority") == Priority.HIGH.value
    ]
    return kept + [d for d in added if d not in kept]


def _item_ids(instrument: Instrument) -> set[str]:
    return {item.id for domain in instrument.domains for item in domain.items}


def _instrument(instrument_id: str, version: int | None) -> Instrument:
    try:
        return load_builtin(instrument_id, version)
    except InstrumentError as error:
        raise ServiceError(str(error)) from None
