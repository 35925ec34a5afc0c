"""The HTTP transport of sync: typed errors for every refusal, connections kept between syncs.

TLS is always verified (the system's authorities, or the organisation's own CA file);
plain HTTP is accepted only on this computer's loopback, where tests and a local
server run. The bearer token is set as a header on the client and never appears in a
URL, a log line or an error message.
"""

from __future__ import annotations

import functools
import ipaddress
import ssl
import threading
import time
import uuid
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import certifi
import httpx
from pydantic import BaseModel, ValidationError

from app.i18n import _
from app.sync.errors import (
    ClientTooOld,
    DeviceRevoked,
    InsecureServer,
    ProtocolError,
    ResponseRefused,
    ServerReplaced,
    ServerUnavailable,
    SyncError,
    Throttled,
    Unauthorized,
    UntrustedServer,
)
from app.sync.records import SCHEMA_HEADER, SCHEMA_VERSION
from passerelle_core.audit_protocol import ACCESS_LOG_ACK_HEADER, AccessLogUpload
from passerelle_core.policy import POLICY_TAG_HEADER
from passerelle_core.protocol import (
    MAX_PULL_LIMIT,
    PROTOCOL_HEADER,
    PROTOCOL_VERSION,
    Change,
    EnrolRequest,
    EnrolResponse,
    ErrorBody,
    PullResponse,
    PushRequest,
    PushResponse,
)
from passerelle_core.push_check import CHECKED_PUSH_PATH, EPOCH_HEADER, REPLACED, RESTORED

CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 60.0
KEEPALIVE_SECONDS = 20.0
"""An idle connection is reused for this long at most: well under the server's keep-alive
(``server.commands.KEEP_ALIVE_SECONDS``), so the laptop never sends a request on a
connection the server is closing at that very moment (the reply would be a reset)."""
RETRIED_METHODS = frozenset({"GET", "PUT"})
"""Sent again once when the connection breaks before the reply: they change nothing twice.
A push (change ids) and an access-log upload (entry hashes) are too; see ``retry``."""
# A reply larger than this is refused unread: a hostile or broken server cannot fill the
# laptop's memory (a full pull page of assessments is a few MiB).
MAX_RESPONSE_BYTES = 64 * 1024 * 1024
# Pages one client pulls at most: a server that answers "more" for ever is refused
# (10 million records at the largest page size).
MAX_PULL_PAGES = 20_000
LOOPBACK_NAMES = frozenset({"localhost"})
PUSH_PATH = "/api/v1/push"
ENROL_PATH = "/api/v1/enrol"
RATE_WAIT_MAX_SECONDS = 30
"""A 429 asking to wait this long or less is waited for and the request sent again: the
server's rate limit refuses before reading anything, so any request may be resent, and a
long pull (hundreds of pages) must slow down, not fail. Never for enrolment, whose 429
counts failed passwords."""
RATE_WAIT_BUDGET_SECONDS = 180
"""At most this much waiting for one client (one sync): then the sync stops, saying so."""
PULL_PATH = "/api/v1/pull"

Reply = TypeVar("Reply", bound=BaseModel)
BROKEN_CONNECTION = (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError)
"""The connection broke under the request (not a timeout, not a refused connection)."""


class ServerWentBack(SyncError):
    """A checked push found the server older than what this laptop has seen (restored
    from an older copy): nothing was merged; everything is to be sent again."""


class CarriedLogUnknown(SyncError):
    """The server predates the pull that carries the access log (404 or 405): nothing was
    stored; the log is sent alone and the pull asked the plain way."""


class PushCheckUnknown(SyncError):
    """The server predates the checked push (404): nothing was merged; ask the old way."""


def check_server_url(url: str) -> str:
    """The URL without a trailing slash; InsecureServer unless https or loopback http."""
    parts = urlsplit(url.strip())
    if parts.scheme == "https" and parts.hostname:
        return url.strip().rstrip("/")
    if parts.scheme == "http" and parts.hostname and _is_loopback(parts.hostname):
        return url.strip().rstrip("/")
    raise InsecureServer()


def _is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@functools.cache
def tls_context(ca_file: str | None) -> ssl.SSLContext:
    """The verifying TLS context for the system's (certifi's) authorities or a CA file.

    Made once per process: loading the authorities takes a quarter of a second, paid
    by every sync otherwise. (A CA file replaced on disk is read at the next start.)
    """
    return ssl.create_default_context(cafile=ca_file or certifi.where())


_SHARED: dict[tuple[str, str | None, float], httpx.Client] = {}
_SHARED_LOCK = threading.Lock()


def shared_http(base_url: str, ca_file: str | None, timeout: float) -> httpx.Client:
    """This process's HTTP client for a server, kept from one sync to the next.

    A sync made within :data:`KEEPALIVE_SECONDS` of the last one reuses its connection:
    no new connection (nor TLS handshake) for the laptop or the server (issue 23, many
    laptops). Nothing secret lives on it: each request carries its own headers, the
    device token among them. httpx's connection pool is safe to share between threads.
    """
    key = (base_url, ca_file, timeout)
    with _SHARED_LOCK:
        client = _SHARED.get(key)
        if client is None or client.is_closed:
            client = _SHARED[key] = httpx.Client(
                base_url=base_url,
                timeout=httpx.Timeout(timeout, connect=CONNECT_TIMEOUT),
                verify=tls_context(ca_file),
                follow_redirects=False,
                limits=httpx.Limits(keepalive_expiry=KEEPALIVE_SECONDS),
            )
        return client


class SyncClient:
    """Calls of the protocol's three endpoints; use as a context manager."""

    def __init__(
        self,
        server_url: str,
        token: str | None = None,
        ca_file: Path | str | None = None,
        protocol_version: int = PROTOCOL_VERSION,
        timeout: float = READ_TIMEOUT,
        *,
        max_response_bytes: int = MAX_RESPONSE_BYTES,
        max_pull_pages: int = MAX_PULL_PAGES,
    ) -> None:
        self.max_response_bytes = max_response_bytes
        self.max_pull_pages = max_pull_pages
        self.pages_pulled = 0
        self.server_schema: int | None = None  # the schema version the server states
        self.policy_tag: str | None = None  # of the caller's policy, stated by a last pull page
        # (cursor, server id) a push must find the server at: set, pushes are checked
        # (passerelle_core.push_check) and raise ServerWentBack, ServerReplaced or
        # PushCheckUnknown instead of being merged by a server that went back.
        self.push_check: tuple[int, uuid.UUID] | None = None
        self._epoch: str | None = None  # X-Passerelle-Epoch of the last answer
        # Set: the access log rides on the next pull request (POST, issue 23), and
        # ``access_log_acked`` is how far the server then holds it (None: not stored).
        self.access_log: AccessLogUpload | None = None
        self.access_log_acked: int | None = None
        self.carrying_path = PULL_PATH  # tests point it where an older server answers 405
        self.rate_waited = 0.0  # seconds waited on the server's rate limit (429)
        self._headers = {
            PROTOCOL_HEADER: str(protocol_version),
            SCHEMA_HEADER: str(SCHEMA_VERSION),
            "Accept": "application/json",
        }
        if token is not None:
            self._headers["Authorization"] = f"Bearer {token}"
        self._http = shared_http(
            check_server_url(server_url), str(ca_file) if ca_file is not None else None, timeout
        )

    def __enter__(self) -> SyncClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Nothing to release: the connections stay with :func:`shared_http` for the next
        sync (idle ones are dropped after :data:`KEEPALIVE_SECONDS`)."""

    def enrol(self, username: str, password: str, device_name: str) -> EnrolResponse:
        body = EnrolRequest(username=username, password=password, device_name=device_name)
        return self.call("POST", ENROL_PATH, EnrolResponse, json=body.model_dump())

    def push(self, changes: list[Change]) -> PushResponse:
        body = PushRequest(changes=changes)
        payload = body.model_dump(mode="json")
        # A resend is answered from the stored results (change ids): safe to repeat.
        return self.call("POST", "/api/v1/push", PushResponse, json=payload, retry=True)

    def pull(self, cursor: int, limit: int = MAX_PULL_LIMIT) -> PullResponse:
        self.pages_pulled += 1
        if self.pages_pulled > self.max_pull_pages:
            raise ResponseRefused(_("the server sent more pages than a sync may take"))
        params = {"cursor": cursor, "limit": limit}
        upload, self.access_log = self.access_log, None
        if upload is None:
            return self.call("GET", PULL_PATH, PullResponse, params=params)
        # A resend is harmless (entries are recognised by their hashes): retried once.
        content = upload.model_dump_json().encode()
        headers = {"Content-Type": "application/json"}
        kwargs = {"params": params, "content": content, "headers": headers}
        response, body = self._exchange("POST", self.carrying_path, True, kwargs)
        if response.status_code in (404, 405):
            raise CarriedLogUnknown()
        return self._reply(response, body, PullResponse)

    def put_bytes(self, path: str, data: bytes, reply: type[Reply]) -> Reply:
        """Send raw bytes (a document's chunk); the reply validated as ``reply``."""
        headers = {"Content-Type": "application/octet-stream"}
        return self.call("PUT", path, reply, content=data, headers=headers)

    def get_bytes(self, path: str) -> bytes:
        """Raw bytes (a document's chunk), capped like every reply; errors as in :meth:`call`."""
        response, content = self._exchange("GET", path, True, {})
        if response.status_code >= 400:
            raise error_for(response)
        return content

    def call(
        self,
        method: str,
        path: str,
        reply: type[Reply],
        *,
        retry: bool | None = None,
        **kwargs: Any,
    ) -> Reply:
        """One request to an endpoint of the protocol, its reply validated as ``reply``;
        transport failures and error answers raise the sync errors (app.sync.errors).

        ``retry``: send it once more if the connection breaks before the reply (a
        connection the server dropped, a reset); by default for GET and PUT only. Say
        True only for a request the server recognises when it comes twice."""
        again = method in RETRIED_METHODS if retry is None else retry
        checked = self.push_check is not None and method == "POST" and path == PUSH_PATH
        if checked and self.push_check is not None:
            cursor, server_id = self.push_check
            path = CHECKED_PUSH_PATH
            kwargs = {**kwargs, "params": {"cursor": cursor, "server_id": str(server_id)}}
        response, content = self._exchange(method, path, again, kwargs)
        if checked and response.status_code == 404:
            raise PushCheckUnknown()
        if checked and response.status_code == 409 and self._epoch in (RESTORED, REPLACED):
            raise ServerReplaced() if self._epoch == REPLACED else ServerWentBack()
        return self._reply(response, content, reply, enrolling=path == ENROL_PATH)

    def _reply(
        self, response: httpx.Response, content: bytes, reply: type[Reply], enrolling: bool = False
    ) -> Reply:
        if response.status_code >= 400:
            raise error_for(response, enrolling=enrolling)
        try:
            return reply.model_validate_json(content)
        except ValidationError:
            raise ProtocolError(response.status_code) from None

    def _exchange(
        self, method: str, path: str, retry: bool, kwargs: dict[str, Any]
    ) -> tuple[httpx.Response, bytes]:
        """The response (body decoded) and its bytes; a broken connection is tried once
        more when ``retry``, on a new connection (httpx drops the broken one)."""
        kwargs = {**kwargs, "headers": {**self._headers, **kwargs.get("headers", {})}}
        while True:
            response, content = self._once(method, path, retry, kwargs)
            wait = self._rate_wait(response, path)
            if wait is None:
                return response, content
            self.rate_waited += wait
            time.sleep(wait)

    def _once(
        self, method: str, path: str, retry: bool, kwargs: dict[str, Any]
    ) -> tuple[httpx.Response, bytes]:
        for attempt in (1, 2):
            try:
                with self._http.stream(method, path, **kwargs) as streamed:
                    content = self._read_capped(streamed)
                    self._note_headers(streamed.headers)
                return httpx.Response(
                    streamed.status_code, content=content, headers=_kept(streamed.headers)
                ), content
            except httpx.TransportError as error:
                if _certificate_refused(error):
                    raise UntrustedServer() from None
                if retry and attempt == 1 and isinstance(error, BROKEN_CONNECTION):
                    continue
                # Includes a reply lost after the request was sent: the caller resends later.
                raise ServerUnavailable(type(error).__name__) from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _rate_wait(self, response: httpx.Response, path: str) -> int | None:
        """Seconds to wait before sending again a request the rate limit refused, or None
        (not refused so, enrolment, too long a wait, or this sync's waiting spent)."""
        if response.status_code != 429 or path == ENROL_PATH:
            return None
        stated = response.headers.get("retry-after", "")
        if not stated.isdigit() or int(stated) > RATE_WAIT_MAX_SECONDS:
            return None
        wait = max(1, int(stated))
        if self.rate_waited + wait > RATE_WAIT_BUDGET_SECONDS:
            return None
        return wait

    def _note_headers(self, headers: httpx.Headers) -> None:
        stated = headers.get(SCHEMA_HEADER, "")
        if stated.isdigit() and len(stated) < 7:
            self.server_schema = int(stated)
        self._epoch = headers.get(EPOCH_HEADER)
        tag = headers.get(POLICY_TAG_HEADER)
        if tag is not None:
            self.policy_tag = tag
        acked = headers.get(ACCESS_LOG_ACK_HEADER, "")
        if acked.isdigit() and len(acked) < 19:
            self.access_log_acked = int(acked)

    def _read_capped(self, response: httpx.Response) -> bytes:
        """The body, refused past ``max_response_bytes`` (announced or actually sent)."""
        announced = response.headers.get("content-length", "")
        if announced.isdigit() and int(announced) > self.max_response_bytes:
            raise ResponseRefused(_("the server's answer is too large"))
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > self.max_response_bytes:
                raise ResponseRefused(_("the server's answer is too large"))
            chunks.append(chunk)
        return b"".join(chunks)


def _kept(headers: httpx.Headers) -> dict[str, str]:
    """The answer's headers an error needs later (``Retry-After``)."""
    stated = headers.get("retry-after")
    return {} if stated is None else {"Retry-After": stated}


def _certificate_refused(error: BaseException) -> bool:
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, ssl.SSLCertVerificationError):
            return True
        cause = cause.__cause__ or cause.__context__
    return "CERTIFICATE_VERIFY_FAILED" in str(error)


def error_for(response: httpx.Response, *, enrolling: bool = False) -> SyncError:
    """The typed error for a refusal (the server's message is not shown: it is not ours)."""
    status = response.status_code
    body = _error_body(response)
    code = body.code if body is not None else None
    if status == 426 or code == "client_too_old":
        return ClientTooOld()
    if code == "wipe":
        return DeviceRevoked(wipe=True)
    if code == "device_revoked":
        return DeviceRevoked(wipe=bool(body and body.wipe))
    if status == 429 or code == "throttled":
        return Throttled(busy="retry-after" in response.headers and not enrolling)
    if status in (401, 403) or code in ("bad_credentials", "account_disabled", "forbidden"):
        return Unauthorized()
    if status >= 500:
        return ServerUnavailable(f"HTTP {status}")
    return ProtocolError(status)


def _error_body(response: httpx.Response) -> ErrorBody | None:
    try:
        return ErrorBody.model_validate_json(response.content)
    except ValidationError:
        return None
