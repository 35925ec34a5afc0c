"""Where a command writes: never over an existing file by surprise, folders made as needed.

Every ``--out`` goes through :func:`prepare_file` (or :func:`prepare_folder`) before
anything is written: a missing folder is created, an existing file is refused unless
``--force``, a folder given where a file is wanted is named as such, and a format that
disagrees with the file's extension is refused. Errors name the user's path only.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from app.i18n import _
from app.services.errors import ServiceError


class OutputRefused(ServiceError):
    """The output path cannot be used as given: one line saying why."""


def add_force_option(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--force", action="store_true", help=_("replace the output if it already exists")
    )


def prepare_file(out: Path, *, force: bool, suffixes: tuple[str, ...] = ()) -> Path:
    """``out`` ready to be written: its folder exists, nothing is replaced unasked.

    ``suffixes`` (``(".pdf",)``) are the extensions this output may have, if any.
    """
    out = Path(out).expanduser()
    if suffixes and out.suffix.lower() not in suffixes:
        raise OutputRefused(
            _("{path}: the file name must end in {suffixes}.").format(
                path=out, suffixes=" or ".join(suffixes)
            )
        )
    if out.is_dir():
        raise OutputRefused(_("{path} is a folder: give a file name.").format(path=out))
    if out.exists() and not force:
        raise OutputRefused(
            _("{path} already exists: choose another name, or add --force to replace it.").format(
                path=out
            )
        )
    _make_folder(out.parent)
    return out


def prepare_folder(out: Path) -> Path:
    """``out`` as a folder, created if missing (with its parents)."""
    out = Path(out).expanduser()
    if out.exists() and not out.is_dir():
        raise OutputRefused(_("{path} is a file: give a folder.").format(path=out))
    _make_folder(out)
    return out


def refuse_existing(paths: tuple[Path, ...], *, force: bool) -> None:
    """Files a command is about to write inside a folder: refused if any exists."""
    for path in paths:
        if path.exists() and not force:
            raise OutputRefused(
                _("{path} already exists: move it away, or add --force to replace it.").format(
                    path=path
                )
            )


def format_from_name(out: Path, given: str | None, formats: tuple[str, ...]) -> str:
    """The format named by ``--format``, else by the extension; refused if they disagree."""
    extension = Path(out).suffix.lower().lstrip(".")
    if given is None:
        if extension not in formats:
            raise OutputRefused(
                _("{path}: name the file .{formats} or give --format.").format(
                    path=out, formats=" .".join(formats)
                )
            )
        return extension
    if extension != given:
        raise OutputRefused(
            _("{path}: the format is {format} but the file name ends in .{extension}.").format(
                path=out, format=given, extension=extension or "?"
            )
        )
    return given


def _make_folder(folder: Path) -> None:
    if folder.is_dir():
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        raise OutputRefused(_("Cannot create the folder {path}.").format(path=folder)) from None
