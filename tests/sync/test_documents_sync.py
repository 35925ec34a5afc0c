"""Documents travel between laptops through a real server, in chunks, within the case's scope.

A counsellor attaches a 5 MB PDF and a photo, syncs; a colleague of the same team syncs
and opens them, byte for byte. A colleague of another team gets nothing through the
real API (status, download and upload all answer "not found"). Contents come after the
records; a damaged upload is refused; a deleted document's content is erased on both
sides (type and size checks: tests/services/test_documents.py). The 50 MB journey
(interrupted and resumed) is in test_documents_large.py.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import func, select

from app.models import DocumentChunk
from app.services import beneficiaries, documents
from app.services.context import ServiceContext
from passerelle_core.enums import DocumentKind
from server.core.tables import DocumentChunk as ServerChunk
from tests.documents.files import make_jpeg, make_pdf
from tests.server.harness import RunningServer, change
from tests.sync.conftest import Laptop

MakeLaptop = Callable[..., Laptop]
MB = 1024 * 1024


def register(ctx: ServiceContext, name: str) -> uuid.UUID:
    return beneficiaries.register(ctx, {"last_name": name, "first_name": "Test"}).id


def test_a_pdf_and_a_photo_reach_a_colleague(
    server: RunningServer, laptop: MakeLaptop, tmp_path: Path
) -> None:
    counsellor = server.add_user("social_worker")
    colleague = server.add_user("educator", team=counsellor.team)
    mine, theirs = laptop(counsellor), laptop(colleague)
    case_id = register(mine.ctx, "ALAOUI")
    pdf = make_pdf(tmp_path / "jugement.pdf", 5 * MB, "JUGEMENT-2026-417")
    photo = make_jpeg(tmp_path / "photo.jpg", "PHOTO-CIN")
    judgement = documents.attach(
        mine.ctx, case_id, tmp_path / "jugement.pdf", DocumentKind.JUDICIAL, note="Jugement"
    )
    picture = documents.attach(mine.ctx, case_id, tmp_path / "photo.jpg", DocumentKind.IDENTITY)

    sent = mine.sync()
    assert sent.complete and sent.documents_sent == 2
    received = theirs.sync()

    assert received.complete and received.documents_received == 2
    rows = {row.id: row for row in documents.list_for(theirs.ctx, case_id)}
    assert rows[judgement.id].held and rows[picture.id].held
    assert rows[judgement.id].document.media_type == "application/pdf"
    assert rows[judgement.id].document.note == "Jugement"
    assert documents.read(theirs.ctx, judgement.id) == pdf
    assert documents.read(theirs.ctx, picture.id) == photo
    # Stored in chunks, never whole: the 5 MB PDF is five rows of the encrypted database.
    with theirs.profile.sessions() as session:
        chunks = session.scalar(
            select(func.count()).where(DocumentChunk.document_id == judgement.id)
        )
    assert chunks == 5
    # A second sync has nothing more to move.
    again = theirs.sync()
    assert again.documents_received == 0 and again.documents_sent == 0


def test_a_colleague_of_another_team_gets_nothing_through_the_api(
    server: RunningServer, laptop: MakeLaptop, tmp_path: Path
) -> None:
    counsellor = server.add_user("social_worker")
    outsider = server.enrol(server.add_user("social_worker"))
    mine = laptop(counsellor)
    case_id = register(mine.ctx, "BENNANI")
    make_pdf(tmp_path / "lettre.pdf", 200_000, "LETTRE-PARTENAIRE")
    letter = documents.attach(mine.ctx, case_id, tmp_path / "lettre.pdf", DocumentKind.OTHER)
    assert mine.sync().documents_sent == 1

    base = f"/api/v1/documents/{letter.id}"
    assert outsider.http.get(base).status_code == 404
    assert outsider.http.get(f"{base}/chunks/0").status_code == 404
    refused = outsider.http.put(
        f"{base}/chunks/0", content=b"x" * 10, headers={"Content-Type": "application/octet-stream"}
    )
    assert refused.status_code == 404
    # Nothing of it in the outsider's pull either.
    assert outsider.pull(0).get("case_document", letter.id) is None


def test_a_complete_content_is_never_replaced_and_a_damaged_one_refused(
    server: RunningServer, laptop: MakeLaptop, tmp_path: Path
) -> None:
    counsellor = server.add_user("social_worker")
    mine = laptop(counsellor)
    device = server.enrol(counsellor, device_name="second laptop")
    case_id = register(mine.ctx, "CHRAIBI")
    original = make_pdf(tmp_path / "plan.pdf", 100_000, "PLAN-SIGNE")
    signed = documents.attach(mine.ctx, case_id, tmp_path / "plan.pdf", DocumentKind.SIGNED_PLAN)
    mine.sync()  # the description and the content

    # Another upload for a complete content changes nothing; a wrong size is refused.
    base = f"/api/v1/documents/{signed.id}/chunks/0"
    octets = {"Content-Type": "application/octet-stream"}
    again = device.http.put(base, content=b"y" * len(original), headers=octets)
    assert again.status_code == 200 and again.json()["complete"]
    assert device.http.put(base, content=b"y" * 10, headers=octets).status_code == 400
    with server.database.session() as session:
        stored = session.scalar(
            select(ServerChunk.data).where(ServerChunk.document_id == signed.id)
        )
    assert stored == original

    # A content whose SHA-256 differs from its description's is refused and dropped whole.
    damaged = uuid.uuid4()
    described = {
        "beneficiary_id": str(case_id),
        "kind": "other",
        "media_type": "application/pdf",
        "size": 10,
        "sha256": "0" * 64,
    }
    [made] = device.push(change("case_document", damaged, described, case_id=case_id))
    assert made["status"] == "applied", made
    chunk = f"/api/v1/documents/{damaged}/chunks/0"
    assert device.http.put(chunk, content=b"%PDF-1.4 x", headers=octets).status_code == 400
    status = device.http.get(f"/api/v1/documents/{damaged}").json()
    assert status["received"] == [] and status["complete"] is False


def test_a_deleted_document_is_erased_on_every_side(
    server: RunningServer, laptop: MakeLaptop, tmp_path: Path
) -> None:
    counsellor = server.add_user("social_worker")
    colleague = server.add_user("social_worker", team=counsellor.team)
    mine, theirs = laptop(counsellor), laptop(colleague)
    case_id = register(mine.ctx, "EL FASSI")
    make_pdf(tmp_path / "certificat.pdf", 50_000, "CERTIFICAT")
    made = documents.attach(
        mine.ctx, case_id, tmp_path / "certificat.pdf", DocumentKind.CERTIFICATE
    )
    mine.sync()
    theirs.sync()
    assert documents.list_for(theirs.ctx, case_id)[0].held

    documents.delete_document(mine.ctx, made.id)
    mine.sync()
    theirs.sync()  # erases the pulled deletion's contents (drop_deleted)

    assert documents.list_for(theirs.ctx, case_id) == []
    for member in (mine, theirs):
        with member.profile.sessions() as session:
            left = session.scalar(select(func.count()).where(DocumentChunk.document_id == made.id))
        assert left == 0
        with contextlib.ExitStack() as stack:  # secure_delete as the profile set it, everywhere
            held = [stack.enter_context(member.profile.engine.connect()) for _ in range(5)]
            settings = {c.exec_driver_sql("PRAGMA secure_delete").scalar_one() for c in held}
        assert settings == {1}  # SQLCipher's default; the eraser used to leave it off
