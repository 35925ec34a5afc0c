"""Start the desktop application.

With no profile on this computer yet, a demo profile is created and opened so a
newcomer sees a living application at once (passphrase ``demo-passerelle``);
``--demo`` opens a throwaway demo profile that is deleted at exit.
"""

from __future__ import annotations

import sys
import tempfile
from datetime import date
from pathlib import Path

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from app.paths import profiles_root
from app.services import owner
from app.settings import load_settings
from app.store.keys import KdfParams
from app.store.profile import Profile, is_profile
from passerelle_core.enums import StaffRole

DEMO_PASSPHRASE = "demo-passerelle"
DEMO_BENEFICIARIES = 400
DEMO_OWNER = "Salma Bennani"
ICON = Path(__file__).resolve().parents[2] / "resources" / "icons" / "passerelle-256.png"


def create_demo_profile(folder: Path, kdf: KdfParams | None = None) -> Profile:
    from app.demo import fill_profile

    profile = Profile.create(folder, DEMO_PASSPHRASE, kdf)
    owner.setup_owner(
        profile.sessions, DEMO_OWNER, StaffRole.SOCIAL_WORKER, "Prison locale Oukacha"
    )
    fill_profile(profile, beneficiaries=DEMO_BENEFICIARIES, today=date.today())
    return profile


def _has_profiles(root: Path) -> bool:
    return root.is_dir() and any(is_profile(child) for child in root.iterdir())


def run_gui(demo: bool = False) -> int:
    from app.views import error_handler
    from app.views.appearance import apply_appearance
    from app.views.language import apply_language
    from app.views.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    error_handler.install(app)  # one error path: a message, the input kept, the log
    app.setApplicationName("Passerelle")
    app.setDesktopFileName("passerelle")  # matches installer/linux/passerelle.desktop
    app.setWindowIcon(QIcon(str(ICON)))
    settings = load_settings()
    apply_language(app, settings.language)
    apply_appearance(app, settings.zoom_percent, settings.high_contrast)
    with tempfile.TemporaryDirectory(prefix="passerelle-demo-") as scratch:
        root = Path(scratch) if demo else profiles_root()
        window = MainWindow(settings, root)
        if demo or not _has_profiles(root):
            window.open_profile(create_demo_profile(root / "demo"))
        window.show()
        return int(app.exec())
