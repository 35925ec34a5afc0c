"""The catalogs and the instrument file speak the terminology table (docs/terminology.md).

A variant the table rules out (its machine-readable list), a French msgstr without the
no-break spaces French typography requires, a disk folder called a case file, or the
law number written another way fails here, with the entries to correct.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tools import po_catalog
from tools.french_typography import fix

ROOT = Path(__file__).resolve().parent.parent
TABLE = ROOT / "docs" / "terminology.md"
INSTRUMENTS = ROOT / "resources" / "instruments"
LAW = {"fr": "loi n°\u00a009-08", "ar": "القانون رقم 09-08"}


def _forbidden() -> dict[str, dict[str, re.Pattern[str]]]:
    block = re.search(r"```toml\n(.*?)```", TABLE.read_text(encoding="utf-8"), re.S)
    assert block is not None, "docs/terminology.md lost its list of forbidden variants"
    table = tomllib.loads(block.group(1))
    return {
        lang: {why: re.compile(rx, re.M) for why, rx in rules.items()}
        for lang, rules in table.items()
    }


def _instrument_texts(language: str) -> Iterator[tuple[str, str]]:
    """Every text of the instrument files in one language, with where it is."""

    def walk(node: object, where: str) -> Iterator[tuple[str, str]]:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == language and isinstance(value, str):
                    yield where, value
                else:
                    yield from walk(value, f"{where}.{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                yield from walk(value, f"{where}.{index}")

    for path in sorted(INSTRUMENTS.glob("*.yaml")):
        yield from walk(yaml.safe_load(path.read_text(encoding="utf-8")), path.name)


def _catalog_texts(language: str) -> Iterator[tuple[str, str]]:
    for entry in po_catalog.entries(language):
        for text in entry.strings:
            yield entry.msgid if entry.context is None else f"{entry.context}|{entry.msgid}", text


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_no_variant_the_table_rules_out(language: str) -> None:
    rules = _forbidden()[language]
    found = [
        f"{why}: {where!r} -> {text!r}"
        for source in (_catalog_texts(language), _instrument_texts(language))
        for where, text in source
        for why, rule in rules.items()
        if rule.search(text)
    ]
    assert found == []


def test_french_typography() -> None:
    """Narrow no-break space before ; ! ?, no-break space before : and inside « »."""
    wrong = [
        f"{where!r}: {text!r}"
        for source in (_catalog_texts("fr"), _instrument_texts("fr"))
        for where, text in source
        if fix(text) != text
    ]
    assert wrong == [], "run: .venv/bin/python tools/french_typography.py"


def test_a_disk_folder_is_not_a_case_file() -> None:
    wrong = [
        entry.msgid
        for entry in po_catalog.entries("fr")
        if re.search(r"\bfolder\b", re.sub(r"\{[^}]*\}", "", entry.msgid), re.I)
        and any("dossier" in text.lower() for text in entry.strings)
        and not re.search(r"\bcase", entry.msgid, re.I)
    ]
    assert wrong == []


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_the_law_is_written_the_same_on_every_paper(language: str) -> None:
    mentions = [
        text
        for entry in po_catalog.entries(language)
        if "09-08" in entry.msgid
        for text in entry.strings
    ]
    assert len(mentions) >= 4  # plan summary, referral slip, right-of-access export (twice)
    assert [text for text in mentions if LAW[language] not in text] == []


def test_fixer_rules() -> None:
    assert fix("Statut : {status}") == "Statut\u00a0: {status}"
    assert fix("Continuer ?") == "Continuer\u202f?"
    assert fix("clos ; suivi") == "clos\u202f; suivi"
    assert fix("« Libéré »") == "«\u00a0Libéré\u00a0»"
    assert fix("“CSV UTF-8”") == "«\u00a0CSV UTF-8\u00a0»"
    assert fix("{value!r} à 12:30, https://exemple.ma") == "{value!r} à 12:30, https://exemple.ma"
    assert fix("`passerelle sync --x`?") == "`passerelle sync --x`\u202f?"
    already = "Statut\u00a0: {status}\u202f!"
    assert fix(already) == already


def test_a_printed_line_never_starts_with_french_punctuation() -> None:
    """The documents' own line breaking (app.reports.text) breaks at ordinary spaces only:
    with the no-break spaces a colon, semicolon or question mark stays on its word's line."""
    from app.reports.text import Layout, TextStyle

    layout = Layout(TextStyle(size=10, leading=14))
    text = fix("Observations de clôture : le plan est revu ; est-ce utile ? « Libéré(e) »")
    for width in range(90, 260, 3):  # narrower, a word longer than the line is cut anywhere
        for line in layout.lines(text, width):
            shown = "".join(p.run.text for p in sorted(line.runs, key=lambda p: p.x)).strip()
            assert not shown.startswith((":", ";", "?", "»")), (width, shown)
            assert not shown.endswith("«"), (width, shown)


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_catalog_headers_name_the_team_and_the_revision(language: str) -> None:
    head = po_catalog.catalog_path(language).read_text(encoding="utf-8").split("\n\n", 1)[0]
    fields = dict(re.findall(r'^"([A-Za-z-]+): (.*?)\\n"$', head, re.M))
    assert fields["Last-Translator"] == fields["Language-Team"].split(" (")[0]
    assert "Passerelle" in fields["Language-Team"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d\+0000", fields["PO-Revision-Date"])
    assert not any(placeholder in head for placeholder in ("FULL NAME", "EMAIL@ADDRESS", "LL@li"))


def test_one_english_word_two_meanings_two_translations() -> None:
    """Contexts: a plan "Active" and a laptop "Active", a status "Released" and the
    event, a plan outcome "Transferred", an assessment and a referral "Completed"."""
    from app import i18n
    from app.labels import label
    from passerelle_core.enums import AssessmentStatus, PlanOutcome, PlanStatus, ReferralStatus

    said = {}
    try:
        for language in ("fr", "ar", "en"):
            i18n.set_language(language)
            said[language] = (
                label(PlanStatus.ACTIVE),
                i18n.pgettext("laptop", "Active"),
                i18n.pgettext("event", "Released"),
                label(PlanOutcome.TRANSFERRED),
                label(AssessmentStatus.COMPLETED),
                label(ReferralStatus.COMPLETED),
            )
    finally:
        i18n.set_language("en")
    assert said["fr"] == (
        "En vigueur", "Actif", "Libération", "Transfert vers un autre établissement",
        "Terminée", "Aboutie",
    )  # fmt: skip
    assert said["ar"][:4] == ("سارية", "مفعَّل", "الإفراج", "ترحيل إلى مؤسسة أخرى")
    assert said["en"] == ("Active", "Active", "Released", "Transferred", "Completed", "Completed")
