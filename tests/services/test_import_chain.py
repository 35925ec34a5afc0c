"""The import's access-log hashes, made from a template, equal the chain's definition.

``append_creations`` checks only the first entry of each import against
``entry_hash``; this compares every entry of many, with previous hashes and staff ids
of every shape the chain can hold (empty, hex, text needing JSON escapes).
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime

import pytest

from app.models.audit import AccessAction
from app.services.import_write import _Substituted
from passerelle_core.audit_protocol import CHAIN_VERSION, canonical_fields, entry_hash


@pytest.mark.parametrize("staff_id", [None, uuid.UUID(int=7), uuid.uuid4()])
def test_template_hash_equals_entry_hash(staff_id: uuid.UUID | None) -> None:
    chance = random.Random(23)
    entry = {
        "device_id": str(uuid.uuid4()), "seq": 0,
        "recorded_at": datetime(2026, 12, 7, 15, 55, 1, 123456, tzinfo=UTC),
        "staff_id": staff_id, "action": AccessAction.CREATE, "record_type": "beneficiary",
        "record_id": None, "case_id": None, "prev_hash": "",
    }  # fmt: skip
    payload = {**canonical_fields(entry), "v": CHAIN_VERSION}
    substituted = _Substituted(payload)
    previous = ""
    for seq in [1, 2, 9, 10, 99, 100, 12_345, 2**40, *range(3, 200)]:
        id_ = uuid.UUID(int=chance.getrandbits(128))
        expected = entry_hash(
            {**entry, "seq": seq, "record_id": id_, "case_id": id_, "prev_hash": previous}
        )
        assert substituted.hash(seq, id_, previous) == expected
        previous = chance.choice([expected, "", 'a"b\\c{}{0}é\n', expected.upper()])
