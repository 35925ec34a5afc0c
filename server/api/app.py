"""``create_app(settings)``: the FastAPI application, its database built here, not at import."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from server.api.errors import install_error_handlers
from server.api.middleware import GuardMiddleware
from server.api.routes import accounts, audit, documents, health, security, sync
from server.core.db import Database
from server.core.settings import ServerSettings
from server.services.passwords import Passwords


def create_app(settings: ServerSettings) -> FastAPI:
    database = Database(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        database.dispose()

    app = FastAPI(
        title="Passerelle sync server",
        version="1",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.database = database
    app.state.passwords = Passwords.from_settings(settings)
    install_error_handlers(app)
    app.add_middleware(GuardMiddleware, settings=settings)
    # Routes are matched in order: the sync routes, nearly every request, come first.
    app.include_router(sync.router)
    app.include_router(health.router)
    app.include_router(accounts.router)
    app.include_router(security.router)
    app.include_router(audit.router)
    app.include_router(documents.router)
    return app
