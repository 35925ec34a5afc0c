"""``python -m server``: the same as the ``passerelle-server`` command."""

from __future__ import annotations

import sys

from server.cli import main

sys.exit(main())
