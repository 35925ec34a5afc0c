"""One translation system for every layer (views, services, CLI, reports).

Message ids are English; catalogs live in ``resources/locale/<lang>/LC_MESSAGES``.
French is the default language of the application. ``_`` translates at call time,
``N_`` marks a string for extraction whose translation happens later (constants),
``pgettext`` picks one meaning of a word that has several (docs/terminology.md).
"""

from __future__ import annotations

import gettext
import logging
from functools import lru_cache
from pathlib import Path

DOMAIN = "passerelle"
LANGUAGES = ("fr", "ar", "en")
DEFAULT_LANGUAGE = "fr"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "resources" / "locale"
SOURCE_LANGUAGE = "en"  # the message ids: no catalog needed
logger = logging.getLogger("passerelle.i18n")  # the support log (app.diagnostics)

_translations: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"


def set_language(language: str) -> None:
    """Switch the process-wide language; unknown catalogs fall back to the message ids."""
    global _translations, _language
    if language not in LANGUAGES:
        raise ValueError(f"unsupported language: {language!r}")
    _translations = _catalog(language)
    _language = language


@lru_cache(maxsize=len(LANGUAGES))
def translations(language: str) -> gettext.NullTranslations:
    """The catalog of ``language`` on its own, for text in another language than the
    interface's (a printed document): the process-wide language is left alone."""
    if language not in LANGUAGES:
        raise ValueError(f"unsupported language: {language!r}")
    return _catalog(language)


def _catalog(language: str) -> gettext.NullTranslations:
    """The compiled catalog of ``language``; the English message ids when it is missing,
    said in the support log (an installation without its ``.mo`` files speaks English)."""
    found = gettext.translation(DOMAIN, localedir=LOCALE_DIR, languages=[language], fallback=True)
    if language != SOURCE_LANGUAGE and type(found) is gettext.NullTranslations:
        logger.warning(
            "translation catalog missing: resources/locale/%s/LC_MESSAGES/%s.mo; showing English",
            language,
            DOMAIN,
        )
    return found


def current_language() -> str:
    return _language


def _(message: str) -> str:
    return _translations.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translations.ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """``message`` in one of its meanings: one English word with two senses ("Released":
    a status and an event) gets a catalog context (``msgctxt``) per sense."""
    return _translations.pgettext(context, message)


def npgettext(context: str, singular: str, plural: str, n: int) -> str:
    return _translations.npgettext(context, singular, plural, n)


def N_(message: str) -> str:
    """Mark for extraction only; translate later with ``_``."""
    return message


CONTEXT_SEPARATOR = "\x04"


def NC_(context: str, message: str) -> str:
    """Mark a message with its context for a table translated later: the result is
    gettext's own key for a context entry, so ``_`` finds it; where the catalog lacks it,
    ``app.labels.label`` falls back to the plain message."""
    return f"{context}{CONTEXT_SEPARATOR}{message}"
