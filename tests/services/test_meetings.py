"""Coordination meetings: participants, decisions, and the meetings about one person."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta

import pytest

from app.models import Beneficiary
from app.services import beneficiaries, meetings
from app.services.context import ServiceContext
from app.services.errors import NotFound, ValidationFailed
from passerelle_core.enums import DecisionStatus, StaffRole

Colleague = Callable[[StaffRole], ServiceContext]


@pytest.fixture
def person(ctx: ServiceContext) -> Beneficiary:
    return beneficiaries.register(ctx, {"last_name": "Berrada", "first_name": "Hamza"})


def test_meeting_with_participants_and_decisions(
    ctx: ServiceContext, colleague: Colleague, person: Beneficiary
) -> None:
    educator = colleague(StaffRole.EDUCATOR)
    other = beneficiaries.register(ctx, {"last_name": "Chraibi", "first_name": "Nabil"})
    due = ctx.today() + timedelta(days=14)
    meeting = meetings.record_meeting(
        ctx,
        held_on=ctx.today() - timedelta(days=1),
        title="Commission de pré-libération",
        agenda="Sorties du trimestre",
        participant_staff_ids=[ctx.actor.staff_id, educator.actor.staff_id, ctx.actor.staff_id],
        outside_participants=[("M. Tahiri", "Direction de l'établissement"), ("Mme Fassi", None)],
        decisions=[
            {
                "text": "Demander une place en centre d'accueil",
                "beneficiary_id": person.id,
                "responsible_staff_id": educator.actor.staff_id,
                "due_date": due,
            },
            {"text": "Réunir les familles en juin"},
        ],
    )
    assert meeting.organiser_id == ctx.actor.staff_id
    loaded = meetings.get_meeting(ctx, meeting.id)
    staff = [p.staff_id for p in loaded.participants if p.staff_id is not None]
    assert sorted(map(str, staff)) == sorted(
        map(str, [ctx.actor.staff_id, educator.actor.staff_id])
    )
    outside = {(p.full_name, p.organisation) for p in loaded.participants if p.staff_id is None}
    assert outside == {("M. Tahiri", "Direction de l'établissement"), ("Mme Fassi", None)}
    about_person = [d for d in loaded.decisions if d.beneficiary_id == person.id]
    assert [(d.responsible_staff_id, d.due_date, d.status) for d in about_person] == [
        (educator.actor.staff_id, due, DecisionStatus.OPEN)
    ]

    later = meetings.record_meeting(ctx, held_on=ctx.today(), title="Point mensuel")
    meetings.add_decision(ctx, later.id, text="Suivi", beneficiary_id=other.id)
    assert [m.id for m in meetings.list_meetings(ctx)] == [later.id, meeting.id]
    assert [m.id for m in meetings.list_meetings(ctx, beneficiary_id=person.id)] == [meeting.id]
    assert [m.id for m in meetings.list_meetings(ctx, beneficiary_id=other.id)] == [later.id]
    assert meetings.list_meetings(ctx, beneficiary_id=uuid.uuid4()) == []


def test_decisions_added_later_and_closed(ctx: ServiceContext, person: Beneficiary) -> None:
    meeting = meetings.record_meeting(ctx, held_on=ctx.today(), title="Cellule de suivi")
    assert meetings.list_meetings(ctx, beneficiary_id=person.id) == []
    decision = meetings.add_decision(
        ctx, meeting.id, text="Orienter vers l'ANAPEC", beneficiary_id=person.id
    )
    assert [m.id for m in meetings.list_meetings(ctx, beneficiary_id=person.id)] == [meeting.id]
    done = meetings.set_decision_status(ctx, decision.id, DecisionStatus.DONE)
    assert done.status is DecisionStatus.DONE
    assert done.meeting.title == "Cellule de suivi"  # readable once the session is closed
    assert meetings.get_meeting(ctx, meeting.id).decisions[0].status is DecisionStatus.DONE
    with pytest.raises(ValidationFailed, match="status"):
        meetings.set_decision_status(ctx, decision.id, "postponed")  # type: ignore[arg-type]
    with pytest.raises(NotFound):
        meetings.add_decision(ctx, uuid.uuid4(), text="Sans réunion")


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"title": " "}, "title"),
        ({"facility_id": uuid.uuid4()}, "facility_id"),
        ({"participant_staff_ids": [uuid.uuid4()]}, "participant_staff_ids.0"),
        ({"outside_participants": [("", "DGAPR")]}, "outside_participants.0.full_name"),
        ({"decisions": [{"text": ""}]}, "decisions.0.text"),
        (
            {"decisions": [{"text": "A"}, {"text": "B", "beneficiary_id": uuid.uuid4()}]},
            "decisions.1.beneficiary_id",
        ),
        ({"decisions": [{"text": "A", "colour": "red"}]}, "decisions.0.colour"),
    ],
)
def test_meeting_validation(ctx: ServiceContext, arguments: dict[str, object], field: str) -> None:
    values: dict[str, object] = {"held_on": ctx.today(), "title": "Réunion", **arguments}
    with pytest.raises(ValidationFailed) as raised:
        meetings.record_meeting(ctx, **values)  # type: ignore[arg-type]
    assert field in [error.field for error in raised.value.errors]
    assert meetings.list_meetings(ctx) == []


def test_future_meeting_refused(ctx: ServiceContext) -> None:
    with pytest.raises(ValidationFailed, match="held_on"):
        meetings.record_meeting(ctx, held_on=ctx.today() + timedelta(days=1), title="Demain")
