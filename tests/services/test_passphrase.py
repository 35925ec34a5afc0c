"""The passphrase policy (zxcvbn) explains refusals; the unlock wait grows and is capped."""

from __future__ import annotations

import pytest

from app.services.passphrase import (
    RETRY_CAP_MS,
    StrengthLevel,
    WeakPassphraseRefused,
    estimate_strength,
    require_strong,
    retry_delay_ms,
)
from app.store.profile import MIN_PASSPHRASE_LENGTH


@pytest.mark.parametrize(
    "passphrase",
    ["correct horse battery", "ma soeur habite a fes", "Xk9#mQ2!vT", "كلمة سر طويلة جدا"],
)
def test_good_passphrases_are_accepted(passphrase: str) -> None:
    strength = estimate_strength(passphrase)
    assert strength.acceptable
    assert strength.problems == []
    assert strength.level >= StrengthLevel.FAIR


def test_short_passphrase_names_the_minimum() -> None:
    strength = estimate_strength("Ab1!")
    assert not strength.acceptable
    assert str(MIN_PASSPHRASE_LENGTH) in strength.problems[0]


@pytest.mark.parametrize(
    "passphrase", ["password", "Password1!", "motdepasse2024", "azerty", "12345678", "maroc2024!"]
)
def test_well_known_passwords_are_refused(passphrase: str) -> None:
    strength = estimate_strength(passphrase)
    assert not strength.acceptable
    assert any("well-known" in problem for problem in strength.problems)
    assert strength.level <= StrengthLevel.WEAK
    with pytest.raises(WeakPassphraseRefused, match="too weak"):
        require_strong(passphrase)


@pytest.mark.parametrize("passphrase", ["abcdefgh", "aaaaaaaaaaaa", "abcabcabcabc", "98765432"])
def test_sequences_and_repeats_are_refused(passphrase: str) -> None:
    strength = estimate_strength(passphrase)
    assert not strength.acceptable
    assert any("sequences" in problem for problem in strength.problems)


def test_long_enough_but_too_simple_asks_for_variety() -> None:
    strength = estimate_strength("kdjfhqpe")
    assert not strength.acceptable
    assert strength.level == StrengthLevel.WEAK
    assert "longer" in strength.problems[0]


def test_variety_and_length_raise_the_level() -> None:
    levels = [estimate_strength(p).level for p in ("kdjfhqpez", "Tanger2024!x", "correct horse")]
    assert levels == sorted(levels)
    assert estimate_strength("correct horse battery staple").level == StrengthLevel.VERY_STRONG


def test_retry_delay_is_free_at_first_then_doubles_up_to_the_cap() -> None:
    delays = [retry_delay_ms(failures, base_ms=2_000) for failures in range(0, 9)]
    assert delays == [0, 0, 0, 2_000, 4_000, 8_000, 16_000, 32_000, RETRY_CAP_MS]
    assert retry_delay_ms(500) == RETRY_CAP_MS
