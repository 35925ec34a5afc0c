"""The access log travels to the server at every sync; the server's copy is the reference.

Real laptops (encrypted profiles) and a real ``passerelle-server`` on SQLite and
PostgreSQL: the chain arrives whole and identical, a resend is harmless, a laptop whose
log was tampered with is refused without stopping its sync, another account cannot add
to a laptop's chain, and ``passerelle-server audit verify`` names an entry altered on
the server.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from app.models import ProfileSetting
from app.services import audit, beneficiaries
from app.store.profile import Profile
from app.sync import state
from app.sync.audit_upload import ACKED_KEY, REFUSED_KEY
from passerelle_core.audit_protocol import ACCESS_LOG_PATH, AccessLogRecord, BreakKind, ChainBreak
from passerelle_core.enums import StaffRole
from server.core.tables import AccessLogCopy
from tests.audit.conftest import PERSONAL, build_history, raw_rows, tamper
from tests.server.harness import RunningServer
from tests.sync.conftest import Laptop

MakeLaptop = Callable[..., Laptop]


def chain_id(profile: Profile) -> uuid.UUID:
    with profile.sessions() as session:
        setting = session.get(ProfileSetting, "device_id")
        assert setting is not None
        return uuid.UUID(setting.value)


def server_copy(server: RunningServer, chain: uuid.UUID) -> list[AccessLogCopy]:
    with server.database.session() as session:
        query = select(AccessLogCopy).where(AccessLogCopy.device_id == chain)
        return list(session.scalars(query.order_by(AccessLogCopy.seq)))


def local_state(profile: Profile, key: str) -> str | None:
    with profile.engine.connect() as connection:
        return state.get(connection, key)


def set_acked(profile: Profile, value: int) -> None:
    with profile.engine.begin() as connection:
        state.put(connection, ACKED_KEY, str(value))


def wire_entries(profile: Profile) -> list[dict[str, Any]]:
    rows = raw_rows(profile.engine)
    records = [
        AccessLogRecord.model_validate(
            {
                **row,
                "device_id": uuid.UUID(row["device_id"]),
                "recorded_at": row["recorded_at"] + "+00:00",
            }
        )
        for row in rows
    ]
    return [record.model_dump(mode="json") for record in records]


def test_the_log_reaches_the_server_identical(server: RunningServer, laptop: MakeLaptop) -> None:
    team = f"Team {uuid.uuid4().hex[:8]}"
    amina = laptop(server.add_user(team=team, full_name="Amina Tazi"))
    history = build_history(amina.ctx, amina.profile.engine)
    audit.open_case(amina.ctx, history.beneficiary_id)
    amina.sync()

    local = raw_rows(amina.profile.engine)
    chain = chain_id(amina.profile)
    held = server_copy(server, chain)
    assert [(row.seq, row.hash) for row in held] == [(r["seq"], r["hash"]) for r in local]
    assert held[-1].action == "open_case" and held[-1].case_id == history.beneficiary_id
    device = uuid.UUID(local_state(amina.profile, state.DEVICE_ID) or "")
    assert {row.uploaded_by for row in held} == {device}
    assert local_state(amina.profile, ACKED_KEY) == str(len(local))
    copied = repr([vars(row) for row in held])
    assert not any(personal in copied for personal in PERSONAL)

    verified = server.admin("audit", "verify", "--device", str(device))
    assert verified.returncode == 0, verified.stderr
    assert f"{chain}\t{device}\t{len(local)}\tintact" in verified.stdout

    # A teammate receives the case: what sync writes is not an access by them.
    karim = laptop(server.add_user(team=team, full_name="Karim Berrada"))
    assert beneficiaries.get(karim.ctx, history.beneficiary_id).last_name == "Ouazzani"
    assert raw_rows(karim.profile.engine) == []


def test_a_resend_is_harmless(server: RunningServer, laptop: MakeLaptop) -> None:
    amina = laptop(server.add_user())
    build_history(amina.ctx, amina.profile.engine)
    amina.sync()
    chain = chain_id(amina.profile)
    count = len(server_copy(server, chain))

    set_acked(amina.profile, 0)  # the reply was lost: everything goes again
    amina.sync()
    assert len(server_copy(server, chain)) == count
    assert local_state(amina.profile, ACKED_KEY) == str(count)

    device = server.enrol(amina.account, device_name="same person, raw HTTP")
    response = device.http.post(
        ACCESS_LOG_PATH, json={"device_id": str(chain), "entries": wire_entries(amina.profile)}
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"device_id": str(chain), "acked_seq": count, "stored": 0}


def test_a_server_missing_entries_receives_them_again(
    server: RunningServer, laptop: MakeLaptop
) -> None:
    amina = laptop(server.add_user())
    history = build_history(amina.ctx, amina.profile.engine)
    amina.sync()
    held = len(server_copy(server, chain_id(amina.profile)))
    for _ in range(5):
        audit.open_case(amina.ctx, history.beneficiary_id)
    set_acked(amina.profile, held + 2)  # as if the server had acknowledged more than it holds
    amina.sync()
    assert len(server_copy(server, chain_id(amina.profile))) == held + 5
    assert local_state(amina.profile, ACKED_KEY) == str(held + 5)


def test_a_tampered_laptop_log_is_refused_and_the_sync_goes_on(
    server: RunningServer, laptop: MakeLaptop
) -> None:
    amina = laptop(server.add_user())
    history = build_history(amina.ctx, amina.profile.engine)
    amina.sync()
    chain = chain_id(amina.profile)
    before = [(row.seq, row.hash) for row in server_copy(server, chain)]

    tamper(amina.profile.engine, "UPDATE access_log SET action = 'print' WHERE seq = 3")
    audit.open_case(amina.ctx, history.beneficiary_id)
    beneficiaries.update(amina.ctx, history.beneficiary_id, {"phone": "0522111111"})
    set_acked(amina.profile, 0)
    report = amina.sync()

    assert report.sent == 1 and report.applied == 1  # the records still went through
    assert local_state(amina.profile, REFUSED_KEY) is not None
    assert [(row.seq, row.hash) for row in server_copy(server, chain)] == before
    [check] = audit.verify(amina.profile.engine)
    assert check.check.broken == ChainBreak(3, BreakKind.ALTERED)


def test_another_account_cannot_add_to_a_laptops_chain(
    server: RunningServer, laptop: MakeLaptop
) -> None:
    amina = laptop(server.add_user())
    build_history(amina.ctx, amina.profile.engine)
    amina.sync()
    chain = chain_id(amina.profile)
    entries = wire_entries(amina.profile)
    count = len(server_copy(server, chain))

    intruder = server.enrol(server.add_user(StaffRole.SUPERVISOR.value))
    response = intruder.http.post(
        ACCESS_LOG_PATH, json={"device_id": str(chain), "entries": entries}
    )
    assert response.status_code == 409, response.text
    assert response.json()["code"] == "invalid_request"
    assert len(server_copy(server, chain)) == count


def test_the_server_copy_is_append_only_and_its_check_names_an_altered_entry(
    server: RunningServer, laptop: MakeLaptop
) -> None:
    amina = laptop(server.add_user())
    build_history(amina.ctx, amina.profile.engine)
    amina.sync()
    chain = chain_id(amina.profile)
    engine = server.database.engine
    for statement in ("UPDATE access_log SET action = 'print'", "DELETE FROM access_log"):
        with pytest.raises(DBAPIError, match="append-only"):
            with engine.begin() as connection:
                connection.exec_driver_sql(statement)

    with engine.begin() as connection:
        if server.database.is_sqlite:
            connection.exec_driver_sql("DROP TRIGGER access_log_no_update")
        else:
            connection.exec_driver_sql(
                "ALTER TABLE access_log DISABLE TRIGGER access_log_no_change"
            )
        connection.execute(
            AccessLogCopy.__table__.update()  # type: ignore[attr-defined]
            .where(AccessLogCopy.device_id == chain, AccessLogCopy.seq == 4)
            .values(action="print")
        )

    verified = server.admin("audit", "verify", "--device", str(chain))
    assert verified.returncode == 1
    assert f"{chain}" in verified.stdout and "broken at entry 4" in verified.stdout
    error = verified.stderr.strip()
    assert error == (
        f"passerelle-server: access log of device {chain} broken at entry 4 (altered); "
        "1 chain(s) broken"
    )


def test_malformed_or_forged_uploads_get_a_clear_4xx(
    server: RunningServer, laptop: MakeLaptop
) -> None:
    amina = laptop(server.add_user())
    build_history(amina.ctx, amina.profile.engine)
    chain = chain_id(amina.profile)
    entries = wire_entries(amina.profile)
    device = server.enrol(amina.account, device_name="raw HTTP")

    def post(body: dict[str, Any]) -> int:
        return device.http.post(ACCESS_LOG_PATH, json=body).status_code

    first = entries[0]
    assert post({"device_id": str(chain), "entries": []}) == 422
    for bad in (
        {"seq": 0},
        {"hash": "not a hash"},
        {"recorded_at": "2026-12-01T10:00:00"},
        {"recorded_at": "0001-01-01T00:00:00+05:00"},
        {"action": "<script>"},
        {"content": "Ouazzani"},
    ):
        assert post({"device_id": str(chain), "entries": [{**first, **bad}]}) == 422, bad
    forged = {**entries[1], "action": "print"}
    assert post({"device_id": str(chain), "entries": [first, forged]}) == 409
    assert post({"device_id": str(chain), "entries": [first, entries[2]]}) == 409  # a gap
    assert post({"device_id": str(chain), "entries": [first, first]}) == 409
    # Starting beyond what the server holds is not refused: it says where to start from.
    ahead = device.http.post(
        ACCESS_LOG_PATH, json={"device_id": str(chain), "entries": entries[1:]}
    )
    assert ahead.json() == {"device_id": str(chain), "acked_seq": 0, "stored": 0}
    assert server_copy(server, chain) == []
    assert post({"device_id": str(chain), "entries": entries}) == 200
    assert len(server_copy(server, chain)) == len(entries)
