"""Referrals: consent is checked by the service and its refusal explained; statuses follow
the service's transition table.

Typed text is ASCII: QTest cannot type accented letters (qasciikey asserts).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.models import Beneficiary, Partner
from app.services import beneficiaries, consent, partners, referrals
from app.services.context import ServiceContext
from app.settings import Settings
from app.store.profile import Profile
from app.views.app_state import AppState
from app.views.casefile.referrals import ReferDialog, ReferralsSection, ReferralStatusDialog
from app.views.language import apply_language
from passerelle_core.enums import ConsentPurpose, PartnerKind, ReferralStatus

REFERENCE = re.compile(r"^REF-\d{4}-[0-9A-Z]{6}$")


@pytest.fixture
def person(ctx: ServiceContext) -> Beneficiary:
    return beneficiaries.register(ctx, {"last_name": "Alaoui", "first_name": "Said"})


@pytest.fixture
def anapec(ctx: ServiceContext) -> Partner:
    partner = partners.create_partner(
        ctx, {"name": "ANAPEC Sale", "kind": PartnerKind.PUBLIC_SERVICE}
    )
    partners.add_service(ctx, partner.id, name="Atelier CV", domain_id="employment")
    partners.add_service(ctx, partner.id, name="Placement", domain_id="employment")
    partners.create_partner(ctx, {"name": "Association Relais", "kind": PartnerKind.NGO})
    return partners.get_partner(ctx, partner.id)


def _section(
    qtbot: QtBot, profile: Profile, ctx: ServiceContext, person: Beneficiary
) -> ReferralsSection:
    section = ReferralsSection(AppState(profile, ctx, Settings()), person.id)
    qtbot.addWidget(section)
    section.resize(1100, 700)
    section.show()
    return section


def _fill(qtbot: QtBot, dialog: ReferDialog, partner: Partner) -> None:
    assert dialog.partner.select(partner.id)
    services = [dialog.service.itemText(i) for i in range(dialog.service.count())]
    assert services == ["No particular service", "Atelier CV", "Placement"]
    dialog.service.setCurrentIndex(1)
    qtbot.keyClicks(dialog.reason, "Recherche d'emploi a la sortie")


def test_referral_without_consent_is_refused_and_explained(
    qtbot: QtBot, profile: Profile, ctx: ServiceContext, person: Beneficiary, anapec: Partner
) -> None:
    section = _section(qtbot, profile, ctx, person)
    qtbot.mouseClick(section.empty_refer_button, Qt.MouseButton.LeftButton)
    dialog = section.dialog
    assert isinstance(dialog, ReferDialog)
    _fill(qtbot, dialog, anapec)
    assert "No consent" in dialog.consent_hint.text()
    dialog.accept()
    assert dialog.isVisible()
    assert dialog.error.isVisible()
    assert "not consented to sharing information with this partner" in dialog.error.text()
    assert "Record the consent" in dialog.error.text()
    assert dialog.record_consent.isVisible()
    assert referrals.list_for_beneficiary(ctx, person.id) == []
    assert section.stack.currentWidget() is section.empty


@pytest.fixture(params=["fr", "ar"])
def language(request: pytest.FixtureRequest, qapp: QApplication) -> Iterator[str]:
    apply_language(qapp, request.param)
    yield request.param
    apply_language(qapp, "en")


def test_consent_recorded_inline_and_the_referral_goes_on(
    qtbot: QtBot,
    profile: Profile,
    ctx: ServiceContext,
    person: Beneficiary,
    anapec: Partner,
    language: str,
) -> None:
    section = _section(qtbot, profile, ctx, person)
    dialog = section.refer()
    assert isinstance(dialog, ReferDialog)
    assert dialog.partner.select(anapec.id)
    dialog.service.setCurrentIndex(2)
    qtbot.keyClicks(dialog.reason, "Recherche d'emploi a la sortie")
    assert dialog.record_consent.isVisible()  # offered before any refusal
    dialog.accept()
    assert dialog.isVisible() and dialog.error.isVisible()  # refused: no consent
    asked = dialog.ask_consent()
    assert asked is not None and asked.isVisible()
    assert asked.purpose.value() is ConsentPurpose.PARTNER_SHARING
    assert asked.partner.value() == anapec.id
    with qtbot.waitSignal(section.changed):
        asked.accept()  # the consent, then the referral that was waiting for it
    assert not dialog.isVisible()
    [made] = referrals.list_for_beneficiary(ctx, person.id)
    assert (made.partner_id, made.reason) == (anapec.id, "Recherche d'emploi a la sortie")
    assert made.service_id == anapec.services[1].id
    [given] = [c for c in consent.list_for(ctx, person.id) if c.partner_id == anapec.id]
    assert given.purpose is ConsentPurpose.PARTNER_SHARING


def test_consent_given_before_saving_just_updates_the_hint(
    qtbot: QtBot, profile: Profile, ctx: ServiceContext, person: Beneficiary, anapec: Partner
) -> None:
    section = _section(qtbot, profile, ctx, person)
    dialog = section.refer()
    assert isinstance(dialog, ReferDialog)
    _fill(qtbot, dialog, anapec)
    asked = dialog.ask_consent()
    assert asked is not None
    asked.accept()
    assert dialog.isVisible()  # not saved behind the person's back: Save is still theirs
    assert "agreed" in dialog.consent_hint.text()
    assert not dialog.record_consent.isVisible()
    assert dialog.reason.toPlainText() == "Recherche d'emploi a la sortie"
    assert referrals.list_for_beneficiary(ctx, person.id) == []


def test_referral_with_consent_then_status_updates(
    qtbot: QtBot, profile: Profile, ctx: ServiceContext, person: Beneficiary, anapec: Partner
) -> None:
    consent.record(ctx, person.id, ConsentPurpose.PARTNER_SHARING, partner_id=anapec.id)
    section = _section(qtbot, profile, ctx, person)
    dialog = section.refer()
    assert isinstance(dialog, ReferDialog)
    _fill(qtbot, dialog, anapec)
    assert "agreed" in dialog.consent_hint.text()
    with qtbot.waitSignal(section.changed):
        dialog.accept()

    row = section.table.topLevelItem(0)
    assert REFERENCE.match(row.text(0))
    assert (row.text(1), row.text(2), row.text(4)) == ("ANAPEC Sale", "Atelier CV", "Sent")

    qtbot.mouseClick(section.status_button, Qt.MouseButton.LeftButton)
    update = section.dialog
    assert isinstance(update, ReferralStatusDialog)
    assert update.status.values() == [
        ReferralStatus.ACCEPTED,
        ReferralStatus.REFUSED,
        ReferralStatus.NO_SHOW,
        ReferralStatus.CANCELLED,
    ]
    update.status.select(ReferralStatus.ACCEPTED)
    with qtbot.waitSignal(section.changed):
        update.accept()
    assert section.table.topLevelItem(0).text(4) == "Accepted"

    update = section.update_status()
    assert isinstance(update, ReferralStatusDialog)
    assert update.status.values() == [
        ReferralStatus.STARTED,
        ReferralStatus.REFUSED,
        ReferralStatus.NO_SHOW,
        ReferralStatus.CANCELLED,
    ]
    update.status.select(ReferralStatus.REFUSED)
    qtbot.keyClicks(update.outcome, "Plus de places cette annee")
    with qtbot.waitSignal(section.changed):
        update.accept()
    row = section.table.topLevelItem(0)
    assert (row.text(4), row.text(6)) == ("Refused", "Plus de places cette annee")
    assert not section.status_button.isEnabled()  # a refused referral is finished
    assert section.update_status() is None
