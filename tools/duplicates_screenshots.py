"""Render the duplicates page and the merge dialog, in French and Arabic.

    QT_QPA_PLATFORM=offscreen .venv/bin/python tools/duplicates_screenshots.py [--out DIR]

A throwaway demo profile (the real demo generator, whose caseload has people registered
twice) owned by a supervisor is opened in the real main window; two files of one man
(two spellings, one without his Arabic name, one with his phone) are added so the merge
dialog shows differing values. Writes ``{fr,ar}-duplicates.png`` and
``{fr,ar}-merge-dialog.png``.
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

from PySide6.QtWidgets import QApplication  # noqa: E402

from app.demo import fill_profile  # noqa: E402
from app.services import beneficiaries, owner  # noqa: E402
from app.settings import Settings  # noqa: E402
from app.store.keys import KdfParams  # noqa: E402
from app.store.profile import Profile  # noqa: E402
from app.views.appearance import apply_appearance  # noqa: E402
from app.views.duplicates import DuplicatesPage  # noqa: E402
from app.views.language import apply_language  # noqa: E402
from app.views.main_window import MainWindow  # noqa: E402
from passerelle_core.enums import StaffRole  # noqa: E402
from tools.screenshots import SIZE, settle  # noqa: E402


def build(folder: Path) -> Profile:
    profile = Profile.create(folder / "demo", "screenshots only", KdfParams.fast_for_tests())
    owner.setup_owner(
        profile.sessions, "Karima Tazi", StaffRole.SUPERVISOR, "Prison locale Oukacha"
    )
    fill_profile(profile, beneficiaries=300, seed=5, today=date.today())
    ctx = owner.owner_context(profile.sessions)
    born = date(1991, 2, 11)
    beneficiaries.register(
        ctx,
        {
            "last_name": "El Amrani",
            "first_name": "Mohamed",
            "last_name_ar": "العمراني",
            "first_name_ar": "محمد",
            "birth_date": born,
            "registration_number": "45821",
        },
    )
    beneficiaries.register(
        ctx,
        {
            "last_name": "Amrani",
            "first_name": "Mhamed",
            "birth_date": born,
            "phone": "0661234567",
            "cin": "BK552310",
        },
    )
    for last, first, last_ar in (("Bennani", "Youssef", "بناني"), ("Benani", "Youssef", "بناني")):
        beneficiaries.register(
            ctx,
            {
                "last_name": last,
                "first_name": first,
                "last_name_ar": last_ar,
                "first_name_ar": "يوسف",
                "birth_date": date(1984, 7, 3),
            },
        )
    return profile


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        profile = build(folder)
        for language in ("fr", "ar"):
            apply_language(app, language)
            apply_appearance(app, 100, False)
            window = MainWindow(Settings(language=language), folder, folder / "settings.json")
            window.resize(*SIZE)
            window.show()
            window.open_profile(profile)
            workspace = window.workspace
            assert workspace is not None
            workspace.show_page("duplicates")
            settle()
            page = workspace.findChild(DuplicatesPage)
            assert isinstance(page, DuplicatesPage)
            window.grab().save(str(args.out / f"{language}-duplicates.png"))
            row = next(
                i
                for i, pair in enumerate(page.pairs)
                if "Amrani" in pair.first_name + pair.second_name
            )
            page.tree.setCurrentItem(page.tree.topLevelItem(row))
            dialog = page.open_merge()
            assert dialog is not None
            dialog.show()
            settle()
            dialog.grab().save(str(args.out / f"{language}-merge-dialog.png"))
            dialog.reject()
            window.hide()
            window.deleteLater()
        profile.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
