"""Moved to passerelle_core.erasure (issue 14): old path kept until imports are rewritten."""

from passerelle_core.erasure import *  # noqa: F403
