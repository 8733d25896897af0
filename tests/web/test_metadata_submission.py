"""Metadata submission over HTTP and POST /validate of metadata messages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from sdmxnode.app import create_app
from sdmxnode.services.access import create_token
from sdmxnode.storage.tables import metadata_sets
from tests.conftest import PROJECT_ROOT, fresh_database
from tests.services.metadata.conftest import load_structures

METADATA = PROJECT_ROOT / "fixtures" / "metadata"
KENYA = (METADATA / "TEST-MDF_MIG-KEN.xml").read_bytes()
URL = "/rest/v2/metadata/metadataflow/TEST/MDF_MIG/1.0"
XML = {"Content-Type": "application/xml"}


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    application = create_app(
        {"DATABASE_URL": fresh_database(tmp_path), "STRUCTURE_DIRS": "", "TESTING": True}
    )
    node = application.extensions["sdmxnode"]
    node.store.create_schema()
    load_structures(node, METADATA / "TEST-MSD_MIG.xml")
    yield application
    node.store.engine.dispose()


def _held(app: Flask) -> int:
    with app.extensions["sdmxnode"].store.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(metadata_sets)).scalar_one()


def _token(app: Flask, **rights) -> dict[str, str]:
    secret = create_token(app.extensions["sdmxnode"], **rights)
    return {**XML, "Authorization": f"Bearer {secret}"}


def test_a_token_for_the_metadataflow_submits_and_others_are_refused(app: Flask) -> None:
    client = app.test_client()
    assert client.post(URL, data=KENYA, headers=XML).status_code == 401
    other = _token(app, role="provider", dataflows=[("TEST", "MDF_OTHER", "1.0")])
    assert client.post(URL, data=KENYA, headers=other).status_code == 403
    assert _held(app) == 0

    provider = _token(app, role="provider", dataflows=[("TEST", "MDF_MIG", "1.0")])
    created = client.post(URL, data=KENYA, headers=provider)
    assert created.status_code == 201, created.get_data(as_text=True)
    assert created.content_type.startswith("application/json")
    assert created.get_json()["sets"] == {"TEST:MDS_KEN(1.0)": "created"}
    again = client.put(URL, data=KENYA, headers=_token(app, role="admin"))
    assert again.status_code == 200 and again.get_json()["sets"] == {
        "TEST:MDS_KEN(1.0)": "unchanged"
    }
    deleted = client.delete(URL, data=KENYA, headers=provider)
    assert deleted.status_code == 200 and deleted.get_json()["sets"] == {
        "TEST:MDS_KEN(1.0)": "deleted"
    }
    assert _held(app) == 0
    assert client.delete(URL, data=KENYA, headers=provider).status_code == 404


def test_an_invalid_submission_is_422_with_its_findings_and_stores_nothing(app: Flask) -> None:
    client = app.test_client()
    bad = KENYA.replace(b'value="FB"', b'value="XX"')
    answer = client.post(URL, data=bad, headers=_token(app, role="admin"))
    assert answer.status_code == 422
    (finding,) = answer.get_json()["findings"]
    assert (finding["code"], finding["component"], finding["report"]) == (
        "UNKNOWN_CODE",
        "DEFINITION",
        "MIG_REPORT",
    )
    assert _held(app) == 0


def test_a_set_for_another_metadataflow_is_refused(app: Flask) -> None:
    client = app.test_client()
    other = KENYA.replace(b'id="MDF_MIG"', b'id="MDF_OTHER"')
    answer = client.post(URL, data=other, headers=_token(app, role="admin"))
    assert answer.status_code == 422
    assert "WRONG_DATAFLOW" in {f["code"] for f in answer.get_json()["findings"]}
    assert _held(app) == 0


def test_post_validate_checks_metadata_against_the_node(app: Flask) -> None:
    client = app.test_client()
    valid = client.post("/validate", data=KENYA, headers=XML)
    assert valid.status_code == 200 and valid.get_json()["valid"] is True
    bad = KENYA.replace(b"<p>Refugees", b"<script>x()</script><p>R")
    invalid = client.post("/validate", data=bad, headers=XML)
    assert invalid.status_code == 422
    assert [f["code"] for f in invalid.get_json()["findings"]] == ["UNSAFE_XHTML"]
    assert _held(app) == 0
