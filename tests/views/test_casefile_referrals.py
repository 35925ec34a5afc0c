"""Referrals: consent is checked by the service and its refusal explained; statuses follow
the service's transition table.

Typed text is ASCII: QTest cannot type accented letters (qasciikey asserts).
"""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTabWidget
from pytestqt.qtbot import QtBot

from app.models import Beneficiary, Partner
from app.models.enums import ConsentPurpose, PartnerKind, ReferralStatus
from app.services import beneficiaries, consent, partners, referrals
from app.services.context import ServiceContext
from app.settings import Settings
from app.store.profile import Profile
from app.views.app_state import AppState
from app.views.casefile.referrals import ReferDialog, ReferralsSection, ReferralStatusDialog

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
    assert "Identity and consent" in dialog.error.text()
    assert dialog.go_to_consent.isVisible()
    assert referrals.list_for_beneficiary(ctx, person.id) == []
    assert section.stack.currentWidget() is section.empty


def test_go_to_consent_brings_the_identity_tab_forward(
    qtbot: QtBot, profile: Profile, ctx: ServiceContext, person: Beneficiary, anapec: Partner
) -> None:
    class CaseFile(QTabWidget):
        """Stands in for the case file view: tabs and ``show_section``."""

        def show_section(self, key: str) -> None:
            self.setCurrentIndex(0 if key == "identity" else 1)

    case_file = CaseFile()
    qtbot.addWidget(case_file)
    case_file.addTab(QTabWidget(), "identity")
    section = ReferralsSection(AppState(profile, ctx, Settings()), person.id)
    case_file.addTab(section, "referrals")
    case_file.setCurrentIndex(1)
    case_file.show()
    dialog = section.refer()
    assert isinstance(dialog, ReferDialog)
    _fill(qtbot, dialog, anapec)
    dialog.accept()
    qtbot.mouseClick(dialog.go_to_consent, Qt.MouseButton.LeftButton)
    assert case_file.currentIndex() == 0


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
