"""The ``passerelle`` command line, end to end in a subprocess, as support staff use it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

PASSPHRASE = "une phrase secrète"


def passerelle(
    *args: str | Path, passphrase: str | None = PASSPHRASE, **env: str
) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PASSERELLE_")}
    if passphrase is not None:
        environment["PASSERELLE_PASSPHRASE"] = passphrase
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-m", "app", "--lang", "en", *map(str, args)],
        capture_output=True,
        text=True,
        env=environment,
        stdin=subprocess.DEVNULL,
        timeout=300,
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], expected: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert expected in lines[0]


@pytest.fixture(scope="module")
def demo_profile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli") / "profile"
    created = passerelle(
        "init", "--profile", folder, "--name", "Samira Alaoui", "--role", "psychologist"
    )
    assert created.returncode == 0, created.stderr
    filled = passerelle("demo", "--profile", folder, "--beneficiaries", "60", "--seed", "7")
    assert filled.returncode == 0, filled.stderr
    return folder


def test_version() -> None:
    result = passerelle("--version")
    assert result.returncode == 0
    assert result.stdout.startswith("passerelle ")


def test_init_twice_is_refused(demo_profile: Path) -> None:
    assert_one_line_error(passerelle("init", "--profile", demo_profile), "already exists")


def test_stats_counts_demo_records(demo_profile: Path) -> None:
    result = passerelle("stats", "--profile", demo_profile)
    assert result.returncode == 0, result.stderr
    counts = {line.split()[0]: int(line.split()[1]) for line in result.stdout.splitlines()}
    assert counts["beneficiary"] == 60
    assert counts["staff_member"] >= 2
    assert counts["needs_assessment"] > 0


def test_search_prints_id_names_and_cin(demo_profile: Path) -> None:
    from uuid import UUID

    listing = passerelle("search", "--profile", demo_profile, "a")
    assert listing.returncode == 0, listing.stderr
    rows = [line.split("\t") for line in listing.stdout.splitlines()]
    for row in rows:
        UUID(row[0])
    first = next(row for row in rows if row[3])  # someone with a CIN (not every file has one)
    last_name = first[1].split()[0]
    cin = first[3]
    by_cin = passerelle("search", "--profile", demo_profile, cin)
    assert by_cin.stdout.splitlines()[0].split("\t")[0] == first[0]
    by_name = passerelle("search", "--profile", demo_profile, last_name.lower())
    assert first[0] in by_name.stdout


def test_wrong_passphrase_one_line(demo_profile: Path) -> None:
    result = passerelle("stats", "--profile", demo_profile, passphrase="not the right one")
    assert_one_line_error(result, "Wrong passphrase")


def test_missing_profile_one_line(tmp_path: Path) -> None:
    result = passerelle("search", "--profile", tmp_path / "absent", "x")
    assert_one_line_error(result, "No profile found")


def test_no_passphrase_without_terminal(demo_profile: Path) -> None:
    result = passerelle("stats", "--profile", demo_profile, passphrase=None)
    assert_one_line_error(result, "PASSERELLE_PASSPHRASE")


def test_passphrase_file(demo_profile: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text(PASSPHRASE + "\n", encoding="utf-8")
    result = passerelle(
        "stats", "--profile", demo_profile, "--passphrase-file", secret, passphrase=None
    )
    assert result.returncode == 0, result.stderr


def test_passwd_backup_restore_rekey(tmp_path: Path) -> None:
    folder = tmp_path / "p"
    assert passerelle("init", "--profile", folder).returncode == 0
    assert passerelle("demo", "--profile", folder, "--beneficiaries", "5").returncode == 0
    archive = tmp_path / "backup.zip"
    backed_up = passerelle("backup", "--profile", folder, "--out", archive)
    assert backed_up.returncode == 0, backed_up.stderr

    changed = passerelle(
        "passwd", "--profile", folder, PASSERELLE_NEW_PASSPHRASE="the new passphrase"
    )
    assert changed.returncode == 0, changed.stderr
    assert_one_line_error(passerelle("stats", "--profile", folder), "Wrong passphrase")
    new_ok = passerelle("stats", "--profile", folder, passphrase="the new passphrase")
    assert new_ok.returncode == 0

    rekeyed = passerelle("rekey", "--profile", folder, passphrase="the new passphrase")
    assert rekeyed.returncode == 0, rekeyed.stderr
    checked = passerelle("check", "--profile", folder, passphrase="the new passphrase")
    assert checked.returncode == 0 and "sound" in checked.stdout

    # The backup opens with the passphrase of its time; the current profile is kept aside.
    assert_one_line_error(
        passerelle("restore", "--profile", folder, archive, passphrase="the new passphrase"),
        "Wrong passphrase",
    )
    restored = passerelle("restore", "--profile", folder, archive)
    assert restored.returncode == 0, restored.stderr
    assert "kept in" in restored.stdout
    stats = passerelle("stats", "--profile", folder)
    assert stats.returncode == 0, stats.stderr
    assert any(p.name.startswith("p.before-restore-") for p in tmp_path.iterdir())


def test_restore_of_damaged_backup(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.zip"
    bogus.write_bytes(b"PK\x03\x04 this is not really a zip")
    result = passerelle("restore", "--profile", tmp_path / "target", bogus)
    assert_one_line_error(result, "damaged")
    assert not (tmp_path / "target").exists()


def test_import_csv(demo_profile: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "beneficiaires.csv"
    sheet.write_text(
        "last_name,first_name,last_name_ar,first_name_ar,cin,registration_number,birth_date,"
        "sex,facility,legal_status,expected_release_date\n"
        "Berrada,Nadia,برادة,نادية,ZZ112233,E-1,1985-04-12,F,Prison locale Oukacha,"
        "sentenced,2027-02-01\n"
        "Tahiri,Omar,,,ZZ445566,E-2,1990-13-45,M,,sentenced,\n",
        encoding="utf-8",
    )
    refused = passerelle("import", "--profile", demo_profile, sheet)
    assert refused.returncode == 1
    assert "Line 3" in refused.stderr and "Line 3" not in refused.stdout  # errors on stderr
    assert "Tahiri" not in refused.stdout + refused.stderr
    dry = passerelle("import", "--profile", demo_profile, sheet, "--dry-run", "--skip-invalid")
    assert dry.returncode == 1  # a dry run that would reject rows says so
    assert "1 row would be written" in dry.stdout and "1 row rejected" in dry.stdout
    assert "ZZ112233" not in passerelle("search", "--profile", demo_profile, "ZZ112233").stdout
    done = passerelle("import", "--profile", demo_profile, sheet, "--skip-invalid")
    assert done.returncode == 0, done.stdout + done.stderr
    found = passerelle("search", "--profile", demo_profile, "برادة")
    assert "ZZ112233" in found.stdout
