"""`passerelle` starts the application through the command line's parser: building it
loads no report library (reportlab, openpyxl, icalendar: ~36 MiB the application does
not need until something is printed or exported)."""

from __future__ import annotations

from tests.fresh_process import modules_loaded


def test_the_parser_loads_no_report_library() -> None:
    code = "import app.cli\nfrom app.cli.parser import build_parser\nbuild_parser()"
    assert modules_loaded(code, ("reportlab", "openpyxl", "icalendar")) == []
