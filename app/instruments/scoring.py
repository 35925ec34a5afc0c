"""Domain scores and priorities computed from item answers, as pure functions.

This module *is* the definition of a domain score: reports, indicators and the
assessment screen all call it. Scores are an aid to professional judgement, never a
verdict; the assessor's priority overrides are stored beside them, not applied here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from typing import Any

from app.i18n import _
from app.instruments.schema import Instrument, Scale, Thresholds


class Priority(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class AnswerError(ValueError):
    """An answer that does not fit the instrument (unknown item, value off the scale)."""


@dataclass(frozen=True)
class DomainScore:
    domain_id: str
    score: float | None
    priority: Priority | None
    answered: int
    total: int


@dataclass(frozen=True)
class AssessmentScores:
    instrument_key: str
    domains: tuple[DomainScore, ...]

    def priority_domains(self) -> list[str]:
        """Ids of HIGH-priority domains, highest score first, ties in instrument order."""
        high = [d for d in self.domains if d.priority is Priority.HIGH]
        high.sort(key=lambda d: -(d.score or 0.0))  # stable sort keeps instrument order
        return [d.domain_id for d in high]

    def by_domain(self) -> dict[str, DomainScore]:
        return {d.domain_id: d for d in self.domains}

    def as_json(self) -> dict[str, object]:
        """Plain JSON data for storage in the database; ``from_json`` reads it back."""
        return {
            "instrument_key": self.instrument_key,
            "domains": [
                {
                    "domain_id": d.domain_id,
                    "score": d.score,
                    "priority": None if d.priority is None else d.priority.value,
                    "answered": d.answered,
                    "total": d.total,
                }
                for d in self.domains
            ],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> AssessmentScores:
        """Rebuild scores stored with ``as_json``."""
        return cls(
            instrument_key=str(data["instrument_key"]),
            domains=tuple(
                DomainScore(
                    domain_id=str(d["domain_id"]),
                    score=None if d["score"] is None else float(d["score"]),
                    priority=None if d["priority"] is None else Priority(d["priority"]),
                    answered=int(d["answered"]),
                    total=int(d["total"]),
                )
                for d in data["domains"]
            ),
        )


def score_assessment(instrument: Instrument, answers: Mapping[str, int | None]) -> AssessmentScores:
    """Score every domain of ``instrument`` from ``answers`` (item id -> scale value).

    Definition. For each answered item, need = (value - scale min) / (scale max - scale
    min), or 1 - that when the item is ``reverse``. The domain score is 100 * the mean
    need over the answered items of the domain, rounded half up to 1 decimal; it is None
    when no item of the domain is answered. An item missing from ``answers`` or answered
    None is unanswered. Priority, from the rounded score: HIGH if score >= high
    threshold, MEDIUM if score >= medium threshold, else LOW; None when unscored.
    Protective (strengths) domains are scored the same way: their items are reverse
    scored, so a high score means few strengths, i.e. a need to build them.

    Raises AnswerError for an unknown item id or a value that is not on the item's scale.
    """
    _check_answers(instrument, answers)
    scores: list[DomainScore] = []
    for domain in instrument.domains:
        needs = [
            _need(instrument.scales[item.scale], value, reverse=item.reverse)
            for item in domain.items
            if (value := answers.get(item.id)) is not None
        ]
        score = _round_half_up(100 * sum(needs, Fraction(0)) / len(needs)) if needs else None
        scores.append(
            DomainScore(
                domain_id=domain.id,
                score=score,
                priority=priority_for(score, instrument.thresholds),
                answered=len(needs),
                total=len(domain.items),
            )
        )
    return AssessmentScores(instrument_key=instrument.key, domains=tuple(scores))


def priority_for(score: float | None, thresholds: Thresholds) -> Priority | None:
    """The priority a domain score gives under ``thresholds`` (None when unscored)."""
    if score is None:
        return None
    if score >= thresholds.high:
        return Priority.HIGH
    if score >= thresholds.medium:
        return Priority.MEDIUM
    return Priority.LOW


def _check_answers(instrument: Instrument, answers: Mapping[str, int | None]) -> None:
    for item_id, value in answers.items():
        try:
            scale = instrument.scale_of(item_id)
        except KeyError:
            raise AnswerError(
                _("unknown item {item!r} in instrument {key}").format(
                    item=item_id, key=instrument.key
                )
            ) from None
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or not scale.has_value(value):
            raise AnswerError(
                _("{value!r} is not a valid answer for item {item!r} (allowed: {allowed})").format(
                    value=value,
                    item=item_id,
                    allowed=", ".join(str(option.value) for option in scale.options),
                )
            )


def _need(scale: Scale, value: int, *, reverse: bool) -> Fraction:
    """The need an answer expresses, from 0 (none) to 1 (most); exact, to round once."""
    need = Fraction(value - scale.min_value, scale.max_value - scale.min_value)
    return 1 - need if reverse else need


def _round_half_up(value: Fraction) -> float:
    """Round to 1 decimal, halves up (6.25 -> 6.3), unlike float ``round``'s halves-to-even."""
    return math.floor(value * 10 + Fraction(1, 2)) / 10
