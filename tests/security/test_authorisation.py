"""A hostile colleague against a real server: what the role table and lifecycle allow, only.

The table-driven test pushes, for every role, a creation, an edit and a deletion of every
record type, and checks that the server's answer is the role table's
(:data:`passerelle_core.lifecycle.WRITES`). The other tests are the attacks of issue 15,
each of which succeeded before: organisation edits, every path into an active plan,
rewriting or deleting a colleague's note, writing in someone else's name, a referral
without consent, an administrator receiving psychologist-only notes.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest

from app.security.permissions import allows
from app.sync.records import SYNCED_TYPES
from passerelle_core.enums import StaffRole
from passerelle_core.lifecycle import CREATE, DELETE, OPERATIONS, UPDATE, WRITES, write_permission
from tests.server import factories
from tests.server.harness import DeviceClient, RunningServer, change

TODAY = "2026-11-02"
RESTRICTED = "psychologist_only"


def _outcome(result: dict[str, Any]) -> str:
    if result["status"] == "rejected":
        assert result["permanent"] is True, result
        return "rejected"
    assert result["status"] in {"applied", "merged"}, result
    return "applied"


def team_of(laptop: DeviceClient) -> uuid.UUID:
    return uuid.UUID(laptop.user["team_id"])


def _team() -> str:
    return f"Team {uuid.uuid4().hex[:8]}"


@dataclass
class Parents:
    """Records every other type hangs from, made by an administrator of the team."""

    team_id: uuid.UUID
    case: uuid.UUID
    partner: uuid.UUID
    plan: uuid.UUID
    goal: uuid.UUID
    session: uuid.UUID
    meeting: uuid.UUID


def _fields(record_type: str, p: Parents) -> dict[str, Any]:
    """Complete fields of a new record of ``record_type`` under ``p``."""
    tag = uuid.uuid4().hex[:8]
    case, partner = str(p.case), str(p.partner)
    return {
        "facility": {"code": f"F-{tag}", "name": f"Facility {tag}"},
        "team": {"name": f"Team {tag}"},
        "staff_member": {"full_name": f"Staff {tag}", "role": "educator"},
        "partner": factories.partner(f"Partner {tag}"),
        "partner_contact": {"partner_id": partner, "full_name": "Nadia Berrada"},
        "partner_service": {"partner_id": partner, "name": "Formation"},
        "beneficiary": factories.beneficiary(p.team_id),
        "consent_record": {"beneficiary_id": case, "purpose": "statistics", "given_on": TODAY},
        "needs_assessment": {
            "beneficiary_id": case,
            "instrument_id": "reentry-needs",
            "instrument_version": 1,
            "assessed_on": TODAY,
        },
        "action_plan": factories.action_plan(p.case),
        "goal": {"plan_id": str(p.plan), "domain_id": "housing", "wording": "Un logement"},
        "action": {"goal_id": str(p.goal), "description": "Visite"},
        "follow_up_session": factories.follow_up_session(p.case),
        "session_note": factories.session_note(p.session),
        "referral": {
            "reference": f"REF-{tag}",
            "beneficiary_id": case,
            "partner_id": partner,
            "sent_on": TODAY,
        },
        "coordination_meeting": {"held_on": TODAY, "title": "Synthèse"},
        "meeting_participant": {"meeting_id": str(p.meeting), "full_name": "Invité"},
        "meeting_decision": {"meeting_id": str(p.meeting), "beneficiary_id": case, "text": "Suivi"},
        "post_release_outcome": {"beneficiary_id": case, "checkpoint": "6", "recorded_on": TODAY},
        "sync_conflict": {"target_type": "beneficiary", "target_id": case, "field": "phone"},
        "duplicate_decision": {
            "beneficiary_id": case,
            "other_id": str(uuid.uuid4()),
            "verdict": "not_duplicate",
        },
        "appointment": {
            "beneficiary_id": case,
            "staff_id": str(uuid.uuid4()),
            "starts_at": f"{TODAY}T09:30:00+00:00",
        },
        "quick_note": {"beneficiary_id": case, "kind": "phone", "body": "Appel", "noted_on": TODAY},
        "case_document": {
            "beneficiary_id": case,
            "kind": "other",
            "media_type": "application/pdf",
            "size": 10,
            "sha256": "0" * 64,
        },
        "case_transfer": {"beneficiary_id": case, "transferred_on": TODAY, "reason": "Depart"},
    }[record_type]


EDITS: dict[str, dict[str, Any]] = {
    "facility": {"name": "Renamed facility"},
    "team": {"name": "Renamed team"},
    "staff_member": {"full_name": "Renamed"},
    "partner": {"phone": "0522000000"},
    "partner_contact": {"phone": "0611111111"},
    "partner_service": {"description": "Autre"},
    "beneficiary": {"first_name": "Said"},
    "consent_record": {"notes": "Relu"},
    "needs_assessment": {"notes": "Relu"},
    "action_plan": {"title": "Nouveau titre"},
    "goal": {"wording": "Un emploi"},
    "action": {"description": "Appel"},
    "follow_up_session": {"topic": "Emploi"},
    "session_note": {"body": "Rewritten by someone else."},
    "referral": {"reason": "Autre motif"},
    "coordination_meeting": {"title": "Autre titre"},
    "meeting_participant": {"full_name": "Autre invité"},
    "meeting_decision": {"text": "Autre décision"},
    "post_release_outcome": {"notes": "Relu"},
    "sync_conflict": {"resolution": "kept"},
    "duplicate_decision": {"reason": "Deux frères"},
    "appointment": {"status": "missed"},
    "quick_note": {"body": "Rewritten by someone else."},
    "case_document": {"note": "Relu"},
    "case_transfer": {"reason": "Autre motif"},
}


def _setup(server: RunningServer, team: str) -> tuple[DeviceClient, Parents]:
    admin = server.enrol(server.add_user("admin", team=team))
    ids = [uuid.uuid4() for _ in range(6)]
    case, partner, plan, goal, session, meeting = ids
    team_id = uuid.UUID(admin.user["team_id"])
    p = Parents(team_id, case, partner, plan, goal, session, meeting)
    results = admin.push(
        change("beneficiary", case, factories.beneficiary(team_id)),
        change("partner", partner, factories.partner()),
        change(
            "consent_record",
            uuid.uuid4(),
            {
                "beneficiary_id": str(case),
                "purpose": "partner_sharing",
                "partner_id": str(partner),
                "given_on": TODAY,
            },
        ),
        change("action_plan", plan, factories.action_plan(case)),
        change("goal", goal, _fields("goal", p)),
        change("follow_up_session", session, factories.follow_up_session(case)),
        change("coordination_meeting", meeting, _fields("coordination_meeting", p)),
    )
    assert all(r["status"] == "applied" for r in results), results
    return admin, p


def _conflicts(server: RunningServer, team: str, p: Parents, count: int) -> list[uuid.UUID]:
    """``count`` open conflicts, made as the server makes them: two edits of one field."""
    first = server.enrol(server.add_user("admin", team=team))
    second = server.enrol(server.add_user("admin", team=team))
    cases = [uuid.uuid4() for _ in range(count)]
    first.push(*(change("beneficiary", c, factories.beneficiary(p.team_id)) for c in cases))
    first.push(*(change("beneficiary", c, {"phone": "0600"}, base_version=1) for c in cases))
    results = second.push(
        *(change("beneficiary", c, {"phone": "0700"}, base_version=1) for c in cases)
    )
    assert all(r["status"] == "conflict" for r in results), results
    return [uuid.UUID(r["conflict_id"]) for r in results]


def test_every_record_type_has_a_row_for_every_operation() -> None:
    assert set(WRITES) == set(SYNCED_TYPES) == set(EDITS)
    assert all(set(WRITES[name]) == set(OPERATIONS) for name in WRITES)


@pytest.mark.parametrize("role", list(StaffRole), ids=str)
def test_the_server_answers_what_the_role_table_says(
    server: RunningServer, role: StaffRole
) -> None:
    team = _team()
    admin, p = _setup(server, team)
    targets = {op: {name: uuid.uuid4() for name in WRITES} for op in (UPDATE, DELETE)}
    made = admin.push(
        *(
            change(name, targets[op][name], _fields(name, p))
            for op in (UPDATE, DELETE)
            for name in WRITES
            if name != "sync_conflict"
        )
    )
    assert all(r["status"] == "applied" for r in made), made
    conflicts = _conflicts(server, team, p, 2)
    targets[UPDATE]["sync_conflict"], targets[DELETE]["sync_conflict"] = conflicts
    laptop = server.enrol(server.add_user(role.value, team=team))

    asked: list[tuple[str, str]] = []
    changes = []
    for name in WRITES:
        asked.append((name, CREATE))
        changes.append(change(name, uuid.uuid4(), _fields(name, p)))
        asked.append((name, UPDATE))
        changes.append(change(name, targets[UPDATE][name], EDITS[name], base_version=1))
        asked.append((name, DELETE))
        changes.append(change(name, targets[DELETE][name], op="delete", base_version=1))
    results = laptop.push(*changes)

    answers = {key: _outcome(result) for key, result in zip(asked, results, strict=True)}
    expected = {
        (name, op): "applied" if allows(role, write_permission(name, op)) else "rejected"
        for name, op in asked
    }
    assert answers == expected


# -- organisation data ------------------------------------------------------------------


def test_a_colleague_cannot_move_a_counsellor_into_their_team(server: RunningServer) -> None:
    counsellor = server.add_user("social_worker", team=_team())
    educator = server.enrol(server.add_user("educator", team=_team()))

    [moved] = educator.push(
        change(
            "staff_member",
            counsellor.staff_id,
            {"team_id": educator.user["team_id"]},
            base_version=1,
        )
    )

    assert _outcome(moved) == "rejected"
    # Her laptop's role and team come from her account, which no push can change.
    laptop = server.enrol(counsellor)
    policy = laptop.http.get("/api/v1/policy").json()
    assert policy["account_role"] == "social_worker"
    assert policy["account_team_id"] == str(counsellor.team_id)


@pytest.mark.parametrize("role", list(StaffRole), ids=str)
def test_the_plan_approval_flag_is_the_administrators(
    server: RunningServer, role: StaffRole
) -> None:
    account = server.add_user(role.value, team=_team())
    laptop = server.enrol(account)

    [result] = laptop.push(
        change("team", account.team_id, {"requires_plan_approval": True}, base_version=1)
    )

    assert _outcome(result) == ("applied" if role is StaffRole.ADMIN else "rejected")


def test_user_add_names_teams_by_a_stable_key(server: RunningServer) -> None:
    first = server.add_user("social_worker", team=_team())
    other_key = _team()
    other = server.add_user("social_worker", team=other_key)
    admin = server.enrol(server.add_user("admin", team=_team()))
    # The first team is renamed to look like the other one...
    [renamed] = admin.push(change("team", first.team_id, {"name": other_key}, base_version=1))
    assert _outcome(renamed) == "applied"

    newcomer = server.add_user("social_worker", team=other_key)
    by_id = server.add_user("educator", team=str(first.team_id))

    # ...but the key still names the team it was given to, and an id its own team.
    assert newcomer.team_id == other.team_id
    assert by_id.team_id == first.team_id


# -- plans: every way into "active" -----------------------------------------------------


@dataclass
class ApprovalTeam:
    case: uuid.UUID
    educator: DeviceClient
    supervisor: DeviceClient


@pytest.fixture
def approval_team(server: RunningServer) -> ApprovalTeam:
    team = _team()
    admin = server.enrol(server.add_user("admin", team=team))
    case = uuid.uuid4()
    team_id = admin.user["team_id"]
    results = admin.push(
        change("beneficiary", case, factories.beneficiary(uuid.UUID(team_id))),
        change("team", team_id, {"requires_plan_approval": True}, base_version=1),
    )
    assert all(_outcome(r) == "applied" for r in results), results
    return ApprovalTeam(
        case,
        server.enrol(server.add_user("educator", team=team)),
        server.enrol(server.add_user("supervisor", team=team)),
    )


def _plan(laptop: DeviceClient, case: uuid.UUID, **fields: Any) -> tuple[uuid.UUID, str]:
    plan = uuid.uuid4()
    [result] = laptop.push(change("action_plan", plan, factories.action_plan(case, **fields)))
    return plan, _outcome(result)


def _move(laptop: DeviceClient, plan: uuid.UUID, status: str, base: int) -> str:
    [result] = laptop.push(change("action_plan", plan, {"status": status}, base_version=base))
    return _outcome(result)


@pytest.mark.parametrize("status", ["active", "under_review", "closed"])
def test_a_plan_cannot_be_created_past_approval(approval_team: ApprovalTeam, status: str) -> None:
    _plan_id, created = _plan(approval_team.educator, approval_team.case, status=status)
    assert created == "rejected"
    # A supervisor's laptop merges "drafted and activated offline" into one creation.
    _plan_id, by_supervisor = _plan(approval_team.supervisor, approval_team.case, status=status)
    assert by_supervisor == "applied"


def test_draft_to_closed_to_active_is_refused(approval_team: ApprovalTeam) -> None:
    team = approval_team
    plan, created = _plan(team.educator, team.case)
    assert created == "applied"
    assert _move(team.educator, plan, "closed", 1) == "rejected"  # never activated
    assert _move(team.supervisor, plan, "closed", 1) == "applied"  # activated on the way
    assert _move(team.educator, plan, "active", 2) == "rejected"  # closed is final
    assert _move(team.supervisor, plan, "active", 2) == "rejected"


def test_submitted_plans_are_approved_or_returned_by_supervisors_only(
    approval_team: ApprovalTeam,
) -> None:
    team = approval_team
    plan, _created = _plan(team.educator, team.case)
    assert _move(team.educator, plan, "awaiting_approval", 1) == "applied"
    assert _move(team.educator, plan, "draft", 2) == "rejected"
    assert _move(team.educator, plan, "active", 2) == "rejected"
    [forged] = team.educator.push(
        change(
            "action_plan",
            plan,
            {"approved_by_id": str(team.supervisor.staff_id)},
            base_version=2,
        )
    )
    assert _outcome(forged) == "rejected"
    assert _move(team.supervisor, plan, "active", 2) == "applied"
    # Under review and back is for everyone, once approved.
    assert _move(team.educator, plan, "under_review", 3) == "applied"
    assert _move(team.educator, plan, "active", 4) == "applied"


def test_without_approval_an_offline_draft_to_closed_is_accepted(server: RunningServer) -> None:
    educator = server.enrol(server.add_user("educator", team=_team()))
    case = uuid.uuid4()
    educator.push(change("beneficiary", case, factories.beneficiary(team_of(educator))))
    plan, _created = _plan(educator, case)
    assert _move(educator, plan, "closed", 1) == "applied"  # through active: allowed here


# -- notes, authorship, consent, psychologist-only --------------------------------------


def test_a_written_note_is_never_rewritten_nor_deleted(server: RunningServer) -> None:
    team = _team()
    psychologist = server.enrol(server.add_user("psychologist", team=team))
    colleague = server.enrol(server.add_user("social_worker", team=team))
    case, session, note = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    written = psychologist.push(
        change("beneficiary", case, factories.beneficiary(team_of(psychologist))),
        change("follow_up_session", session, factories.follow_up_session(case)),
        change("session_note", note, factories.session_note(session, "Entretien initial.")),
    )
    assert all(_outcome(r) == "applied" for r in written), written

    for laptop in (colleague, psychologist):
        [edited] = laptop.push(change("session_note", note, {"body": "Rewritten."}, base_version=1))
        [deleted] = laptop.push(change("session_note", note, op="delete", base_version=1))
        assert _outcome(edited) == _outcome(deleted) == "rejected"
    # A correction is a new revision.
    [corrected] = psychologist.push(
        change("session_note", uuid.uuid4(), {**factories.session_note(session), "revision": 2})
    )
    assert _outcome(corrected) == "applied"
    stored = colleague.pull(0).get("session_note", note)
    assert stored is not None and stored["data"]["body"] == "Entretien initial."
    assert stored["data"]["deleted_at"] is None


def test_authors_are_the_pushing_account(server: RunningServer) -> None:
    team = _team()
    psychologist = server.add_user("psychologist", team=team)
    forger = server.enrol(server.add_user("social_worker", team=team))
    case, session, note = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    her = str(psychologist.staff_id)
    in_her_name = {"author_id": her, "updated_by_id": her}
    results = forger.push(
        change("beneficiary", case, factories.beneficiary(team_of(forger))),
        change("follow_up_session", session, factories.follow_up_session(case)),
        change(
            "session_note",
            note,
            {**factories.session_note(session), **in_her_name},
        ),
        change("beneficiary", case, {"phone": "0600", "updated_by_id": her}, base_version=1),
    )
    assert all(_outcome(r) == "applied" for r in results), results

    pulled = forger.pull(0)
    stored_note = pulled.get("session_note", note)
    stored_case = pulled.get("beneficiary", case)
    assert stored_note is not None and stored_case is not None
    me = str(forger.staff_id)
    assert stored_note["data"]["author_id"] == stored_note["data"]["updated_by_id"] == me
    assert stored_case["data"]["updated_by_id"] == me


def test_a_referral_needs_the_consent_to_share_with_that_partner(server: RunningServer) -> None:
    worker = server.enrol(server.add_user("social_worker", team=_team()))
    case, partner, other, consent = uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    worker.push(
        change("beneficiary", case, factories.beneficiary(team_of(worker))),
        change("partner", partner, factories.partner("Al Amal")),
        change("partner", other, factories.partner("Annajat")),
    )

    def refer(to: uuid.UUID) -> str:
        fields = {
            "reference": f"REF-{uuid.uuid4().hex[:8]}",
            "beneficiary_id": str(case),
            "partner_id": str(to),
            "sent_on": TODAY,
        }
        [result] = worker.push(change("referral", uuid.uuid4(), fields))
        return _outcome(result)

    assert refer(partner) == "rejected"
    worker.push(
        change(
            "consent_record",
            consent,
            {
                "beneficiary_id": str(case),
                "purpose": "partner_sharing",
                "partner_id": str(partner),
                "given_on": TODAY,
            },
        )
    )
    assert refer(partner) == "applied"
    assert refer(other) == "rejected"  # consent covers one partner
    worker.push(change("consent_record", consent, {"withdrawn_on": TODAY}, base_version=1))
    assert refer(partner) == "rejected"


def test_administrators_do_not_receive_psychologist_only_notes(server: RunningServer) -> None:
    team = _team()
    psychologist = server.enrol(server.add_user("psychologist", team=team))
    admin = server.enrol(server.add_user("admin", team=team))
    case, session, note = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    results = psychologist.push(
        change("beneficiary", case, factories.beneficiary(team_of(psychologist))),
        change("follow_up_session", session, factories.follow_up_session(case, RESTRICTED)),
        change("session_note", note, factories.session_note(session, "Confidentiel.")),
    )
    assert all(_outcome(r) == "applied" for r in results), results

    pulled = admin.pull(0)

    assert pulled.get("beneficiary", case) is not None
    assert pulled.get("follow_up_session", session) is None
    assert pulled.get("session_note", note) is None
