"""Consent per purpose, enforced: no referral nor slip without consent to share with that
partner, and no place in anonymised exports without consent to statistics."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from app.reports.exports import ExportFormat, write_case_list
from app.services import beneficiaries, consent, partners, referrals
from app.services.context import ServiceContext
from app.services.errors import ConsentRequired
from passerelle_core.enums import ConsentPurpose, PartnerKind


def test_a_referral_and_its_slip_need_consent_to_share_with_that_partner(
    ctx: ServiceContext,
) -> None:
    person = beneficiaries.register(ctx, {"last_name": "Alaoui", "first_name": "Said"})
    partner = partners.create_partner(ctx, {"name": "Al Amal", "kind": PartnerKind.NGO})
    other = partners.create_partner(ctx, {"name": "Anapec", "kind": PartnerKind.PUBLIC_SERVICE})
    consent.record(ctx, person.id, ConsentPurpose.PARTNER_SHARING, partner_id=other.id)

    with pytest.raises(ConsentRequired, match="not consented to sharing"):
        referrals.refer(ctx, person.id, partner.id)  # consent for another partner only

    given = consent.record(ctx, person.id, ConsentPurpose.PARTNER_SHARING, partner_id=partner.id)
    sent = referrals.refer(ctx, person.id, partner.id)
    assert referrals.printable(ctx, sent.id).id == sent.id

    consent.withdraw(ctx, given.id)
    with pytest.raises(ConsentRequired):
        referrals.refer(ctx, person.id, partner.id)
    with pytest.raises(ConsentRequired):
        referrals.printable(ctx, sent.id)  # the slip would hand the data over now
    assert [r.id for r in referrals.list_for_beneficiary(ctx, person.id)] == [sent.id]


def _exported(ctx: ServiceContext, out: Path) -> int:
    write_case_list(ctx, out, ExportFormat.CSV, language="en", k=1)  # k-anonymity aside
    with out.open(encoding="utf-8-sig") as file:
        return len(list(csv.reader(file))) - 1


def test_withdrawing_statistics_consent_removes_the_person_from_anonymised_exports(
    ctx: ServiceContext, tmp_path: Path
) -> None:
    """Never given counts as refused: consent is asked per purpose (docs/domain.md)."""
    consenting = beneficiaries.register(ctx, {"last_name": "Alaoui", "first_name": "Said"})
    beneficiaries.register(ctx, {"last_name": "Tazi", "first_name": "Amine"})  # never asked
    given = consent.record(ctx, consenting.id, ConsentPurpose.STATISTICS)
    assert _exported(ctx, tmp_path / "before.csv") == 1

    consent.withdraw(ctx, given.id)

    assert _exported(ctx, tmp_path / "after.csv") == 0
