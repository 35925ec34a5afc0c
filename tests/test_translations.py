"""Every user-visible string is in the French and Arabic catalogs, with the same placeholders."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from app import i18n

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
PLACEHOLDER = re.compile(r"\{[a-z_]*\}")


def _source_messages() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        ROOT / "app", method_map=[("**.py", "python")], keywords=KEYWORDS
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_catalog_translates_every_message(language: str) -> None:
    path = ROOT / "resources" / "locale" / language / "LC_MESSAGES" / "passerelle.po"
    with open(path, "rb") as handle:
        catalog = read_po(handle)
    problems = []
    for message_id in sorted(_source_messages()):
        entry = catalog.get(message_id)
        if entry is None:
            problems.append(f"missing: {message_id!r}")
            continue
        translations = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        if not all(translations) or entry.fuzzy:
            problems.append(f"untranslated or fuzzy: {message_id!r}")
            continue
        expected = set(PLACEHOLDER.findall(message_id))
        for translation in translations:
            if set(PLACEHOLDER.findall(translation)) != expected:
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
