"""Retention across laptops and a real server: an anonymisation made on a laptop reaches the
server and every laptop; the server's own run does the same and the laptops follow."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import timedelta

from app.models import SYNCED_MODELS
from app.services import followup, retention
from app.store.profile import Profile
from app.sync.policy import read_policy, write_policy
from app.sync.scope import case_members
from app.sync.state import model_table
from passerelle_core.enums import Confidentiality
from server.services.retention import retention_policy
from tests.security.cases import PERSONAL, SECRET_NOTE, full_case
from tests.security.test_retention import case_text
from tests.server.harness import RunningServer
from tests.sync.conftest import Laptop, server_state

MakeLaptop = Callable[..., Laptop]


def receive_policy(server: RunningServer, laptop: Laptop) -> None:
    """What the laptop's policy refresh writes at sync: the server's retention rules."""
    with server.database.session() as session:
        fields = retention_policy(session)
    with laptop.profile.engine.begin() as connection:
        policy = read_policy(connection)
        write_policy(connection, policy.model_copy(update=fields))


def case_ids(profile: Profile, case_id: uuid.UUID) -> set[str]:
    ids = set()
    with profile.engine.connect() as connection:
        for model in SYNCED_MODELS:
            members = case_members(model_table(model).name, case_id)
            if members is not None:
                ids |= {str(i) for i in connection.execute(members).scalars()}
    return ids


def on_server(server: RunningServer, laptop: Laptop, ids: set[str]) -> str:
    """The server's records with these ids, as pulled by an administrator's fresh device."""
    held = server_state(server, laptop.account)
    return json.dumps([d for (_type, rid), d in held.items() if rid in ids], ensure_ascii=False)


def leaks(text: str) -> list[str]:
    return [value for value in PERSONAL if value in text]


def test_an_anonymisation_on_a_laptop_reaches_the_server_and_every_laptop(
    fresh_server: RunningServer, laptop: MakeLaptop
) -> None:
    server, team = fresh_server, f"Team {uuid.uuid4().hex[:8]}"
    counsellor = laptop(server.add_user("social_worker", team=team), on=server)
    psychologist = laptop(server.add_user("psychologist", team=team), on=server)
    admin = laptop(server.add_user("admin"), on=server)
    case = full_case(counsellor.ctx, closed_days_ago=400)
    counsellor.sync()
    psychologist.sync()
    followup.record_session(
        psychologist.ctx,
        case.beneficiary_id,
        held_on=psychologist.ctx.today() - timedelta(days=500),
        confidentiality=Confidentiality.PSYCHOLOGIST_ONLY,
        topic=SECRET_NOTE,
        note=SECRET_NOTE,
    )
    psychologist.sync()
    admin.sync()
    ids = case_ids(psychologist.profile, case.beneficiary_id)
    assert SECRET_NOTE in on_server(server, psychologist, ids)
    assert SECRET_NOTE not in on_server(server, admin, ids)  # never delivered to admins
    assert server.admin("retention", "set", "--state", "closed", "--days", "365",
                        "--action", "anonymise").returncode == 0  # fmt: skip
    receive_policy(server, admin)

    assert retention.run(admin.ctx).anonymised == 1
    report = admin.sync()

    assert report.rejected == 0
    # The server erased the psychologist-only records the administrator never held.
    assert leaks(on_server(server, psychologist, ids)) == []
    for each in (counsellor, psychologist):
        each.sync()
        assert leaks(case_text(each.profile, case)) == []
    assert not any(kind == "sync_conflict" for kind, _id in server_state(server, admin.account))
    ran = server.admin("retention", "run")
    assert ran.returncode == 0 and "0 case(s) processed" in ran.stdout  # already done


def test_the_servers_own_run_anonymises_then_purges_and_laptops_follow(
    fresh_server: RunningServer, laptop: MakeLaptop
) -> None:
    server, team = fresh_server, f"Team {uuid.uuid4().hex[:8]}"
    counsellor = laptop(server.add_user("social_worker", team=team), on=server)
    admin = laptop(server.add_user("admin"), on=server)
    case = full_case(counsellor.ctx, closed_days_ago=400)
    recent = full_case(counsellor.ctx, closed_days_ago=30, last_name="Alami", cin="BK7")
    counsellor.sync()
    ids = case_ids(counsellor.profile, case.beneficiary_id)
    server.admin("retention", "set", "--state", "closed", "--days", "365", "--action", "anonymise")

    dry = server.admin("retention", "run", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert str(case.beneficiary_id) in dry.stdout and str(recent.beneficiary_id) not in dry.stdout
    assert "1 case(s) would be processed" in dry.stdout
    assert "Bennani" in on_server(server, admin, ids)  # a dry run changes nothing

    ran = server.admin("retention", "run")
    assert ran.returncode == 0 and "1 case(s) processed" in ran.stdout
    assert leaks(on_server(server, admin, ids)) == []
    counsellor.sync()
    assert leaks(case_text(counsellor.profile, case)) == []
    assert "Alami" in case_text(counsellor.profile, recent)
    admin.sync()
    receive_policy(server, admin)
    assert retention.preview(admin.ctx) == []  # the laptops agree: nothing left to do

    server.admin("retention", "set", "--state", "closed", "--days", "365", "--action", "purge")
    purged = server.admin("retention", "run")
    assert "1 case(s) processed" in purged.stdout
    counsellor.sync()
    with counsellor.profile.engine.connect() as connection:
        for model in SYNCED_MODELS:
            table = model_table(model)
            members = case_members(table.name, case.beneficiary_id)
            if members is None:
                continue
            rows = connection.execute(table.select().where(table.c.id.in_(members))).all()
            assert all(row.deleted_at is not None for row in rows), table.name


def test_rules_are_checked_and_shown(fresh_server: RunningServer) -> None:
    refused = fresh_server.admin("retention", "set", "--state", "open", "--days", "10",
                                 "--action", "purge")  # fmt: skip
    assert refused.returncode == 1
    assert "no retention period for 'open' cases" in refused.stderr
    assert "Traceback" not in refused.stderr
    zero = fresh_server.admin("retention", "set", "--state", "closed", "--days", "0",
                              "--action", "purge")  # fmt: skip
    assert zero.returncode == 2 and "must be at least 1" in zero.stderr  # a usage error
    assert len(zero.stderr.strip().splitlines()) == 1
    fresh_server.admin("retention", "set", "--state", "closed", "--days", "3650",
                       "--action", "anonymise")  # fmt: skip
    shown = fresh_server.admin("retention", "show")
    assert shown.stdout.splitlines() == ["STATE\tDAYS\tACTION", "closed\t3650\tanonymise"]
    with fresh_server.database.session() as session:
        assert retention_policy(session) == {
            "retention_days": {"closed": 3650},
            "retention_actions": {"closed": "anonymise"},
        }
