"""Puts the server and the shared core, which live at the repository's root, in the wheel.

Only for a regular wheel: an editable install (``make``) reads the checkout through
``dev-mode-dirs`` and must not get copies that would go stale.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

PACKAGES = ("server", "passerelle_core")


class CustomBuildHook(BuildHookInterface):  # type: ignore[misc]
    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if version == "editable":
            return
        here = Path(self.root)
        # From a clone: ../../server; from an unpacked source archive: ./server.
        base = here if (here / "server").is_dir() else here.parent.parent
        for package in PACKAGES:
            build_data["force_include"][str(base / package)] = package
