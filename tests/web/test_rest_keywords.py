"""Reserved path keywords over HTTP in any case (`ALL`, `All`, `LATEST`), as clients such as
opensdmx send them to the agencies' endpoints, on structure, data and availability queries."""

from __future__ import annotations

import io

import pytest
import sdmx
from flask.testing import FlaskClient

FLOW = "IMDX,DF_MIG_STOCK_IMS"


def _structure(response) -> sdmx.message.StructureMessage:
    assert response.status_code == 200, response.get_data()[:400]
    assert response.headers["Content-Type"].startswith("application/vnd.sdmx.structure+xml")
    return sdmx.read_sdmx(io.BytesIO(response.get_data()))


@pytest.mark.parametrize(
    ("path", "lower"),
    [
        ("/rest/datastructure/ALL/DSD_MIG_STOCK", "/rest/datastructure/all/DSD_MIG_STOCK"),
        ("/rest/codelist/All/CL_AREA", "/rest/codelist/all/CL_AREA"),
        ("/rest/codelist/IMDX/CL_AREA/LATEST", "/rest/codelist/IMDX/CL_AREA/latest"),
        ("/rest/codelist/IMDX/CL_AREA/All/ALL", "/rest/codelist/IMDX/CL_AREA/all/all"),
        ("/rest/dataflow/ALL/ALL/Latest", "/rest/dataflow/all/all/latest"),
    ],
)
def test_v1_structure_keywords_in_any_case(
    migration_client: FlaskClient, path: str, lower: str
) -> None:
    message = _structure(migration_client.get(path))
    expected = _structure(migration_client.get(lower))
    for kind in ("structure", "codelist", "dataflow"):
        found = {(a.maintainer.id, a.id, a.version) for a in getattr(message, kind).values()}
        wanted = {(a.maintainer.id, a.id, a.version) for a in getattr(expected, kind).values()}
        assert found == wanted
    assert message.structure or message.codelist or message.dataflow


def test_v1_data_keywords_in_any_case(migration_client: FlaskClient) -> None:
    csv = {"Accept": "application/vnd.sdmx.data+csv;version=1.0.0"}
    lower = migration_client.get("/rest/data/all,DF_MIG_STOCK_IMS,latest/all/all", headers=csv)
    upper = migration_client.get("/rest/data/ALL,DF_MIG_STOCK_IMS,LATEST/ALL/All", headers=csv)
    assert lower.status_code == upper.status_code == 200
    assert upper.headers["Content-Type"].startswith("application/vnd.sdmx.data+csv")
    assert upper.get_data().count(b"\n") == lower.get_data().count(b"\n") > 1


def test_v1_availability_keywords_in_any_case(migration_client: FlaskClient) -> None:
    lower = migration_client.get(f"/rest/availableconstraint/{FLOW}/all/all/all")
    upper = migration_client.get(f"/rest/availableconstraint/{FLOW}/ALL/ALL/All")
    assert lower.status_code == upper.status_code == 200
    regions = []
    for response in (lower, upper):
        message = sdmx.read_sdmx(io.BytesIO(response.get_data()))
        region = next(iter(message.constraint.values())).data_content_region[0]
        regions.append(
            {
                dim.id: {v.value for v in sel.values}
                for dim, sel in region.member.items()
                if dim.id != "TIME_PERIOD"
            }
        )
    assert regions[0] == regions[1]
    assert regions[1]["REF_AREA"]


def test_v2_all_alias_in_any_case(migration_client: FlaskClient) -> None:
    ml30 = {"Accept": "application/vnd.sdmx.structure+xml;version=3.0.0"}
    upper = migration_client.get("/rest/v2/structure/codelist/ALL/CL_AREA/~", headers=ml30)
    lower = migration_client.get("/rest/v2/structure/codelist/*/CL_AREA/~", headers=ml30)
    assert upper.status_code == lower.status_code == 200
    assert upper.headers["Content-Type"].startswith("application/vnd.sdmx.structure+xml")
    assert upper.get_data().count(b"<str:Code ") == lower.get_data().count(b"<str:Code ") > 100
    data = migration_client.get(
        "/rest/v2/data/ALL/All/DF_MIG_STOCK_IMS/*/A.FRA",
        headers={"Accept": "application/vnd.sdmx.data+csv;version=2.0.0"},
    )
    assert data.status_code == 200
    assert b"FRA" in data.get_data()


@pytest.mark.parametrize(
    ("version", "hint"), [("LATEST", "'~'"), ("Latest", "'~'"), ("ALL", "'*'")]
)
def test_v2_versions_refuse_15_keywords_in_any_case_naming_the_2x_form(
    migration_client: FlaskClient, version: str, hint: str
) -> None:
    response = migration_client.get(f"/rest/v2/structure/codelist/IMDX/CL_AREA/{version}")
    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("application/")
    detail = response.get_json()["errors"][0]["detail"]
    assert "1.5 keyword" in detail and hint in detail
