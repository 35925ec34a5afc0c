"""``passerelle duplicates`` in a subprocess: the pairs, one a line; merge; dismiss."""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path

from app.services import beneficiaries, owner
from app.store.profile import Profile
from tests.cli.test_cli import PASSPHRASE, assert_one_line_error, passerelle


def _register(folder: Path, *people: dict[str, object]) -> list[uuid.UUID]:
    with Profile.open(folder, PASSPHRASE) as profile:
        ctx = owner.owner_context(profile.sessions)
        return [beneficiaries.register(ctx, dict(person)).id for person in people]


def test_list_merge_and_dismiss(tmp_path: Path) -> None:
    folder = tmp_path / "profile"
    assert passerelle("init", "--profile", folder, "--name", "Samira Alaoui").returncode == 0
    born = date(1988, 5, 17)
    first, second, third, fourth = _register(
        folder,
        {"last_name": "Idrissi", "first_name": "Mohamed", "birth_date": born},
        {"last_name": "El Idrissi", "first_name": "Mohammed", "birth_date": born},
        {"last_name": "Bennani", "first_name": "Youssef", "birth_date": date(1979, 1, 2)},
        {"last_name": "Benani", "first_name": "Youssef", "birth_date": date(1979, 1, 2)},
    )
    listed = passerelle("duplicates", "--profile", folder)
    assert listed.returncode == 0, listed.stderr
    rows = [line.split("\t") for line in listed.stdout.splitlines()]
    assert {frozenset(row[1:3]) for row in rows} == {
        frozenset({str(first), str(second)}),
        frozenset({str(third), str(fourth)}),
    }
    for row in rows:
        assert len(row) == 6 and 0 < int(row[0]) <= 100 and row[5]
    idrissi = next(row for row in rows if str(first) in row[1:3])
    assert {idrissi[3], idrissi[4]} == {"Idrissi Mohamed", "El Idrissi Mohammed"}

    merged = passerelle(
        "duplicates", "--profile", folder, "--merge", first, second, "--reason", "Même personne"
    )
    assert merged.returncode == 0, merged.stderr
    dismissed = passerelle("duplicates", "--profile", folder, "--dismiss", third, fourth)
    assert dismissed.returncode == 0, dismissed.stderr
    after = passerelle("duplicates", "--profile", folder)
    assert after.returncode == 0 and after.stdout == ""
    searched = passerelle("search", "--profile", folder, "Idrissi").stdout
    assert str(first) in searched and str(second) not in searched

    again = passerelle("duplicates", "--profile", folder, "--merge", first, second)
    assert_one_line_error(again, "not found")
    both = passerelle(
        "duplicates", "--profile", folder, "--merge", first, third, "--dismiss", first, third
    )
    assert_one_line_error(both, "not both")
