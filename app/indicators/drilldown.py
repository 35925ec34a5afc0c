"""The cases behind a figure: the dashboard's "click a number, see who it counts".

The beneficiaries listed are exactly those whose rows the figure counts (same query,
``app.indicators.figures``), narrowed to one breakdown cell with ``key``/``key2``.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import false, select

from app.indicators import figures
from app.indicators.figures import Figure
from app.indicators.period import Period, Scope
from app.models import Beneficiary
from app.services.context import ServiceContext


def case_ids(
    ctx: ServiceContext,
    figure: Figure,
    period: Period,
    scope: Scope | None = None,
    *,
    key: Any = None,
    key2: Any = None,
) -> list[uuid.UUID]:
    """Ids of the beneficiaries counted by ``figure``, by name (last, first).

    ``key``/``key2`` select one breakdown cell (a domain, a plan status, a partner and a
    referral status...), as documented on each figure; ValueError for a figure without
    that breakdown. Psychologist-only sessions are left out for other roles, so the list
    never reveals that such a session exists.
    """
    rows = figures.ROWS[figure](period, scope or Scope()).subquery()
    where = []
    for name, value in (("key", key), ("key2", key2)):
        if value is None:
            continue
        if name not in rows.c:
            raise ValueError(f"figure {figure.value!r} has no {name}")
        where.append(rows.c[name] == value)
    if "restricted" in rows.c and not ctx.actor.is_psychologist:
        where.append(rows.c.restricted == false())
    counted = select(rows.c.beneficiary_id).where(*where)
    B = Beneficiary
    query = select(B.id).where(B.id.in_(counted)).order_by(B.last_name, B.first_name, B.id)
    with ctx.reading() as session:
        return list(session.scalars(query))
