"""The full journey, then a scan of every file the application wrote: no name, no CIN.

Create a profile, register a beneficiary, assess, plan, enrol and sync, print the plan,
export the case list, open the window, copy the CIN, lock, close. Then every file under
the redirected home, configuration, data, cache and temporary folders (the profile
folder included) and the sync server's log is read as bytes and searched for the
person's names (Latin and Arabic, UTF-8 and UTF-16) and CIN: none may be found. The
deliberate documents (the exports folder the person chose) are the only exception.
The server's own database is scanned too, as a check that the scan finds what is
there: it holds synced records in clear by design (see docs/security.md).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.cli import main as cli_main
from app.instruments.loader import load_builtin
from app.paths import profiles_root
from app.services import assessments, beneficiaries, consent, owner, plans
from app.settings import load_settings, settings_path
from app.store.keys import KdfParams
from app.store.profile import Profile
from app.sync import engine
from app.views.clipboard import copy_text
from app.views.main_window import MainWindow
from passerelle_core.enums import ConsentPurpose
from tests.conftest import PASSPHRASE
from tests.server.harness import RunningServer, start_server

pytestmark = pytest.mark.slow

LAST, FIRST, LAST_AR, CIN = "Zerhouni", "Ilyasse", "الزرهوني", "QZ778899"


def _needles() -> list[bytes]:
    found = []
    for word in (LAST, FIRST, LAST_AR, CIN):
        found += [word.encode("utf-8"), word.encode("utf-16-le"), word.encode("utf-16-be")]
        found += [word.upper().encode("utf-8"), word.lower().encode("utf-8")]
    return found


def _leaks(root: Path, skip: Path | None = None) -> list[str]:
    hits = []
    needles = _needles()
    for path in sorted(root.rglob("*")):
        if not path.is_file() or (skip is not None and skip in path.parents):
            continue
        data = path.read_bytes()
        hits += [f"{path.relative_to(root)}: {n!r}" for n in needles if n in data]
    return hits


@pytest.fixture
def redirected(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Home, XDG folders and the temporary folder all under ``tmp_path/machine``."""
    machine = tmp_path / "machine"
    for variable, sub in {
        "HOME": "home",
        "XDG_CONFIG_HOME": "home/.config",
        "XDG_DATA_HOME": "home/.local/share",
        "XDG_CACHE_HOME": "home/.cache",
        "XDG_STATE_HOME": "home/.local/state",
        "TMPDIR": "tmp",
        "TMP": "tmp",
        "TEMP": "tmp",
    }.items():
        (machine / sub).mkdir(parents=True, exist_ok=True)
        monkeypatch.setenv(variable, str(machine / sub))
    monkeypatch.setattr(tempfile, "tempdir", None)  # recomputed from TMPDIR
    monkeypatch.setenv("PASSERELLE_PASSPHRASE", PASSPHRASE)
    yield machine


def _fill(profile: Profile) -> str:
    ctx = owner.owner_context(profile.sessions)
    person = beneficiaries.register(
        ctx, {"last_name": LAST, "first_name": FIRST, "last_name_ar": LAST_AR, "cin": CIN}
    )
    consent.record(ctx, person.id, ConsentPurpose.ASSESSMENT)
    instrument = load_builtin(assessments.DEFAULT_INSTRUMENT)
    answers = {item.id: 2 for item in instrument.domain("housing").items}
    done = assessments.record(ctx, person.id, answers, notes=f"Seen with {FIRST} {LAST}")
    plans.draft_plan(ctx, person.id, title=f"Plan {LAST}", assessment_id=done.id)
    return str(person.id)


def test_full_journey_leaves_no_personal_data_outside_exports(
    redirected: Path, tmp_path: Path, qtbot: QtBot
) -> None:
    server: RunningServer = start_server(tmp_path)
    try:
        account = server.add_user()
        folder = profiles_root() / "mine"
        profile = Profile.create(folder, PASSPHRASE, KdfParams.fast_for_tests())
        engine.enrol(profile, server.url, account.username, account.password, "laptop")
        assert not engine.sync(profile).errors  # the owner's staff record and team arrive
        person_id = _fill(profile)
        assert engine.sync(profile).applied >= 4

        exports = tmp_path / "exports"  # where the person chose to put documents
        exports.mkdir()
        assert cli_main(["report", "plan", "--profile", str(folder), "--beneficiary",
                         person_id, "--out", str(exports / "plan.pdf")]) == 0  # fmt: skip
        assert cli_main(["export", "--profile", str(folder), "--what", "cases",
                         "--format", "csv", "--out", str(exports / "cases.csv")]) == 0  # fmt: skip

        window = MainWindow(load_settings(), profiles_root())
        qtbot.addWidget(window)
        window.open_profile(profile)
        copy_text(CIN)
        window.lock()
        assert window.clipboard.holding is None
        assert CIN not in window.clipboard.clipboard.text()
        window.close()  # saves the settings, stops sync, closes the profile
        assert settings_path().is_file()
        assert (folder / "profile.json").is_file()
    finally:
        server.stop()

    leaks = _leaks(redirected) + _leaks(server.data_dir, skip=None)
    leaks = [hit for hit in leaks if not hit.startswith("server.db")]
    assert leaks == []
    assert _leaks(server.data_dir) != []  # the scanner works: the server's database has it
    assert list(exports.iterdir())  # the deliberate documents were written where chosen
