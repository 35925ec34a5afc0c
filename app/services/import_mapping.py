"""Which column of a file fills which field: proposed, checked, saved and reused.

A mapping is ``{file column label: field name or None}`` (None: deliberately not
imported). It is proposed from the header aliases of :mod:`app.services.import_fields`,
then from the content of the columns still unmatched (CIN-shaped values, dates, Arabic
script). The app saves the mapping a person confirmed in the profile, keyed by the
file's header, and proposes it again for the next file with the same header; the CLI
reads and writes it as JSON (format in ``docs/import-format.md``).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path

from app.i18n import _
from app.models import ProfileSetting
from app.services import import_values as values
from app.services.context import ServiceContext
from app.services.import_fields import (
    ALIASES,
    FIELD_NAMES,
    IGNORED_KEYS,
    LEGAL_STATUSES,
    REQUIRED_FIELDS,
    SEXES,
    label_key,
)
from app.services.import_rows import ImportFileError, Table

ColumnMapping = dict[str, str | None]

MAPPING_VERSION = 1
_SETTING_PREFIX = "import_mapping:"
_SAMPLE_ROWS = 50
_CONTENT_SHARE = 0.8
_CIN_SHAPE = re.compile(r"[A-Z]{1,2}\d{4,8}")
_PHONE_SHAPE = re.compile(r"(?:\+|00)?\d{9,13}")
_ARABIC = re.compile(r"[\u0600-\u06ff]")
_ARABIC_TWIN = {"last_name": "last_name_ar", "first_name": "first_name_ar"}


def propose(table: Table) -> ColumnMapping:
    """Aliases first; then, for the fields still free, what the columns contain."""
    mapping: ColumnMapping = {}
    taken: set[str] = set()
    for index, label in enumerate(table.labels):
        if not label:
            continue
        field = ALIASES.get(label_key(label))
        twin = _ARABIC_TWIN.get(field or "")
        if twin and twin not in taken and _mostly(_sample(table, index), _is_arabic):
            field = twin  # "النسب" over names in Arabic script: their Arabic spelling
        if field is not None and field not in taken:
            mapping[label] = field
            taken.add(field)
        else:
            mapping[label] = None
    for index, label in enumerate(table.labels):
        if label and mapping[label] is None and label_key(label) not in IGNORED_KEYS:
            guess = _guess_from_content(_sample(table, index), taken)
            if guess is not None:
                mapping[label] = guess
                taken.add(guess)
    return mapping


def unmapped_labels(table: Table, mapping: Mapping[str, str | None]) -> list[str]:
    """Columns of the file that will not be imported (the report lists them)."""
    return [
        label
        for label in table.labels
        if label and mapping.get(label) is None and label_key(label) not in IGNORED_KEYS
    ]


def check(mapping: Mapping[str, str | None]) -> None:
    """Refuse a mapping that names an unknown field, uses one twice or lacks a name."""
    seen: set[str] = set()
    for field in mapping.values():
        if field is None:
            continue
        if field not in FIELD_NAMES:
            raise ImportFileError(_("Unknown field “{field}” in the mapping.").format(field=field))
        if field in seen:
            raise ImportFileError(
                _("Two columns are mapped to the field “{field}”.").format(field=field)
            )
        seen.add(field)
    missing = [field for field in REQUIRED_FIELDS if field not in seen]
    if missing:
        raise ImportFileError(
            _("Required columns are missing: {columns}.").format(columns=", ".join(missing))
        )


def to_json(mapping: Mapping[str, str | None]) -> str:
    return json.dumps(
        {"version": MAPPING_VERSION, "columns": dict(mapping)}, ensure_ascii=False, indent=2
    )


def from_json(text: str) -> ColumnMapping:
    try:
        data = json.loads(text)
    except ValueError:
        raise ImportFileError(_("The mapping file is not valid JSON.")) from None
    columns = data.get("columns") if isinstance(data, dict) else None
    if not isinstance(columns, dict) or not all(
        isinstance(label, str) and (field is None or isinstance(field, str))
        for label, field in columns.items()
    ):
        raise ImportFileError(
            _("The mapping file must hold “columns”: file column → field name or null.")
        )
    if data.get("version", MAPPING_VERSION) != MAPPING_VERSION:
        raise ImportFileError(_("This mapping file was written by a newer version."))
    return dict(columns)


def read_file(path: Path) -> ColumnMapping:
    try:
        return from_json(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ImportFileError(
            _("Cannot read the mapping file: {reason}.").format(reason=error.strerror or error)
        ) from None


def write_file(path: Path, mapping: Mapping[str, str | None]) -> None:
    try:
        path.write_text(to_json(mapping) + "\n", encoding="utf-8")
    except OSError as error:
        raise ImportFileError(
            _("Cannot write the mapping file: {reason}.").format(reason=error.strerror or error)
        ) from None


def apply_to(table: Table, mapping: Mapping[str, str | None]) -> ColumnMapping:
    """The mapping for this table's labels, matched as headers are (case, accents...).

    Labels the given mapping does not name are not imported.
    """
    by_key = {label_key(label): field for label, field in mapping.items()}
    return {
        label: mapping[label] if label in mapping else by_key.get(label_key(label))
        for label in table.labels
        if label
    }


def header_signature(labels: list[str]) -> str:
    """Same header (ignoring case, accents and spacing) = same saved mapping."""
    keys = "\x1f".join(label_key(label) for label in labels if label)
    return hashlib.sha256(keys.encode("utf-8")).hexdigest()[:40]


def saved(ctx: ServiceContext, labels: list[str]) -> ColumnMapping | None:
    """The mapping confirmed for a file with this header, if any (never raises)."""
    with ctx.reading() as session:
        setting = session.get(ProfileSetting, _SETTING_PREFIX + header_signature(labels))
        text = None if setting is None else setting.value
    if text is None:
        return None
    try:
        mapping = from_json(text)
    except ImportFileError:
        return None
    return mapping


def save(ctx: ServiceContext, labels: list[str], mapping: Mapping[str, str | None]) -> None:
    """Kept in the encrypted profile; never synced (a laptop's own habit)."""
    key = _SETTING_PREFIX + header_signature(labels)
    with ctx.transaction() as session:
        setting = session.get(ProfileSetting, key)
        if setting is None:
            session.add(ProfileSetting(key=key, value=to_json(mapping)))
        else:
            setting.value = to_json(mapping)


def _sample(table: Table, index: int) -> list[object]:
    found: list[object] = []
    for row in table.rows:
        if index < len(row.cells) and row.cells[index] is not None:
            found.append(row.cells[index])
            if len(found) == _SAMPLE_ROWS:
                break
    return found


def _mostly(cells: list[object], test: Callable[[object], bool]) -> bool:
    return bool(cells) and sum(1 for cell in cells if test(cell)) >= _CONTENT_SHARE * len(cells)


def _guess_from_content(cells: list[object], taken: set[str]) -> str | None:
    """A field for a column no alias matched, when most of its values look like one."""
    if not cells:
        return None
    reader = values.DateReader(values.infer_order(values.day_month_pairs(cells)), date.today())
    tests: list[tuple[tuple[str, ...], Callable[[object], bool]]] = [
        (("cin",), lambda cell: bool(_CIN_SHAPE.fullmatch(values.cin(cell)))),
        (("birth_date",), lambda cell: _is_date(reader, cell)),
        (("sex",), lambda cell: label_key(values.clean_text(cell)) in SEXES),
        (("legal_status",), lambda cell: label_key(values.clean_text(cell)) in LEGAL_STATUSES),
        (("phone", "contact_phone"), lambda cell: _is_phone(cell)),
        (("last_name_ar", "first_name_ar"), lambda cell: _is_arabic(cell)),
    ]
    for fields, test in tests:
        free = [field for field in fields if field not in taken]
        if free and _mostly(cells, test):
            return free[0]
    return None


def _is_date(reader: values.DateReader, cell: object) -> bool:
    if isinstance(cell, (int, float)):
        return False  # a column of plain numbers is more likely an identifier
    try:
        reader.read(cell, past_only=True)
    except values.AmbiguousDate:
        return True
    except values.CellError:
        return False
    return True


def _is_phone(cell: object) -> bool:
    text = re.sub(r"[\s.\-()]", "", values.identifier(cell))
    return bool(_PHONE_SHAPE.fullmatch(text))


def _is_arabic(cell: object) -> bool:
    text = values.clean_text(cell)
    letters = [ch for ch in text if ch.isalpha()]
    return bool(letters) and sum(1 for ch in letters if _ARABIC.match(ch)) / len(letters) > 0.5
