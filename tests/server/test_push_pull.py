"""Push and pull round trips: states not deltas, exactly once, one bad change alone."""

from __future__ import annotations

import uuid

from tests.server import factories
from tests.server.harness import RunningServer, change


def test_a_new_case_travels_to_a_colleague(server: RunningServer) -> None:
    amina = server.add_user("social_worker")
    karim = server.add_user("educator", team=amina.team)
    laptop, colleague = server.enrol(amina), server.enrol(karim)
    case_id = uuid.uuid4()

    [result] = laptop.push(
        change("beneficiary", case_id, factories.beneficiary(amina.team_id, amina.staff_id))
    )
    assert result["status"] == "applied"
    assert result["version"] == 1

    record = colleague.pull().get("beneficiary", case_id)
    assert record is not None
    assert record["version"] == 1
    assert record["case_id"] == str(case_id)
    assert record["deleted"] is False
    assert record["data"]["last_name_ar"] == "العلوي"
    assert record["data"]["team_id"] == str(amina.team_id)
    # Columns the laptop left out get the model's defaults, so every laptop can store it.
    assert record["data"]["case_status"] == "open"
    assert record["data"]["deleted_at"] is None


def test_a_resent_change_is_applied_once(server: RunningServer) -> None:
    account = server.add_user()
    laptop = server.enrol(account)
    case_id = uuid.uuid4()
    laptop.push(change("beneficiary", case_id, factories.beneficiary(account.team_id)))
    edit = change("beneficiary", case_id, {"phone": "0612345678"}, base_version=1)

    [first] = laptop.push(edit)
    [again] = laptop.push(edit)  # the reply was lost: the outbox sends it again

    assert first["status"] == "applied"
    assert again["status"] == "duplicate"
    assert again["version"] == first["version"] == 2
    assert laptop.pull(0).get("beneficiary", case_id)["version"] == 2  # type: ignore[index]


def test_one_bad_change_does_not_block_the_others(server: RunningServer) -> None:
    account = server.add_user()
    laptop = server.enrol(account)
    good_before, good_after = uuid.uuid4(), uuid.uuid4()
    fields = factories.beneficiary(account.team_id)

    results = laptop.push(
        change("beneficiary", good_before, fields),
        change("no_such_type", uuid.uuid4(), {"x": 1}),
        change("beneficiary", uuid.uuid4(), {**fields, "birth_date": "not a date"}),
        change("beneficiary", uuid.uuid4(), {**fields, "legal_status": "escaped"}),
        change("beneficiary", uuid.uuid4(), {"first_name": "Missing last name"}),
        change("beneficiary", uuid.uuid4(), {**fields, "row_version": 3}),
        change("beneficiary", good_after, fields),
    )

    statuses = [r["status"] for r in results]
    assert statuses == ["applied"] + ["rejected"] * 5 + ["applied"]
    for rejected in results[1:-1]:
        assert rejected["permanent"] is True
        assert rejected["error"]
    pulled = laptop.pull(0)
    assert pulled.get("beneficiary", good_before) is not None
    assert pulled.get("beneficiary", good_after) is not None


def test_a_field_of_a_newer_version_is_kept_verbatim(server: RunningServer) -> None:
    account = server.add_user()
    laptop = server.enrol(account)
    record_id = uuid.uuid4()
    fields = {**factories.beneficiary(account.team_id), "nickname_from_v2": {"a": [1]}}
    [result] = laptop.push(change("beneficiary", record_id, fields))
    assert result["status"] == "applied"
    pulled = laptop.pull(0).get("beneficiary", record_id)
    assert pulled is not None and pulled["data"]["nickname_from_v2"] == {"a": [1]}
    [bad] = laptop.push(change("beneficiary", uuid.uuid4(), {**fields, "Bad Name": 1}))
    assert bad["status"] == "rejected" and bad["permanent"] is True


def test_a_child_whose_parent_has_not_arrived_is_retried_later(server: RunningServer) -> None:
    account = server.add_user()
    laptop = server.enrol(account)
    case_id, session_id = uuid.uuid4(), uuid.uuid4()
    session = change("follow_up_session", session_id, factories.follow_up_session(case_id))

    [early] = laptop.push(session)
    assert early["status"] == "rejected"
    assert early["permanent"] is False  # transient: the outbox keeps it

    laptop.push(change("beneficiary", case_id, factories.beneficiary(account.team_id)))
    [later] = laptop.push(session)
    assert later["status"] == "applied"


def test_pull_pages_follow_the_sequence(server: RunningServer) -> None:
    account = server.add_user()
    laptop = server.enrol(account)
    start = laptop.pull().cursor
    ids = [uuid.uuid4() for _ in range(7)]
    laptop.push(
        *(change("partner", i, factories.partner(f"Partner {n}")) for n, i in enumerate(ids))
    )

    first = laptop.pull_page(start, limit=3).json()
    assert first["has_more"] is True
    assert [r["record_id"] for r in first["records"]] == [str(i) for i in ids[:3]]
    assert first["next_cursor"] == first["records"][-1]["seq"]
    seqs = [r["seq"] for r in first["records"]]
    assert seqs == sorted(seqs)

    pulled = laptop.pull(start, limit=3)
    assert pulled.pages == 3
    assert {str(i) for i in ids} <= {rid for (_t, rid) in pulled.records}
    # Pulling again from the end returns nothing new.
    rest = laptop.pull_page(pulled.cursor).json()
    assert rest["records"] == []
    assert rest["has_more"] is False
    assert rest["next_cursor"] == pulled.cursor


def test_a_delete_travels_as_a_state(server: RunningServer) -> None:
    account = server.add_user()
    laptop = server.enrol(account)
    partner_id = uuid.uuid4()
    laptop.push(change("partner", partner_id, factories.partner()))

    [deleted] = laptop.push(change("partner", partner_id, op="delete", base_version=1))

    assert deleted["status"] == "applied"
    record = laptop.pull(0).get("partner", partner_id)
    assert record is not None
    assert record["deleted"] is True
    assert record["data"]["deleted_at"] is not None
    assert record["version"] == 2
