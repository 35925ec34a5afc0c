"""Printed documents and exports (reportlab, openpyxl); no Qt.

Every entry point is a plain function of a ServiceContext, its parameters and an
output path, safe to call from a background thread; each writes its file whole or not
at all and returns where it wrote. Errors are ServiceErrors with a translated message
(in the interface language): NotFound, NoPlanToPrint, NothingToReport, InvalidPeriod.

- :func:`write_plan_summary` / :func:`render_plan_summary`: one beneficiary's plan;
- :func:`write_activity_report` / :func:`render_activity_report`: a period's indicators;
- :func:`write_indicators`, :func:`write_case_list`: CSV or XLSX exports.

The document language ("fr" or "ar") is a parameter, independent of the interface's.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.indicators import InvalidPeriod, Period, Scope
    from app.reports.activity import (
        NothingToReport,
        render_activity_report,
        write_activity_report,
    )
    from app.reports.exports import Export, ExportFormat, write_case_list, write_indicators
    from app.reports.language import DOCUMENT_LANGUAGES
    from app.reports.plan_data import NoPlanToPrint
    from app.reports.plan_summary import render_plan_summary, write_plan_summary

_HOMES = {
    "DOCUMENT_LANGUAGES": "app.reports.language",
    "Export": "app.reports.exports",
    "ExportFormat": "app.reports.exports",
    "InvalidPeriod": "app.indicators",
    "NoPlanToPrint": "app.reports.plan_data",
    "NothingToReport": "app.reports.activity",
    "Period": "app.indicators",
    "Scope": "app.indicators",
    "render_activity_report": "app.reports.activity",
    "render_plan_summary": "app.reports.plan_summary",
    "write_activity_report": "app.reports.activity",
    "write_case_list": "app.reports.exports",
    "write_indicators": "app.reports.exports",
    "write_plan_summary": "app.reports.plan_summary",
}
"""Where each name lives: imported when first used, so that a screen reading
:mod:`app.reports.language` does not load reportlab and openpyxl (~25 MiB, issue 23)."""


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


__all__ = [
    "DOCUMENT_LANGUAGES",
    "Export",
    "ExportFormat",
    "InvalidPeriod",
    "NoPlanToPrint",
    "NothingToReport",
    "Period",
    "Scope",
    "render_activity_report",
    "render_plan_summary",
    "write_activity_report",
    "write_case_list",
    "write_indicators",
    "write_plan_summary",
]
