"""The identity's read model names every field as the service's ``update`` takes it, so
the edit can compare what is typed with the values it started from."""

from __future__ import annotations

import dataclasses

import pytest

from app.services import beneficiaries, identity_entries
from app.services.context import ServiceContext
from passerelle_core.enums import CaseStatus


def test_identity_is_a_frozen_copy(ctx: ServiceContext) -> None:
    person = beneficiaries.register(
        ctx, {"last_name": "Alaoui", "first_name": "Said", "last_name_ar": "العلوي"}
    )
    entry = identity_entries.identity(ctx, person.id)
    assert (entry.id, entry.last_name, entry.last_name_ar) == (person.id, "Alaoui", "العلوي")
    assert entry.case_status is CaseStatus.OPEN and entry.closed_on is None
    beneficiaries.update(ctx, person.id, {"first_name": "Saïd"})
    assert entry.first_name == "Said"  # what the edit started from does not move
    assert identity_entries.identity(ctx, person.id).first_name == "Saïd"
    with pytest.raises(dataclasses.FrozenInstanceError):
        entry.cin = "AB1"  # type: ignore[misc]
