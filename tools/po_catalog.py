"""Rewrite msgstr texts of the shared catalogs in place, keeping everything else byte for byte.

Several people append entries to the same ``.po`` files while one reviser rewrites
translations: every read-modify-write holds the lock ``PO_LOCK`` (``flock``) from the
read to the write, and only the ``msgstr`` lines of the entries changed are rewritten
(comments, order, wrapping and every other entry stay as they were).
"""

from __future__ import annotations

import fcntl
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "resources" / "locale"
PO_LOCK = Path(os.environ.get("PASSERELLE_PO_LOCK", "/work/notes/po.lock"))
_STRING = re.compile(r'^(?:msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)?\s*"(.*)"\s*$')


def catalog_path(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / "passerelle.po"


def unquote(text: str) -> str:
    out = []
    chars = iter(text)
    for char in chars:
        if char == "\\":
            nxt = next(chars, "")
            out.append({"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": "\r"}.get(nxt, nxt))
        else:
            out.append(char)
    return "".join(out)


def quote(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")


@dataclass
class Entry:
    """One block of a catalog: its lines, and where its msgstr lines are."""

    lines: list[str]
    context: str | None
    msgid: str
    plural: str | None
    strings: list[str]
    _spans: list[tuple[int, int]]

    @property
    def key(self) -> tuple[str | None, str]:
        return self.context, self.msgid

    def set_strings(self, strings: list[str]) -> bool:
        """Replace the translations (one per plural form); True when anything changed."""
        if strings == self.strings:
            return False
        if len(strings) != len(self.strings):
            raise ValueError(f"{self.msgid!r}: {len(self.strings)} forms, got {len(strings)}")
        first, last = self._spans[0][0], self._spans[-1][1]
        if self.plural is None:
            new = [f'msgstr "{quote(strings[0])}"']
        else:
            new = [f'msgstr[{i}] "{quote(s)}"' for i, s in enumerate(strings)]
        self.lines[first:last] = new
        self.strings = list(strings)
        self._spans = [(first + i, first + i + 1) for i in range(len(new))]
        return True


def _parse(block: str) -> Entry | None:
    lines = block.split("\n")
    fields: dict[str, list[str]] = {}
    spans: list[tuple[int, int]] = []
    current: str | None = None
    for index, line in enumerate(lines):
        if line.startswith("#") or not line.strip():
            current = None
            continue
        keyword = line.split(" ", 1)[0] if not line.startswith('"') else None
        match = _STRING.match(line)
        if match is None:
            return None
        if keyword is not None:
            current = keyword
            fields[current] = [match.group(1)]
            if current.startswith("msgstr"):
                spans.append((index, index + 1))
        elif current is not None:
            fields[current].append(match.group(1))
            if current.startswith("msgstr"):
                spans[-1] = (spans[-1][0], index + 1)
    if "msgid" not in fields:
        return None

    def text(name: str) -> str:
        return unquote("".join(fields[name]))

    names = sorted((k for k in fields if k.startswith("msgstr")), key=lambda k: (len(k), k))
    return Entry(
        lines=lines,
        context=text("msgctxt") if "msgctxt" in fields else None,
        msgid=text("msgid"),
        plural=text("msgid_plural") if "msgid_plural" in fields else None,
        strings=[text(name) for name in names],
        _spans=spans,
    )


@contextmanager
def locked() -> Iterator[None]:
    PO_LOCK.parent.mkdir(parents=True, exist_ok=True)
    with open(PO_LOCK, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def edit(language: str, change: Callable[[Entry], None]) -> int:
    """Call ``change`` on every translated entry of a catalog under the lock; write the
    file back when an entry changed. Returns how many entries changed."""
    path = catalog_path(language)
    with locked():
        text = path.read_text(encoding="utf-8")
        blocks = text.split("\n\n")
        changed = 0
        for number, block in enumerate(blocks):
            entry = _parse(block)
            if entry is None or entry.msgid == "":
                continue
            before = list(entry.strings)
            change(entry)
            if entry.strings != before:
                blocks[number] = "\n".join(entry.lines)
                changed += 1
        if changed:
            tmp = path.with_suffix(".po.tmp")
            tmp.write_text("\n\n".join(blocks), encoding="utf-8")
            tmp.replace(path)
        return changed


def entries(language: str) -> list[Entry]:
    """Every entry of a catalog (read only, no lock needed for a consistent snapshot
    because writers replace the file atomically)."""
    text = catalog_path(language).read_text(encoding="utf-8")
    found = [_parse(block) for block in text.split("\n\n")]
    return [e for e in found if e is not None and e.msgid != ""]
