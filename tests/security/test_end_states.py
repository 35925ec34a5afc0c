"""Device end states, the access log's provenance and the login throttle, on a real server.

A disabled account whose laptop was told to erase hands in what it recorded before the
order, once, within the administrator's limit, and nothing after; a laptop cannot log
acts in a colleague's name, and ``audit verify`` names such entries; a hundred parallel
guesses of one password get at most the per-account limit of real checks; an office
behind one address is not locked out by a few typos, and a guessing address waits
longer at every block.
"""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import update

from passerelle_core.audit_protocol import (
    ACCESS_LOG_PATH,
    GENESIS_HASH,
    AccessLogRecord,
    entry_hash,
)
from server.core.tables import AccessLogCopy, Device, LoginThrottle
from server.services import accounts
from tests.server import factories
from tests.server.harness import HEADERS, PASSWORD, RunningServer, change, start_server

PARALLEL_GUESSES = 100


def _at(moment: datetime) -> str:
    return moment.isoformat()


def _disable(server: RunningServer, username: str) -> None:
    with server.database.session() as session:
        accounts.disable_user(session, username)


# -- a disabled account whose laptop must erase -----------------------------------------


def test_a_wiped_and_disabled_account_hands_in_its_past_work_once(server: RunningServer) -> None:
    account = server.add_user("social_worker")
    laptop = server.enrol(account)
    case = uuid.uuid4()
    [created] = laptop.push(change("beneficiary", case, factories.beneficiary(account.team_id)))
    assert created["status"] == "applied"
    before_order = datetime.now(UTC) - timedelta(minutes=5)

    _disable(server, account.username)
    server.set_device_status(laptop.device_id, "wipe")
    late = change("beneficiary", case, {"phone": "0611"}, base_version=1)
    early = change("beneficiary", uuid.uuid4(), factories.beneficiary(account.team_id))
    early["recorded_at"] = _at(before_order)
    late["recorded_at"] = _at(datetime.now(UTC) + timedelta(seconds=1))

    [kept, refused] = laptop.push(early, late)

    assert kept["status"] == "applied"
    assert refused["status"] == "rejected" and refused["permanent"] is True
    # Once: every later call is answered "wipe", pushes included.
    again = laptop.push_response(early)
    assert again.status_code in {401, 403, 410}, again.text
    assert again.json()["code"] == "wipe"
    assert laptop.pull_page(0).json()["code"] == "wipe"


def test_a_wiped_device_past_the_limit_pushes_nothing(server: RunningServer) -> None:
    account = server.add_user("educator")
    laptop = server.enrol(account)
    server.set_device_status(laptop.device_id, "wipe")
    long_ago = datetime.now(UTC) - timedelta(days=30)
    with server.database.session() as session, session.begin():
        session.execute(
            update(Device).where(Device.id == laptop.device_id).values(wipe_ordered_at=long_ago)
        )
    early = change("beneficiary", uuid.uuid4(), factories.beneficiary(account.team_id))
    early["recorded_at"] = _at(long_ago - timedelta(days=1))

    refused = laptop.push_response(early)

    assert refused.json()["code"] == "wipe", refused.text


# -- the access log's provenance --------------------------------------------------------


def _entries(chain: uuid.UUID, staff: list[uuid.UUID | None]) -> list[dict[str, Any]]:
    previous, made = GENESIS_HASH, []
    for seq, staff_id in enumerate(staff, start=1):
        draft = AccessLogRecord(
            device_id=chain,
            seq=seq,
            recorded_at=datetime.now(UTC),
            staff_id=staff_id,
            action="open_case",
            record_type="beneficiary",
            record_id=uuid.uuid4(),
            case_id=None,
            prev_hash=previous,
            hash="0" * 64,
        )
        previous = entry_hash(draft.model_dump())
        made.append(draft.model_copy(update={"hash": previous}).model_dump(mode="json"))
    return made


def test_a_log_entry_in_a_colleagues_name_is_refused(server: RunningServer) -> None:
    forger = server.enrol(server.add_user("educator"))
    victim = server.add_user("psychologist")
    chain = uuid.uuid4()  # a made-up chain

    forged = forger.http.post(
        ACCESS_LOG_PATH,
        json={"device_id": str(chain), "entries": _entries(chain, [victim.staff_id])},
    )
    honest = forger.http.post(
        ACCESS_LOG_PATH,
        json={"device_id": str(chain), "entries": _entries(chain, [forger.staff_id, None])},
    )

    assert forged.status_code == 409, forged.text
    assert honest.status_code == 200, honest.text


def test_audit_verify_names_entries_whose_actor_is_not_the_uploader(
    server: RunningServer,
) -> None:
    uploader = server.enrol(server.add_user("educator"))
    victim = server.add_user("psychologist")
    chain = uuid.uuid4()
    entries = _entries(chain, [uploader.staff_id, victim.staff_id])
    # Held from before the check existed: written straight into the server's copy.
    with server.database.session() as session, session.begin():
        for entry in entries:
            record = AccessLogRecord.model_validate(entry)
            session.add(AccessLogCopy(**record.model_dump(), uploaded_by=uploader.device_id))

    run = server.admin("audit", "verify", "--device", str(chain))

    assert run.returncode == 1
    assert "another staff member than the uploading account (first: 2)" in run.stderr
    assert "foreign actor at entry 2" in run.stdout


# -- the login throttle -----------------------------------------------------------------


def _enrol(client: httpx.Client, username: str, password: str) -> httpx.Response:
    body = {"username": username, "password": password, "device_name": "laptop"}
    return client.post("/api/v1/enrol", json=body)


def test_parallel_guesses_get_at_most_the_limit_of_real_checks(server: RunningServer) -> None:
    account = server.add_user("social_worker")
    limit = server.settings.login_failures_per_user

    with httpx.Client(base_url=server.url, headers=HEADERS, timeout=60) as client:

        def guess(n: int) -> int:
            return _enrol(client, account.username, f"guess number {n}").status_code

        with ThreadPoolExecutor(max_workers=PARALLEL_GUESSES) as pool:
            codes = list(pool.map(guess, range(PARALLEL_GUESSES)))

    checked = codes.count(401)  # a password was verified (and was wrong)
    assert 1 <= checked <= limit, codes
    assert codes.count(429) == PARALLEL_GUESSES - checked, codes
    # The real password waits too: the account is locked for the window.
    with httpx.Client(base_url=server.url, headers=HEADERS, timeout=60) as client:
        assert _enrol(client, account.username, PASSWORD).status_code == 429


def test_an_office_is_not_locked_out_and_guessing_waits_longer(tmp_path: Path) -> None:
    env = {
        "PASSERELLE_SERVER_LOGIN_FAILURES_PER_ADDRESS": "10",
        "PASSERELLE_SERVER_LOGIN_ADDRESS_BACKOFF_SECONDS": "30",
    }
    with (
        start_server(tmp_path, env=env) as server,
        httpx.Client(base_url=server.url, headers=HEADERS, timeout=60) as client,
    ):
        colleague = server.add_user("educator")
        for n in range(9):  # typos of nine different colleagues behind one address
            assert _enrol(client, f"typo-{n}", "wrong").status_code == 401
        # A good login gives its attempt back: the office goes on working.
        assert _enrol(client, colleague.username, PASSWORD).status_code == 200
        assert _enrol(client, colleague.username, PASSWORD).status_code == 200
        assert _enrol(client, "typo-9", "wrong").status_code == 401

        first = _enrol(client, colleague.username, PASSWORD)
        assert first.status_code == 429
        assert 1 <= int(first.headers["Retry-After"]) <= 30
        # The block ends (moved into the past here), the guessing goes on: twice as long.
        _end_address_block(server)
        for n in range(10):
            assert _enrol(client, f"again-{n}", "wrong").status_code == 401
        second = _enrol(client, colleague.username, PASSWORD)
        assert second.status_code == 429
        assert 30 < int(second.headers["Retry-After"]) <= 60


def _end_address_block(server: RunningServer) -> None:
    past = datetime.now(UTC) - timedelta(seconds=1)
    with server.database.session() as session, session.begin():
        session.execute(
            update(LoginThrottle)
            .where(LoginThrottle.key.startswith("addr:"))
            .values(blocked_until=past, window_start=past)
        )
