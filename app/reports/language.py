"""The language a document is written in, independent of the interface's.

A counsellor working in French prints the plan summary in Arabic for the beneficiary:
the document gets its own translator (``app.i18n.translations``) and its own number
and date conventions, and never touches the process-wide language (documents are
also generated off the interface thread). Moroccan usage: Western digits in Arabic too,
dates written day/month/year.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from babel.dates import format_date
from babel.numbers import format_decimal, format_percent

from app import labels
from app.i18n import translations
from app.instruments import load_builtin
from passerelle_core.enums import Sex

DOCUMENT_LANGUAGES = ("fr", "ar")
NEEDS_INSTRUMENT = "passerelle-needs"
_LOCALES = {"fr": "fr_MA", "ar": "ar_MA", "en": "en_GB"}


@dataclass(frozen=True)
class DocumentLanguage:
    code: str
    _locale: str = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.code not in _LOCALES:
            raise ValueError(f"unsupported document language: {self.code!r}")
        object.__setattr__(self, "_locale", _LOCALES[self.code])

    @property
    def rtl(self) -> bool:
        return self.code == "ar"

    def gettext(self, message: str) -> str:
        return translations(self.code).gettext(message)

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        return translations(self.code).ngettext(singular, plural, count)

    def label(self, member: StrEnum) -> str:
        return labels.label(member, self.gettext)

    def gendered(self, message: str, sex: Sex | None) -> str:
        """``message`` agreeing with the person's recorded sex (catalog context "female"
        or "male"); the neutral wording when the sex is unknown or has no variant."""
        if sex is not None:
            context = "female" if sex is Sex.FEMALE else "male"
            found = translations(self.code).pgettext(context, message)
            if found != message:
                return found
        return self.gettext(message)

    def label_for(self, member: StrEnum, sex: Sex | None) -> str:
        """An enum's label about a person: "Condamnée", "محكومة" for a woman."""
        return labels.label(member, lambda message: self.gendered(message, sex))

    def domain(self, domain_id: str) -> str:
        """A needs domain's name as the instrument words it in this language."""
        try:
            return load_builtin(NEEDS_INSTRUMENT).domain(domain_id).label.get(self.code)
        except KeyError:
            return domain_id

    def short_date(self, day: date | None) -> str:
        return "" if day is None else format_date(day, "dd/MM/yyyy", locale=self._locale)

    def long_date(self, day: date) -> str:
        return format_date(day, "d MMMM y", locale=self._locale)

    def month(self, day: date) -> str:
        """A month's short name, for the axis of a chart: "oct.", "أكتوبر"."""
        return format_date(day, "LLL", locale=self._locale)

    def pick(self, latin: str, arabic: str | None) -> str:
        """A name in the document's script when it has been recorded in it."""
        return arabic if self.rtl and arabic else latin

    def number(self, value: int) -> str:
        return format_decimal(value, "#,##0", locale=self._locale)

    def decimal(self, value: float | None) -> str:
        return "—" if value is None else format_decimal(value, "#,##0.0", locale=self._locale)

    def percent(self, share: float | None) -> str:
        return "—" if share is None else format_percent(share, "#,##0.0 %", locale=self._locale)
