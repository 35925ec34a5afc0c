"""The documents tab on real widgets: attach, list, view a PDF and a photo from memory.

After viewing, the profile folder and the temporary folders are scanned for the
document's own words: nothing of it is ever written in clear (SQLCipher keeps the
chunks encrypted, PDFium and Qt render from bytes in memory).
"""

from __future__ import annotations

import os
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.models import Beneficiary
from app.services import beneficiaries, documents, plans
from app.services.context import ServiceContext
from app.settings import Settings
from app.store.profile import Profile
from app.views.app_state import AppState
from app.views.casefile.documents import AttachDialog, DocumentsSection, ImageViewDialog
from app.views.casefile.plan import PlanSection
from app.views.pdf_preview import PdfPreviewDialog
from passerelle_core.enums import DocumentKind
from tests.documents.files import make_jpeg, make_pdf

MARKER = "DECISION-JUDICIAIRE-7731"
PHOTO_MARKER = "PHOTO-CIN-5512"


@pytest.fixture
def person(ctx: ServiceContext) -> Beneficiary:
    return beneficiaries.register(ctx, {"last_name": "Alaoui", "first_name": "Said"})


def _section(
    qtbot: QtBot, profile: Profile, ctx: ServiceContext, person: Beneficiary
) -> DocumentsSection:
    section = DocumentsSection(AppState(profile, ctx, Settings()), person.id)
    qtbot.addWidget(section)
    section.resize(1000, 600)
    section.show()
    return section


def _files_touched_since(folder: Path, since: float) -> list[Path]:
    found = []
    for root, _dirs, names in os.walk(folder):  # os.walk skips folders gone meanwhile
        for name in names:
            path = Path(root) / name
            try:
                if path.stat().st_mtime >= since - 1:
                    found.append(path)
            except OSError:
                continue  # another process's file, gone meanwhile
    return found


def test_attach_view_and_no_plaintext_anywhere(
    qtbot: QtBot,
    profile: Profile,
    ctx: ServiceContext,
    person: Beneficiary,
    tmp_path: Path,
) -> None:
    started = time.time()
    source = tmp_path / "source"
    source.mkdir()
    pdf = make_pdf(source / "jugement.pdf", 300_000, MARKER)
    make_jpeg(source / "photo.jpg", PHOTO_MARKER)
    section = _section(qtbot, profile, ctx, person)
    assert section.stack.currentWidget() is section.empty

    qtbot.mouseClick(section.empty_attach_button, Qt.MouseButton.LeftButton)
    dialog = section.dialog
    assert isinstance(dialog, AttachDialog)
    dialog.path.setText(str(source / "jugement.pdf"))
    assert dialog.kind.select(DocumentKind.JUDICIAL)
    qtbot.keyClicks(dialog.note, "Decision du tribunal")
    dialog.accept()
    assert section.table.topLevelItemCount() == 1
    section.attach(DocumentKind.IDENTITY, source / "photo.jpg").accept()
    assert section.table.topLevelItemCount() == 2
    # A file whose name lies about its content is refused in the dialog, nothing saved.
    liar = source / "scan.pdf"
    liar.write_text("plain text")
    refused = section.attach(DocumentKind.OTHER, liar)
    refused.accept()
    assert refused.error.isVisible() and section.table.topLevelItemCount() == 2
    refused.reject()
    # The originals are the person's own files: once attached they may go.
    for original in source.iterdir():
        original.unlink()

    rows = {row.document.kind: row for row in documents.list_for(ctx, person.id)}
    for index in range(section.table.topLevelItemCount()):
        item = section.table.topLevelItem(index)
        if item.data(0, Qt.ItemDataRole.UserRole) == rows[DocumentKind.JUDICIAL].id:
            section.table.setCurrentItem(item)
    viewer = section.view_selected()
    assert isinstance(viewer, PdfPreviewDialog)
    with qtbot.waitSignal(viewer.pages_shown, timeout=10_000) as shown:
        pass
    assert shown.args == [1]
    assert viewer.data == pdf
    viewer.close()
    photo = documents.read(ctx, rows[DocumentKind.IDENTITY].id)
    image_viewer = ImageViewDialog(photo, "photo", "photo.jpg")
    qtbot.addWidget(image_viewer)
    assert image_viewer.image.pixmap() is not None and not image_viewer.image.pixmap().isNull()
    image_viewer.close()

    profile.engine.dispose()  # WAL and shared memory files written out as they stand
    suspects = _files_touched_since(profile.folder, started)
    suspects += _files_touched_since(Path(tempfile.gettempdir()), started)
    assert suspects, "the profile's own files at least were looked at"
    for path in suspects:
        if source in path.parents or path.is_relative_to(tmp_path / "source"):
            continue
        try:
            content = path.read_bytes()
        except OSError:
            continue
        assert MARKER.encode() not in content, path
        assert PHOTO_MARKER.encode() not in content, path
        assert pdf[-4096:] not in content, path


def test_the_signed_plan_summary_is_attached_back_to_its_plan(
    qtbot: QtBot, profile: Profile, ctx: ServiceContext, person: Beneficiary, tmp_path: Path
) -> None:
    plan = plans.draft_plan(
        ctx, person.id, title="Logement", review_date=date.today() + timedelta(days=30)
    )
    section = PlanSection(AppState(profile, ctx, Settings()), person.id)
    qtbot.addWidget(section)
    make_pdf(tmp_path / "signe.pdf", 80_000, "PLAN-SIGNE")
    dialog = section.attach_signed_copy()
    assert isinstance(dialog, AttachDialog)
    assert dialog.kind.value() is DocumentKind.SIGNED_PLAN and dialog.plan_hint.isVisibleTo(dialog)
    dialog.path.setText(str(tmp_path / "signe.pdf"))
    with qtbot.waitSignal(section.changed):
        dialog.accept()
    [signed] = documents.for_plan(ctx, plan.id)
    assert signed.kind is DocumentKind.SIGNED_PLAN and signed.beneficiary_id == person.id
