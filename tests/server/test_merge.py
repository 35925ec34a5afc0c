"""The per-field merge (docs/sync-protocol.md "Push"): nothing silently overwritten."""

from __future__ import annotations

import uuid
from typing import Any

from tests.server import factories
from tests.server.harness import Account, DeviceClient, RunningServer, change


def _two_laptops(server: RunningServer) -> tuple[Account, DeviceClient, Account, DeviceClient]:
    amina = server.add_user("social_worker")
    karim = server.add_user("educator", team=amina.team)
    return amina, server.enrol(amina), karim, server.enrol(karim)


def _new_case(laptop: DeviceClient, account: Account) -> uuid.UUID:
    case_id = uuid.uuid4()
    [result] = laptop.push(
        change("beneficiary", case_id, factories.beneficiary(account.team_id, account.staff_id))
    )
    assert result["status"] == "applied"
    return case_id


def _state(laptop: DeviceClient, record_type: str, record_id: uuid.UUID) -> dict[str, Any]:
    record = laptop.pull(0).get(record_type, record_id)
    assert record is not None
    return record


def test_different_fields_edited_offline_are_merged(server: RunningServer) -> None:
    amina, laptop_a, _karim, laptop_b = _two_laptops(server)
    case_id = _new_case(laptop_a, amina)

    [a] = laptop_a.push(change("beneficiary", case_id, {"phone": "0611111111"}, base_version=1))
    [b] = laptop_b.push(change("beneficiary", case_id, {"address": "Derb Sultan"}, base_version=1))

    assert a["status"] == "applied"
    assert b["status"] == "merged"
    assert b["conflict_id"] is None
    data = _state(laptop_a, "beneficiary", case_id)["data"]
    assert data["phone"] == "0611111111"
    assert data["address"] == "Derb Sultan"


def test_the_same_field_edited_twice_keeps_the_first_and_records_both(
    server: RunningServer,
) -> None:
    amina, laptop_a, karim, laptop_b = _two_laptops(server)
    case_id = _new_case(laptop_a, amina)

    laptop_a.push(change("beneficiary", case_id, {"phone": "0611111111"}, base_version=1))
    [b] = laptop_b.push(
        change(
            "beneficiary",
            case_id,
            {"phone": "0622222222", "address": "Hay Hassani"},
            base_version=1,
        )
    )

    assert b["status"] == "conflict"
    state = _state(laptop_b, "beneficiary", case_id)
    assert state["data"]["phone"] == "0611111111"  # first committed wins
    assert state["data"]["address"] == "Hay Hassani"  # the other field still applies
    conflicts = [
        c
        for c in laptop_b.pull(0).of_type("sync_conflict")
        if c["data"]["target_id"] == str(case_id)
    ]
    assert len(conflicts) == 1
    conflict = conflicts[0]
    assert conflict["record_id"] == b["conflict_id"]
    assert conflict["case_id"] == str(case_id)
    data = conflict["data"]
    assert data["target_type"] == "beneficiary"
    assert data["field"] == "phone"
    assert (data["kept_value"], data["kept_by"]) == ("0611111111", str(amina.staff_id))
    assert (data["other_value"], data["other_by"]) == ("0622222222", str(karim.staff_id))
    assert data["kept_at"] and data["other_at"]
    assert data["resolution"] is None and data["resolved_by"] is None
    assert data["resolved_at"] is None
    # The colleague of the same case receives it too.
    assert laptop_a.pull(0).get("sync_conflict", b["conflict_id"]) is not None


def test_the_same_value_from_both_sides_is_no_conflict(server: RunningServer) -> None:
    amina, laptop_a, _karim, laptop_b = _two_laptops(server)
    case_id = _new_case(laptop_a, amina)
    laptop_a.push(change("beneficiary", case_id, {"phone": "0611111111"}, base_version=1))

    [b] = laptop_b.push(change("beneficiary", case_id, {"phone": "0611111111"}, base_version=1))

    assert b["status"] == "merged"


def test_one_laptop_editing_twice_before_syncing_never_conflicts(server: RunningServer) -> None:
    amina, laptop_a, _karim, _laptop_b = _two_laptops(server)
    case_id = _new_case(laptop_a, amina)

    laptop_a.push(change("beneficiary", case_id, {"phone": "0611111111"}, base_version=1))
    [again] = laptop_a.push(change("beneficiary", case_id, {"phone": "0633333333"}, base_version=1))

    assert again["status"] == "merged"  # the record moved since base 1, only by this laptop
    assert again["conflict_id"] is None
    assert _state(laptop_a, "beneficiary", case_id)["data"]["phone"] == "0633333333"


def test_an_edit_of_a_record_deleted_elsewhere_keeps_it_alive(server: RunningServer) -> None:
    amina, laptop_a, _karim, laptop_b = _two_laptops(server)
    case_id = _new_case(laptop_a, amina)
    plan_id = uuid.uuid4()
    laptop_a.push(change("action_plan", plan_id, factories.action_plan(case_id)))

    [deleted] = laptop_a.push(change("action_plan", plan_id, op="delete", base_version=1))
    [edited] = laptop_b.push(change("action_plan", plan_id, {"title": "Revised"}, base_version=1))

    assert deleted["status"] == "applied"
    assert edited["status"] == "conflict"
    state = _state(laptop_a, "action_plan", plan_id)
    assert state["deleted"] is False
    assert state["data"]["deleted_at"] is None
    assert state["data"]["title"] == "Revised"
    conflict = _state(laptop_a, "sync_conflict", edited["conflict_id"])["data"]
    assert conflict["field"] == "deleted_at"
    assert conflict["kept_value"] is None
    assert conflict["other_value"] is not None  # the deletion, for a person to confirm
    assert conflict["other_by"] == str(amina.staff_id)


def test_a_delete_of_a_record_edited_elsewhere_keeps_it_alive(server: RunningServer) -> None:
    amina, laptop_a, karim, laptop_b = _two_laptops(server)
    case_id = _new_case(laptop_a, amina)
    plan_id = uuid.uuid4()
    laptop_a.push(change("action_plan", plan_id, factories.action_plan(case_id)))

    [edited] = laptop_b.push(change("action_plan", plan_id, {"title": "Revised"}, base_version=1))
    [deleted] = laptop_a.push(change("action_plan", plan_id, op="delete", base_version=1))

    assert edited["status"] == "applied"
    assert deleted["status"] == "conflict"
    state = _state(laptop_a, "action_plan", plan_id)
    assert state["deleted"] is False
    assert state["data"]["title"] == "Revised"
    conflict = _state(laptop_a, "sync_conflict", deleted["conflict_id"])["data"]
    assert conflict["field"] == "deleted_at"
    assert conflict["kept_by"] == str(karim.staff_id)
    assert conflict["other_by"] == str(amina.staff_id)
    assert conflict["other_value"] is not None


def test_the_laptop_that_lost_receives_the_kept_value_again(server: RunningServer) -> None:
    amina, laptop_a, _karim, laptop_b = _two_laptops(server)
    case_id = _new_case(laptop_a, amina)
    laptop_a.push(change("beneficiary", case_id, {"phone": "0611111111"}, base_version=1))
    laptop_b.pull(0)  # laptop B's cursor is now past A's edit...

    laptop_b.push(change("beneficiary", case_id, {"phone": "0622222222"}, base_version=1))

    # ...yet its next pull brings the record back, since the conflict took a new number.
    assert laptop_b.pull().get("beneficiary", case_id) is not None


def test_a_conflict_is_resolved_like_any_record(server: RunningServer) -> None:
    amina, laptop_a, karim, laptop_b = _two_laptops(server)
    case_id = _new_case(laptop_a, amina)
    laptop_a.push(change("beneficiary", case_id, {"phone": "0611111111"}, base_version=1))
    [b] = laptop_b.push(change("beneficiary", case_id, {"phone": "0622222222"}, base_version=1))
    conflict = _state(laptop_b, "sync_conflict", b["conflict_id"])

    [resolved] = laptop_b.push(
        change(
            "sync_conflict",
            b["conflict_id"],
            {
                "resolution": "other",
                "resolved_by": str(karim.staff_id),
                "resolved_at": "2024-05-03T09:00:00+00:00",
            },
            base_version=conflict["version"],
        ),
        change("beneficiary", case_id, {"phone": "0622222222"}, base_version=2),
    )[:1]

    assert resolved["status"] == "applied"
    pulled = laptop_a.pull(0)
    assert pulled.get("sync_conflict", b["conflict_id"])["data"]["resolution"] == "other"  # type: ignore[index]
    assert pulled.get("beneficiary", case_id)["data"]["phone"] == "0622222222"  # type: ignore[index]


def test_session_notes_are_appended_never_conflicting(server: RunningServer) -> None:
    amina, laptop_a, _karim, laptop_b = _two_laptops(server)
    case_id = _new_case(laptop_a, amina)
    session_id = uuid.uuid4()
    laptop_a.push(change("follow_up_session", session_id, factories.follow_up_session(case_id)))

    first, second = uuid.uuid4(), uuid.uuid4()
    [a] = laptop_a.push(change("session_note", first, factories.session_note(session_id, "A")))
    [b] = laptop_b.push(change("session_note", second, factories.session_note(session_id, "B")))

    assert a["status"] == b["status"] == "applied"
    pulled = laptop_a.pull(0)
    assert pulled.get("session_note", first) and pulled.get("session_note", second)


def test_a_deletion_carrying_values_keeps_them_when_the_record_lives_on(
    server: RunningServer,
) -> None:
    """A whole record sent again deleted (to a restored server) holds the values typed
    before the deletion: when an edit elsewhere keeps the record alive, they are there."""
    amina, laptop_a, _karim, laptop_b = _two_laptops(server)
    case_id = _new_case(laptop_a, amina)
    plan_id = uuid.uuid4()
    laptop_a.push(change("action_plan", plan_id, factories.action_plan(case_id)))
    [edited] = laptop_b.push(change("action_plan", plan_id, {"title": "Revised"}, base_version=1))
    whole_and_deleted = {"review_date": "2026-03-01", "deleted_at": "2026-01-05T10:00:00+00:00"}
    [deleted] = laptop_a.push(change("action_plan", plan_id, whole_and_deleted, base_version=0))

    assert edited["status"] == "applied" and deleted["status"] == "conflict"
    state = _state(laptop_a, "action_plan", plan_id)
    assert state["deleted"] is False  # the other edit keeps it alive...
    assert state["data"]["title"] == "Revised"
    assert state["data"]["review_date"] == "2026-03-01"  # ...with what she typed
