"""README.md and docs/deployment.md followed literally, command by command, in order.

Every line of their ``sh`` blocks is either run here, on a fresh data folder (a real
server process, real profiles, a fresh PostgreSQL database), or skipped for a reason
listed in :data:`SKIPPED` (system packages, root-owned files, systemd, nginx). A line
the walk does not know fails the test: a new command in the docs is walked or its
skipping explained. ``passerelle-admin`` is the installed wrapper (it loads the
configuration file and runs ``passerelle-server``): it is run the same way here, with a
copy of installer/server/passerelle-server.env whose CHANGE-ME is filled in.
``systemctl start`` starts the unit's ExecStart line with that configuration.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest

from tests.server.harness import FAST_HASHING_ENV, free_port, postgres_admin_url

ROOT = Path(__file__).resolve().parent.parent
DOCS = (ROOT / "README.md", ROOT / "docs" / "deployment.md")
PASSWORD = "un mot de passe du serveur"
PASSPHRASE = "une phrase secrète du portable"

SKIPPED: dict[str, str] = {
    "make": "builds and launches the desktop application; CI runs `make test` itself",
    "apt-get": "system packages: this machine has its own",
    "adduser": "the system account: the test runs as the current user",
    "python3 -m venv": "the test uses this checkout's .venv",
    "/opt/passerelle-server/bin/pip": "the test uses this checkout's .venv",
    "pip install": "the server's install: tests/installer/test_server_install.py runs it "
    "in a fresh environment; the walk uses this checkout's .venv",
    "cryptsetup": "disk encryption of the server's volumes: no spare disk here",
    "mkfs": "disk encryption of the server's volumes: no spare disk here",
    "mount": "disk encryption of the server's volumes: no spare disk here",
    "age": "backup keys and decryption: done on the administrator's offline machine",
    "podman": "no container runtime runs here: tests/installer/test_container.py checks "
    "the image with hadolint",
    "runuser -u postgres -- createuser": "the test's PostgreSQL role exists already",
    "install": "root-owned files under /etc, /usr and /var: the test keeps its own copies",
    "ln -s": "nginx is not installed here",
    "nginx": "nginx is not installed here",
    "curl": "no nginx nor DNS here: the test asks /health of the server itself instead",
    "editor": "the test fills CHANGE-ME in its copy of the configuration file",
    "systemctl daemon-reload": "systemd is not used here: the test starts ExecStart itself",
    "journalctl": "no journal: the test reads the server's own output instead",
}
"""What the walk does not run, and why (matched against the start of the line)."""


KNOWN_ISSUES: dict[str, tuple[int, str]] = {}
"""Documented lines known to fail today: the exit code and the message expected. A line
that starts working fails the walk, so that it is taken off this list."""

GIVEN = {
    "beneficiaries.csv": "last_name,first_name,last_name_ar,first_name_ar,cin,"
    "registration_number,birth_date,sex,facility,legal_status,expected_release_date\n"
    "Berrada,Nadia,برادة,نادية,ZZ112233,E-1,1985-04-12,F,Prison locale Oukacha,"
    "sentenced,2027-02-01\n",
}
"""Files the docs assume the reader has (docs/import-format.md), in the walk's folder."""


@dataclass
class Walk:
    """The state a reader builds by following the docs."""

    home: Path
    config: Path
    database: str
    admin_url: str
    port: int = field(default_factory=free_port)
    readme_port: int = field(default_factory=free_port)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    dumps: list[Path] = field(default_factory=list)
    ran: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)

    def env(self, *, configuration: bool = False) -> dict[str, str]:
        environment = {
            k: v for k, v in os.environ.items() if not k.startswith(("PASSERELLE_", "XDG_"))
        }
        environment.update(
            HOME=str(self.home),
            PASSERELLE_PASSWORD=PASSWORD,
            PASSERELLE_PASSPHRASE=PASSPHRASE,
            **FAST_HASHING_ENV,
        )
        if configuration:  # what passerelle-admin and the unit do: `set -a; . env-file`
            for line in self.config.read_text(encoding="utf-8").splitlines():
                if line and not line.startswith("#") and "=" in line:
                    key, value = line.split("=", 1)
                    environment[key] = value
        return environment

    def pg(self, *words: str) -> list[str]:
        """A PostgreSQL client command against the test's server, as its owner role."""
        parts = urlsplit(self.admin_url.replace("+psycopg", ""))
        return [
            words[0],
            "--host",
            parts.hostname or "127.0.0.1",
            "--port",
            str(parts.port or 5432),
            "--username",
            parts.username or "postgres",
            *words[1:],
        ]

    def pg_env(self) -> dict[str, str]:
        return {**self.env(), "PGPASSWORD": urlsplit(self.admin_url).password or ""}


def sh_lines(path: Path) -> Iterator[str]:
    """Each command line of the file's ``sh`` blocks, in order, continuation lines joined."""
    text = path.read_text(encoding="utf-8")
    for block in re.findall(r"```sh\n(.*?)```", text, flags=re.DOTALL):
        pending = ""
        for raw in block.splitlines():
            line = pending + raw.strip()
            if line.endswith("\\"):
                pending = line[:-1] + " "
                continue
            pending = ""
            if line and not line.startswith("#"):
                yield line


def words_of(line: str) -> list[str]:
    return shlex.split(line, comments=True)


def run(walk: Walk, argv: list[str], env: dict[str, str], line: str) -> str:
    result = subprocess.run(
        argv,
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=300,
        cwd=walk.home,  # where the reader's own files are (GIVEN)
    )
    known = next((v for k, v in KNOWN_ISSUES.items() if line.startswith(k)), None)
    if known is not None:
        assert result.returncode == known[0], f"fixed? take it off KNOWN_ISSUES: {line}"
        assert known[1] in result.stdout + result.stderr, result.stderr
        warnings.warn(f"known issue in the docs walk: {line}: {known[1]}", stacklevel=1)
    else:
        assert result.returncode == 0, f"{line}\n{result.stderr}"
    assert "Traceback" not in result.stderr
    walk.ran.append(line)
    return result.stdout


def start(walk: Walk, name: str, argv: list[str], env: dict[str, str], url: str) -> None:
    log = open(walk.home / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
    process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, env=env)
    walk.processes[name] = process
    for _attempt in range(240):
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        assert process.poll() is None, (walk.home / f"{name}.log").read_text()
        time.sleep(0.25)
    raise AssertionError(f"{name} did not answer")


def stop(walk: Walk, name: str) -> None:
    process = walk.processes.pop(name, None)
    if process is not None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def program(word: str) -> list[str]:
    """``.venv/bin/passerelle-server`` or ``passerelle``: this checkout's entry points."""
    name = Path(word).name
    module = {"passerelle": "app", "passerelle-server": "server", "passerelle-admin": "server"}
    return [sys.executable, "-m", module[name]]


def step(walk: Walk, line: str) -> None:
    """Run one documented line the way the docs mean it, or record why it is skipped."""
    for prefix, reason in SKIPPED.items():
        if line.startswith(prefix):
            walk.skipped.append((line, reason))
            return
    line = line.replace("$(date +\\%F)", "today")  # the cron line's date, for shlex
    words = [w.replace("~", str(walk.home)) if w.startswith("~") else w for w in words_of(line)]
    words = [w.replace("8400", str(walk.readme_port)) for w in words]
    if words[:3] == ["sudo", "-u", "passerelle"]:
        words = words[3:]
    head = words[0]
    if head.endswith("passerelle-server") and words[1:2] == ["serve"]:
        url = f"http://127.0.0.1:{walk.readme_port}"
        argv = [*program(head), *[w for w in words[1:] if w != "&"]]
        start(walk, "readme", argv, walk.env(), url)
        walk.ran.append(line)
    elif head == "passerelle-admin":
        args = [_placeholder(walk, w) for w in words[1:]]
        out = run(walk, [*program(head), *args], walk.env(configuration=True), line)
        _check_admin(walk, args, out)
    elif head.endswith(("passerelle", "passerelle-server")):
        run(walk, [*program(head), *words[1:]], walk.env(), line)
    elif head == "grep" and "CHANGE-ME" in words:
        assert "CHANGE-ME" not in walk.config.read_text(encoding="utf-8")
        walk.ran.append(line)
    elif head == "systemctl":
        _systemctl(walk, words, line)
    elif head == "runuser":
        _postgres(walk, words[words.index("--") + 1 :], line)
    elif re.match(r"^[\d*]+ [\d*]+ \* \* \* postgres ", line):  # the nightly dump's cron line
        _postgres(walk, words[6:], line)
    else:
        raise AssertionError(f"the docs walk does not know this line: {line!r}")


def _placeholder(walk: Walk, word: str) -> str:
    if word != "DEVICE_ID":
        return word
    listed = subprocess.run(
        [*program("passerelle-server"), "device", "list"],
        capture_output=True,
        text=True,
        env=walk.env(configuration=True),
        check=True,
    ).stdout.splitlines()
    assert len(listed) > 1, "no device to name: the walk enrols one after `user add`"
    return listed[1].split("\t")[0]


def _check_admin(walk: Walk, args: list[str], out: str) -> None:
    if args[:2] == ["user", "add"]:  # a laptop for DEVICE_ID below, as a user would enrol
        profile = walk.home / f"laptop-{args[2]}"
        url = f"http://127.0.0.1:{walk.port}"
        enrol = [*program("passerelle"), "enrol", "--profile", str(profile)]
        run(walk, [*enrol, "--server", url, "--user", args[2]], walk.env(), "(enrol a laptop)")
    if args[:2] == ["device", "list"] and "restored" in walk.ran:
        assert len(out.splitlines()) > 1, "the restored database lost its devices"


def _systemctl(walk: Walk, words: list[str], line: str) -> None:
    action = words[1]
    if action in ("stop",):
        stop(walk, "service")
    elif action in ("start", "enable", "restart"):
        stop(walk, "service")
        argv = [
            *program("passerelle-server"),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(walk.port),
            "--workers",
            "2",
        ]
        start(walk, "service", argv, walk.env(configuration=True), f"http://127.0.0.1:{walk.port}")
        log = (walk.home / "service.log").read_text(encoding="utf-8", errors="replace")
        assert "serving http://127.0.0.1" in log and "***" in log  # no password in the journal
    else:
        raise AssertionError(f"systemctl {action}: unknown to the walk")
    walk.ran.append(line)


def _postgres(walk: Walk, words: list[str], line: str) -> None:
    """``createdb``, ``dropdb``, ``pg_dump``, ``pg_restore`` on the walk's database.

    The role is the test's (also named ``passerelle``); the database ``passerelle`` is the
    walk's own, and the dump files are kept in the walk's folder.
    """
    tool, args = words[0], list(words[1:])
    if tool in ("createdb", "dropdb", "pg_dump") and args[-1] == "passerelle":
        args[-1] = walk.database
    for index, word in enumerate(args):
        if word.startswith("--dbname="):
            args[index] = f"--dbname={walk.database}"
        elif word.startswith("--file="):
            dump = walk.home / Path(word.split("=", 1)[1]).name
            walk.dumps.append(dump)
            args[index] = f"--file={dump}"
        elif word.endswith(".dump") and tool == "pg_restore":
            args[index] = str(walk.dumps[-1])  # /path/to/passerelle.dump: the latest dump
    run(walk, walk.pg(tool, *args), walk.pg_env(), line)
    if tool == "pg_restore":
        walk.ran.append("restored")


@pytest.fixture()
def walk(tmp_path: Path) -> Iterator[Walk]:
    admin_url = postgres_admin_url()
    database = f"walk_{os.getpid()}_{tmp_path.name[-6:]}".lower().replace("-", "_")
    parts = urlsplit(admin_url)
    service_url = urlunsplit(parts._replace(path=f"/{database}"))
    config = tmp_path / "passerelle-server.env"
    template = (ROOT / "installer" / "server" / "passerelle-server.env").read_text()
    assert "CHANGE-ME" in template
    lines = []
    for line in template.splitlines():  # what the operator's editor does
        if line.startswith("PASSERELLE_SERVER_DATABASE_URL="):
            line = f"PASSERELLE_SERVER_DATABASE_URL={service_url}"
        elif line.startswith("PASSERELLE_SERVER_DATA_DIR="):
            line = f"PASSERELLE_SERVER_DATA_DIR={tmp_path / 'var-lib'}"
        lines.append(line)
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for name, content in GIVEN.items():
        (tmp_path / name).write_text(content, encoding="utf-8")
    state = Walk(home=tmp_path, config=config, database=database, admin_url=admin_url)
    try:
        yield state
    finally:
        for name in list(state.processes):
            stop(state, name)
        subprocess.run(state.pg("dropdb", "--if-exists", database), env=state.pg_env(), check=False)


@pytest.mark.slow
def test_readme_and_deployment_guide_work_as_written(walk: Walk) -> None:
    for document in DOCS:
        for line in sh_lines(document):
            step(walk, line)
    assert any("enrol --profile ~/amina" in line for line in walk.ran)
    assert any(line.startswith("runuser -u postgres -- pg_restore") for line in walk.ran)
    assert "restored" in walk.ran
    sys.stdout.write("\nskipped lines, and why:\n")  # shown with -s, and on a failure
    for line, reason in walk.skipped:
        sys.stdout.write(f"  {line}\n    -> {reason}\n")
    assert {reason for _line, reason in walk.skipped} <= set(SKIPPED.values())
    _failed_enrolments_leave_nothing(walk)
    _demo_refuses_an_enrolled_profile(walk)


def _cli(walk: Walk, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*program("passerelle"), *args],
        capture_output=True,
        text=True,
        env={**walk.env(), **env},
        stdin=subprocess.DEVNULL,
        timeout=300,
        check=False,
    )


def _failed_enrolments_leave_nothing(walk: Walk) -> None:
    server = f"http://127.0.0.1:{walk.readme_port}"
    down = f"http://127.0.0.1:{free_port()}"
    cases = {
        "wrong password": (server, {"PASSERELLE_PASSWORD": "not the password at all"}),
        "bad address": ("ftp://sync.example.org", {}),
        "server down": (down, {}),
    }
    for name, (url, env) in cases.items():
        folder = walk.home / f"failed-{name.replace(' ', '-')}"
        result = _cli(
            walk, "enrol", "--profile", str(folder), "--server", url, "--user", "amina", **env
        )
        assert result.returncode == 1, (name, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert not folder.exists(), f"{name}: a profile was left behind"
        assert "next sync" not in result.stderr and "prochaine" not in result.stderr


def _demo_refuses_an_enrolled_profile(walk: Walk) -> None:
    result = _cli(walk, "demo", "--profile", str(walk.home / "amina"), "--beneficiaries", "5")
    assert result.returncode == 1
    assert "inscrit auprès d'un serveur" in result.stderr


def test_sh_blocks_are_found() -> None:
    lines = [line for document in DOCS for line in sh_lines(document)]
    assert any("passerelle-admin user unlock" in line for line in lines)
    assert shutil.which("pg_restore") is not None or pytest.skip("no PostgreSQL client tools")
