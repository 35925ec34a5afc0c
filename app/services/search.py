"""Full-text search of beneficiaries by names (Latin and Arabic), CIN and registration number."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import text

from app.services.context import ServiceContext
from app.store.textfold import fold_tokens

_QUERY = text(
    """
    SELECT b.id, b.last_name, b.first_name, b.last_name_ar, b.first_name_ar, b.cin,
           b.registration_number
    FROM beneficiary_search AS s
    JOIN beneficiary_search_map AS m ON m.docid = s.rowid
    JOIN beneficiary AS b ON b.id = m.beneficiary_id
    WHERE beneficiary_search MATCH :match AND b.deleted_at IS NULL
    ORDER BY s.rank
    LIMIT :limit
    """
)


@dataclass(frozen=True)
class SearchHit:
    beneficiary_id: uuid.UUID
    last_name: str
    first_name: str
    last_name_ar: str | None
    first_name_ar: str | None
    cin: str | None
    registration_number: str | None


def match_expression(query: str) -> str | None:
    """Every word must match as a prefix; FTS syntax in the input is neutralised."""
    tokens = fold_tokens(query)
    if not tokens:
        return None
    return " ".join(f'"{token}"*' for token in tokens)


def search(ctx: ServiceContext, query: str, limit: int = 50) -> list[SearchHit]:
    expression = match_expression(query)
    if expression is None:
        return []
    with ctx.reading() as session:
        rows = session.execute(_QUERY, {"match": expression, "limit": limit}).all()
    return [
        SearchHit(uuid.UUID(hex=row[0]), row[1], row[2], row[3], row[4], row[5], row[6])
        for row in rows
    ]
