"""The interface keeps number runs whole in Arabic and names the person in their gender.

Number runs (a phone "06 40 93 56 53", the law "09-08", CIN, registration and referral
numbers, dates) are isolated on real widgets of the Arabic interface, and the glyphs
Qt lays out for them are read back left to right: the digit groups keep their order.
The legal status and the sentences about the person agree with the recorded sex, in
French and in Arabic, as on the printed documents.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QLocale, Qt, QThreadPool
from PySide6.QtGui import QFont, QTextDocument, QTextLayout, QTextOption
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox
from pytestqt.qtbot import QtBot

from app.bidi_runs import LRI, PDI
from app.services import beneficiaries, consent, partners
from app.services.context import ServiceContext
from app.settings import Settings
from app.store.profile import Profile
from app.views.app_state import AppState
from app.views.bidi import shown
from app.views.casefile import CaseFileView
from app.views.casefile.consent_panel import ReleaseDialog
from app.views.casefile.identity import IdentitySection
from app.views.casefile.referrals import ReferDialog
from app.views.caseload import CaseloadPage
from app.views.caseload_model import COLUMNS, PreparedTextDelegate
from app.views.language import apply_language
from app.views.partners import PartnersPage
from app.views.record_forms import MessageBanner
from app.views.workspace import Workspace
from passerelle_core.enums import ConsentPurpose, PartnerKind, Sex

PHONE = "06 40 93 56 53"
F = QTextLayout.GlyphRunRetrievalFlag
RETRIEVE = F.RetrieveGlyphIndexes | F.RetrieveGlyphPositions | F.RetrieveStringIndexes
ONE_FONT = "DejaVu Sans"


@pytest.fixture
def arabic(qapp: QApplication) -> Iterator[None]:
    apply_language(qapp, "ar")
    yield
    QThreadPool.globalInstance().waitForDone()
    apply_language(qapp, "en")


@pytest.fixture
def state(profile: Profile, ctx: ServiceContext) -> AppState:
    return AppState(profile, ctx, Settings())


def _register(ctx: ServiceContext, sex: Sex | None, **more: str) -> uuid.UUID:
    data = {
        "last_name": "El Idrissi",
        "first_name": "Hind" if sex is Sex.FEMALE else "Karim",
        "last_name_ar": "الإدريسي",
        "legal_status": "sentenced",
        **more,
    }
    if sex is not None:
        data["sex"] = sex.value
    return beneficiaries.register(ctx, data).id


# -- reading the visual order back -------------------------------------------------------


def _reads(text: str, run: str, direction: Qt.LayoutDirection) -> str:
    """The characters of ``run`` (found in ``text``) in the left-to-right order of the
    glyphs Qt lays out for ``text`` on one line in a paragraph of ``direction``.

    Laid out in one font with Latin, Arabic and digits (the order does not depend on the
    font): the string indexes Qt gives the glyphs of a fallback font's run are off."""
    layout = QTextLayout(text, QFont(ONE_FONT))
    option = QTextOption()
    option.setTextDirection(direction)
    layout.setTextOption(option)
    layout.beginLayout()
    layout.createLine().setLineWidth(100_000)
    layout.endLayout()
    placed = sorted(
        (position.x(), index)
        for glyphs in layout.glyphRuns(-1, -1, RETRIEVE)
        for position, index in zip(glyphs.positions(), glyphs.stringIndexes(), strict=True)
    )
    start = text.index(run)
    return "".join(text[index] for _x, index in placed if start <= index < start + len(run))


def _label_reads(label: QLabel, run: str) -> str:
    """``run`` as a label lays it out: a selectable label in the paragraph direction its
    own document gave the block holding the run, a plain one in its layout direction."""
    document = label.findChild(QTextDocument)
    block = document.firstBlock() if document is not None else None
    while block is not None and block.isValid():
        if run in block.text():
            document.documentLayout().blockBoundingRect(block)  # type: ignore[union-attr]
            return _reads(block.text(), run, block.layout().textOption().textDirection())
        block = block.next()
    return _reads(label.text(), run, label.layoutDirection())


RTL = Qt.LayoutDirection.RightToLeft


# -- number runs ---------------------------------------------------------------------------


def test_identity_numbers_read_in_order_in_arabic(
    qtbot: QtBot, state: AppState, ctx: ServiceContext, arabic: None
) -> None:
    person_id = _register(
        ctx,
        Sex.FEMALE,
        phone=PHONE,
        contact_phone="05 22 05 44 13",
        cin="AB123456",
        registration_number="2026/0412",
    )
    section = IdentitySection(state, person_id)
    qtbot.addWidget(section)
    section.resize(1100, 700)
    section.show()
    qtbot.waitExposed(section)
    for key, value in (
        ("phone", PHONE),
        ("contact_phone", "05 22 05 44 13"),
        ("cin", "AB123456"),
        ("registration_number", "2026/0412"),
    ):
        display = section.fields[key].display
        assert display.text() == f"{LRI}{value}{PDI}"
        assert _label_reads(display, value) == value
        assert _reads(display.text(), value, RTL) == value  # in a cell too
    # Isolates are for display: the editor holds the value as typed.
    assert section.fields["phone"].editor.text() == PHONE  # type: ignore[attr-defined]
    # Without the isolate, the phone alone in a right-to-left cell reads backwards.
    assert _reads(PHONE, PHONE, RTL) == "53 56 93 40 06"
    assert _reads(shown(PHONE), PHONE, RTL) == PHONE


def test_law_reference_and_phone_inside_arabic_sentences(qtbot: QtBot, arabic: None) -> None:
    banner = MessageBanner()
    qtbot.addWidget(banner)
    banner.show_info("بيانات شخصية يحميها القانون 09-08. الهاتف: 06 40 93 56 53")
    banner.show()
    qtbot.waitExposed(banner)
    assert f"{LRI}09-08{PDI}" in banner.text() and f"{LRI}{PHONE}{PDI}" in banner.text()
    assert _label_reads(banner, "09-08") == "09-08"
    assert _label_reads(banner, PHONE) == PHONE
    # The same sentence left to Qt's bidi alone swaps the groups ("08-09").
    assert _reads("القانون 09-08", "09-08", RTL) == "08-09"


def test_referral_reference_stays_one_token(arabic: None) -> None:
    text = shown("REF-2026-X7K2Q9: مرسل منذ 2026-11-29")
    assert text.startswith(f"{LRI}REF-2026-X7K2Q9{PDI}")  # letters and digits together
    assert shown(text) == text  # twice is once


def test_caseload_and_partner_cells_in_arabic(
    qtbot: QtBot, profile: Profile, state: AppState, ctx: ServiceContext, arabic: None
) -> None:
    _register(ctx, Sex.MALE, cin="AB123456", registration_number="2026/0412")
    partner = partners.create_partner(
        ctx, {"name": "Association Relais", "kind": PartnerKind.NGO, "phone": PHONE}
    )
    partners.add_contact(ctx, partner.id, {"full_name": "Samira Tazi", "phone": "05 22 05 44 13"})
    workspace = Workspace(state)
    qtbot.addWidget(workspace)
    workspace.resize(1300, 800)
    workspace.show()

    caseload = workspace.page("caseload")
    assert isinstance(caseload, CaseloadPage)
    qtbot.waitUntil(lambda: not caseload.model.busy and caseload.model.rowCount() == 1)
    delegate = caseload.table.itemDelegate()
    # The caseload's model isolates the number runs itself; its delegate shows them as is.
    assert isinstance(delegate, PreparedTextDelegate)
    keys = [column.key for column in COLUMNS]
    locale = QLocale(QLocale.Language.Arabic)
    for key, value in (("cin", "AB123456"), ("registration", "2026/0412")):
        cell = delegate.displayText(caseload.model.index(0, keys.index(key)).data(), locale)
        assert f"{LRI}{value}{PDI}" in cell
        assert caseload.table.layoutDirection() == RTL
        assert _reads(cell, value, RTL) == value

    page = workspace.page("partners")
    assert isinstance(page, PartnersPage)
    qtbot.waitUntil(lambda: page.fields["phone"].text() != "")
    assert page.fields["phone"].text() == f"{LRI}{PHONE}{PDI}"
    assert _label_reads(page.fields["phone"], PHONE) == PHONE
    contact = page.contacts.topLevelItem(0)
    assert contact is not None
    cell = page.contacts.itemDelegate().displayText(contact.text(2), locale)
    direction = page.contacts.layoutDirection()
    assert direction == Qt.LayoutDirection.RightToLeft
    assert _reads(cell, "05 22 05 44 13", direction) == "05 22 05 44 13"


def test_case_header_isolates_cin_and_registration(
    qtbot: QtBot, state: AppState, ctx: ServiceContext, arabic: None
) -> None:
    person_id = _register(ctx, Sex.MALE, cin="AB123456", registration_number="2026/0412")
    view = CaseFileView(state, person_id)
    qtbot.addWidget(view)
    header = view.header.text()
    assert f"{LRI}AB123456{PDI}" in header and f"{LRI}2026/0412{PDI}" in header


# -- grammatical gender ----------------------------------------------------------------------

SENTENCED = {
    ("fr", Sex.FEMALE): "Condamnée",
    ("fr", Sex.MALE): "Condamné",
    ("fr", None): "Condamné(e)",
    ("ar", Sex.FEMALE): "محكومة",
    ("ar", Sex.MALE): "محكوم",
    ("ar", None): "محكوم(ة)",
}
RELEASED = {
    ("fr", Sex.FEMALE): "«\u00a0Libérée\u00a0»",
    ("fr", Sex.MALE): "«\u00a0Libéré\u00a0»",
    ("fr", None): "«\u00a0Libéré(e)\u00a0»",
    ("ar", Sex.FEMALE): "«مُفرَج عنها»",
    ("ar", Sex.MALE): "«مُفرَج عنه»",
    ("ar", None): "«مُفرَج عنه(ا)»",
}
WITHDRAWAL = {
    ("fr", Sex.FEMALE): "de la bénéficiaire",
    ("fr", Sex.MALE): "du bénéficiaire",
    ("fr", None): "de la personne",
    ("ar", Sex.FEMALE): "سحب المستفيدة لموافقتها",
    ("ar", Sex.MALE): "سحب المستفيد لموافقته",
    ("ar", None): "سحب الشخص لموافقته",
}
AGREED = {
    ("fr", Sex.FEMALE): "La bénéficiaire a consenti",
    ("fr", Sex.MALE): "Le bénéficiaire a consenti",
    ("fr", None): "La personne a consenti",
    ("ar", Sex.FEMALE): "وافقت المستفيدة",
    ("ar", Sex.MALE): "وافق المستفيد",
    ("ar", None): "وافق الشخص",
}


@pytest.mark.parametrize("language", ["fr", "ar"])
@pytest.mark.parametrize("sex", [Sex.FEMALE, Sex.MALE, None], ids=["woman", "man", "unknown"])
def test_sentences_about_the_person_agree_with_their_sex(
    qtbot: QtBot,
    qapp: QApplication,
    state: AppState,
    ctx: ServiceContext,
    language: str,
    sex: Sex | None,
) -> None:
    apply_language(qapp, language)
    try:
        person_id = _register(ctx, sex)
        consent.record(ctx, person_id, ConsentPurpose.ASSESSMENT)
        section = IdentitySection(state, person_id)
        qtbot.addWidget(section)
        assert section.fields["legal_status"].display.text() == SENTENCED[language, sex]

        release = section.record_release()
        assert release is not None and isinstance(release, ReleaseDialog)
        assert RELEASED[language, sex] in release.intro.text()
        release.reject()

        panel = section.consents
        panel.tree.setCurrentItem(panel.tree.topLevelItem(0))
        box = panel.withdraw_selected()
        assert isinstance(box, QMessageBox)
        assert WITHDRAWAL[language, sex] in box.text()
        box.close()

        partner = partners.create_partner(ctx, {"name": "Relais", "kind": PartnerKind.NGO})
        consent.record(ctx, person_id, ConsentPurpose.PARTNER_SHARING, partner_id=partner.id)
        refer = ReferDialog(state, person_id, [partner])
        qtbot.addWidget(refer)
        refer.partner.select(partner.id)
        assert refer.consent_hint.text().startswith(AGREED[language, sex])
    finally:
        QThreadPool.globalInstance().waitForDone()
        apply_language(qapp, "en")
