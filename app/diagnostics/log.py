"""The support log: one rotating file in the platform's log folder, no personal data.

What may be written: error *types*, the code location (module, function, line) where
they arose, record ids, counts and durations. What may not: exception messages (a
database error quotes the values it refused, a validation error the input), names,
notes, passphrases. :func:`app.diagnostics.report.describe` builds the entries.
"""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from platformdirs import user_log_path

from app.paths import APP_NAME

LOG_NAME = "passerelle.log"
MAX_BYTES = 1024 * 1024
BACKUPS = 4
LEVELS = ("debug", "info", "warning", "error")
DEFAULT_LEVEL = "info"
FORMAT = "%(asctime)s %(levelname)s %(name)s %(threadName)s: %(message)s"

logger = logging.getLogger("passerelle")


def log_folder() -> Path:
    return user_log_path(APP_NAME, appauthor=False)


def log_file() -> Path:
    return log_folder() / LOG_NAME


def configure(level: str = DEFAULT_LEVEL, folder: Path | None = None) -> Path:
    """Send the ``passerelle`` loggers to the rotating file (once; the level may change)."""
    path = (folder or log_folder()) / LOG_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    logger.setLevel(getattr(logging, level.upper(), logging.INFO))
    logger.propagate = False
    for handler in list(logger.handlers):
        if getattr(handler, "baseFilename", None) == str(path):
            return path
        logger.removeHandler(handler)
        handler.close()
    handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8"
    )
    handler.setFormatter(logging.Formatter(FORMAT))
    logger.addHandler(handler)
    return path


def flush() -> None:
    for handler in logger.handlers:
        handler.flush()
