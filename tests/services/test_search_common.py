"""A word that matches many people is paged by walking the names; an identifier's plan
never reads the "did you mean" vocabulary (speed is measured in bench/ui.py)."""

from __future__ import annotations

import pytest

from app.services import beneficiaries, caseload, search
from app.services.caseload import CaseloadFilter
from app.services.context import ServiceContext

FEW = 3
"""Matches from which a word counts as common in these tests (INFIX_BELOW lowered)."""


def _register(ctx: ServiceContext, last: str, first: str, **fields: str) -> None:
    beneficiaries.register(ctx, {"last_name": last, "first_name": first, **fields})


@pytest.fixture
def bens(ctx: ServiceContext) -> ServiceContext:
    for last, first in (
        ("Benjelloun", "Omar"),
        ("Bennani", "Karim"),
        ("Benali", "Fatima"),
        ("Alaoui", "Benaissa"),  # the word starts a first name
        ("Bennani", "Aicha"),
        ("Tazi", "Rachid"),  # no match
        ("Benkirane", "Said"),
    ):
        _register(ctx, last, first)
    gone = search.search(ctx, "benkirane")[0].beneficiary_id
    beneficiaries.delete(ctx, gone)  # deleted: never listed
    _register(ctx, "Benchekroun", "Nadia")
    closed = search.search(ctx, "benchekroun")[0].beneficiary_id
    beneficiaries.close_case(ctx, closed)  # closed: listed on request only
    return ctx


def _names(ctx: ServiceContext, wanted: CaseloadFilter, **paging: int) -> list[str]:
    return [f"{row.last_name} {row.first_name}" for row in caseload.page(ctx, wanted, **paging)]


def test_a_common_word_lists_the_same_rows_in_name_order(
    bens: ServiceContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    wanted = CaseloadFilter(query="ben")
    with bens.reading() as session:
        assert not search.plan(session, "ben").common  # 5 matches: fewer than INFIX_BELOW
    looked_up = _names(bens, wanted)
    search.PLANS.clear()
    monkeypatch.setattr(search, "INFIX_BELOW", FEW)
    with bens.reading() as session:
        assert search.plan(session, "ben").common
    walked = _names(bens, wanted)
    assert walked == looked_up
    assert walked == [
        "Alaoui Benaissa",
        "Benali Fatima",
        "Benjelloun Omar",
        "Bennani Aicha",
        "Bennani Karim",
    ]
    assert _names(bens, wanted, limit=2) + _names(bens, wanted, offset=2, limit=3) == walked
    assert _names(bens, wanted, limit=2) == walked[:2]
    everyone = CaseloadFilter(query="ben", include_closed=True)
    assert "Benchekroun Nadia" in _names(bens, everyone)
    assert caseload.count(bens, wanted) == len(walked)
    assert _names(bens, wanted, descending=True) == walked[::-1]


def test_an_identifier_is_planned_without_the_vocabulary(ctx: ServiceContext) -> None:
    _register(ctx, "Bennani", "Karim", cin="EE763412")
    search.VOCABULARY._cache.clear()
    with ctx.reading() as session:
        found = search.plan(session, "EE763")
    assert found is not None
    assert (found.fuzzy, found.suggestion) == (None, None)
    assert search.VOCABULARY._cache == {}  # the index's words were not read
    assert [hit.last_name for hit in search.search(ctx, "EE763")] == ["Bennani"]
    assert search.suggestion(ctx, "bennanni") == "bennani"  # words are still corrected
