"""SDMX-REST metadata queries over HTTP (1.5 and 2.x): every resource, the versions,
detail=allstubs, content negotiation, ETag/304, gzip and the errors."""

from __future__ import annotations

import gzip
import io
import time
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from lxml import etree

from sdmxnode.formats.metadata import ReportedAttribute
from sdmxnode.refs import ArtefactRef
from sdmxnode.storage.metadata.sets import MetadataStore
from sdmxnode.validation.schema import validate_ml21, validate_ml30
from tests.formats.metadata_sets import FRA, put_sets, sdmx21_set, sdmx30_set
from tests.formats.test_metadata_json20_write import schema_errors

ML30 = "application/vnd.sdmx.metadata+xml;version=3.0.0"
ML21 = "application/vnd.sdmx.genericmetadata+xml;version=2.1"
JSON20 = "application/vnd.sdmx.metadata+json;version=2.0.0"
MES30 = "{http://www.sdmx.org/resources/sdmxml/schemas/v3_0/message}"
MES21 = "{http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message}"


@pytest.fixture
def metadata_client(app: Flask) -> FlaskClient:
    """A node holding four sets: MDS_KEN 1.0.0 and 2.0.0 and MDS_FRA against the
    metadataflow IMDX:MDF_MIG(1.0.0) by provider UNDESA, and the 2.1-style MDS_QUALITY
    (two reports, against a metadata structure, no provider)."""
    engine = app.extensions["sdmxnode"].store.engine
    put_sets(
        engine,
        sdmx30_set(),
        sdmx30_set(version="2.0.0"),
        sdmx30_set("MDS_FRA", FRA),
        sdmx21_set(),
    )
    return app.test_client()


def _ids_30(body: bytes) -> list[str]:
    root = etree.fromstring(body)
    return [f"{s.get('id')}({s.get('version')})" for s in root.iter(f"{MES30}MetadataSet")]


def _ids_21(body: bytes) -> list[str]:
    return [s.get("setID") for s in etree.fromstring(body).iter(f"{MES21}MetadataSet")]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/rest/v2/metadata/metadataset/UNDESA/MDS_KEN/1.0.0", ["MDS_KEN(1.0.0)"]),
        ("/rest/v2/metadata/metadataset/UNDESA/MDS_KEN/~", ["MDS_KEN(2.0.0)"]),
        ("/rest/v2/metadata/metadataset/UNDESA/MDS_KEN", ["MDS_KEN(1.0.0)", "MDS_KEN(2.0.0)"]),
        ("/rest/v2/metadata/metadataset/*/MDS_FRA,MDS_KEN/+", ["MDS_FRA(1.0.0)", "MDS_KEN(2.0.0)"]),
        (
            "/rest/v2/metadata/metadataset/IMDX",
            ["MDS_QUALITY_R_FLOW(1.0)", "MDS_QUALITY_R_FRA(1.0)"],
        ),
        (
            "/rest/v2/metadata/metadataflow/IMDX/MDF_MIG/1.0.0/UNDESA",
            ["MDS_FRA(1.0.0)", "MDS_KEN(1.0.0)", "MDS_KEN(2.0.0)"],
        ),
        ("/rest/v2/metadata/metadataflow/*/MDF_MIG/~/IMDX.UNDESA", None),
        (
            "/rest/v2/metadata/structure/codelist/IMDX/CL_AREA/1.0.0",
            [
                "MDS_FRA(1.0.0)",
                "MDS_KEN(1.0.0)",
                "MDS_KEN(2.0.0)",
                "MDS_QUALITY_R_FLOW(1.0)",
                "MDS_QUALITY_R_FRA(1.0)",
            ],
        ),  # fmt: skip
        (
            "/rest/v2/metadata/structure/dataflow/*/DF_MIG_STOCK",
            ["MDS_QUALITY_R_FLOW(1.0)", "MDS_QUALITY_R_FRA(1.0)"],
        ),
    ],
)
def test_v2_queries_answer_valid_sdmx_ml_30(
    metadata_client: FlaskClient, path: str, expected: list[str] | None
) -> None:
    response = metadata_client.get(path, headers={"Accept": "application/xml"})

    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == ML30
    body = response.get_data()
    assert validate_ml30(body) == []
    if expected is None:
        expected = ["MDS_FRA(1.0.0)", "MDS_KEN(1.0.0)", "MDS_KEN(2.0.0)"]
    assert _ids_30(body) == expected


def test_v1_queries_answer_valid_sdmx_ml_21_read_by_sdmx1(metadata_client: FlaskClient) -> None:
    response = metadata_client.get("/rest/metadata/metadataflow/IMDX/MDF_MIG/+/IMDX,UNDESA")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == ML21
    body = response.get_data()
    assert validate_ml21(body) == []
    assert _ids_21(body) == ["MDS_FRA", "MDS_KEN", "MDS_KEN"]
    structure = metadata_client.get("/rest/metadata/structure/dataflow/IMDX/DF_MIG_STOCK")
    assert validate_ml21(structure.get_data()) == []
    assert _ids_21(structure.get_data()) == ["MDS_QUALITY"]


def test_allstubs_keeps_identity_and_attribute_ids_only(metadata_client: FlaskClient) -> None:
    for path in (
        "/rest/v2/metadata/metadataset/*/MDS_KEN/1.0.0?detail=allstubs&format=genericmetadata",
        "/rest/v2/metadata/metadataset/*/MDS_KEN/1.0.0?detail=allstubs&format=jsonmetadata",
        "/rest/metadata/metadataset/*/MDS_KEN/1.0.0?detail=allStubs",
    ):
        response = metadata_client.get(path)
        body = response.get_data()
        assert response.status_code == 200
        if "json" in path:
            assert schema_errors(body) == []
        else:
            assert (validate_ml30 if "/v2/" in path else validate_ml21)(body) == []
        assert b"Recensement" not in body and b"CRITERION" in body
        assert b'value="B"' not in body and b">B<" not in body


def test_the_21_message_on_the_v2_api_and_format_parameter(metadata_client: FlaskClient) -> None:
    accept = "application/vnd.sdmx.genericmetadata+xml;version=2.1"
    response = metadata_client.get("/rest/v2/metadata/metadataset", headers={"Accept": accept})
    assert response.headers["Content-Type"] == ML21
    assert validate_ml21(response.get_data()) == []
    generic30 = metadata_client.get(
        "/rest/v2/metadata/metadataset",
        headers={"Accept": "application/vnd.sdmx.genericmetadata+xml;version=3.0.0"},
    )
    assert generic30.headers["Content-Type"] == ML30
    v1_30 = metadata_client.get(
        "/rest/metadata/metadataset", headers={"Accept": "application/vnd.sdmx.metadata+xml"}
    )
    assert v1_30.status_code == 406


def test_v2_default_is_sdmx_json_20_read_by_pysdmx(metadata_client: FlaskClient) -> None:
    from pysdmx.io import read_sdmx

    response = metadata_client.get("/rest/v2/metadata/metadataflow/IMDX/MDF_MIG/~")

    assert response.headers["Content-Type"] == JSON20
    assert schema_errors(response.get_data()) == []
    reports = read_sdmx(response.get_data(as_text=True)).get_reports()
    assert sorted((r.id, r.version) for r in reports) == [
        ("MDS_FRA", "1.0.0"),
        ("MDS_KEN", "1.0.0"),
        ("MDS_KEN", "2.0.0"),
    ]
    # The set against a metadata structure has no metadataflow in this node: SDMX-JSON 2.0
    # cannot hold it (an empty list of sets, still a valid message).
    quality = metadata_client.get(
        "/rest/v2/metadata/metadataset/IMDX/MDS_QUALITY", headers={"Accept": "application/json"}
    )
    assert quality.status_code == 200
    assert schema_errors(quality.get_data()) == []
    assert quality.get_json()["data"]["metadataSets"] == []


def test_etag_last_modified_304_and_gzip(metadata_client: FlaskClient, app: Flask) -> None:
    path = "/rest/v2/metadata/metadataset/*/MDS_KEN?format=genericmetadata&formatVersion=3.0.0"
    first = metadata_client.get(path)
    etag = first.headers["ETag"]
    assert first.headers["Last-Modified"]
    assert first.headers["Access-Control-Allow-Origin"] == "*"

    again = metadata_client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304
    since = metadata_client.get(path, headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert since.status_code == 304

    zipped = metadata_client.get(path, headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert validate_ml30(gzip.decompress(zipped.get_data())) == []

    put_sets(app.extensions["sdmxnode"].store.engine, sdmx30_set(version="2.0.0", target=FRA))
    changed = metadata_client.get(path, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/rest/metadata/metadataset/*/NOPE", 404, "100"),
        ("/rest/v2/metadata/metadataset/*/NOPE", 204, None),
        ("/rest/metadata/structure/codelist/OECD", 404, "100"),
        ("/rest/v2/metadata/metadataflow/IMDX/MDF_MIG/1.0.0/OTHER", 204, None),
        ("/rest/v2/metadata/metadataset?detail=referencestubs", 400, "140"),
        ("/rest/v2/metadata/metadataset?references=all", 400, "140"),
        ("/rest/v2/metadata/nothing", 400, "140"),
        ("/rest/metadata/nothing", 400, "140"),
        ("/rest/v2/metadata/structure/notatype", 400, "140"),
        ("/rest/v2/metadata/metadataset/*/*/latest", 400, "140"),
        ("/rest/v2/metadata/metadataset?asOf=2020-01-01", 400, "140"),
        ("/rest/metadata/metadataset?asOf=2020-01-01T00:00:00", 400, "140"),
    ],
)
def test_errors_are_sdmx_errors(
    metadata_client: FlaskClient, path: str, status: int, code: str | None
) -> None:
    response = metadata_client.get(path)

    assert response.status_code == status, response.get_data(as_text=True)
    if code is not None:
        assert code.encode() in response.get_data()


def test_pysdmx_reads_the_v2_answer(metadata_client: FlaskClient) -> None:
    from pysdmx.io import read_sdmx

    body = metadata_client.get(
        "/rest/v2/metadata/metadataset/UNDESA/MDS_FRA", headers={"Accept": "application/xml"}
    ).get_data()
    # pysdmx's schema check demands an XHTML schema that no SDMX package ships, so it
    # refuses any StructuredText holding XHTML (Eurostat's reports too): read unchecked.
    message = read_sdmx(body.decode("utf-8"), validate=False)

    assert [r.id for r in message.get_reports()] == ["MDS_FRA"]
    assert list(message.get_reports()[0].targets) == [FRA]


def test_sdmx1_reads_a_v1_answer(metadata_client: FlaskClient, app: Flask) -> None:
    """sdmx1 reads sets whose attributes have values or children and whose targets are items,
    without names (see tests/formats/test_metadata_ml21_write.py for what it cannot read)."""
    import sdmx

    report = sdmx30_set().reports[0]
    attributes = (
        ReportedAttribute("CONTACT", attributes=(ReportedAttribute("NAME", value="PD"),)),
    )
    readable = replace(
        sdmx30_set("MDS_SDMX1"), names=(), reports=(replace(report, attributes=attributes),)
    )
    put_sets(app.extensions["sdmxnode"].store.engine, readable)

    body = metadata_client.get("/rest/metadata/metadataset/UNDESA/MDS_SDMX1").get_data()
    message = sdmx.read_sdmx(io.BytesIO(body))

    assert len(message.data) == 1
    read = message.data[0].report[0]
    assert read.attaches_to.key_values["IDENTIFIABLE_OBJECT"].obj.id == "KEN"
    assert read.metadata[0].child[0].value == "PD"


def test_a_set_against_an_unknown_agreement_is_406_in_sdmx_ml_and_written_in_json(
    metadata_client: FlaskClient, app: Flask
) -> None:
    mpa = ArtefactRef("MetadataProvisionAgreement", "IMDX", "MPA_MIG", "1.0.0")
    put_sets(app.extensions["sdmxnode"].store.engine, replace(sdmx30_set("MDS_MPA"), structure=mpa))
    path = "/rest/v2/metadata/metadataset/*/MDS_MPA"

    xml = metadata_client.get(path, headers={"Accept": "application/xml"})
    assert xml.status_code == 406
    assert b"metadata provision agreement" in xml.get_data()
    answer = metadata_client.get(path, headers={"Accept": "application/json"})
    assert schema_errors(answer.get_data()) == []
    written = answer.get_json()["data"]["metadataSets"][0]
    assert written["metadataProvisionAgreement"].endswith(
        "MetadataProvisionAgreement=IMDX:MPA_MIG(1.0.0)"
    )


def _moment() -> str:
    """Now, as an asOf value, between two writes (the history keeps microseconds)."""
    time.sleep(0.01)
    moment = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    time.sleep(0.01)
    return moment


def _names_30(client: FlaskClient, path: str) -> dict[str, str]:
    response = client.get(path, headers={"Accept": ML30})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert validate_ml30(response.data) == []
    root = etree.fromstring(response.data)
    return {
        s.get("id"): s.findtext("{http://www.sdmx.org/resources/sdmxml/schemas/v3_0/common}Name")
        for s in root.iter(f"{MES30}MetadataSet")
    }


def test_as_of_answers_the_sets_as_they_were(app: Flask) -> None:
    """asOf reads the history: a set changed since is given as it was, one deleted since is
    there, one not yet written is not; every resource and the provider filter apply."""
    engine = app.extensions["sdmxnode"].store.engine
    client = app.test_client()
    before = _moment()
    put_sets(engine, sdmx30_set(), sdmx30_set("MDS_FRA", FRA))
    first = _moment()
    put_sets(engine, replace(sdmx30_set(), names=(("en", "Kenya sources, revised"),)))
    second = _moment()
    with MetadataStore(engine).transaction(principal="test") as transaction:
        assert transaction.delete("IMDX", "MDS_FRA", "1.0.0")

    sets = "/rest/v2/metadata/metadataset/*/*/*"
    assert _names_30(client, sets) == {"MDS_KEN": "Kenya sources, revised"}
    assert _names_30(client, f"{sets}?asOf={second}") == {
        "MDS_KEN": "Kenya sources, revised",
        "MDS_FRA": "Kenya sources",
    }
    assert _names_30(client, f"{sets}?asOf={first}") == {
        "MDS_KEN": "Kenya sources",
        "MDS_FRA": "Kenya sources",
    }
    assert client.get(f"{sets}?asOf={before}", headers={"Accept": ML30}).status_code == 204
    for path in (
        "/rest/v2/metadata/metadataflow/IMDX/MDF_MIG/1.0.0/UNDESA",
        "/rest/v2/metadata/structure/codelist/IMDX/CL_AREA/1.0.0",
        "/rest/v2/metadata/metadataset/UNDESA/MDS_FRA,MDS_KEN/~",
    ):
        assert set(_names_30(client, f"{path}?asOf={first}")) == {"MDS_KEN", "MDS_FRA"}, path
    assert _names_30(client, f"/rest/v2/metadata/structure/codelist/IMDX/CL_AREA?asOf={second}")
    no_one = f"/rest/v2/metadata/metadataflow/IMDX/MDF_MIG/1.0.0/OTHER?asOf={first}"
    assert client.get(no_one, headers={"Accept": ML30}).status_code == 204

    # The answers at different moments are different representations; each is conditional.
    past = client.get(f"{sets}?asOf={first}", headers={"Accept": ML30})
    now = client.get(sets, headers={"Accept": ML30})
    assert past.headers["ETag"] != now.headers["ETag"]
    again = client.get(
        f"{sets}?asOf={first}", headers={"Accept": ML30, "If-None-Match": past.headers["ETag"]}
    )
    assert again.status_code == 304
