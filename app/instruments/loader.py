"""Loading instrument files, with one-line error messages that say where the problem is.

Instrument files are edited by people, not generated: a broken file must be reported
as ``needs-v1.yaml: domains.3.items.0.scale: unknown scale 'foo'``, never as a
validation dump. Built-in instruments ship in ``resources/instruments`` and are loaded
once per process.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from app.i18n import N_, _, ngettext
from app.instruments.schema import Instrument, SchemaError

# Pydantic's own messages for the errors a hand-edited file typically has.
_MESSAGES = {
    "missing": N_("required key is missing"),
    "extra_forbidden": N_("unknown key"),
    "string_too_short": N_("must not be empty"),
    "string_type": N_("expected text"),
    "int_type": N_("expected a whole number"),
    "bool_type": N_("expected true or false"),
    "float_type": N_("expected a number"),
    "float_parsing": N_("expected a number"),
    "model_type": N_("expected a mapping of keys to values"),
    "model_attributes_type": N_("expected a mapping of keys to values"),
    "dict_type": N_("expected a mapping of keys to values"),
    "list_type": N_("expected a list"),
    "greater_than_equal": N_("must be at least {ge}"),
}


class InstrumentError(ValueError):
    """An instrument that cannot be used; the message names the file and the location."""


def parse_instrument(text: str, source: str = "<string>") -> Instrument:
    """Parse and validate the YAML text of an instrument; ``source`` names it in errors."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InstrumentError(_located(source, _yaml_problem(exc))) from exc
    if not isinstance(data, dict):
        raise InstrumentError(
            _located(source, _("the top level must be a mapping of keys to values"))
        )
    try:
        return Instrument.model_validate(data)
    except ValidationError as exc:
        raise InstrumentError(_located(source, _describe(exc))) from exc


def _located(where: str, message: str) -> str:
    """A problem and where it is, joined as each language punctuates ("x\u00a0: y" in French)."""
    return _("{label}: {value}").format(label=where, value=message)


def load_instrument(path: Path) -> Instrument:
    """Load one instrument file (UTF-8 YAML)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise InstrumentError(
            _located(path.name, _("cannot read the file: {reason}").format(reason=reason))
        ) from exc
    except UnicodeDecodeError as exc:
        raise InstrumentError(_located(path.name, _("the file is not UTF-8 text"))) from exc
    return parse_instrument(text, source=path.name)


def builtin_instruments_dir() -> Path:
    """Where the instruments shipped with the application live."""
    return Path(__file__).resolve().parents[2] / "resources" / "instruments"


@lru_cache(maxsize=1)
def _builtin_index() -> dict[tuple[str, int], Instrument]:
    """Every built-in instrument by (id, version); a broken or duplicate file fails loudly."""
    index: dict[tuple[str, int], Instrument] = {}
    for path in sorted(builtin_instruments_dir().glob("*.yaml")):
        instrument = load_instrument(path)
        if (instrument.id, instrument.version) in index:
            raise InstrumentError(
                _located(
                    path.name, _("instrument {key} is defined twice").format(key=instrument.key)
                )
            )
        index[(instrument.id, instrument.version)] = instrument
    return index


@lru_cache(maxsize=32)
def load_builtin(instrument_id: str, version: int | None = None) -> Instrument:
    """A built-in instrument; its highest version when ``version`` is None.

    Stored assessments name the exact version they were made with, so old versions
    stay loadable after a new one ships.
    """
    index = _builtin_index()
    versions = sorted(v for (i, v) in index if i == instrument_id)
    if not versions:
        raise InstrumentError(
            _("no built-in instrument {id!r} in {folder}").format(
                id=instrument_id, folder=builtin_instruments_dir()
            )
        )
    if version is None:
        version = versions[-1]
    if (instrument_id, version) not in index:
        raise InstrumentError(
            _("built-in instrument {id!r} has no version {version} (available: {versions})").format(
                id=instrument_id, version=version, versions=", ".join(map(str, versions))
            )
        )
    return index[(instrument_id, version)]


def available_instruments() -> list[Instrument]:
    """Every built-in instrument, every version, sorted by id then version."""
    index = _builtin_index()
    return [index[key] for key in sorted(index)]


def _yaml_problem(exc: yaml.YAMLError) -> str:
    if isinstance(exc, yaml.MarkedYAMLError) and exc.problem_mark is not None:
        return _("invalid YAML at line {line}, column {column}: {problem}").format(
            line=exc.problem_mark.line + 1,
            column=exc.problem_mark.column + 1,
            problem=exc.problem or exc.context or "",
        )
    return _("invalid YAML: {problem}").format(problem=" ".join(str(exc).split()))


def _describe(exc: ValidationError) -> str:
    """The first validation error as ``location: message``, and how many others there are."""
    errors = exc.errors(include_url=False)
    first = errors[0]
    loc = tuple(first["loc"])
    ctx: dict[str, Any] = dict(first.get("ctx") or {})
    error = ctx.get("error")
    if isinstance(error, SchemaError):
        loc += error.loc
        message = error.message
    elif first["type"] == "value_error" and isinstance(error, ValueError):
        message = str(error)
    elif first["type"] in _MESSAGES:
        message = _(_MESSAGES[first["type"]]).format(**ctx)
    else:
        message = first["msg"]
    where = ".".join(str(part) for part in loc)
    text = _located(where, message) if where else message
    if len(errors) > 1:
        more = len(errors) - 1
        text += " " + ngettext("(and {n} more problem)", "(and {n} more problems)", more).format(
            n=more
        )
    return " ".join(text.splitlines())
