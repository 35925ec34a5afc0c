"""``passerelle appointment`` and ``passerelle agenda`` in a subprocess, as scripts use them."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.cli.test_cli import assert_one_line_error, passerelle


@pytest.fixture(scope="module")
def profile_with_people(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    folder = tmp_path_factory.mktemp("agenda") / "profile"
    created = passerelle("init", "--profile", folder, "--name", "Samira Alaoui")
    assert created.returncode == 0, created.stderr
    filled = passerelle("demo", "--profile", folder, "--beneficiaries", "8", "--seed", "3")
    assert filled.returncode == 0, filled.stderr
    first = passerelle("search", "--profile", folder, "a").stdout.splitlines()[0].split("\t")
    return folder, first[0], first[1]


def test_make_then_list_then_export_without_names(
    profile_with_people: tuple[Path, str, str], tmp_path: Path
) -> None:
    folder, person, name = profile_with_people
    day = date.today() + timedelta(days=2)
    made = passerelle(
        "appointment", "--profile", folder, "--beneficiary", person,
        "--at", f"{day:%Y-%m-%d} 09:30", "--purpose", "Logement\tà la sortie", "--place", "office",
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    appointment_id = made.stdout.strip().rsplit(" ", 1)[-1]
    uuid.UUID(appointment_id)

    listed = passerelle("agenda", "--profile", folder, "--from", f"{day}", "--to", f"{day}")
    assert listed.returncode == 0, listed.stderr
    [row] = [line.split("\t") for line in listed.stdout.splitlines()]
    assert row[4].casefold() == name.casefold()
    assert row[:4] + row[5:] == [
        f"{day:%Y-%m-%d} 09:30", "planned", "office", person, "Logement à la sortie",
        appointment_id,
    ]  # fmt: skip
    assert passerelle("agenda", "--profile", folder).stdout.count(appointment_id) == 1

    out = tmp_path / "agenda.ics"
    exported = passerelle("agenda", "--profile", folder, "--ics", out)
    assert exported.returncode == 0, exported.stderr
    assert "not encrypted" in exported.stderr
    text = out.read_text(encoding="utf-8").casefold()
    assert "begin:vevent" in text and person[:8] in text
    for word in (*(w for w in name.split() if len(w) > 3), "Logement"):
        assert word.casefold() not in text
    again = passerelle("agenda", "--profile", folder, "--ics", out)
    assert_one_line_error(again, "already exists")
    named = passerelle("agenda", "--profile", folder, "--ics", out, "--with-names", "--force")
    assert named.returncode == 0 and name.split()[-1] in out.read_text(encoding="utf-8")


def test_refusals_are_one_line(profile_with_people: tuple[Path, str, str]) -> None:
    folder, person, _name = profile_with_people
    bad_time = passerelle(
        "appointment", "--profile", folder, "--beneficiary", person, "--at", "demain"
    )
    assert_one_line_error(bad_time, "YYYY-MM-DD HH:MM")
    unknown = passerelle(
        "appointment", "--profile", folder, "--beneficiary", str(uuid.uuid4()),
        "--at", "2026-12-24 10:00",
    )  # fmt: skip
    assert_one_line_error(unknown, "not found")
    half = passerelle("agenda", "--profile", folder, "--from", "2026-12-01")
    assert_one_line_error(half, "--from and --to")
