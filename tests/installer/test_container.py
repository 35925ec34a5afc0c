"""The server's container image and compose file, checked without a container runtime.

Podman cannot run a container on the project's machines (no registry to pull the
Python base image from; crun refused to set the container's limits), so the image is
checked by hadolint (from the test extras, so CI always has it) and by reading it:
built from the server's install only, run as an unprivileged user, with PostgreSQL
beside it and not published.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
CONTAINERFILE = ROOT / "installer" / "server" / "Containerfile"
COMPOSE = ROOT / "installer" / "server" / "compose.yaml"
HADOLINT = Path(sys.executable).parent / "hadolint"


def stages() -> list[list[str]]:
    """The Containerfile's instructions, continuation lines joined, by stage."""
    text = re.sub(r"\\\n\s*", " ", CONTAINERFILE.read_text(encoding="utf-8"))
    found: list[list[str]] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("FROM "):
            found.append([])
        found[-1].append(line)
    return found


def test_hadolint_finds_nothing() -> None:
    result = subprocess.run(
        [str(HADOLINT), "--failure-threshold", "info", str(CONTAINERFILE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_image_holds_the_server_install_only() -> None:
    build, final = stages()
    copied = [line.split()[1] for line in build if line.startswith("COPY ")]
    assert sorted(copied) == ["installer/server/", "passerelle_core/", "server/"]
    assert any("pip install --no-cache-dir ./installer/server" in line for line in build)
    assert [line for line in final if line.startswith("COPY ")] == [
        "COPY --from=build /opt/passerelle-server /opt/passerelle-server"
    ]


def test_the_server_runs_as_an_unprivileged_user() -> None:
    final = stages()[-1]
    users = [line.split()[1] for line in final if line.startswith("USER ")]
    assert users and users[-1].split(":")[0] not in ("0", "root")
    assert final.index(next(line for line in final if line.startswith("USER "))) < len(final) - 1
    command = next(line for line in final if line.startswith("CMD "))
    assert "--tls-cert" in command and "--insecure-http" not in command


def test_compose_runs_the_server_with_postgresql() -> None:
    compose = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    server, db = compose["services"]["server"], compose["services"]["db"]
    assert server["build"] == {"context": "../..", "dockerfile": "installer/server/Containerfile"}
    assert server["depends_on"]["db"]["condition"] == "service_healthy"
    assert server["environment"]["PASSERELLE_SERVER_DATABASE_URL"].startswith(
        "postgresql+psycopg://"
    )
    assert "ports" not in db  # PostgreSQL is reached by the server only
    assert db["image"].split(":")[0].endswith("postgres")
    assert server["read_only"] is True and server["cap_drop"] == ["ALL"]
