"""Conventions every command keeps, checked by walking both parsers (new commands included).

Each subcommand of ``passerelle`` and ``passerelle-server`` is run with a bad argument
and with none: one line on stderr, in the user's language, exit code 2, no traceback.
Every option has help text. These run in-process (the parsers are the real ones); a few
checks run the real console entry in a subprocess.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
from collections.abc import Iterator

import pytest

from app import i18n
from app.cli import main as passerelle_main
from app.cli.parser import build_parser as client_parser
from server.cli import build_parser as server_parser
from server.cli import main as server_main

ENGLISH_ARGPARSE = ("the following arguments", "invalid choice", "unrecognized", "expected one")


def leaves(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    """Every runnable command as (words after the program name, its parser)."""
    subparsers = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subparsers:
        yield path, parser
        return
    for name, child in subparsers[0].choices.items():
        yield from leaves(child, (*path, name))


CLIENT = sorted(path for path, _parser in leaves(client_parser()))
SERVER = sorted(path for path, _parser in leaves(server_parser()))


def test_the_walk_finds_every_command() -> None:
    assert ("init",) in CLIENT and ("audit", "export") in CLIENT and ("report", "plan") in CLIENT
    assert ("user", "unlock") in SERVER and ("device", "list") in SERVER
    assert len(CLIENT) >= 20 and len(SERVER) >= 15


@pytest.mark.parametrize("build", [client_parser, server_parser], ids=["passerelle", "server"])
def test_every_option_has_help(build: object) -> None:
    missing = []
    for path, parser in leaves(build()):  # type: ignore[operator]
        for action in parser._actions:
            hidden = action.help == argparse.SUPPRESS
            if action.option_strings == ["--exit-when-shown"] and hidden:
                continue  # a test hook, deliberately hidden
            if not action.help or hidden:
                missing.append(f"{' '.join(path)} {action.option_strings or action.dest}")
    assert missing == []


def _run(main: object, argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    try:
        code = main(argv)  # type: ignore[operator]
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else 1
    finally:
        i18n.set_language("en")
    return code, capsys.readouterr().err


@pytest.mark.parametrize("words", CLIENT, ids=" ".join)
def test_client_usage_errors_are_one_translated_line(
    words: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    for bad in (["--no-such-option"], ["--no-such-option", "--lang", "x"]):
        code, err = _run(passerelle_main, [*words, *bad], capsys)
        _assert_usage_line(code, err, "passerelle: ")
        assert not any(english in err for english in ENGLISH_ARGPARSE), err
    code, err = _run(passerelle_main, ["--lang", "ar", *words, "--no-such-option"], capsys)
    _assert_usage_line(code, err, "passerelle: ")
    assert "المعطيات التالية إلزامية" in err or "معطيات غير معروفة" in err, err


@pytest.mark.parametrize("words", SERVER, ids=" ".join)
def test_server_usage_errors_are_one_line(
    words: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = _run(server_main, [*words, "--no-such-option"], capsys)
    _assert_usage_line(code, err, "passerelle-server: ")
    assert "arguments" in err


def test_missing_and_malformed_values_are_named(capsys: pytest.CaptureFixture[str]) -> None:
    code, err = _run(passerelle_main, ["search", "--profile", "p", "x", "--limit", "ten"], capsys)
    _assert_usage_line(code, err, "passerelle: ")
    assert "ten n'est pas un nombre entier" in err
    code, err = _run(passerelle_main, ["conflicts", "--profile", "p", "--resolve", "12"], capsys)
    assert "n'est pas un identifiant" in err
    code, err = _run(passerelle_main, ["backup"], capsys)
    _assert_usage_line(code, err, "passerelle: ")
    assert "arguments obligatoires manquants\u00a0: --profile, --out" in err
    code, err = _run(server_main, ["serve", "--port", "http"], capsys)
    _assert_usage_line(code, err, "passerelle-server: ")
    assert "'http' is not a whole number" in err


def _assert_usage_line(code: int, err: str, prefix: str) -> None:
    assert code == 2, err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(prefix), err


def _subprocess(module: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PASSERELLE_")}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        capture_output=True,
        text=True,
        env=environment,
        stdin=subprocess.DEVNULL,
        timeout=120,
        check=False,
    )


def test_a_bad_server_setting_is_one_line_naming_the_variable(tmp_path: object) -> None:
    result = _subprocess(
        "server",
        "user",
        "list",
        "--data-dir",
        str(tmp_path),
        PASSERELLE_SERVER_LOGIN_WINDOW_SECONDS="15m",
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("passerelle-server: invalid setting ")
    assert "PASSERELLE_SERVER_LOGIN_WINDOW_SECONDS" in lines[0]


def test_the_real_entry_point_speaks_french_by_default() -> None:
    result = _subprocess("app", "export", "--profile", "p", "--what", "everything", "--out", "x")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "choix invalide\u00a0: 'everything'" in result.stderr
    assert result.stdout == ""


def test_system_errors_are_in_the_users_language(tmp_path: object) -> None:
    result = _subprocess(
        "app",
        "restore",
        "--profile",
        f"{tmp_path}/p",
        f"{tmp_path}/none.zip",
        PASSERELLE_PASSPHRASE="une phrase secrète",
    )
    assert result.returncode == 1
    assert "No such file" not in result.stderr
    assert result.stderr.count("\n") == 1


def test_serve_on_a_busy_port_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code, err = _run(server_main, ["serve", "--port", str(port)], capsys)
    assert code == 1
    assert err.strip() == f"passerelle-server: cannot listen on 127.0.0.1:{port}: " + (
        "Address already in use"
    )
