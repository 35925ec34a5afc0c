"""Checks every request passes before any route: rate, protocol version, size, a last net.

Pure ASGI (no ``BaseHTTPMiddleware``) so bodies are never buffered twice. The access
log names method, path and status only: no query string, no body, no address. Every
response carries security headers: nothing is cached (``no-store``: replies hold case
data and tokens), nothing is sniffed or framed, and HSTS is sent over TLS.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from passerelle_core.protocol import PROTOCOL_HEADER
from passerelle_core.records import SCHEMA_HEADER, SCHEMA_VERSION
from server.api.errors import error_response, internal_error_response
from server.api.ratelimit import RateLimiter
from server.core.settings import ServerSettings

logger = logging.getLogger("passerelle.server")
access_logger = logging.getLogger("passerelle.server.access")
API_PREFIX = "/api/v1/"
HEADER_KEY = PROTOCOL_HEADER.lower().encode("latin-1")
VERSION_PATTERN = re.compile(r"^\d{1,6}$")
BODY_METHODS = {"POST", "PUT", "PATCH"}
SECURITY_HEADERS: list[tuple[bytes, bytes]] = [
    (b"x-content-type-options", b"nosniff"),
    (b"cache-control", b"no-store"),
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-resource-policy", b"same-origin"),
]
HSTS = (b"strict-transport-security", b"max-age=31536000")
SCHEMA = (SCHEMA_HEADER.lower().encode("latin-1"), str(SCHEMA_VERSION).encode("latin-1"))
"""Every answer states the schema version this server knows: older laptops ask for an
update (docs/sync-protocol.md, "Versions that differ")."""


class GuardMiddleware:
    def __init__(self, app: ASGIApp, settings: ServerSettings) -> None:
        self.app = app
        self.settings = settings
        self.limiter = RateLimiter(settings.rate_limit_per_minute, settings.rate_limit_burst)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.monotonic()
        status: dict[str, int] = {"code": 0}
        extra_headers = SECURITY_HEADERS + ([HSTS] if self._is_tls(scope) else []) + [SCHEMA]

        async def send_logged(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = int(message["status"])
                names = {name.lower() for name, _value in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    header for header in extra_headers if header[0] not in names
                ]
            await send(message)

        try:
            await self._guarded(scope, receive, send_logged)
        except Exception as error:  # the last net: log the kind of error, never the data
            logger.error(
                "unhandled %s on %s %s", type(error).__name__, scope["method"], scope["path"]
            )
            if status["code"] == 0:
                await internal_error_response()(scope, receive, send_logged)
        finally:
            access_logger.info(
                "%s %s %d %.0fms",
                scope["method"],
                scope["path"],
                status["code"],
                (time.monotonic() - started) * 1000,
            )

    def _is_tls(self, scope: Scope) -> bool:
        return scope.get("scheme") == "https" or self.settings.tls_cert is not None

    async def _guarded(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = scope.get("client")
        wait = self.limiter.retry_after(str(client[0]) if client else "unknown")
        if wait is not None:
            throttled = error_response(
                429, "throttled", "too many requests: slow down", {"Retry-After": str(wait)}
            )
            await throttled(scope, receive, send)
            return
        if scope["path"].startswith(API_PREFIX):
            refusal = self._protocol_refusal(scope)
            if refusal is not None:
                await refusal(scope, receive, send)
                return
        if scope["method"] in BODY_METHODS:
            limit = self.settings.max_request_bytes
            body = None if _declared_length(scope) > limit else await _read_body(receive, limit)
            if body is None:
                too_large = error_response(
                    413, "invalid_request", f"request larger than {limit} bytes"
                )
                await too_large(scope, receive, send)
                return
            receive = _replay(body, receive)
        await self.app(scope, receive, send)

    def _protocol_refusal(
        self, scope: Scope
    ) -> Callable[[Scope, Receive, Send], Awaitable[None]] | None:
        values = [v for k, v in scope["headers"] if k == HEADER_KEY]
        raw = values[0].decode("latin-1").strip() if len(values) == 1 else ""
        if not VERSION_PATTERN.match(raw):
            return error_response(
                400, "invalid_request", f"missing or malformed {PROTOCOL_HEADER} header"
            )
        version = int(raw)
        if version < self.settings.min_protocol_version:
            return error_response(
                426,
                "client_too_old",
                f"protocol {version} is no longer supported: update Passerelle "
                f"(this server speaks {self.settings.min_protocol_version} to "
                f"{self.settings.max_protocol_version})",
            )
        if version > self.settings.max_protocol_version:
            return error_response(
                400,
                "invalid_request",
                f"protocol {version} is newer than this server "
                f"(at most {self.settings.max_protocol_version})",
            )
        return None


def _declared_length(scope: Scope) -> int:
    for key, value in scope["headers"]:
        if key == b"content-length":
            try:
                return int(value)
            except ValueError:
                return 0
    return 0


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    """The whole body, or None as soon as it exceeds ``limit`` bytes."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> MutableMapping[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
