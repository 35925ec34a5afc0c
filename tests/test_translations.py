"""Every user-visible string is in the French and Arabic catalogs, with the same placeholders."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from app import i18n
from app.i18n import translations

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {
    "_": None,
    "N_": None,
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
    "NC_": ((1, "c"), 2),
}
PLACEHOLDER = re.compile(r"\{[a-z_]*\}")


def _source_messages() -> set[tuple[str | None, str]]:
    """(context, message id) of every marked string; the context is None without one."""
    found = set()
    for _file, _line, message, _comments, context in extract_from_dir(
        ROOT / "app", method_map=[("**.py", "python")], keywords=KEYWORDS
    ):
        found.add((context, message[0] if isinstance(message, tuple) else message))
    return found


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_catalog_translates_every_message(language: str) -> None:
    path = ROOT / "resources" / "locale" / language / "LC_MESSAGES" / "passerelle.po"
    with open(path, "rb") as handle:
        catalog = read_po(handle)
    problems = []
    for context, message_id in sorted(_source_messages(), key=lambda m: (m[1], m[0] or "")):
        entry = catalog.get(message_id, context)
        if entry is None:
            problems.append(f"missing: {message_id!r}")
            continue
        translations = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        if not all(translations) or entry.fuzzy:
            problems.append(f"untranslated or fuzzy: {message_id!r}")
            continue
        expected = set(PLACEHOLDER.findall(message_id))
        # A plural form may leave the number out where the language says it in words
        # (Arabic: مستفيد واحد, مستفيدان), never any other placeholder.
        may_omit: set[str] = set()
        if isinstance(entry.id, tuple):
            expected |= set(PLACEHOLDER.findall(entry.id[1]))
            may_omit = {"{count}", "{n}", "{days}"}
        for translation in translations:
            found = set(PLACEHOLDER.findall(translation))
            if not (expected - may_omit <= found <= expected):
                problems.append(f"placeholders differ: {message_id!r}")
    assert problems == []


def test_compiled_catalogs_are_used_at_runtime() -> None:
    try:
        i18n.set_language("fr")
        assert i18n._("Wrong passphrase.") == "Phrase secrète incorrecte."
        i18n.set_language("ar")
        assert i18n._("Wrong passphrase.") == "عبارة المرور غير صحيحة."
    finally:
        i18n.set_language("en")


NUMBER_THEN_NOUN = re.compile(r"\{(?:count|n|days)\}\s+\w")


def test_arabic_counted_nouns_take_their_plural_forms() -> None:
    """Arabic counts with six forms (CLDR): one, two, 3-10 (plural), 11-99 (singular,
    accusative), 100+ and zero. Where the number stands before its noun, the forms must
    differ at least for one, two and a few; "label: {count}" phrasings need no forms."""
    path = ROOT / "resources" / "locale" / "ar" / "LC_MESSAGES" / "passerelle.po"
    with open(path, "rb") as handle:
        catalog = read_po(handle)
    assert catalog.num_plurals == 6
    flat = []
    for entry in catalog:
        if not isinstance(entry.id, tuple) or not all(entry.string):
            continue
        if any(NUMBER_THEN_NOUN.search(form) for form in entry.string):
            if len(set(entry.string)) < 3:
                flat.append(entry.id[0])
    assert flat == []

    arabic = translations("ar")
    said = [
        arabic.ngettext("{count} beneficiary", "{count} beneficiaries", n).format(count=n)
        for n in (1, 2, 3, 11, 100)
    ]
    assert said == ["مستفيد واحد", "مستفيدان", "3 مستفيدين", "11 مستفيدًا", "100 مستفيد"]


def test_counted_cli_messages_agree_with_their_number() -> None:
    """Each counted message of the command line (issue 18): the Arabic forms for one, two
    and a few differ (واحد, the dual, the plural) and French singular and plural differ."""
    catalogs = {}
    for language in ("fr", "ar"):
        path = ROOT / "resources" / "locale" / language / "LC_MESSAGES" / "passerelle.po"
        with open(path, "rb") as handle:
            catalogs[language] = read_po(handle)
    cli = [
        message
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / "app" / "cli", method_map=[("**.py", "python")], keywords=KEYWORDS
        )
        if isinstance(message, tuple)
    ]
    assert len(cli) >= 20
    flat = []
    for message_id in cli:
        arabic = catalogs["ar"].get(message_id[0]).string
        french = catalogs["fr"].get(message_id[0]).string
        if len({arabic[1], arabic[2], arabic[3]}) < 3 or french[0] == french[2]:
            flat.append(message_id[0])
    assert flat == []

    arabic_cli = translations("ar")
    said = [
        arabic_cli.ngettext(
            "{count} row written to {path}.", "{count} rows written to {path}.", n
        ).format(count=n, path="a.csv")
        for n in (0, 1, 2, 3, 11, 100)
    ]
    assert said == [
        "لم يُحفظ أي سطر في a.csv.",
        "حُفظ سطر واحد في a.csv.",
        "حُفظ سطران في a.csv.",
        "حُفظت 3 أسطر في a.csv.",
        "حُفظ 11 سطرًا في a.csv.",
        "حُفظ 100 سطر في a.csv.",
    ]
