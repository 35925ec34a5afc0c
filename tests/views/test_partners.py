"""The partner directory: adding a partner, its contact and service, filtering.

Typed text is ASCII: QTest cannot type accented letters (qasciikey asserts).
"""

from __future__ import annotations

import uuid

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.services import partners
from app.services.context import ServiceContext
from app.services.partners import PartnerEntry
from app.settings import Settings
from app.store.profile import Profile
from app.views.app_state import AppState
from app.views.partner_dialogs import ContactDialog, PartnerDialog, ServiceDialog
from app.views.partners import PartnersPage, matches
from passerelle_core.enums import PartnerKind


def _page(qtbot: QtBot, profile: Profile, ctx: ServiceContext) -> PartnersPage:
    page = PartnersPage(AppState(profile, ctx, Settings()))
    qtbot.addWidget(page)
    page.resize(1100, 700)
    page.show()
    return page


def test_add_partner_contact_and_service_then_filter(
    qtbot: QtBot, profile: Profile, ctx: ServiceContext
) -> None:
    partners.create_partner(ctx, {"name": "Association Relais", "kind": PartnerKind.NGO})
    page = _page(qtbot, profile, ctx)
    assert page.visible_names() == ["Association Relais"]

    qtbot.mouseClick(page.new_button, Qt.MouseButton.LeftButton)
    dialog = page.dialog
    assert isinstance(dialog, PartnerDialog)
    dialog.accept()  # no name: refused inline
    assert dialog.error.isVisible() and "Name" in dialog.error.text()
    qtbot.keyClicks(dialog.name, "OFPPT ISTA Sale")
    dialog.kind.select(PartnerKind.PUBLIC_SERVICE)
    qtbot.keyClicks(dialog.city, "Sale")
    qtbot.keyClicks(dialog.email, "not-an-address")
    dialog.accept()
    assert "This is not an e-mail address." in dialog.error.text()
    dialog.email.clear()
    qtbot.keyClicks(dialog.email, "ista.sale@example.ma")
    dialog.accept()
    assert not dialog.isVisible()
    assert page.visible_names() == ["Association Relais", "OFPPT ISTA Sale"]
    assert page.selected() is not None and page.selected().name == "OFPPT ISTA Sale"
    assert page.fields["kind"].text() == "Public service"

    qtbot.mouseClick(page.contact_button, Qt.MouseButton.LeftButton)
    contact = page.dialog
    assert isinstance(contact, ContactDialog)
    qtbot.keyClicks(contact.full_name, "Nadia Berrada")
    qtbot.keyClicks(contact.phone, "0537 00 00 00")
    contact.accept()
    assert page.contacts.topLevelItem(0).text(0) == "Nadia Berrada"

    qtbot.mouseClick(page.service_button, Qt.MouseButton.LeftButton)
    service = page.dialog
    assert isinstance(service, ServiceDialog)
    qtbot.keyClicks(service.name, "Formation qualifiante")
    service.domain.select("employment")
    service.accept()
    assert page.services.topLevelItem(0).text(0) == "Formation qualifiante"
    assert page.services.topLevelItem(0).text(1) == "Vocational training and employment"

    page.domain.select("employment")
    assert page.visible_names() == ["OFPPT ISTA Sale"]
    page.domain.select("housing")
    assert page.visible_names() == []
    assert page.no_match.isVisible()
    page.domain.select(None)
    page.kind.select(PartnerKind.NGO)
    assert page.visible_names() == ["Association Relais"]
    page.kind.select(None)
    qtbot.keyClicks(page.search, "ista")
    assert page.visible_names() == ["OFPPT ISTA Sale"]


def test_empty_directory_says_what_to_do(
    qtbot: QtBot, profile: Profile, ctx: ServiceContext
) -> None:
    page = _page(qtbot, profile, ctx)
    assert page.stack.currentWidget() is page.empty
    qtbot.mouseClick(page.empty_new_button, Qt.MouseButton.LeftButton)
    dialog = page.dialog
    assert isinstance(dialog, PartnerDialog)
    qtbot.keyClicks(dialog.name, "Fondation Mohammed VI")
    dialog.kind.select(PartnerKind.FOUNDATION)
    dialog.accept()
    assert page.stack.currentIndex() == 1
    assert page.visible_names() == ["Fondation Mohammed VI"]


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("amal", True),
        ("أمل", True),
        ("الامل", True),
        ("sale", True),
        ("el amal", True),
        ("relais", False),
    ],
)
def test_the_directory_filter_folds_like_the_beneficiary_search(typed: str, found: bool) -> None:
    """Accents, Arabic letter variants and the article ignored (the store's folding)."""
    partner = PartnerEntry(
        uuid.uuid4(),
        "Association El Amal",
        "جمعية الأمل",
        PartnerKind.NGO,
        "Salé",
        None,
        None,
        None,
        None,
    )
    assert matches(partner, typed) is found
