"""The frame every printed document shares: A4 pages, letterhead, footer, "page X of Y".

A renderer builds a story of flowables and hands it to :func:`render_pdf` with its
:class:`Letterhead`; the pages are decorated once the story is laid out, when the page
count is known (a "numbered canvas" keeps each page until the end). Documents are
rendered to bytes and written by :func:`write_pdf` whole or not at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate

from app.reports.files import write_bytes
from app.reports.fonts import document_fonts
from app.reports.language import DocumentLanguage
from app.reports.text import Layout, TextStyle, draw_line, line_start

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 16 * mm
HEADER = 24 * mm
FOOTER = 16 * mm
BODY_WIDTH = PAGE_WIDTH - 2 * MARGIN
INK = colors.HexColor("#1f2933")
MUTED = colors.HexColor("#5f6b76")
RULE = colors.HexColor("#9aa5b1")
ACCENT = colors.HexColor("#1d4e89")
SHADE = colors.HexColor("#e8eef5")


@dataclass(frozen=True)
class Styles:
    """The text styles of one document language (Arabic is set larger and looser: the
    Naskh letters are smaller on the body than Latin ones at one point size)."""

    body: TextStyle
    small: TextStyle
    muted: TextStyle
    title: TextStyle
    heading: TextStyle
    subheading: TextStyle
    cell: TextStyle
    cell_bold: TextStyle
    cell_number: TextStyle

    @classmethod
    def of(cls, language: DocumentLanguage) -> Styles:
        scale, spacing = (1.12, 1.62) if language.rtl else (1.0, 1.38)

        def style(size: float, **changes: Any) -> TextStyle:
            size *= scale
            base = TextStyle(size=size, leading=size * spacing, rtl=language.rtl, color=INK)
            return base.but(**changes)

        return cls(
            body=style(9.5, space_after=3),
            small=style(8),
            muted=style(8, color=MUTED),
            title=style(15, bold=True, color=ACCENT, space_after=2),
            heading=style(
                11.5, bold=True, color=ACCENT, space_before=10, space_after=4, keep_with_next=True
            ),
            subheading=style(9.5, bold=True, space_before=6, space_after=2, keep_with_next=True),
            cell=style(8.5),
            cell_bold=style(8.5, bold=True),
            cell_number=style(8.5, align="end", direction="ltr"),
        )


@dataclass(frozen=True)
class Letterhead:
    """What the top and bottom of every page say."""

    organisation: Sequence[str]
    """The administration's name, a line each, then the facility."""
    title: str
    subtitle: str
    footer_note: str
    page_label: str
    """With ``{page}`` and ``{pages}``."""
    identity: str = ""
    """Whose document it is, printed above the footer of every page: a page that comes
    loose from a personal document still names its person (both scripts, number)."""


def render_pdf(
    story: list[Flowable], language: DocumentLanguage, letterhead: Letterhead, *, title: str
) -> bytes:
    """The story laid out on A4 pages with the letterhead; the PDF's bytes."""
    buffer = BytesIO()
    document = BaseDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN + HEADER,
        bottomMargin=MARGIN + FOOTER,
        title=title,
        author="Passerelle",
        creator="Passerelle",
        subject=title,
        lang=language.code,
    )
    frame = Frame(
        MARGIN,
        MARGIN + FOOTER,
        BODY_WIDTH,
        PAGE_HEIGHT - 2 * MARGIN - HEADER - FOOTER,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="body",
    )
    document.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    decorator = _Decorator(language, letterhead)

    def make_canvas(*args: Any, **kwargs: Any) -> Canvas:
        return _NumberedCanvas(decorator, *args, **kwargs)

    document.build(story, canvasmaker=make_canvas)
    return buffer.getvalue()


def write_pdf(data: bytes, out: Path) -> Path:
    """Write ``data`` to ``out`` whole or not at all."""
    return write_bytes(data, out)


class _NumberedCanvas(Canvas):
    """Keeps every page until the document is complete, then decorates each one."""

    def __init__(self, decorator: _Decorator, *args: Any, **kwargs: Any) -> None:
        # Our own (embedded) font from the start: no unused, unembedded Helvetica.
        kwargs["initialFontName"] = kwargs.get("initialFontName") or document_fonts().latin.fontName
        super().__init__(*args, **kwargs)
        self._decorator = decorator
        self.setViewerPreference("DisplayDocTitle", "true")
        if decorator.rtl:  # readers page and scroll the document right to left
            self.setViewerPreference("Direction", "R2L")
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:  # noqa: N802 - reportlab's name
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for number, page in enumerate(self._pages, start=1):
            self.__dict__.update(page)
            self._decorator.decorate(self, number, total)
            super().showPage()
        super().save()


class _Decorator:
    def __init__(self, language: DocumentLanguage, letterhead: Letterhead) -> None:
        self.letterhead = letterhead
        self.rtl = rtl = language.rtl
        scale = 1.12 if rtl else 1.0
        self.plain = TextStyle(size=8 * scale, leading=10.5 * scale, color=INK, rtl=rtl)
        self.strong = self.plain.but(bold=True)
        self.muted = self.plain.but(size=7 * scale, leading=9.5 * scale, color=MUTED)
        self.title = self.plain.but(size=10 * scale, leading=13 * scale, bold=True, align="end")
        self.title = self.title.but(color=ACCENT)
        self.subtitle = self.plain.but(align="end", color=MUTED)

    def decorate(self, canvas: Canvas, page: int, pages: int) -> None:
        canvas.saveState()
        self.header(canvas)
        self.footer(canvas, page, pages)
        canvas.restoreState()

    def header(self, canvas: Canvas) -> None:
        head = self.letterhead
        top = PAGE_HEIGHT - MARGIN
        half = BODY_WIDTH * 0.58
        y = top - self.strong.size
        for index, text in enumerate(head.organisation):
            style = self.strong if index == 0 else self.plain
            y = self._block(canvas, text, y, half, style) - 1.5
        side = BODY_WIDTH * 0.4
        below = self._block(canvas, head.title, top - self.title.size, side, self.title)
        self._block(canvas, head.subtitle, below - 1.5, side, self.subtitle)
        rule = top - HEADER + 3 * mm
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.6)
        canvas.line(MARGIN, rule, PAGE_WIDTH - MARGIN, rule)

    def footer(self, canvas: Canvas, page: int, pages: int) -> None:
        rule = MARGIN + FOOTER - 4 * mm
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.6)
        canvas.line(MARGIN, rule, PAGE_WIDTH - MARGIN, rule)
        if self.letterhead.identity:
            line = Layout(self.strong).line(self.letterhead.identity)
            x = MARGIN + line_start(line, BODY_WIDTH, self.strong)
            draw_line(canvas, line, x, rule + 1.6 * mm, self.strong)
        number = self.letterhead.page_label.format(page=page, pages=pages)
        end = self.plain.but(align="end")
        self._block(canvas, number, rule - 4 * mm, BODY_WIDTH * 0.2, end)
        note = self.letterhead.footer_note
        self._block(canvas, note, rule - 4 * mm, BODY_WIDTH * 0.78, self.muted)

    def _block(
        self, canvas: Canvas, text: str, baseline: float, width: float, style: TextStyle
    ) -> float:
        """Wrapped lines in a box of ``width`` on the side the style aligns to (its start or
        its end side), the first on ``baseline``; returns the baseline after them."""
        on_right = (style.align == "end") != style.rtl
        box = MARGIN + BODY_WIDTH - width if on_right else MARGIN
        for line in Layout(style).lines(text, width):
            draw_line(canvas, line, box + line_start(line, width, style), baseline, style)
            baseline -= style.leading
        return baseline
