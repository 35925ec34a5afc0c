"""The shipped instrument is complete and trilingual; broken files fail with clear messages."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from app.instruments import (
    Instrument,
    InstrumentError,
    LocalizedText,
    available_instruments,
    builtin_instruments_dir,
    load_builtin,
    load_instrument,
    parse_instrument,
)

NEEDS_DOMAINS = {
    "housing",
    "education",
    "employment",
    "finances",
    "family",
    "children",
    "peers_leisure",
    "substance_use",
    "physical_health",
    "mental_health",
    "attitudes",
    "civil_status",
    "legal_situation",
    "strengths",
    "responsivity",
}
ARABIC_LETTER = re.compile(r"[\u0600-\u06FF]")
LATIN_LETTER = re.compile(r"[A-Za-z]")


def _texts(instrument: Instrument) -> Iterator[tuple[str, LocalizedText]]:
    """Every translatable text of an instrument, with where it is."""
    yield "title", instrument.title
    for scale in instrument.scales.values():
        for option in scale.options:
            yield f"scales.{scale.id}.{option.value}", option.label
    for domain in instrument.domains:
        yield f"{domain.id}.label", domain.label
        if domain.description is not None:
            yield f"{domain.id}.description", domain.description
        for item in domain.items:
            yield item.id, item.text


@pytest.fixture(scope="module")
def needs() -> Instrument:
    return load_builtin("passerelle-needs")


def test_shipped_instrument_covers_every_needs_domain(needs: Instrument) -> None:
    assert needs.key == "passerelle-needs@1"
    assert [d.id for d in needs.domains] == list(dict.fromkeys(d.id for d in needs.domains))
    assert {d.id for d in needs.domains} == NEEDS_DOMAINS
    for domain in needs.domains:
        assert 3 <= len(domain.items) <= 5, domain.id
        assert domain.description is not None, domain.id
        for item in domain.items:
            assert item.id.startswith(domain.id + "."), item.id
            assert needs.item(item.id) is item
    assert needs.thresholds.medium == 34
    assert needs.thresholds.high == 67


def test_strengths_are_protective_and_reverse_scored(needs: Instrument) -> None:
    protective = [d for d in needs.domains if d.protective]
    assert [d.id for d in protective] == ["strengths"]
    assert all(item.reverse for item in protective[0].items)
    others = [item for d in needs.domains if not d.protective for item in d.items]
    assert not any(item.reverse for item in others)


def test_every_text_exists_in_french_arabic_and_english(needs: Instrument) -> None:
    for where, text in _texts(needs):
        assert text.fr.strip() and text.ar.strip() and text.en.strip(), where
        arabic = len(ARABIC_LETTER.findall(text.ar))
        assert arabic > 0, f"{where}: no Arabic letters in {text.ar!r}"
        assert arabic > len(LATIN_LETTER.findall(text.ar)), where
        assert not ARABIC_LETTER.search(text.fr + text.en), where


def test_localized_text_falls_back_to_french(needs: Instrument) -> None:
    assert needs.title.get("ar") == needs.title.ar
    assert needs.title.get("en") == needs.title.en
    assert needs.title.get("de") == needs.title.fr


def test_builtin_lookup(needs: Instrument) -> None:
    path = builtin_instruments_dir() / "needs-v1.yaml"
    assert load_instrument(path) == needs
    assert load_builtin("passerelle-needs", 1) is needs
    assert needs in available_instruments()
    assert needs.scale_of("strengths.life_plan").id == "strength4"
    assert needs.domain("housing").label.en == "Housing after release"
    with pytest.raises(KeyError):
        needs.item("housing.nowhere")


def test_missing_builtin_is_an_instrument_error() -> None:
    with pytest.raises(InstrumentError, match="no built-in instrument 'nope'"):
        load_builtin("nope")
    with pytest.raises(InstrumentError, match="has no version 99"):
        load_builtin("passerelle-needs", 99)


# --- broken files -------------------------------------------------------------------


def _label(word: str) -> dict[str, str]:
    return {"fr": f"{word} (fr)", "ar": "نص عربي", "en": word}


VALID: dict[str, Any] = {
    "id": "tiny",
    "version": 1,
    "title": _label("Tiny"),
    "scales": {
        "need4": {"options": [{"value": v, "label": _label(str(v))} for v in range(4)]},
    },
    "thresholds": {"medium": 34, "high": 67},
    "domains": [
        {
            "id": "housing",
            "label": _label("Housing"),
            "items": [
                {"id": "housing.one", "text": _label("One"), "scale": "need4"},
                {"id": "housing.two", "text": _label("Two"), "scale": "need4"},
            ],
        }
    ],
}


def _write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_the_valid_fixture_loads(tmp_path: Path) -> None:
    instrument = load_instrument(_write(tmp_path, VALID))
    assert instrument.key == "tiny@1"
    assert instrument.scales["need4"].min_value == 0
    assert instrument.scales["need4"].max_value == 3


def _unknown_scale(d: dict[str, Any]) -> None:
    d["domains"][0]["items"][1]["scale"] = "foo"


def _duplicate_item(d: dict[str, Any]) -> None:
    d["domains"][0]["items"][1]["id"] = "housing.one"


def _missing_arabic(d: dict[str, Any]) -> None:
    del d["domains"][0]["label"]["ar"]


def _empty_arabic(d: dict[str, Any]) -> None:
    d["domains"][0]["items"][0]["text"]["ar"] = "  "


def _extra_key(d: dict[str, Any]) -> None:
    d["domains"][0]["colour"] = "red"


def _empty_domain(d: dict[str, Any]) -> None:
    d["domains"][0]["items"] = []


def _no_domains(d: dict[str, Any]) -> None:
    d["domains"] = []


def _duplicate_domain(d: dict[str, Any]) -> None:
    d["domains"].append(copy.deepcopy(d["domains"][0]))


def _wrong_prefix(d: dict[str, Any]) -> None:
    d["domains"][0]["items"][0]["id"] = "family.one"


def _bad_item_id(d: dict[str, Any]) -> None:
    d["domains"][0]["items"][0]["id"] = "One"


def _duplicate_scale_value(d: dict[str, Any]) -> None:
    d["scales"]["need4"]["options"][2]["value"] = 1


def _single_option(d: dict[str, Any]) -> None:
    del d["scales"]["need4"]["options"][1:]


def _scale_id_mismatch(d: dict[str, Any]) -> None:
    d["scales"]["need4"]["id"] = "need5"


def _thresholds_inverted(d: dict[str, Any]) -> None:
    d["thresholds"] = {"medium": 70, "high": 40}


def _version_text(d: dict[str, Any]) -> None:
    d["version"] = "one"


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (_unknown_scale, "domains.0.items.1.scale: unknown scale 'foo'"),
        (_duplicate_item, "domains.0.items.1.id: duplicate item id 'housing.one'"),
        (_missing_arabic, "domains.0.label.ar: required key is missing"),
        (_empty_arabic, "domains.0.items.0.text.ar: must not be empty"),
        (_extra_key, "domains.0.colour: unknown key"),
        (_empty_domain, "domains.0.items: domain 'housing' has no items"),
        (_no_domains, "domains: an instrument needs at least one domain"),
        (_duplicate_domain, "domains.1.id: duplicate domain id 'housing'"),
        (_wrong_prefix, "domains.0.items.0.id: item id 'family.one' must start with 'housing.'"),
        (_bad_item_id, "domains.0.items.0.id: 'One' is not of the form"),
        (_duplicate_scale_value, "scales.need4.options.2.value: duplicate value 1"),
        (_single_option, "scales.need4.options: a scale needs at least two options"),
        (_scale_id_mismatch, "scales.need4.id: scale id differs from its key 'need4'"),
        (_thresholds_inverted, "thresholds: thresholds must satisfy"),
        (_version_text, "version: expected a whole number"),
    ],
)
def test_broken_file_names_file_and_location(
    tmp_path: Path, mutate: Callable[[dict[str, Any]], None], expected: str
) -> None:
    data = copy.deepcopy(VALID)
    mutate(data)
    with pytest.raises(InstrumentError) as caught:
        load_instrument(_write(tmp_path, data))
    message = str(caught.value)
    assert message.startswith(f"broken.yaml: {expected}")
    assert "\n" not in message
    assert "pydantic" not in message and "validation error" not in message


def test_several_problems_are_counted() -> None:
    data = copy.deepcopy(VALID)
    del data["title"]
    data["colour"] = "red"
    with pytest.raises(InstrumentError, match=r"^<string>: title: .*\(and 1 more problem\)$"):
        parse_instrument(yaml.safe_dump(data))


def test_bad_yaml_gives_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("id: tiny\ntitle: {fr: [unclosed\n", encoding="utf-8")
    with pytest.raises(InstrumentError, match=r"^broken\.yaml: invalid YAML at line \d+"):
        load_instrument(path)


@pytest.mark.parametrize("text", ["- a list\n- of things\n", "just text\n", ""])
def test_top_level_must_be_a_mapping(text: str) -> None:
    with pytest.raises(InstrumentError, match="^x.yaml: the top level must be a mapping"):
        parse_instrument(text, source="x.yaml")


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(InstrumentError, match="^missing.yaml: cannot read the file"):
        load_instrument(tmp_path / "missing.yaml")
    latin1 = tmp_path / "latin1.yaml"
    latin1.write_bytes("id: é".encode("latin-1"))
    with pytest.raises(InstrumentError, match="^latin1.yaml: the file is not UTF-8"):
        load_instrument(latin1)


def test_models_are_frozen(tmp_path: Path) -> None:
    instrument = load_instrument(_write(tmp_path, VALID))
    with pytest.raises(ValueError, match="frozen"):
        instrument.version = 2  # type: ignore[misc]
