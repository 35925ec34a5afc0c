"""Errors of the server's use cases, each with the protocol's ``ErrorBody`` code."""

from __future__ import annotations

from typing import Literal

ErrorCode = Literal[
    "bad_credentials",
    "account_disabled",
    "throttled",
    "device_revoked",
    "wipe",
    "forbidden",
    "invalid_request",
    "not_found",
]


class ServiceError(Exception):
    """A refusal the caller can explain in one line; ``code`` is an ``ErrorBody`` code."""

    code: ErrorCode = "invalid_request"

    def __init__(self, message: str, code: ErrorCode | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code

    @property
    def message(self) -> str:
        return str(self)


class AuthError(ServiceError):
    """Credentials, account or device state refuse the request."""

    def __init__(self, message: str, code: ErrorCode, retry_after: int | None = None) -> None:
        super().__init__(message, code)
        self.retry_after = retry_after

    @property
    def wipe(self) -> bool:
        return self.code == "wipe"


class Rejected(Exception):
    """One pushed change refused; ``permanent`` when no retry can ever make it succeed."""

    def __init__(self, message: str, *, permanent: bool = True) -> None:
        super().__init__(message)
        self.permanent = permanent
