"""What a synced field is on the wire: the vocabulary of the record catalogue.

The server stores records as wire JSON and has no desktop models: it checks and
completes pushed fields from these descriptions (``passerelle_core.record_catalogue``,
generated from the laptop's models by ``tools/record_catalogue.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any, Literal

Kind = Literal["uuid", "datetime", "date", "enum", "json", "str", "int", "bool"]
KINDS: tuple[Kind, ...] = ("uuid", "datetime", "date", "enum", "json", "str", "int", "bool")


class _NoDefault:
    def __repr__(self) -> str:
        return "NO_DEFAULT"


NO_DEFAULT: Any = _NoDefault()
"""A field without a default: a new record must be given it, unless it may be empty."""


@dataclass(frozen=True)
class WireField:
    """One field of a synced record type, as laptop and server exchange it."""

    name: str
    kind: Kind
    nullable: bool = True
    primary_key: bool = False
    foreign_key: str | None = None  # the record type (table) it refers to
    length: int | None = None  # the most characters a ``str`` may hold
    enum: type[Enum] | None = None  # the values an ``enum`` takes (passerelle_core.enums)
    enum_values: tuple[str, ...] = ()  # or its values, for an enum the laptop alone defines
    default: Any = NO_DEFAULT  # a wire value given to a new record that lacks the field
    default_factory: Callable[[], Any] | None = None  # or a fresh value for each record

    @property
    def has_default(self) -> bool:
        return self.default_factory is not None or self.default is not NO_DEFAULT

    def make_default(self) -> Any:
        """The default of a new record (a fresh one each time for a factory)."""
        if self.default_factory is not None:
            return self.default_factory()
        return self.default
