"""The transport: TLS verified (with the organisation's CA file), plain HTTP only on
loopback, every refusal a typed error with a message that carries no secret."""

from __future__ import annotations

import datetime as dt
import ipaddress
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from app.services import owner
from app.store.keys import KdfParams
from app.store.profile import Profile
from app.sync import engine
from app.sync.client import SyncClient, check_server_url
from app.sync.errors import (
    InsecureServer,
    OwnerMismatch,
    ServerUnavailable,
    Unauthorized,
    UntrustedServer,
)
from app.sync.outbox import is_enrolled
from passerelle_core.enums import StaffRole
from tests.conftest import PASSPHRASE
from tests.server.harness import RunningServer, free_port, start_server


@pytest.mark.parametrize(
    "url",
    [
        "https://sync.dgapr.example",
        "http://127.0.0.1:8000/",
        "http://localhost:8000",
        "http://[::1]:80",
    ],
)
def test_https_anywhere_and_http_only_on_loopback(url: str) -> None:
    assert not check_server_url(url).endswith("/")


@pytest.mark.parametrize(
    "url", ["http://sync.dgapr.example", "http://10.0.0.5:8000", "ftp://127.0.0.1", "sync"]
)
def test_plain_http_to_another_machine_is_refused(url: str) -> None:
    with pytest.raises(InsecureServer):
        check_server_url(url)


def test_no_server_listening_is_unavailable_not_a_crash() -> None:
    with SyncClient(f"http://127.0.0.1:{free_port()}", token="secret-token") as client:
        with pytest.raises(ServerUnavailable) as raised:
            client.pull(0)
    assert "secret-token" not in str(raised.value)


def test_a_wrong_password_is_refused_without_echoing_it(
    server: RunningServer, tmp_path: Path
) -> None:
    account = server.add_user()
    with Profile.create(tmp_path / "p", PASSPHRASE, KdfParams.fast_for_tests()) as profile:
        with pytest.raises(Unauthorized) as raised:
            engine.enrol(profile, server.url, account.username, "wrong-password-1", "laptop")
    assert "wrong-password-1" not in str(raised.value)


def test_tls_is_verified_and_the_organisation_ca_file_is_trusted(tmp_path: Path) -> None:
    cert, key = _self_signed(tmp_path)
    with start_server(tmp_path, tls=(cert, key)) as server:
        account = server.add_user()
        with Profile.create(tmp_path / "p", PASSPHRASE, KdfParams.fast_for_tests()) as profile:
            with pytest.raises(UntrustedServer):
                engine.enrol(profile, server.url, account.username, account.password, "l")
            engine.enrol(profile, server.url, account.username, account.password, "l", ca_file=cert)
            assert engine.sync(profile).received >= 1  # the CA file is kept for every sync


def _self_signed(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "passerelle-sync-test")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def test_a_profile_enrolled_by_someone_else_is_refused(
    server: RunningServer, tmp_path: Path
) -> None:
    first, second = server.add_user(), server.add_user()
    with Profile.create(tmp_path / "p", PASSPHRASE, KdfParams.fast_for_tests()) as profile:
        engine.enrol(profile, server.url, first.username, first.password, "laptop")
        with pytest.raises(OwnerMismatch):
            engine.enrol(profile, server.url, second.username, second.password, "laptop")
        actor = owner.load_actor(profile.sessions)
        assert actor is not None and actor.staff_id == first.staff_id
        assert is_enrolled(profile)


def test_an_offline_profile_is_adopted(server: RunningServer, tmp_path: Path) -> None:
    """Started with `passerelle init` before the account existed: the account adopts it."""
    account = server.add_user()
    with Profile.create(tmp_path / "p", PASSPHRASE, KdfParams.fast_for_tests()) as profile:
        owner.setup_owner(profile.sessions, "Offline Me", StaffRole.EDUCATOR, team_name="Mine")
        outcome = engine.enrol_with_outcome(
            profile, server.url, account.username, account.password, "laptop"
        )
        assert outcome.adopted
        actor = owner.load_actor(profile.sessions)
        assert actor is not None
        assert (actor.staff_id, actor.team_id) == (account.staff_id, account.team_id)
