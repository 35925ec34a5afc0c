"""The desktop's build backend: setuptools, plus the translation catalogs in the wheel.

``pip install .`` (or ``pip wheel .``) compiles ``resources/locale/*/LC_MESSAGES/
passerelle.po`` into ``passerelle.mo`` next to them in the built tree, so an installed
application speaks French and Arabic without ``make``. The compiled files are never
written into the source tree (``make catalogs`` does that for a checkout).
"""

from __future__ import annotations

from pathlib import Path

from setuptools.build_meta import *  # noqa: F403  (the PEP 517 hooks, unchanged)
from setuptools.command.build_py import build_py

CATALOGS = "resources/locale/*/LC_MESSAGES/passerelle.po"


class BuildPyWithCatalogs(build_py):
    """``build_py`` that also writes each catalog's ``.mo`` into the build tree."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads the checkout, where `make catalogs` compiles
        for source in sorted(Path().glob(CATALOGS)):
            target = Path(self.build_lib) / source.with_suffix(".mo")
            compile_catalog(source, target)


def compile_catalog(source: Path, target: Path) -> None:
    """``source`` (.po) compiled to ``target`` (.mo), fuzzy entries left out as msgfmt does."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with source.open("rb") as handle:
        catalog = read_po(handle, domain=source.stem)
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as handle:
        write_mo(handle, catalog, use_fuzzy=False)
