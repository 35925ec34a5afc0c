"""A record changes case only to the file its case was merged into, authorised like any
change (scope of both cases, role); a record created on a merged-away file lands on
the kept one (server/services/case_move.py, docs/security.md)."""

from __future__ import annotations

import uuid

from tests.server import factories
from tests.server.harness import Account, DeviceClient, RunningServer, change


def _case(laptop: DeviceClient, account: Account) -> uuid.UUID:
    case_id = uuid.uuid4()
    [result] = laptop.push(change("beneficiary", case_id, factories.beneficiary(account.team_id)))
    assert result["status"] == "applied", result
    return case_id


def _session(laptop: DeviceClient, case_id: uuid.UUID) -> uuid.UUID:
    session_id = uuid.uuid4()
    [result] = laptop.push(
        change("follow_up_session", session_id, factories.follow_up_session(case_id))
    )
    assert result["status"] == "applied", result
    return session_id


def _move(laptop: DeviceClient, session_id: uuid.UUID, case_id: uuid.UUID) -> dict[str, object]:
    [result] = laptop.push(
        change(
            "follow_up_session",
            session_id,
            {"beneficiary_id": str(case_id)},
            base_version=1,
        )
    )
    return result


def test_a_record_moves_only_to_the_file_its_case_was_merged_into(
    server: RunningServer,
) -> None:
    account = server.add_user()
    laptop = server.enrol(account)
    kept, other, unrelated = _case(laptop, account), _case(laptop, account), _case(laptop, account)
    session_id = _session(laptop, other)
    note_id = uuid.uuid4()
    laptop.push(change("session_note", note_id, factories.session_note(session_id)))

    refused = _move(laptop, session_id, kept)
    assert refused["status"] == "rejected" and refused["permanent"], refused

    [merged] = laptop.push(
        change("beneficiary", other, {"merged_into_id": str(kept)}, base_version=1)
    )
    assert merged["status"] in {"applied", "merged"}, merged
    assert _move(laptop, session_id, unrelated)["status"] == "rejected"
    moved = _move(laptop, session_id, kept)
    assert moved["status"] in {"applied", "merged"}, moved

    pulled = server.enrol(account, device_name="checker").pull(0)
    assert pulled.get("follow_up_session", session_id)["case_id"] == str(kept)  # type: ignore[index]
    assert pulled.get("session_note", note_id)["case_id"] == str(kept)  # type: ignore[index]


def test_moving_into_a_case_out_of_scope_is_refused(server: RunningServer) -> None:
    mine, theirs = server.add_user(), server.add_user()
    laptop, other_laptop = server.enrol(mine), server.enrol(theirs)
    kept = _case(other_laptop, theirs)  # another team's file
    other = _case(laptop, mine)
    session_id = _session(laptop, other)
    laptop.push(change("beneficiary", other, {"merged_into_id": str(kept)}, base_version=1))
    refused = _move(laptop, session_id, kept)
    assert refused["status"] == "rejected" and refused["permanent"], refused


def test_a_record_created_on_a_merged_away_file_lands_on_the_kept_one(
    server: RunningServer,
) -> None:
    account = server.add_user()
    laptop = server.enrol(account)
    kept, other = _case(laptop, account), _case(laptop, account)
    laptop.push(change("beneficiary", other, {"merged_into_id": str(kept)}, base_version=1))
    late = _session(laptop, other)  # recorded offline before the merge was known
    record = server.enrol(account, device_name="checker").pull(0).get("follow_up_session", late)
    assert record is not None
    assert record["case_id"] == str(kept) and record["data"]["beneficiary_id"] == str(kept)
