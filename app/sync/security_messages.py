"""Moved to passerelle_core.security_messages (issue 14): old path kept for now."""

from passerelle_core.security_messages import *  # noqa: F403
