"""The server installed the way docs/deployment.md says, in a fresh virtual environment.

The install line is read from the guide ("Install the server"), run as written from the
clone's root with that environment's ``pip``, and the result must hold nothing of the
desktop. The server then runs from that environment alone, and a laptop of the full
install (this checkout) enrols and syncs with it. Also: ``pip install .`` gives a
desktop whose French and Arabic catalogs load (compiled by the build, not by make).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from app.models import Beneficiary
from app.services import beneficiaries, owner
from app.store.keys import KdfParams
from app.store.profile import Profile
from app.sync import engine
from tests.server.harness import FAST_HASHING_ENV, UNLIMITED_RATE_ENV, free_port

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "deployment.md"
DESKTOP_ONLY = ("PySide6", "PySide6-Essentials", "shiboken6", "sqlcipher3", "reportlab")
DESKTOP_ONLY += ("pypdfium2", "openpyxl", "Babel")
NOT_SOURCE = (".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", "*.mo")
PASSWORD = "un mot de passe du serveur"
PASSPHRASE = "une phrase secrète du portable"


def install_line() -> str:
    """The one line of the code block under the heading that says "Install the server"."""
    text = GUIDE.read_text(encoding="utf-8")
    section = re.search(r"^#+ [^\n]*Install the server[^\n]*\n(.*?)(?=^#+ |\Z)", text, re.M | re.S)
    assert section is not None, "docs/deployment.md has no heading with 'Install the server'"
    block = re.search(r"```[a-z]*\n(.*?)```", section.group(1), re.S)
    assert block is not None, "no code block under 'Install the server'"
    lines = [line for line in block.group(1).splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("pip install "), lines
    return lines[0]


def fresh_venv(folder: Path) -> Path:
    subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True, timeout=120)
    return folder / "bin"


def installed(bin_dir: Path) -> set[str]:
    listed = subprocess.run(
        [bin_dir / "python", "-m", "pip", "list", "--format=freeze"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return {line.split("==")[0].lower() for line in listed.splitlines()}


@pytest.fixture(scope="module")
def server_bin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    bin_dir = fresh_venv(tmp_path_factory.mktemp("server-install") / "venv")
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    env.pop("PYTHONPATH", None)
    result = subprocess.run(
        install_line(), shell=True, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return bin_dir


@pytest.fixture(scope="module")
def running(server_bin: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``passerelle-server serve`` from the server's own environment, outside the clone."""
    home = tmp_path_factory.mktemp("server-home")
    data = home / "data"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PASSERELLE_")},
        **FAST_HASHING_ENV,
        **UNLIMITED_RATE_ENV,
        "PASSERELLE_PASSWORD": PASSWORD,
    }
    env.pop("PYTHONPATH", None)
    added = subprocess.run(
        [server_bin / "passerelle-server", "user", "add", "amina", "--role", "social_worker",
         "--team", "Oukacha", "--full-name", "Amina Tazi", "--data-dir", str(data)],
        cwd=home, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    port = free_port()
    log = (home / "server.log").open("wb")
    process = subprocess.Popen(
        [server_bin / "passerelle-server", "serve", "--data-dir", str(data), "--port", str(port)],
        cwd=home, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None and time.monotonic() < deadline, (
                home / "server.log"
            ).read_text()
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=15)
        log.close()


def test_the_server_install_holds_nothing_of_the_desktop(server_bin: Path) -> None:
    packages = installed(server_bin)
    assert {"passerelle-server", "fastapi", "uvicorn", "psycopg", "sqlalchemy"} <= packages
    assert {"pydantic-settings", "argon2-cffi", "cryptography"} <= packages
    assert packages.isdisjoint(name.lower() for name in DESKTOP_ONLY), packages
    assert "passerelle" not in packages  # the desktop distribution
    probe = subprocess.run(
        [server_bin / "python", "-c", "import app"], cwd=server_bin, capture_output=True
    )
    assert probe.returncode != 0  # the desktop package is not there either


def test_a_laptop_of_the_full_install_enrols_and_syncs(running: str, tmp_path: Path) -> None:
    with Profile.create(tmp_path / "laptop", PASSPHRASE, KdfParams.fast_for_tests()) as profile:
        engine.enrol(profile, running, "amina", PASSWORD, "Portable")
        ctx = owner.owner_context(profile.sessions)
        beneficiaries.register(ctx, {"last_name": "Lahlou", "first_name": "Adil"})
        report = engine.sync(profile)
    assert report.sent >= 1 and report.quarantined == 0
    with Profile.create(tmp_path / "other", PASSPHRASE, KdfParams.fast_for_tests()) as other:
        engine.enrol(other, running, "amina", PASSWORD, "Second portable")
        engine.sync(other)
        with other.sessions() as session:
            names = session.scalars(select(Beneficiary.last_name)).all()
    assert names == ["Lahlou"]  # through the server, to a second laptop


def test_pip_install_gives_a_desktop_speaking_french_and_arabic(tmp_path: Path) -> None:
    """The wheel carries the compiled catalogs (the build compiles them, not make)."""
    bin_dir = fresh_venv(tmp_path / "desktop")
    wheels = tmp_path / "wheels"
    # A copy of the checkout: setuptools builds in ./build, which a concurrent build
    # (another test run, a developer) would share.
    source = tmp_path / "checkout"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(*NOT_SOURCE))
    built = subprocess.run(
        [bin_dir / "python", "-m", "pip", "wheel", "--no-deps", "-w", str(wheels), "."],
        cwd=source, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr[-3000:]
    (wheel,) = wheels.glob("passerelle-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata = archive.read("passerelle-0.1.0.dist-info/METADATA").decode()
    requires = {
        re.split(r"[<>=!~;\[ (]", line.split(":", 1)[1].strip())[0].lower()
        for line in metadata.splitlines()
        if line.startswith("Requires-Dist:") and "extra ==" not in line
    }
    assert "pyside6-essentials" in requires
    assert not {"fastapi", "uvicorn", "psycopg", "pydantic-settings"} & requires
    assert not any(name.startswith("server/") for name in names)  # the desktop pulls no server
    subprocess.run(
        [bin_dir / "python", "-m", "pip", "install", "--no-deps", "-q", str(wheel)],
        check=True, timeout=300,
    )  # fmt: skip
    code = (
        "from app import i18n; "
        "print(i18n.translations('fr').gettext('Record created')); "
        "print(i18n.translations('ar').gettext('Record created')); "
        "print(i18n.LOCALE_DIR)"
    )
    result = subprocess.run(
        [bin_dir / "python", "-c", code], cwd=tmp_path, capture_output=True, text=True
    )
    french, arabic, where = result.stdout.splitlines()
    assert result.returncode == 0 and result.stderr == "", result.stderr
    assert "site-packages" in where  # the installed copy, not the checkout
    assert french != "Record created" and arabic != "Record created"
    assert any("\u0600" <= ch <= "\u06ff" for ch in arabic)
