"""What every screen of an unlocked window shares: the profile, the acting staff member
(as a service context) and the settings. Screens call services with ``state.ctx``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.services.context import ServiceContext
from app.settings import Settings
from app.store.profile import Profile


@dataclass
class AppState:
    profile: Profile
    ctx: ServiceContext
    settings: Settings
    settings_file: Path | None = None  # None: the platform's config folder
