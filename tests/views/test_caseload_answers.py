"""The caseload model's answers: the first rows come before the count, and an answer
overtaken by the next keystroke never reaches the screen (rows or count)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QThreadPool
from pytestqt.qtbot import QtBot

from app.demo import fill_profile
from app.services import caseload
from app.services.caseload import CaseloadFilter
from app.services.context import ServiceContext
from app.store.profile import Profile
from app.views.caseload_model import PAGE_SIZE, CaseloadModel, search_pool


@pytest.fixture(autouse=True)
def _no_query_outlives_the_profile(profile: Profile) -> Iterator[None]:
    yield
    search_pool().waitForDone()
    QThreadPool.globalInstance().waitForDone()


@pytest.fixture
def crowded(profile: Profile, ctx: ServiceContext) -> ServiceContext:
    fill_profile(profile, beneficiaries=3 * PAGE_SIZE, seed=4, today=ctx.today())
    return ctx


def _names(model: CaseloadModel) -> list[str]:
    rows = [model.row_data(row) for row in range(model.rowCount())]
    return [row.last_name if row else "?" for row in rows]


def test_a_full_first_page_is_shown_before_its_count(qtbot: QtBot, crowded: ServiceContext) -> None:
    total = caseload.count(crowded, CaseloadFilter())
    assert total > PAGE_SIZE
    heard: list[tuple[str, int, int, bool]] = []
    model = CaseloadModel(crowded, CaseloadFilter())
    model.first_page.connect(
        lambda count: heard.append(("first", count, model.rowCount(), model.busy))
    )
    model.loaded.connect(
        lambda count: heard.append(("loaded", count, model.rowCount(), model.busy))
    )
    qtbot.waitUntil(lambda: not model.busy, timeout=10_000)
    # The first rows while the count is still on its way, then every row.
    assert heard == [("first", PAGE_SIZE, PAGE_SIZE, True), ("loaded", total, total, False)]
    expected = caseload.page(crowded, CaseloadFilter(), offset=0, limit=PAGE_SIZE)
    assert [model.row_data(row) for row in range(PAGE_SIZE)] == expected


def test_a_short_answer_needs_no_count(qtbot: QtBot, crowded: ServiceContext) -> None:
    model = CaseloadModel(crowded, CaseloadFilter())
    qtbot.waitUntil(lambda: not model.busy, timeout=10_000)
    wanted = caseload.page(crowded, CaseloadFilter(), offset=0, limit=1)[0].last_name
    heard: list[str] = []
    model.first_page.connect(lambda _count: heard.append("first"))
    model.loaded.connect(lambda _count: heard.append("loaded"))
    with qtbot.waitSignal(model.loaded, timeout=10_000):
        model.setFilter(CaseloadFilter(query=wanted))
    assert heard == ["first", "loaded"]  # at once: a page that is not full is every row
    assert 0 < model.rowCount() < PAGE_SIZE
    assert model.rowCount() == caseload.count(crowded, CaseloadFilter(query=wanted))


def test_an_overtaken_answer_never_reaches_the_screen(
    qtbot: QtBot, crowded: ServiceContext
) -> None:
    model = CaseloadModel(crowded, CaseloadFilter(query="zzzz"))
    qtbot.waitUntil(lambda: not model.busy, timeout=10_000)
    wanted = caseload.page(crowded, CaseloadFilter(), offset=0, limit=1)[0].last_name
    expected = [row.last_name for row in caseload.page(crowded, CaseloadFilter(query=wanted))]
    seen: list[list[str]] = []

    def keystroke(_count: int) -> None:  # every case's first rows are in, its count not
        model.first_page.disconnect(keystroke)
        model.setFilter(CaseloadFilter(query=wanted))
        model.first_page.connect(lambda _count: seen.append(_names(model)))
        model.loaded.connect(lambda _count: seen.append(_names(model)))

    model.first_page.connect(keystroke)
    for _ in range(3):  # queued and overtaken before they run
        model.setFilter(CaseloadFilter(query="zzzz"))
        model.setFilter(CaseloadFilter(query=wanted[:2]))
    model.setFilter(CaseloadFilter())  # a full page, then a count
    qtbot.waitUntil(lambda: len(seen) == 2 and not model.busy, timeout=10_000)
    search_pool().waitForDone()  # an overtaken count, had it run, is back by now
    qtbot.wait(20)
    assert seen == [expected, expected]
    assert _names(model) == expected
