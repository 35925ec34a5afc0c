"""What a thief with the laptop finds on disk, and what survives a kill -9."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.models import Beneficiary
from app.services import beneficiaries, search
from app.services.context import ServiceContext
from app.store.profile import Profile
from tests.conftest import PASSPHRASE

SECRET_NAME = "Zoubeida"
SECRET_CIN = "QX987654"


def _all_bytes_written(folder: Path) -> bytes:
    return b"".join(path.read_bytes() for path in folder.rglob("*") if path.is_file())


def test_no_personal_data_readable_in_any_profile_file(
    profile: Profile, ctx: ServiceContext
) -> None:
    temp_before = set(Path(tempfile.gettempdir()).iterdir())
    for index in range(50):
        beneficiaries.register(
            ctx,
            {
                "last_name": f"{SECRET_NAME}{index}",
                "first_name": "Hélène",
                "last_name_ar": "زبيدة",
                "cin": f"QX98{index:04d}" if index else SECRET_CIN,
            },
        )
    assert search.search(ctx, SECRET_NAME.lower())
    with profile.engine.connect() as connection:
        connection.exec_driver_sql("CREATE TEMP TABLE scratch AS SELECT * FROM beneficiary")
        # While open, the WAL holds the latest pages: it must be encrypted too.
        raw = _all_bytes_written(profile.folder)
    new_temp_files = set(Path(tempfile.gettempdir()).iterdir()) - temp_before
    for needle in (SECRET_NAME, SECRET_CIN, "زبيدة", "Hélène"):
        encoded = needle.encode()
        assert encoded not in raw
        assert needle.lower().encode() not in raw
        for path in new_temp_files:
            if path.is_file():
                assert encoded not in path.read_bytes()
    assert any(path.name.endswith("-wal") for path in profile.folder.iterdir())


WRITER = """
import sys, time
from app.models import Beneficiary
from app.services import owner, beneficiaries
from app.store.profile import Profile
profile = Profile.open(sys.argv[1], sys.argv[2])
ctx = owner.owner_context(profile.sessions)
for index in range(150):
    b = beneficiaries.register(ctx, {"last_name": f"Acked{index:06d}", "first_name": "X"})
    print(b.last_name, flush=True)
with profile.transaction() as session:
    session.add_all(Beneficiary(last_name=f"Pending{i}", first_name="Y") for i in range(500))
    session.flush()
    print("mid-transaction", flush=True)
    time.sleep(120)
"""


@pytest.mark.slow
def test_kill_9_during_writes_loses_no_acknowledged_record(
    profile: Profile, ctx: ServiceContext, profile_dir: Path
) -> None:
    profile.close()
    process = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(profile_dir), PASSPHRASE],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    acknowledged = []
    for line in process.stdout:
        if line.strip() == "mid-transaction":
            break
        acknowledged.append(line.strip())
    process.kill()
    process.wait()
    assert process.returncode == -9
    with Profile.open(profile_dir, PASSPHRASE) as reopened:
        assert reopened.integrity_errors() == []
        with reopened.transaction() as session:
            stored = set(session.scalars(select(Beneficiary.last_name)))
            total = session.scalar(select(func.count()).select_from(Beneficiary))
    assert len(acknowledged) == 150
    assert set(acknowledged) <= stored
    assert total == len(acknowledged)  # the transaction cut short left nothing behind
