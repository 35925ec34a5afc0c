"""Moved to passerelle_core.lifecycle (issue 14): old path kept until imports are rewritten."""

from passerelle_core.lifecycle import *  # noqa: F403
