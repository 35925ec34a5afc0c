"""The translation marker for texts defined here and translated by the desktop.

The core has no catalogs (the server answers in codes, not sentences): ``N_`` only marks
a text for extraction (``make messages`` reads ``passerelle_core`` too); the desktop
translates it where it shows it (``app.i18n._``).
"""

from __future__ import annotations


def N_(message: str) -> str:
    return message
