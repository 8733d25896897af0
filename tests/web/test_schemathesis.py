"""schemathesis against the node, in process (WSGI): (a) the node's own /openapi.json,
(b) the official SDMX-REST 1.5 OpenAPI file. Bounded: few examples per operation, a fixed
seed, derandomized, a deadline; no 5xx, and answers that keep to what is declared."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import pytest
import yaml
from flask import Flask
from hypothesis import HealthCheck, Phase, given, seed, settings

from tests.conftest import SHARED

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis (PyPI) is not installed")

from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.core.failures import FailureGroup  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

OFFICIAL_1_5 = SHARED / "specs" / "sdmx-rest" / "v1.5.0" / "v2_1" / "ws" / "rest" / "src"
MAX_EXAMPLES = 8
SEED = 20240606
DEADLINE_MS = 5000
#: Our own description declares every status and body the node gives, so all checks apply.
OWN_CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
#: The official 1.5 file: its 200 responses list SDMX media types only as strings and its
#: error responses no bodies, but it also lists only some formats (no SDMX-ML 3.0, no
#: SDMX-CSV 2.0) and none of the node's documented choices (e.g. 406 offered lists), so
#: content type and schema conformance would flag legitimate answers. What must hold
#: there is: no 5xx, and a status code the standard declares for the operation.
OFFICIAL_CHECKS = [not_a_server_error, status_code_conformance]


def _is_run(operation: object, writes: bool = False) -> bool:
    """Reads (and POST /validate) in the read run; the authenticated operations (writes and
    GET /audit) in the write run, which sends an admin token."""
    method, path = operation.method.upper(), operation.path  # type: ignore[attr-defined]
    if operation.definition.raw.get("security"):  # type: ignore[attr-defined]
        return writes
    return not writes and (method == "GET" or (method, path) == ("POST", "/validate"))


def _check_operation(
    operation: object, checks: list[Callable], headers: dict[str, str]
) -> tuple[int, list[str]]:
    """Run one operation's bounded examples; the number of requests and the failures
    (the first one only: it is reproducible, the run being derandomized)."""
    declared = set(operation.definition.raw.get("responses", {}))  # type: ignore[attr-defined]
    found: list[str] = []
    calls = 0

    @seed(SEED)
    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        deadline=DEADLINE_MS,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())  # type: ignore[attr-defined]
    def run(case) -> None:  # type: ignore[no-untyped-def]
        nonlocal calls
        if found:
            return
        calls += 1
        # schemathesis sends Accept-Encoding: gzip and its WSGI transport does not decode it.
        response = case.call(headers={"Accept-Encoding": "identity", **headers})
        wanted = checks
        if response.status_code == 501 and "501" in declared:
            # 501 is the standard's answer for what a node does not implement (1.5 section
            # 4.7, 2.x status.md), declared for the operation: not a crash.
            wanted = [check for check in checks if check is not not_a_server_error]
        try:
            case.validate_response(response, checks=wanted)
        except FailureGroup as exc:
            found.append(f"{case.operation.label}: {case.as_curl_command()}\n{exc}")

    run()
    return calls, found


def _check_operations(
    schema: object, checks: list[Callable], *, token: str | None = None
) -> tuple[int, list[str]]:
    """Every operation that is run (see _is_run): total requests and failures."""
    total, failures = 0, []
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    for result in schema.get_all_operations():  # type: ignore[attr-defined]
        operation = result.ok()
        if _is_run(operation, writes=token is not None):
            calls, found = _check_operation(operation, checks, headers)
            total += calls
            failures.extend(found)
    return total, failures


def _report(failures: Iterable[str]) -> str:
    return "\n\n".join(failures)


def test_own_description_holds(migration_app: Flask) -> None:
    schema = schemathesis.openapi.from_wsgi("/openapi.json", migration_app)
    calls, failures = _check_operations(schema, OWN_CHECKS)
    assert calls > 0
    assert failures == [], _report(failures)


def test_own_description_holds_for_authenticated_writes(database_url: str) -> None:
    """The writes and GET /audit with an admin token, on a node of its own (the generated
    requests may change what it stores)."""
    from sdmxnode.app import create_app
    from sdmxnode.services.access import create_token
    from tests.conftest import initialise_from_template

    app = create_app({"DATABASE_URL": database_url, "TESTING": True, "DEMO_DATA": ""})
    node = app.extensions["sdmxnode"]
    initialise_from_template(node)
    try:
        schema = schemathesis.openapi.from_wsgi("/openapi.json", app)
        calls, failures = _check_operations(
            schema, OWN_CHECKS, token=create_token(node, role="admin")
        )
    finally:
        node.store.engine.dispose()
    assert calls > 0
    assert failures == [], _report(failures)


@pytest.mark.corpus
def test_official_1_5_description_holds(migration_app: Flask) -> None:
    spec_file = OFFICIAL_1_5 / "sdmx-rest.yaml"
    if not spec_file.is_file():
        pytest.skip(f"../shared/specs is absent ({spec_file}): official OpenAPI file not available")
    raw = yaml.safe_load(Path(spec_file).read_text(encoding="utf-8"))
    # The file's VTL scheme operations refer to a `510` response it never defines; supply
    # it in memory (SDMX 510 "response size exceeds service limit") so they can be run.
    raw["components"]["responses"].setdefault("510", {"description": "Response too large"})
    schema = schemathesis.openapi.from_dict(raw)
    schema.app = migration_app
    schema.config.update(base_url="http://localhost/rest")
    calls, failures = _check_operations(schema, OFFICIAL_CHECKS)
    assert calls > 0
    assert failures == [], _report(failures)
