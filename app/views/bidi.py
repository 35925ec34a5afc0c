"""Number runs kept whole on screen: one display helper for labels, banners and item views.

In the Arabic interface every paragraph runs right to left, and the bidirectional
algorithm then shows "06 40 93 56 53" as "53 56 93 40 06" even alone in a cell, and
"القانون 09-08" as "08-09". Text shown by a widget goes through :func:`shown`, which
wraps each number-like run (``app.bidi_runs.NUMBER_RUN``: phones, CIN digits,
registration and referral numbers, dates, law references, percentages) in a
left-to-right isolate; item views get the same through :class:`NumberRunDelegate`.
Only what is displayed changes: editors and stored values never carry isolates.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from PySide6.QtCore import QLocale, QModelIndex, QPersistentModelIndex
from PySide6.QtGui import QBrush, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from app.bidi_runs import LRI, NUMBER_RUN, PDI
from app.views.appearance import high_contrast_on

TOKEN_JOINERS = "-./@_+"
"""Marks inside a Latin token ("REF-2026-X7K2Q9", "a.b@x.ma") when letters follow them."""


def shown(text: str) -> str:
    """``text`` as a widget should display it: each number run isolated when the interface
    runs right to left (where even a lone phone number reorders) or when the text holds
    right-to-left letters; unchanged otherwise. Safe to apply twice."""
    if not (QGuiApplication.isRightToLeft() or _has_rtl(text)):
        return text
    parts, done = [], 0
    for start, end in _runs(text):
        if start > 0 and text[start - 1] == LRI and text[end : end + 1] == PDI:
            continue  # already isolated
        parts += [text[done:start], LRI, text[start:end], PDI]
        done = end
    return "".join(parts) + text[done:]


def _runs(text: str) -> list[tuple[int, int]]:
    """Spans of the number runs, each widened to the Latin token it belongs to: a run
    isolated apart from its letters ("REF-2026-X7K2Q9", "AB123456") would split them."""
    spans: list[tuple[int, int]] = []
    for match in NUMBER_RUN.finditer(text):
        start, end = match.span()
        if spans and start < spans[-1][1]:
            continue
        while start > 0 and _joins(text, start - 1, -1):
            start -= 1
        while end < len(text) and _joins(text, end, 1):
            end += 1
        spans.append((start, end))
    return spans


def _joins(text: str, index: int, step: int) -> bool:
    """Whether ``text[index]`` belongs to the left-to-right token next to it."""
    char = text[index]
    if char.isascii() and char.isalnum():
        return True
    beyond = index + step
    return (
        char in TOKEN_JOINERS
        and 0 <= beyond < len(text)
        and text[beyond].isascii()
        and text[beyond].isalnum()
    )


def _has_rtl(text: str) -> bool:
    """ASCII text has none (checked first: a caseload repaint asks for every cell's)."""
    return not text.isascii() and any(
        unicodedata.bidirectional(char) in ("R", "AL") for char in text
    )


class NumberRunDelegate(QStyledItemDelegate):
    """Cells display their text through :func:`shown`; editing sees the stored value.
    Under high contrast, a cell's own text and background colours give way to the theme's."""

    def displayText(self, value: Any, locale: QLocale | QLocale.Language) -> str:  # noqa: N802
        return shown(super().displayText(value, locale))

    def initStyleOption(  # noqa: N802 - Qt API
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        # A Python override of a void virtual: PySide 6.12.0 over-released None on every
        # call until the process aborted (pinned below it; test_delegate_refcount.py).
        super().initStyleOption(option, index)
        if high_contrast_on():
            option.backgroundBrush = QBrush()
            option.palette = QGuiApplication.palette()


def protect_cells(view: QAbstractItemView) -> None:
    """Give ``view`` the number-run delegate unless it already draws its cells its own way."""
    if type(view.itemDelegate()) is QStyledItemDelegate:
        view.setItemDelegate(NumberRunDelegate(view))


def protect_tree(parent: QWidget) -> None:
    """Every item view under ``parent`` (a page, a dialog) gets :func:`protect_cells`."""
    for view in parent.findChildren(QAbstractItemView):
        protect_cells(view)
