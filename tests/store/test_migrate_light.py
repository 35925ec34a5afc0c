"""A profile whose schema is current opens without loading Alembic (~10 MiB kept by the
running application); the head read from the version files is Alembic's own."""

from __future__ import annotations

from pathlib import Path

from alembic.script import ScriptDirectory

from app.store import migrate
from app.store.keys import KdfParams
from app.store.profile import Profile
from tests.fresh_process import modules_loaded


def test_the_head_read_from_the_files_is_alembics() -> None:
    alembic_head = ScriptDirectory.from_config(migrate.alembic_config()).get_current_head()
    assert migrate._plain_head() == alembic_head


def test_a_current_profile_opens_without_alembic(tmp_path: Path, fast_kdf: KdfParams) -> None:
    Profile.create(tmp_path / "amina", "correct horse battery", fast_kdf).close()
    code = (
        "from app.store.profile import Profile\n"
        f"Profile.open({str(tmp_path / 'amina')!r}, 'correct horse battery').close()"
    )
    assert modules_loaded(code, ("alembic",), offscreen=False) == []
    opened = Profile.open(tmp_path / "amina", "correct horse battery")  # still current
    try:
        with opened.engine.connect() as connection:
            assert migrate.current_revision(connection) == migrate.head_revision()
    finally:
        opened.close()
