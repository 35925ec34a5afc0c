"""The laptop's side of a push (issue 23): the request written from the stored outbox,
and changes that can only wait for a refused parent joining it among the refused.

Real encrypted profiles and a real server process (SQLite and PostgreSQL).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import select

from app.models import FollowUpSession, SessionNote
from app.services import beneficiaries
from app.sync import outbox
from app.sync.push import _READ, _Row, request_body
from app.sync.state import OUTBOX
from passerelle_core.enums import Confidentiality
from passerelle_core.protocol import Change, PushRequest
from tests.server.harness import RunningServer
from tests.sync.conftest import Laptop, server_state

MakeLaptop = Callable[..., Laptop]


def _new_case(laptop: Laptop, **fields: str) -> uuid.UUID:
    person = beneficiaries.register(
        laptop.ctx, {"last_name": "Alaoui", "first_name": "Youssef", **fields}
    )
    return person.id


def _restricted_session(laptop: Laptop, person: uuid.UUID) -> tuple[uuid.UUID, uuid.UUID]:
    """A psychologist-only session and its note, written as the demo data writes them."""
    with laptop.ctx.transaction() as session:
        held = FollowUpSession(
            beneficiary_id=person,
            held_on=date(2026, 12, 1),
            confidentiality=Confidentiality.PSYCHOLOGIST_ONLY,
            topic="Sommeil",
        )
        session.add(held)
        session.flush()
        note = SessionNote(session_id=held.id, body="Note confidentielle « test »")
        session.add(note)
        session.flush()
        return held.id, note.id


def test_the_request_is_the_protocols_request(server: RunningServer, laptop: MakeLaptop) -> None:
    """Written from the stored text, the body says what pydantic's request says."""
    first = laptop(server.add_user(role="admin"), first_sync=False)
    person = _new_case(first, address="Derb « Sidi » 12\n\u0627\u0644\u0631\u0628\u0627\u0637")
    _restricted_session(first, person)
    beneficiaries.update(first.ctx, person, {"phone": "0612345678"})
    with first.profile.engine.connect() as connection:
        stored = [_Row(*row) for row in connection.exec_driver_sql(_READ, (0, 500))]
        rows = connection.execute(select(OUTBOX).order_by(OUTBOX.c.seq)).all()
    assert len(stored) == len(rows) >= 3
    expected = PushRequest(
        changes=[
            Change(
                change_id=row.change_id,
                record_type=row.record_type,
                record_id=row.record_id,
                op=row.op,
                base_version=row.base_version,
                fields=row.fields,
                base_fields=row.base_fields,
                case_id=row.case_id,
                recorded_at=row.recorded_at,
            )
            for row in rows
        ]
    )
    written = request_body(stored)
    assert PushRequest.model_validate_json(written) == expected
    assert json.loads(written) == json.loads(expected.model_dump_json())


def test_a_note_of_a_refused_session_is_refused_with_it_and_not_resent(
    server: RunningServer, laptop: MakeLaptop
) -> None:
    """An administrator may not write psychologist-only records: the session is refused
    for good, and its note, which the server can only answer "parent not here yet",
    is not retried at every sync for ever: it is shown beside its session."""
    admin = laptop(server.add_user(role="admin"))
    person = _new_case(admin)
    session_id, note_id = _restricted_session(admin, person)
    report = admin.sync()
    assert (report.applied, report.quarantined, report.retry) == (1, 2, 0)
    refused = {change.record_id: change for change in outbox.quarantined(admin.profile)}
    assert set(refused) == {session_id, note_id}  # kept, shown, never silently lost
    assert refused[note_id].error == refused[session_id].error
    assert "psychologist" in (refused[session_id].error or "")
    assert outbox.pending_count(admin.profile) == 0
    again = admin.sync()
    assert (again.sent, again.retry) == (0, 0)  # never resent: no 1.8 s re-push each time
    assert ("beneficiary", str(person)) in server_state(server, admin.account)

    # "Send again" puts both back, parent first: still refused together, nothing lost.
    assert outbox.resend_quarantined(admin.profile) == 2
    report = admin.sync()
    assert (report.sent, report.quarantined, report.retry) == (2, 2, 0)


def test_a_child_waiting_for_a_parent_still_on_its_way_is_retried(
    server: RunningServer, laptop: MakeLaptop
) -> None:
    """Only a refused parent quarantines: a child refused for now otherwise stays pending."""
    psychologist = laptop(server.add_user(role="psychologist"))
    person = _new_case(psychologist)
    _session_id, note_id = _restricted_session(psychologist, person)
    with psychologist.profile.engine.begin() as connection:  # the note goes first
        connection.execute(
            OUTBOX.update().where(OUTBOX.c.record_id != note_id).values(seq=OUTBOX.c.seq + 10_000)
        )
    report = psychologist.sync()
    assert (report.retry, report.quarantined) == (1, 0)  # its parent came after it
    assert outbox.pending_count(psychologist.profile) == 1
    assert outbox.quarantined(psychologist.profile) == []
    report = psychologist.sync()
    assert (report.sent, report.applied, report.retry, report.quarantined) == (1, 1, 0, 0)
    assert outbox.pending_count(psychologist.profile) == 0


@pytest.mark.parametrize("size", [1, 3])
def test_small_batches_keep_the_order_and_every_answer(
    server: RunningServer, laptop: MakeLaptop, size: int
) -> None:
    """Batches overlap (the next sent while this one settles) yet parents go first."""
    from app.sync.engine import SyncOptions

    psychologist = laptop(server.add_user(role="psychologist"))
    people = [_new_case(psychologist, last_name=f"Nom{n}") for n in range(3)]
    for person in people:
        _restricted_session(psychologist, person)
    report = psychologist.sync(SyncOptions(batch_size=size))
    assert (report.sent, report.applied, report.retry, report.quarantined) == (9, 9, 0, 0)
    assert outbox.pending_count(psychologist.profile) == 0


def test_a_refused_first_batch_leaves_the_next_one_pending_too(
    server: RunningServer, laptop: MakeLaptop
) -> None:
    """The next batch is read and marked while the first travels: refused before the
    server read anything, neither was sent, so both are simply pending again."""
    from app.sync.engine import SyncOptions
    from app.sync.errors import ClientTooOld

    admin = laptop(server.add_user(role="admin"))
    for n in range(3):
        _new_case(admin, last_name=f"Nom{n}")
    with pytest.raises(ClientTooOld):
        admin.sync(SyncOptions(protocol_version=0, batch_size=1))
    with admin.profile.engine.connect() as connection:
        states = connection.execute(select(OUTBOX.c.state)).scalars().all()
    assert len(states) >= 3 and set(states) == {"pending"}
    report = admin.sync(SyncOptions(batch_size=1))
    assert report.applied == len(states) and outbox.pending_count(admin.profile) == 0
