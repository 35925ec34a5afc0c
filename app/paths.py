"""Where Passerelle keeps its files on this computer (platform conventions)."""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_path

APP_NAME = "Passerelle"


def profiles_root() -> Path:
    return user_data_path(APP_NAME, appauthor=False) / "profiles"
