"""Record counts per table, for support and for the ``stats`` command."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, inspect, select

from app.models import SYNCED_MODELS
from app.services.context import ServiceContext
from app.store.live import everything


@dataclass(frozen=True)
class TableCount:
    table: str
    live: int
    deleted: int


def record_counts(ctx: ServiceContext) -> list[TableCount]:
    counts = []
    with ctx.reading() as session:
        for model in SYNCED_MODELS:
            deleted = func.coalesce(func.sum(case((model.deleted_at.is_not(None), 1), else_=0)), 0)
            query = everything(select(func.count(), deleted).select_from(model))
            total, removed = session.execute(query).one()
            table_name = inspect(model).local_table.name
            counts.append(TableCount(table_name, total - removed, removed))
    return counts
