"""``passerelle-server``: admin commands, TLS, workers; every error is one clear line."""

from __future__ import annotations

import datetime as dt
import ipaddress
import threading
import uuid
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from server import cli
from tests.server import factories
from tests.server.harness import PASSWORD, RunningServer, change, run_cli, start_server

PASSWORD_ENV = {"PASSERELLE_PASSWORD": PASSWORD}


def _one_line_error(result: object) -> str:
    stderr: str = result.stderr  # type: ignore[attr-defined]
    assert result.returncode != 0  # type: ignore[attr-defined]
    assert "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("passerelle-server: ")
    return lines[0]


def test_user_add_list_and_disable(server: RunningServer) -> None:
    name = f"amina-{uuid.uuid4().hex[:6]}"
    team = f"Oukacha {uuid.uuid4().hex[:6]}"
    added = server.admin(
        "user",
        "add",
        name,
        "--role",
        "supervisor",
        "--team",
        team,
        "--full-name",
        "Amina Tazi",
        "--facility",
        "Prison locale Oukacha",
        env=PASSWORD_ENV,
    )
    assert added.returncode == 0, added.stderr
    assert added.stdout.startswith(f"added user {name} (staff id ")
    assert PASSWORD not in added.stdout + added.stderr

    listed = server.admin("user", "list")
    row = next(line.split("\t") for line in listed.stdout.splitlines() if line.startswith(name))
    assert row[1:4] == ["supervisor", team, "active"]

    again = server.admin(
        "user", "add", name, "--role", "educator", "--team", team, env=PASSWORD_ENV
    )
    assert "already exists" in _one_line_error(again)

    assert server.admin("user", "disable", name).returncode == 0
    listed = server.admin("user", "list")
    assert f"{name}\tsupervisor\t{team}\tdisabled" in listed.stdout
    assert "no user" in _one_line_error(server.admin("user", "disable", "nobody-here"))


def test_user_add_needs_a_password(server: RunningServer) -> None:
    no_password = server.admin(
        "user",
        "add",
        "someone",
        "--role",
        "educator",
        "--team",
        "T",
        env={"PASSERELLE_PASSWORD": ""},
    )
    assert "PASSERELLE_PASSWORD" in _one_line_error(no_password)
    short = server.admin(
        "user",
        "add",
        "someone",
        "--role",
        "educator",
        "--team",
        "T",
        env={"PASSERELLE_PASSWORD": "short"},
    )
    assert "at least" in _one_line_error(short)


def test_device_list_and_revoke(server: RunningServer) -> None:
    account = server.add_user()
    laptop = server.enrol(account, "Bureau 12")

    listed = server.admin("device", "list")
    row = next(
        line.split("\t")
        for line in listed.stdout.splitlines()
        if line.startswith(str(laptop.device_id))
    )
    assert row[1:4] == [account.username, "Bureau 12", "active"]

    assert server.admin("device", "revoke", str(laptop.device_id), "--wipe").returncode == 0
    assert laptop.me().json()["code"] == "wipe"
    assert server.admin("device", "revoke", str(laptop.device_id), "--stolen").returncode == 0
    assert f"{laptop.device_id}\t{account.username}\tBureau 12\tstolen" in (
        server.admin("device", "list").stdout
    )
    assert server.admin("device", "revoke", str(laptop.device_id)).returncode == 0
    assert laptop.me().json()["code"] == "device_revoked"

    assert "no device" in _one_line_error(server.admin("device", "revoke", str(uuid.uuid4())))
    assert "not a device id" in _one_line_error(server.admin("device", "revoke", "laptop-3"))
    both = server.admin("device", "revoke", str(laptop.device_id), "--wipe", "--stolen")
    assert both.returncode == 2  # argparse: not allowed together


def test_serve_refuses_plain_http_on_the_network(tmp_path: Path) -> None:
    refused = run_cli("serve", "--data-dir", str(tmp_path), "--host", "0.0.0.0", "--port", "1")
    message = _one_line_error(refused)
    assert "--tls-cert" in message and "--insecure-http" in message
    half = run_cli("serve", "--data-dir", str(tmp_path), "--tls-cert", str(tmp_path / "c.pem"))
    assert "go together" in _one_line_error(half)


def test_a_bad_database_url_is_one_line(tmp_path: Path) -> None:
    for url in ("nonsense", "postgresql+psycopg://nobody:wrong@127.0.0.1:1/none"):
        result = run_cli("user", "list", "--data-dir", str(tmp_path), "--database-url", url)
        message = _one_line_error(result)
        assert "wrong" not in message  # never the password


def test_a_driver_we_do_not_ship_is_named_not_called_a_bad_url(tmp_path: Path) -> None:
    url = "postgresql+pg8000://nobody:wrong@127.0.0.1:1/none"
    result = run_cli("user", "list", "--data-dir", str(tmp_path), "--database-url", url)
    message = _one_line_error(result)
    assert "driver not installed (pg8000)" in message
    assert "invalid --database-url" not in message and "wrong" not in message


def test_a_broken_install_of_ours_is_not_blamed_on_the_url(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(_args: object) -> int:
        raise ModuleNotFoundError("No module named 'server.gone'", name="server.gone")

    monkeypatch.setitem(cli.COMMANDS, "user list", broken)
    assert cli.main(["user", "list"]) == cli.EXIT_ERROR
    message = capsys.readouterr().err.strip()
    assert message == "passerelle-server: unexpected error (ModuleNotFoundError): please report it"


def test_serve_over_tls(tmp_path: Path) -> None:
    cert, key = _self_signed(tmp_path)
    with start_server(tmp_path, tls=(cert, key)) as server:
        assert server.url.startswith("https://")
        laptop = server.enrol(server.add_user())
        assert laptop.pull_page(0).status_code == 200
        try:
            plain = httpx.get(server.url.replace("https", "http") + "/health", timeout=5)
            assert plain.status_code >= 400
        except httpx.TransportError:
            pass


def test_several_workers_share_one_sequence(tmp_path: Path, database_url: str | None) -> None:
    with start_server(tmp_path, database_url, extra_args=["--workers", "3"]) as server:
        account = server.add_user()
        laptops = [server.enrol(account, f"laptop {n}") for n in range(4)]
        ids: list[list[uuid.UUID]] = [[uuid.uuid4() for _ in range(15)] for _ in laptops]

        def push_all(n: int) -> None:
            for record_id in ids[n]:
                [result] = laptops[n].push(change("partner", record_id, factories.partner()))
                assert result["status"] == "applied"

        threads = [threading.Thread(target=push_all, args=(n,)) for n in range(len(laptops))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        pulled = laptops[0].pull(0, limit=7)
        expected = {str(i) for batch in ids for i in batch}
        assert expected <= {rid for (_t, rid) in pulled.records}
        seqs = [r["seq"] for r in pulled.records.values()]
        assert len(seqs) == len(set(seqs))


def _self_signed(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "passerelle-test")])
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
