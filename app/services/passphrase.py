"""How strong a new passphrase is, and how long to wait after failed unlock attempts.

The estimate is deliberately simple and explainable: an approximate entropy from the
length and the character classes used, after discounting what guessers try first
(repeats, sequences such as ``1234`` or ``abcd``, keyboard rows, well-known
passwords). It gives the user a level and the reasons behind it; the store still
enforces its own minimum length. No Qt here: the wizard and the CLI can both use it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import IntEnum

from app.i18n import _
from app.store.profile import MIN_PASSPHRASE_LENGTH

# Bits of estimated entropy needed to accept a passphrase, and the level thresholds.
ACCEPT_BITS = 40.0
_LEVEL_BITS = (28.0, ACCEPT_BITS, 60.0, 80.0)

# Unlock throttling: no wait for the first failures, then a doubling wait, capped.
FREE_ATTEMPTS = 2
RETRY_BASE_MS = 2_000
RETRY_CAP_MS = 60_000

_KEYBOARD_ROWS = (
    "1234567890",
    "qwertyuiop",
    "azertyuiop",
    "asdfghjkl",
    "qsdfghjklm",
    "zxcvbnm",
    "wxcvbn",
    "abcdefghijklmnopqrstuvwxyz",
)
_COMMON = frozenset(
    {
        "password",
        "passw0rd",
        "motdepasse",
        "passerelle",
        "azerty",
        "qwerty",
        "iloveyou",
        "welcome",
        "bienvenue",
        "admin",
        "administrateur",
        "administrator",
        "letmein",
        "secret",
        "soleil",
        "maroc",
        "morocco",
        "casablanca",
        "rabat",
        "dgapr",
        "prison",
        "bismillah",
        "allah",
        "football",
        "changeme",
    }
)
_MIN_SEQUENCE = 4


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
    length = len(passphrase)
    if length < MIN_PASSPHRASE_LENGTH:
        problems.append(
            _("Use at least {minimum} characters.").format(minimum=MIN_PASSPHRASE_LENGTH)
        )
    lowered = passphrase.lower()
    core = lowered.strip("0123456789!?.,;:-_ *#@$&")
    common = lowered in _COMMON or core in _COMMON
    if common:
        problems.append(_("This is a well-known password: choose something personal."))
    effective = sum(_character_weights(lowered))
    period = _repetition_period(lowered)
    if length and (effective < 0.6 * length or period * 2 <= length):
        problems.append(_("Avoid repeated characters and sequences such as 1234 or abcd."))
    effective = min(effective, float(period) + 1.0)
    effective -= _common_word_discount(lowered)
    bits = 0.0 if common else max(effective, 0.0) * math.log2(max(_pool_size(passphrase), 1))
    if not problems and bits < ACCEPT_BITS:
        problems.append(
            _("Make it longer, or mix letters with digits and symbols; several words work well.")
        )
    level = StrengthLevel(sum(1 for threshold in _LEVEL_BITS if bits >= threshold))
    if problems:
        level = min(level, StrengthLevel.WEAK)
    return PassphraseStrength(level, round(bits, 1), not problems, problems)


def retry_delay_ms(failures: int, base_ms: int = RETRY_BASE_MS, cap_ms: int = RETRY_CAP_MS) -> int:
    """The wait before the next unlock attempt after ``failures`` consecutive failures.

    0 for the first ``FREE_ATTEMPTS`` failures (typos happen), then ``base``, twice
    ``base``, four times... never more than ``cap_ms``.
    """
    if failures <= FREE_ATTEMPTS:
        return 0
    return int(min(base_ms * 2 ** min(failures - FREE_ATTEMPTS - 1, 30), cap_ms))


def _pool_size(passphrase: str) -> int:
    pool = 0
    if any(ch.isascii() and ch.islower() for ch in passphrase):
        pool += 26
    if any(ch.isascii() and ch.isupper() for ch in passphrase):
        pool += 26
    if any(ch.isdigit() and ch.isascii() for ch in passphrase):
        pool += 10
    if any(ch.isascii() and not ch.isalnum() for ch in passphrase):
        pool += 33
    if any(not ch.isascii() for ch in passphrase):
        pool += 40  # Arabic letters, accented letters: another alphabet to guess from
    return pool


def _character_weights(text: str) -> list[float]:
    """1 per surprising character; repeats and steps of a run count for little."""
    weights = [1.0] * len(text)
    for index in range(1, len(text)):
        if text[index] == text[index - 1]:
            weights[index] = 0.1
        elif index >= 2 and _is_step(text[index - 2], text[index - 1], text[index]):
            weights[index] = 0.2
    for row in _KEYBOARD_ROWS:
        for start in range(len(text) - _MIN_SEQUENCE + 1):
            chunk = text[start : start + _MIN_SEQUENCE]
            if chunk in row or chunk[::-1] in row:
                for index in range(start + 1, start + _MIN_SEQUENCE):
                    weights[index] = min(weights[index], 0.2)
    return weights


def _is_step(first: str, second: str, third: str) -> bool:
    step = ord(second) - ord(first)
    return step in (-1, 1) and ord(third) - ord(second) == step


def _repetition_period(text: str) -> int:
    """The length of the shortest block that repeats to make ``text`` (``abab`` -> 2)."""
    for period in range(1, len(text) // 2 + 1):
        if len(text) % period == 0 and text[:period] * (len(text) // period) == text:
            return period
    return len(text)


def _common_word_discount(text: str) -> float:
    """A well-known word inside a longer passphrase counts as about one character."""
    found = [word for word in _COMMON if len(word) >= 5 and word in text]
    return float(sum(len(word) - 1 for word in found))
