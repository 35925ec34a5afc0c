"""Folding of names and identifiers for search: accents, case and Arabic spelling variants.

Applied both when indexing (from SQL triggers, registered on every connection) and to
the query, so ``helene`` finds ``Hélène`` and ``احمد`` finds ``أحمد``.
"""

from __future__ import annotations

import re
import unicodedata

# After NFKD, hamza carriers and madda become plain letters + a combining mark we drop.
_ARABIC_LETTERS = str.maketrans(
    {
        "\u0629": "\u0647",  # teh marbuta -> heh
        "\u0649": "\u064a",  # alef maksura -> yeh
        "\u0671": "\u0627",  # alef wasla -> alef
        "\u0640": None,  # tatweel
        "\u06cc": "\u064a",  # farsi yeh -> yeh
        "\u06a9": "\u0643",  # keheh -> kaf
    }
)
_TOKEN = re.compile(r"\w+")


def fold(text: str | None) -> str:
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.translate(_ARABIC_LETTERS).casefold()


def fold_tokens(text: str) -> list[str]:
    return _TOKEN.findall(fold(text))
