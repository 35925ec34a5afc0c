"""A few people registered twice, as happens in the field: another spelling, no CIN.

About one demo beneficiary in a hundred is a second registration of an earlier one (a
counsellor at the prison, an educator at the release office): same sex, the name as
another person would write it (``El Idrissi``/``Idrissi``, ``Mohamed``/``Mohammed``,
the Arabic name without hamza or article, or not typed), the same birth date (or day
and month swapped), and no CIN. Duplicate matching has something to find.

Draws come from a generator of their own, seeded from the main one's state without
consuming it, so every other demo record stays as it was without re-registrations.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from app.store import arabic

SHARE = 0.01
MEMORY = 2000
"""Earlier people a re-registration is drawn from (per sex)."""

_LATIN_VARIANTS = (
    ("ou", "u"), ("mm", "m"), ("ss", "s"), ("ch", "sh"), ("Mohamed", "Mhamed"),
    ("Mohamed", "Mohammed"), ("Youssef", "Youssouf"), ("Abdel", "Abd El "), ("ï", "i"),
    ("é", "e"), ("Ait ", "Aït "), ("ai", "ei"),
)  # fmt: skip


@dataclass(frozen=True)
class Identity:
    last_name: str
    first_name: str
    last_name_ar: str | None
    first_name_ar: str | None
    birth_date: date


class Reregistrations:
    """Remembers people as they are made and, now and then, hands one back respelt."""

    def __init__(self, main: random.Random) -> None:
        self.rng = random.Random(hash(main.getstate()))
        self._seen: dict[bool, list[Identity]] = {True: [], False: []}

    def remember(self, female: bool, identity: Identity) -> None:
        seen = self._seen[female]
        if len(seen) < MEMORY:
            seen.append(identity)
        else:
            seen[self.rng.randrange(MEMORY)] = identity

    def again(self, female: bool) -> Identity | None:
        """An earlier person of this sex, respelt, for about :data:`SHARE` of the calls."""
        seen = self._seen[female]
        if not seen or self.rng.random() >= SHARE:
            return None
        person = self.rng.choice(seen)
        return Identity(
            last_name=self._respell(self._article(person.last_name)),
            first_name=self._respell(person.first_name),
            last_name_ar=self._arabic(person.last_name_ar),
            first_name_ar=self._arabic(person.first_name_ar),
            birth_date=self._birth(person.birth_date),
        )

    def _article(self, name: str) -> str:
        if name.startswith("El ") and self.rng.random() < 0.5:
            return name[3:]
        if not name.startswith("El ") and self.rng.random() < 0.2:
            return "El " + name
        return name

    def _respell(self, name: str) -> str:
        for old, new in self.rng.sample(_LATIN_VARIANTS, len(_LATIN_VARIANTS)):
            if old in name:
                return name.replace(old, new, 1)
        return name

    def _arabic(self, name: str | None) -> str | None:
        draw = self.rng.random()
        if name is None or draw < 0.25:
            return None  # not typed the second time
        if draw < 0.6:
            return arabic.normalize(name)  # without hamza, ta marbuta as heh
        return name

    def _birth(self, birth: date) -> date:
        draw = self.rng.random()
        if draw < 0.15 and birth.day <= 12 and birth.day != birth.month:
            return birth.replace(month=birth.day, day=birth.month)
        return birth
