"""Documents and transfers in the services: the signed plan finds its plan, retention
erases contents, the right of access hands them over, transfers refuse what they must.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.models import DocumentChunk, StaffMember
from app.reports.subject_access import export_subject_access
from app.services import beneficiaries, documents, plans, retention, transfers
from app.services.context import ServiceContext
from app.services.errors import NotAllowed
from app.store.profile import Profile
from app.sync.policy import Policy, write_policy
from passerelle_core.enums import DocumentKind, RetentionAction, StaffRole
from tests.documents.files import make_jpeg, make_pdf

Colleague = Callable[[StaffRole], ServiceContext]


def test_a_signed_plan_is_attached_to_the_current_plan(ctx: ServiceContext, tmp_path: Path) -> None:
    person = beneficiaries.register(ctx, {"last_name": "Alaoui", "first_name": "Said"})
    plan = plans.draft_plan(
        ctx, person.id, title="Logement", review_date=date.today() + timedelta(days=30)
    )
    make_pdf(tmp_path / "plan.pdf", 60_000, "PLAN-SIGNE")
    signed = documents.attach(ctx, person.id, tmp_path / "plan.pdf", DocumentKind.SIGNED_PLAN)
    assert signed.plan_id == plan.id
    assert [d.id for d in documents.for_plan(ctx, plan.id)] == [signed.id]


def test_type_is_told_by_content_and_size_by_the_policy(
    ctx: ServiceContext, tmp_path: Path
) -> None:
    person = beneficiaries.register(ctx, {"last_name": "Drissi", "first_name": "Ali"})
    fake = tmp_path / "scan.pdf"
    fake.write_text("not a PDF at all, whatever its name says")
    with pytest.raises(documents.DocumentRefused):
        documents.attach(ctx, person.id, fake, DocumentKind.OTHER)
    make_pdf(tmp_path / "huge.pdf", 21 * 1024 * 1024, "TROP-GRAND")  # default limit: 20 MB
    with pytest.raises(documents.DocumentRefused):
        documents.attach(ctx, person.id, tmp_path / "huge.pdf", DocumentKind.OTHER)
    assert documents.list_for(ctx, person.id) == []


def test_retention_erases_documents_and_the_right_of_access_hands_them_over(
    profile: Profile, ctx: ServiceContext, colleague: Colleague, tmp_path: Path
) -> None:
    person = beneficiaries.register(ctx, {"last_name": "Bennani", "first_name": "Salma"})
    pdf = make_pdf(tmp_path / "jugement.pdf", 150_000, "JUGEMENT")
    photo = make_jpeg(tmp_path / "cin.jpg", "CIN")
    judgement = documents.attach(ctx, person.id, tmp_path / "jugement.pdf", DocumentKind.JUDICIAL)
    documents.attach(ctx, person.id, tmp_path / "cin.jpg", DocumentKind.IDENTITY, note="Recto")

    supervisor = colleague(StaffRole.SUPERVISOR)
    (tmp_path / "access").mkdir()
    exported = export_subject_access(supervisor, person.id, tmp_path / "access")
    assert sorted(path.read_bytes() for path in exported.documents) == sorted([pdf, photo])
    assert judgement.id.hex[:8] in "".join(path.name for path in exported.documents)

    beneficiaries.close_case(ctx, person.id, closed_on=date.today() - timedelta(days=400))
    with profile.engine.begin() as connection:
        write_policy(
            connection,
            Policy(
                retention_days={"closed": 365},
                retention_actions={"closed": RetentionAction.ANONYMISE},
            ),
        )
    report = retention.run(colleague(StaffRole.ADMIN))
    assert report.anonymised == 1
    assert documents.list_for(ctx, person.id) == []  # a scan is identity: gone
    with profile.sessions() as session:
        assert session.scalar(select(func.count()).select_from(DocumentChunk)) == 0


def test_transfers_refuse_what_they_must(ctx: ServiceContext, colleague: Colleague) -> None:
    person = beneficiaries.register(ctx, {"last_name": "Chraibi", "first_name": "Omar"})
    supervisor = colleague(StaffRole.SUPERVISOR)
    with pytest.raises(NotAllowed):
        transfers.transfer(ctx, [person.id], reason="x", to_staff_id=ctx.actor.staff_id)
    with pytest.raises(transfers.TransferRefused):
        transfers.transfer(supervisor, [person.id], reason="  ", to_staff_id=ctx.actor.staff_id)
    with pytest.raises(transfers.TransferRefused):  # already theirs: nothing to do
        transfers.transfer(supervisor, [person.id], reason="x", to_staff_id=ctx.actor.staff_id)
    other = colleague(StaffRole.EDUCATOR)
    [made] = transfers.transfer(
        supervisor, [person.id], reason="Depart", to_staff_id=other.actor.staff_id
    )
    assert made.from_staff_id == ctx.actor.staff_id and made.to_staff_id == other.actor.staff_id
    assert beneficiaries.get(ctx, person.id).assigned_staff_id == other.actor.staff_id
    with supervisor.transaction() as session:
        session.get_one(StaffMember, other.actor.staff_id).active = False
    with pytest.raises(transfers.TransferRefused):
        transfers.transfer(
            supervisor, [person.id], reason="Retour", to_staff_id=other.actor.staff_id
        )
