"""Passerelle desktop client: offline-first, encrypted case management for reintegration staff."""

from importlib.metadata import PackageNotFoundError, version

try:
    # One version, pyproject.toml's: the bundle carries the package metadata too.
    __version__ = version("passerelle")
except PackageNotFoundError:  # a source tree that was never installed
    __version__ = "0+unknown"
