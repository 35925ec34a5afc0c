"""``passerelle import`` in a subprocess: mapping files, the summary and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.test_cli import passerelle


@pytest.fixture(scope="module")
def profile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli-import") / "profile"
    created = passerelle("init", "--profile", folder, "--name", "Samira Alaoui")
    assert created.returncode == 0, created.stderr
    return folder


def sheet(folder: Path, *lines: str) -> Path:
    path = folder / "liste.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_write_mapping_then_import_with_a_changed_mapping(profile: Path, tmp_path: Path) -> None:
    path = sheet(
        tmp_path,
        "Liste des bénéficiaires – 2026;;;",
        "Nom;Prénom;Pièce;Remarque",
        "Kettani;Leila;ab 445566;suivie",
    )
    written = tmp_path / "mapping.json"

    dry = passerelle("import", "--profile", profile, path, "--dry-run", "--write-mapping", written)

    assert dry.returncode == 0, dry.stdout + dry.stderr
    columns = json.loads(written.read_text(encoding="utf-8"))["columns"]
    assert columns == {"Nom": "last_name", "Prénom": "first_name", "Pièce": "cin",
                       "Remarque": None}  # fmt: skip
    assert "warning: Column “Remarque” is not imported." in dry.stderr
    assert "1 row would be written (1 to create, 0 to update)." in dry.stdout
    assert "Dry run: nothing was written." in dry.stdout
    columns["Remarque"] = "address"
    written.write_text(json.dumps({"version": 1, "columns": columns}), encoding="utf-8")

    done = passerelle("import", "--profile", profile, path, "--mapping", written)

    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 row written (1 created, 0 updated)." in done.stdout
    assert "0 facilities created." in done.stdout
    assert "not imported" not in done.stdout
    found = passerelle("search", "--profile", profile, "AB445566")
    assert "Kettani" in found.stdout


def test_summary_and_exit_codes_when_rows_are_rejected(profile: Path, tmp_path: Path) -> None:
    path = sheet(
        tmp_path,
        "Nom;Prénom;Établissement;Date de naissance",
        "Lahlou;Sara;Centre Atlas;03/14/1990",
        "Lahlou;Yassine;Centre Atlas;31/31/1990",
    )

    dry = passerelle("import", "--profile", profile, path, "--dry-run")
    real = passerelle("import", "--profile", profile, path)
    skipped = passerelle("import", "--profile", profile, path, "--skip-invalid")

    assert dry.returncode == 1
    assert "1 row rejected (1 error)." in dry.stdout
    assert "1 facility would be created: Centre Atlas." in dry.stdout
    assert real.returncode == 1
    assert "0 rows written." in real.stdout and "Nothing was written" in real.stdout
    assert "created (" not in real.stdout
    assert skipped.returncode == 0
    assert "1 row written (1 created, 0 updated)." in skipped.stdout
    assert "1 facility created: Centre Atlas." in skipped.stdout
    assert "Sara" not in dry.stdout + real.stdout + skipped.stdout


def test_a_bad_mapping_file_is_one_line_on_stderr(profile: Path, tmp_path: Path) -> None:
    path = sheet(tmp_path, "Nom;Prénom", "Kettani;Leila")
    bad = tmp_path / "bad.json"
    bad.write_text('{"columns": {"Nom": "last_name", "Prénom": "religion"}}', encoding="utf-8")

    result = passerelle("import", "--profile", profile, path, "--mapping", bad)

    assert result.returncode == 1
    assert "Unknown field “religion”" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
