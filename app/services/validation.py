"""Turn pydantic validation into translated, field-by-field messages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from app.i18n import _
from app.services.errors import FieldError, ValidationFailed

Model = TypeVar("Model", bound=BaseModel)


def validate(model: type[Model], data: Mapping[str, Any]) -> Model:
    try:
        return model.model_validate(dict(data))
    except ValidationError as error:
        raise ValidationFailed([_field_error(detail) for detail in error.errors()]) from None


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
        return _("Too long (at most {limit} characters).").format(
            limit=context.get("max_length", "")
        )
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
