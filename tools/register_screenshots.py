"""Render the register dialog warning of a likely duplicate, in French and Arabic.

    QT_QPA_PLATFORM=offscreen .venv/bin/python tools/register_screenshots.py [--out DIR]

A throwaway profile holds one man (El Idrissi Mohamed, الإدريسي محمد, CIN AB123456);
the real dialog is opened, the same man typed as a second counsellor would (Drissi
Mhamed, no CIN, the same birth date) and Save pressed: the dialog lists the existing
file with its score and reasons, and asks why to save anyway.
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

from app.services import beneficiaries, owner  # noqa: E402
from app.settings import Settings  # noqa: E402
from app.store.keys import KdfParams  # noqa: E402
from app.store.profile import Profile  # noqa: E402
from app.views.app_state import AppState  # noqa: E402
from app.views.language import apply_language  # noqa: E402
from app.views.register_dialog import RegisterDialog  # noqa: E402
from passerelle_core.enums import Sex, StaffRole  # noqa: E402
from tools.screenshots import settle  # noqa: E402

BIRTH = date(1990, 5, 14)


def build(folder: Path) -> Profile:
    profile = Profile.create(folder / "profile", "screenshots only", KdfParams.fast_for_tests())
    owner.setup_owner(
        profile.sessions, "Salma Bennani", StaffRole.SOCIAL_WORKER, "Prison locale Oukacha"
    )
    beneficiaries.register(
        owner.owner_context(profile.sessions),
        {"last_name": "El Idrissi", "first_name": "Mohamed", "last_name_ar": "الإدريسي",
         "first_name_ar": "محمد", "birth_date": BIRTH, "cin": "AB123456", "sex": Sex.MALE,
         "registration_number": "OUK/2024/00117"},
    )  # fmt: skip
    return profile


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    with tempfile.TemporaryDirectory() as scratch:
        profile = build(Path(scratch))
        ctx = owner.owner_context(profile.sessions)
        for language in ("fr", "ar"):
            apply_language(app, language)
            dialog = RegisterDialog(AppState(profile, ctx, Settings(language=language)))
            dialog.show()
            dialog.last_name.setText("Drissi")
            dialog.first_name.setText("Mhamed")
            dialog.last_name_ar.setText("ادريسي")
            dialog.first_name_ar.setText("محمد")
            dialog.birth_date.set_value(BIRTH)
            dialog.sex.select(Sex.MALE)
            dialog.accept()  # as the Save button does: the warning, nothing saved
            settle()
            dialog.resize(dialog.width(), dialog.sizeHint().height())
            settle()
            dialog.grab().save(str(args.out / f"{language}-register-duplicate.png"))
            dialog.reject()
            dialog.deleteLater()
        profile.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
