"""The server's access-log export neutralises formulas (issue 15, item 6).

An entry's text fields come from a laptop: one forged to read ``=HYPERLINK(...)`` must
reach the administrator's spreadsheet as text, through the real
``passerelle-server audit export`` against a real server database (SQLite and
PostgreSQL).
"""

from __future__ import annotations

import csv
import uuid
from datetime import UTC, datetime
from pathlib import Path

from server.core.tables import AccessLogCopy
from tests.server.harness import RunningServer

FORMULA = '=HYPERLINK("http://x.invalid","ok")'


def test_a_formula_in_an_entry_stays_text(server: RunningServer, tmp_path: Path) -> None:
    chain = uuid.uuid4()
    with server.database.session() as session:
        session.add(
            AccessLogCopy(
                device_id=chain,
                seq=1,
                recorded_at=datetime(2026, 10, 1, 9, 0, tzinfo=UTC),
                staff_id=None,
                action="@SUM(1+1)",
                record_type=FORMULA[:64],
                record_id=None,
                case_id=None,
                prev_hash="0" * 64,
                hash="1" * 64,
                uploaded_by=uuid.uuid4(),
            )
        )
        session.commit()
    out = tmp_path / "log.csv"
    done = server.admin("audit", "export", "--device", str(chain), "--out", str(out))
    assert done.returncode == 0, done.stderr
    with open(out, encoding="utf-8", newline="") as file:
        rows = list(csv.reader(file))
    cells = {cell for row in rows[1:] for cell in row}
    assert "'" + FORMULA[:64] in cells and "'@SUM(1+1)" in cells
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
