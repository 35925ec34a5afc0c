"""Schema evolution: a profile written at the first revision opens and upgrades in place."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from app.models import Base
from app.services import search
from app.services.owner import owner_context, setup_owner
from app.store import migrate
from app.store.engine import create_keyed_engine
from app.store.errors import MigrationFailed
from app.store.header import ProfileHeader, write_header
from app.store.keys import KdfParams, new_database_key
from app.store.profile import Profile
from passerelle_core.enums import StaffRole
from tests.conftest import PASSPHRASE

INDEX_TABLES = {"beneficiary_search", "beneficiary_search_map"}


def _profile_at_first_revision(folder: Path, kdf: KdfParams) -> bytes:
    folder.mkdir(parents=True)
    key = new_database_key()
    header = ProfileHeader.seal(key, PASSPHRASE, kdf, "cases-first.db")
    engine = create_keyed_engine(folder / header.database, key)
    migrate.upgrade(engine, "0001")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO beneficiary (id, last_name, first_name, last_name_ar, legal_status,"
                " case_status, created_at, updated_at, row_version)"
                " VALUES (:id, 'Ouazzani', 'Saïd', 'الوزاني', 'sentenced', 'open',"
                " '2026-01-01 00:00:00', '2026-01-01 00:00:00', 1)"
            ),
            {"id": uuid.uuid4().hex},
        )
    engine.dispose()
    write_header(folder, header)
    return key


def test_first_revision_profile_is_migrated_and_indexed(
    tmp_path: Path, fast_kdf: KdfParams
) -> None:
    folder = tmp_path / "old"
    _profile_at_first_revision(folder, fast_kdf)
    with Profile.open(folder, PASSPHRASE) as profile:
        with profile.engine.connect() as connection:
            assert migrate.current_revision(connection) == migrate.head_revision()
        setup_owner(profile.sessions, "Test", StaffRole.EDUCATOR)
        ctx = owner_context(profile.sessions)
        assert [hit.last_name for hit in search.search(ctx, "said ouaz")] == ["Ouazzani"]
        assert [hit.last_name for hit in search.search(ctx, "الوزاني")] == ["Ouazzani"]


def test_failed_migration_leaves_profile_unchanged(
    tmp_path: Path, fast_kdf: KdfParams, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "old"
    key = _profile_at_first_revision(folder, fast_kdf)
    from app.store import search_index

    broken = (*search_index.CREATE_STATEMENTS, "CREATE TABLE beneficiary (oops)")
    monkeypatch.setattr(search_index, "CREATE_STATEMENTS", broken)
    with pytest.raises(MigrationFailed):
        Profile.open(folder, PASSPHRASE)
    monkeypatch.undo()
    engine = create_keyed_engine(folder / "cases-first.db", key)
    with engine.connect() as connection:
        assert migrate.current_revision(connection) == "0001"
        tables = connection.exec_driver_sql("SELECT name FROM sqlite_master").scalars().all()
        assert "beneficiary_search_map" not in tables
    engine.dispose()
    with Profile.open(folder, PASSPHRASE) as profile, profile.engine.connect() as connection:
        assert migrate.current_revision(connection) == migrate.head_revision()


def test_migrations_produce_exactly_the_models(profile: Profile) -> None:
    with profile.engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "include_name": lambda name, kind, _parent: (
                    not (
                        kind == "table"
                        and (name in INDEX_TABLES or name.startswith("beneficiary_search_"))
                    )
                ),
            },
        )
        differences = compare_metadata(context, Base.metadata)
    assert differences == []
