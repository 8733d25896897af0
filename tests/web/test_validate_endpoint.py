"""POST /validate: the report of a message, in JSON, text or SDMX-ML; nothing stored."""

from __future__ import annotations

import io

from flask.testing import FlaskClient

from sdmxnode.validation.schema import validate_ml21
from tests.conftest import PROJECT_ROOT

SMALL = PROJECT_ROOT / "fixtures" / "data" / "small"
INVALID = PROJECT_ROOT / "fixtures" / "invalid"
EXCEL = "application/vnd.ms-excel"


def test_valid_body_and_counts(migration_client: FlaskClient, migration_app) -> None:
    node = migration_app.extensions["sdmxnode"]
    before = node.data.count_all_observations()
    response = migration_client.post("/validate", data=(SMALL / "small-csv20-21.csv").read_bytes())
    assert response.status_code == 200
    report = response.get_json()
    assert report["valid"] is True and report["observations"] == 21
    assert node.data.count_all_observations() == before


def test_invalid_upload_in_every_rendering(migration_client: FlaskClient) -> None:
    payload = (INVALID / "not-allowed-by-constraint.xml").read_bytes()
    as_json = migration_client.post(
        "/validate",
        data={"file": (io.BytesIO(payload), "not-allowed.xml")},
        content_type="multipart/form-data",
    ).get_json()
    assert as_json["valid"] is False
    assert [f["code"] for f in as_json["findings"]] == ["NOT_ALLOWED"]
    text = migration_client.post("/validate", data=payload, headers={"Accept": "text/plain"})
    assert text.mimetype == "text/plain" and "NOT_ALLOWED" in text.get_data(as_text=True)
    xml = migration_client.post("/validate", data=payload, headers={"Accept": "application/xml"})
    assert xml.mimetype == "application/xml" and validate_ml21(xml.get_data()) == []


def test_empty_and_hostile_bodies(migration_client: FlaskClient) -> None:
    empty = migration_client.post("/validate", data=b"")
    assert empty.status_code == 400
    evil = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'
    response = migration_client.post("/validate", data=evil)
    # not a message at all: 400 with the report (issue 22), its UNREADABLE finding saying
    # why, never the entity's target
    assert response.status_code == 400
    report = response.get_json()
    assert report["valid"] is False
    (finding,) = report["findings"]
    assert finding["code"] == "UNREADABLE" and "DOCTYPE" in finding["message"]
    assert "root:" not in response.get_data(as_text=True)
    as_xml = migration_client.post("/validate", data=evil, headers={"Accept": "application/xml"})
    assert as_xml.status_code == 400 and validate_ml21(as_xml.data) == []
    assert b"DOCTYPE" in as_xml.data
    # a readable message with errors: the report, and the verdict in the status (422)
    wrong = (PROJECT_ROOT / "fixtures" / "invalid" / "unknown-code.xml").read_bytes()
    answer = migration_client.post("/validate", data=wrong)
    report = answer.get_json()
    assert answer.status_code == 422
    assert report["valid"] is False and report["findings"][0]["code"] == "UNKNOWN_CODE"


def test_control_characters_in_a_message_reach_the_xml_report_replaced(
    migration_client: FlaskClient,
) -> None:
    """A value with a control character is quoted in its finding; the SDMX-ML Error message
    carries it as U+FFFD (XML 1.0 cannot), not a 500."""
    csv = (SMALL / "small-csv20-21.csv").read_bytes().replace(b",M,", b",M\x01X,", 1)
    assert b"M\x01X" in csv
    answer = migration_client.post(
        "/validate", data=csv, headers={"Accept": "application/xml", "Content-Type": "text/csv"}
    )
    assert answer.status_code == 422
    assert validate_ml21(answer.data) == []
    assert "M\ufffdX" in answer.get_data(as_text=True)


def test_a_non_sdmx_media_type_is_415_as_on_submissions(migration_client: FlaskClient) -> None:
    png = b"\x89PNG\r\n\x1a\n" + bytes(64)
    body = migration_client.post("/validate", data=png, headers={"Content-Type": "image/png"})
    assert body.status_code == 415
    assert "image/png" in body.get_json()["errors"][0]["detail"]
    upload = migration_client.post(
        "/validate",
        data={"file": (io.BytesIO(png), "chart.png", "image/png")},
        headers={"Accept": "application/xml"},
    )
    assert upload.status_code == 415 and validate_ml21(upload.data) == []
    # SDMX media types and generic ones (the content decides) are still validated
    csv = (SMALL / "small-csv20-21.csv").read_bytes()
    # (Windows browsers label a .csv file application/vnd.ms-excel when Excel is installed)
    for media_type in ("text/csv", "application/octet-stream", "text/plain", EXCEL):
        answer = migration_client.post("/validate", data=csv, headers={"Content-Type": media_type})
        assert answer.status_code == 200, (media_type, answer.get_data(as_text=True)[:300])


def test_a_csv_upload_labelled_as_excel_is_validated(migration_client: FlaskClient) -> None:
    csv = (SMALL / "small-csv20-21.csv").read_bytes()
    upload = {"file": (io.BytesIO(csv), "small.csv", EXCEL)}
    answer = migration_client.post("/validate", data=upload)
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
