"""The consents' read model: frozen, and active until withdrawn."""

from __future__ import annotations

import dataclasses

import pytest

from app.services import beneficiaries, consent, consent_entries
from app.services.context import ServiceContext
from passerelle_core.enums import ConsentPurpose


def test_consents_as_entries(ctx: ServiceContext) -> None:
    person = beneficiaries.register(ctx, {"last_name": "Alaoui", "first_name": "Said"})
    given = consent.record(ctx, person.id, ConsentPurpose.ASSESSMENT)
    entries = consent_entries.entries_for(ctx, person.id)
    assert [e.id for e in entries] == [given.id]
    assert consent_entries.has_active(entries, ConsentPurpose.ASSESSMENT)
    assert not consent_entries.has_active(entries, ConsentPurpose.PARTNER_SHARING)

    consent.withdraw(ctx, given.id)
    assert entries[0].is_active  # what was read does not move
    [withdrawn] = consent_entries.entries_for(ctx, person.id)
    assert not withdrawn.is_active and withdrawn.withdrawn_on == ctx.today()
    with pytest.raises(dataclasses.FrozenInstanceError):
        withdrawn.notes = "x"  # type: ignore[misc]
