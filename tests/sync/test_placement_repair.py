"""Upgrading repairs cases already misplaced: a team-less case joins its creator's team.

Before issue 12 a case registered between enrolment and the first sync reached the
server with no team. The laptop migration (0009) and the server migration (0005) each
place such cases; both are run here on real databases (SQLCipher; SQLite and
PostgreSQL for the server) holding the damage as it was written.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from sqlalchemy import select, text

from app.store import migrate
from app.store.engine import create_keyed_engine
from app.store.keys import new_database_key
from server.core.db import Database, alembic_config
from server.core.settings import ServerSettings
from server.core.tables import ChangeLog, Counter, Record, ServerUser

NOW = "2026-11-02 09:00:00"


def test_the_laptop_places_team_less_cases(tmp_path: Path) -> None:
    engine = create_keyed_engine(tmp_path / "cases.db", new_database_key())
    migrate.upgrade(engine, "0008")
    team, colleague_team = uuid.uuid4(), uuid.uuid4()
    me, colleague = uuid.uuid4(), uuid.uuid4()
    mine, theirs, nobody = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    with engine.begin() as connection:
        for team_id, name in ((team, "Oukacha"), (colleague_team, "Salé")):
            connection.execute(
                text(
                    "INSERT INTO team (id, name, requires_plan_approval, created_at, updated_at,"
                    " row_version)"
                    " VALUES (:id, :name, 0, :now, :now, 1)"
                ),
                {"id": team_id.hex, "name": name, "now": NOW},
            )
        for staff_id, team_id in ((me, team), (colleague, colleague_team)):
            connection.execute(
                text(
                    "INSERT INTO staff_member (id, full_name, role, team_id, active,"
                    " created_at, updated_at, row_version)"
                    " VALUES (:id, 'Someone', 'social_worker', :team, 1, :now, :now, 1)"
                ),
                {"id": staff_id.hex, "team": team_id.hex, "now": NOW},
            )
        connection.execute(
            text("INSERT INTO profile_setting (key, value) VALUES ('owner_staff_id', :me)"),
            {"me": str(me)},
        )
        for case_id, assigned in ((mine, me), (theirs, colleague), (nobody, None)):
            connection.execute(
                text(
                    "INSERT INTO beneficiary (id, last_name, first_name, legal_status,"
                    " case_status, assigned_staff_id, created_at, updated_at, row_version)"
                    " VALUES (:id, 'Alaoui', 'Amina', 'sentenced', 'open', :staff,"
                    " :now, :now, 1)"
                ),
                {"id": case_id.hex, "staff": assigned.hex if assigned else None, "now": NOW},
            )
    migrate.upgrade(engine, "head")
    with engine.connect() as connection:
        placed = dict(connection.execute(text("SELECT id, team_id FROM beneficiary")).all())
    engine.dispose()
    assert placed == {mine.hex: team.hex, theirs.hex: colleague_team.hex, nobody.hex: team.hex}


def test_the_server_places_team_less_cases(tmp_path: Path, database_url: str | None) -> None:
    database = Database(ServerSettings(data_dir=tmp_path, database_url=database_url))
    try:
        with database.engine.begin() as connection:
            config = alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, "0004")
        creator, team, case_id, child = uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        with database.session() as session, session.begin():
            session.add(
                ServerUser(
                    id=creator,
                    username=f"u{creator.hex[:8]}",
                    password_hash="x",
                    role="social_worker",
                    team_id=team,
                    full_name="Amina",
                )
            )
            data = {"id": str(case_id), "last_name": "Alaoui", "team_id": None}
            for seq, (kind, record_id, values) in enumerate(
                (
                    ("beneficiary", case_id, data),
                    ("needs_assessment", child, {"id": str(child)}),
                ),
                start=1,
            ):
                session.add(
                    Record(
                        record_type=kind,
                        record_id=record_id,
                        version=1,
                        data=values,
                        field_versions={},
                        field_devices={},
                        case_id=case_id,
                        assigned_staff_id=creator,
                        seq=seq,
                    )
                )
            session.add(
                ChangeLog(
                    change_id=uuid.uuid4(),
                    seq=1,
                    record_type="beneficiary",
                    record_id=case_id,
                    version=1,
                    device_id=uuid.uuid4(),
                    user_id=creator,
                    recorded_at=datetime.now(UTC),
                    result={},
                )
            )
            session.execute(Counter.__table__.update().values(last_seq=2))
        assert database.migrate() is True
        with database.session() as session:
            records = {r.record_type: r for r in session.scalars(select(Record))}
            last = session.scalar(select(Counter.last_seq))
        assert records["beneficiary"].data["team_id"] == str(team)
        assert {r.team_id for r in records.values()} == {team}
        assert min(r.seq for r in records.values()) > 2  # pulled again by the team
        assert last == max(r.seq for r in records.values())
    finally:
        database.dispose()
