"""Consent per purpose, naming the partner for sharing, with withdrawal."""

from __future__ import annotations

import pytest

from app.models import Partner
from app.services import beneficiaries, consent
from app.services.context import ServiceContext
from app.services.errors import NotFound, ServiceError
from app.store.profile import Profile
from passerelle_core.enums import ConsentPurpose


def test_sharing_consent_names_a_partner(profile: Profile, ctx: ServiceContext) -> None:
    person = beneficiaries.register(ctx, {"last_name": "Amrani", "first_name": "Karim"})
    with profile.transaction() as session:
        partner = Partner(name="Association Al Amal")
        session.add(partner)
    with pytest.raises(ServiceError, match="name the partner"):
        consent.record(ctx, person.id, ConsentPurpose.PARTNER_SHARING)
    with pytest.raises(ServiceError, match="Only consent to share"):
        consent.record(ctx, person.id, ConsentPurpose.STATISTICS, partner_id=partner.id)
    given = consent.record(ctx, person.id, ConsentPurpose.PARTNER_SHARING, partner_id=partner.id)
    with ctx.reading() as session:
        assert consent.has_active(session, person.id, ConsentPurpose.PARTNER_SHARING, partner.id)
    consent.withdraw(ctx, given.id)
    with ctx.reading() as session:
        assert not consent.has_active(session, person.id, ConsentPurpose.PARTNER_SHARING)
    with pytest.raises(ServiceError, match="already withdrawn"):
        consent.withdraw(ctx, given.id)
    listed = consent.list_for(ctx, person.id)
    assert [c.withdrawn_on for c in listed] == [ctx.today()]


def test_unknown_beneficiary(ctx: ServiceContext) -> None:
    import uuid

    with pytest.raises(NotFound):
        consent.record(ctx, uuid.uuid4(), ConsentPurpose.ASSESSMENT)
