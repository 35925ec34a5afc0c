"""Schemathesis against the real server's OpenAPI schema: no 500, no schema violation.

Every operation of ``/openapi.json`` is called with data generated from the schema,
valid (positive) and invalid (negative), authenticated as an enrolled laptop, against a
real ``passerelle-server serve`` process. Each response must: not be a 5xx, have a
status code and content type the schema documents, match the documented body schema,
and (for invalid input) be a 4xx. Bounded: ``EXAMPLES`` per operation and mode, so
the whole module stays well under a minute on CI.

Stateful testing: FastAPI publishes no OpenAPI links between operations, so there is
nothing for a state machine to follow; the sequences that matter (push then pull, the
other user's records, rotation then use) are written out in ``test_cross_user.py`` and
``test_hardening.py``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app.store.escrow import generate_recovery_key, public_key_text
from server.services import escrow
from tests.server import factories
from tests.server.harness import HEADERS, RunningServer, change, start_server

EXAMPLES = 40
CHECKS = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningServer, str]]:
    """A server with one enrolled laptop holding a case (so pulls return real records)."""
    running = start_server(tmp_path_factory.mktemp("schemathesis"))
    try:
        account = running.add_user()
        laptop = running.enrol(account)
        with running.database.session() as session:  # so escrow uploads are really handled
            escrow.set_recovery_key(session, public_key_text(generate_recovery_key()))
        case_id = uuid.uuid4()
        laptop.push(change("beneficiary", case_id, factories.beneficiary(account.team_id)))
        yield running, laptop.token
    finally:
        running.stop()
    log = running.log()
    assert "Traceback" not in log
    assert " 500 " not in log, log


def _operations(server: RunningServer) -> list[Any]:
    schema = schemathesis.openapi.from_url(f"{server.url}/openapi.json", headers=HEADERS)
    return [result.ok() for result in schema.get_all_operations()]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=str)
def test_every_operation_answers_within_its_schema(
    api: tuple[RunningServer, str], mode: GenerationMode
) -> None:
    server, token = api
    headers = {**HEADERS, "Authorization": f"Bearer {token}"}
    checks = CHECKS + ([negative_data_rejection] if mode is GenerationMode.NEGATIVE else [])
    operations = _operations(server)
    assert {op.path for op in operations} >= {
        "/api/v1/enrol", "/api/v1/push", "/api/v1/pull", "/api/v1/policy",
        "/api/v1/escrow", "/api/v1/token/rotate",
    }  # fmt: skip
    exercised: set[str] = set()
    for operation in operations:
        if operation.path == "/api/v1/token/rotate":
            continue  # rotating the fuzzer's own token: covered in test_hardening.py

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(generation_mode=mode))
        def call(case: Any) -> None:
            response = case.call(base_url=server.url, headers=headers, timeout=30)
            case.validate_response(response, checks=checks, headers=headers)

        try:
            call()
        except Unsatisfiable:
            assert mode is GenerationMode.NEGATIVE  # no parameter, no body: nothing to spoil
            continue
        exercised.add(operation.path)
    assert exercised >= {"/api/v1/enrol", "/api/v1/push", "/api/v1/pull", "/api/v1/escrow"}


def test_the_schema_documents_every_error_status(api: tuple[RunningServer, str]) -> None:
    """401/422 and friends are in the schema, so clients (and Schemathesis) know them."""
    server, _token = api
    for operation in _operations(server):
        if operation.path.startswith("/api/v1/"):
            statuses = set(operation.definition.raw.get("responses", {}))
            assert {"401", "422"} <= statuses or operation.path == "/api/v1/enrol", (
                operation.path,
                statuses,
            )


def test_schema_is_served_without_docs_pages(api: tuple[RunningServer, str]) -> None:
    server, _token = api
    with server.http() as client:
        assert client.get("/docs").status_code == 404
        assert client.get("/redoc").status_code == 404
