"""The caseload: every beneficiary as one row, filtered and sorted in SQL, a page at a time.

A profile may hold 50,000 beneficiaries, so screens never load them all: they ask for
``count`` and then for the ``page`` of rows they show. Sorting happens in SQL, always
ending with the beneficiary id so that pages never overlap nor skip a row.

"The current plan" of a beneficiary is the latest plan that is neither closed nor
deleted (the plans service keeps at most one open, but sync may briefly bring two).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Any, Literal, TypeVar

from sqlalchemy import (
    ColumnElement,
    FromClause,
    ScalarSelect,
    Select,
    SQLColumnExpression,
    and_,
    case,
    column,
    func,
    literal_column,
    select,
    table,
    union,
)
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.expression import UnaryExpression
from sqlalchemy.sql.operators import custom_op

from app.models import ActionPlan, Beneficiary, Facility, StaffMember
from app.services import search
from app.services.context import ServiceContext
from app.services.search import SearchPlan
from passerelle_core.enums import CaseStatus, LegalStatus, PlanStatus

_AnySelect = TypeVar("_AnySelect", bound=Select[*tuple[Any, ...]])
NoPlan = Literal["none"]
NO_PLAN: NoPlan = "none"
REVERSE_FROM = 2_000
ROWS_CHUNK = 500  # ids per IN (...) list: far below SQLite's bound-parameter limit
"""From this offset on, a page past the middle of the list is read from its end."""
REVIEWED_STATUSES = (PlanStatus.ACTIVE, PlanStatus.UNDER_REVIEW)


@dataclass(frozen=True)
class CaseloadFilter:
    """What the caseload screen narrows the list by; the default is every open case."""

    query: str = ""
    facility_id: uuid.UUID | None = None
    legal_status: LegalStatus | None = None
    assigned_staff_id: uuid.UUID | None = None
    plan_status: PlanStatus | NoPlan | None = None  # NO_PLAN: no current plan at all
    release_within_days: int | None = None
    review_overdue: bool = False
    include_closed: bool = False


@dataclass(frozen=True)
class CaseloadRow:
    beneficiary_id: uuid.UUID
    last_name: str
    first_name: str
    last_name_ar: str | None
    first_name_ar: str | None
    cin: str | None
    registration_number: str | None
    facility_name: str | None
    legal_status: LegalStatus
    expected_release_date: date | None
    assigned_staff_name: str | None
    plan_status: PlanStatus | None
    review_date: date | None

    def review_overdue(self, today: date) -> bool:
        """The current plan is being followed and its review date has passed."""
        return (
            self.plan_status in REVIEWED_STATUSES
            and self.review_date is not None
            and self.review_date < today
        )


@dataclass(frozen=True)
class Choice:
    id: uuid.UUID
    name: str


@dataclass(frozen=True)
class FilterChoices:
    facilities: list[Choice]
    staff: list[Choice]


_B = Beneficiary
_P = aliased(ActionPlan, name="plan")
_search_map = table("beneficiary_search_map", column("docid"), column("beneficiary_id"))


def _of_current_plan(value: SQLColumnExpression[Any]) -> ScalarSelect[Any]:
    """``value`` read from each beneficiary's current plan (NULL without one).

    One seek in ix_action_plan_current per row, which covers every column read here.
    """
    return (
        select(value)
        .where(
            _P.beneficiary_id == _B.id,
            _P.status != PlanStatus.CLOSED,
        )
        .order_by(_P.created_at.desc())
        .limit(1)
        .correlate(_B)
        .scalar_subquery()
    )


_PLAN_STATUS = _of_current_plan(_P.status)
_REVIEW_DATE = _of_current_plan(_P.review_date)
_LEGAL_ORDER = case(
    {status: position for position, status in enumerate(LegalStatus)}, value=_B.legal_status
)
# No plan sorts before a draft: the lifecycle order, starting from nothing.
_PLAN_ORDER = case(
    {status: position for position, status in enumerate(PlanStatus)},
    value=_PLAN_STATUS,
    else_=-1,
)
# Each sort key: its expression, whether blanks go last in both directions, the join it needs.
_SORTS: dict[str, tuple[SQLColumnExpression[Any], bool, type[Any] | None]] = {
    "name": (_B.last_name, False, None),
    "name_ar": (_B.last_name_ar, True, None),
    "cin": (_B.cin, True, None),
    "registration": (_B.registration_number, True, None),
    "facility": (Facility.name, True, Facility),
    "legal_status": (_LEGAL_ORDER, False, None),
    "release": (_B.expected_release_date, True, None),
    "staff": (StaffMember.full_name, True, StaffMember),
    "plan_status": (_PLAN_ORDER, False, None),
    "review": (_REVIEW_DATE, True, None),
}
SORT_KEYS: tuple[str, ...] = tuple(_SORTS)


def count(ctx: ServiceContext, filter: CaseloadFilter) -> int:
    """How many beneficiaries match the filter."""
    with ctx.reading() as session:
        query = _where(select(func.count()).select_from(_B), ctx, filter, _plan(session, filter))
        if query is None:
            return 0
        return session.scalar(query) or 0


def page(
    ctx: ServiceContext,
    filter: CaseloadFilter,
    *,
    sort: str = "name",
    descending: bool = False,
    offset: int = 0,
    limit: int = 200,
    total: int | None = None,
) -> list[CaseloadRow]:
    """Rows ``offset`` to ``offset + limit`` of the caseload in the given order.

    Two steps: the ids of the page, sorted on the narrowest rows possible, then the
    displayed columns of those ids only (joins and plan look-ups for 200 rows, not 50,000).
    A sort that is not an index walk costs with the depth of the page, so a page past
    the middle is read from the other end, reversed (``total``, the count, saves a query).
    """
    if sort not in _SORTS:
        raise ValueError(f"unknown sort key: {sort!r}")
    key, blanks_last, joined = _SORTS[sort]
    source: FromClause = _B.__table__
    if joined is not None:
        source = source.outerjoin(joined, joined.id == _sort_foreign_key(joined))
    offset = max(offset, 0)
    # A name sort is reversed whole; other keys keep their ties in name order.
    ties = (_B.first_name, _B.id) if sort == "name" else (_B.last_name, _B.first_name, _B.id)
    ties_down = descending and sort == "name"
    with ctx.reading() as session:
        found = _plan(session, filter)
        walk = sort == "name" and found is not None and found.common
        query = _where(select(_B.id).select_from(source), ctx, filter, found, walk_names=walk)
        if query is None or limit <= 0:
            return []
        tiered = found is not None and len(search.tier_queries(found)) > 1
        backwards = False
        if sort != "name" and offset >= REVERSE_FROM and not tiered:  # a name sort walks its index
            if total is None:
                total = count(ctx, filter)
            limit = max(min(limit, total - offset), 0)
            backwards = offset + limit / 2 > total / 2
            if backwards:
                offset = total - offset - limit
        down = descending != backwards
        primary = key.desc() if down else key.asc()
        if blanks_last:
            primary = primary.nulls_first() if backwards else primary.nulls_last()
        ties_turned = ties_down != backwards
        order = [primary, *(tie.desc() if ties_turned else tie.asc() for tie in ties)]
        if tiered and found is not None:  # exact hits first, then infixes, then typos
            order.insert(0, _tier(found).asc())
        ids = list(session.scalars(query.order_by(*order).offset(offset).limit(limit)))
        if not ids:
            return []
        rows = session.execute(_display_query().where(_B.id.in_(ids))).all()
    if backwards:
        ids.reverse()
    by_id = {row[0]: CaseloadRow(*row) for row in rows}
    return [by_id[beneficiary_id] for beneficiary_id in ids if beneficiary_id in by_id]


def filter_choices(ctx: ServiceContext) -> FilterChoices:
    """Facilities and active staff members by name, for the filter combo boxes."""
    with ctx.reading() as session:
        facilities = session.execute(
            select(Facility.id, Facility.name).order_by(Facility.name)
        ).all()
        staff = session.execute(
            select(StaffMember.id, StaffMember.full_name)
            .where(StaffMember.active.is_(True))
            .order_by(StaffMember.full_name)
        ).all()
    return FilterChoices(
        facilities=[Choice(row[0], row[1]) for row in facilities],
        staff=[Choice(row[0], row[1]) for row in staff],
    )


def _sort_foreign_key(joined: type[Any]) -> SQLColumnExpression[Any]:
    return _B.facility_id if joined is Facility else _B.assigned_staff_id


@cache
def _display_query() -> Select[*tuple[Any, ...]]:
    """Built once: statements are immutable (``where`` makes a new one), and building
    this one cost every keystroke's page ~0.5 ms of Python."""
    source = _B.__table__.outerjoin(Facility, Facility.id == _B.facility_id).outerjoin(
        StaffMember, StaffMember.id == _B.assigned_staff_id
    )
    return select(
        _B.id,
        _B.last_name,
        _B.first_name,
        _B.last_name_ar,
        _B.first_name_ar,
        _B.cin,
        _B.registration_number,
        Facility.name,
        _B.legal_status,
        _B.expected_release_date,
        StaffMember.full_name,
        _PLAN_STATUS,
        _REVIEW_DATE,
    ).select_from(source)


def _plan(session: Session, f: CaseloadFilter) -> SearchPlan | None:
    return search.plan(session, f.query) if f.query.strip() else None


def _matching(table_name: str, expression: str) -> Select[tuple[Any]]:
    """Ids of the beneficiaries whose row of the FTS table ``table_name`` matches."""
    fts = table(table_name, column("rowid"))
    return (
        select(_search_map.c.beneficiary_id)
        .join(fts, fts.c.rowid == _search_map.c.docid)
        .where(literal_column(table_name).match(expression))
    )


def _tier(found: SearchPlan) -> SQLColumnExpression[Any]:
    """0 for an exact hit, 1 for an infix, 2 for a typo: the search tiers as a sort key."""
    tiers = search.tier_queries(found)
    return case(
        *((_B.id.in_(_matching(name, expression)), tier) for tier, name, expression in tiers[:-1]),
        else_=tiers[-1][0],
    )


def _unindexed(value: ColumnElement[Any]) -> ColumnElement[Any]:
    """``+value``: the same value, which SQLite no longer looks up through an index."""
    return UnaryExpression(value, operator=custom_op("+"), type_=value.type)


def _where(
    query: _AnySelect,
    ctx: ServiceContext,
    f: CaseloadFilter,
    found: SearchPlan | None,
    *,
    walk_names: bool = False,
) -> _AnySelect | None:
    """The filter as WHERE clauses; None when the text query can match nothing (live
    files only, as every query: app.store.live).

    ``walk_names``: the matches are many and wanted in name order, so SQLite is kept
    from looking each of them up by id (``+id``, a hint that never fails, unlike INDEXED
    BY while an initial sync has set the indexes aside): it walks the name index and
    stops at the page's end (a 3-letter word's first page read 5 times fewer pages)."""
    if not f.include_closed:
        query = query.where(_B.case_status == CaseStatus.OPEN)
    if f.query.strip():
        if found is None:
            return None
        tiers = [
            _matching(name, expression) for _tier, name, expression in search.tier_queries(found)
        ]
        matching = tiers[0] if len(tiers) == 1 else union(*tiers)
        key = _unindexed(_B.__table__.c.id) if walk_names else _B.id
        query = query.where(key.in_(matching))
    if f.facility_id is not None:
        query = query.where(_B.facility_id == f.facility_id)
    if f.legal_status is not None:
        query = query.where(_B.legal_status == f.legal_status)
    if f.assigned_staff_id is not None:
        query = query.where(_B.assigned_staff_id == f.assigned_staff_id)
    if f.plan_status == NO_PLAN:
        query = query.where(_PLAN_STATUS.is_(None))
    elif f.plan_status is not None:
        query = query.where(_PLAN_STATUS == f.plan_status)
    today = ctx.today()
    if f.release_within_days is not None:
        last_day = today + timedelta(days=max(f.release_within_days, 0))
        query = query.where(_B.expected_release_date.between(today, last_day))
    if f.review_overdue:
        overdue = and_(_P.status.in_(REVIEWED_STATUSES), _P.review_date < today)
        query = query.where(_of_current_plan(case((overdue, 1), else_=0)) == 1)
    return query


def rows_for(ctx: ServiceContext, beneficiary_ids: Sequence[uuid.UUID]) -> list[CaseloadRow]:
    """The caseload rows of these beneficiaries, in the order given (a figure's cases)."""
    by_id: dict[uuid.UUID, CaseloadRow] = {}
    with ctx.reading() as session:
        for start in range(0, len(beneficiary_ids), ROWS_CHUNK):
            chunk = beneficiary_ids[start : start + ROWS_CHUNK]
            for row in session.execute(_display_query().where(_B.id.in_(chunk))):
                by_id[row[0]] = CaseloadRow(*row)
    return [by_id[i] for i in beneficiary_ids if i in by_id]
