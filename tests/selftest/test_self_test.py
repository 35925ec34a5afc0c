"""``passerelle self-test`` and ``--version`` from source, as IT staff run them."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from importlib.metadata import version
from pathlib import Path

import pytest

from app.selftest import run_self_test
from app.selftest.checks import Workbench

CHECKS = ["profile", "record", "search", "pdf", "cleanup", "catalogs", "qt"]


def passerelle(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PASSERELLE_")}
    env.update(
        HOME=str(home),
        XDG_DATA_HOME=str(home / "data"),
        XDG_CONFIG_HOME=str(home / "config"),
        TMPDIR=str(home / "tmp"),
        QT_QPA_PLATFORM="offscreen",
    )
    (home / "tmp").mkdir(parents=True, exist_ok=True)
    return subprocess.run(
        [sys.executable, "-m", "app", "--lang", "en", *args],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=300,
    )


def test_version_comes_from_the_package_metadata(tmp_path: Path) -> None:
    result = passerelle("--version", home=tmp_path)
    assert result.returncode == 0
    assert result.stdout.strip() == f"passerelle {version('passerelle')}"


def test_self_test_passes_and_leaves_nothing_behind(tmp_path: Path) -> None:
    result = passerelle("self-test", home=tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0] == f"Passerelle {version('passerelle')} self-test"
    assert [line.split()[:2] for line in lines[1:-1]] == [["OK", name] for name in CHECKS]
    assert lines[-1] == "Self-test passed: 7 checks."
    assert list((tmp_path / "tmp").iterdir()) == []  # the scratch profile is gone
    assert not (tmp_path / "data").exists()  # no real profile was touched


def test_the_application_can_report_its_first_window(tmp_path: Path) -> None:
    """The hook the bundle's test and the start-up benchmark rely on."""
    result = passerelle("--exit-when-shown", home=tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["window shown"]
    assert "Traceback" not in result.stderr
    assert (tmp_path / "data" / "Passerelle" / "profiles" / "demo" / "profile.json").is_file()


def test_a_failed_check_is_reported_and_the_others_still_run(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))

    def broken(_bench: Workbench) -> str:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(Workbench, "check_record", broken)
    results = {result.name: result for result in run_self_test(qt=False)}

    assert list(results) == CHECKS[:-1]
    failed = {name for name, result in results.items() if not result.ok}
    assert failed == {"record", "search", "pdf"}
    assert results["record"].detail == "RuntimeError: disk on fire"
    assert results["record"].trace is not None and "disk on fire" in results["record"].trace
    assert results["search"].detail == "not run: the record could not be written"
    assert results["search"].trace is None
    assert results["cleanup"].ok
    assert list(tmp_path.iterdir()) == []


def test_the_scratch_folder_is_removed_when_the_run_is_abandoned(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    checks = run_self_test(qt=False)
    assert next(checks).ok  # the profile exists now
    assert list(tmp_path.iterdir()) != []
    checks.close()  # e.g. Ctrl+C between two checks
    assert list(tmp_path.iterdir()) == []
