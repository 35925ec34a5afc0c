"""A push reads its device's status in the statement that takes the counter lock
(server/services/sequence.py ``lock_with_device``, issue 23): one round trip fewer
while the lock is held. On PostgreSQL a row merely joined would be read as of the
statement's start; the device row is locked too, so a revocation that commits while
the push waits is what the push sees. Through the real server on PostgreSQL."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text

from tests.server import factories
from tests.server.harness import RunningServer, change
from tests.server.racing import Racing


@pytest.mark.parametrize("status", ["revoked", "stolen"])
def test_a_device_revoked_while_its_push_waits_pushes_nothing(
    pg_server: RunningServer, racing: Racing, status: str
) -> None:
    account = pg_server.add_user("social_worker")
    laptop = pg_server.enrol(account)
    laptop.pull(0)  # its last contact noted: the push's authentication writes nothing
    start = racing.hold()
    assert racing.holder is not None
    # The test holds the device row as a revocation in progress would, then the push
    # comes and waits; the revocation commits (releasing both rows) and the push goes.
    racing.holder.execute(
        text("SELECT id FROM device WHERE id = :id FOR UPDATE"), {"id": laptop.device_id}
    )
    case_id = uuid.uuid4()
    created = change("beneficiary", case_id, factories.beneficiary(account.team_id))
    racing.push("revoked", laptop, created)
    racing.wait_blocked(1)
    racing.holder.execute(
        text("UPDATE device SET status = :status WHERE id = :id"),
        {"status": status, "id": laptop.device_id},
    )
    racing.holder.commit()
    racing.release()
    [result] = racing.results["revoked"]
    assert result["status"] == "rejected" and result["permanent"] is True, result
    assert racing.change_log([created["change_id"]]) == {}
    assert racing.last_seq() == start  # nothing numbered


def test_a_device_told_to_wipe_hands_in_its_work_once(
    pg_server: RunningServer, racing: Racing
) -> None:
    """The final push of a device told to erase is noted under the lock: a second one
    is refused (``wipe``), as before the status moved into the lock's statement."""
    account = pg_server.add_user("social_worker")
    laptop = pg_server.enrol(account)
    before = change("beneficiary", uuid.uuid4(), factories.beneficiary(account.team_id))
    pg_server.set_device_status(laptop.device_id, "wipe")
    [result] = laptop.push(before)
    assert result["status"] == "applied", result  # recorded before the order
    response = laptop.push_response(
        change("beneficiary", uuid.uuid4(), factories.beneficiary(account.team_id))
    )
    assert response.status_code == 401 and response.json()["code"] == "wipe", response.text
