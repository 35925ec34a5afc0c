"""Who receives what: cases by team or assignment, psychologist-only sessions, left_scope."""

from __future__ import annotations

import uuid

from tests.server import factories
from tests.server.harness import Account, DeviceClient, RunningServer, change


def _case(laptop: DeviceClient, account: Account, assigned: uuid.UUID | None = None) -> uuid.UUID:
    case_id = uuid.uuid4()
    [result] = laptop.push(
        change("beneficiary", case_id, factories.beneficiary(account.team_id, assigned))
    )
    assert result["status"] == "applied"
    return case_id


def test_a_counsellor_never_pulls_another_teams_case(server: RunningServer) -> None:
    team_a, team_b = server.add_user("social_worker"), server.add_user("social_worker")
    laptop_a, laptop_b = server.enrol(team_a), server.enrol(team_b)
    case_a = _case(laptop_a, team_a)
    plan_id = uuid.uuid4()
    laptop_a.push(change("action_plan", plan_id, factories.action_plan(case_a)))
    laptop_a.push(change("partner", uuid.uuid4(), factories.partner()))

    seen_by_b = laptop_b.pull(0)

    assert seen_by_b.get("beneficiary", case_a) is None
    assert seen_by_b.get("action_plan", plan_id) is None
    assert not [r for r in seen_by_b.records.values() if r["case_id"] == str(case_a)]
    assert seen_by_b.of_type("partner")  # organisation data goes to everyone
    assert laptop_a.pull(0).get("action_plan", plan_id) is not None


def test_a_case_assigned_to_someone_of_another_team_reaches_them(server: RunningServer) -> None:
    owner, outsider = server.add_user(), server.add_user("psychologist")
    laptop, other = server.enrol(owner), server.enrol(outsider)

    case_id = _case(laptop, owner, assigned=outsider.staff_id)

    assert other.pull(0).get("beneficiary", case_id) is not None


def test_an_admin_pulls_every_case(server: RunningServer) -> None:
    counsellor, admin = server.add_user(), server.add_user("admin")
    laptop, admin_laptop = server.enrol(counsellor), server.enrol(admin)
    case_id = _case(laptop, counsellor)
    secret = uuid.uuid4()
    laptop_psy = server.enrol(server.add_user("psychologist", team=counsellor.team))
    laptop_psy.push(
        change(
            "follow_up_session", secret, factories.follow_up_session(case_id, "psychologist_only")
        )
    )

    pulled = admin_laptop.pull(0)
    assert pulled.get("beneficiary", case_id) is not None
    # Psychologist-only records are not an administrator's (the role table, issue 15).
    assert pulled.get("follow_up_session", secret) is None


def test_psychologist_only_sessions_and_notes_reach_psychologists_only(
    server: RunningServer,
) -> None:
    psychologist = server.add_user("psychologist")
    educator = server.add_user("educator", team=psychologist.team)
    laptop_psy, laptop_edu = server.enrol(psychologist), server.enrol(educator)
    case_id = _case(laptop_psy, psychologist)
    secret, ordinary = uuid.uuid4(), uuid.uuid4()
    secret_note, ordinary_note = uuid.uuid4(), uuid.uuid4()

    results = laptop_psy.push(
        change(
            "follow_up_session", secret, factories.follow_up_session(case_id, "psychologist_only")
        ),
        change("session_note", secret_note, factories.session_note(secret, "Trauma history.")),
        change("follow_up_session", ordinary, factories.follow_up_session(case_id)),
        change("session_note", ordinary_note, factories.session_note(ordinary, "Job search.")),
    )
    assert {r["status"] for r in results} == {"applied"}

    seen = laptop_edu.pull(0)
    assert seen.get("beneficiary", case_id) is not None
    assert seen.get("follow_up_session", ordinary) is not None
    assert seen.get("session_note", ordinary_note) is not None
    assert seen.get("follow_up_session", secret) is None
    assert seen.get("session_note", secret_note) is None
    psy = laptop_psy.pull(0)
    assert psy.get("follow_up_session", secret) and psy.get("session_note", secret_note)

    # Nor can the educator write into them.
    [refused] = laptop_edu.push(
        change("session_note", uuid.uuid4(), factories.session_note(secret, "Peek."))
    )
    assert refused["status"] == "rejected" and refused["permanent"] is True
    [refused_new] = laptop_edu.push(
        change(
            "follow_up_session",
            uuid.uuid4(),
            factories.follow_up_session(case_id, "psychologist_only"),
        )
    )
    assert refused_new["status"] == "rejected" and refused_new["permanent"] is True


def test_a_session_made_standard_later_reaches_the_team_with_its_notes(
    server: RunningServer,
) -> None:
    psychologist = server.add_user("psychologist")
    educator = server.add_user("educator", team=psychologist.team)
    laptop_psy, laptop_edu = server.enrol(psychologist), server.enrol(educator)
    case_id = _case(laptop_psy, psychologist)
    session_id, note_id = uuid.uuid4(), uuid.uuid4()
    laptop_psy.push(
        change(
            "follow_up_session",
            session_id,
            factories.follow_up_session(case_id, "psychologist_only"),
        ),
        change("session_note", note_id, factories.session_note(session_id)),
    )
    laptop_edu.pull(0)

    laptop_psy.push(
        change("follow_up_session", session_id, {"confidentiality": "standard"}, base_version=1)
    )

    seen = laptop_edu.pull()
    assert seen.get("follow_up_session", session_id) is not None
    assert seen.get("session_note", note_id) is not None


def test_pushing_into_a_case_out_of_scope_is_refused_for_good(server: RunningServer) -> None:
    team_a, team_b = server.add_user(), server.add_user()
    laptop_a, laptop_b = server.enrol(team_a), server.enrol(team_b)
    case_a = _case(laptop_a, team_a)

    results = laptop_b.push(
        change("beneficiary", case_a, {"phone": "0600000000"}, base_version=1),
        change("action_plan", uuid.uuid4(), factories.action_plan(case_a)),
        change("beneficiary", case_a, op="delete", base_version=1),
    )

    for result in results:
        assert result["status"] == "rejected"
        assert result["permanent"] is True
    state = laptop_a.pull(0).get("beneficiary", case_a)
    assert state is not None and state["data"]["phone"] is None and not state["deleted"]


def test_anyone_may_create_a_beneficiary_for_another_team(server: RunningServer) -> None:
    team_a, team_b = server.add_user(), server.add_user()
    laptop_a, laptop_b = server.enrol(team_a), server.enrol(team_b)
    case_id = uuid.uuid4()

    [created] = laptop_a.push(change("beneficiary", case_id, factories.beneficiary(team_b.team_id)))

    assert created["status"] == "applied"
    assert laptop_b.pull(0).get("beneficiary", case_id) is not None
    assert laptop_a.pull(0).get("beneficiary", case_id) is None


def test_a_reassigned_case_is_listed_in_left_scope_once(server: RunningServer) -> None:
    team_a, team_b = server.add_user(), server.add_user()
    supervisor = server.add_user("supervisor", team=team_a.team)
    laptop_a, laptop_b = server.enrol(team_a), server.enrol(team_b)
    laptop_sup = server.enrol(supervisor)
    case_id = _case(laptop_a, team_a)
    plan_id = uuid.uuid4()
    laptop_a.push(change("action_plan", plan_id, factories.action_plan(case_id)))
    laptop_a.pull(0)
    laptop_b.pull(0)

    [moved] = laptop_sup.push(
        change("beneficiary", case_id, {"team_id": str(team_b.team_id)}, base_version=1)
    )
    assert moved["status"] == "applied"

    seen_by_a = laptop_a.pull()
    assert seen_by_a.left_scope == [str(case_id)]
    assert seen_by_a.get("beneficiary", case_id) is None
    assert laptop_a.pull().left_scope == []  # delivered once: the cursor has passed it
    # The supervisor of team A pulled from the start again still hears of it.
    assert str(case_id) in laptop_sup.pull(0).left_scope
    # The new team receives the whole case, older records included.
    seen_by_b = laptop_b.pull()
    assert seen_by_b.left_scope == []
    assert seen_by_b.get("beneficiary", case_id) is not None
    assert seen_by_b.get("action_plan", plan_id) is not None
    # And team A can no longer write to it.
    [refused] = laptop_a.push(change("action_plan", plan_id, {"title": "x"}, base_version=1))
    assert refused["status"] == "rejected" and refused["permanent"] is True


def test_a_case_still_assigned_to_me_does_not_leave_my_scope(server: RunningServer) -> None:
    team_a, team_b = server.add_user(), server.add_user()
    laptop_a = server.enrol(team_a)
    supervisor = server.enrol(server.add_user("supervisor", team=team_a.team))
    case_id = _case(laptop_a, team_a, assigned=team_a.staff_id)
    laptop_a.pull(0)

    # Moving a case to another team is a transfer: a supervisor's (issue 20).
    supervisor.push(
        change("beneficiary", case_id, {"team_id": str(team_b.team_id)}, base_version=1)
    )

    pulled = laptop_a.pull()
    assert pulled.left_scope == []
    assert pulled.get("beneficiary", case_id) is not None
