"""The reassessment schedule in the instrument file: shipped, and refused when wrong."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from app.instruments import InstrumentError, load_builtin, load_instrument
from tests.instruments.test_loader import VALID


def test_the_shipped_schedule() -> None:
    schedule = load_builtin("passerelle-needs").schedule
    assert schedule is not None
    assert (schedule.first_within_days, schedule.every_months) == (30, 6)
    assert schedule.at_release and schedule.release_window_days == 30


@pytest.mark.parametrize(
    ("schedule", "expected"),
    [
        ({"every_months": 6}, "schedule.first_within_days: required key is missing"),
        ({"first_within_days": 0, "every_months": 6}, "schedule.first_within_days:"),
        ({"first_within_days": 30, "every_months": 0}, "schedule.every_months:"),
        ({"first_within_days": 30, "every_months": "six"}, "schedule.every_months:"),
        (
            {"first_within_days": 30, "every_months": 6, "yearly": True},
            "schedule.yearly: unknown key",
        ),
        (
            {
                "first_within_days": 30,
                "every_months": 1,
                "at_release": True,
                "release_window_days": 90,
            },
            "schedule.release_window_days: the release window must be shorter",
        ),
    ],
)
def test_a_wrong_schedule_is_refused_with_its_place(
    tmp_path: Path, schedule: dict[str, Any], expected: str
) -> None:
    data = copy.deepcopy(VALID)
    data["schedule"] = schedule
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(InstrumentError) as caught:
        load_instrument(path)
    assert str(caught.value).startswith(f"broken.yaml: {expected}")


def test_a_schedule_is_optional(tmp_path: Path) -> None:
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(VALID, allow_unicode=True), encoding="utf-8")
    assert load_instrument(path).schedule is None
