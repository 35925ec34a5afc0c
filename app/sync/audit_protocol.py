"""Moved to passerelle_core.audit_protocol (issue 14): old path kept until imports are rewritten."""

from passerelle_core.audit_protocol import *  # noqa: F403
