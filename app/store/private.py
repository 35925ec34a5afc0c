"""Moved to passerelle_core.private (issue 14): old path kept until imports are rewritten."""

from passerelle_core.private import *  # noqa: F403
