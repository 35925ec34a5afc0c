"""Matching against a real encrypted profile: one identity, and the whole caseload."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from sqlalchemy import select

from app.demo import generate
from app.duplicates import Candidate, default_threshold, find_all_pairs, find_matches
from app.duplicates import exclusions as exclusions_module
from app.models import Beneficiary
from app.services import beneficiaries, merging
from app.services.context import ServiceContext
from app.store.profile import Profile
from app.sync.policy import Policy, write_policy
from passerelle_core.enums import Sex

BIRTH = date(1990, 5, 14)


def register(ctx: ServiceContext, **values: object) -> uuid.UUID:
    return beneficiaries.register(ctx, {"birth_date": BIRTH, "sex": Sex.MALE, **values}).id


@pytest.fixture
def caseload(ctx: ServiceContext) -> dict[str, uuid.UUID]:
    return {
        "idrissi": register(ctx, last_name="El Idrissi", first_name="Mohamed",
                            last_name_ar="الإدريسي", first_name_ar="محمد"),
        "brother": register(ctx, last_name="El Idrissi", first_name="Youssef",
                            birth_date=date(1990, 11, 2)),
        "cin": register(ctx, last_name="Tazi", first_name="Omar", cin="AB123456"),
        "ecrou": register(ctx, last_name="Lazrak", first_name="Anas",
                          registration_number="OUK/2024/00117"),
        "no-birth": register(ctx, last_name="Chraibi", first_name="Hicham", birth_date=None),
        "deleted": register(ctx, last_name="Alaoui", first_name="Said"),
    }  # fmt: skip


def test_a_new_spelling_finds_the_existing_file(
    ctx: ServiceContext, caseload: dict[str, uuid.UUID]
) -> None:
    with ctx.sessions() as session:
        found = find_matches(session, Candidate("Mhamed", "Drissi", None, "ادريسي", BIRTH))
    assert [match.first_id for match in found] == [caseload["idrissi"]]
    assert found[0].score >= 80
    assert "same birth date" in found[0].reasons


def test_identifiers_and_names_without_birth_date_are_found(
    ctx: ServiceContext, caseload: dict[str, uuid.UUID]
) -> None:
    with ctx.sessions() as session:
        by_cin = find_matches(session, Candidate("Karim", "Zniber", cin="ab 123456"))
        by_ecrou = find_matches(session, Candidate("X", "Y", registration_number="OUK/2024/00117"))
        by_name = find_matches(session, Candidate("Hicham", "Chraïbi"))
    assert [(m.first_id, m.score, m.reasons) for m in by_cin] == [
        (caseload["cin"], 100, ("same CIN",))
    ]
    assert [(m.first_id, m.score) for m in by_ecrou] == [(caseload["ecrou"], 100)]
    assert [m.first_id for m in by_name] == [caseload["no-birth"]]


def test_deleted_files_the_file_itself_and_brothers_are_left_out(
    ctx: ServiceContext, caseload: dict[str, uuid.UUID]
) -> None:
    beneficiaries.delete(ctx, caseload["deleted"])
    with ctx.sessions() as session:
        assert find_matches(session, Candidate("Said", "Alaoui", birth_date=BIRTH)) == []
        itself = Candidate("Mohamed", "El Idrissi", birth_date=BIRTH)
        assert find_matches(session, itself, exclude_id=caseload["idrissi"]) == []
        brother = Candidate("Youssef", "El Idrissi", birth_date=date(1990, 11, 2))
        assert [m.first_id for m in find_matches(session, brother)] == [caseload["brother"]]


def test_all_pairs_of_the_caseload(ctx: ServiceContext, caseload: dict[str, uuid.UUID]) -> None:
    twin = register(ctx, last_name="Drissi", first_name="Mhamed")
    with ctx.sessions() as session:
        pairs = find_all_pairs(session)
    assert len(pairs) == 1
    pair = pairs[0]
    assert {pair.first_id, pair.second_id} == {twin, caseload["idrissi"]}
    assert pair.first_id < pair.second_id


def test_dismissed_pairs_are_not_proposed_again(
    ctx: ServiceContext, caseload: dict[str, uuid.UUID], monkeypatch: pytest.MonkeyPatch
) -> None:
    twin = register(ctx, last_name="Drissi", first_name="Mhamed")
    dismissed = {frozenset((twin, caseload["idrissi"]))}
    monkeypatch.setattr(exclusions_module, "dismissed_pairs", lambda *_: dismissed)
    with ctx.sessions() as session:
        assert find_all_pairs(session) == []
        again = Candidate("Mhamed", "Drissi", birth_date=BIRTH)
        assert find_matches(session, again, exclude_id=twin) == []


def test_the_threshold_comes_from_the_policy(
    profile: Profile, ctx: ServiceContext, caseload: dict[str, uuid.UUID]
) -> None:
    undated = register(ctx, last_name="Drissi", first_name="Mhamed", birth_date=None)  # 79
    with ctx.sessions() as session:
        assert default_threshold(session) == 80
        assert find_all_pairs(session) == []
    with profile.engine.begin() as connection:
        write_policy(connection, Policy(duplicate_threshold=75))
    with ctx.sessions() as session:
        assert default_threshold(session) == 75
        pairs = find_all_pairs(session)
    assert [{p.first_id, p.second_id} for p in pairs] == [{undated, caseload["idrissi"]}]
    assert pairs[0].score == 79


def test_the_demo_caseload_has_re_registrations_to_find(profile: Profile) -> None:
    generate(profile.engine, 600, seed=3)
    with profile.sessions() as session:
        pairs = find_all_pairs(session)
        without_cin = set(session.scalars(select(Beneficiary.id).where(Beneficiary.cin.is_(None))))
    assert len(pairs) >= 3
    # Most proposed pairs involve a re-registration (they are made without a CIN).
    involved = sum(1 for p in pairs if {p.first_id, p.second_id} & without_cin)
    assert involved >= len(pairs) * 0.6


def test_a_merged_file_is_no_longer_proposed(
    ctx: ServiceContext, caseload: dict[str, uuid.UUID]
) -> None:
    twin = register(ctx, last_name="Drissi", first_name="Mhamed")
    merging.merge(ctx, caseload["idrissi"], twin, reason="same man")
    with ctx.sessions() as session:
        assert find_all_pairs(session) == []
        again = Candidate("Mhamed", "Drissi", birth_date=BIRTH)
        assert [m.first_id for m in find_matches(session, again)] == [caseload["idrissi"]]
