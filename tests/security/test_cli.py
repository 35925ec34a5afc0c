"""``passerelle retention preview|run`` and ``passerelle access-export``, run as processes."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from app.services import owner
from app.store.profile import Profile
from app.sync.policy import Policy, write_policy
from tests.cli.test_cli import PASSPHRASE, assert_one_line_error, passerelle
from tests.security.cases import LAST_NAME, full_case


@pytest.fixture
def admin_profile(tmp_path: Path) -> Path:
    folder = tmp_path / "profile"
    made = passerelle("init", "--profile", folder, "--name", "Hind Admin", "--role", "admin")
    assert made.returncode == 0, made.stderr
    return folder


def _closed_case(folder: Path, days_ago: int) -> uuid.UUID:
    with Profile.open(folder, PASSPHRASE) as profile:
        case = full_case(owner.owner_context(profile.sessions), closed_days_ago=days_ago)
        with profile.engine.begin() as connection:
            write_policy(connection, Policy(retention_days={"closed": 365}))
    return case.beneficiary_id


def test_retention_preview_then_run(admin_profile: Path) -> None:
    due = _closed_case(admin_profile, 400)

    preview = passerelle("retention", "preview", "--profile", admin_profile)
    assert preview.returncode == 0, preview.stderr
    assert str(due) in preview.stdout and "1 case due." in preview.stdout

    done = passerelle("retention", "run", "--profile", admin_profile)
    assert done.returncode == 0, done.stderr
    assert "1 case anonymised, 0 cases purged" in done.stdout

    again = passerelle("retention", "preview", "--profile", admin_profile)
    assert "0 cases due." in again.stdout


def test_retention_is_refused_to_a_counsellor(tmp_path: Path) -> None:
    folder = tmp_path / "profile"
    assert passerelle("init", "--profile", folder, "--role", "social_worker").returncode == 0
    result = passerelle("retention", "run", "--profile", folder)
    assert_one_line_error(result, "Only an administrator can anonymise or purge cases.")


def test_access_export_writes_both_files(admin_profile: Path, tmp_path: Path) -> None:
    person = _closed_case(admin_profile, 10)
    out = tmp_path / "out"
    out.mkdir()

    result = passerelle(
        "access-export", "--profile", admin_profile, "--beneficiary", str(person), "--out", out
    )

    assert result.returncode == 0, result.stderr
    written = sorted(out.iterdir())
    assert [p.suffix for p in written] == [".json", ".pdf"]
    data = json.loads(written[0].read_text(encoding="utf-8"))
    assert data["records"]["beneficiary"][0]["last_name"] == LAST_NAME
    missing = passerelle(
        "access-export", "--profile", admin_profile, "--beneficiary", "nope", "--out", out
    )
    assert_one_line_error(missing, "Beneficiary not found.")
