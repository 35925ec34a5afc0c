"""Key derivation (Argon2id) and wrapping of the database key (AES-256-GCM).

The database key is random and never changes with the passphrase: the passphrase only
unwraps it. Changing the passphrase is therefore a rewrite of a small header, and
SQLCipher's own (slow) KDF is skipped by keying every connection with the raw key.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from app.store.errors import WrongPassphrase

KEY_BYTES = 32
SALT_BYTES = 16
NONCE_BYTES = 12
UNLOCK_TARGET_SECONDS = 0.3


@dataclass(frozen=True)
class KdfParams:
    """Argon2id parameters; stored in the profile header so each profile keeps its own."""

    time_cost: int
    memory_cost_kib: int
    parallelism: int

    @classmethod
    def calibrated(cls, target_seconds: float = UNLOCK_TARGET_SECONDS) -> KdfParams:
        """Pick the number of passes that makes one derivation last about ``target_seconds``."""
        memory_cost_kib, parallelism = 128 * 1024, 2
        probe = cls(time_cost=1, memory_cost_kib=memory_cost_kib, parallelism=parallelism)
        salt = os.urandom(SALT_BYTES)
        per_pass = min(_timed_derivation(probe, salt) for _ in range(2))
        probe2 = cls(time_cost=2, memory_cost_kib=memory_cost_kib, parallelism=parallelism)
        per_extra_pass = max(_timed_derivation(probe2, salt) - per_pass, per_pass / 4)
        passes = 1 + round(max(target_seconds - per_pass, 0.0) / per_extra_pass)
        return cls(time_cost=max(2, passes), memory_cost_kib=memory_cost_kib, parallelism=2)

    @classmethod
    def fast_for_tests(cls) -> KdfParams:
        """Cheap parameters: only for throwaway profiles (tests, benchmarks' setup)."""
        return cls(time_cost=1, memory_cost_kib=8 * 1024, parallelism=1)


def _timed_derivation(params: KdfParams, salt: bytes) -> float:
    start = time.perf_counter()
    derive_key(b"calibration", salt, params)
    return time.perf_counter() - start


def derive_key(passphrase: bytes, salt: bytes, params: KdfParams) -> bytes:
    return hash_secret_raw(
        secret=passphrase,
        salt=salt,
        time_cost=params.time_cost,
        memory_cost=params.memory_cost_kib,
        parallelism=params.parallelism,
        hash_len=KEY_BYTES,
        type=Type.ID,
    )


def new_database_key() -> bytes:
    return os.urandom(KEY_BYTES)


def new_salt() -> bytes:
    return os.urandom(SALT_BYTES)


def wrap_key(key: bytes, wrapping_key: bytes, associated_data: bytes) -> tuple[bytes, bytes]:
    """Encrypt ``key``; ``associated_data`` binds the header fields to the ciphertext."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce, AESGCM(wrapping_key).encrypt(nonce, key, associated_data)


def unwrap_key(
    nonce: bytes, ciphertext: bytes, wrapping_key: bytes, associated_data: bytes
) -> bytes:
    try:
        return AESGCM(wrapping_key).decrypt(nonce, ciphertext, associated_data)
    except InvalidTag:
        raise WrongPassphrase() from None
