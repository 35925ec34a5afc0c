"""Render a case file's documents tab and the transfer dialog, in French and Arabic.

    QT_QPA_PLATFORM=offscreen .venv/bin/python tools/files_screenshots.py [--out docs/screenshots]

A throwaway demo profile (the real demo generator) owned by a supervisor is opened in
the real main window; one case gets a signed plan summary (the real PDF, as if scanned
back), a court decision and a photo of the CIN. Writes ``{fr,ar}-case-documents.png``,
``{fr,ar}-document-viewer.png`` and ``{fr,ar}-transfer-dialog.png``.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import uuid
from datetime import date, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PIL import Image, ImageDraw  # noqa: E402
from PySide6.QtCore import QItemSelectionModel  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from app.demo import fill_profile  # noqa: E402
from app.reports import render_plan_summary  # noqa: E402
from app.services import caseload, documents, owner  # noqa: E402
from app.settings import Settings  # noqa: E402
from app.store.keys import KdfParams  # noqa: E402
from app.store.profile import Profile  # noqa: E402
from app.views.appearance import apply_appearance  # noqa: E402
from app.views.casefile.documents import DocumentsSection  # noqa: E402
from app.views.caseload import CaseloadPage  # noqa: E402
from app.views.language import apply_language  # noqa: E402
from app.views.main_window import MainWindow  # noqa: E402
from passerelle_core.enums import DocumentKind, PlanStatus, StaffRole  # noqa: E402
from tools.screenshots import SIZE, settle  # noqa: E402


def card_photo(path: Path) -> Path:
    """A photo of an identity card, as a phone takes it (no real person)."""
    image = Image.new("RGB", (900, 600), (214, 205, 190))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((90, 90, 810, 510), radius=28, fill=(120, 168, 150))
    draw.rectangle((130, 150, 330, 400), fill=(232, 226, 214))
    for row in range(6):
        draw.rectangle((370, 160 + row * 50, 760 - row * 30, 180 + row * 50), fill=(40, 70, 60))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=88)
    path.write_bytes(buffer.getvalue())
    return path


def build(folder: Path) -> tuple[Profile, uuid.UUID]:
    profile = Profile.create(folder / "demo", "screenshots only", KdfParams.fast_for_tests())
    owner.setup_owner(
        profile.sessions, "Nadia Berrada", StaffRole.SUPERVISOR, "Prison locale Oukacha"
    )
    fill_profile(profile, beneficiaries=60, seed=5, today=date.today())
    ctx = owner.owner_context(profile.sessions)
    case_id = caseload.page(
        ctx,
        caseload.CaseloadFilter(plan_status=PlanStatus.ACTIVE),
        sort="name",
        descending=False,
        offset=0,
        limit=1,
    )[0].beneficiary_id
    signed = folder / "plan-signe.pdf"
    signed.write_bytes(render_plan_summary(ctx, case_id, "fr"))
    judgement = folder / "jugement.pdf"
    judgement.write_bytes(render_plan_summary(ctx, case_id, "ar"))
    today = date.today()
    documents.attach(
        ctx, case_id, card_photo(folder / "cin.jpg"), DocumentKind.IDENTITY,
        today - timedelta(days=40), "Recto de la CIN",
    )  # fmt: skip
    documents.attach(
        ctx, case_id, judgement, DocumentKind.JUDICIAL, today - timedelta(days=30),
        "Jugement du tribunal de première instance",
    )  # fmt: skip
    documents.attach(
        ctx, case_id, signed, DocumentKind.SIGNED_PLAN, today - timedelta(days=3),
        "Plan signé par le bénéficiaire",
    )  # fmt: skip
    return profile, case_id


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    with tempfile.TemporaryDirectory() as scratch:
        profile, case_id = build(Path(scratch))
        for language in ("fr", "ar"):
            apply_language(app, language)
            apply_appearance(app, 100, False)
            window = MainWindow(
                Settings(language=language), Path(scratch), Path(scratch) / "s.json"
            )
            window.resize(*SIZE)
            window.show()
            window.open_profile(profile)
            workspace = window.workspace
            assert workspace is not None
            view = workspace.open_case(case_id, "documents")
            settle()
            window.grab().save(str(args.out / f"{language}-case-documents.png"))
            section = view.section("documents")
            assert isinstance(section, DocumentsSection)
            viewer = section.view_selected()
            if viewer is not None:
                viewer.resize(900, 760)
                settle(800)
                viewer.grab().save(str(args.out / f"{language}-document-viewer.png"))
                viewer.close()
            page = workspace.show_page("caseload")
            assert isinstance(page, CaseloadPage)
            settle()
            selection = page.table.selectionModel()
            for row in (0, 2, 3):
                selection.select(
                    page.model.index(row, 0),
                    QItemSelectionModel.SelectionFlag.Select
                    | QItemSelectionModel.SelectionFlag.Rows,
                )
            dialog = page.transfer_selected()
            assert dialog is not None
            dialog.to_team.setChecked(True)
            dialog.reason.setPlainText(
                "Libération conditionnelle : suivi par l'antenne de Tanger"
                if language == "fr"
                else "إفراج مقيد بشروط: تتابعه مصلحة طنجة"
            )
            settle()
            dialog.grab().save(str(args.out / f"{language}-transfer-dialog.png"))
            dialog.confirm_discard = lambda: True
            dialog.close()
            window.hide()
            window.deleteLater()
            settle()
        profile.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
