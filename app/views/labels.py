"""Enum labels for widgets: the one table of ``app.labels``, with widget helpers.

The table itself lives outside the views (reports print the same words); here are the
shapes widgets want: blank cells for unset values and (label, member) combo choices.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

from app.i18n import current_language
from app.labels import LABELLED_ENUMS, label
from app.reports.language import DocumentLanguage
from passerelle_core.enums import (
    ActionStatus,
    LegalStatus,
    PlanStatus,
    ReferralStatus,
    Sex,
    StaffRole,
)

__all__ = ["LABELLED_ENUMS", "label"]

E = TypeVar("E", bound=StrEnum)


def label_or_blank(member: StrEnum | None) -> str:
    """For optional values shown in tables: an empty cell when unset."""
    return "" if member is None else label(member)


def choices(enum_class: type[E]) -> list[tuple[str, E]]:
    """(label, member) pairs in declaration order, for combo boxes."""
    return [(label(member), member) for member in enum_class]


def legal_status_label(value: LegalStatus) -> str:
    return label(value)


def label_for(member: StrEnum, sex: Sex | None) -> str:
    """An enum's label about one person, agreeing with their sex as the printed documents
    do ("Condamnée", "محكومة" for a woman; the neutral wording when unknown)."""
    return DocumentLanguage(current_language()).label_for(member, sex)


def gendered(message: str, sex: Sex | None) -> str:
    """A sentence about one person in the interface language, agreeing with their sex
    (catalog contexts "female" and "male", as in the printed documents)."""
    return DocumentLanguage(current_language()).gendered(message, sex)


def plan_status_label(value: PlanStatus) -> str:
    return label(value)


def referral_status_label(value: ReferralStatus) -> str:
    return label(value)


def action_status_label(value: ActionStatus) -> str:
    return label(value)


def staff_role_label(value: StaffRole) -> str:
    return label(value)


def person_name(latin: str, arabic: str | None) -> str:
    """A person as the interface reads: in Arabic, the Arabic spelling first, the Latin
    after it (isolated, so neither reorders the other); elsewhere the Latin spelling."""
    if current_language() != "ar" or not arabic:
        return latin
    return f"\u2067{arabic}\u2069 \u2014 \u2066{latin}\u2069"


def both_names(latin: str, arabic: str | None) -> str:
    """Both spellings where both help (a search picker): the interface's script first."""
    if current_language() == "ar" or not arabic:
        return person_name(latin, arabic)
    return f"{latin} \u2014 \u2067{arabic}\u2069"


def short_person_name(latin: str, arabic: str | None) -> str:
    """For narrow places (a tab): one spelling, the interface's script when there is one."""
    return arabic if current_language() == "ar" and arabic else latin
