"""Every error leaves as an ``ErrorBody`` with the right status: never a traceback.

Messages name what was wrong and where, never echo the submitted values (they may be
personal data or secrets).
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from passerelle_core.protocol import ErrorBody
from server.services.errors import AuthError, ErrorCode, ServiceError

logger = logging.getLogger("passerelle.server")

STATUS_OF: dict[str, int] = {
    "client_too_old": 426,
    "bad_credentials": 401,
    "device_revoked": 401,
    "wipe": 401,
    "account_disabled": 403,
    "forbidden": 403,
    "throttled": 429,
    "invalid_request": 400,
    "not_found": 404,
}
MAX_LISTED_ERRORS = 5


def error_response(
    status: int, code: ErrorCode | str, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    body = ErrorBody.model_validate({"code": code, "message": message, "wipe": code == "wipe"})
    return JSONResponse(body.model_dump(mode="json"), status_code=status, headers=headers)


def unavailable_response() -> JSONResponse:
    """503 for a database that is down or busy: a transient failure, retried by clients.

    Not an ``ErrorBody``: the protocol's codes have no word for it; clients treat every
    5xx as "try again later".
    """
    return JSONResponse(
        {"code": "unavailable", "message": "the server's database is unavailable", "wipe": False},
        status_code=503,
        headers={"Retry-After": "5"},
    )


def internal_error_response() -> JSONResponse:
    """500 for a server bug: the body says nothing about it (the log names its kind)."""
    return JSONResponse(
        {"code": "internal_error", "message": "internal server error", "wipe": False},
        status_code=500,
    )


def install_error_handlers(app: FastAPI) -> None:
    async def service_error(_request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, ServiceError)
        headers = None
        if isinstance(error, AuthError) and error.retry_after is not None:
            headers = {"Retry-After": str(error.retry_after)}
        return error_response(STATUS_OF[error.code], error.code, error.message, headers)

    async def validation_error(_request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, RequestValidationError)
        problems = []
        for item in error.errors()[:MAX_LISTED_ERRORS]:
            where = ".".join(str(part) for part in item.get("loc", ()) if part != "body")
            problems.append(f"{where or 'body'}: {item.get('msg', 'invalid')}")
        return error_response(422, "invalid_request", "; ".join(problems) or "invalid request")

    async def http_error(_request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, StarletteHTTPException)
        code = "not_found" if error.status_code == 404 else "invalid_request"
        status = error.status_code if 400 <= error.status_code < 500 else 400
        return error_response(status, code, str(error.detail))

    async def database_error(request: Request, error: Exception) -> JSONResponse:
        logger.error(
            "database unavailable during %s %s: %s",
            request.method,
            request.url.path,
            type(error).__name__,
        )
        return unavailable_response()

    app.add_exception_handler(ServiceError, service_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(OperationalError, database_error)
