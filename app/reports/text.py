"""Bidirectional, shaped text for reportlab: wrapped in logical order, drawn in visual order.

A paragraph is cut into lines on its logical text, then each line is split into runs
of one embedding level and one script, the runs are put in display order
(``app.reports.bidi``) and each is shaped in its own direction (``app.reports.shaping``).
This is what lets an Arabic paragraph wrap with its first line on top, a Latin name
sit inside an Arabic sentence (and an Arabic name in a French one), and numbers and
dates keep their left-to-right order in both.

reportlab's own right-to-left support needs ``rlbidi``, which is not published, so its
Paragraph is not used: :class:`Text` is the flowable of every text in a document.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from typing import Any, Literal

from reportlab.lib import colors
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable

from app.bidi_runs import NUMBER_RUN
from app.reports import bidi
from app.reports.fonts import FontSet, ShapingFont, document_fonts
from app.reports.shaping import ShapedRun, shape

Align = Literal["start", "end", "center"]
_WORDS = re.compile(r"[^ ]+| +")
_GLUE = "\u00a0"
_BRACKETED = re.compile(r"\([^()\n]{1,32}\)")
"""A short bracketed aside ("(412 / 909)", "(psychologue)"): kept on one line."""
_ARABIC_BLOCKS = (
    (0x0600, 0x06FF),
    (0x0750, 0x077F),
    (0x08A0, 0x08FF),
    (0xFB50, 0xFDFF),
    (0xFE70, 0xFEFF),
)
BASELINE = 0.8
"""Where the baseline sits in a line: this share of the font size below the text's top."""


@dataclass(frozen=True)
class TextStyle:
    size: float = 9.5
    leading: float = 13.5
    bold: bool = False
    color: colors.Color = colors.black
    align: Align = "start"
    rtl: bool = False
    """The document's direction: where lines align, and the direction of a paragraph
    that has no letter to tell its own (see ``bidi.base_rtl``)."""
    space_before: float = 0.0
    space_after: float = 0.0
    keep_with_next: bool = False
    direction: Literal["auto", "ltr"] = "auto"
    """"auto": each paragraph takes the direction of its first letter (``bidi.base_rtl``);
    "ltr" for figures ("13,9 % (40 / 287)" reads the same in both languages)."""

    def but(self, **changes: Any) -> TextStyle:
        return replace(self, **changes)


@dataclass(frozen=True)
class PlacedRun:
    run: ShapedRun
    x: float
    """Distance from the start (left edge) of the line, in points."""


@dataclass(frozen=True)
class Line:
    runs: tuple[PlacedRun, ...]
    width: float
    rtl: bool = False
    """The direction of the paragraph the line belongs to."""


class Layout:
    """Lines of text for one style: measured, wrapped, ordered and shaped."""

    def __init__(self, style: TextStyle, fonts: FontSet | None = None) -> None:
        self.style = style
        self.fonts = fonts or document_fonts()

    def lines(self, text: str, width: float) -> list[Line]:
        """``text`` wrapped to ``width`` points; a newline starts a new line."""
        found: list[Line] = []
        for paragraph in bidi.clean(text.replace("\r\n", "\n")).split("\n"):
            found.extend(self._paragraph(paragraph, width))
        return found

    def line(self, text: str) -> Line:
        """``text`` on one line, however long (labels, page numbers)."""
        paragraph = bidi.clean(text.replace("\n", " "))
        return _Paragraph(self, paragraph).line(0, len(paragraph))

    def width(self, text: str) -> float:
        return self.line(text).width

    def fit(self, text: str, width: float) -> str:
        """``text``, shortened at its end with an ellipsis if it is wider than ``width``."""
        if self.width(text) <= width:
            return text
        words = text.split(" ")
        while len(words) > 1 and self.width(" ".join(words) + "…") > width:
            words.pop()
        return " ".join(words).rstrip(",;:،") + "…"

    def _paragraph(self, text: str, width: float) -> list[Line]:
        paragraph = _Paragraph(self, text)
        return [paragraph.line(start, end) for start, end in paragraph.breaks(width)]


class _Paragraph:
    """One hard line of text with its levels and fonts, cut into display lines."""

    def __init__(self, layout: Layout, text: str) -> None:
        self.text = text
        self.size = layout.style.size
        style = layout.style
        self.rtl = bidi.base_rtl(text, style.rtl) if style.direction == "auto" else False
        self.levels = bidi.levels(text, self.rtl)
        self.faces = _faces(text, layout.fonts, layout.style)
        self.scan = self.isolate_numbers()

    def isolate_numbers(self) -> str:
        """Give every number-like run one even (left-to-right) level, as a Unicode
        isolate would: after Arabic letters the algorithm would otherwise swap digit
        groups joined by a hyphen or a space ("09-08" read "08-09"). Returns the text
        to look for line breaks in, with the spaces inside such runs glued (a number-like
        run, ``app.bidi_runs.NUMBER_RUN``, is never broken across lines)."""
        scan = list(self.text)
        for match in _BRACKETED.finditer(self.text):
            for index in range(*match.span()):
                if scan[index] == " ":
                    scan[index] = _GLUE
        for match in NUMBER_RUN.finditer(self.text):
            start, end = match.span()
            base = min(self.levels[start:end])
            level = base + 1 if base % 2 else base
            self.levels[start:end] = [level] * (end - start)
            for index in range(start, end):
                if scan[index] == " ":
                    scan[index] = _GLUE
        return "".join(scan)

    def breaks(self, width: float) -> list[tuple[int, int]]:
        """(start, end) of each line: greedy, at spaces; a word too long is cut."""
        lines: list[tuple[int, int]] = []
        start = end = None
        used = 0.0
        for match in _WORDS.finditer(self.scan):
            if match.group().startswith(" "):
                continue
            word_start, word_end = match.span()
            word = self.measure(word_start, word_end)
            if start is not None and end is not None:
                gap = self.measure(end, word_start)
                if used + gap + word <= width:
                    end, used = word_end, used + gap + word
                    continue
                lines.append((start, end))
            start, end, used = word_start, word_end, word
            while used > width and end - start > 1:
                cut = self.cut(start, end, width)
                lines.append((start, cut))
                start = cut
                used = self.measure(start, end)
        if start is not None and end is not None:
            lines.append((start, end))
        return lines or [(0, 0)]

    def cut(self, start: int, end: int, width: float) -> int:
        """Where to cut an over-long word: as many characters as fit, at least one."""
        cut = start + 1
        while cut < end and self.measure(start, cut + 1) <= width:
            cut += 1
        return cut

    def measure(self, start: int, end: int) -> float:
        return sum(run.width(self.size) for _level, run in self.runs(start, end))

    def runs(self, start: int, end: int) -> list[tuple[int, ShapedRun]]:
        """(level, shaped run) of each stretch of one level and one font, in logical order."""
        found = []
        index = start
        while index < end:
            level, face = self.levels[index], self.faces[index]
            stop = index + 1
            while stop < end and self.levels[stop] == level and self.faces[stop] is face:
                stop += 1
            found.append((level, shape(face, self.text[index:stop], level % 2 == 1)))
            index = stop
        return found

    def line(self, start: int, end: int) -> Line:
        while end > start and self.text[end - 1] == " ":
            end -= 1
        runs = self.runs(start, end)
        placed = []
        x = 0.0
        for index in bidi.visual_order([level for level, _run in runs]):
            run = runs[index][1]
            placed.append(PlacedRun(run, x))
            x += run.width(self.size)
        return Line(tuple(placed), x, self.rtl)


def _faces(text: str, fonts: FontSet, style: TextStyle) -> list[ShapingFont]:
    """The font of each character: Arabic script in the Arabic face, other letters in the
    Latin face; spaces, digits and punctuation follow the letter before them (or after
    them, or the document's script), so a run is not broken at every space."""
    explicit = [_is_arabic(char) for char in text]
    current = next((script for script in explicit if script is not None), style.rtl)
    scripts = []
    for script in explicit:
        if script is not None:
            current = script
        scripts.append(current)
    faces = []
    for char, arabic in zip(text, scripts, strict=True):
        face = fonts.face(bool(arabic), style.bold)
        if not face.has_char(char):
            other = fonts.face(not arabic, style.bold)
            face = other if other.has_char(char) else face
        faces.append(face)
    return faces


def _is_arabic(char: str) -> bool | None:
    """True for Arabic script, False for other letters, None for everything else."""
    code = ord(char)
    if any(low <= code <= high for low, high in _ARABIC_BLOCKS):
        return True
    if unicodedata.category(char).startswith("L"):
        return False
    return None


def draw_line(canvas: Canvas, line: Line, x: float, baseline: float, style: TextStyle) -> None:
    """Draw ``line`` with its left edge at ``x``: each glyph where the shaper put it."""
    size = style.size
    for placed in line.runs:
        font = placed.run.font
        text = canvas.beginText()
        text.setFont(font.fontName, size)
        text.setFillColor(style.color)
        pen: tuple[float, float] | None = None
        pending: list[str] = []
        origin = x + placed.x
        for glyph in placed.run.glyphs:
            gx = origin + glyph.x_offset * size / 1000
            gy = baseline + glyph.y_offset * size / 1000
            if pen is None or abs(pen[0] - gx) > 0.01 or pen[1] != gy:
                if pending:
                    text.textOut("".join(pending))
                    pending = []
                text.setTextOrigin(gx, gy)
                pen = (gx, gy)
            pending.append(glyph.code)
            pen = (pen[0] + font.width_of(glyph.code) * size / 1000, gy)
            origin += glyph.advance * size / 1000
        if pending:
            text.textOut("".join(pending))
        canvas.drawText(text)


def line_start(line: Line, width: float, style: TextStyle, *, own: bool = False) -> float:
    """Where a line of ``width`` points' room starts, for the style's alignment.

    "start" and "end" follow the document's direction, so that a column lines up; with
    ``own``, the direction of the line's paragraph (a wrapped Arabic paragraph in a
    French document reads from the right margin, each line starting under the last).
    """
    spare = max(width - line.width, 0.0)
    if style.align == "center":
        return spare / 2
    rtl = line.rtl if own else style.rtl
    end_aligned = (style.align == "end") != rtl
    return spare if end_aligned else 0.0


def draw_text(
    canvas: Canvas, text: str, x: float, baseline: float, width: float, style: TextStyle
) -> None:
    """One line of text in a box from ``x`` to ``x + width`` (page headers, chart labels)."""
    line = Layout(style).line(text)
    draw_line(canvas, line, x + line_start(line, width, style), baseline, style)


class Text(Flowable):
    """A paragraph of plain text in one style; splits across pages between lines."""

    def __init__(self, text: str, style: TextStyle, lines: list[Line] | None = None) -> None:
        super().__init__()
        self.text = text
        self.style = style
        self.spaceBefore = style.space_before
        self.spaceAfter = style.space_after
        self.keepWithNext = style.keep_with_next
        self._lines = lines
        self._fixed = lines is not None  # lines of a split: already cut to their width
        self._wrapped_at: float | None = None

    def wrap(self, available_width: float, _available_height: float) -> tuple[float, float]:
        if not self._fixed and self._wrapped_at != available_width:
            self._lines = Layout(self.style).lines(self.text, available_width)
            self._wrapped_at = available_width
        self.width = available_width
        self.height = len(self.lines) * self.style.leading
        return self.width, self.height

    @property
    def lines(self) -> list[Line]:
        return self._lines or []

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        self.wrap(available_width, available_height)
        fits = int(available_height // self.style.leading)
        if fits <= 0 or fits >= len(self.lines):
            return [] if fits <= 0 else [self]
        head = Text(self.text, self.style.but(space_after=0), self.lines[:fits])
        tail = Text(self.text, self.style.but(space_before=0), self.lines[fits:])
        return [head, tail]

    def draw(self) -> None:
        style = self.style
        top = self.height - (style.leading - style.size) / 2 - BASELINE * style.size
        wrapped = len(self.lines) > 1 and style.direction == "auto"
        for index, line in enumerate(self.lines):
            x = line_start(line, self.width, style, own=wrapped)
            draw_line(self.canv, line, x, top - index * style.leading, style)
