"""The installable bundle: built with `make dist`, then used the way IT staff use it.

One fresh build per run (about a minute on two cores) into a scratch folder, so the
test never trusts a stale bundle; then the bundle runs with no Python of ours around
it: `--version`, `self-test`, the window, the tarball and its install script.
"""

from __future__ import annotations

import os
import subprocess
import tarfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
VERSION = version("passerelle")
CHECKS = ["profile", "record", "search", "pdf", "cleanup", "catalogs", "qt"]


@dataclass(frozen=True)
class Build:
    dist: Path
    work: Path

    @property
    def folder(self) -> Path:
        return self.dist / "passerelle"

    @property
    def executable(self) -> Path:
        return self.folder / "passerelle"


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    scratch = tmp_path_factory.mktemp("bundle")
    built = Build(scratch / "dist", scratch / "build")
    result = subprocess.run(
        ["make", "--no-print-directory", "dist", f"DISTDIR={built.dist}", f"BUILDDIR={built.work}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return built


def clean_env(home: Path) -> dict[str, str]:
    """A user with an empty home, no virtualenv and no display."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PASSERELLE_", "PYTHON", "VIRTUAL_ENV", "QT_"))
    }
    env.update(
        HOME=str(home),
        XDG_DATA_HOME=str(home / "data"),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_CACHE_HOME=str(home / "cache"),
        QT_QPA_PLATFORM="offscreen",
        LANG="C.UTF-8",
        PATH="/usr/bin:/bin",
    )
    return env


def run(*command: str | Path, home: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(part) for part in command],
        capture_output=True,
        text=True,
        env=clean_env(home),
        cwd=home,
        stdin=subprocess.DEVNULL,
        timeout=300,
    )


def test_the_bundle_says_its_version(build: Build, tmp_path: Path) -> None:
    result = run(build.executable, "--version", home=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"passerelle {VERSION}"


def test_the_bundle_passes_its_self_test(build: Build, tmp_path: Path) -> None:
    result = run(build.executable, "--lang", "en", "self-test", home=tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert [line.split()[:2] for line in lines[1:-1]] == [["OK", name] for name in CHECKS]
    assert "Traceback" not in result.stderr


def test_the_first_start_creates_the_demo_profile_and_shows_the_window(
    build: Build, tmp_path: Path
) -> None:
    result = run(build.executable, "--exit-when-shown", home=tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["window shown"]
    assert "Traceback" not in result.stderr
    assert (tmp_path / "data" / "Passerelle" / "profiles" / "demo" / "profile.json").is_file()


def test_the_application_keeps_running(build: Build, tmp_path: Path) -> None:
    """A few seconds of the real application, as a user starts it, without an error."""
    process = subprocess.Popen(
        [str(build.executable)],
        env=clean_env(tmp_path),
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 6
        while time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.2)
        running = process.poll() is None
    finally:
        process.terminate()
        _out, err = process.communicate(timeout=30)
    assert running, err
    assert "Traceback" not in err
    assert (tmp_path / "data" / "Passerelle" / "profiles" / "demo").is_dir()


def test_the_bundle_carries_what_the_client_needs_and_nothing_more(build: Build) -> None:
    contents = build.folder / "_internal"
    for needed in (
        "resources/locale/fr/LC_MESSAGES/passerelle.mo",
        "resources/locale/ar/LC_MESSAGES/passerelle.mo",
        "resources/fonts/OFL.txt",
        "resources/fonts/NotoNaskhArabic-Regular.ttf",
        "resources/instruments/needs-v1.yaml",
        "resources/icons/passerelle-256.png",
        "app/store/migrations/env.py",
        "app/store/migrations/versions/0002_search_index.py",
        f"passerelle-{VERSION}.dist-info/METADATA",
        "PySide6/Qt/plugins/platforms/libqxcb.so",
        "PySide6/Qt/plugins/platforms/libqwayland.so",
        "PySide6/Qt/plugins/platforms/libqoffscreen.so",
        "PySide6/Qt/translations/qtbase_fr.qm",
    ):
        assert (contents / needed).is_file(), needed
    sqlcipher = list((contents / "sqlcipher3").glob("_sqlite3*.so"))
    assert len(sqlcipher) == 1

    present = {path.relative_to(contents).as_posix() for path in contents.rglob("*")}
    for unwanted in (
        "server",
        "fastapi",
        "uvicorn",
        "psycopg",
        "tests",
        "PySide6/QtNetwork.abi3.so",
        "PySide6/Qt/plugins/imageformats",
        "PySide6/Qt/plugins/platforms/libqeglfs.so",
        "PySide6/Qt/plugins/platformthemes/libqgtk3.so",
        "PySide6/Qt/translations/qtbase_de.qm",
    ):
        assert unwanted not in present, unwanted
    assert not any("QtQml" in name or "QtQuick" in name for name in present)


@pytest.fixture
def unpacked(build: Build, tmp_path: Path) -> Iterator[Path]:
    """`make dist-tar`'s step after `make dist`, unpacked as a user would."""
    result = subprocess.run(
        ["sh", "installer/linux/make-tarball.sh", str(build.dist), str(build.work)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    archive = Path(result.stdout.strip())
    assert archive.name == f"passerelle-{VERSION}-linux-{os.uname().machine}.tar.gz"
    with tarfile.open(archive) as tar:
        tar.extractall(tmp_path / "unpacked", filter="tar")
    archive.unlink()
    yield tmp_path / "unpacked" / f"passerelle-{VERSION}"


def test_the_tarball_installs_for_the_user(unpacked: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    installed = run("sh", unpacked / "install.sh", home=home)
    assert installed.returncode == 0, installed.stdout + installed.stderr

    program = home / ".local" / "opt" / "passerelle" / "passerelle"
    entry = (home / "data" / "applications" / "passerelle.desktop").read_text()
    assert f"Exec={program}\n" in entry
    assert (home / "data" / "icons" / "hicolor" / "48x48" / "apps" / "passerelle.png").is_file()
    assert (home / ".local" / "bin" / "passerelle").resolve() == program
    assert run(program, "--version", home=home).stdout.strip() == f"passerelle {VERSION}"

    removed = run("sh", unpacked / "install.sh", "--uninstall", home=home)
    assert removed.returncode == 0, removed.stderr
    assert not program.exists()
    assert not (home / "data" / "applications" / "passerelle.desktop").exists()
