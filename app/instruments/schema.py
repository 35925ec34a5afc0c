"""Pydantic models of an assessment instrument file (``resources/instruments/*.yaml``).

An instrument is data, not code: the assessment form, the scoring and the printed
summaries are generated from it. Models are frozen and reject unknown keys, so that a
typo in a file fails at load time with a located message instead of silently changing
a score. Cross-references (item -> scale, unique ids) are checked here too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
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

from app.i18n import N_, _

Loc = tuple[str | int, ...]

_SNAKE_CASE = r"[a-z][a-z0-9_]*"


class SchemaError(ValueError):
    """A cross-check problem with its location, so the loader can point at it."""

    def __init__(self, loc: Loc, message: str) -> None:
        super().__init__(message)
        self.loc = loc
        self.message = message


def _matching(pattern: str, message: str) -> AfterValidator:
    """A validator that rejects ids not fully matching ``pattern`` with ``message``."""
    regex = re.compile(pattern)

    def check(value: str) -> str:
        if not regex.fullmatch(value):
            raise ValueError(_(message).format(value=value))
        return value

    return AfterValidator(check)


NonEmptyText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
SnakeId = Annotated[str, _matching(_SNAKE_CASE, N_("{value!r} is not a snake_case identifier"))]
ItemId = Annotated[
    str,
    _matching(
        rf"{_SNAKE_CASE}\.{_SNAKE_CASE}",
        N_("{value!r} is not of the form 'domain_id.item_name'"),
    ),
]
InstrumentId = Annotated[
    str, _matching(r"[a-z][a-z0-9_-]*", N_("{value!r} is not a lowercase identifier"))
]


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


class Schedule(_Frozen):
    """When assessments are due: the first after intake, then again, and before release.

    ``first_within_days`` after intake; every ``every_months`` after the latest one;
    with ``at_release``, one dated within ``release_window_days`` before the expected
    release (probation services: a month after intake in custody, then at events).
    """

    first_within_days: StrictInt = Field(ge=1, le=365)
    every_months: StrictInt = Field(ge=1, le=36)
    at_release: StrictBool = False
    release_window_days: StrictInt = Field(default=30, ge=1, le=180)

    @model_validator(mode="after")
    def _check_window(self) -> Self:
        if self.at_release and self.release_window_days > self.every_months * 31:
            raise SchemaError(
                ("release_window_days",),
                _("the release window must be shorter than the interval between assessments"),
            )
        return self


class Instrument(_Frozen):
    """One version of an assessment instrument; ``key`` identifies it in stored data."""

    id: InstrumentId
    version: StrictInt = Field(ge=1)
    title: LocalizedText
    scales: dict[str, Scale]
    thresholds: Thresholds
    domains: list[Domain]
    schedule: Schedule | None = None

    _items: dict[str, Item] = PrivateAttr(default_factory=dict)

    @field_validator("scales", mode="before")
    @classmethod
    def _name_scales(cls, value: object) -> object:
        """Scales are keyed by id in the file; each scale takes its key as id."""
        if isinstance(value, dict):
            return {k: {"id": k, **s} if isinstance(s, dict) else s for k, s in value.items()}
        return value

    @model_validator(mode="after")
    def _cross_check(self) -> Self:
        problem = next(self._problems(), None)
        if problem is not None:
            raise SchemaError(*problem)
        self._items = {item.id: item for domain in self.domains for item in domain.items}
        return self

    def _problems(self) -> Iterator[tuple[Loc, str]]:
        """Located problems that single fields cannot see: ids, references, emptiness."""
        for key, scale in self.scales.items():
            if scale.id != key:
                yield (
                    ("scales", key, "id"),
                    _("scale id differs from its key {key!r}").format(key=key),
                )
        if not self.domains:
            yield ("domains",), _("an instrument needs at least one domain")
        domain_ids: set[str] = set()
        item_ids: set[str] = set()
        for d_index, domain in enumerate(self.domains):
            where: Loc = ("domains", d_index)
            if domain.id in domain_ids:
                yield (*where, "id"), _("duplicate domain id {id!r}").format(id=domain.id)
            domain_ids.add(domain.id)
            if not domain.items:
                yield (*where, "items"), _("domain {id!r} has no items").format(id=domain.id)
            for i_index, item in enumerate(domain.items):
                loc: Loc = (*where, "items", i_index)
                if item.id in item_ids:
                    yield (*loc, "id"), _("duplicate item id {id!r}").format(id=item.id)
                item_ids.add(item.id)
                if not item.id.startswith(domain.id + "."):
                    message = _("item id {id!r} must start with {prefix!r}")
                    yield (*loc, "id"), message.format(id=item.id, prefix=domain.id + ".")
                if item.scale not in self.scales:
                    yield (*loc, "scale"), _("unknown scale {scale!r}").format(scale=item.scale)

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
