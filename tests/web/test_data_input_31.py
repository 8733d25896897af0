"""SDMX 3.1 data messages as input: the node's own SDMX-JSON 2.1, SDMX-CSV 2.1 and SDMX-ML 3.1
answers are taken by POST /validate and `sdmxnode validate`, and loaded back by a data
submission and `sdmxnode load` to the same observations."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from sdmxnode.app import create_app
from sdmxnode.services.access import create_token
from sdmxnode.services.data.loading import LoadOptions, load_data
from tests.conftest import PROJECT_ROOT, fresh_database, initialise_from_template

V1 = "/rest/data/IMDX,DF_MIG_STOCK_IMS,1.0.0"
V2 = "/rest/v2/data/dataflow/IMDX/DF_MIG_STOCK_IMS/1.0.0"
SMALL_CSV = PROJECT_ROOT / "fixtures" / "data" / "small" / "small-csv10-21.csv"
MEDIA_31 = [
    pytest.param("application/vnd.sdmx.data+json;version=2.1.0", id="json-2.1"),
    pytest.param("application/vnd.sdmx.data+csv;version=2.1.0", id="csv-2.1"),
    pytest.param("application/vnd.sdmx.data+xml;version=3.1.0", id="ml-3.1"),
]
ML_31 = "application/vnd.sdmx.data+xml;version=3.1.0"


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    """A node of its own (writes change it) holding the small data set."""
    application = create_app(
        {"DATABASE_URL": fresh_database(tmp_path), "TESTING": True, "DEMO_DATA": ""}
    )
    node = application.extensions["sdmxnode"]
    initialise_from_template(node)
    load_data(node, SMALL_CSV, LoadOptions(source="setup"))
    yield application
    node.store.engine.dispose()


def _answer(client: FlaskClient, media_type: str) -> bytes:
    response = client.get(f"{V2}/*.*.*.*.*.*.*.*", headers={"Accept": media_type})
    assert response.status_code == 200, response.get_data()[:300]
    assert media_type.split(";")[1] in response.headers["Content-Type"].replace(" ", "")
    return response.get_data()


@pytest.mark.parametrize("media_type", MEDIA_31)
def test_validate_takes_the_31_messages(app: Flask, media_type: str) -> None:
    client = app.test_client()
    report = client.post("/validate", data=_answer(client, media_type)).get_json()
    assert report["valid"] is True, report["findings"]
    assert report["observations"] == 21


def test_validate_checks_json_21_against_its_schema(app: Flask) -> None:
    client = app.test_client()
    message = json.loads(_answer(client, "application/vnd.sdmx.data+json;version=2.1.0"))
    message["data"]["dataSets"][0]["action"] = "Upsert"
    report = client.post("/validate", data=json.dumps(message)).get_json()
    assert report["valid"] is False
    assert any("SDMX-JSON 2.1 data schema" in f["message"] for f in report["findings"])


@pytest.mark.parametrize("media_type", MEDIA_31)
def test_31_messages_load_back(app: Flask, media_type: str) -> None:
    client = app.test_client()
    node = app.extensions["sdmxnode"]
    secret = create_token(node, role="provider", dataflows=[("IMDX", "DF_MIG_STOCK_IMS", "1.0.0")])
    headers = {"Authorization": f"Bearer {secret}"}
    before = client.get(f"{V1}?format=csvdata").get_data()
    message = _answer(client, media_type)
    assert client.delete(f"{V2}/*", headers=headers).status_code == 200
    assert node.data.count_all_observations() == 0
    answer = client.post(V2, data=message, headers=headers)
    assert answer.status_code == 201, answer.get_data(as_text=True)
    assert answer.json["counts"]["observations_written"] == 21
    assert client.get(f"{V1}?format=csvdata").get_data() == before


def test_validate_checks_ml_31_against_its_schema(app: Flask) -> None:
    """A broken SDMX-ML 3.1 message is checked against the 3.1 schema, not the 3.0 one:
    3.1's Merge passes, which the 3.0 schema refuses."""
    client = app.test_client()
    message = _answer(client, ML_31)
    broken = message.replace(b"<mes:Test>false</mes:Test>", b"<mes:Test>perhaps</mes:Test>", 1)
    assert broken != message
    report = client.post("/validate", data=broken).get_json()
    assert report["valid"] is False
    schema_findings = [f for f in report["findings"] if f["code"] == "SCHEMA"]
    assert schema_findings and all("SDMX-ML 3.1 XSD" in f["message"] for f in schema_findings)
    assert any("perhaps" in f["message"] for f in schema_findings)
    merge = message.replace(b'ss:action="Information"', b'ss:action="Merge"', 1)
    assert merge != message
    report = client.post("/validate", data=merge).get_json()
    assert report["valid"] is True, report["findings"]


def test_ml_31_merge_loads_with_30_semantics(app: Flask) -> None:
    """A 3.1 data set whose action is Merge (3.1's own) updates the stored observations."""
    client = app.test_client()
    node = app.extensions["sdmxnode"]
    secret = create_token(node, role="provider", dataflows=[("IMDX", "DF_MIG_STOCK_IMS", "1.0.0")])
    message = _answer(client, ML_31).replace(b'ss:action="Information"', b'ss:action="Merge"', 1)
    first = re.search(rb'OBS_VALUE="([^"]+)"', message)
    assert first is not None
    changed = message.replace(first.group(0), b'OBS_VALUE="123456789"', 1)
    answer = client.post(V2, data=changed, headers={"Authorization": f"Bearer {secret}"})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.json["action"] == "Merge"
    assert node.data.count_all_observations() == 21
    assert b"123456789" in client.get(f"{V1}?format=csvdata").get_data()
