"""Errors of the encrypted store. Messages are translatable and never name personal data."""

from __future__ import annotations

from app.i18n import _


class StoreError(Exception):
    """Base of every store failure; ``str(error)`` is a one-line message for the user."""


class ProfileNotFound(StoreError):
    def __init__(self, location: str) -> None:
        super().__init__(_("No profile found in {location}.").format(location=location))


class ProfileExists(StoreError):
    def __init__(self, location: str) -> None:
        super().__init__(_("A profile already exists in {location}.").format(location=location))


class WrongPassphrase(StoreError):
    def __init__(self) -> None:
        super().__init__(_("Wrong passphrase."))


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
            _("The passphrase must have at least {minimum} characters.").format(minimum=minimum)
        )


class MigrationFailed(StoreError):
    """Upgrading an older profile failed; the transaction was rolled back."""

    def __init__(self) -> None:
        super().__init__(
            _("The profile could not be upgraded to this version; it was left unchanged.")
        )
