"""``server.asgi:app``: the application factory uvicorn workers import (``--factory``).

Settings come from the ``PASSERELLE_SERVER_*`` variables that ``passerelle-server
serve`` exports before starting the workers.
"""

from __future__ import annotations

from fastapi import FastAPI

from server.api.app import create_app
from server.core.settings import ServerSettings


def app() -> FastAPI:
    return create_app(ServerSettings())
