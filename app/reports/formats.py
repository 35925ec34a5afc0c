"""The export formats as plain names, importable without the libraries that write them
(the command line offers them as choices; openpyxl loads only when a file is written)."""

from __future__ import annotations

from enum import StrEnum


class ExportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


class CsvDialect(StrEnum):
    EXCEL = "excel"
    """French-locale spreadsheets: ";" separator, decimal comma, UTF-8 with BOM."""
    RFC = "rfc"
    """RFC 4180 for programs: "," separator, dot decimals, UTF-8 without BOM."""
