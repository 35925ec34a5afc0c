"""The unlock guard: wrong passphrases counted and the key destroyed, days away enforced."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from app.models.base import utcnow
from app.store.errors import KeyDestroyed, ServerContactRequired, WrongPassphrase
from app.store.header import HEADER_NAME, read_header
from app.store.profile import GuardState, Profile
from tests.conftest import PASSPHRASE


def _guarded(profile: Profile, *, failures: int = 4, days: int = 30, ago: int = 0) -> Path:
    profile.record_server_contact(
        max_failed_unlocks=failures,
        max_offline_days=days,
        at=utcnow() - timedelta(days=ago),
    )
    folder = profile.folder
    profile.close()
    return folder


def test_local_profile_counts_nothing_and_never_destroys(profile: Profile) -> None:
    folder = profile.folder
    profile.close()
    for _attempt in range(12):
        with pytest.raises(WrongPassphrase) as raised:
            Profile.open(folder, "not the passphrase")
        assert raised.value.attempts_left is None
    Profile.open(folder, PASSPHRASE).close()


def test_wrong_passphrases_count_down_then_destroy_the_key(profile: Profile) -> None:
    folder = _guarded(profile, failures=3)
    left = []
    for _attempt in range(2):
        with pytest.raises(WrongPassphrase) as raised:
            Profile.open(folder, "not the passphrase")
        left.append(raised.value.attempts_left)
        assert "erased" in str(raised.value)
    assert left == [2, 1]
    assert read_header(folder).guard is not None
    with pytest.raises(KeyDestroyed):
        Profile.open(folder, "not the passphrase")
    assert not folder.exists()  # header overwritten then removed, database removed


def test_right_passphrase_resets_the_counter(profile: Profile) -> None:
    folder = _guarded(profile, failures=3)
    with pytest.raises(WrongPassphrase):
        Profile.open(folder, "not the passphrase")
    Profile.open(folder, PASSPHRASE).close()
    guard = read_header(folder).guard
    assert guard is not None and guard.failed_unlocks == 0 and guard.attempts_left == 3


def test_lock_screen_failures_count_too(profile: Profile) -> None:
    profile.record_server_contact(max_failed_unlocks=3, max_offline_days=30)
    folder = profile.folder
    with pytest.raises(WrongPassphrase):
        profile.verify_passphrase("wrong one")
    profile.verify_passphrase(PASSPHRASE)
    for _attempt in range(2):
        with pytest.raises(WrongPassphrase):
            profile.verify_passphrase("wrong one")
    with pytest.raises(KeyDestroyed):
        profile.verify_passphrase("wrong one")
    assert not (folder / HEADER_NAME).exists()


def test_overdue_laptop_opens_only_after_server_contact(profile: Profile) -> None:
    folder = _guarded(profile, days=30, ago=31)
    with pytest.raises(ServerContactRequired):
        Profile.open(folder, PASSPHRASE)
    calls: list[Profile] = []

    def unreachable(opened: Profile) -> None:
        calls.append(opened)

    with pytest.raises(ServerContactRequired):
        Profile.open(folder, PASSPHRASE, check_in=unreachable)
    assert len(calls) == 1

    def reached(opened: Profile) -> None:
        opened.record_server_contact(max_failed_unlocks=4, max_offline_days=30)

    with Profile.open(folder, PASSPHRASE, check_in=reached) as opened:
        assert opened.guard_state() is GuardState.OPEN


def test_within_the_limit_opens_offline(profile: Profile) -> None:
    folder = _guarded(profile, days=30, ago=29)
    with Profile.open(folder, PASSPHRASE) as opened:
        guard = opened.header.guard
        assert guard is not None and 0 < guard.days_left(utcnow()) < 1.01


@pytest.mark.parametrize(
    "edit",
    [
        pytest.param(lambda g: g.update(max_offline_days=99999), id="longer-offline"),
        pytest.param(lambda g: g.update(max_failed_unlocks=99999), id="more-attempts"),
        pytest.param(lambda g: g.update(last_contact=utcnow().isoformat()), id="fresh-contact"),
    ],
)
def test_edited_guard_is_detected_at_the_next_unlock(profile: Profile, edit: object) -> None:
    folder = _guarded(profile, ago=10)
    header = json.loads((folder / HEADER_NAME).read_text())
    edit(header["guard"])  # type: ignore[operator]
    (folder / HEADER_NAME).write_text(json.dumps(header))
    with pytest.raises(ServerContactRequired) as raised:
        Profile.open(folder, PASSPHRASE)
    assert raised.value.tampered


def test_removed_guard_is_detected(profile: Profile) -> None:
    folder = _guarded(profile)
    header = json.loads((folder / HEADER_NAME).read_text())
    del header["guard"]
    header["format_version"] = 1
    (folder / HEADER_NAME).write_text(json.dumps(header))
    with pytest.raises(ServerContactRequired):
        Profile.open(folder, PASSPHRASE)


def test_guard_survives_passphrase_change_and_rekey(profile: Profile) -> None:
    profile.record_server_contact(max_failed_unlocks=5, max_offline_days=30)
    profile.change_passphrase("another passphrase 1")
    profile.rekey("another passphrase 1")
    folder = profile.folder
    profile.close()
    with Profile.open(folder, "another passphrase 1") as opened:
        assert opened.guard_state() is GuardState.OPEN
        guard = opened.header.guard
        assert guard is not None and guard.max_failed_unlocks == 5


def test_clock_moved_far_back_counts_as_overdue(profile: Profile) -> None:
    folder = _guarded(profile)
    with pytest.raises(ServerContactRequired):
        Profile.open(folder, PASSPHRASE, now=utcnow() - timedelta(days=5))
