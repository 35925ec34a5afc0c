"""The referrals' read model: newest first, frozen, and whether a status may still follow."""

from __future__ import annotations

import dataclasses

import pytest

from app.services import beneficiaries, consent, partners, referral_entries, referrals
from app.services.context import ServiceContext
from passerelle_core.enums import ConsentPurpose, PartnerKind, ReferralStatus


def test_referrals_as_entries(ctx: ServiceContext) -> None:
    person = beneficiaries.register(ctx, {"last_name": "Alaoui", "first_name": "Said"})
    partner = partners.create_partner(ctx, {"name": "ANAPEC", "kind": PartnerKind.PUBLIC_SERVICE})
    consent.record(ctx, person.id, ConsentPurpose.PARTNER_SHARING, partner_id=partner.id)
    sent = referrals.refer(ctx, person.id, partner.id, reason="Atelier CV")

    [entry] = referral_entries.entries_for(ctx, person.id)
    assert (entry.id, entry.reference, entry.reason) == (sent.id, sent.reference, "Atelier CV")
    assert entry.status is ReferralStatus.SENT and entry.may_move and not entry.voided
    with pytest.raises(dataclasses.FrozenInstanceError):
        entry.outcome = "x"  # type: ignore[misc]
