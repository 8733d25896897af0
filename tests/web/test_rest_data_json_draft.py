"""The SDMX-JSON 1.0 draft layout over HTTP: negotiated by sdmx1's media types for it, on both
API lines, read by sdmx1 to the values of the SDMX-ML answer; listed on 406 and in OpenAPI.

pandasdmx, which reads the same layout, is not tested: it cannot be installed beside the
test extra (it requires pydantic < 2, openapi-spec-validator needs pydantic >= 2).
"""

from __future__ import annotations

import io
import json

import pytest
import sdmx
import sdmx.reader.xml.v30  # noqa: F401  (sdmx1 2.28 must import it before reading 2.1 data)
from flask.testing import FlaskClient

DRAFT = "application/vnd.sdmx.draft-sdmx-json+json;version=1.0.0"
FLOW = "IMDX,DF_MIG_STOCK_IMS,1.0.0"
KEY = "A.DEU......"
V1 = f"/rest/data/{FLOW}/{KEY}"
V2 = "/rest/v2/data/dataflow/IMDX/DF_MIG_STOCK_IMS/1.0.0/A.DEU.*.*.*.*.*.*"


def _observations(message) -> dict[tuple[str, ...], tuple[float, str | None]]:
    """(key values) -> (value, OBS_STATUS) of every observation sdmx1 read."""
    found = {}
    for obs in message.data[0].obs:
        key = tuple(str(kv.value) for kv in obs.key.values.values())
        status = obs.attached_attribute.get("OBS_STATUS")
        code = None if status is None else str(getattr(status.value, "id", status.value))
        found[key] = (float(obs.value), code)
    return found


@pytest.fixture(scope="module")
def expected(migration_app) -> dict[tuple[str, ...], tuple[float, str | None]]:
    """The observations as sdmx1 reads them from the generic SDMX-ML 2.1 answer."""
    client = migration_app.test_client()
    dsd_body = client.get("/rest/datastructure/IMDX/DSD_MIG_STOCK?references=children")
    dsd = sdmx.read_sdmx(io.BytesIO(dsd_body.get_data())).structure["DSD_MIG_STOCK"]
    body = client.get(V1, headers={"Accept": "application/vnd.sdmx.genericdata+xml;version=2.1"})
    assert body.status_code == 200
    found = _observations(sdmx.read_sdmx(io.BytesIO(body.get_data()), structure=dsd))
    assert found
    return found


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        pytest.param(V1, {"Accept": DRAFT}, id="1.5-media-type"),
        pytest.param(V1, {"Accept": "draft-sdmx-json"}, id="1.5-bare"),
        pytest.param(f"{V1}?format=draft-sdmx-json", {}, id="1.5-format"),
        pytest.param(V2, {"Accept": DRAFT}, id="2.x-media-type"),
        pytest.param(V2, {"Accept": "draft-sdmx-json, */*;q=0.1"}, id="2.x-bare"),
    ],
)
def test_draft_layout_read_by_sdmx1(
    migration_client: FlaskClient, expected, path: str, headers: dict[str, str]
) -> None:
    response = migration_client.get(path, headers=headers)
    assert response.status_code == 200, response.get_data()[:300]
    assert response.headers["Content-Type"].startswith(
        "application/vnd.sdmx.draft-sdmx-json+json;version=1.0.0"
    )
    body = response.get_data()
    assert list(json.loads(body)) == ["header", "structure", "dataSets"]
    # sdmx1 picks its reader from the Content-Type, as its Client does.
    message = sdmx.read_sdmx(io.BytesIO(body), media_type=response.headers["Content-Type"])
    assert _observations(message) == expected
    assert message.header.sender.id


def test_released_json_10_stays_the_json_answer(migration_client: FlaskClient) -> None:
    for headers in ({"Accept": "application/json"}, {"Accept": "application/vnd.sdmx.data+json"}):
        response = migration_client.get(V1, headers=headers)
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith("application/vnd.sdmx.data+json")
        assert list(json.loads(response.get_data())) == ["meta", "data"]


def test_406_lists_the_draft_layout(migration_client: FlaskClient) -> None:
    response = migration_client.get(V1, headers={"Accept": "application/vnd.sdmx.foo+json"})
    assert response.status_code == 406
    assert DRAFT.encode() in response.get_data()


def test_openapi_lists_the_draft_layout(client: FlaskClient) -> None:
    document = client.get("/openapi.json").get_json()
    for path in ("/rest/data/{flow}/{key}", "/rest/v2/data"):
        content = document["paths"][path]["get"]["responses"]["200"]["content"]
        assert DRAFT in content, path
    formats = document["components"]["parameters"]["format_data"]["schema"]["enum"]
    assert "draft-sdmx-json" in formats
