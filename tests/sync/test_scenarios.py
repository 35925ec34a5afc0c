"""The journeys of docs/sync-protocol.md, laptop to server to laptop, on both databases.

Every laptop is a real encrypted profile, every server a real ``passerelle-server``
process (SQLite and PostgreSQL); nothing is mocked.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import select

from app.models import Beneficiary, FollowUpSession, OutboxState, SessionNote, SyncConflict
from app.services import beneficiaries, conflicts, followup
from app.sync import engine, outbox
from app.sync.engine import SyncOptions
from app.sync.errors import ClientTooOld, DeviceRevoked, ServerReplaced
from app.sync.push import PushOutcome
from app.sync.state import CURSOR, OUTBOX, SERVER_ID, get, put
from passerelle_core.enums import Confidentiality
from passerelle_core.protocol import Change
from tests.server.harness import RunningServer
from tests.sync.conftest import Laptop, server_state

MakeLaptop = Callable[..., Laptop]


def _new_case(laptop: Laptop, **fields: str) -> uuid.UUID:
    person = beneficiaries.register(
        laptop.ctx, {"last_name": "Alaoui", "first_name": "Youssef", **fields}
    )
    return person.id


def _live(laptop: Laptop, person_id: uuid.UUID) -> Beneficiary:
    with laptop.profile.sessions() as session:
        person = session.get(Beneficiary, person_id)
        assert person is not None
        return person


def _conflicts(laptop: Laptop) -> list[SyncConflict]:
    with laptop.profile.sessions() as session:
        return list(session.scalars(select(SyncConflict)))


@pytest.fixture
def team(server: RunningServer) -> str:
    return f"Team {uuid.uuid4().hex[:8]}"


def test_a_new_case_reaches_the_colleague_and_the_server_exactly(
    server: RunningServer, laptop: MakeLaptop, team: str
) -> None:
    amina, karim = server.add_user(team=team), server.add_user(team=team)
    first, second = laptop(amina), laptop(karim)
    person = _new_case(first, cin="AB123456")
    report = first.sync()
    assert (report.sent, report.applied) == (1, 1)
    assert outbox.pending_count(first.profile) == 0
    second.sync()
    assert _live(second, person).cin == "AB123456"
    assert first.state() == second.state() == server_state(server, amina)


def test_a_resend_after_a_lost_reply_creates_no_duplicate(
    server: RunningServer, laptop: MakeLaptop, team: str
) -> None:
    """Scenario 1 (the same batch twice); tests/sync/test_crashes.py kills a real push."""
    first = laptop(server.add_user(team=team))
    person = _new_case(first)
    with first.profile.engine.connect() as connection:
        [row] = connection.execute(select(OUTBOX)).all()
    change = Change(
        change_id=row.change_id,
        record_type=row.record_type,
        record_id=row.record_id,
        op=row.op,
        fields=row.fields,
        recorded_at=row.recorded_at,
        case_id=row.case_id,
    )
    from app.sync.client import SyncClient
    from app.sync.state import DEVICE_TOKEN, get

    with first.profile.engine.connect() as connection:
        token = get(connection, DEVICE_TOKEN)
    with SyncClient(server.url, token=token) as client:
        assert client.push([change]).results[0].status == "applied"  # reply "lost"
    report = first.sync()  # the laptop never saw the reply: it sends the change again
    assert (report.sent, report.duplicates, report.applied) == (1, 1, 0)
    states = server_state(server, first.account)
    assert [k for k in states if k[0] == "beneficiary" and k[1] == str(person)]
    assert sum(1 for k in states if k[0] == "beneficiary") == 1


def test_the_same_field_on_two_laptops_is_one_conflict_resolved_everywhere(
    server: RunningServer, laptop: MakeLaptop, team: str
) -> None:
    """Scenario 3."""
    amina, karim = server.add_user(team=team), server.add_user(team=team)
    first, second = laptop(amina), laptop(karim)
    person = _new_case(first)
    first.sync()
    second.sync()
    beneficiaries.update(first.ctx, person, {"phone": "0611111111"})
    beneficiaries.update(second.ctx, person, {"phone": "0622222222"})
    assert first.sync().applied == 1
    assert second.sync().conflicts == 1
    first.sync()
    for each in (first, second):
        [conflict] = _conflicts(each)
        assert (conflict.field, conflict.kept_value, conflict.other_value) == (
            "phone",
            "0611111111",
            "0622222222",
        )
        assert (conflict.kept_by, conflict.other_by) == (amina.staff_id, karim.staff_id)
        assert _live(each, person).phone == "0611111111"  # first committed wins
        assert outbox.open_conflict_count(each.profile) == 1

    [view] = conflicts.open_conflicts(first.ctx)
    conflicts.resolve(first.ctx, view.id, "other")
    assert _live(first, person).phone == "0622222222"
    first.sync()
    second.sync()
    assert _live(second, person).phone == "0622222222"
    [resolved] = _conflicts(second)
    assert (resolved.resolution, resolved.resolved_by) == ("other", amina.staff_id)
    assert outbox.open_conflict_count(second.profile) == 0
    assert first.state() == second.state() == server_state(server, amina)


def test_different_fields_of_one_record_merge_without_conflict(
    server: RunningServer, laptop: MakeLaptop, team: str
) -> None:
    """Scenario 4."""
    first, second = laptop(server.add_user(team=team)), laptop(server.add_user(team=team))
    person = _new_case(first)
    first.sync()
    second.sync()
    beneficiaries.update(first.ctx, person, {"phone": "0611111111"})
    beneficiaries.update(second.ctx, person, {"address": "Derb Sultan, Casablanca"})
    first.sync()
    report = second.sync()
    assert (report.merged, report.conflicts) == (1, 0)
    first.sync()
    for each in (first, second):
        assert (_live(each, person).phone, _live(each, person).address) == (
            "0611111111",
            "Derb Sultan, Casablanca",
        )
        assert _conflicts(each) == []
    assert first.state() == second.state()


@pytest.mark.parametrize("delete_first", [False, True], ids=["edit-first", "delete-first"])
def test_an_edit_and_a_delete_conflict_and_nothing_is_removed(
    server: RunningServer, laptop: MakeLaptop, team: str, delete_first: bool
) -> None:
    """Scenario 5, in both orders: the record stays alive with the edit."""
    editor, deleter = laptop(server.add_user(team=team)), laptop(server.add_user(team=team))
    person = _new_case(editor)
    editor.sync()
    deleter.sync()
    beneficiaries.update(editor.ctx, person, {"address": "Hay Hassani"})
    beneficiaries.delete(deleter.ctx, person)
    order = (deleter, editor) if delete_first else (editor, deleter)
    order[0].sync()
    assert order[1].sync().conflicts == 1
    editor.sync()
    deleter.sync()
    for each in (editor, deleter):
        alive = _live(each, person)
        assert alive.deleted_at is None
        assert alive.address == "Hay Hassani"
        [conflict] = _conflicts(each)
        assert conflict.field == "deleted_at" and conflict.resolution is None
    assert editor.state() == deleter.state()


def test_a_permanently_bad_change_is_quarantined_and_the_others_go_through(
    server: RunningServer, laptop: MakeLaptop, team: str
) -> None:
    """Scenario 6: a phone longer than the model allows can never be stored."""
    first = laptop(server.add_user(team=team))
    bad, good = _new_case(first), _new_case(first, last_name="Bennani")
    first.sync()
    with first.ctx.transaction() as session:
        record = session.get(Beneficiary, bad)
        assert record is not None
        record.phone = "0" * 80
    later = _new_case(first, last_name="Chraibi")
    beneficiaries.update(first.ctx, good, {"address": "Salé"})
    report = first.sync()
    assert (report.quarantined, report.applied) == (1, 2)
    [refused] = outbox.quarantined(first.profile)
    assert refused.record_id == bad and "too long" in (refused.error or "")
    assert outbox.pending_count(first.profile) == 0
    assert first.sync().sent == 0  # never resent
    held = server_state(server, first.account)
    assert held[("beneficiary", str(good))]["address"] == "Salé"
    assert ("beneficiary", str(later)) in held


def test_an_old_client_is_told_clearly_and_keeps_its_outbox(
    server: RunningServer, laptop: MakeLaptop, team: str
) -> None:
    """Scenario 8."""
    first = laptop(server.add_user(team=team))
    _new_case(first)
    with pytest.raises(ClientTooOld, match="no longer accepts this version"):
        first.sync(SyncOptions(protocol_version=0))
    with first.profile.engine.connect() as connection:
        states = connection.execute(select(OUTBOX.c.state)).scalars().all()
    assert states == [OutboxState.PENDING]
    assert first.sync().applied == 1


def test_a_revoked_laptop_cannot_sync_and_keeps_its_data(
    server: RunningServer, laptop: MakeLaptop, team: str
) -> None:
    """Scenario 9, revoked."""
    first = laptop(server.add_user(team=team))
    _new_case(first)
    server.set_device_status(_device_id(first), "revoked")
    with pytest.raises(DeviceRevoked) as refused:
        first.sync()
    assert not refused.value.wipe
    assert first.folder.exists() and outbox.pending_count(first.profile) == 1


def test_a_wiped_laptop_uploads_then_erases_its_profile(
    server: RunningServer, laptop: MakeLaptop, team: str
) -> None:
    """Scenario 9, wipe: what the laptop holds reaches the server, then it is erased."""
    first = laptop(server.add_user(team=team))
    person = _new_case(first)
    server.set_device_status(_device_id(first), "wipe")
    report = first.sync()
    assert report.wiped and report.applied == 1
    assert not first.folder.exists()
    assert ("beneficiary", str(person)) in server_state(server, first.account)


def test_a_stolen_laptop_is_erased_at_once_and_uploads_nothing(
    server: RunningServer, laptop: MakeLaptop, team: str
) -> None:
    first = laptop(server.add_user(team=team))
    person = _new_case(first)
    server.set_device_status(_device_id(first), "stolen")
    report = first.sync()
    assert report.wiped and report.sent == 0
    assert not first.folder.exists()
    assert ("beneficiary", str(person)) not in server_state(server, first.account)


def test_scope_other_teams_cases_and_psychologist_only_notes_never_arrive(
    server: RunningServer, laptop: MakeLaptop, team: str
) -> None:
    """Scenario 10."""
    psychologist = laptop(server.add_user("psychologist", team=team))
    colleague = laptop(server.add_user("social_worker", team=team))
    other_team = laptop(server.add_user("social_worker"))
    admin = laptop(server.add_user("admin"))
    person = _new_case(psychologist)
    open_session = followup.record_session(
        psychologist.ctx, person, held_on=date(2026, 1, 5), note="Standard note"
    )
    private = followup.record_session(
        psychologist.ctx,
        person,
        held_on=date(2026, 1, 6),
        confidentiality=Confidentiality.PSYCHOLOGIST_ONLY,
        note="Psychologist-only note",
    )
    psychologist.sync()
    for each in (colleague, other_team, admin):
        each.sync()

    def holds(each: Laptop) -> set[str]:
        with each.profile.sessions() as session:
            sessions = {str(s.id) for s in session.scalars(select(FollowUpSession))}
            notes = {n.body for n in session.scalars(select(SessionNote))}
            cases = {str(b.id) for b in session.scalars(select(Beneficiary))}
        return sessions | notes | cases

    assert {str(person), str(open_session.id), str(private.id)} <= holds(psychologist)
    seen = holds(colleague)
    assert {str(person), str(open_session.id), "Standard note"} <= seen
    assert str(private.id) not in seen and "Psychologist-only note" not in seen
    assert not {str(person), str(open_session.id), str(private.id)} & holds(other_team)
    # Administrators do not receive them either: the role table (issue 15) says so.
    assert not {str(private.id), "Psychologist-only note"} & holds(admin)


def test_a_case_reassigned_away_leaves_once_nothing_of_ours_waits_for_it(
    server: RunningServer, laptop: MakeLaptop, team: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    counsellor = laptop(server.add_user(team=team))
    supervisor = laptop(server.add_user("supervisor", team=team))
    elsewhere = server.add_user()
    person = _new_case(counsellor)
    counsellor.sync()
    supervisor.sync()
    with supervisor.ctx.transaction() as session:
        record = session.get(Beneficiary, person)
        assert record is not None
        record.team_id, record.assigned_staff_id = elsewhere.team_id, elsewhere.staff_id
    supervisor.sync()
    beneficiaries.update(counsellor.ctx, person, {"phone": "0655555555"})
    with monkeypatch.context() as patch:  # the pull comes before this edit is pushed
        patch.setattr(engine, "push_outbox", lambda *_args: PushOutcome())
        report = counsellor.sync()
    assert (report.left_scope_removed, report.left_scope_waiting) == (0, 1)
    assert _live(counsellor, person).phone == "0655555555"  # kept while the edit waits

    report = counsellor.sync()  # the edit is uploaded (and refused: no longer ours)
    assert (report.quarantined, report.left_scope_removed) == (1, 1)
    with counsellor.profile.sessions() as session:
        assert session.get(Beneficiary, person) is None
    [refused] = outbox.quarantined(counsellor.profile)  # shown, not silently dropped
    assert refused.fields["phone"] == "0655555555"
    newcomer = laptop(elsewhere)
    assert _live(newcomer, person).assigned_staff_id == elsewhere.staff_id


def test_pending_edits_survive_a_pull_and_are_pushed_next(
    server: RunningServer, laptop: MakeLaptop, team: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A field edited here and not yet pushed is never overwritten by a pull."""
    first, second = laptop(server.add_user(team=team)), laptop(server.add_user(team=team))
    person = _new_case(first)
    first.sync()
    second.sync()
    beneficiaries.update(first.ctx, person, {"address": "Tanger", "phone": "0600000000"})
    first.sync()
    beneficiaries.update(second.ctx, person, {"phone": "0677777777"})
    with monkeypatch.context() as patch:  # as if the edit were made during the pull
        patch.setattr(engine, "push_outbox", lambda *_args: PushOutcome())
        report = second.sync()
    assert report.kept_local == 1
    assert (_live(second, person).phone, _live(second, person).address) == (
        "0677777777",
        "Tanger",
    )
    assert second.sync().conflicts == 1  # the server had a newer phone from another laptop
    first.sync()
    assert first.state() == second.state()
    assert _live(second, person).phone == "0600000000"


def _device_id(laptop: Laptop) -> uuid.UUID:
    from app.sync.state import DEVICE_ID, get_uuid

    with laptop.profile.engine.connect() as connection:
        device_id = get_uuid(connection, DEVICE_ID)
    assert device_id is not None
    return device_id


def test_a_replaced_server_is_never_read_as_delete_everything(
    server: RunningServer, laptop: MakeLaptop, team: str
) -> None:
    """A server answering with another identity stops the sync before any page is applied."""
    first = laptop(server.add_user(team=team))
    assert outbox.last_sync_at(first.profile) is not None
    person = _new_case(first)
    first.sync()
    before = first.state()
    with first.profile.engine.begin() as connection:
        cursor = get(connection, CURSOR)
        put(connection, SERVER_ID, str(uuid.uuid4()))  # as if enrolled with another database
        put(connection, CURSOR, "0")
    with pytest.raises(ServerReplaced, match="Enrol the profile again"):
        first.sync()
    assert first.state() == before and _live(first, person).deleted_at is None
    with first.profile.engine.connect() as connection:
        assert get(connection, CURSOR) == "0" != cursor
