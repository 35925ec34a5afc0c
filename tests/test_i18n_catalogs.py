"""A missing translation catalog is said in the support log, not silently replaced."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from app import i18n


def test_a_missing_catalog_is_logged(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    i18n.translations.cache_clear()
    try:
        with caplog.at_level(logging.WARNING, logger="passerelle.i18n"):
            catalog = i18n.translations("ar")
    finally:
        i18n.translations.cache_clear()
    assert catalog.gettext("Record created") == "Record created"
    assert [r.getMessage() for r in caplog.records] == [
        "translation catalog missing: resources/locale/ar/LC_MESSAGES/passerelle.mo; "
        "showing English"
    ]
    assert str(tmp_path) not in caplog.text  # no installation path (a user's name) in the log


def test_the_compiled_catalogs_load_without_a_word(caplog: pytest.LogCaptureFixture) -> None:
    i18n.translations.cache_clear()
    with caplog.at_level(logging.WARNING, logger="passerelle.i18n"):
        french, arabic, english = (i18n.translations(lang) for lang in ("fr", "ar", "en"))
    assert french.gettext("Record created") != "Record created"
    assert arabic.gettext("Record created") != "Record created"
    assert english.gettext("Record created") == "Record created"
    assert caplog.records == []
