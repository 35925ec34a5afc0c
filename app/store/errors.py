"""Errors of the encrypted store. Messages are translatable and never name personal data."""

from __future__ import annotations

from app.i18n import _, ngettext


class StoreError(Exception):
    """Base of every store failure; ``str(error)`` is a one-line message for the user."""


class ProfileNotFound(StoreError):
    def __init__(self, location: str) -> None:
        super().__init__(_("No profile found in {location}.").format(location=location))


class ProfileExists(StoreError):
    def __init__(self, location: str) -> None:
        super().__init__(_("A profile already exists in {location}.").format(location=location))


class WrongPassphrase(StoreError):
    """``attempts_left`` is set on a profile whose key is destroyed after too many failures."""

    def __init__(self, attempts_left: int | None = None) -> None:
        self.attempts_left = attempts_left
        message = _("Wrong passphrase.")
        if attempts_left is not None:
            message += " " + attempts_left_warning(attempts_left)
        super().__init__(message)


def attempts_left_warning(attempts_left: int) -> str:
    return ngettext(
        "{count} attempt left before this laptop's copy of the case files is erased.",
        "{count} attempts left before this laptop's copy of the case files is erased.",
        attempts_left,
    ).format(count=attempts_left)


class KeyDestroyed(StoreError):
    """Too many wrong passphrases: the wrapped key was overwritten and the profile removed."""

    def __init__(self) -> None:
        super().__init__(
            _(
                "Too many wrong passphrases: this laptop's copy of the case files was erased. "
                "Enrol the laptop again to receive your cases from the server."
            )
        )


class ServerContactRequired(StoreError):
    """The laptop stayed away from the server too long (or its limits were altered)."""

    def __init__(self, tampered: bool = False) -> None:
        if tampered:
            message = _(
                "This profile's unlock limits do not match its records: it opens again once "
                "the laptop reaches the sync server. Connect to the network and try again."
            )
        else:
            message = _(
                "This laptop has not reached the sync server for too long: connect to the "
                "network and unlock again, so the server can confirm its access."
            )
        self.tampered = tampered
        super().__init__(message)


class ProfileErased(StoreError):
    """The server, reached to unlock, ordered this laptop's profile erased: it was."""

    def __init__(self) -> None:
        super().__init__(
            _("The sync server ordered this laptop's profile to be erased, and it was.")
        )


class RecoveryFailed(StoreError):
    """A recovery file that cannot be used: wrong code, another laptop, damaged."""

    def __init__(self, detail: str) -> None:
        super().__init__(_("Recovery failed: {detail}").format(detail=detail))


class CorruptProfile(StoreError):
    """The files are damaged, truncated or do not belong together. Nothing was written."""

    def __init__(self, detail: str) -> None:
        super().__init__(
            _("The profile is damaged and was left untouched: {detail}").format(detail=detail)
        )


class UnsupportedProfile(StoreError):
    def __init__(self, found: int, supported: int) -> None:
        super().__init__(
            _(
                "This profile was written by a newer version of Passerelle "
                "(format {found}, this version reads up to {supported}). Please update."
            ).format(found=found, supported=supported)
        )


class WeakPassphrase(StoreError):
    def __init__(self, minimum: int) -> None:
        super().__init__(
            ngettext(
                "The passphrase must have at least {count} character.",
                "The passphrase must have at least {count} characters.",
                minimum,
            ).format(count=minimum)
        )


class MigrationFailed(StoreError):
    """Upgrading an older profile failed; the transaction was rolled back."""

    def __init__(self) -> None:
        super().__init__(
            _("The profile could not be upgraded to this version; it was left unchanged.")
        )


class DatabaseBusy(StoreError):
    """Another writer (a sync, usually) kept the profile longer than a save may wait."""

    def __init__(self) -> None:
        super().__init__(
            _("The profile is busy (a sync is writing to it). Nothing was lost: try again.")
        )
