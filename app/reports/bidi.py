"""Right-to-left text: embedding levels (Unicode Bidirectional Algorithm) and visual order.

Text stays in logical order (the order it is typed and stored) until a line is
drawn: a paragraph is wrapped first, then each line is reordered for display. Reordering
before wrapping would put the wrapped lines of an Arabic paragraph in reverse order.

The levels come from python-bidi's implementation of the algorithm (rules W1-I2);
reordering (rule L2) is done here on runs of text so that each run can be shaped
as a whole, in its own direction.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from bidi import algorithm

_EXPLICIT = frozenset({"RLE", "LRE", "RLO", "LRO", "PDF", "BN", "LRI", "RLI", "FSI", "PDI"})
"""Formatting characters documents never need; removed so levels map 1:1 to characters."""


def clean(text: str) -> str:
    """``text`` without bidi formatting and control characters; tabs become spaces."""
    kept = []
    for char in text.replace("\t", " "):
        if unicodedata.bidirectional(char) in _EXPLICIT:
            continue
        if unicodedata.category(char) == "Cc":
            continue
        kept.append(char)
    return "".join(kept)


def base_rtl(text: str, default: bool) -> bool:
    """A paragraph's own direction: that of its first letter (rules P2-P3), or ``default``
    (the document's) when it has none. A French sentence typed into an Arabic document
    keeps its closing bracket at its end; an Arabic one in a French document too."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return True
        if kind == "L":
            return False
    return default


def levels(text: str, rtl: bool) -> list[int]:
    """The embedding level of each character of a ``clean`` paragraph; odd is right-to-left.

    ``rtl`` is the paragraph's base direction (see :func:`base_rtl`).
    """
    if not text:
        return []
    storage = algorithm.get_empty_storage()
    storage["base_level"] = 1 if rtl else 0
    storage["base_dir"] = "R" if rtl else "L"
    algorithm.get_embedding_levels(text, storage)
    algorithm.explicit_embed_and_overrides(storage)
    algorithm.resolve_weak_types(storage)
    algorithm.resolve_neutral_types(storage, False)
    algorithm.resolve_implicit_levels(storage, False)
    found = [int(char["level"]) for char in storage["chars"]]
    if len(found) != len(text):  # only if clean() was skipped: never mislay a character
        return [storage["base_level"]] * len(text)
    return found


def visual_order(run_levels: Sequence[int]) -> list[int]:
    """Indices of runs in display order, left to right (rule L2).

    From the highest level down to the lowest odd level, every maximal sequence of runs
    at that level or above is reversed. Characters inside a right-to-left run are
    reversed by the shaper, which lays such a run out from right to left.
    """
    order = list(range(len(run_levels)))
    if not order:
        return order
    odd = [level for level in run_levels if level % 2]
    if not odd:
        return order
    for level in range(max(run_levels), min(odd) - 1, -1):
        index = 0
        while index < len(order):
            if run_levels[order[index]] < level:
                index += 1
                continue
            end = index
            while end < len(order) and run_levels[order[end]] >= level:
                end += 1
            order[index:end] = reversed(order[index:end])
            index = end
    return order
