"""A parent row answers ``get`` as its decoded data would, decoding only when needed."""

from __future__ import annotations

import json
from typing import Any

import pytest

from server.core.db import json_text
from server.services.lookups import Row

DATA: list[dict[str, Any]] = [
    {},
    {"merged_into_id": None},
    {"merged_into_id": "5b0c8f9e-0000-4000-8000-000000000000"},
    {"note": 'text naming "merged_into_id" in a value'},
    {"nested": {"merged_into_id": "x"}},
    {"merged_into_idx": "x", "xmerged_into_id": "y"},
    {"name": "Zniber \u00e9\u00e8 \u2028", "merged_into_id": "z"},
]


def _row(text: str) -> Row:
    row = Row()
    row._data, row._text = None, text
    return row


@pytest.mark.parametrize("data", DATA)
@pytest.mark.parametrize("serialise", [json_text, json.dumps])
def test_get_answers_as_the_decoded_data(data: dict[str, Any], serialise: Any) -> None:
    row = _row(serialise(data))
    assert row.get("merged_into_id") == data.get("merged_into_id")
    assert row.get("name") == data.get("name")
    assert row.data == data


def test_a_text_without_the_key_is_not_decoded() -> None:
    row = _row(json_text({"team_id": "t", "case_status": "open"}))
    assert row.get("merged_into_id") is None
    assert row._data is None  # still text: most parents are never decoded
