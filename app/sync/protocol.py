"""Moved to passerelle_core.protocol (issue 14): old path kept until imports are rewritten."""

from passerelle_core.protocol import *  # noqa: F403
