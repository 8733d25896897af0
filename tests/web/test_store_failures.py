"""When the store fails: /health tells an outage (503 JSON) from a defect, and server errors
say what failed in words with an incident id, never the SQL (answer and audit log alike)."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import select, text

from sdmxnode.app import create_app
from sdmxnode.services.access import create_token
from sdmxnode.storage.engine import create_store_engine
from sdmxnode.storage.tables import node_health
from tests.conftest import PROJECT_ROOT, initialise_from_template

pytestmark = pytest.mark.postgres

DEMO = PROJECT_ROOT / "fixtures" / "data" / "IMDX-DF_MIG_STOCK_IMS-1.0.0.xml"
SQL_WORDS = re.compile(r"\b(INSERT|SELECT|UPDATE|DELETE FROM|VALUES|sqlite3|psycopg)\b", re.I)


def test_health_answers_and_deep_health_commits_a_write(app: Flask) -> None:
    client = app.test_client()
    plain = client.get("/health")
    assert plain.status_code == 200
    assert plain.json["status"] == "ok" and "write" not in plain.json
    deep = client.get("/health?deep=1")
    assert deep.status_code == 200
    assert deep.json["write"] == "ok"
    with app.extensions["sdmxnode"].store.engine.connect() as conn:
        assert conn.execute(select(node_health.c.checked)).scalar_one() is not None


def test_health_is_503_json_when_the_database_cannot_be_reached(app: Flask) -> None:
    store = app.extensions["sdmxnode"].store
    working = store.engine
    store.engine = create_store_engine("postgresql+psycopg://nobody:x@127.0.0.1:1/nothing")
    try:
        answer = app.test_client().get("/health")
    finally:
        store.engine.dispose()
        store.engine = working
    assert answer.status_code == 503
    assert answer.headers["Content-Type"].startswith("application/json")
    assert answer.json["status"] == "unavailable"
    assert "cannot be reached" in answer.json["detail"]
    assert "incident" in answer.json["detail"]
    assert "127.0.0.1" not in answer.get_data(as_text=True)


@pytest.fixture
def broken_data_app(database_url: str) -> Iterator[Flask]:
    """A node with the migration structures whose observations table has gone missing."""
    application = create_app({"DATABASE_URL": database_url, "DEMO_DATA": "", "TESTING": True})
    node = application.extensions["sdmxnode"]
    initialise_from_template(node)
    cascade = " CASCADE" if node.store.dialect_name == "postgresql" else ""
    with node.store.engine.begin() as conn:
        conn.execute(text(f"DROP TABLE observations{cascade}"))
    yield application
    node.store.engine.dispose()


def test_a_server_error_says_what_failed_with_an_incident_and_no_sql(
    broken_data_app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    node = broken_data_app.extensions["sdmxnode"]
    token = create_token(node, role="admin")
    with caplog.at_level(logging.ERROR):
        answer = broken_data_app.test_client().post(
            "/rest/data/IMDX,DF_MIG_STOCK_IMS,1.0.0",
            data=DEMO.read_bytes(),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/xml"},
        )
    body = answer.get_data(as_text=True)
    assert answer.status_code == 500, body[:500]
    assert "the node could not" in body  # what failed, in words
    incident = re.search(r"incident ([0-9a-f]{12})", body)
    assert incident, body
    assert not SQL_WORDS.search(body), body
    assert "observations" not in body
    entry = next(e for e in node.access.list_audit(limit=10) if e.action == "data.post")
    assert entry.status == 500 and entry.outcome == "failed"
    assert incident.group(1) in entry.detail
    assert not SQL_WORDS.search(entry.detail), entry.detail
    logged = [r for r in caplog.records if incident.group(1) in r.getMessage()]
    assert any("observations" in r.getMessage() for r in logged)  # the details: log only
