"""Why a sync stopped, as one translated line for the person at the laptop.

Every error is a :class:`ServiceError`, so the command line and the UI show it like any
refused operation. Messages never carry a token, a password or case data: only what
the person can act on.
"""

from __future__ import annotations

from app.i18n import _
from app.services.errors import ServiceError


class SyncError(ServiceError):
    """The sync stopped; the outbox keeps every change that was not acknowledged."""


class NotEnrolled(SyncError):
    def __init__(self) -> None:
        super().__init__(_("This profile is not enrolled with a server: run enrol first."))


class AlreadyEnrolled(SyncError):
    def __init__(self) -> None:
        super().__init__(_("This profile is already enrolled with a server."))


class OwnerMismatch(SyncError):
    def __init__(self) -> None:
        super().__init__(
            _(
                "This profile belongs to another staff member than this server account: "
                "enrol a new profile instead."
            )
        )


class ClientTooOld(SyncError):
    def __init__(self) -> None:
        super().__init__(
            _(
                "The server no longer accepts this version of Passerelle: update it. "
                "Your changes stay on this laptop until then."
            )
        )


class DeviceRevoked(SyncError):
    """The server refuses this device; ``wipe`` when it ordered the profile erased."""

    def __init__(self, wipe: bool) -> None:
        self.wipe = wipe
        if wipe:
            message = _("The server ordered this laptop's profile to be erased.")
        else:
            message = _("This laptop's access was revoked: ask an administrator.")
        super().__init__(message)


class Unauthorized(SyncError):
    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or _("The server refused the credentials."))


class Throttled(SyncError):
    """Refused unread: too many failed logins, or (``busy``) more requests from this
    address than the server takes, still so after the waits it asked for."""

    def __init__(self, busy: bool = False) -> None:
        self.busy = busy
        super().__init__(
            _("The server is busy: sync again in a few minutes.")
            if busy
            else _("Too many failed attempts: wait a few minutes and try again.")
        )


class ServerUnavailable(SyncError):
    """No answer, a timeout or a server error: nothing is lost, sync again later."""

    def __init__(self, reason: str | None = None) -> None:
        message = _("The server cannot be reached; your changes are kept for the next sync.")
        if reason:
            message = f"{message} ({reason})"
        super().__init__(message)


class InsecureServer(SyncError):
    def __init__(self) -> None:
        super().__init__(
            _("The server address must start with https:// (http:// only on this computer).")
        )


class UntrustedServer(SyncError):
    def __init__(self) -> None:
        super().__init__(
            _(
                "The server's certificate could not be verified: check the address, "
                "or give the organisation's CA file."
            )
        )


class ProtocolError(SyncError):
    """The server answered something this client does not understand."""

    def __init__(self, status: int) -> None:
        super().__init__(
            _("The server gave an unexpected answer (HTTP {status}).").format(status=status)
        )
        self.status = status


class ResponseRefused(SyncError):
    """An answer this client refuses to take in whole (too large, too many pages)."""

    def __init__(self, reason: str) -> None:
        super().__init__(_("The server's answer was refused: {reason}.").format(reason=reason))


class ServerReplaced(SyncError):
    def __init__(self) -> None:
        super().__init__(
            _(
                "This is not the server this laptop was enrolled with (it was replaced or "
                "restored): nothing was synced. Enrol the profile again."
            )
        )
