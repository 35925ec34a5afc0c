"""Pushes racing on PostgreSQL through the real server: the merge made before the lock.

A push parses, reads, merges and writes its changes with provisional numbers before it
takes the counter lock (server/services/push.py, issue 23), so that concurrent pushes
do that work side by side. Here the test holds the counter lock itself while two
laptops push: both read ahead, then wait (for the lock, or for the record the first
one locked to write), and the first one let in changes what the second one read. The
outcome must be exactly the serialized one: the second push sees
the first one's commit (a conflict kept, nothing overwritten), a resend is recognised,
and the sequence numbers handed out are the ones the change log and the pull show.
"""

from __future__ import annotations

import uuid
from typing import Any

from tests.server import factories
from tests.server.harness import DeviceClient, RunningServer, change
from tests.server.racing import Racing


def _colleagues(server: RunningServer) -> tuple[DeviceClient, DeviceClient, uuid.UUID, Any]:
    """Two counsellors of one team, and a case of theirs both laptops hold at version 1."""
    first = server.add_user("social_worker")
    second = server.add_user("social_worker", first.team)
    one, two = server.enrol(first), server.enrol(second)
    case_id = uuid.uuid4()
    [created] = one.push(change("beneficiary", case_id, factories.beneficiary(first.team_id)))
    assert created["status"] == "applied"
    return one, two, case_id, first


def _seqs_handed_out(server: RunningServer, start: int) -> list[int]:
    """Every number above ``start`` a fresh admin laptop pulls, records and all."""
    checker = server.enrol(server.add_user("admin"))
    pulled = checker.pull(start)
    return sorted(record["seq"] for record in pulled.records.values())


def test_a_push_whose_reads_went_stale_merges_as_if_it_had_waited(
    pg_server: RunningServer, racing: Racing
) -> None:
    one, two, case_id, _account = _colleagues(pg_server)
    start = racing.hold()
    mine = change("beneficiary", case_id, {"phone": "0611111111"}, base_version=1)
    theirs = change(
        "beneficiary", case_id, {"phone": "0622222222", "nickname": "Youss"}, base_version=1
    )
    racing.push("one", one, mine)
    racing.wait_blocked(1)
    racing.push("two", two, theirs)
    racing.wait_blocked(2)  # both read the case at version 1, then waited
    racing.release()

    logged = racing.change_log([mine["change_id"], theirs["change_id"]])
    first, second = sorted(logged, key=lambda c: logged[c] or 0)
    winner, loser = (mine, theirs) if first == mine["change_id"] else (theirs, mine)
    results = {**{r["change_id"]: r for r in racing.results["one"]}}
    results.update({r["change_id"]: r for r in racing.results["two"]})
    # Serialized, the second push meets the first one's phone: a conflict, not a loss.
    assert results[first]["status"] == "applied"
    assert results[second]["status"] == "conflict", results[second]
    checker = pg_server.enrol(pg_server.add_user("admin"))
    pulled = checker.pull(0)
    record = pulled.get("beneficiary", case_id)
    assert record is not None
    assert record["data"]["phone"] == winner["fields"]["phone"]
    assert record["version"] == (3 if "nickname" in loser["fields"] else 2)
    if "nickname" in loser["fields"]:
        assert record["data"]["nickname"] == "Youss"  # the other field still applied
    [conflict] = [
        c for c in pulled.of_type("sync_conflict") if c["data"]["target_id"] == str(case_id)
    ]
    assert conflict["data"]["field"] == "phone"
    assert conflict["data"]["kept_value"] == winner["fields"]["phone"]
    assert conflict["data"]["other_value"] == loser["fields"]["phone"]
    # The numbers: both changes numbered after the held lock, in commit order, and the
    # pull from where the lock was taken delivers up to the counter, nothing skipped.
    assert start < logged[first] < logged[second] <= racing.last_seq()  # type: ignore[operator]
    seqs = _seqs_handed_out(pg_server, start)
    assert seqs and seqs[-1] <= racing.last_seq()
    assert record["seq"] in seqs and conflict["seq"] in seqs


def test_a_resend_racing_its_original_is_applied_once(
    pg_server: RunningServer, racing: Racing
) -> None:
    one, _two, case_id, _account = _colleagues(pg_server)
    racing.hold()
    edit = change("beneficiary", case_id, {"phone": "0633333333"}, base_version=1)
    racing.push("original", one, edit)
    racing.wait_blocked(1)
    racing.push("resend", one, edit)  # the reply was lost: the laptop sends it again
    racing.wait_blocked(2)
    racing.release()
    statuses = sorted(r[0]["status"] for r in racing.results.values())
    assert statuses == ["applied", "duplicate"]
    record = one.pull(0).get("beneficiary", case_id)
    assert record is not None and record["version"] == 2


def test_pushes_to_other_records_of_a_case_keep_their_reads(
    pg_server: RunningServer, racing: Racing
) -> None:
    """Reads nobody invalidated stand: a session added while a colleague edits the case."""
    one, two, case_id, _account = _colleagues(pg_server)
    session_id = uuid.uuid4()
    racing.hold()
    racing.push("one", one, change("beneficiary", case_id, {"phone": "0644444444"}, base_version=1))
    racing.wait_blocked(1)
    racing.push(
        "two",
        two,
        change("follow_up_session", session_id, factories.follow_up_session(case_id)),
    )
    racing.wait_blocked(2)
    racing.release()
    assert [r["status"] for r in racing.results["one"]] == ["applied"]
    assert [r["status"] for r in racing.results["two"]] == ["applied"]
    pulled = two.pull(0)
    assert pulled.get("follow_up_session", session_id) is not None
    record = pulled.get("beneficiary", case_id)
    assert record is not None and record["data"]["phone"] == "0644444444"


def test_a_resend_that_numbers_nothing_is_caught_by_the_change_log(
    pg_server: RunningServer, racing: Racing
) -> None:
    """A record created and deleted offline: its deletion numbers nothing, so the
    counter does not move and the resend's reads stand; the change log's key refuses its
    second row, and the batch is merged again under the lock: a duplicate."""
    one, _two, _case_id, _account = _colleagues(pg_server)
    racing.hold()
    gone = change("beneficiary", uuid.uuid4(), {}, op="delete", base_version=None)
    racing.push("original", one, gone)
    racing.wait_blocked(1)
    racing.push("resend", one, gone)
    racing.wait_blocked(2)
    racing.release()
    statuses = sorted(r[0]["status"] for r in racing.results.values())
    assert statuses == ["applied", "duplicate"]
    assert racing.change_log([gone["change_id"]]) == {gone["change_id"]: None}
    assert "batch merged again under the counter lock: IntegrityError" in pg_server.log()
