"""Checking a parsed row's values with the rules of a new beneficiary, before the profile.

Whether a row creates a file or updates one depends on the profile (is its CIN known?),
but nearly every row of a large import creates one. The process that parses the file
(:mod:`app.services.import_worker`) therefore checks each row as a new beneficiary
already (:func:`as_new`); the main process uses that outcome for rows whose CIN is not
known and checks the others itself (:mod:`app.services.importer`), with the same rules:
the same errors, in the same order, and the same values.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from app.services.beneficiaries import BeneficiaryFields, NewBeneficiary
from app.services.import_fields import InCustody
from app.services.import_parse import AsNew, ParsedRow
from app.services.validation import message_for
from app.store.textfold import fold, name_terms
from passerelle_core.enums import LegalStatus

_NAMES = ("last_name", "first_name", "last_name_ar", "first_name_ar")
_IDENTIFIERS = ("cin", "registration_number")


def as_new(row: ParsedRow) -> AsNew:
    """The checks :func:`validate` makes of a row creating a file, its facility aside."""
    data = dict(row.values)
    if data.get("legal_status") is InCustody.IN_CUSTODY:
        data["legal_status"] = LegalStatus.SENTENCED  # as settle_custody, no file known
    try:
        fields = NewBeneficiary.model_validate(data)
    except ValidationError as error:
        return [_error(detail) for detail in error.errors()], None, None
    values = fields.model_dump(exclude_unset=True)
    for name, value in values.items():  # the very objects read, where equal: sent once
        read = data.get(name)
        if read is not value and type(read) is type(value) and read == value:
            values[name] = read
    return [], values, index_texts(values)


def index_texts(values: dict[str, Any]) -> tuple[str, str, str]:
    """What the search index's insert trigger computes from these stored values
    (:mod:`app.store.search_index`): name terms, identifiers, folded names."""
    names = " ".join(values.get(name) or "" for name in _NAMES)
    identifiers = " ".join(values.get(name) or "" for name in _IDENTIFIERS)
    return name_terms(names), fold(identifiers), fold(names)


def validate(
    row: ParsedRow, model: type[BeneficiaryFields], facility_id: Any
) -> dict[str, Any] | None:
    """The row's fields set (``exclude_unset``), or None when the row has errors
    (now recorded on it)."""
    data = dict(row.values)
    if facility_id is not None:
        data["facility_id"] = facility_id
    try:
        fields = model.model_validate(data)
    except ValidationError as error:
        for detail in error.errors():
            row.error(*_error(detail))
        return None
    return None if row.errors else fields.model_dump(exclude_unset=True)


def validated_as_new(row: ParsedRow, checked: AsNew, facility_id: Any) -> dict[str, Any] | None:
    """What :func:`validate` gives for a new file, from what :func:`as_new` found."""
    errors, fields, _texts = checked
    for name, message in errors:
        row.error(name, message)
    if row.errors or fields is None:
        return None
    fields = dict(fields)
    if facility_id is not None:
        fields["facility_id"] = facility_id
    return fields


def _error(detail: Any) -> tuple[str | None, str]:
    column = str(detail["loc"][0]) if detail["loc"] else None
    return ("facility" if column == "facility_id" else column), message_for(detail)
