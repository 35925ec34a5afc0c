"""Render the main screens of the real application, in French and Arabic, to PNG files,
at 100 % zoom (``fr-caseload.png``) and 150 % (``fr-caseload-150.png``, a window 1.5
times larger, as on a screen where the counsellor chose that text size).

    QT_QPA_PLATFORM=offscreen .venv/bin/python tools/screenshots.py [--out docs/screenshots]

A throwaway demo profile (400 beneficiaries, the real demo generator) is opened in the
real main window; each screen is grabbed after its data has loaded.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import uuid
from datetime import date
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QCoreApplication, QEventLoop, QThreadPool  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from app.demo import fill_profile  # noqa: E402
from app.services import caseload, owner  # noqa: E402
from app.settings import Settings  # noqa: E402
from app.store.keys import KdfParams  # noqa: E402
from app.store.profile import Profile  # noqa: E402
from app.views.appearance import apply_appearance  # noqa: E402
from app.views.language import apply_language  # noqa: E402
from app.views.main_window import MainWindow  # noqa: E402
from passerelle_core.enums import PlanStatus, StaffRole  # noqa: E402

SIZE = (1280, 800)


def settle(milliseconds: int = 400) -> None:
    """Let background loads finish and the widgets repaint."""
    QThreadPool.globalInstance().waitForDone(5000)
    deadline = QEventLoop()
    from PySide6.QtCore import QTimer

    QTimer.singleShot(milliseconds, deadline.quit)
    deadline.exec()
    QCoreApplication.processEvents()


def build_profile(folder: Path) -> Profile:
    profile = Profile.create(folder, "screenshots only", KdfParams.fast_for_tests())
    owner.setup_owner(
        profile.sessions, "Salma Bennani", StaffRole.SOCIAL_WORKER, "Prison locale Oukacha"
    )
    fill_profile(profile, beneficiaries=400, seed=3, today=date.today())
    add_appointments(profile)
    return profile


def add_appointments(profile: Profile) -> None:
    """A counsellor's week: appointments this week with her cases, one missed (agenda)."""
    from datetime import time, timedelta

    from app.services import appointments
    from passerelle_core.enums import AppointmentPlace

    ctx = owner.owner_context(profile.sessions)
    cases = appointments.bookable_cases(ctx, limit=12)
    monday = date.today() - timedelta(days=date.today().weekday())
    purposes = ("Logement après la libération", "Préparer le CV", "Suivi de la formation", None)
    for index, (case_id, _name) in enumerate(cases):
        day = monday + timedelta(days=index % 5)
        made = appointments.make_appointment(
            ctx,
            case_id,
            starts_at=appointments.local_instant(day, time(9 + (index * 2) % 8, 30)),
            place=AppointmentPlace.OFFICE if index % 3 == 0 else AppointmentPlace.FACILITY,
            purpose=purposes[index % len(purposes)],
        )
        if day < date.today() and index % 4 == 1:  # past and not held: marked missed
            appointments.mark_missed(ctx, made.id)


def shoot(window: QWidget, path: Path) -> None:
    settle()
    window.grab().save(str(path))


PAGES = ("worklist", "dashboard", "caseload", "agenda", "partners", "meetings", "settings")
ZOOMS = (100, 150)
CASE_SECTIONS = ("identity", "assessment", "plan", "sessions", "timeline")


def capture_language(
    app: QApplication,
    language: str,
    scratch: Path,
    profile: Profile,
    first_case: uuid.UUID,
    out: Path,
    zoom: int = 100,
) -> None:
    apply_language(app, language)
    apply_appearance(app, zoom, False)
    suffix = "" if zoom == 100 else f"-{zoom}"
    window = MainWindow(Settings(language=language), scratch, scratch / "settings.json")
    window.resize(SIZE[0] * zoom // 100, SIZE[1] * zoom // 100)
    window.show()
    window.open_profile(profile)
    workspace = window.workspace
    assert workspace is not None
    for page in PAGES:
        workspace.show_page(page)
        shoot(window, out / f"{language}-{page}{suffix}.png")
    for section in CASE_SECTIONS:
        workspace.open_case(first_case, section)
        shoot(window, out / f"{language}-case-{section}{suffix}.png")
    window.lock()
    shoot(window, out / f"{language}-locked{suffix}.png")
    window.hide()
    window.deleteLater()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    with tempfile.TemporaryDirectory() as scratch:
        profile = build_profile(Path(scratch) / "demo")
        ctx = owner.owner_context(profile.sessions)
        first_case = caseload.page(
            ctx,
            caseload.CaseloadFilter(
                assigned_staff_id=ctx.actor.staff_id, plan_status=PlanStatus.ACTIVE
            ),
            sort="name",
            descending=False,
            offset=0,
            limit=1,
        )[0].beneficiary_id
        for zoom in ZOOMS:
            for language in ("fr", "ar"):
                capture_language(app, language, Path(scratch), profile, first_case, args.out, zoom)
        apply_appearance(app, 100, False)
        unlock = MainWindow(Settings(language="fr"), Path(scratch), Path(scratch) / "s.json")
        apply_language(app, "fr")
        unlock.resize(*SIZE)
        unlock.show()
        shoot(unlock, args.out / "fr-unlock.png")
        profile.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
