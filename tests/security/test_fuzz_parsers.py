"""Property-based fuzzing of every parser of outside input: a clear domain error, always.

Inputs come from servers (pull pages, policies), from laptops (push bodies, escrow
uploads), from people (instrument files, spreadsheets to import, backups, recovery
files, a profile header found on disk). Whatever arrives, each parser either accepts it
or raises its documented error (``WireError``, ``SyncError``, ``InstrumentError``,
``StoreError``, ``ServiceError``), and the server answers a 4xx ``ErrorBody``: never an
unexpected exception type, never a 500.
"""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from app.instruments.loader import InstrumentError, builtin_instruments_dir, parse_instrument
from app.services.context import ServiceContext
from app.services.errors import ServiceError
from app.services.import_rows import read_table
from app.services.importer import import_beneficiaries
from app.store import backup
from app.store.errors import RecoveryFailed, StoreError
from app.store.escrow import open_recovery_file
from app.store.header import parse_header
from app.sync.client import SyncClient
from app.sync.decode import stored_values
from app.sync.errors import SyncError
from app.sync.records import SYNCED_TYPES, WireError
from app.sync.security import fetch_policy
from passerelle_core.protocol import PROTOCOL_HEADER
from server.api.app import create_app
from server.core.db import Database
from server.core.settings import ServerSettings
from server.services import accounts
from server.services.passwords import Passwords
from tests.server import factories
from tests.server.harness import FAST_HASHING, change

FUZZ = settings(
    max_examples=60,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40)
)
JSON = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)


def _mutations(valid: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """A valid object with some keys replaced by anything, removed, or added."""
    keys = sorted(valid)
    return st.builds(
        lambda replaced, removed, added: {
            **{k: v for k, v in valid.items() if k not in removed},
            **replaced,
            **added,
        },
        st.dictionaries(st.sampled_from(keys), JSON, max_size=3),
        st.sets(st.sampled_from(keys), max_size=2),
        st.dictionaries(st.text(max_size=10), JSON, max_size=2),
    )


# -- the server: push, pull and escrow bodies ---------------------------------------------


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, uuid.UUID]]:
    settings_ = ServerSettings(
        data_dir=tmp_path_factory.mktemp("fuzz-server"),
        rate_limit_per_minute=10**7,
        rate_limit_burst=10**6,
        **FAST_HASHING,
    )
    database = Database(settings_)
    database.migrate()
    with database.session() as session:
        info = accounts.add_user(
            session,
            accounts.NewUser("fuzzer", "fuzzer-password-1", "social_worker", "Fuzz team"),
            Passwords.from_settings(settings_),
        )
    database.dispose()
    with TestClient(create_app(settings_), raise_server_exceptions=True) as client:
        client.headers[PROTOCOL_HEADER] = "1"
        enrolled = client.post(
            "/api/v1/enrol",
            json={"username": "fuzzer", "password": "fuzzer-password-1", "device_name": "f"},
        )
        assert enrolled.status_code == 200, enrolled.text
        client.headers["Authorization"] = f"Bearer {enrolled.json()['device_token']}"
        assert info.team_id is not None
        yield client, info.team_id


def _is_clear_refusal_or_success(response: httpx.Response) -> None:
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        body = response.json()
        assert set(body) >= {"code", "message"}
        assert "Traceback" not in response.text


@FUZZ
@given(body=JSON)
def test_push_any_json_body(api: tuple[TestClient, uuid.UUID], body: Any) -> None:
    client, _team = api
    _is_clear_refusal_or_success(client.post("/api/v1/push", json=body))


@FUZZ
@given(raw=st.binary(max_size=300))
def test_push_any_bytes(api: tuple[TestClient, uuid.UUID], raw: bytes) -> None:
    client, _team = api
    response = client.post(
        "/api/v1/push", content=raw, headers={"Content-Type": "application/json"}
    )
    _is_clear_refusal_or_success(response)


@FUZZ
@given(data=st.data())
def test_push_mutated_changes(api: tuple[TestClient, uuid.UUID], data: st.DataObject) -> None:
    client, team = api
    record_type = data.draw(st.sampled_from(["beneficiary", "partner", "action_plan"]))
    record = {
        "beneficiary": factories.beneficiary(team),
        "partner": factories.partner(),
        "action_plan": factories.action_plan(uuid.uuid4()),
    }[record_type]
    fields = data.draw(_mutations(record))
    envelope = data.draw(_mutations(change(record_type, uuid.uuid4(), fields)))
    response = client.post("/api/v1/push", json={"changes": [envelope]})
    _is_clear_refusal_or_success(response)
    if response.status_code == 200:
        [result] = response.json()["results"]
        assert result["status"] in {"applied", "merged", "conflict", "duplicate", "rejected"}


@FUZZ
@given(params=st.dictionaries(st.sampled_from(["cursor", "limit", "x"]), st.text(max_size=25)))
def test_pull_any_query(api: tuple[TestClient, uuid.UUID], params: dict[str, str]) -> None:
    client, _team = api
    _is_clear_refusal_or_success(client.get("/api/v1/pull", params=params))


@FUZZ
@given(body=JSON)
def test_escrow_any_body(api: tuple[TestClient, uuid.UUID], body: Any) -> None:
    client, _team = api
    _is_clear_refusal_or_success(client.put("/api/v1/escrow", json=body))


# -- the client: pulled records and server replies ----------------------------------------


@FUZZ
@given(
    record_type=st.sampled_from(sorted(SYNCED_TYPES)),
    data=st.dictionaries(st.text(max_size=20), JSON, max_size=6),
)
def test_decode_pulled_records(record_type: str, data: dict[str, Any]) -> None:
    try:
        stored_values(record_type, data)
    except WireError:
        pass


@FUZZ
@given(
    data=st.data(),
    record_type=st.sampled_from(["beneficiary", "follow_up_session", "action_plan"]),
)
def test_decode_mutated_records(data: st.DataObject, record_type: str) -> None:
    record = {
        "beneficiary": factories.beneficiary(uuid.uuid4()),
        "follow_up_session": factories.follow_up_session(uuid.uuid4()),
        "action_plan": factories.action_plan(uuid.uuid4()),
    }[record_type]
    try:
        stored_values(record_type, data.draw(_mutations(record)))
    except WireError:
        pass


@FUZZ
@given(
    status=st.sampled_from([200, 201, 204, 301, 400, 401, 403, 404, 413, 422, 426, 429, 500, 503]),
    body=st.binary(max_size=200) | JSON.map(lambda v: json.dumps(v).encode()),
    path=st.sampled_from(["pull", "push", "policy", "enrol"]),
)
def test_client_reads_any_server_reply(status: int, body: bytes, path: str) -> None:
    client = SyncClient("http://127.0.0.1:9", token="t" * 43)
    client._http = httpx.Client(
        base_url="http://127.0.0.1:9",
        transport=httpx.MockTransport(lambda _request: httpx.Response(status, content=body)),
    )
    with client:
        try:
            if path == "pull":
                client.pull(0)
            elif path == "push":
                client.push([])
            elif path == "policy":
                fetch_policy(client)
            else:
                client.enrol("u", "p", "d")
        except SyncError:
            pass


# -- files people bring: instruments, headers, recovery files, backups, imports ----------


def _builtin_instrument() -> dict[str, Any]:
    path = sorted(builtin_instruments_dir().glob("*.yaml"))[0]
    loaded: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return loaded


@FUZZ
@given(text=st.text(max_size=400))
def test_instrument_any_text(text: str) -> None:
    try:
        parse_instrument(text, "fuzz.yaml")
    except InstrumentError:
        pass


@FUZZ
@given(data=st.data())
def test_instrument_mutated(data: st.DataObject) -> None:
    instrument = _builtin_instrument()
    mutated = data.draw(_mutations(instrument))
    domains = instrument.get("domains")
    if isinstance(domains, list) and domains and data.draw(st.booleans()):
        first = data.draw(_mutations(domains[0]))
        mutated["domains"] = [first, *domains[1:]]
    try:
        parse_instrument(yaml.safe_dump(mutated, allow_unicode=True), "fuzz.yaml")
    except InstrumentError:
        pass


@FUZZ
@given(raw=st.binary(max_size=300) | JSON.map(lambda v: json.dumps(v).encode()))
def test_profile_header_any_bytes(raw: bytes) -> None:
    try:
        parse_header(raw)
    except StoreError:
        pass


@FUZZ
@given(raw=st.binary(max_size=300) | JSON.map(lambda v: json.dumps(v).encode()))
def test_recovery_file_any_bytes(raw: bytes) -> None:
    with pytest.raises(RecoveryFailed):
        open_recovery_file(raw, "AAAAA-BBBBB-CCCCC-DDDDD")


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


MEMBER_NAMES = st.sampled_from(
    ["manifest.json", "profile.json", "cases-0123456789ab.db", "../escape.db", "x"]
)


@FUZZ
@given(
    archive=st.binary(max_size=300)
    | st.dictionaries(
        MEMBER_NAMES, st.binary(max_size=100) | JSON.map(lambda v: json.dumps(v).encode())
    ).map(_zip)
)
def test_backup_any_file(tmp_path_factory: pytest.TempPathFactory, archive: bytes) -> None:
    folder = tmp_path_factory.mktemp("restore")
    path = folder / "backup.zip"
    path.write_bytes(archive)
    try:
        backup.restore(path, folder / "profile", "correct horse battery")
    except StoreError:
        pass
    assert not (folder / "profile").exists() or not any((folder / "profile").iterdir())


@FUZZ
@given(raw=st.binary(max_size=400), suffix=st.sampled_from([".csv", ".xlsx"]))
def test_import_any_bytes(
    tmp_path_factory: pytest.TempPathFactory, raw: bytes, suffix: str
) -> None:
    path = tmp_path_factory.mktemp("import") / f"people{suffix}"
    path.write_bytes(raw)
    try:
        read_table(path)
    except ServiceError:
        pass


CSV_CELLS = st.text(alphabet=st.characters(codec="utf-8"), max_size=15)


@FUZZ
@given(
    header=st.lists(
        st.sampled_from(["last_name", "first_name", "cin", "birth_date", "sex", "facility", "?"]),
        min_size=1,
        max_size=6,
    ),
    rows=st.lists(st.lists(CSV_CELLS, max_size=7), max_size=4),
    delimiter=st.sampled_from([",", ";", "\t"]),
)
def test_import_any_table(
    ctx: ServiceContext, tmp_path: Path, header: list[str], rows: list[list[str]], delimiter: str
) -> None:
    text = "\n".join(delimiter.join(cells) for cells in [header, *rows])
    assume("\x00" not in text)
    path = tmp_path / f"table-{uuid.uuid4().hex}.csv"
    path.write_text(text, encoding="utf-8")
    try:
        import_beneficiaries(ctx, path, dry_run=True)
    except ServiceError:
        pass
