"""Follow-up sessions: who may see what, and notes that are never overwritten."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.models import Beneficiary, SessionNote
from app.services import beneficiaries, followup
from app.services.context import ServiceContext
from app.services.errors import NotAllowed, NotFound, ValidationFailed
from app.store.profile import Profile
from passerelle_core.enums import Confidentiality, SessionKind, StaffRole

Colleague = Callable[[StaffRole], ServiceContext]
PRIVATE = Confidentiality.PSYCHOLOGIST_ONLY


@pytest.fixture
def person(ctx: ServiceContext) -> Beneficiary:
    return beneficiaries.register(ctx, {"last_name": "El Idrissi", "first_name": "Karim"})


def _note_rows(profile: Profile) -> int:
    with profile.sessions() as session:
        return session.scalar(select(func.count()).select_from(SessionNote)) or 0


def test_record_session_with_first_note(ctx: ServiceContext, person: Beneficiary) -> None:
    held = ctx.today() - timedelta(days=2)
    recorded = followup.record_session(
        ctx,
        person.id,
        held_on=held,
        kind=SessionKind.FAMILY_VISIT,
        duration_minutes=45,
        topic="Visite de la mère",
        note="La mère est prête à l'héberger.",
    )
    assert (recorded.staff_id, recorded.held_on, recorded.kind) == (
        ctx.actor.staff_id,
        held,
        SessionKind.FAMILY_VISIT,
    )
    note = followup.current_note(ctx, recorded.id)
    assert note is not None
    assert (note.revision, note.body, note.author_id) == (
        1,
        "La mère est prête à l'héberger.",
        ctx.actor.staff_id,
    )
    with pytest.raises(ValidationFailed, match="topic"):
        followup.record_session(ctx, person.id, held_on=ctx.today(), topic=" ", note="")
    titled = followup.record_session(ctx, person.id, held_on=ctx.today(), topic="Emploi")
    assert followup.current_note(ctx, titled.id) is None
    assert [s.id for s in followup.list_sessions(ctx, person.id)] == [titled.id, recorded.id]


def test_revisions_append(ctx: ServiceContext, person: Beneficiary, profile: Profile) -> None:
    recorded = followup.record_session(ctx, person.id, held_on=ctx.today(), note="Premier jet")
    assert _note_rows(profile) == 1
    second = followup.revise_note(ctx, recorded.id, "Version corrigée")
    third = followup.revise_note(ctx, recorded.id, "Version finale")
    assert (second.revision, third.revision) == (2, 3)
    assert _note_rows(profile) == 3
    history = followup.note_history(ctx, recorded.id)
    assert [note.body for note in history] == ["Premier jet", "Version corrigée", "Version finale"]
    assert followup.current_note(ctx, recorded.id).body == "Version finale"  # type: ignore[union-attr]
    with pytest.raises(ValidationFailed, match="body"):
        followup.revise_note(ctx, recorded.id, "   ")
    assert _note_rows(profile) == 3


def test_revising_a_session_without_note_starts_at_one(
    ctx: ServiceContext, person: Beneficiary
) -> None:
    recorded = followup.record_session(ctx, person.id, held_on=ctx.today(), topic="Accueil")
    assert followup.revise_note(ctx, recorded.id, "Ajouté plus tard").revision == 1


def test_psychologist_only_sessions(
    ctx: ServiceContext, colleague: Colleague, person: Beneficiary
) -> None:
    with pytest.raises(NotAllowed):
        followup.record_session(ctx, person.id, held_on=ctx.today(), confidentiality=PRIVATE)
    psychologist = colleague(StaffRole.PSYCHOLOGIST)
    private = followup.record_session(
        psychologist,
        person.id,
        held_on=ctx.today(),
        confidentiality=PRIVATE,
        note="Idées noires évoquées.",
    )
    standard = followup.record_session(ctx, person.id, held_on=ctx.today(), note="Entretien")

    assert [s.id for s in followup.list_sessions(ctx, person.id)] == [standard.id]
    seen_by_psychologist = {s.id for s in followup.list_sessions(psychologist, person.id)}
    assert seen_by_psychologist == {private.id, standard.id}
    supervisor = colleague(StaffRole.SUPERVISOR)
    assert [s.id for s in followup.list_sessions(supervisor, person.id)] == [standard.id]

    # Not even the existence of the session is revealed to other roles.
    for reader in (ctx, supervisor):
        with pytest.raises(NotFound):
            followup.get_session(reader, private.id)
        with pytest.raises(NotFound):
            followup.current_note(reader, private.id)
        with pytest.raises(NotFound):
            followup.note_history(reader, private.id)
        with pytest.raises(NotFound):
            followup.revise_note(reader, private.id, "Lu quand même")
    assert followup.current_note(psychologist, private.id).body == "Idées noires évoquées."  # type: ignore[union-attr]
    assert followup.get_session(psychologist, standard.id).id == standard.id


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"duration_minutes": 601}, "duration_minutes"),
        ({"kind": "séance"}, "kind"),
        ({"held_on": "hier"}, "held_on"),
    ],
)
def test_session_validation(
    ctx: ServiceContext, person: Beneficiary, arguments: dict[str, object], field: str
) -> None:
    values: dict[str, object] = {"held_on": ctx.today(), **arguments}
    with pytest.raises(ValidationFailed, match=field):
        followup.record_session(ctx, person.id, **values)  # type: ignore[arg-type]
    assert followup.list_sessions(ctx, person.id) == []


def test_future_session_refused(ctx: ServiceContext, person: Beneficiary) -> None:
    with pytest.raises(ValidationFailed, match="held_on"):
        followup.record_session(ctx, person.id, held_on=ctx.today() + timedelta(days=1))
    limits = [
        followup.record_session(
            ctx, person.id, held_on=ctx.today(), duration_minutes=minutes, topic="Suivi"
        )
        for minutes in (1, 600)
    ]
    assert [s.duration_minutes for s in limits] == [1, 600]
