"""Every counted message goes through ngettext: a number before its noun needs the plural
forms of the language (Arabic has six), which ``_(...).format(count=...)`` cannot give.

The scan reads app/ for ``_("... {x} word ...").format(x=...)`` (and ``pgettext``) where
``{x}`` is a count: its name or its value says so (``len(...)``, arithmetic, a name such
as ``count``, ``total``, ``rows``, ``records``, ``limit``...). "Label: {count}" phrasings
need no plural forms and are not flagged; nor is a number before a unit ("{size} KB").
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app"
SINGLE = {"_", "pgettext", "gettext"}
COUNTISH = re.compile(
    r"(?:^|_)(count|counts|total|n|number|rows|records|entries|cases|problems|days|weeks|"
    r"months|hours|minutes|seconds|queued|received|expected|sent|applied|merged|conflicts|"
    r"retry|quarantined|held|removed|waiting|rejected|reuploaded|anonymised|purged|"
    r"suppressed|deleted|failed|left|beneficiary|beneficiaries|overdue|due_soon|soon|"
    r"limit|minimum|maximum|max|min|items|people|documents|appointments|notes|sessions)"
    r"(?:$|_)",
    re.IGNORECASE,
)
# "{x} of {y}", "{n} in conflict", "{n} overdue", "{n} due" (predicates after a label), units
# ("{size} KB", "{minutes} min"): the word after the number is not its noun.
NOT_A_NOUN = {
    "of",
    "to",
    "and",
    "or",
    "in",
    "at",
    "on",
    "is",
    "are",
    "was",
    "were",
    "the",
    "overdue",
    "due",
    "KB",
    "MB",
    "GB",
    "min",
    "s",
    "h",
}
NUMBER_THEN_WORD = re.compile(r"\{([a-z_]+)\}\s+([^\W\d_]+)")
# Known and left, with why (a file another change owns): fix them, never add to them.
LEFT = {
    # import-23 is rewriting this module for issue 23 this session.
    ("app/services/import_parse.py", "Too long (at most {limit} characters)."),
}


def _is_count(name: str, value: ast.expr | None) -> bool:
    if COUNTISH.search(name):
        return True
    if value is None:
        return False
    if isinstance(value, ast.BinOp) or (
        isinstance(value, ast.Constant) and isinstance(value.value, int)
    ):
        return True
    if isinstance(value, ast.Call) and getattr(value.func, "id", "") in {"len", "sum"}:
        return True
    last = value.attr if isinstance(value, ast.Attribute) else getattr(value, "id", "")
    return bool(COUNTISH.search(last))


def counted_singular_messages(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, message) of each counted message translated without plural forms."""
    found = []
    for node in ast.walk(tree):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "format"
            and isinstance(node.func.value, ast.Call)
        ):
            continue
        inner = node.func.value
        name = getattr(inner.func, "id", getattr(inner.func, "attr", ""))
        if name not in SINGLE or not inner.args:
            continue
        literal = inner.args[-1]
        if not (isinstance(literal, ast.Constant) and isinstance(literal.value, str)):
            continue
        values = {keyword.arg: keyword.value for keyword in node.keywords if keyword.arg}
        for match in NUMBER_THEN_WORD.finditer(literal.value):
            placeholder, word = match.groups()
            if word in NOT_A_NOUN:
                continue
            if _is_count(placeholder, values.get(placeholder)):
                found.append((node.lineno, literal.value))
                break
    return found


def test_counted_messages_use_plural_forms() -> None:
    offenders = []
    for path in sorted(APP.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for line, message in counted_singular_messages(tree):
            where = str(path.relative_to(APP.parent))
            if (where, message) not in LEFT:
                offenders.append(f"{where}:{line}: {message!r}")
    assert offenders == []


def test_the_scan_finds_a_count_formatted_into_a_translated_message() -> None:
    flagged = """
_("{count} cases due.").format(count=len(due))
_("{total} rows written to {path}.").format(total=done.rows, path=out)
pgettext("ctx", "{n} appointments").format(n=3)
"""
    fine = """
_("Open conflicts: {count}.").format(count=open_count)
ngettext("{count} case due.", "{count} cases due.", n).format(count=n)
_("{value} is not a date.").format(value=value)
_("{size} KB").format(size=size)
_("Self-test failed: {failed} of {count}").format(failed=failed, count=count)
"""
    assert [line for line, _m in counted_singular_messages(ast.parse(flagged))] == [2, 3, 4]
    assert counted_singular_messages(ast.parse(fine)) == []
