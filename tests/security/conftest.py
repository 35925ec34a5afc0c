"""Fixtures of the security tests: real servers and laptops, and the recovery key.

The servers and laptops are those of the server and sync tests (one server process per
test module and backend, started only when a test asks). ``recovery_key`` runs
``passerelle-server recovery init`` on the module's server; the private key file is
written outside the server's data folder, as the administration keeps it offline, and
its fingerprint is the laptops' installer setting that pins it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.sync.recovery_pin import INSTALLER_ENV
from tests.server import conftest as server_fixtures
from tests.server.harness import RunningServer
from tests.sync import conftest as sync_fixtures

database_url = server_fixtures.database_url
server = server_fixtures.server
fresh_server = sync_fixtures.fresh_server
laptop = sync_fixtures.laptop

RECOVERY_PASSPHRASE = "the administration's recovery passphrase"
RECOVERY_ENV = {"PASSERELLE_RECOVERY_PASSPHRASE": RECOVERY_PASSPHRASE}
INSTALLED = re.compile(r"recovery key (\S+) installed")


@dataclass(frozen=True)
class RecoveryKeyFile:
    """The administration's private key file (passphrase: ``RECOVERY_PASSPHRASE``)."""

    path: Path
    key_id: str


@pytest.fixture
def recovery_key(
    server: RunningServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> RecoveryKeyFile:
    """The key installed on the server, and named by the laptops' installer configuration
    (``PASSERELLE_RECOVERY_KEY``): laptops escrow only to the key they were told to trust."""
    path = tmp_path / "recovery-key.pem"
    made = server.admin("recovery", "init", "--private-key-out", str(path), env=RECOVERY_ENV)
    assert made.returncode == 0, made.stderr
    found = INSTALLED.search(made.stdout)
    assert found is not None, made.stdout
    monkeypatch.setenv(INSTALLER_ENV, found.group(1))
    return RecoveryKeyFile(path, found.group(1))
