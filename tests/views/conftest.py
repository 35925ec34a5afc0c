"""Fixtures shared by the view tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QApplication

from app.views.language import apply_language


@pytest.fixture(params=["fr", "ar"])
def language(request: pytest.FixtureRequest, qapp: QApplication) -> Iterator[str]:
    """Each test in French, then in Arabic (right to left); English again afterwards."""
    apply_language(qapp, request.param)
    yield request.param
    QThreadPool.globalInstance().waitForDone()
    apply_language(qapp, "en")
