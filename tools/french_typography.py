"""French typography for the catalog: no-break spaces where French requires them.

Convention (docs/terminology.md): a narrow no-break space U+202F before ``;`` ``!`` ``?``,
a no-break space U+00A0 before ``:`` and inside « ». A colon or a question mark can then
never start a line in a wrapped label or a PDF paragraph. Placeholders (``{name}``,
``%(name)s``), commands between backticks and addresses are left alone.

``fix(text)`` returns the corrected text; the test fails on any French msgstr that
``fix`` would change. Run once to correct the catalog in place, under the catalog lock:
``.venv/bin/python tools/french_typography.py`` (``--check`` only lists).
"""

from __future__ import annotations

import re
import sys

NBSP = "\u00a0"
NNBSP = "\u202f"
_PROTECTED = re.compile(r"\{[^{}]*\}|%\([a-z_]+\)[sdr]|%[sd]|`[^`]*`|https?://\S+")
_SPACE = "[ \u00a0\u202f]"
_AFTER = r"(?=\s|$|[\"»)\]”'])"
_TIGHT = re.compile(rf"(?<=\S){_SPACE}?([;!?]){_AFTER}")
_COLON = re.compile(rf"(?<=\S){_SPACE}?:{_AFTER}")
_OPEN = re.compile(rf"«{_SPACE}?")
_CLOSE = re.compile(rf"{_SPACE}?»")
_CURLY = re.compile(r"“\s*([^”]*?)\s*”")


def fix(text: str) -> str:
    """``text`` with French no-break spaces (idempotent)."""
    kept: list[str] = []

    def protect(match: re.Match[str]) -> str:
        kept.append(match.group(0))
        return chr(0xE000 + len(kept) - 1)

    work = _PROTECTED.sub(protect, text)
    work = _CURLY.sub(r"«\1»", work)
    work = _TIGHT.sub(lambda m: NNBSP + m.group(1), work)
    work = _COLON.sub(NBSP + ":", work)
    work = _OPEN.sub("«" + NBSP, work)
    work = _CLOSE.sub(NBSP + "»", work)
    return re.sub("[\ue000-\uefff]", lambda m: kept[ord(m.group(0)) - 0xE000], work)


def main(argv: list[str]) -> int:
    from tools import po_catalog

    if "--check" in argv:
        wrong = [e.msgid for e in po_catalog.entries("fr") if any(fix(s) != s for s in e.strings)]
        for msgid in wrong:
            sys.stdout.write(f"{msgid!r}\n")
        return 1 if wrong else 0

    def correct(entry: po_catalog.Entry) -> None:
        entry.set_strings([fix(s) for s in entry.strings])

    changed = po_catalog.edit("fr", correct)
    sys.stdout.write(f"{changed} French entries corrected.\n")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent.parent))
    raise SystemExit(main(sys.argv[1:]))
