"""Moved to passerelle_core.enums (issue 14): old path kept until imports are rewritten."""

from passerelle_core.enums import *  # noqa: F403
