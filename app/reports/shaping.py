"""Shaping one run of text (one font, one direction) into positioned glyphs with HarfBuzz.

A right-to-left run comes out in display order (the first glyph is the leftmost), with
joined letter forms, ligatures, marks placed on their letters and mirrored brackets.
Each glyph carries the code that draws it (see ``app.reports.fonts``); a glyph that
stands for several characters (a ligature) maps back to all of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import uharfbuzz

from app.reports.fonts import ShapingFont

FEATURES = {"kern": True, "liga": True}


@dataclass(frozen=True)
class Glyph:
    """Positions in thousandths of the font size, as reportlab measures widths."""

    code: str
    advance: float
    x_offset: float
    y_offset: float


@dataclass(frozen=True)
class ShapedRun:
    font: ShapingFont
    text: str
    """What was shaped, in logical order."""
    glyphs: tuple[Glyph, ...]
    advance: float
    """The whole run's advance, in thousandths of the font size."""

    def width(self, size: float) -> float:
        return self.advance * size / 1000


def shape(font: ShapingFont, text: str, rtl: bool) -> ShapedRun:
    return _shape(font, text, rtl)


@lru_cache(maxsize=8192)
def _shape(font: ShapingFont, text: str, rtl: bool) -> ShapedRun:
    buffer = uharfbuzz.Buffer()
    buffer.add_str(text)  # UTF-32: clusters are character indices (a mark joins its letter)
    buffer.direction = "rtl" if rtl else "ltr"
    buffer.cluster_level = uharfbuzz.BufferClusterLevel.MONOTONE_GRAPHEMES
    buffer.guess_segment_properties()
    uharfbuzz.shape(font.hb_font, buffer, FEATURES)
    infos, positions = buffer.glyph_infos, buffer.glyph_positions
    starts = sorted({info.cluster for info in infos})
    ends = dict(zip(starts, [*starts[1:], len(text)], strict=True))
    scale = 1000 / font.units_per_em
    glyphs = []
    named: set[int] = set()
    for info, position in zip(infos, positions, strict=True):
        cluster = info.cluster
        if cluster in named:  # a second glyph of one character: extracted once
            meaning = ""
        else:
            named.add(cluster)
            meaning = text[cluster : ends[cluster]]
            if rtl:
                # Text extraction reads right-to-left glyphs back to front: a ligature's
                # letters are stored in that order, so they come out as typed.
                meaning = meaning[::-1]
        glyphs.append(
            Glyph(
                code=font.code_for(info.codepoint, meaning),
                advance=position.x_advance * scale,
                x_offset=position.x_offset * scale,
                y_offset=position.y_offset * scale,
            )
        )
    return ShapedRun(font, text, tuple(glyphs), sum(glyph.advance for glyph in glyphs))
