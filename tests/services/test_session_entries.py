"""The sessions' read models: the current note is the last revision, read for all sessions
at once, and a psychologist-only session (or its note) never reaches another role."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest

from app.models import Beneficiary
from app.services import beneficiaries, followup, session_entries
from app.services.context import ServiceContext
from app.services.errors import NotFound
from passerelle_core.enums import Confidentiality, StaffRole

Colleague = Callable[[StaffRole], ServiceContext]


@pytest.fixture
def person(ctx: ServiceContext) -> Beneficiary:
    return beneficiaries.register(ctx, {"last_name": "El Idrissi", "first_name": "Karim"})


def test_entries_carry_the_current_note(ctx: ServiceContext, person: Beneficiary) -> None:
    first = followup.record_session(ctx, person.id, held_on=ctx.today(), note="Premier jet")
    followup.revise_note(ctx, first.id, "Texte corrigé")
    bare = followup.record_session(ctx, person.id, held_on=ctx.today(), topic="Appel")

    entries = {entry.id: entry for entry in session_entries.entries_for(ctx, person.id)}
    assert entries[first.id].note == "Texte corrigé" and entries[bare.id].note is None
    assert entries[bare.id].topic == "Appel" and not entries[bare.id].voided
    with pytest.raises(dataclasses.FrozenInstanceError):
        entries[first.id].note = "x"  # type: ignore[misc]
    history = session_entries.revisions(ctx, first.id)
    assert [(n.revision, n.body) for n in history] == [(1, "Premier jet"), (2, "Texte corrigé")]
    other = beneficiaries.register(ctx, {"last_name": "Bennani", "first_name": "Amine"})
    assert session_entries.entries_for(ctx, other.id) == []


def test_private_sessions_stay_hidden(
    ctx: ServiceContext, colleague: Colleague, person: Beneficiary
) -> None:
    psychologist = colleague(StaffRole.PSYCHOLOGIST)
    private = followup.record_session(
        psychologist,
        person.id,
        held_on=ctx.today(),
        confidentiality=Confidentiality.PSYCHOLOGIST_ONLY,
        note="Idées noires évoquées.",
    )
    standard = followup.record_session(ctx, person.id, held_on=ctx.today(), note="Entretien")
    assert [e.id for e in session_entries.entries_for(ctx, person.id)] == [standard.id]
    assert {e.id for e in session_entries.entries_for(psychologist, person.id)} == {
        private.id,
        standard.id,
    }
    with pytest.raises(NotFound):
        session_entries.revisions(ctx, private.id)
