"""Spreadsheet cells that cannot run: text that a spreadsheet would read as a formula.

A staff member named ``=HYPERLINK("http://…","Ouvrir")`` or a facility typed as
``+212…`` would, in a CSV or XLSX opened in Excel or LibreOffice, become a live formula
(a link, a DDE call). Every CSV and XLSX the project writes, on the laptop and on the
server, passes its text cells through :func:`neutralise` (OWASP's advice: a leading
apostrophe, which spreadsheets show as text and hide). Numbers stay numbers: only text
is touched. Qt-free and dependency-free: the server uses it too.
"""

from __future__ import annotations

from typing import Any

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a cell as a formula."""


def neutralise(text: str) -> str:
    """``text`` made inert: prefixed with an apostrophe when it starts like a formula."""
    if text.startswith(TRIGGERS):
        return "'" + text
    return text


def cell(value: Any) -> Any:
    """A cell value for a spreadsheet: text neutralised, anything else unchanged."""
    return neutralise(value) if isinstance(value, str) else value
