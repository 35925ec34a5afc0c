"""Scoring follows its written definition: hand-computed cases, boundaries, a property."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.instruments import (
    AnswerError,
    AssessmentScores,
    Instrument,
    Priority,
    Thresholds,
    load_builtin,
    priority_for,
    score_assessment,
)


def _label(word: str) -> dict[str, str]:
    return {"fr": word, "ar": "نص", "en": word}


def _scale(values: range) -> dict[str, Any]:
    return {"options": [{"value": v, "label": _label(str(v))} for v in values]}


def _domain(domain_id: str, items: list[tuple[str, str, bool]]) -> dict[str, Any]:
    return {
        "id": domain_id,
        "label": _label(domain_id),
        "protective": all(reverse for _, _, reverse in items),
        "items": [
            {"id": f"{domain_id}.{name}", "text": _label(name), "scale": scale, "reverse": rev}
            for name, scale, rev in items
        ],
    }


def _instrument(domains: list[dict[str, Any]], medium: float = 34, high: float = 67) -> Instrument:
    return Instrument.model_validate(
        {
            "id": "test",
            "version": 3,
            "title": _label("Test"),
            "scales": {
                "need4": _scale(range(4)),
                "strength4": _scale(range(4)),
                "five": _scale(range(1, 6)),
                "yes_no": _scale(range(2)),
            },
            "thresholds": {"medium": medium, "high": high},
            "domains": domains,
        }
    )


SMALL = _instrument(
    [
        _domain(
            "alpha", [("one", "need4", False), ("two", "need4", False), ("three", "need4", False)]
        ),
        _domain("beta", [("one", "need4", False), ("two", "strength4", True)]),
        _domain("gamma", [("one", "five", False)]),
    ]
)
NEEDS = load_builtin("passerelle-needs")


def _scores(answers: Mapping[str, int | None], instrument: Instrument = SMALL) -> dict[str, Any]:
    return {
        d.domain_id: (d.score, d.priority, d.answered, d.total)
        for d in score_assessment(instrument, answers).domains
    }


def test_no_need_anywhere_scores_zero_and_low() -> None:
    answers = {
        "alpha.one": 0,
        "alpha.two": 0,
        "alpha.three": 0,
        "beta.one": 0,
        "beta.two": 3,
        "gamma.one": 1,
    }
    assert _scores(answers) == {
        "alpha": (0.0, Priority.LOW, 3, 3),
        "beta": (0.0, Priority.LOW, 2, 2),
        "gamma": (0.0, Priority.LOW, 1, 1),
    }


def test_most_need_everywhere_scores_100_and_high() -> None:
    answers = {
        "alpha.one": 3,
        "alpha.two": 3,
        "alpha.three": 3,
        "beta.one": 3,
        "beta.two": 0,
        "gamma.one": 5,
    }
    result = score_assessment(SMALL, answers)
    assert result.instrument_key == "test@3"
    assert all(d.score == 100.0 and d.priority is Priority.HIGH for d in result.domains)


def test_reverse_items_count_strength_as_no_need() -> None:
    assert _scores({"beta.two": 3})["beta"] == (0.0, Priority.LOW, 1, 2)
    assert _scores({"beta.two": 0})["beta"] == (100.0, Priority.HIGH, 1, 2)
    # needs 1/3 and 1/3: 33.3, just under the medium threshold
    assert _scores({"beta.one": 1, "beta.two": 2})["beta"] == (33.3, Priority.LOW, 2, 2)


def test_scale_not_starting_at_zero() -> None:
    assert _scores({"gamma.one": 3})["gamma"] == (50.0, Priority.MEDIUM, 1, 1)
    assert _scores({"gamma.one": 2})["gamma"] == (25.0, Priority.LOW, 1, 1)


def test_partial_answers_average_over_answered_items_only() -> None:
    assert _scores({"alpha.one": 3})["alpha"] == (100.0, Priority.HIGH, 1, 3)
    assert _scores({"alpha.one": 3, "alpha.two": None})["alpha"] == (100.0, Priority.HIGH, 1, 3)
    # needs 1/3, 0, 0 -> 11.1; 2/3 thrice -> 66.7, still MEDIUM under 67
    assert _scores({"alpha.one": 1, "alpha.two": 0, "alpha.three": 0})["alpha"][0] == 11.1
    assert _scores({"alpha.one": 2, "alpha.two": 2, "alpha.three": 2})["alpha"][:2] == (
        66.7,
        Priority.MEDIUM,
    )


def test_unanswered_domain_has_no_score_and_no_priority() -> None:
    scores = _scores({"alpha.one": 2, "beta.one": None})
    assert scores["beta"] == (None, None, 0, 2)
    assert scores["gamma"] == (None, None, 0, 1)
    assert all(d.score is None for d in score_assessment(NEEDS, {}).domains)


def test_rounding_is_half_up() -> None:
    # one "yes" out of 16 items: 6.25 exactly, which float round() would make 6.2
    wide = _instrument([_domain("wide", [(f"i{n}", "yes_no", False) for n in range(16)])])
    answers: dict[str, int | None] = {f"wide.i{n}": 0 for n in range(16)}
    answers["wide.i0"] = 1
    assert _scores(answers, wide)["wide"][0] == 6.3


def test_threshold_boundaries_are_inclusive() -> None:
    four = _instrument(
        [_domain("four", [(f"i{n}", "yes_no", False) for n in range(4)])], medium=25, high=75
    )
    expected = [Priority.LOW, Priority.MEDIUM, Priority.MEDIUM, Priority.HIGH, Priority.HIGH]
    for yes, priority in enumerate(expected):
        answers: dict[str, int | None] = {f"four.i{n}": int(n < yes) for n in range(4)}
        assert _scores(answers, four)["four"][:2] == (25.0 * yes, priority)


def test_priority_for_the_shipped_thresholds() -> None:
    thresholds = Thresholds(medium=34, high=67)
    assert priority_for(None, thresholds) is None
    assert priority_for(0.0, thresholds) is Priority.LOW
    assert priority_for(33.9, thresholds) is Priority.LOW
    assert priority_for(34.0, thresholds) is Priority.MEDIUM
    assert priority_for(66.9, thresholds) is Priority.MEDIUM
    assert priority_for(67.0, thresholds) is Priority.HIGH
    assert priority_for(100.0, thresholds) is Priority.HIGH


def test_unknown_item_is_an_answer_error() -> None:
    with pytest.raises(AnswerError, match="'alpha.four'"):
        score_assessment(SMALL, {"alpha.four": 1})
    with pytest.raises(AnswerError, match="'alpha.four'"):
        score_assessment(SMALL, {"alpha.four": None})


@pytest.mark.parametrize(
    ("item", "value"), [("alpha.one", 4), ("alpha.one", -1), ("gamma.one", 0), ("alpha.one", True)]
)
def test_value_off_the_scale_is_an_answer_error(item: str, value: int) -> None:
    with pytest.raises(AnswerError, match=f"{value!r} is not a valid answer for item '{item}'"):
        score_assessment(SMALL, {item: value})


def test_priority_domains_highest_first_ties_in_instrument_order() -> None:
    # alpha 88.9, beta 100, gamma 100
    answers = {
        "alpha.one": 2,
        "alpha.two": 3,
        "alpha.three": 3,
        "beta.one": 3,
        "beta.two": 0,
        "gamma.one": 5,
    }
    assert score_assessment(SMALL, answers).priority_domains() == ["beta", "gamma", "alpha"]
    answers["alpha.one"] = answers["alpha.two"] = answers["alpha.three"] = 1  # 33.3, LOW
    answers["gamma.one"] = 4  # 75.0
    assert score_assessment(SMALL, answers).priority_domains() == ["beta", "gamma"]
    assert score_assessment(SMALL, {}).priority_domains() == []


def test_as_json_round_trips() -> None:
    result = score_assessment(SMALL, {"alpha.one": 1, "beta.two": 0, "gamma.one": 3})
    data = result.as_json()
    assert json.loads(json.dumps(data)) == data
    assert data["domains"][0] == {  # type: ignore[index]
        "domain_id": "alpha",
        "score": 33.3,
        "priority": "low",
        "answered": 1,
        "total": 3,
    }
    assert AssessmentScores.from_json(json.loads(json.dumps(data))) == result
    assert result.by_domain()["gamma"].priority is Priority.MEDIUM


def _answers_for(instrument: Instrument) -> st.SearchStrategy[dict[str, int | None]]:
    """Any subset of the instrument's items, each answered on its scale or left None."""
    return st.fixed_dictionaries(
        {},
        optional={
            item.id: st.none()
            | st.sampled_from([o.value for o in instrument.scale_of(item.id).options])
            for domain in instrument.domains
            for item in domain.items
        },
    )


@settings(max_examples=200, database=None)
@given(answers=_answers_for(NEEDS))
def test_scores_are_bounded_and_priorities_follow_thresholds(
    answers: dict[str, int | None],
) -> None:
    result = score_assessment(NEEDS, answers)
    thresholds = NEEDS.thresholds
    for domain, score in zip(NEEDS.domains, result.domains, strict=True):
        assert score.domain_id == domain.id
        assert score.total == len(domain.items)
        assert score.answered == sum(answers.get(i.id) is not None for i in domain.items)
        if score.answered == 0:
            assert score.score is None and score.priority is None
            continue
        assert score.score is not None and 0.0 <= score.score <= 100.0
        if score.score >= thresholds.high:
            assert score.priority is Priority.HIGH
        elif score.score >= thresholds.medium:
            assert score.priority is Priority.MEDIUM
        else:
            assert score.priority is Priority.LOW
    assert all(result.by_domain()[d].priority is Priority.HIGH for d in result.priority_domains())
