"""A counsellor types names the way staff do, in the French and the Arabic interface."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from app import i18n
from app.services import beneficiaries
from app.services.context import ServiceContext
from app.settings import Settings
from app.store.profile import Profile
from app.store.textfold import fold
from app.views.app_state import AppState
from app.views.caseload import CaseloadPage
from tests.services.test_search_variants import CAST, VARIANTS


def _page(qtbot: QtBot, profile: Profile, ctx: ServiceContext) -> CaseloadPage:
    for last, first, last_ar, first_ar in CAST:
        beneficiaries.register(
            ctx,
            {"last_name": last, "first_name": first, "last_name_ar": last_ar,
             "first_name_ar": first_ar},
        )  # fmt: skip
    page = CaseloadPage(AppState(profile, ctx, Settings()))
    qtbot.addWidget(page)
    page.resize(1100, 700)
    page.show()
    qtbot.waitUntil(lambda: not page.model.busy and page.model.rowCount() == len(CAST))
    return page


def _type(qtbot: QtBot, page: CaseloadPage, text: str) -> list[str]:
    with qtbot.waitSignal(page.model.loaded):
        page.search.setText(text)
    rows = [page.model.row_data(row) for row in range(page.model.rowCount())]
    return [fold(row.last_name) for row in rows if row is not None]


def test_forty_variants_find_the_person_in_both_interfaces(
    qtbot: QtBot, profile: Profile, ctx: ServiceContext, language: str
) -> None:
    page = _page(qtbot, profile, ctx)
    missed = []
    for typed, wanted in VARIANTS:
        found = _type(qtbot, page, typed)
        if fold(wanted) not in found[:3]:
            missed.append((typed, found))
    assert missed == []
    assert i18n.current_language() == language


def test_a_typo_offers_the_spelling_the_index_knows(
    qtbot: QtBot, profile: Profile, ctx: ServiceContext, language: str
) -> None:
    page = _page(qtbot, profile, ctx)
    assert _type(qtbot, page, "Zniver") == ["zniber"]  # the typo finds her all the same
    qtbot.waitUntil(page.suggestion.isVisible)
    assert "zniber" in page.suggestion.text()
    expected = i18n._("Did you mean: {suggestion}?").split("{")[0]
    assert page.suggestion.text().startswith(expected) and expected
    with qtbot.waitSignal(page.model.loaded):
        page.suggestion.linkActivated.emit("zniber")
    assert page.search.text() == "zniber"
    qtbot.waitUntil(lambda: not page.suggestion.isVisible())
