"""``Annotated`` dependencies shared by the routes: settings, a session, the caller.

The ones that only read ``app.state`` are ``async``: FastAPI runs a plain ``def``
dependency in its thread pool, a thread hop per dependency per request for nothing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from server.core.db import Database, end_needs_round_trip, end_request_session
from server.core.settings import ServerSettings
from server.services.devices import Caller, authenticate
from server.services.errors import AuthError
from server.services.passwords import Passwords


async def get_settings(request: Request) -> ServerSettings:
    settings: ServerSettings = request.app.state.settings
    return settings


async def get_database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


async def get_session(
    database: Annotated[Database, Depends(get_database)],
) -> AsyncIterator[Session]:
    """The request's session, made and closed on the event loop (two thread hops fewer
    per request, issue 23): neither touches the database, except a close that must roll
    back, sent from a thread."""
    session = database.request_session()
    try:
        yield session
    finally:
        if end_needs_round_trip(session):
            await run_in_threadpool(end_request_session, session)
        else:
            end_request_session(session)


def get_unpinned_session(
    database: Annotated[Database, Depends(get_database)],
) -> Iterator[Session]:
    """A session that takes a connection per transaction only: for a request that does
    slow work between its transactions (the enrolment's Argon2 check), which must not
    hold a pooled connection meanwhile."""
    with database.session() as session:
        yield session


async def get_passwords(request: Request) -> Passwords:
    passwords: Passwords = request.app.state.passwords
    return passwords


SettingsDep = Annotated[ServerSettings, Depends(get_settings)]
DatabaseDep = Annotated[Database, Depends(get_database)]
SessionDep = Annotated[Session, Depends(get_session)]
UnpinnedSessionDep = Annotated[Session, Depends(get_unpinned_session)]
PasswordsDep = Annotated[Passwords, Depends(get_passwords)]


def _bearer(request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthError("a device token is required (Authorization: Bearer ...)", "bad_credentials")
    return token.strip()


def current_device(request: Request, session: SessionDep, settings: SettingsDep) -> Caller:
    return authenticate(
        session,
        _bearer(request),
        pushing=False,
        last_seen_interval=settings.last_seen_interval_seconds,
    )


def pushing_device(request: Request, session: SessionDep, settings: SettingsDep) -> Caller:
    """Like :func:`current_device`, but a device told to wipe may still push."""
    return authenticate(
        session,
        _bearer(request),
        pushing=True,
        last_seen_interval=settings.last_seen_interval_seconds,
        final_push_hours=settings.final_push_hours,
    )


CurrentDevice = Annotated[Caller, Depends(current_device)]
PushingDevice = Annotated[Caller, Depends(pushing_device)]
