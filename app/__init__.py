"""Passerelle desktop client: offline-first, encrypted case management for reintegration staff."""

__version__ = "0.1.0"
