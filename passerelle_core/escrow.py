"""Escrow of a laptop's database key for the administration, and one-time recovery files.

Escrow: the laptop seals its database key for the administration's recovery *public*
key (X25519, an ephemeral key per seal, HKDF-SHA256, AES-256-GCM; the device id is
bound as associated data). The server stores the sealed blob and only ever holds the
public key, so neither its database nor its configuration can open a laptop's key.

Recovery: an administrator unseals one device's key with the private key (kept offline)
and hands the user a recovery file plus a one-time code given by another channel (a
phone call): the file holds the key encrypted under the code (Argon2id + AES-GCM). The
laptop re-keys its database right after recovering, so the file and the code open
nothing afterwards.

No Qt, no database: the server's recovery commands use this module too.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import secrets
import uuid
from typing import Literal

from argon2.exceptions import HashingError
from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from passerelle_core.markers import N_

SEAL_ALGORITHM = "x25519-hkdf-sha256-aes256gcm"
SEAL_INFO = b"passerelle/escrow/v1"
RECOVERY_AAD = b"passerelle/recovery/v1"
RECOVERY_FORMAT = "passerelle-recovery"
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read over the phone
CODE_LENGTH = 20  # 100 bits
CODE_GROUP = 5
# The code is random (100 bits): Argon2id only has to make each guess cost something.
CODE_KDF = {"time_cost": 2, "memory_cost_kib": 19 * 1024, "parallelism": 1}
MAX_RECOVERY_FILE_BYTES = 64 * 1024
B64_KEY = r"^[A-Za-z0-9+/=]{40,48}$"


class EscrowError(ValueError):
    """A public or private key, or a sealed blob, that cannot be used (a one-line reason)."""


class RecoveryFileError(EscrowError):
    """A recovery file that does not open; ``reason`` is an untranslated, marked text.

    The desktop shows it translated (``app.store.escrow`` raises ``RecoveryFailed``).
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


NOT_A_RECOVERY_FILE = N_("this is not a Passerelle recovery file")
DAMAGED = N_("the recovery file is damaged")
WRONG_CODE = N_("the recovery code does not match this file")


class SealedKey(BaseModel):
    """A database key sealed for the recovery public key ``key_id`` (what the server keeps)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    algorithm: Literal["x25519-hkdf-sha256-aes256gcm"] = "x25519-hkdf-sha256-aes256gcm"
    key_id: str = Field(pattern=r"^[0-9a-f]{32}$")
    ephemeral_public_key: str = Field(pattern=B64_KEY)
    nonce: str = Field(pattern=r"^[A-Za-z0-9+/=]{16}$")
    ciphertext: str = Field(pattern=r"^[A-Za-z0-9+/=]{64}$")  # 32-byte key + 16-byte tag


class _CodeKdf(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    algorithm: Literal["argon2id"] = "argon2id"
    salt: str
    time_cost: int = Field(ge=1, le=10)
    memory_cost_kib: int = Field(ge=8, le=256 * 1024)
    parallelism: int = Field(ge=1, le=8)


class RecoveryFile(BaseModel):
    """The file an administrator gives a user who forgot the passphrase."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    format: Literal["passerelle-recovery"] = "passerelle-recovery"
    format_version: Literal[1] = 1
    device_id: uuid.UUID
    kdf: _CodeKdf
    nonce: str
    ciphertext: str


# -- recovery key pair ------------------------------------------------------------------


def generate_recovery_key() -> X25519PrivateKey:
    return X25519PrivateKey.generate()


def public_key_text(private_key: X25519PrivateKey) -> str:
    raw = private_key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return base64.b64encode(raw).decode("ascii")


def key_id(public_key: str) -> str:
    """A short fingerprint of a recovery public key (shown to administrators, stored)."""
    return hashlib.sha256(_public_raw(public_key)).hexdigest()[:32]


def normalise_public_key(text: str) -> str:
    """A public key given as base64 (32 raw bytes) or PEM, as base64; EscrowError if neither."""
    text = text.strip()
    if text.startswith("-----BEGIN"):
        try:
            loaded = serialization.load_pem_public_key(text.encode("ascii"))
        except (ValueError, UnicodeEncodeError):
            raise EscrowError("not a PEM public key") from None
        if not isinstance(loaded, X25519PublicKey):
            raise EscrowError("not an X25519 public key")
        raw = loaded.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return base64.b64encode(raw).decode("ascii")
    _public_raw(text)
    return text


def private_key_pem(private_key: X25519PrivateKey, passphrase: str) -> bytes:
    return private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(passphrase.encode("utf-8")),
    )


def load_private_key(pem: bytes, passphrase: str) -> X25519PrivateKey:
    try:
        loaded = serialization.load_pem_private_key(pem, passphrase.encode("utf-8") or None)
    except (ValueError, TypeError):
        raise EscrowError("the private key cannot be read (wrong passphrase or file)") from None
    if not isinstance(loaded, X25519PrivateKey):
        raise EscrowError("not an X25519 private key")
    return loaded


# -- sealing (laptop) and unsealing (administrator) ---------------------------------------


def seal_key(database_key: bytes, public_key: str, device_id: uuid.UUID) -> SealedKey:
    recipient = X25519PublicKey.from_public_bytes(_public_raw(public_key))
    ephemeral = X25519PrivateKey.generate()
    ephemeral_raw = ephemeral.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    wrapping = _seal_key(ephemeral.exchange(recipient), ephemeral_raw, _public_raw(public_key))
    nonce = os.urandom(12)
    ciphertext = AESGCM(wrapping).encrypt(nonce, database_key, _seal_aad(device_id))
    return SealedKey(
        key_id=key_id(public_key),
        ephemeral_public_key=_b64(ephemeral_raw),
        nonce=_b64(nonce),
        ciphertext=_b64(ciphertext),
    )


def unseal_key(sealed: SealedKey, private_key: X25519PrivateKey, device_id: uuid.UUID) -> bytes:
    public = public_key_text(private_key)
    if sealed.key_id != key_id(public):
        raise EscrowError("this key was sealed for another recovery key")
    try:
        ephemeral_raw = _unb64(sealed.ephemeral_public_key)
        shared = private_key.exchange(X25519PublicKey.from_public_bytes(ephemeral_raw))
        wrapping = _seal_key(shared, ephemeral_raw, _public_raw(public))
        return AESGCM(wrapping).decrypt(
            _unb64(sealed.nonce), _unb64(sealed.ciphertext), _seal_aad(device_id)
        )
    except (InvalidTag, ValueError):
        raise EscrowError("the sealed key does not open (damaged, or another device's)") from None


def _seal_key(shared: bytes, ephemeral_raw: bytes, recipient_raw: bytes) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=ephemeral_raw + recipient_raw,
        info=SEAL_INFO,
    ).derive(shared)


def _seal_aad(device_id: uuid.UUID) -> bytes:
    return SEAL_INFO + b"|" + device_id.bytes


# -- recovery files -----------------------------------------------------------------------


def new_recovery_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + CODE_GROUP] for i in range(0, CODE_LENGTH, CODE_GROUP))


def make_recovery_file(database_key: bytes, device_id: uuid.UUID) -> tuple[bytes, str]:
    """The file's bytes and the one-time code that opens it (to give separately)."""
    code = new_recovery_code()
    salt = os.urandom(16)
    kdf = _CodeKdf(salt=_b64(salt), **CODE_KDF)
    nonce = os.urandom(12)
    ciphertext = AESGCM(_code_key(code, kdf)).encrypt(
        nonce, database_key, RECOVERY_AAD + device_id.bytes
    )
    document = RecoveryFile(
        device_id=device_id, kdf=kdf, nonce=_b64(nonce), ciphertext=_b64(ciphertext)
    )
    return document.model_dump_json(indent=2).encode("utf-8"), code


def open_recovery_file(raw: bytes, code: str) -> tuple[uuid.UUID, bytes]:
    """The device id and database key in a recovery file; RecoveryFileError otherwise."""
    if len(raw) > MAX_RECOVERY_FILE_BYTES:
        raise RecoveryFileError(NOT_A_RECOVERY_FILE)
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise RecoveryFileError(NOT_A_RECOVERY_FILE) from None
    if not isinstance(data, dict) or data.get("format") != RECOVERY_FORMAT:
        raise RecoveryFileError(NOT_A_RECOVERY_FILE)
    try:
        document = RecoveryFile.model_validate(data)
        nonce, ciphertext = _unb64(document.nonce), _unb64(document.ciphertext)
        code_key = _code_key(code, document.kdf)
    except (ValidationError, ValueError, HashingError):
        raise RecoveryFileError(DAMAGED) from None
    try:
        key = AESGCM(code_key).decrypt(nonce, ciphertext, RECOVERY_AAD + document.device_id.bytes)
    except (InvalidTag, ValueError):
        raise RecoveryFileError(WRONG_CODE) from None
    if len(key) != 32:
        raise RecoveryFileError(DAMAGED)
    return document.device_id, key


def normalise_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def _code_key(code: str, kdf: _CodeKdf) -> bytes:
    return hash_secret_raw(
        secret=normalise_code(code).encode("utf-8"),
        salt=_unb64(kdf.salt),
        time_cost=kdf.time_cost,
        memory_cost=kdf.memory_cost_kib,
        parallelism=kdf.parallelism,
        hash_len=32,
        type=Type.ID,
    )


def _public_raw(text: str) -> bytes:
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise EscrowError("not a base64 public key") from None
    if len(raw) != 32:
        raise EscrowError("an X25519 public key has 32 bytes")
    return raw


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise ValueError("not base64") from None
