"""Render the real application to PNG files in docs/screenshots, offscreen.

One tool for every screenshot of the documentation; each *scene* builds a throwaway
profile with the real demo generator (and what the screen needs on top), opens the real
windows and dialogs, and grabs them once their data has loaded:

- ``main``: the pages and a case file's sections, ``{lang}-{page}.png`` at 100 % zoom,
  ``{lang}-{page}-150.png`` at 150 % (a window 1.5 times larger, as on a screen where
  the counsellor chose that text size), the locked screen and ``fr-unlock.png``;
- ``duplicates``: the duplicates page and the merge dialog;
- ``files``: a case file's documents tab, the document viewer and the transfer dialog;
- ``register``: the register dialog warning of a likely duplicate;
- ``import``: the import dialog's mapping step and dry-run report;
- ``documents``: every page of the printed documents (PDF rendered with ``pdftoppm``).

    .venv/bin/python tools/screenshots.py                       # the main scene
    .venv/bin/python tools/screenshots.py --scenes all
    .venv/bin/python tools/screenshots.py --pages case-plan case-sessions --languages ar
    .venv/bin/python tools/screenshots.py --theme high-contrast --zoom 100 \\
        --pages caseload dashboard case-identity                # {lang}-{page}-contrast.png
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QCoreApplication, QEventLoop, QThreadPool, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from app.demo import fill_profile  # noqa: E402
from app.services import beneficiaries, caseload, owner  # noqa: E402
from app.services.context import ServiceContext  # noqa: E402
from app.settings import Settings  # noqa: E402
from app.store.keys import KdfParams  # noqa: E402
from app.store.profile import Profile  # noqa: E402
from app.views.appearance import apply_appearance  # noqa: E402
from app.views.language import apply_language  # noqa: E402
from app.views.main_window import MainWindow  # noqa: E402
from passerelle_core.enums import PlanStatus, StaffRole  # noqa: E402

SIZE = (1280, 800)
LANGUAGES = ("fr", "ar")
ZOOMS = (100, 150)
THEMES = ("standard", "high-contrast")
PAGES = ("worklist", "dashboard", "caseload", "agenda", "partners", "meetings", "settings")
CASE_SECTIONS = ("identity", "assessment", "plan", "sessions", "timeline")
MAIN_SHOTS = (*PAGES, *(f"case-{section}" for section in CASE_SECTIONS), "locked", "unlock")


@dataclass(frozen=True)
class Options:
    """What to render: the scenes' shared choices."""

    out: Path
    languages: tuple[str, ...] = LANGUAGES
    zooms: tuple[int, ...] = ZOOMS
    theme: str = "standard"
    pages: tuple[str, ...] = MAIN_SHOTS

    def name(self, language: str, shot: str, zoom: int = 100) -> Path:
        """``fr-caseload.png``, ``ar-case-plan-150.png``, ``fr-dashboard-contrast.png``."""
        suffix = "" if zoom == 100 else f"-{zoom}"
        if self.theme == "high-contrast":
            suffix += "-contrast"
        return self.out / f"{language}-{shot}{suffix}.png"


@dataclass
class Stage:
    """The application, a scratch folder and the profiles made in it (closed at the end)."""

    app: QApplication
    scratch: Path
    profiles: list[Profile] = field(default_factory=list)

    def demo_profile(
        self, name: str, staff: str, role: StaffRole, beneficiaries: int, seed: int
    ) -> Profile:
        """A fresh profile owned by ``staff`` and filled by the real demo generator."""
        profile = self.empty_profile(name, staff, role)
        fill_profile(profile, beneficiaries=beneficiaries, seed=seed, today=date.today())
        return profile

    def empty_profile(
        self, name: str, staff: str, role: StaffRole, facility: str = "Prison locale Oukacha"
    ) -> Profile:
        profile = Profile.create(
            self.scratch / name, "screenshots only", KdfParams.fast_for_tests()
        )
        owner.setup_owner(profile.sessions, staff, role, facility)
        self.profiles.append(profile)
        return profile

    def look(self, language: str, zoom: int, theme: str) -> None:
        apply_language(self.app, language)
        apply_appearance(self.app, zoom, theme == "high-contrast")

    @contextmanager
    def window(
        self, profile: Profile | None, language: str, zoom: int = 100, theme: str = "standard"
    ) -> Iterator[MainWindow]:
        """The real main window on ``profile`` (the unlock screen without one)."""
        self.look(language, zoom, theme)
        window = MainWindow(
            Settings(language=language), self.scratch, self.scratch / "settings.json"
        )
        window.resize(SIZE[0] * zoom // 100, SIZE[1] * zoom // 100)
        window.show()
        if profile is not None:
            window.open_profile(profile)
        try:
            yield window
        finally:
            window.hide()
            window.deleteLater()
            settle()


def settle(milliseconds: int = 400) -> None:
    """Let background loads finish and the widgets repaint."""
    QThreadPool.globalInstance().waitForDone(5000)
    deadline = QEventLoop()
    QTimer.singleShot(milliseconds, deadline.quit)
    deadline.exec()
    QCoreApplication.processEvents()


def shoot(widget: QWidget, path: Path, milliseconds: int = 400) -> None:
    settle(milliseconds)
    widget.grab().save(str(path))


def first_active_case(ctx: ServiceContext, own: bool) -> uuid.UUID:
    """The first case by name with a plan in force (the counsellor's own if ``own``)."""
    wanted = caseload.CaseloadFilter(
        assigned_staff_id=ctx.actor.staff_id if own else None, plan_status=PlanStatus.ACTIVE
    )
    rows = caseload.page(ctx, wanted, sort="name", descending=False, offset=0, limit=1)
    return rows[0].beneficiary_id


# --- main: the pages and a case file ------------------------------------------------


def add_appointments(profile: Profile) -> None:
    """A counsellor's week: appointments this week with her cases, one missed (agenda)."""
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


def add_transfer(profile: Profile) -> None:
    """A colleague's case transferred to the owner by the team's supervisor (the caseload
    and the worklist mark it)."""
    from sqlalchemy import select

    from app.models import Beneficiary, StaffMember
    from app.services import transfers
    from app.services.context import Actor

    ctx = owner.owner_context(profile.sessions)
    with profile.sessions() as session:
        case = session.execute(
            select(Beneficiary.id, Beneficiary.team_id)
            .where(
                Beneficiary.assigned_staff_id != ctx.actor.staff_id,
                Beneficiary.closed_on.is_(None),
            )
            .order_by(Beneficiary.last_name)
        ).first()
        supervisor = None
        if case is not None:
            supervisor = session.scalar(
                select(StaffMember.id).where(
                    StaffMember.team_id == case.team_id,
                    StaffMember.role == StaffRole.SUPERVISOR,
                )
            )
    if case is None or supervisor is None:
        return
    acting = ServiceContext(profile.sessions, Actor(supervisor, StaffRole.SUPERVISOR, case.team_id))
    case_id = case.id
    reason = "Départ en formation de la conseillère"
    transfers.transfer(acting, [case_id], reason=reason, to_staff_id=ctx.actor.staff_id)


def scene_main(stage: Stage, options: Options) -> None:
    profile = stage.demo_profile("main", "Salma Bennani", StaffRole.SOCIAL_WORKER, 400, 3)
    add_appointments(profile)
    add_transfer(profile)
    first_case = first_active_case(owner.owner_context(profile.sessions), own=True)
    wanted = [shot for shot in MAIN_SHOTS if shot in options.pages]
    for zoom in options.zooms:
        for language in options.languages:
            with stage.window(profile, language, zoom, options.theme) as window:
                workspace = window.workspace
                assert workspace is not None
                for shot in wanted:
                    if shot in PAGES:
                        workspace.show_page(shot)
                    elif shot.startswith("case-"):
                        workspace.open_case(first_case, shot.removeprefix("case-"))
                    elif shot == "locked":
                        window.lock()
                    else:
                        continue
                    shoot(window, options.name(language, shot, zoom))
    if "unlock" in wanted and "fr" in options.languages:
        with stage.window(None, "fr", 100, options.theme) as unlock:
            shoot(unlock, options.name("fr", "unlock"))


# --- duplicates: the page and the merge dialog --------------------------------------


def scene_duplicates(stage: Stage, options: Options) -> None:
    """A supervisor's demo profile, plus one man registered twice (two spellings, one
    without his Arabic name, one with his phone) so the merge dialog shows differences."""
    from app.views.duplicates import DuplicatesPage

    profile = stage.demo_profile("duplicates", "Karima Tazi", StaffRole.SUPERVISOR, 300, 5)
    ctx = owner.owner_context(profile.sessions)
    born = date(1991, 2, 11)
    beneficiaries.register(
        ctx,
        {"last_name": "El Amrani", "first_name": "Mohamed", "last_name_ar": "العمراني",
         "first_name_ar": "محمد", "birth_date": born, "registration_number": "45821"},
    )  # fmt: skip
    beneficiaries.register(
        ctx,
        {"last_name": "Amrani", "first_name": "Mhamed", "birth_date": born,
         "phone": "0661234567", "cin": "BK552310"},
    )  # fmt: skip
    for last, first, last_ar in (("Bennani", "Youssef", "بناني"), ("Benani", "Youssef", "بناني")):
        beneficiaries.register(
            ctx,
            {"last_name": last, "first_name": first, "last_name_ar": last_ar,
             "first_name_ar": "يوسف", "birth_date": date(1984, 7, 3)},
        )  # fmt: skip
    for language in options.languages:
        with stage.window(profile, language, theme=options.theme) as window:
            workspace = window.workspace
            assert workspace is not None
            workspace.show_page("duplicates")
            page = workspace.findChild(DuplicatesPage)
            assert isinstance(page, DuplicatesPage)
            shoot(window, options.name(language, "duplicates"))
            row = next(
                index
                for index, pair in enumerate(page.pairs)
                if "Amrani" in pair.first_name + pair.second_name
            )
            item = page.tree.topLevelItem(row)
            assert item is not None
            page.tree.setCurrentItem(item)
            dialog = page.open_merge()
            assert dialog is not None
            dialog.show()
            shoot(dialog, options.name(language, "merge-dialog"))
            dialog.reject()


# --- files: documents tab, viewer, transfer dialog ----------------------------------


def card_photo(path: Path) -> Path:
    """A photo of an identity card, as a phone takes it (no real person)."""
    from PIL import Image, ImageDraw

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


def scene_files(stage: Stage, options: Options) -> None:
    """One case gets a signed plan summary (the real PDF, as if scanned back), a court
    decision and a photo of the CIN; a supervisor transfers three cases."""
    from PySide6.QtCore import QItemSelectionModel

    from app.reports import render_plan_summary
    from app.services import documents
    from app.views.casefile.documents import DocumentsSection
    from app.views.caseload import CaseloadPage
    from passerelle_core.enums import DocumentKind

    profile = stage.demo_profile("files", "Nadia Berrada", StaffRole.SUPERVISOR, 60, 5)
    ctx = owner.owner_context(profile.sessions)
    case_id = first_active_case(ctx, own=False)
    signed = stage.scratch / "plan-signe.pdf"
    signed.write_bytes(render_plan_summary(ctx, case_id, "fr"))
    judgement = stage.scratch / "jugement.pdf"
    judgement.write_bytes(render_plan_summary(ctx, case_id, "ar"))
    today = date.today()
    documents.attach(
        ctx, case_id, card_photo(stage.scratch / "cin.jpg"), DocumentKind.IDENTITY,
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
    reasons = {
        "fr": "Libération conditionnelle : suivi par l'antenne de Tanger",
        "ar": "إفراج مقيد بشروط: تتابعه مصلحة طنجة",
    }
    for language in options.languages:
        with stage.window(profile, language, theme=options.theme) as window:
            workspace = window.workspace
            assert workspace is not None
            view = workspace.open_case(case_id, "documents")
            shoot(window, options.name(language, "case-documents"))
            section = view.section("documents")
            assert isinstance(section, DocumentsSection)
            viewer = section.view_selected()
            if viewer is not None:
                viewer.resize(900, 760)
                shoot(viewer, options.name(language, "document-viewer"), 800)
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
            dialog.reason.setPlainText(reasons[language])
            shoot(dialog, options.name(language, "transfer-dialog"))
            dialog.confirm_discard = lambda: True
            dialog.close()


# --- register: the dialog warning of a likely duplicate -----------------------------


def scene_register(stage: Stage, options: Options) -> None:
    """One man on file (El Idrissi Mohamed, الإدريسي محمد, CIN AB123456) typed again as a
    second counsellor would (Drissi Mhamed, no CIN, the same birth date), Save pressed:
    the dialog lists the existing file with its score and reasons."""
    from app.views.app_state import AppState
    from app.views.register_dialog import RegisterDialog
    from passerelle_core.enums import Sex

    born = date(1990, 5, 14)
    profile = stage.empty_profile("register", "Salma Bennani", StaffRole.SOCIAL_WORKER)
    ctx = owner.owner_context(profile.sessions)
    beneficiaries.register(
        ctx,
        {"last_name": "El Idrissi", "first_name": "Mohamed", "last_name_ar": "الإدريسي",
         "first_name_ar": "محمد", "birth_date": born, "cin": "AB123456", "sex": Sex.MALE,
         "registration_number": "OUK/2024/00117"},
    )  # fmt: skip
    for language in options.languages:
        stage.look(language, 100, options.theme)
        dialog = RegisterDialog(AppState(profile, ctx, Settings(language=language)))
        dialog.show()
        dialog.last_name.setText("Drissi")
        dialog.first_name.setText("Mhamed")
        dialog.last_name_ar.setText("ادريسي")
        dialog.first_name_ar.setText("محمد")
        dialog.birth_date.set_value(born)
        dialog.sex.select(Sex.MALE)
        dialog.accept()  # as the Save button does: the warning, nothing saved
        settle()
        dialog.resize(dialog.width(), dialog.sizeHint().height())
        shoot(dialog, options.name(language, "register-duplicate"))
        dialog.reject()
        dialog.deleteLater()


# --- import: mapping step and dry-run report ----------------------------------------

IMPORT_SIZE = (1180, 760)
IMPORT_ROWS = [
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
"""A spreadsheet as teams keep it: title row merged above the header, French headers,
dates typed DD/MM/YYYY, Arabic-Indic digits, "Détenu", one impossible date."""


def scene_import(stage: Stage, options: Options) -> None:
    """One beneficiary on file (so that a possible duplicate shows) and the spreadsheet."""
    from openpyxl import Workbook

    from app.views.app_state import AppState
    from app.views.import_dialog import ImportDialog

    profile = stage.empty_profile("import", "Salma Bennani", StaffRole.SOCIAL_WORKER)
    ctx = owner.owner_context(profile.sessions)
    beneficiaries.register(
        ctx, {"last_name": "Daoudi", "first_name": "Nadia", "birth_date": date(1979, 11, 2)}
    )
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in IMPORT_ROWS:
        sheet.append(row)
    sheet.merge_cells("A1:I1")
    path = stage.scratch / "beneficiaires-2026.xlsx"
    workbook.save(path)
    for language in options.languages:
        stage.look(language, 100, options.theme)
        dialog = ImportDialog(AppState(profile, ctx, Settings(language=language)))
        dialog.resize(*IMPORT_SIZE)
        dialog.show()
        dialog.load_file(path)
        shoot(dialog, options.name(language, "import-mapping"))
        dialog.check()
        shoot(dialog, options.name(language, "import-report"))
        dialog.close()
        dialog.deleteLater()


# --- documents: the printed documents, page by page ---------------------------------

README_PAGES = {("plan", "fr"), ("plan", "ar"), ("activity", "ar")}


def scene_documents(stage: Stage, options: Options) -> None:
    """A woman's case (phone, CIN, law reference inside Arabic text), a referral of hers
    and demo data for the activity report, printed to PDF and each page rendered with
    poppler's ``pdftoppm`` (``document-{name}-{lang}-{page}.png``; the first page of a
    few as ``report-{name}-{lang}.png`` for README.md)."""
    from app.demo import DEMO_TODAY
    from app.indicators import Period
    from app.reports import render_activity_report, render_plan_summary
    from app.reports.referral_slip import render_referral_slip
    from app.reports.subject_access import render_subject_access
    from app.services import consent, partners, referrals, subject_access
    from passerelle_core.enums import ConsentPurpose, PartnerKind
    from tests.reports.test_documents import ARABIC_WORDING, _case

    profile = stage.empty_profile("documents", "Amina Tazi", StaffRole.SUPERVISOR, "Prison locale")
    fill_profile(profile, 235, seed=11)
    actor = owner.owner_context(profile.sessions).actor
    ctx = ServiceContext(profile.sessions, actor, today=lambda: DEMO_TODAY)
    case = _case(ctx, "F")
    access = subject_access.collect(ctx, case)
    amal = partners.create_partner(
        ctx, {"name": "Association Amal", "name_ar": "جمعية الأمل", "kind": PartnerKind.NGO}
    )
    consent.record(ctx, case, ConsentPurpose.PARTNER_SHARING, partner_id=amal.id)
    referral = referrals.refer(ctx, case, amal.id, reason=ARABIC_WORDING)
    quarter = Period(date(2026, 7, 1), date(2026, 9, 30))
    for language in options.languages:
        printed = {
            "plan": render_plan_summary(ctx, case, language),
            "access": render_subject_access(access, language),
            "slip": render_referral_slip(ctx, referral.id, language),
            "activity": render_activity_report(ctx, quarter, None, language),
        }
        for name, data in printed.items():
            pdf = stage.scratch / f"{name}-{language}.pdf"
            pdf.write_bytes(data)
            stem = options.out / f"document-{name}-{language}"
            subprocess.run(["pdftoppm", "-r", "70", "-png", str(pdf), str(stem)], check=True)
            if (name, language) in README_PAGES:
                first = options.out / f"report-{name}-{language}"
                command = ["pdftoppm", "-r", "80", "-png", "-singlefile", "-f", "1", "-l", "1"]
                subprocess.run([*command, str(pdf), str(first)], check=True)


SCENES: dict[str, Callable[[Stage, Options], None]] = {
    "main": scene_main,
    "duplicates": scene_duplicates,
    "files": scene_files,
    "register": scene_register,
    "import": scene_import,
    "documents": scene_documents,
}


def parse(argv: list[str] | None = None) -> tuple[list[str], Options]:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument(
        "--scenes", nargs="+", choices=[*SCENES, "all"], default=["main"],
        help="what to render (default: main)",
    )  # fmt: skip
    parser.add_argument("--languages", nargs="+", choices=LANGUAGES, default=list(LANGUAGES))
    parser.add_argument(
        "--zoom", nargs="+", type=int, choices=ZOOMS, default=list(ZOOMS),
        help="zoom levels of the main scene (the other scenes are at 100 %%)",
    )  # fmt: skip
    parser.add_argument(
        "--theme", choices=THEMES, default="standard",
        help="high-contrast names the files {lang}-{page}-contrast.png",
    )  # fmt: skip
    parser.add_argument(
        "--pages", nargs="+", choices=MAIN_SHOTS, default=list(MAIN_SHOTS),
        help="the main scene's shots (default: all)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    scenes = list(SCENES) if "all" in args.scenes else list(dict.fromkeys(args.scenes))
    options = Options(
        out=args.out,
        languages=tuple(args.languages),
        zooms=tuple(args.zoom),
        theme=args.theme,
        pages=tuple(args.pages),
    )
    return scenes, options


def main(argv: list[str] | None = None) -> int:
    scenes, options = parse(argv)
    options.out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    with tempfile.TemporaryDirectory() as scratch:
        stage = Stage(app, Path(scratch))
        try:
            for scene in scenes:
                SCENES[scene](stage, options)
        finally:
            apply_appearance(app, 100, False)
            for profile in stage.profiles:
                profile.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
