"""The partner directory, and referrals: consent first, paper references, status table."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import timedelta

import pytest

from app.models import Beneficiary, Partner
from app.services import beneficiaries, consent, partners, plans, referrals
from app.services.context import ServiceContext
from app.services.errors import (
    ConsentRequired,
    InvalidTransition,
    NotFound,
    ServiceError,
    ValidationFailed,
)
from passerelle_core.enums import (
    ConsentPurpose,
    PartnerKind,
    ReferralStatus,
    ResponsibleKind,
    StaffRole,
)

Colleague = Callable[[StaffRole], ServiceContext]
RS = ReferralStatus
REFERENCE = re.compile(r"^REF-\d{4}-[0-9A-HJKMNP-TV-Z]{6}$")


@pytest.fixture
def person(ctx: ServiceContext) -> Beneficiary:
    return beneficiaries.register(ctx, {"last_name": "Alaoui", "first_name": "Said"})


@pytest.fixture
def ngo(ctx: ServiceContext) -> Partner:
    return partners.create_partner(
        ctx, {"name": "Association Al Amal", "city": "Salé", "email": "contact@alamal.ma"}
    )


@pytest.fixture
def shared(ctx: ServiceContext, person: Beneficiary, ngo: Partner) -> Partner:
    """The NGO, with the person's consent to share information with it."""
    consent.record(ctx, person.id, ConsentPurpose.PARTNER_SHARING, partner_id=ngo.id)
    return ngo


def test_partner_directory(ctx: ServiceContext, ngo: Partner) -> None:
    employer = partners.create_partner(
        ctx, {"name": "atelier Menuiserie Rabat", "kind": PartnerKind.EMPLOYER}
    )
    partners.add_contact(ctx, ngo.id, {"full_name": "Fatima Zahra", "phone": "0661000000"})
    training = partners.add_service(
        ctx, ngo.id, name="Formation en couture", domain_id="employment"
    )
    partners.add_service(ctx, employer.id, name="Apprentissage", domain_id="education")
    assert ngo.kind is PartnerKind.NGO

    names = [partner.name for partner in partners.list_partners(ctx)]
    assert names == ["Association Al Amal", "atelier Menuiserie Rabat"]
    by_kind = partners.list_partners(ctx, kind=PartnerKind.EMPLOYER)
    assert [partner.id for partner in by_kind] == [employer.id]
    (offering,) = partners.list_partners(ctx, domain_id="employment")
    assert offering.id == ngo.id
    assert [contact.full_name for contact in offering.contacts] == ["Fatima Zahra"]
    assert [service.id for service in offering.services] == [training.id]

    renamed = partners.update_partner(ctx, ngo.id, {"name": "Al Amal", "city": ""})
    assert (renamed.name, renamed.city) == ("Al Amal", None)
    assert partners.get_partner(ctx, ngo.id).services[0].name == "Formation en couture"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({}, "name"),
        ({"name": "  "}, "name"),
        ({"name": "X", "email": "pas-un-email"}, "email"),
        ({"name": "X", "kind": "club"}, "kind"),
        ({"name": "X", "website": "x.ma"}, "website"),
    ],
)
def test_partner_validation(ctx: ServiceContext, data: dict[str, str], field: str) -> None:
    with pytest.raises(ValidationFailed, match=field):
        partners.create_partner(ctx, data)
    assert partners.list_partners(ctx) == []


def test_contact_and_service_validation(ctx: ServiceContext, ngo: Partner) -> None:
    with pytest.raises(ValidationFailed, match="full_name"):
        partners.add_contact(ctx, ngo.id, {"phone": "0661"})
    with pytest.raises(ValidationFailed, match="email"):
        partners.add_contact(ctx, ngo.id, {"full_name": "Omar", "email": "omar@"})
    with pytest.raises(ValidationFailed, match="domain_id"):
        partners.add_service(ctx, ngo.id, name="Yoga", domain_id="astrology")
    with pytest.raises(ValidationFailed, match="name"):
        partners.update_partner(ctx, ngo.id, {"name": None})
    with pytest.raises(NotFound):
        partners.add_service(ctx, uuid.uuid4(), name="Nulle part")


def test_referral_needs_consent_for_that_partner(
    ctx: ServiceContext, person: Beneficiary, ngo: Partner
) -> None:
    with pytest.raises(ConsentRequired):
        referrals.refer(ctx, person.id, ngo.id)
    other = partners.create_partner(ctx, {"name": "Fondation Mohammed VI"})
    consent.record(ctx, person.id, ConsentPurpose.PARTNER_SHARING, partner_id=other.id)
    with pytest.raises(ConsentRequired):
        referrals.refer(ctx, person.id, ngo.id)
    assert referrals.list_for_beneficiary(ctx, person.id) == []

    consent.record(ctx, person.id, ConsentPurpose.PARTNER_SHARING, partner_id=ngo.id)
    referral = referrals.refer(ctx, person.id, ngo.id, reason="Formation")
    assert REFERENCE.match(referral.reference)
    assert referral.reference.startswith(f"REF-{ctx.today().year}-")
    assert (referral.status, referral.sent_on, referral.referred_by_id) == (
        RS.SENT,
        ctx.today(),
        ctx.actor.staff_id,
    )


def test_withdrawn_consent_stops_referrals(
    ctx: ServiceContext, person: Beneficiary, ngo: Partner
) -> None:
    given = consent.record(ctx, person.id, ConsentPurpose.PARTNER_SHARING, partner_id=ngo.id)
    referrals.refer(ctx, person.id, ngo.id)
    consent.withdraw(ctx, given.id)
    with pytest.raises(ConsentRequired):
        referrals.refer(ctx, person.id, ngo.id)


def test_referral_links_checked(ctx: ServiceContext, person: Beneficiary, shared: Partner) -> None:
    elsewhere = partners.create_partner(ctx, {"name": "Autre"})
    foreign = partners.add_service(ctx, elsewhere.id, name="Hébergement")
    with pytest.raises(ValidationFailed, match="service_id"):
        referrals.refer(ctx, person.id, shared.id, service_id=foreign.id)
    someone_else = beneficiaries.register(ctx, {"last_name": "Autre", "first_name": "Personne"})
    plan = plans.draft_plan(ctx, someone_else.id, title="Logement")
    goal = plans.add_goal(ctx, plan.id, domain_id="housing", wording="Logement")
    action = plans.add_action(
        ctx,
        goal.id,
        description="Orienter",
        responsible_kind=ResponsibleKind.PARTNER,
        partner_id=shared.id,
    )
    with pytest.raises(ValidationFailed, match="action_id"):
        referrals.refer(ctx, person.id, shared.id, action_id=action.id)
    with pytest.raises(ValidationFailed, match="sent_on"):
        referrals.refer(ctx, person.id, shared.id, sent_on=ctx.today() + timedelta(days=1))

    own_plan = plans.draft_plan(ctx, person.id, title="Emploi")
    own_goal = plans.add_goal(ctx, own_plan.id, domain_id="employment", wording="Emploi")
    own_action = plans.add_action(
        ctx,
        own_goal.id,
        description="Orienter",
        responsible_kind=ResponsibleKind.PARTNER,
        partner_id=shared.id,
    )
    service = partners.add_service(ctx, shared.id, name="Couture", domain_id="employment")
    referral = referrals.refer(
        ctx, person.id, shared.id, service_id=service.id, action_id=own_action.id
    )
    assert (referral.service_id, referral.action_id) == (service.id, own_action.id)


def test_status_table(ctx: ServiceContext, person: Beneficiary, shared: Partner) -> None:
    for status, targets in referrals.TRANSITIONS.items():
        for target in RS:
            referral = referrals.refer(ctx, person.id, shared.id)
            _bring_to(ctx, referral.id, status)
            if target in targets:
                moved = referrals.update_status(ctx, referral.id, target, outcome="Noté")
                assert (moved.status, moved.status_changed_on, moved.outcome) == (
                    target,
                    ctx.today(),
                    "Noté",
                )
            else:
                before = referrals.get_referral(ctx, referral.id)
                with pytest.raises(InvalidTransition, match="cannot go from"):
                    referrals.update_status(ctx, referral.id, target)
                after = referrals.get_referral(ctx, referral.id)
                assert (after.status, after.row_version) == (status, before.row_version)
    assert referrals.TERMINAL == {RS.COMPLETED, RS.REFUSED, RS.NO_SHOW, RS.CANCELLED}


def _bring_to(ctx: ServiceContext, referral_id: uuid.UUID, status: ReferralStatus) -> None:
    path = {
        RS.SENT: [],
        RS.ACCEPTED: [RS.ACCEPTED],
        RS.STARTED: [RS.ACCEPTED, RS.STARTED],
        RS.COMPLETED: [RS.ACCEPTED, RS.STARTED, RS.COMPLETED],
        RS.REFUSED: [RS.REFUSED],
        RS.NO_SHOW: [RS.NO_SHOW],
        RS.CANCELLED: [RS.CANCELLED],
    }
    for step in path[status]:
        referrals.update_status(ctx, referral_id, step)


def test_status_dates_checked(ctx: ServiceContext, person: Beneficiary, shared: Partner) -> None:
    sent = ctx.today() - timedelta(days=10)
    referral = referrals.refer(ctx, person.id, shared.id, sent_on=sent)
    with pytest.raises(ValidationFailed, match="^on:"):
        referrals.update_status(ctx, referral.id, RS.ACCEPTED, on=sent - timedelta(days=1))
    with pytest.raises(ValidationFailed, match="^on:"):
        referrals.update_status(ctx, referral.id, RS.ACCEPTED, on=ctx.today() + timedelta(days=1))
    with pytest.raises(ValidationFailed, match="status"):
        referrals.update_status(ctx, referral.id, "lost")  # type: ignore[arg-type]
    accepted = referrals.update_status(ctx, referral.id, RS.ACCEPTED, on=sent + timedelta(days=2))
    assert accepted.status_changed_on == sent + timedelta(days=2)


def test_references_unique_and_found_back(
    ctx: ServiceContext, person: Beneficiary, shared: Partner
) -> None:
    made = [referrals.refer(ctx, person.id, shared.id) for _ in range(200)]
    references = {referral.reference for referral in made}
    assert len(references) == 200
    assert all(REFERENCE.match(reference) for reference in references)
    wanted = made[7]
    misread = wanted.reference.lower().replace("0", "o").replace("1", "l")
    assert referrals.find_by_reference(ctx, f" {misread} ").id == wanted.id  # type: ignore[union-attr]
    assert referrals.find_by_reference(ctx, "REF-1999-AAAAAA") is None


def test_reference_collision_is_retried(
    ctx: ServiceContext, person: Beneficiary, shared: Partner, monkeypatch: pytest.MonkeyPatch
) -> None:
    codes = iter(["AAAAAA", "AAAAAA", "BBBBBB"])
    monkeypatch.setattr(referrals, "random_code", lambda: next(codes))
    first = referrals.refer(ctx, person.id, shared.id)
    second = referrals.refer(ctx, person.id, shared.id)
    assert (first.reference[-6:], second.reference[-6:]) == ("AAAAAA", "BBBBBB")
    monkeypatch.setattr(referrals, "random_code", lambda: "AAAAAA")
    with pytest.raises(ServiceError, match="unique"):
        referrals.refer(ctx, person.id, shared.id)


def test_awaiting_outcome_lists_own_open_referrals(
    ctx: ServiceContext, colleague: Colleague, person: Beneficiary, shared: Partner
) -> None:
    older = referrals.refer(ctx, person.id, shared.id, sent_on=ctx.today() - timedelta(days=30))
    newer = referrals.refer(ctx, person.id, shared.id)
    finished = referrals.refer(ctx, person.id, shared.id)
    referrals.update_status(ctx, finished.id, RS.NO_SHOW)
    referrals.refer(colleague(StaffRole.EDUCATOR), person.id, shared.id)
    assert [r.id for r in referrals.awaiting_outcome(ctx)] == [older.id, newer.id]
    listed = [r.id for r in referrals.list_for_beneficiary(ctx, person.id)]
    assert len(listed) == 4 and listed[-1] == older.id
