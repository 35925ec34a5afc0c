"""Errors raised by use cases. ``str(error)`` is a translated, one-line message for the user."""

from __future__ import annotations

from dataclasses import dataclass

from app.i18n import _


class ServiceError(Exception):
    """A refused operation; nothing was written."""


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str

    def __str__(self) -> str:
        return _("{field}: {message}").format(field=self.field, message=self.message)


class ValidationFailed(ServiceError):
    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = errors
        super().__init__("; ".join(str(error) for error in errors))


class NotFound(ServiceError):
    def __init__(self, what: str) -> None:
        super().__init__(_("{what} not found.").format(what=what))


class NotAllowed(ServiceError):
    """The current staff member's role does not permit the operation."""


class ConsentRequired(ServiceError):
    pass


class InvalidTransition(ServiceError):
    pass


class Busy(ServiceError):
    """The profile stayed busy (a sync writing) longer than a save waits; nothing written."""
