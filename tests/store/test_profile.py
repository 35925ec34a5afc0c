"""The encrypted profile: creation, unlocking, passphrase change, re-key, damage."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from app.store import writelock
from app.store.engine import MEMORY_TEMP_STORE
from app.store.errors import (
    CorruptProfile,
    ProfileExists,
    ProfileNotFound,
    UnsupportedProfile,
    WeakPassphrase,
    WrongPassphrase,
)
from app.store.header import HEADER_NAME, read_header
from app.store.keys import KdfParams
from app.store.profile import Profile
from tests.conftest import PASSPHRASE


def _add_row(profile: Profile, value: str) -> None:
    with profile.transaction() as session:
        session.execute(
            text("INSERT INTO profile_setting (key, value) VALUES (:k, :v)"),
            {"k": value, "v": value},
        )


def _keys(profile: Profile) -> set[str]:
    with profile.transaction() as session:
        return set(session.execute(text("SELECT key FROM profile_setting")).scalars())


def test_database_file_is_encrypted_and_settings_applied(profile: Profile) -> None:
    head = profile.database_path.read_bytes()[:16]
    assert head != b"SQLite format 3\x00"
    with profile.engine.connect() as connection:
        pragma = connection.exec_driver_sql
        assert pragma("PRAGMA journal_mode").scalar() == "wal"
        assert pragma("PRAGMA synchronous").scalar() == 2  # FULL
        assert pragma("PRAGMA foreign_keys").scalar() == 1
        assert pragma("PRAGMA temp_store").scalar() == MEMORY_TEMP_STORE
        assert pragma("PRAGMA cipher_memory_security").scalar() in ("0", 0)


def test_header_holds_nothing_but_key_material(profile: Profile) -> None:
    header = json.loads((profile.folder / HEADER_NAME).read_text())
    assert set(header) == {"format", "format_version", "database", "kdf", "wrapped_key"}
    assert header["kdf"]["algorithm"] == "argon2id"


def test_reopen_with_passphrase(profile_dir: Path, fast_kdf: KdfParams) -> None:
    with Profile.create(profile_dir, PASSPHRASE, fast_kdf) as profile:
        _add_row(profile, "kept")
    with Profile.open(profile_dir, PASSPHRASE) as reopened:
        assert "kept" in _keys(reopened)
        assert reopened.timings.kdf_seconds > 0


def test_wrong_passphrase_is_clear_and_leaves_files_untouched(
    profile: Profile, profile_dir: Path
) -> None:
    profile.close()
    before = {path.name: path.read_bytes() for path in profile_dir.iterdir()}
    with pytest.raises(WrongPassphrase, match="Wrong passphrase"):
        Profile.open(profile_dir, "not the passphrase")
    after = {path.name: path.read_bytes() for path in profile_dir.iterdir()}
    assert after == before


def test_wrong_passphrase_prints_nothing_on_stderr(profile: Profile, profile_dir: Path) -> None:
    profile.close()
    script = (
        "import sys\n"
        "from app.store.profile import Profile\n"
        "from app.store.errors import WrongPassphrase\n"
        "try:\n    Profile.open(sys.argv[1], 'nope nope nope')\n"
        "except WrongPassphrase:\n    pass\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(profile_dir)], capture_output=True, text=True, check=True
    )
    assert result.stderr == ""


def test_missing_profile_and_existing_profile(
    tmp_path: Path, profile: Profile, fast_kdf: KdfParams
) -> None:
    with pytest.raises(ProfileNotFound):
        Profile.open(tmp_path / "nowhere", PASSPHRASE)
    with pytest.raises(ProfileExists):
        Profile.create(profile.folder, PASSPHRASE, fast_kdf)


def test_short_passphrase_refused(tmp_path: Path, fast_kdf: KdfParams) -> None:
    with pytest.raises(WeakPassphrase):
        Profile.create(tmp_path / "p", "short", fast_kdf)
    assert not (tmp_path / "p" / HEADER_NAME).exists()


def test_change_passphrase(profile: Profile, profile_dir: Path) -> None:
    _add_row(profile, "before-change")
    profile.change_passphrase("a brand new passphrase")
    profile.close()
    with pytest.raises(WrongPassphrase):
        Profile.open(profile_dir, PASSPHRASE)
    with Profile.open(profile_dir, "a brand new passphrase") as reopened:
        assert "before-change" in _keys(reopened)


def test_passphrase_change_interrupted_before_rename_keeps_old(
    profile: Profile, profile_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(*_args: object) -> None:
        raise KeyboardInterrupt("power cut")

    monkeypatch.setattr("app.store.header.os.replace", crash)
    with pytest.raises(KeyboardInterrupt):
        profile.change_passphrase("a brand new passphrase")
    monkeypatch.undo()
    profile.close()
    assert (profile_dir / (HEADER_NAME + ".tmp")).exists()
    with Profile.open(profile_dir, PASSPHRASE) as reopened:
        assert _keys(reopened) is not None
    assert not (profile_dir / (HEADER_NAME + ".tmp")).exists()


KILL_LOOP = """
import sys
from app.store.profile import Profile
folder, first, second = sys.argv[1:4]
profile = Profile.open(folder, first)
current, other = first, second
print("ready", flush=True)
while True:
    profile.change_passphrase(other)
    current, other = other, current
"""


@pytest.mark.slow
def test_passphrase_change_killed_at_random_moments(profile: Profile, profile_dir: Path) -> None:
    """kill -9 while the passphrase flips between two values: one of them always opens."""
    profile.close()
    other = "the second passphrase"
    for delay in (0.05, 0.11, 0.23, 0.37, 0.5):
        process = subprocess.Popen(
            [sys.executable, "-c", KILL_LOOP, str(profile_dir), PASSPHRASE, other],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "ready"
        try:
            process.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            process.kill()
        process.wait()
        header = read_header(profile_dir)
        opened = []
        for candidate in (PASSPHRASE, other):
            try:
                Profile.open(profile_dir, candidate).close()
                opened.append(candidate)
            except WrongPassphrase:
                pass
        assert len(opened) == 1, header
        if opened == [other]:
            with Profile.open(profile_dir, other) as reopened:
                reopened.change_passphrase(PASSPHRASE)


def test_rekey_changes_database_key_and_keeps_data(profile: Profile, profile_dir: Path) -> None:
    _add_row(profile, "survives-rekey")
    old_database = profile.database_path
    old_key_material = read_header(profile_dir).wrapped_key
    profile.rekey(PASSPHRASE)
    assert not old_database.exists()
    assert profile.database_path.exists()
    assert read_header(profile_dir).wrapped_key != old_key_material
    profile.close()
    with Profile.open(profile_dir, PASSPHRASE) as reopened:
        assert "survives-rekey" in _keys(reopened)
        assert reopened.integrity_errors() == []


def test_interrupted_rekey_leftover_is_removed(profile: Profile, profile_dir: Path) -> None:
    profile.close()
    leftover = profile_dir / "cases-000000000000.db"
    leftover.write_bytes(b"half-written copy")
    with Profile.open(profile_dir, PASSPHRASE):
        pass
    assert not leftover.exists()


def test_truncated_database_gives_clear_error_and_is_not_overwritten(
    profile: Profile, profile_dir: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    _add_row(profile, "x")
    path = profile.database_path
    profile.close()
    data = path.read_bytes()
    path.write_bytes(data[:1000])
    for suffix in ("-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    capfd.readouterr()
    with pytest.raises(CorruptProfile, match="damaged"):
        Profile.open(profile_dir, PASSPHRASE)
    assert capfd.readouterr().err == ""  # no SQLCipher noise
    assert path.read_bytes() == data[:1000]


def test_flipped_bytes_detected_by_integrity_check(profile: Profile, profile_dir: Path) -> None:
    for index in range(200):
        _add_row(profile, f"row-{index:04d}-" + "x" * 200)
    path = profile.database_path
    with writelock.reading(profile.engine).connect() as connection:  # no write lock held
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    assert profile.integrity_errors() == []
    profile.close()
    data = bytearray(path.read_bytes())
    offset = len(data) - 4096 + 100  # inside the last page, past page 1
    data[offset : offset + 8] = bytes(8)
    path.write_bytes(bytes(data))
    with Profile.open(profile_dir, PASSPHRASE) as reopened:
        assert reopened.integrity_errors() != []


def test_garbage_header_is_corrupt_not_crash(profile: Profile, profile_dir: Path) -> None:
    profile.close()
    (profile_dir / HEADER_NAME).write_text("{not json")
    with pytest.raises(CorruptProfile):
        Profile.open(profile_dir, PASSPHRASE)


def test_newer_format_is_refused(profile: Profile, profile_dir: Path) -> None:
    profile.close()
    header = json.loads((profile_dir / HEADER_NAME).read_text())
    header["format_version"] = 99
    (profile_dir / HEADER_NAME).write_text(json.dumps(header))
    with pytest.raises(UnsupportedProfile):
        Profile.open(profile_dir, PASSPHRASE)


def test_calibrated_kdf_costs_about_the_target() -> None:
    params = KdfParams.calibrated()
    assert params.time_cost >= 2
    assert params.memory_cost_kib >= 64 * 1024
