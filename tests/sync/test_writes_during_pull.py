"""Saves made while a pull writes 20,000 records: each succeeds or says why, none is lost.

Real laptop profile, real server process (SQLite and PostgreSQL). The server's record
store is seeded directly (a push of 20,000 records would take minutes); the pull reads
them through the protocol like any other.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import insert, select

from app.models import Beneficiary
from app.services import beneficiaries, consent, followup, meetings, partners, plans, referrals
from app.services.errors import Busy
from app.store import writelock
from app.sync.client import SyncClient
from app.sync.engine import SyncOptions, SyncReport
from passerelle_core.enums import ConsentPurpose, PartnerKind
from server.core.tables import Record
from server.services.sequence import SequenceAllocator
from tests.server.harness import Account, RunningServer
from tests.sync.conftest import Laptop

pytestmark = pytest.mark.slow

RECORDS = 20_000
# Not speed targets (those are measured by benchmarks): bounds far below the pull's own
# length (~15 s) that show the pull lets saves in between its commit groups, with room
# for a loaded 2-core CI machine.
LOCK_WAIT_LIMIT = 5.0  # s a save waits for the lock (about 1 s on an idle machine)
SAVE_LIMIT = 9.0  # a whole save (up to 3 transactions), below the 10 s busy timeout
PAUSE = 0.05


def seed_caseload(server: RunningServer, account: Account, count: int) -> None:
    """``count`` beneficiaries of ``account``'s team, written straight into the store."""
    now = datetime.now(UTC).isoformat()
    with server.database.session() as session:
        seqs = SequenceAllocator(session)
        rows: list[dict[str, Any]] = []
        for number in range(count):
            record_id = uuid.uuid4()
            data = {
                "id": str(record_id),
                "last_name": f"Pulled{number}",
                "first_name": "Case",
                "legal_status": "sentenced",
                "case_status": "open",
                "team_id": str(account.team_id),
                "assigned_staff_id": str(account.staff_id),
                "created_at": now,
                "updated_at": now,
            }
            names = [n for n in data if n != "id"]
            rows.append(
                {
                    "record_type": "beneficiary",
                    "record_id": record_id,
                    "version": 1,
                    "data": data,
                    "field_versions": dict.fromkeys(names, 1),
                    "field_devices": dict.fromkeys(names),
                    "deleted": False,
                    "case_id": record_id,
                    "team_id": account.team_id,
                    "assigned_staff_id": account.staff_id,
                    "restricted": False,
                    "seq": seqs.next(),
                }
            )
        session.execute(insert(Record), rows)
        seqs.save()
        session.commit()


def test_every_save_during_a_big_pull_succeeds_or_says_why(
    server: RunningServer, laptop: Callable[..., Laptop]
) -> None:
    account = server.add_user("social_worker")
    device = laptop(account)  # enrolled, first (small) sync done
    seed_caseload(server, account, RECORDS)
    ctx = device.ctx
    person = beneficiaries.register(ctx, {"last_name": "Idrissi", "first_name": "Samir"})
    outcome: dict[str, Any] = {}

    def pull() -> None:
        try:
            outcome["report"] = device.sync()
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            outcome["error"] = error

    puller = threading.Thread(target=pull)
    writelock.WAITERS.longest = 0.0
    puller.start()
    saved: list[uuid.UUID] = []
    refused: list[str] = []
    waits: list[tuple[str, float]] = []
    today = date.today()
    round_number = 0
    while puller.is_alive() or round_number == 0:
        round_number += 1
        for name, save in _saves(ctx, person.id, round_number, today):
            started = time.monotonic()
            try:
                made = save()
            except Busy as error:
                refused.append(str(error))
                continue
            waits.append((name, time.monotonic() - started))
            if isinstance(made, Beneficiary):
                saved.append(made.id)
            time.sleep(PAUSE)  # a counsellor, not a loop: the pull gets on between saves
    puller.join()
    assert "error" not in outcome, outcome.get("error")
    report: SyncReport = outcome["report"]
    assert report.received >= RECORDS
    assert all("busy" in message.lower() for message in refused)
    assert len(waits) > len(refused)  # the pull yields: saves go through
    assert writelock.WAITERS.longest < LOCK_WAIT_LIMIT  # the pull lets saves in
    slowest = max(waits, key=lambda item: item[1])
    assert slowest[1] < SAVE_LIMIT, slowest
    with device.profile.sessions() as session:
        present = set(session.scalars(select(Beneficiary.id).where(Beneficiary.id.in_(saved))))
    assert present == set(saved)  # none lost locally
    device.sync()
    pulled = server.enrol(account, device_name="checker").pull(cursor=0)
    on_server = {key[1] for key in pulled.records if key[0] == "beneficiary"}
    assert {str(i) for i in saved} <= on_server  # and none lost on the way up


SLOW_PAGE_SECONDS = 6.0  # a loaded server taking its time over the second page
SAVE_AFTER_SECONDS = 3.0  # the save comes this long into that wait: the first page is in


def test_a_pull_waiting_for_a_slow_page_lets_saves_in(
    server: RunningServer, laptop: Callable[..., Laptop], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The commit group ends while the next page is still on its way: the write lock is
    not held across the network (before, a save waited until the slow page was in)."""
    account = server.add_user("social_worker")
    device = laptop(account)
    seed_caseload(server, account, 300)
    person = beneficiaries.register(device.ctx, {"last_name": "Tazi", "first_name": "Nadia"})
    slow_page = threading.Event()
    real_pull = SyncClient.pull

    def slow_network(client: SyncClient, cursor: int, limit: int = 100) -> Any:
        page = real_pull(client, cursor, limit)
        if client.pages_pulled == 2:  # the first page is being written meanwhile
            slow_page.set()
            time.sleep(SLOW_PAGE_SECONDS)
        return page

    monkeypatch.setattr(SyncClient, "pull", slow_network)
    outcome: dict[str, Any] = {}

    def pull() -> None:
        outcome["report"] = device.sync(SyncOptions(page_size=200))

    puller = threading.Thread(target=pull)
    puller.start()
    assert slow_page.wait(timeout=120)
    time.sleep(SAVE_AFTER_SECONDS)
    started = time.monotonic()
    beneficiaries.update(device.ctx, person.id, {"phone": "0612345678"})
    waited = time.monotonic() - started
    assert puller.is_alive()  # the save was made while the pull waited for its page
    puller.join()
    assert waited < SLOW_PAGE_SECONDS - SAVE_AFTER_SECONDS - 1.0, waited
    assert outcome["report"].received >= 300


def _saves(
    ctx: Any, person_id: uuid.UUID, number: int, today: date
) -> list[tuple[str, Callable[[], object]]]:
    """One save through each service a counsellor uses during an interview."""

    def draft_plan() -> object:
        case = beneficiaries.register(ctx, {"last_name": f"Plan{number}", "first_name": "Case"})
        plan = plans.draft_plan(ctx, case.id, title=f"Plan {number}")
        return plans.add_goal(ctx, plan.id, domain_id="housing", wording="A place to live")

    def refer() -> object:
        partner = partners.create_partner(
            ctx, {"name": f"Association {uuid.uuid4().hex[:8]}", "kind": PartnerKind.NGO}
        )
        consent.record(ctx, person_id, ConsentPurpose.PARTNER_SHARING, partner_id=partner.id)
        return referrals.refer(ctx, person_id, partner.id, reason="Housing")

    return [
        ("register", lambda: beneficiaries.register(ctx, {"last_name": f"New{number}",
                                                          "first_name": "Person"})),
        ("update", lambda: beneficiaries.update(ctx, person_id, {"phone": f"06{number:08d}"})),
        ("consent", lambda: consent.record(ctx, person_id, ConsentPurpose.STATISTICS)),
        ("session", lambda: followup.record_session(ctx, person_id, held_on=today,
                                                    topic="Work", note="Met")),
        ("plan", draft_plan),
        ("referral", refer),
        ("meeting", lambda: meetings.record_meeting(ctx, held_on=today, title="Commission",
                                                    decisions=[])),
    ]  # fmt: skip
