"""Building blocks of document stories: headings, tables, label/value blocks, signatures.

Every block is laid out for the document's direction: a right-to-left table has its
first column on the right, labels sit on the start side of their values.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import TypeAlias

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer, Table, TableStyle

from app.reports.document import BODY_WIDTH, MUTED, RULE, SHADE, Styles
from app.reports.fonts import document_fonts
from app.reports.text import Layout, Text, TextStyle

Cell: TypeAlias = "str | Flowable"
PADDING = 3


def _font() -> tuple[object, ...]:
    """Tables set their cells' font even when a cell is a flowable: ours, not Helvetica
    (which would be listed in the PDF, unembedded)."""
    return ("FONTNAME", (0, 0), (-1, -1), document_fonts().latin.fontName)


def heading(text: str, styles: Styles) -> Text:
    return Text(text, styles.heading)


def grid(
    rows: Sequence[Sequence[Cell]],
    widths: Sequence[float],
    styles: Styles,
    *,
    rtl: bool,
    header: bool = True,
    numeric: Collection[int] = (),
    bold_first_column: bool = False,
) -> Table:
    """A ruled table; ``numeric`` columns line up at their end, the header row is shaded."""
    body: list[list[Flowable]] = []
    for row_index, row in enumerate(rows):
        cells: list[Flowable] = []
        for column, cell in enumerate(row):
            if isinstance(cell, str):
                style = _cell_style(styles, row_index, column, header, numeric, bold_first_column)
                style = fit_words(cell, style, widths[column] - 2 * PADDING)
                cell = Text(cell, style)
            cells.append(cell)
        body.append(cells[::-1] if rtl else cells)
    table = Table(
        body,
        colWidths=list(widths)[::-1] if rtl else list(widths),
        repeatRows=1 if header else 0,
        hAlign="RIGHT" if rtl else "LEFT",
    )
    commands: list[tuple[object, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        _font(),
        ("LEFTPADDING", (0, 0), (-1, -1), PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), PADDING),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
    ]
    if header:
        commands += [
            ("BACKGROUND", (0, 0), (-1, 0), SHADE),
            ("LINEBELOW", (0, 0), (-1, 0), 0.8, RULE),
        ]
    table.setStyle(TableStyle(commands))
    return table


def fit_words(text: str, style: TextStyle, width: float, smallest: float = 0.6) -> TextStyle:
    """``style``, set smaller (down to ``smallest`` of its size) until the longest word of
    ``text`` fits ``width``: a narrow column's heading wraps between words, never inside
    one ("Commenc/ée")."""
    words = [word for word in text.split() if word]
    if not words:
        return style
    layout = Layout(style)
    longest = max(layout.width(word) for word in words)
    if longest <= width:
        return style
    scale = max(width * 0.98 / longest, smallest)  # a hair of room against rounding
    return style.but(size=style.size * scale, leading=style.leading * scale)


def _cell_style(
    styles: Styles,
    row: int,
    column: int,
    header: bool,
    numeric: Collection[int],
    bold_first_column: bool,
) -> TextStyle:
    style = styles.cell_number if column in numeric else styles.cell
    if header and row == 0:
        # Headings of narrow figure columns: a little smaller, and never forced LTR.
        return style.but(bold=True, size=style.size * 0.92, direction="auto")
    if bold_first_column and column == 0:
        style = style.but(bold=True)
    return style


def key_values(
    pairs: Sequence[tuple[str, str]], styles: Styles, *, rtl: bool, columns: int = 2
) -> Table:
    """Label/value pairs side by side, ``columns`` pairs a row, without rules."""
    label_width = BODY_WIDTH / columns * 0.38
    value_width = BODY_WIDTH / columns - label_width
    rows: list[list[Flowable]] = []
    for start in range(0, len(pairs), columns):
        row: list[Flowable] = []
        for label, value in pairs[start : start + columns]:
            row += [
                Text(label, styles.cell.but(color=MUTED)),
                Text(value or "—", styles.cell_bold),
            ]
        while len(row) < 2 * columns:
            row.append(Spacer(1, 1))
        rows.append(row[::-1] if rtl else row)
    widths = [label_width, value_width] * columns
    table = Table(rows, colWidths=widths[::-1] if rtl else widths, hAlign="CENTER")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                _font(),
                ("LEFTPADDING", (0, 0), (-1, -1), PADDING),
                ("RIGHTPADDING", (0, 0), (-1, -1), PADDING),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
            ]
        )
    )
    return table


def signatures(labels: Sequence[str], note: str, styles: Styles, *, rtl: bool) -> Table:
    """One box per signatory: who signs, what to write, and room for the signature."""
    width = BODY_WIDTH / len(labels)
    cells: list[Flowable] = []
    for label in labels:
        box = Table(
            [[Text(label, styles.cell_bold)], [Text(note, styles.muted)], [Spacer(1, 20 * mm)]],
            colWidths=[width - 4 * mm],
        )
        box.setStyle(
            TableStyle(
                [
                    ("BOX", (0, 0), (-1, -1), 0.6, RULE),
                    _font(),
                    ("LEFTPADDING", (0, 0), (-1, -1), PADDING + 1),
                    ("RIGHTPADDING", (0, 0), (-1, -1), PADDING + 1),
                ]
            )
        )
        cells.append(box)
    row = cells[::-1] if rtl else cells
    table = Table([row], colWidths=[width] * len(labels))
    table.setStyle(
        TableStyle(
            [_font(), ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0)]
        )
    )
    return table
