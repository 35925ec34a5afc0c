"""The push's precompiled field converters answer exactly as ``wire.parse_fields``.

For every field of every synced record type, values in canonical form, in other
spellings (upper-case uuids, other time zones, enum members' near misses) and of the
wrong kind: the same canonical values, or a ``WireError`` with the same message.
"""

from __future__ import annotations

import random
import uuid
from typing import Any

import pytest

from passerelle_core.records import RECORD_TYPES, WireError
from server.services import field_parsers, wire

SAMPLES: list[Any] = [
    None, True, False, 0, 7, -1, 2.5, "", "x", "x" * 300, [], {}, {"a": [1, "b"]}, [1, 2],
    "2024-05-02", "2024-05-02T10:00:00+00:00", "2024-05-02T12:00:00+02:00",
    "2024-05-02T10:00:00.123456Z", "2024-05-02T10:00:00", "2024-13-02", "20240502",
    "not a date", str(uuid.uuid4()), str(uuid.uuid4()).upper(), uuid.uuid4().hex,
    "{" + str(uuid.uuid4()) + "}", "standard", "psychologist_only", "Standard", "draft",
    "approved", "admin", "ngo", "individual", "prison",
    # Spellings near the canonical forms the converters accept as they are:
    "2024-05-02T151000.1+00:00", "2024-W18-4T10:00:00+00:00", "2024-05-02T24:00:00+00:00",
    "2024-05-02T10:00:60+00:00", "2024-02-30T10:00:00+00:00", "0999-05-02T10:00:00+00:00",
    "2024-05-02 10:00:00+00:00", "2024-05-02T10:00:00.000000+00:00", "2024-W18-4",
    "2024-05-02T10:00:00.100000+00:00", "2024-05-02T10:00:00-00:00", "0999-01-01",
    "2024-02-30", "2024-123", "2024-05-02T10:00+00:00", "２０２４-05-02",
]  # fmt: skip


def _outcome(parse: Any, record_type: str, record_id: uuid.UUID, fields: dict[str, Any]) -> Any:
    try:
        return ("ok", parse(record_type, record_id, fields))
    except WireError as error:
        return ("refused", str(error))


@pytest.mark.parametrize("record_type", sorted(RECORD_TYPES))
def test_every_field_every_sample(record_type: str) -> None:
    record_id = uuid.uuid4()
    for name in RECORD_TYPES[record_type]:
        for value in SAMPLES:
            fields = {name: value}
            assert _outcome(field_parsers.parse_fields, record_type, record_id, fields) == (
                _outcome(wire.parse_fields, record_type, record_id, fields)
            ), (record_type, name, value)


def test_random_records_with_unknown_fields_and_ids() -> None:
    rng = random.Random(23)
    types = sorted(RECORD_TYPES)
    for _ in range(3000):
        record_type = rng.choice([*types, "no_such_type"])
        record_id = uuid.uuid4()
        names = list(RECORD_TYPES.get(record_type, {"id": None}))
        fields = {rng.choice(names): rng.choice(SAMPLES) for _ in range(rng.randint(0, 8))}
        if rng.random() < 0.3:
            fields["id"] = rng.choice([str(record_id), str(record_id).upper(), str(uuid.uuid4())])
        if rng.random() < 0.2:
            fields[rng.choice(["mood_after", "Bad Name", "x" * 70, "local_only"])] = 1
        assert _outcome(field_parsers.parse_fields, record_type, record_id, fields) == (
            _outcome(wire.parse_fields, record_type, record_id, fields)
        ), (record_type, fields)
