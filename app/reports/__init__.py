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

from app.indicators import InvalidPeriod, Period, Scope
from app.reports.activity import NothingToReport, render_activity_report, write_activity_report
from app.reports.exports import Export, ExportFormat, write_case_list, write_indicators
from app.reports.language import DOCUMENT_LANGUAGES
from app.reports.plan_data import NoPlanToPrint
from app.reports.plan_summary import render_plan_summary, write_plan_summary

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
