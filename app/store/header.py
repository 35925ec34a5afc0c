"""The plaintext header of a profile: how to find and unwrap the database key.

It holds the format version, the KDF parameters and salt, the wrapped key and the name
of the database file; never anything personal. It is replaced atomically (write a
temporary file, fsync, rename, fsync the folder), so a crash leaves either the old or
the new header in place, never a mix.

Format 2 adds the optional ``guard`` section (:mod:`app.store.guard`): the unlock
limits of a profile enrolled with a server. It is authenticated by its own MAC, not by
the wrapped key's associated data, so the limits change without re-wrapping the key;
the associated data stays that of format 1. A header without a guard is still
written as format 1, readable by older versions.
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from app.i18n import _
from app.store.errors import CorruptProfile, ProfileNotFound, UnsupportedProfile
from app.store.guard import UnlockGuard
from app.store.keys import KdfParams, derive_key, new_salt, unwrap_key, wrap_key
from passerelle_core.private import create_private_file

HEADER_NAME = "profile.json"
FORMAT_VERSION = 2
UNGUARDED_FORMAT = 1
AAD_FORMAT = 1  # the associated data of the wrapped key never changed since format 1


class KdfSection(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    algorithm: Literal["argon2id"] = "argon2id"
    time_cost: int
    memory_cost_kib: int
    parallelism: int
    salt: str

    @property
    def params(self) -> KdfParams:
        return KdfParams(self.time_cost, self.memory_cost_kib, self.parallelism)


class WrappedKey(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    algorithm: Literal["aes-256-gcm"] = "aes-256-gcm"
    nonce: str
    ciphertext: str


class ProfileHeader(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    format: Literal["passerelle-profile"] = "passerelle-profile"
    format_version: int = UNGUARDED_FORMAT
    database: str
    kdf: KdfSection
    wrapped_key: WrappedKey
    guard: UnlockGuard | None = None

    def with_guard(self, guard: UnlockGuard | None) -> ProfileHeader:
        """The same key material with another guard (the wrapped key is untouched)."""
        version = FORMAT_VERSION if guard is not None else UNGUARDED_FORMAT
        return self.model_copy(update={"guard": guard, "format_version": version})

    @classmethod
    def seal(
        cls, database_key: bytes, passphrase: str, params: KdfParams, database: str
    ) -> ProfileHeader:
        """A new header whose wrapped key opens with ``passphrase`` (fresh salt and nonce)."""
        salt = new_salt()
        kdf = KdfSection(
            time_cost=params.time_cost,
            memory_cost_kib=params.memory_cost_kib,
            parallelism=params.parallelism,
            salt=_b64(salt),
        )
        wrapping_key = derive_key(passphrase.encode(), salt, params)
        nonce, ciphertext = wrap_key(database_key, wrapping_key, _aad(database, kdf))
        return cls(
            database=database,
            kdf=kdf,
            wrapped_key=WrappedKey(nonce=_b64(nonce), ciphertext=_b64(ciphertext)),
        )

    def derive_wrapping_key(self, passphrase: str) -> bytes:
        """The slow part of unlocking (Argon2id), separate so it can be timed and run off-thread."""
        return derive_key(passphrase.encode(), _unb64(self.kdf.salt), self.kdf.params)

    def unwrap(self, wrapping_key: bytes) -> bytes:
        """The database key, or ``WrongPassphrase``."""
        return unwrap_key(
            _unb64(self.wrapped_key.nonce),
            _unb64(self.wrapped_key.ciphertext),
            wrapping_key,
            _aad(self.database, self.kdf),
        )

    def open_key(self, passphrase: str) -> bytes:
        return self.unwrap(self.derive_wrapping_key(passphrase))


def _aad(database: str, kdf: KdfSection) -> bytes:
    bound = {"format_version": AAD_FORMAT, "database": database, "kdf": kdf.model_dump()}
    return json.dumps(bound, sort_keys=True, separators=(",", ":")).encode()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def read_header(folder: Path) -> ProfileHeader:
    path = folder / HEADER_NAME
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ProfileNotFound(str(folder)) from None
    return parse_header(raw)


def parse_header(raw: bytes) -> ProfileHeader:
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise CorruptProfile(_("the profile header is not valid JSON")) from None
    if not isinstance(data, dict) or data.get("format") != "passerelle-profile":
        raise CorruptProfile(_("the profile header is not a Passerelle header"))
    version = data.get("format_version")
    if isinstance(version, int) and version > FORMAT_VERSION:
        raise UnsupportedProfile(version, FORMAT_VERSION)
    try:
        return ProfileHeader.model_validate(data)
    except ValidationError:
        raise CorruptProfile(_("the profile header is incomplete or malformed")) from None


def write_header(folder: Path, header: ProfileHeader) -> None:
    write_atomically(folder / HEADER_NAME, header_bytes(header))


def header_bytes(header: ProfileHeader) -> bytes:
    """The header as written to disk (an unguarded header keeps the format 1 layout)."""
    exclude = {"guard"} if header.guard is None else set()
    return header.model_dump_json(indent=2, exclude=exclude).encode()


def write_atomically(path: Path, data: bytes) -> None:
    """Replace ``path`` by ``data`` so that a crash leaves the old or the new content."""
    tmp = create_private_file(path.with_name(path.name + ".tmp"))
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    fsync_directory(path.parent)


def fsync_directory(folder: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
