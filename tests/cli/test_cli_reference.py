"""README's command table and the guide's settings table are what the parsers say.

A new command, option, exit code or setting shows here until
``.venv/bin/python tools/cli_reference.py --write`` is run; every ``PASSERELLE_``
variable the code reads is documented.
"""

from __future__ import annotations

import re
from pathlib import Path

from tools import cli_reference

ROOT = Path(__file__).resolve().parent.parent.parent
VARIABLE = re.compile(r"PASSERELLE_[A-Z][A-Z0-9_]*[A-Z0-9]")


def test_readme_and_guide_match_the_parsers() -> None:
    stale = [
        str(path.relative_to(ROOT))
        for path, text in cli_reference.generated().items()
        if path.read_text(encoding="utf-8") != text
    ]
    assert stale == [], "run: .venv/bin/python tools/cli_reference.py --write"


def test_every_environment_variable_is_documented() -> None:
    used = set()
    for folder in ("app", "server", "installer"):
        for path in (ROOT / folder).rglob("*"):
            if path.is_file() and path.suffix in (".py", ".env", ".service", ""):
                used |= set(VARIABLE.findall(path.read_text(encoding="utf-8", errors="ignore")))
    documented = (ROOT / "README.md").read_text(encoding="utf-8")
    documented += (ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")
    missing = sorted(name for name in used if name not in documented)
    assert missing == []


def test_the_reference_lists_every_command_with_its_options() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "`passerelle search --profile DIR [--passphrase-file F] QUERY [--limit N]`" in readme
    assert "[--resolve ID] [--choose kept\\|other]" in readme
    assert "| 3 |" in readme  # the exit code after a wipe
    assert "`passerelle-server user unlock" in readme
