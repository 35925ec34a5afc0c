"""The command line can be trusted: reads logged, one passphrase policy, no surprise overwrite.

Real profiles, real subprocesses, as support staff run them (issue 22).
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from app.cli.unlock import WAIT_FILE
from app.store.profile import is_profile
from tests.cli.test_cli import PASSPHRASE, assert_one_line_error, passerelle


@pytest.fixture(scope="module")
def supervisor(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A supervisor's profile (who may read the access log) with a little demo data."""
    folder = tmp_path_factory.mktemp("trust") / "profile"
    made = passerelle(
        "init", "--profile", folder, "--name", "Nadia Berrada", "--role", "supervisor"
    )
    assert made.returncode == 0, made.stderr
    filled = passerelle("demo", "--profile", folder, "--beneficiaries", "12", "--seed", "3")
    assert filled.returncode == 0, filled.stderr
    assert "12 beneficiaries" in filled.stdout
    return folder


def _log(profile: Path, tmp_path: Path) -> list[dict[str, str]]:
    out = tmp_path / f"log-{uuid.uuid4().hex[:6]}.csv"
    exported = passerelle("audit", "export", "--profile", profile, "--out", out)
    assert exported.returncode == 0, exported.stderr
    text = out.read_text(encoding="utf-8-sig")
    dialect = csv.Sniffer().sniff(text.splitlines()[0], delimiters=",;")
    return list(csv.DictReader(io.StringIO(text), dialect=dialect))


def test_unlock_and_search_results_are_in_the_access_log(supervisor: Path, tmp_path: Path) -> None:
    found = passerelle("search", "--profile", supervisor, "a", "--limit", "3")
    assert found.returncode == 0, found.stderr
    shown = {line.split("\t")[0] for line in found.stdout.splitlines()}
    assert 1 <= len(shown) <= 3
    rows = _log(supervisor, tmp_path)
    actions = [row["action"] for row in rows]
    assert "unlock" in actions
    viewed = {row["record_id"] for row in rows if row["action"] == "view"}
    assert shown <= viewed
    # the export itself is recorded, and shows in the next export
    assert any(row["action"] == "export" for row in _log(supervisor, tmp_path))


@pytest.mark.parametrize("command", ["init", "passwd"])
def test_weak_passphrases_are_refused_like_the_first_run_screen(
    command: str, supervisor: Path, tmp_path: Path
) -> None:
    if command == "init":
        result = passerelle("init", "--profile", tmp_path / "p", passphrase="password")
        assert not is_profile(tmp_path / "p")
    else:
        result = passerelle(
            "passwd", "--profile", supervisor, PASSERELLE_NEW_PASSPHRASE="motdepasse2024"
        )
    assert_one_line_error(result, "too weak")


def test_passwd_without_a_new_passphrase_names_the_right_option(supervisor: Path) -> None:
    result = passerelle("passwd", "--profile", supervisor)
    assert_one_line_error(result, "--new-passphrase-file")
    assert "PASSERELLE_NEW_PASSPHRASE" in result.stderr


def test_wrong_passphrases_make_the_next_attempt_wait(tmp_path: Path) -> None:
    """Counted across runs; the wait is the unlock screen's (2 s after the third, doubling)."""
    folder = tmp_path / "waits"
    assert passerelle("init", "--profile", folder).returncode == 0
    for _attempt in range(3):  # two are free (typos), the third starts the wait
        assert_one_line_error(passerelle("check", "--profile", folder, passphrase="nope"), "Wrong")
    state = json.loads((folder / WAIT_FILE).read_text(encoding="utf-8"))
    assert state["failures"] == 3
    assert state["until"] > time.time() - 60  # set from the third failure's time
    # as if the last failure had just happened on a slow machine: even the right one waits
    (folder / WAIT_FILE).write_text(json.dumps({**state, "until": time.time() + 60}))
    assert_one_line_error(passerelle("check", "--profile", folder), "try again in")
    (folder / WAIT_FILE).write_text(json.dumps({**state, "until": time.time() - 1}))
    assert passerelle("check", "--profile", folder).returncode == 0
    assert not (folder / WAIT_FILE).exists()  # the right passphrase clears the count


def test_backup_never_overwrites_without_force(supervisor: Path, tmp_path: Path) -> None:
    out = tmp_path / "new" / "folder" / "backup.zip"
    first = passerelle("backup", "--profile", supervisor, "--out", out)
    assert first.returncode == 0, first.stderr
    before = out.read_bytes()
    again = passerelle("backup", "--profile", supervisor, "--out", out)
    assert_one_line_error(again, "already exists")
    assert out.read_bytes() == before
    forced = passerelle("backup", "--profile", supervisor, "--out", out, "--force")
    assert forced.returncode == 0, forced.stderr


def test_export_format_follows_the_extension(supervisor: Path, tmp_path: Path) -> None:
    clash = passerelle(
        "export",
        "--profile",
        supervisor,
        "--what",
        "indicators",
        "--format",
        "xlsx",
        "--out",
        tmp_path / "x.csv",
    )
    assert_one_line_error(clash, "x.csv")
    assert not (tmp_path / "x.csv").exists()
    guessed = passerelle(
        "export", "--profile", supervisor, "--what", "indicators", "--out", tmp_path / "i.xlsx"
    )
    assert guessed.returncode == 0, guessed.stderr
    assert (tmp_path / "i.xlsx").read_bytes()[:2] == b"PK"


def test_report_into_a_folder_names_the_folder(supervisor: Path, tmp_path: Path) -> None:
    result = passerelle(
        "report",
        "activity",
        "--profile",
        supervisor,
        "--from",
        "2026-01-01",
        "--to",
        "2026-01-31",
        "--out",
        tmp_path,
    )
    assert_one_line_error(result, str(tmp_path))
    assert ".tmp" not in result.stderr and ".part" not in result.stderr


def test_access_export_makes_its_folder_and_keeps_the_last_one(
    supervisor: Path, tmp_path: Path
) -> None:
    listing = passerelle("search", "--profile", supervisor, "a", "--limit", "1")
    beneficiary = listing.stdout.split("\t")[0]
    folder = tmp_path / "requests" / "2026"
    made = passerelle(
        "access-export", "--profile", supervisor, "--beneficiary", beneficiary, "--out", folder
    )
    assert made.returncode == 0, made.stderr
    assert len(list(folder.iterdir())) == 2
    again = passerelle(
        "access-export", "--profile", supervisor, "--beneficiary", beneficiary, "--out", folder
    )
    assert_one_line_error(again, "already exists")


def test_french_output_is_french(supervisor: Path) -> None:
    environment_lang = passerelle("stats", "--profile", supervisor)  # --lang en by the helper
    assert "deleted record" in environment_lang.stdout
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PASSERELLE_")}
    french = subprocess.run(
        [sys.executable, "-m", "app", "stats", "--profile", str(supervisor)],
        capture_output=True,
        text=True,
        env={**environment, "PASSERELLE_PASSPHRASE": PASSPHRASE},
        stdin=subprocess.DEVNULL,
        timeout=120,
        check=False,
    )
    assert french.returncode == 0, french.stderr
    assert "supprimé" in french.stdout and "deleted" not in french.stdout
