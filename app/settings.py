"""The one registry of user settings, with defaults and upgrade steps.

Stored as JSON in the platform's config folder. Settings are never personal data:
no names, no recent cases, no search history (a lost laptop's config folder is not
encrypted).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from platformdirs import user_config_path
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from app.paths import APP_NAME

SETTINGS_VERSION = 2
IDLE_LOCK_DEFAULT = 20
"""Minutes: long enough for a listening interview without touching the keyboard."""
FilterValue = str | int | bool | None


class Settings(BaseModel):
    model_config = ConfigDict(extra="ignore", validate_assignment=True)

    version: int = SETTINGS_VERSION
    language: Literal["fr", "ar", "en"] = "fr"
    report_language: Literal["fr", "ar"] = "fr"
    idle_lock_minutes: int = Field(default=IDLE_LOCK_DEFAULT, ge=1, le=120)
    sync_interval_minutes: int = Field(default=15, ge=1, le=1440)
    last_profile: str | None = None
    window_geometry: str | None = None  # base64 of QWidget.saveGeometry()
    zoom_percent: int = Field(default=100, ge=100, le=200)
    high_contrast: bool = False
    # The caseload's last filters per staff member id: ids and codes, never names nor
    # the search text (see the module docstring).
    caseload_filters: dict[str, dict[str, FilterValue]] = Field(default_factory=dict)


def settings_path() -> Path:
    return user_config_path(APP_NAME, appauthor=False) / "settings.json"


def load_settings(path: Path | None = None) -> Settings:
    """Defaults when the file is missing or unreadable: settings never block the app."""
    path = path or settings_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Settings()
    if not isinstance(data, dict):
        return Settings()
    try:
        return Settings.model_validate(_upgrade(data))
    except ValidationError:
        return Settings()


def save_settings(settings: Settings, path: Path | None = None) -> None:
    path = path or settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(settings.model_dump_json(indent=2), encoding="utf-8")
    tmp.replace(path)


def _upgrade(data: dict[str, object]) -> dict[str, object]:
    """Each step turns version N into N+1."""
    version = data.get("version", 1)
    if version == 1:
        # The old default locked the screen in the middle of a listening interview.
        if data.get("idle_lock_minutes") == 10:
            data["idle_lock_minutes"] = IDLE_LOCK_DEFAULT
        version = 2
    data["version"] = version
    return data
