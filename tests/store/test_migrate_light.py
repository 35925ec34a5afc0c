"""A profile whose schema is current opens without loading Alembic (~10 MiB kept by the
running application); the head read from the version files is Alembic's own."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from alembic.script import ScriptDirectory

from app.store import migrate
from app.store.keys import KdfParams
from app.store.profile import Profile

ROOT = Path(__file__).resolve().parents[2]


def test_the_head_read_from_the_files_is_alembics() -> None:
    alembic_head = ScriptDirectory.from_config(migrate.alembic_config()).get_current_head()
    assert migrate._plain_head() == alembic_head


def test_a_current_profile_opens_without_alembic(tmp_path: Path, fast_kdf: KdfParams) -> None:
    Profile.create(tmp_path / "amina", "correct horse battery", fast_kdf).close()
    code = (
        "import sys; from app.store.profile import Profile; "
        f"p = Profile.open({str(tmp_path / 'amina')!r}, 'correct horse battery'); "
        "print('alembic' in sys.modules); p.close()"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert done.stdout.strip() == "False"
    opened = Profile.open(tmp_path / "amina", "correct horse battery")  # still current
    try:
        with opened.engine.connect() as connection:
            assert migrate.current_revision(connection) == migrate.head_revision()
    finally:
        opened.close()
