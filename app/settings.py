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

SETTINGS_VERSION = 1


class Settings(BaseModel):
    model_config = ConfigDict(extra="ignore", validate_assignment=True)

    version: int = SETTINGS_VERSION
    language: Literal["fr", "ar", "en"] = "fr"
    report_language: Literal["fr", "ar"] = "fr"
    idle_lock_minutes: int = Field(default=10, ge=1, le=120)
    sync_interval_minutes: int = Field(default=15, ge=1, le=1440)
    last_profile: str | None = None
    window_geometry: str | None = None  # base64 of QWidget.saveGeometry()


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
    """Each step turns version N into N+1 (none yet beyond the first format)."""
    data.setdefault("version", SETTINGS_VERSION)
    return data
