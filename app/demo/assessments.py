"""Plausible answers to the needs instrument, scored by the real scoring code.

Answers are not uniform noise: each person has a level of need per domain (some
domains, like employment and finances, weigh on most people leaving prison) and each
item is rated around that level, so domain scores and priorities look like a real
caseload. A later assessment of the same person starts from lower needs: support
usually helps a little.

Scoring tens of thousands of assessments with exact fractions is slow, and the
instrument defines each domain score from that domain's answers alone, so
:class:`Scorer` scores each distinct (domain, answers) pair once with
:func:`~app.instruments.scoring.score_assessment` and assembles the full result.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from app.demo import texts
from app.demo.beneficiaries import ASSESSMENT_CONSENT_SHARE, Case
from app.demo.records import NOT_VOIDED, Clock, RowBuffer, synced
from app.instruments import (
    AssessmentScores,
    DomainScore,
    Instrument,
    Priority,
    score_assessment,
)
from passerelle_core.enums import AssessmentStage, AssessmentStatus

NEEDS_INSTRUMENT = "passerelle-needs"
ASSESSED_SHARE = 0.80

DOMAIN_MEAN_NEED: dict[str, float] = {
    "housing": 1.4,
    "education": 1.5,
    "employment": 1.9,
    "finances": 1.8,
    "family": 1.2,
    "children": 0.8,
    "peers_leisure": 1.3,
    "substance_use": 1.2,
    "physical_health": 0.7,
    "mental_health": 1.0,
    "attitudes": 1.1,
    "civil_status": 0.8,
    "legal_situation": 1.0,
    "strengths": 1.5,
    "responsivity": 0.9,
}
"""Mean level of need per domain on the 0..3 item scale (strengths: mean lack of them)."""

Answers = dict[str, int | None]


@dataclass(frozen=True)
class _ItemPlan:
    item_id: str
    values: tuple[int, ...]
    reverse: bool


class Scorer:
    """Draws answers for every item of ``instrument`` and scores them."""

    def __init__(self, instrument: Instrument) -> None:
        self.instrument = instrument
        self._domains: list[tuple[str, tuple[_ItemPlan, ...]]] = []
        for domain in instrument.domains:
            items = tuple(
                _ItemPlan(
                    item.id,
                    tuple(sorted(o.value for o in instrument.scales[item.scale].options)),
                    item.reverse,
                )
                for item in domain.items
            )
            self._domains.append((domain.id, items))
        self._cache: dict[tuple[int, tuple[int | None, ...]], DomainScore] = {}

    @property
    def domain_ids(self) -> list[str]:
        return [domain_id for domain_id, _ in self._domains]

    def person_needs(self, rng: random.Random) -> list[float]:
        """One person's level of need per domain, in instrument order."""
        return [
            min(3.0, max(0.0, DOMAIN_MEAN_NEED.get(domain_id, 1.0) + rng.uniform(-1.2, 1.2)))
            for domain_id in self.domain_ids
        ]

    def answers(self, rng: random.Random, needs: list[float], answered_domains: int) -> Answers:
        """Ratings around ``needs``; domains past ``answered_domains`` are left unanswered."""
        answers: Answers = {}
        for index, (_domain_id, items) in enumerate(self._domains):
            level = needs[index]
            for item in items:
                if index >= answered_domains:
                    answers[item.item_id] = None
                    continue
                top = len(item.values) - 1
                step = min(top, max(0, int(level * top / 3 + rng.random() * 1.6 - 0.3)))
                answers[item.item_id] = item.values[top - step if item.reverse else step]
        return answers

    def score(self, answers: Answers) -> AssessmentScores:
        domains = []
        for index, (_domain_id, items) in enumerate(self._domains):
            values = tuple(answers.get(item.item_id) for item in items)
            key = (index, values)
            score = self._cache.get(key)
            if score is None:
                own = {item.item_id: value for item, value in zip(items, values, strict=True)}
                score = score_assessment(self.instrument, own).domains[index]
                self._cache[key] = score
            domains.append(score)
        return AssessmentScores(instrument_key=self.instrument.key, domains=tuple(domains))


@dataclass(frozen=True)
class Assessed:
    """What a plan needs to know of an assessment."""

    id: uuid.UUID
    day: date
    completed: bool
    priority_domains: list[str]
    ranked_domains: list[str]
    """Every scored domain, highest score first (fills a plan when few are HIGH)."""


class AssessmentMaker:
    def __init__(self, clock: Clock, scorer: Scorer) -> None:
        self.clock = clock
        self.scorer = scorer
        self._first_items = {d.id: d.items[0].id for d in scorer.instrument.domains}

    def make(self, case: Case, buffer: RowBuffer) -> list[Assessed]:
        """1 to 3 assessments for about 80% of people (only with their consent)."""
        clock, rng, scorer = self.clock, self.clock.rng, self.scorer
        if (
            case.assessment_consent is None
            or rng.random() >= ASSESSED_SHARE / ASSESSMENT_CONSENT_SHARE
        ):
            return []
        end = case.last_day or clock.today
        days = [clock.past(case.assessment_consent + timedelta(days=rng.randint(2, 45)))]
        for _ in range(rng.choices((0, 1, 2), cum_weights=(55, 85, 100))[0]):
            later = days[-1] + timedelta(days=rng.randint(90, 270))
            if later > end:
                break
            days.append(later)
        needs = scorer.person_needs(rng)
        domain_count = len(scorer.domain_ids)
        result: list[Assessed] = []
        for index, day in enumerate(days):
            if index:
                needs = [max(0.0, level - rng.uniform(0.0, 0.5)) for level in needs]
            draft = index == len(days) - 1 and rng.random() < 0.04
            answered = rng.randint(3, domain_count - 3) if draft else domain_count
            answers = scorer.answers(rng, needs, answered)
            scores = scorer.score(answers)
            priorities = scores.priority_domains()
            overrides = {} if draft else self._overrides(scores.domains, priorities)
            ranked = [
                d.domain_id
                for d in sorted(
                    (d for d in scores.domains if d.score), key=lambda d: -(d.score or 0.0)
                )
            ]
            item_notes = {}
            for _ in range(rng.randint(0, 2)):
                domain_id = rng.choice(list(texts.ITEM_NOTES))
                item_notes[self._first_items[domain_id]] = rng.choice(texts.ITEM_NOTES[domain_id])
            assessor = case.staff.id
            if case.team.psychologists and rng.random() < 0.15:
                assessor = rng.choice(case.team.psychologists).id
            assessment_id = clock.new_id()
            buffer.rows["needs_assessment"].append(
                synced(assessment_id, clock.at(day), None, assessor)
                | NOT_VOIDED
                | {
                    "beneficiary_id": case.id,
                    "instrument_id": NEEDS_INSTRUMENT,
                    "instrument_version": scorer.instrument.version,
                    "assessed_on": day,
                    "assessor_id": assessor,
                    "stage": self._stage(case, index, day),
                    "status": AssessmentStatus.DRAFT if draft else AssessmentStatus.COMPLETED,
                    "answers": answers,
                    "item_notes": item_notes,
                    "scores": scores.as_json(),
                    "priority_domains": priorities,
                    "priority_overrides": overrides,
                    "notes": rng.choice(texts.ASSESSMENT_NOTES) if rng.random() < 0.3 else None,
                }
            )
            result.append(Assessed(assessment_id, day, not draft, priorities, ranked))
        return result

    def _stage(self, case: Case, index: int, day: date) -> AssessmentStage:
        if index == 0:
            return AssessmentStage.INTAKE
        if case.release is not None and day > case.release:
            return AssessmentStage.POST_RELEASE
        if case.expected_release is not None and (case.expected_release - day).days < 120:
            return AssessmentStage.PRE_RELEASE
        return AssessmentStage.REVIEW

    def _overrides(
        self, domains: tuple[DomainScore, ...], priorities: list[str]
    ) -> dict[str, dict[str, str]]:
        """Now and then the assessor disagrees with the score; ``priorities`` follows suit.

        The stored ``priority_domains`` are the ones the plan works on: the computed
        HIGH domains, plus those raised and minus those lowered by the assessor.
        """
        rng = self.clock.rng
        if rng.random() >= 0.06:
            return {}
        medium = [d.domain_id for d in domains if d.priority is Priority.MEDIUM]
        if medium and (rng.random() < 0.6 or not priorities):
            domain_id = rng.choice(medium)
            priorities.append(domain_id)
            reason = rng.choice((texts.OVERRIDE_REASONS[0], texts.OVERRIDE_REASONS[2]))
            return {domain_id: {"priority": Priority.HIGH.value, "reason": reason}}
        if priorities:
            domain_id = rng.choice(priorities)
            priorities.remove(domain_id)
            return {
                domain_id: {"priority": Priority.MEDIUM.value, "reason": texts.OVERRIDE_REASONS[1]}
            }
        return {}
