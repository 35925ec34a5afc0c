"""``GET /health``: the process answers and its database too (no protocol header)."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import text

from server.api.deps import SessionDep
from server.api.schemas import HealthResponse
from server.core.db import read_transaction

router = APIRouter(tags=["health"])


@router.get("/health", response_model=HealthResponse)
def health(session: SessionDep) -> HealthResponse:
    with read_transaction(session):
        session.execute(text("SELECT 1"))
    return HealthResponse()
