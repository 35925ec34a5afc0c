"""How strong a new passphrase is, and how long to wait after failed unlock attempts.

One policy for every place a passphrase is chosen (the first-run screen, ``passerelle
init``, ``enrol`` of a new profile, ``passwd``, ``recover``): zxcvbn's estimate of the
guesses needed (a maintained model of dictionaries, names, dates, keyboard patterns
and repeats, with the well-known local words below added), at least
:data:`ACCEPT_SCORE`, and the store's minimum length. The reasons given are ours, in
the user's language. No Qt here: the screens and the CLI both use it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from app.i18n import _, ngettext
from app.services.errors import ServiceError
from app.store.profile import MIN_PASSPHRASE_LENGTH

ACCEPT_SCORE = 3
"""zxcvbn's score (0-4) a passphrase needs: about 10^8 guesses or more."""
MAX_CHECKED_LENGTH = 100  # zxcvbn's time grows with the length; beyond this it is strong

# Unlock throttling: no wait for the first failures, then a doubling wait, capped.
FREE_ATTEMPTS = 2
RETRY_BASE_MS = 2_000
RETRY_CAP_MS = 60_000

LOCAL_WORDS = (
    "motdepasse",
    "passerelle",
    "azerty",
    "bienvenue",
    "administrateur",
    "soleil",
    "maroc",
    "morocco",
    "casablanca",
    "rabat",
    "tanger",
    "dgapr",
    "prison",
    "bismillah",
    "allah",
    "changeme",
)
"""Words guessers try first here, which zxcvbn's English dictionaries lack."""
_SEQUENCE_PATTERNS = frozenset({"repeat", "sequence", "spatial"})


class StrengthLevel(IntEnum):
    VERY_WEAK = 0
    WEAK = 1
    FAIR = 2
    STRONG = 3
    VERY_STRONG = 4


@dataclass(frozen=True)
class PassphraseStrength:
    """The estimate for one passphrase: level, bits, whether it is accepted and why not."""

    level: StrengthLevel
    bits: float
    acceptable: bool
    problems: list[str] = field(default_factory=list)


def estimate_strength(passphrase: str) -> PassphraseStrength:
    problems: list[str] = []
    if len(passphrase) < MIN_PASSPHRASE_LENGTH:
        problems.append(
            ngettext(
                "Use at least {count} character.",
                "Use at least {count} characters.",
                MIN_PASSPHRASE_LENGTH,
            ).format(count=MIN_PASSPHRASE_LENGTH)
        )
    if not passphrase:
        return PassphraseStrength(StrengthLevel.VERY_WEAK, 0.0, False, problems)
    from zxcvbn import zxcvbn  # its dictionaries hold ~13 MiB: loaded when first asked

    result: dict[str, Any] = zxcvbn(passphrase[:MAX_CHECKED_LENGTH], user_inputs=LOCAL_WORDS)
    score = int(result["score"])
    bits = float(result["guesses_log10"]) * math.log2(10)
    matches = result["sequence"]
    if score < ACCEPT_SCORE:
        if any(
            m["pattern"] == "dictionary" and len(m["token"]) * 2 >= len(passphrase) for m in matches
        ):
            problems.append(_("This is a well-known password: choose something personal."))
        elif any(m["pattern"] in _SEQUENCE_PATTERNS for m in matches):
            problems.append(_("Avoid repeated characters and sequences such as 1234 or abcd."))
        elif not problems:
            problems.append(
                _(
                    "Make it longer, or mix letters with digits and symbols; "
                    "several words work well."
                )
            )
    level = StrengthLevel(score)
    if problems:
        level = min(level, StrengthLevel.WEAK)
    return PassphraseStrength(level, round(bits, 1), not problems, problems)


class WeakPassphraseRefused(ServiceError):
    """A new passphrase below the policy: the reasons, in one line."""


def require_strong(passphrase: str) -> None:
    """Refuse a new passphrase the policy does not accept (CLI, dialogs alike)."""
    strength = estimate_strength(passphrase)
    if not strength.acceptable:
        raise WeakPassphraseRefused(
            _("This passphrase is too weak. {reason}").format(reason=" ".join(strength.problems))
        )


def retry_delay_ms(failures: int, base_ms: int = RETRY_BASE_MS, cap_ms: int = RETRY_CAP_MS) -> int:
    """The wait before the next unlock attempt after ``failures`` consecutive failures.

    0 for the first ``FREE_ATTEMPTS`` failures (typos happen), then ``base``, twice
    ``base``, four times... never more than ``cap_ms``.
    """
    if failures <= FREE_ATTEMPTS:
        return 0
    return int(min(base_ms * 2 ** min(failures - FREE_ATTEMPTS - 1, 30), cap_ms))
