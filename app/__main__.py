"""``python -m app`` runs the ``passerelle`` command."""

import sys

from app.cli import main

sys.exit(main())
