"""Likely duplicates: the same person registered twice (two laptops, two spellings).

Qt-free: the register dialog, the import, the duplicates page and the command line all
call :mod:`app.duplicates.matching`. Matching only proposes; merging is a person's act.
"""

from app.duplicates.matching import (
    DEFAULT_THRESHOLD,
    Candidate,
    Match,
    default_threshold,
    find_all_pairs,
    find_matches,
)

__all__ = [
    "DEFAULT_THRESHOLD",
    "Candidate",
    "Match",
    "default_threshold",
    "find_all_pairs",
    "find_matches",
]
