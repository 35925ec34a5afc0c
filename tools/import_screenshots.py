"""Render the import dialog (mapping step and dry-run report), in French and Arabic.

    QT_QPA_PLATFORM=offscreen .venv/bin/python tools/import_screenshots.py [--out docs/screenshots]

A throwaway profile holding one beneficiary (so that a possible duplicate shows) and a
spreadsheet as teams keep it (title row merged above the header, French headers,
dates typed DD/MM/YYYY, Arabic-Indic digits, "Détenu", one impossible date) are made
here; the real dialog is opened on them and grabbed at each step.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from datetime import date
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from openpyxl import Workbook  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from app.services import beneficiaries, owner  # noqa: E402
from app.settings import Settings  # noqa: E402
from app.store.keys import KdfParams  # noqa: E402
from app.store.profile import Profile  # noqa: E402
from app.views.app_state import AppState  # noqa: E402
from app.views.import_dialog import ImportDialog  # noqa: E402
from app.views.language import apply_language  # noqa: E402
from passerelle_core.enums import StaffRole  # noqa: E402
from tools.screenshots import settle  # noqa: E402

SIZE = (1180, 760)
ROWS = [
    ["Liste des bénéficiaires – 2026"] + [None] * 8,
    [],
    ["Nom", "Prénom", "الاسم بالعربية", "N° CIN", "Date de naissance", "Sexe", "Établissement",
     "Situation pénale", "Observations"],
    ["Alaoui", "Karim", "كريم", "ab 123-456", "14/05/1990", "H", "Prison locale Oukacha",
     "Détenu", "suivi"],
    ["Bennani", "Salma", "سلمى", "CD654321", "٣٠/٠٧/١٩٩٥", "Femme", "prison locale oukacha",
     "prévenue", None],
    ["Chraibi", "Omar", "عمر", "EF112233", "31/02/1988", "M", "Prison locale Tiflet 2",
     "condamné", None],
    ["Daoudi", "Nadia", "نادية", None, "02/11/1979", "F", "Prison locale Oukacha",
     "libérée", "orientée"],
    ["Zniber", "Youssef", "يوسف", "GH445566", "21/03/1984", "H", "Prison locale Oukacha",
     "Détenu", None],
]  # fmt: skip


def build(folder: Path) -> tuple[Profile, Path]:
    profile = Profile.create(folder / "profile", "screenshots only", KdfParams.fast_for_tests())
    owner.setup_owner(
        profile.sessions, "Salma Bennani", StaffRole.SOCIAL_WORKER, "Prison locale Oukacha"
    )
    ctx = owner.owner_context(profile.sessions)
    beneficiaries.register(
        ctx,
        {"last_name": "Daoudi", "first_name": "Nadia", "birth_date": date(1979, 11, 2)},
    )
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in ROWS:
        sheet.append(row)
    sheet.merge_cells("A1:I1")
    path = folder / "beneficiaires-2026.xlsx"
    workbook.save(path)
    return profile, path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    with tempfile.TemporaryDirectory() as scratch:
        profile, path = build(Path(scratch))
        ctx = owner.owner_context(profile.sessions)
        for language in ("fr", "ar"):
            apply_language(app, language)
            dialog = ImportDialog(AppState(profile, ctx, Settings(language=language)))
            dialog.resize(*SIZE)
            dialog.show()
            dialog.load_file(path)
            settle()
            dialog.grab().save(str(args.out / f"{language}-import-mapping.png"))
            dialog.check()
            settle()
            dialog.grab().save(str(args.out / f"{language}-import-report.png"))
            dialog.close()
            dialog.deleteLater()
        profile.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
