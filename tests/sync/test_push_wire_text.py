"""The seeding push's laptop side (issue 23): the request written inline from the rows the
driver reads is the same bytes as ``request_body``'s careful writing, for the common stored
forms and for every other form (which takes the careful way); answered rows wait in the
outbox between groups until they are nearly all of it.

Real encrypted profiles and a real server process (SQLite and PostgreSQL).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from app.services import beneficiaries
from app.sync import push
from app.sync.capture import sent_through
from passerelle_core.protocol import PushRequest
from tests.server.harness import RunningServer
from tests.sync.conftest import Laptop

MakeLaptop = Callable[..., Laptop]

HEX = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
FIELDS = '{"last_name": "Alaoui \\u00ab A \\u00bb", "n": 3}'


def _stored(**changed: Any) -> tuple[Any, ...]:
    """One row as the driver reads ``push._READ`` (the common stored form, then changed)."""
    row = {
        "seq": 7,
        "change_id": uuid.uuid4().hex,
        "record_type": "beneficiary",
        "record_id": HEX,
        "op": "upsert",
        "base_version": None,
        "fields": FIELDS,
        "base_fields": "{}",
        "case_id": HEX,
        "recorded_at": "2026-12-07 07:13:03.173993",
        "state": "pending",
    }
    row.update(changed)
    return tuple(row.values())


ROWS = [
    _stored(),
    _stored(base_version=12, op="delete", case_id=None),
    _stored(record_type="session_note", fields=None, base_fields=""),
    _stored(change_id=HEX.upper()),  # 32 digits: written as stored, either way
    _stored(record_id=str(uuid.UUID(HEX))),  # dashed: the careful way
    _stored(case_id="{" + str(uuid.UUID(HEX)) + "}"),
    _stored(recorded_at="2026-12-07 07:13:03"),  # no microseconds
    _stored(recorded_at="2026-12-07 07:13:03.173993+01:00"),  # a zone
    _stored(recorded_at="2026-12-07T07:13:03.173993Z"),
    _stored(base_version=3.0),  # not an integer as stored
]


@pytest.mark.parametrize("index", range(len(ROWS)))
def test_each_stored_form_is_written_as_the_careful_way_writes_it(index: int) -> None:
    rows = [ROWS[index], ROWS[0]]
    careful = push.request_body([push._Row(*row) for row in rows])
    assert push._body(rows) == careful
    json.loads(careful)  # JSON either way


def test_a_batch_of_many_forms_is_one_valid_request() -> None:
    written = push._body(ROWS)
    assert written == push.request_body([push._Row(*row) for row in ROWS])
    request = PushRequest.model_validate_json(written)
    assert [str(change.change_id.hex) for change in request.changes] == [
        str(row[1]).lower() for row in ROWS
    ]


def test_a_batch_taken_from_a_real_outbox(server: RunningServer, laptop: MakeLaptop) -> None:
    """``_take`` reads through the driver's cursor: the same rows, the same request as
    the careful writing of ``_READ``'s rows, and the sent mark raised to its last row."""
    mine = laptop(server.add_user(role="admin"), first_sync=False)
    for number in range(5):
        person = beneficiaries.register(
            mine.ctx, {"last_name": f"Nom{number}", "first_name": "Amal", "address": "Derb « 1 »"}
        )
        beneficiaries.update(mine.ctx, person.id, {"phone": f"06{number:08d}"})
    with mine.profile.engine.connect() as connection:  # rolled back at its close
        careful = [push._Row(*row) for row in connection.exec_driver_sql(push._READ, (0, 3))]
        batch = push._take(connection, 0, 3)
        assert batch is not None
        assert [row.seq for row in batch.rows] == [row.seq for row in careful]
        assert batch.body == push.request_body(careful)
        assert sent_through(connection) == batch.last
        following = push._take(connection, batch.last, 500)
        assert following is not None and following.rows[0].seq > batch.last
    report = mine.sync()
    assert report.applied == report.sent == len(careful) + len(following.rows)
