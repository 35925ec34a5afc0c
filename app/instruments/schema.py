"""Pydantic models of an assessment instrument file (``resources/instruments/*.yaml``).

An instrument is data, not code: the assessment form, the scoring and the printed
summaries are generated from it. Models are frozen and reject unknown keys, so that a
typo in a file fails at load time with a located message instead of silently changing
a score. Cross-references (item -> scale, unique ids) are checked here too.
"""

from __future__ import annotations

import re
from typing import Annotated, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StrictBool,
    StrictInt,
    StringConstraints,
    field_validator,
    model_validator,
)

from app.i18n import _

Loc = tuple[str | int, ...]

_SNAKE_CASE = re.compile(r"[a-z][a-z0-9_]*")
_INSTRUMENT_ID = re.compile(r"[a-z][a-z0-9_-]*")


class SchemaError(ValueError):
    """A problem found by a cross-check, with its location inside the checked object.

    Pydantic locates field errors itself; cross-checks raise this so that the loader
    can still point at e.g. ``domains.3.items.0.scale``.
    """

    def __init__(self, loc: Loc, message: str) -> None:
        super().__init__(message)
        self.loc = loc
        self.message = message


def _snake_case(value: str) -> str:
    if not _SNAKE_CASE.fullmatch(value):
        raise ValueError(_("{value!r} is not a snake_case identifier").format(value=value))
    return value


def _item_id(value: str) -> str:
    domain_id, dot, name = value.partition(".")
    if not (dot and _SNAKE_CASE.fullmatch(domain_id) and _SNAKE_CASE.fullmatch(name)):
        raise ValueError(
            _("{value!r} is not of the form 'domain_id.item_name'").format(value=value)
        )
    return value


def _instrument_id(value: str) -> str:
    if not _INSTRUMENT_ID.fullmatch(value):
        raise ValueError(_("{value!r} is not a lowercase identifier").format(value=value))
    return value


NonEmptyText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
SnakeId = Annotated[str, AfterValidator(_snake_case)]
ItemId = Annotated[str, AfterValidator(_item_id)]
InstrumentId = Annotated[str, AfterValidator(_instrument_id)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class LocalizedText(_Frozen):
    """A label in every language of the application; all three are required."""

    fr: NonEmptyText
    ar: NonEmptyText
    en: NonEmptyText

    def get(self, lang: str) -> str:
        """The text in ``lang``; French, the administration's working language, otherwise."""
        return {"fr": self.fr, "ar": self.ar, "en": self.en}.get(lang, self.fr)


class ScaleOption(_Frozen):
    value: StrictInt
    label: LocalizedText


class Scale(_Frozen):
    """An ordered rating scale; the lowest value means the least need (unless reversed)."""

    id: SnakeId
    options: list[ScaleOption]

    @model_validator(mode="after")
    def _check_options(self) -> Self:
        if len(self.options) < 2:
            raise SchemaError(("options",), _("a scale needs at least two options"))
        seen: set[int] = set()
        for index, option in enumerate(self.options):
            if option.value in seen:
                raise SchemaError(
                    ("options", index, "value"),
                    _("duplicate value {value} in the scale").format(value=option.value),
                )
            seen.add(option.value)
        return self

    @property
    def min_value(self) -> int:
        return min(option.value for option in self.options)

    @property
    def max_value(self) -> int:
        return max(option.value for option in self.options)

    def has_value(self, value: int) -> bool:
        return any(option.value == value for option in self.options)


class Item(_Frozen):
    id: ItemId
    text: LocalizedText
    scale: SnakeId
    reverse: StrictBool = False


class Domain(_Frozen):
    """A needs domain; ``protective`` marks strengths, whose items are reverse-scored."""

    id: SnakeId
    label: LocalizedText
    description: LocalizedText | None = None
    protective: StrictBool = False
    items: list[Item]


class Thresholds(_Frozen):
    """Cut-offs on the 0..100 domain score: MEDIUM from ``medium``, HIGH from ``high``."""

    medium: float
    high: float

    @model_validator(mode="after")
    def _check_order(self) -> Self:
        if not 0 < self.medium < self.high <= 100:
            raise SchemaError((), _("thresholds must satisfy 0 < medium < high <= 100"))
        return self


class Instrument(_Frozen):
    """One version of an assessment instrument; ``key`` identifies it in stored data."""

    id: InstrumentId
    version: StrictInt = Field(ge=1)
    title: LocalizedText
    scales: dict[str, Scale]
    thresholds: Thresholds
    domains: list[Domain]

    _items: dict[str, Item] = PrivateAttr(default_factory=dict)

    @field_validator("scales", mode="before")
    @classmethod
    def _name_scales(cls, value: object) -> object:
        """Scales are keyed by id in the file; copy each key into its scale."""
        if not isinstance(value, dict):
            return value
        named: dict[object, object] = {}
        for key, scale in value.items():
            if isinstance(scale, dict):
                if scale.get("id", key) != key:
                    raise SchemaError(
                        (str(key), "id"),
                        _("scale id {id!r} differs from its key").format(id=scale["id"]),
                    )
                scale = {"id": key, **scale}
            named[key] = scale
        return named

    @model_validator(mode="after")
    def _cross_check(self) -> Self:
        if not self.domains:
            raise SchemaError(("domains",), _("an instrument needs at least one domain"))
        domain_ids: set[str] = set()
        items: dict[str, Item] = {}
        for d_index, domain in enumerate(self.domains):
            loc: Loc = ("domains", d_index)
            if domain.id in domain_ids:
                raise SchemaError(
                    (*loc, "id"), _("duplicate domain id {id!r}").format(id=domain.id)
                )
            domain_ids.add(domain.id)
            if not domain.items:
                raise SchemaError(
                    (*loc, "items"), _("domain {id!r} has no items").format(id=domain.id)
                )
            for i_index, item in enumerate(domain.items):
                item_loc: Loc = (*loc, "items", i_index)
                if item.id in items:
                    raise SchemaError(
                        (*item_loc, "id"), _("duplicate item id {id!r}").format(id=item.id)
                    )
                if item.id.partition(".")[0] != domain.id:
                    raise SchemaError(
                        (*item_loc, "id"),
                        _("item id {id!r} must start with {prefix!r}").format(
                            id=item.id, prefix=domain.id + "."
                        ),
                    )
                if item.scale not in self.scales:
                    raise SchemaError(
                        (*item_loc, "scale"),
                        _("unknown scale {scale!r}").format(scale=item.scale),
                    )
                items[item.id] = item
        self._items = items
        return self

    @property
    def key(self) -> str:
        return f"{self.id}@{self.version}"

    def domain(self, domain_id: str) -> Domain:
        """The domain with this id; KeyError if the instrument has none."""
        for domain in self.domains:
            if domain.id == domain_id:
                return domain
        raise KeyError(domain_id)

    def item(self, item_id: str) -> Item:
        """The item with this id; KeyError if the instrument has none."""
        return self._items[item_id]

    def scale_of(self, item_id: str) -> Scale:
        return self.scales[self.item(item_id).scale]
