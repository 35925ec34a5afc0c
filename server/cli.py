"""``passerelle-server``: the central sync server (its commands arrive with the sync issue)."""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    del argv
    sys.stderr.write("passerelle-server: the sync server is not part of this version yet.\n")
    return 2
