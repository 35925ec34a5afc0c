"""Schema management of a profile with Alembic, inside one transaction.

Opening a profile whose schema is already current does not load Alembic (~10 MiB kept
by the running application): the versions' own files name the head (:func:`_plain_head`),
and anything unusual there falls back to Alembic.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_NAMED = re.compile(r"^(down_revision|revision)\s*(?::[^=]*)?=\s*(.+?)\s*$", re.MULTILINE)
_PLAIN = re.compile(r"""^(None|"(\w+)"|'(\w+)')$""")


def _plain_head() -> str | None:
    """The head revision read from the version files when each names one revision and
    one parent (no merge, no branch); None when anything differs: Alembic decides."""
    revisions: set[str] = set()
    parents: set[str] = set()
    files = [f for f in (MIGRATIONS_DIR / "versions").glob("*.py") if f.name != "__init__.py"]
    for file in files:
        found: dict[str, str | None] = {}
        for name, value in _NAMED.findall(file.read_text(encoding="utf-8")):
            plain = _PLAIN.match(value)
            if plain is None or name in found:
                return None
            found[name] = plain.group(2) or plain.group(3)
        revision, parent = found.get("revision"), found.get("down_revision")
        if revision is None or "down_revision" not in found:
            return None
        revisions.add(revision)
        if parent is not None:
            parents.add(parent)
    heads = revisions - parents
    if len(revisions) != len(files) or len(heads) != 1:
        return None
    return heads.pop()


def _stored_revision(connection: Connection) -> str | None:
    try:
        rows = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    except DBAPIError:
        return None
    return rows[0][0] if len(rows) == 1 else None


def alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError("no migration found")
    return head


def current_revision(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, target: str = "head") -> bool:
    """Bring the schema to ``target`` in one transaction; True when something ran."""
    if target == "head":
        head = _plain_head()
        if head is not None:
            with engine.connect() as connection:
                if _stored_revision(connection) == head:
                    return False  # current: Alembic not loaded
    from alembic import command

    with engine.begin() as connection:
        wanted = head_revision() if target == "head" else target
        if current_revision(connection) == wanted:
            return False
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, target)
    return True
