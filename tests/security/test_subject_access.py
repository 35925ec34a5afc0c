"""Right of access: one action writes everything held on a person, as JSON and as a PDF."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from app.models import SYNCED_MODELS, AccessAction, AccessLogEntry
from app.reports.subject_access import export_subject_access
from app.services import beneficiaries, consent, subject_access
from app.services.context import ServiceContext
from app.services.errors import NotAllowed
from app.store.profile import Profile
from app.sync.scope import case_members
from app.sync.state import model_table
from passerelle_core.enums import ConsentPurpose, StaffRole
from tests.security.cases import (
    ADDRESS,
    CIN,
    FIRST_NAME,
    LAST_NAME,
    NOTE,
    SECRET_NOTE,
    Case,
    full_case,
)

Colleague = Callable[[StaffRole], ServiceContext]


def pdf_text(path: Path) -> str:
    done = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    )
    return done.stdout


def held_ids(profile: Profile, case: Case) -> dict[str, set[str]]:
    """The ids of every record of the case in the database, by record type."""
    held: dict[str, set[str]] = {}
    with profile.engine.connect() as connection:
        for model in SYNCED_MODELS:
            table = model_table(model)
            members = case_members(table.name, case.beneficiary_id)
            if members is not None:
                held[table.name] = {str(i) for i in connection.execute(members).scalars()}
    return {name: ids for name, ids in held.items() if ids}


def test_one_action_writes_everything_held_as_json_and_pdf(
    profile: Profile, ctx: ServiceContext, colleague: Colleague, tmp_path: Path
) -> None:
    case = full_case(ctx, colleague)
    given = consent.list_for(ctx, case.beneficiary_id)
    consent.withdraw(ctx, next(c.id for c in given if c.purpose is ConsentPurpose.STATISTICS))
    psychologist = colleague(StaffRole.PSYCHOLOGIST)

    out = tmp_path / "out"
    out.mkdir()
    written = export_subject_access(psychologist, case.beneficiary_id, out, language="en")

    assert sorted(p.name for p in out.iterdir()) == sorted([written.json.name, written.pdf.name])
    assert LAST_NAME not in written.pdf.name  # names stay out of file names
    data = json.loads(written.json.read_text(encoding="utf-8"))
    assert data["format"] == "passerelle-subject-access"
    exported = {name: {r["id"] for r in records} for name, records in data["records"].items()}
    assert {name: ids for name, ids in exported.items() if ids} == held_ids(profile, case)
    person = data["records"]["beneficiary"][0]
    assert (person["last_name"], person["cin"], person["address"]) == (LAST_NAME, CIN, ADDRESS)
    assert data["psychologist_only_notes_included"] is True
    assert [p["id"] for p in data["partners"]] == [str(case.partner_id)]
    assert data["meetings"][0]["title"] == "Commission"
    text = pdf_text(written.pdf)
    for expected in (
        f"{LAST_NAME.upper()} {FIRST_NAME}",
        "Identity",
        "Consents",
        "Needs assessments",
        "Action plans",
        "Follow-up sessions",
        "Referrals",
        "Post-release outcomes",
        "Coordination meetings",
        CIN,
        SECRET_NOTE,
        "(psychologist only)",
    ):
        assert expected in text, expected
    with profile.sessions() as session:
        logged = session.scalars(
            select(AccessLogEntry.action).where(AccessLogEntry.record_id == case.beneficiary_id)
        ).all()
    assert AccessAction.EXPORT in logged


def test_psychologist_only_notes_only_in_a_psychologists_export(
    profile: Profile, ctx: ServiceContext, colleague: Colleague, tmp_path: Path
) -> None:
    case = full_case(ctx, colleague)
    supervisor = colleague(StaffRole.SUPERVISOR)

    access = subject_access.collect(supervisor, case.beneficiary_id)
    written = export_subject_access(supervisor, case.beneficiary_id, tmp_path, language="ar")

    assert access.restricted_included is False
    blob = access.to_bytes().decode("utf-8")
    assert SECRET_NOTE not in blob and str(case.restricted_session_id) not in blob
    assert NOTE in blob  # the standard session and its note are there
    text = pdf_text(written.pdf)
    assert SECRET_NOTE not in text and CIN in text and "بناني" in text
    with pytest.raises(NotAllowed):
        subject_access.collect(ctx, case.beneficiary_id)  # a social worker


def test_deleted_records_are_still_held_so_still_exported(
    ctx: ServiceContext, colleague: Colleague
) -> None:
    case = full_case(ctx)
    beneficiaries.delete(ctx, case.beneficiary_id)
    access = subject_access.collect(colleague(StaffRole.ADMIN), case.beneficiary_id)
    assert access.person["deleted_at"] is not None
    assert access.of_type("referral")
