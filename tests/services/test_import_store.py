"""What a large import does to the store while it writes, and what it leaves behind.

The import sets the secondary indexes of the tables it fills aside while it writes and
builds them again before it ends (:class:`app.services.import_write.IndexesAside`), and
takes a larger page cache for its transaction (:func:`app.store.engine.bulk_cache`).
Shown on real SQLCipher profiles: the schema and the query plans after an import are
those before it, a rolled-back import and one killed mid-write (kill -9) leave every
index, the search finds what was imported, and pooled connections get the usual cache.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Connection, func, select

from app.models import Beneficiary
from app.services import import_sample, import_write, owner, search
from app.services.context import ServiceContext
from app.services.importer import import_beneficiaries
from app.store import deferred_indexes
from app.store.engine import CACHE_KIB
from app.store.profile import Profile
from tests.conftest import PASSPHRASE

PLANNED = (
    "SELECT id FROM beneficiary WHERE cin = 'X'",
    "SELECT id FROM beneficiary WHERE facility_id = 'X'",
    "SELECT id FROM beneficiary ORDER BY last_name, first_name LIMIT 50",
    "SELECT id FROM beneficiary WHERE expected_release_date < '2027-01-01'",
    "SELECT seq FROM sync_outbox WHERE record_type = 'beneficiary' AND record_id = 'X'",
    "SELECT seq FROM sync_outbox WHERE state = 'pending'",
    "SELECT seq FROM access_log WHERE case_id = 'X'",
)


def _schema(connection: Connection) -> list[tuple[str, str, str]]:
    rows = connection.exec_driver_sql(
        "SELECT type, name, coalesce(sql, '') FROM sqlite_master ORDER BY type, name"
    )
    return [(str(kind), str(name), str(sql)) for kind, name, sql in rows]


def _plans(connection: Connection) -> list[list[str]]:
    return [
        [str(row[3]) for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {query}")]
        for query in PLANNED
    ]


def _sheet(folder: Path, rows: int) -> tuple[Path, import_sample.SampleSheet]:
    sheet = import_sample.sample(rows, seed=3)
    return import_sample.write_csv(folder / "caseload.csv", sheet.rows), sheet


def test_an_import_leaves_the_schema_and_plans_it_found(
    profile: Profile, ctx: ServiceContext, tmp_path: Path
) -> None:
    with profile.engine.connect() as connection:
        schema, plans = _schema(connection), _plans(connection)
    assert any("ix_sync_outbox_record" in line for plan in plans for line in plan)
    path, sheet = _sheet(tmp_path, 400)
    report = import_beneficiaries(ctx, path, skip_invalid=True)
    assert report.applied and report.created > 300
    assert report.phases.get("indexes", 0.0) > 0.0  # they were set aside and built again
    with profile.engine.connect() as connection:
        assert _schema(connection) == schema
        assert _plans(connection) == plans
        # Every index holds every row: SQLite's own check, index against table.
        assert connection.exec_driver_sql("PRAGMA integrity_check").scalars().all() == ["ok"]
    assert profile.integrity_errors() == []
    first = next(row for row in sheet.rows if isinstance(row[0], str) and len(row[0]) > 4)
    assert search.search(ctx, str(first[0]))


def test_pooled_connections_get_the_usual_cache_back(
    profile: Profile, ctx: ServiceContext, tmp_path: Path
) -> None:
    path, _sheet_ = _sheet(tmp_path, 50)
    import_beneficiaries(ctx, path, skip_invalid=True)
    for _attempt in range(3):  # whichever pooled connection comes
        with profile.engine.connect() as connection:
            size = connection.exec_driver_sql("PRAGMA cache_size").scalar_one()
            assert size == -CACHE_KIB


def test_a_rolled_back_import_leaves_every_index(
    profile: Profile, ctx: ServiceContext, tmp_path: Path
) -> None:
    with profile.engine.connect() as connection:
        schema = _schema(connection)
    path, _sheet_ = _sheet(tmp_path, 300)  # about 1% invalid lines: nothing is applied
    report = import_beneficiaries(ctx, path)
    assert report.errors and not report.applied
    with profile.engine.connect() as connection:
        assert _schema(connection) == schema
        assert connection.scalar(select(func.count()).select_from(Beneficiary)) == 0


def test_indexes_stay_where_the_table_is_larger_than_the_import(
    profile: Profile, ctx: ServiceContext, tmp_path: Path
) -> None:
    path, _sheet_ = _sheet(tmp_path, 200)
    import_beneficiaries(ctx, path, skip_invalid=True)
    with profile.engine.begin() as connection:
        aside = import_write.IndexesAside(expected_rows=10)
        aside.before_writing(connection)
        assert aside.statements == []  # 10 new rows into ~200: rebuilding would cost more
        larger = import_write.IndexesAside(expected_rows=100_000)
        larger.before_writing(connection)
        dropped = {sql.split()[2] for sql in larger.statements or []}
        assert "ix_beneficiary_name" in dropped and "ix_sync_outbox_record" in dropped
        assert "ix_beneficiary_cin" not in dropped  # each batch looks rows up by CIN
        names = set(connection.exec_driver_sql("SELECT name FROM sqlite_master").scalars())
        assert not dropped & names
        larger.put_back(connection)
        names = set(connection.exec_driver_sql("SELECT name FROM sqlite_master").scalars())
        assert dropped <= names


KILLED_IMPORT = """
import sys, time
from pathlib import Path
from app.services import import_write, owner
from app.services.importer import import_beneficiaries
from app.store.profile import Profile

written = import_write.insert_beneficiaries

def then_wait(*args, **kwargs):
    ids = written(*args, **kwargs)
    print("mid-import", flush=True)  # a batch written, its indexes set aside
    time.sleep(120)
    return ids

import_write.insert_beneficiaries = then_wait
profile = Profile.open(Path(sys.argv[1]), sys.argv[2])
import_beneficiaries(owner.owner_context(profile.sessions), Path(sys.argv[3]), skip_invalid=True)
"""


@pytest.mark.slow
def test_a_killed_import_leaves_every_index_and_can_be_run_again(
    profile: Profile, ctx: ServiceContext, profile_dir: Path, tmp_path: Path
) -> None:
    with profile.engine.connect() as connection:
        schema = _schema(connection)
    path, _sheet_ = _sheet(tmp_path, 500)
    profile.close()
    process = subprocess.Popen(
        [sys.executable, "-c", KILLED_IMPORT, str(profile_dir), PASSPHRASE, str(path)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "mid-import"
    process.kill()
    process.wait()
    assert process.returncode == -9
    with Profile.open(profile_dir, PASSPHRASE) as reopened:
        assert reopened.integrity_errors() == []
        with reopened.engine.connect() as connection:
            assert _schema(connection) == schema
            assert connection.scalar(select(func.count()).select_from(Beneficiary)) == 0
            assert not deferred_indexes.is_deferred(connection)
        ctx_again = owner.owner_context(reopened.sessions)
        again = import_beneficiaries(ctx_again, path, skip_invalid=True)  # runs again, whole
        assert again.applied and again.created > 400
        with reopened.engine.connect() as connection:
            assert _schema(connection) == schema
