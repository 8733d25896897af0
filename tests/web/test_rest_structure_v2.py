"""SDMX-REST 2.x structure queries over HTTP, on the node's own migration structures."""

from __future__ import annotations

import json

import pytest
from flask.testing import FlaskClient

from tests.web.conftest import JSON20, ML30, assert_valid_structure, read_with_pysdmx


def test_default_is_sdmx_json_20_read_by_pysdmx(migration_client: FlaskClient) -> None:
    response = migration_client.get("/rest/v2/structure/codelist/IMDX/CL_REASON/1.0.0")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == JSON20
    document = assert_valid_structure(response)
    codes = document["data"]["codelists"][0]["codes"]
    assert {"FAM", "FAM_REU", "FAM_FORM"} <= {c["id"] for c in codes}
    read = read_with_pysdmx(response.get_data())
    codelist = read.get_codelists()[0]
    assert codelist.id == "CL_REASON"
    assert {c.id for c in codelist.codes} >= {"FAM_REU", "FAM_FORM"}


def test_dsd_with_references_read_by_pysdmx_in_json_and_ml30(
    migration_client: FlaskClient,
) -> None:
    for accept in (JSON20.split(";")[0] + ";version=2.0.0", ML30):
        response = migration_client.get(
            "/rest/v2/structure/datastructure/IMDX/DSD_MIG_STOCK/~?references=descendants",
            headers={"Accept": accept},
        )
        assert response.status_code == 200
        assert_valid_structure(response)
        read = read_with_pysdmx(response.get_data())
        dsd = read.get_data_structure_definitions()[0]
        assert dsd.id == "DSD_MIG_STOCK"
        dimension_ids = [d.id for d in dsd.components.dimensions]
        assert dimension_ids[:2] == ["FREQ", "REF_AREA"] and dimension_ids[-1] == "TIME_PERIOD"
        assert {cl.id for cl in read.get_codelists()} >= {"CL_AREA", "CL_FREQ", "CL_SEX"}


@pytest.mark.parametrize(
    "version, found",
    [
        ("~", True),
        ("*", True),
        ("+", True),
        ("1.0.0", True),
        ("1.*.0", True),
        ("1.*", False),
        ("2.+.0", False),
    ],
)
def test_version_selectors(migration_client: FlaskClient, version: str, found: bool) -> None:
    response = migration_client.get(f"/rest/v2/structure/dataflow/IMDX/DF_MIG_STOCK_IMS/{version}")
    assert response.status_code == (200 if found else 204)


def test_comma_lists_and_multiple_references(migration_client: FlaskClient) -> None:
    response = migration_client.get(
        "/rest/v2/structure/dataflow/IMDX/DF_MIG_STOCK_IMS,DF_MIG_FLOWS/~"
        "?references=datastructure,categorisation"
    )
    document = assert_valid_structure(response)
    data = document["data"]
    assert {d["id"] for d in data["dataflows"]} == {"DF_MIG_STOCK_IMS", "DF_MIG_FLOWS"}
    assert {d["id"] for d in data["dataStructures"]} == {"DSD_MIG_STOCK", "DSD_MIG_FLOW"}
    assert len(data["categorisations"]) >= 2


def test_empty_result_is_204_and_errors_are_json(migration_client: FlaskClient) -> None:
    empty = migration_client.get("/rest/v2/structure/codelist/IMDX/CL_NOPE")
    assert empty.status_code == 204
    assert empty.get_data() == b""
    bad = migration_client.get("/rest/v2/structure/codelist/IMDX/CL_AREA/latest")
    assert bad.status_code == 400
    assert bad.headers["Content-Type"].startswith("application/json")
    error = json.loads(bad.get_data())["errors"][0]
    assert error["code"] == 140 and "version" in error["detail"]


def test_error_in_xml_when_xml_asked(migration_client: FlaskClient) -> None:
    bad = migration_client.get(
        "/rest/v2/structure/codelist/IMDX/CL_AREA/latest", headers={"Accept": ML30}
    )
    assert bad.status_code == 400
    from sdmxnode.validation.schema import validate_ml30

    assert validate_ml30(bad.get_data()) == []


def test_item_query_nested_and_ancestors(migration_client: FlaskClient) -> None:
    response = migration_client.get(
        "/rest/v2/structure/codelist/IMDX/CL_REASON/1.0.0/FAM_REU",
        headers={"Accept": ML30},
    )
    assert_valid_structure(response)
    body = response.get_data()
    assert b'id="FAM_REU"' in body and b'id="FAM_FORM"' not in body
    assert b'isPartial="true"' in body


def test_raw_detail_and_ancestors(migration_client: FlaskClient) -> None:
    raw = migration_client.get("/rest/v2/structure/codelist/IMDX/CL_SEX/*?detail=raw")
    assert raw.status_code in (200, 204)
    ancestors = migration_client.get(
        "/rest/v2/structure/codelist/IMDX/CL_REASON/~?references=ancestors"
    )
    data = assert_valid_structure(ancestors)["data"]
    assert {d["id"] for d in data["dataStructures"]} == {"DSD_MIG_FLOW"}
    assert {d["id"] for d in data["dataflows"]} >= {"DF_MIG_FLOWS"}
