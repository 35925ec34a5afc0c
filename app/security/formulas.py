"""Moved to passerelle_core.formulas (issue 14): old path kept until imports are rewritten."""

from passerelle_core.formulas import *  # noqa: F403
