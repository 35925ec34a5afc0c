"""Erasing overwrites deleted rows on disk, and leaves the connection as it found it.

Two erasers used to switch ``secure_delete`` off when done, which changed every later
delete made on that pooled connection. Real SQLCipher profile.
"""

from __future__ import annotations

import pytest

from app.store.overwrite import overwriting
from app.store.profile import Profile


def _setting(connection: object) -> int:
    return int(connection.exec_driver_sql("PRAGMA secure_delete").scalar_one())  # type: ignore[attr-defined]


@pytest.mark.parametrize("before", [0, 1])
def test_the_block_overwrites_and_the_setting_comes_back(profile: Profile, before: int) -> None:
    with profile.engine.connect() as connection:
        connection.exec_driver_sql(f"PRAGMA secure_delete = {before}")
        with overwriting(connection):
            assert _setting(connection) == 1
        assert _setting(connection) == before


def test_the_setting_comes_back_when_the_erasure_fails(profile: Profile) -> None:
    with profile.engine.connect() as connection:
        before = _setting(connection)
        with pytest.raises(RuntimeError), overwriting(connection):
            connection.exec_driver_sql("PRAGMA secure_delete = 0")  # as a buggy eraser would
            raise RuntimeError("disk full")
        assert _setting(connection) == before
