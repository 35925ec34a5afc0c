"""``passerelle documents`` and ``passerelle transfer`` end to end, in subprocesses.

A counsellor attaches a PDF and a photo from the command line; after a sync a
colleague lists them (one a line, tab-separated) and extracts one: the copy is the
original byte for byte, the command warns that it is not encrypted, and a second
extract to the same file is refused (``--force`` replaces it). Then the team's
supervisor transfers the case to a counsellor of another team; the counsellor may not.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from app.services import beneficiaries, transfers
from tests.cli.test_cli import assert_one_line_error
from tests.cli.test_cli import passerelle as run
from tests.conftest import PASSPHRASE
from tests.documents.files import make_jpeg, make_pdf
from tests.server.harness import RunningServer
from tests.sync.conftest import Laptop

MakeLaptop = Callable[..., Laptop]


@pytest.fixture(scope="module")
def database_url() -> Iterator[None]:
    """SQLite only: the command line is the same whatever the server stores in."""
    yield None


def test_documents_and_transfer_from_the_command_line(
    server: RunningServer, laptop: MakeLaptop, tmp_path: Path
) -> None:
    supervisor = server.add_user("supervisor")
    counsellor = server.add_user("social_worker", team=supervisor.team)
    colleague = server.add_user("educator", team=supervisor.team)
    receiving = server.add_user("social_worker")
    mine, theirs = laptop(counsellor), laptop(colleague)
    case_id = beneficiaries.register(mine.ctx, {"last_name": "Tazi", "first_name": "Amina"}).id
    case = str(case_id)
    pdf = make_pdf(tmp_path / "jugement.pdf", 400_000, "JUGEMENT-CLI")
    make_jpeg(tmp_path / "photo.png.jpg", "PHOTO-CLI")

    attached = run(
        "documents", "--profile", mine.folder, "--beneficiary", case,
        "--attach", tmp_path / "jugement.pdf", "--type", "judicial",
        "--date", "2026-11-30", "--note", "Jugement du tribunal",
        passphrase=PASSPHRASE,
    )  # fmt: skip
    assert attached.returncode == 0, attached.stderr
    document_id = attached.stdout.strip().rsplit(" ", 1)[-1].rstrip(".")
    photo = run(
        "documents", "--profile", mine.folder, "--beneficiary", case,
        "--attach", tmp_path / "photo.png.jpg", "--type", "identity",
        passphrase=PASSPHRASE,
    )  # fmt: skip
    assert photo.returncode == 0, photo.stderr
    assert mine.sync().documents_sent == 2
    assert theirs.sync().documents_received == 2
    listed = run(
        "documents", "--profile", theirs.folder, "--beneficiary", case, passphrase=PASSPHRASE
    )
    assert listed.returncode == 0, listed.stderr
    lines = [line.split("\t") for line in listed.stdout.strip().splitlines()]
    assert len(lines) == 2
    by_id = {fields[0]: fields for fields in lines}
    assert by_id[document_id][1:7] == [
        "judicial",
        "2026-11-30",
        "application/pdf",
        str(len(pdf)),
        "held",
        "Jugement du tribunal",
    ]
    assert {fields[3] for fields in lines} == {"application/pdf", "image/jpeg"}

    out = tmp_path / "copie" / "jugement.pdf"
    extract = (
        "documents", "--profile", theirs.folder, "--beneficiary", case,
        "--extract", document_id, "--out", out,
    )  # fmt: skip
    written = run(*extract, passphrase=PASSPHRASE)
    assert written.returncode == 0, written.stderr
    assert out.read_bytes() == pdf
    assert "not encrypted" in written.stderr
    assert_one_line_error(run(*extract, passphrase=PASSPHRASE), "already exists")

    boss = laptop(supervisor)
    transfer = (
        "transfer", "--to-staff", receiving.username, case, "--reason", "Liberation a Tanger",
    )  # fmt: skip
    assert_one_line_error(
        run(transfer[0], "--profile", mine.folder, *transfer[1:], passphrase=PASSPHRASE),
        "Only a supervisor or an administrator can transfer",
    )
    moved = run(transfer[0], "--profile", boss.folder, *transfer[1:], passphrase=PASSPHRASE)
    assert moved.returncode == 0, moved.stderr
    assert "1 case transferred" in moved.stdout
    [entry] = transfers.history(boss.ctx, uuid.UUID(case))
    assert entry.to_staff_id == receiving.staff_id and entry.reason == "Liberation a Tanger"
