"""What every use case checks its input with, and pydantic's errors as translated messages."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Annotated, Any, NoReturn, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    StringConstraints,
    ValidationError,
    field_validator,
)
from pydantic_core import ErrorDetails

from app.i18n import _, ngettext
from app.services.context import ServiceContext
from app.services.errors import FieldError, ValidationFailed

Model = TypeVar("Model", bound=BaseModel)


def _stripped_or_none(value: str | None) -> str | None:
    return None if value is None else value.strip() or None


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
# Free text that may be left empty: kept trimmed, and blank is stored as None.
OptionalText = Annotated[str | None, AfterValidator(_stripped_or_none)]


class InputModel(BaseModel):
    """Forms send "" for a box left empty: it means no value, whatever the field's type."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value


def validate(model: type[Model], data: Mapping[str, Any]) -> Model:
    try:
        return model.model_validate(dict(data))
    except ValidationError as error:
        raise ValidationFailed([_field_error(detail) for detail in error.errors()]) from None


def parse(model: type[Model], arguments: Mapping[str, Any]) -> Model:
    """Validate the arguments the model knows (callers pass their ``locals()``)."""
    return validate(model, {k: v for k, v in arguments.items() if k in model.model_fields})


def provided(
    model: type[BaseModel], changes: Mapping[str, Any], required: tuple[str, ...]
) -> dict[str, Any]:
    """The validated changes, only those given; a required field cannot be cleared."""
    values = validate(model, changes).model_dump(include=set(changes))
    for name in required:
        if name in values and values[name] is None:
            fail(name, _("This field is required."))
    return values


def fail(field: str, message: str) -> NoReturn:
    raise ValidationFailed([FieldError(field, message)])


def require_not_future(ctx: ServiceContext, day: date, field: str) -> None:
    """Today is the context's, so tests can fix it."""
    if day > ctx.today():
        fail(field, _("The date cannot be in the future."))


def _field_error(detail: ErrorDetails) -> FieldError:
    field = ".".join(str(part) for part in detail["loc"]) or "-"
    return FieldError(field, message_for(detail))


def message_for(detail: ErrorDetails) -> str:
    kind = detail["type"]
    context = detail.get("ctx") or {}
    if kind == "missing" or ("input" in detail and detail["input"] is None):
        return _("This field is required.")
    if kind in {"date_from_datetime_parsing", "date_parsing", "date_type"}:
        return _("Not a valid date (expected YYYY-MM-DD).")
    if kind == "enum":
        return _("Unknown value; expected one of: {choices}.").format(
            choices=context.get("expected", "")
        )
    if kind == "string_too_short":
        return _("This field cannot be empty.")
    if kind == "string_too_long":
        limit = int(context.get("max_length", 0))
        return ngettext(
            "Too long (at most {count} character).", "Too long (at most {count} characters).", limit
        ).format(count=limit)
    if kind == "string_pattern_mismatch":
        return _("Invalid format.")
    if kind in {"int_parsing", "int_type", "int_from_float"}:
        return _("Expected a whole number.")
    if kind in {"greater_than_equal", "greater_than", "less_than_equal", "less_than"}:
        return _("Value out of range.")
    if kind == "extra_forbidden":
        return _("Unknown field.")
    if kind == "value_error":
        error = context.get("error")
        return str(error) if error else _("Invalid value.")
    return _("Invalid value.")
