"""Malformed or hostile structure queries get a 4xx SDMX error: never a 500, never HTML."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

NASTY_SEGMENTS = [
    "",
    "%00",
    "..",
    "%2e%2e%2fetc%2fpasswd",
    "A" * 5000,
    "'; DROP TABLE artefacts; --",
    "\u00e9\u4e2d\u6587",
    "+".join(["CL_X"] * 2000),
    ",".join(["CL_X"] * 2000),
    "1.0.0.0.0",
    "*.*.*",
    "%ZZ",
    "<script>",
    "latest+all",
    "~,+,*",
]
PREFIXES = [
    "/rest/codelist/IMDX/{}",
    "/rest/codelist/{}/CL_AREA",
    "/rest/codelist/IMDX/CL_AREA/{}",
    "/rest/codelist/IMDX/CL_AREA/1.0.0/{}",
    "/rest/{}/IMDX",
    "/rest/v2/structure/codelist/IMDX/{}",
    "/rest/v2/structure/{}",
    "/rest/v2/structure/codelist/IMDX/CL_AREA/{}",
    "/rest/v2/structure/codelist/IMDX/CL_AREA/1.0.0/{}",
    "/rest/dataflow/IMDX/DF_MIG_STOCK_IMS?references={}",
    "/rest/dataflow/IMDX/DF_MIG_STOCK_IMS?detail={}",
    "/rest/v2/structure/dataflow/IMDX/DF_MIG_STOCK_IMS?references={}",
    "/rest/codelist/IMDX/CL_SEX?format={}",
    "/rest/codelist/IMDX/CL_SEX?{}=1",
]


@pytest.mark.parametrize("template", PREFIXES)
def test_no_500_and_no_html(migration_client: FlaskClient, template: str) -> None:
    for segment in NASTY_SEGMENTS:
        path = template.format(segment)
        response = migration_client.get(path)
        assert response.status_code < 500, (path[:200], response.get_data()[:300])
        content_type = response.headers.get("Content-Type", "")
        assert "html" not in content_type, path[:200]
        if response.status_code == 204:
            assert response.get_data() == b"" and not content_type
        if response.status_code >= 400:
            assert content_type.startswith(("application/xml", "application/json")), path[:200]


@pytest.mark.parametrize(
    "accept",
    [
        "text/html",
        "image/png;q=1",
        "application/vnd.sdmx.structure+xml;version=9.9",
        ";;;",
        "*/*;q=abc",
    ],
)
def test_odd_accept_headers(migration_client: FlaskClient, accept: str) -> None:
    response = migration_client.get("/rest/codelist/IMDX/CL_SEX", headers={"Accept": accept})
    assert response.status_code in (200, 406)
    assert "html" not in response.headers["Content-Type"]


def test_unknown_route_and_method(migration_client: FlaskClient) -> None:
    for path in (
        "/nothing-here",
        "/rest",
        "/rest/v2",
        "/rest/v2/structure/codelist/IMDX/CL_SEX/1.0/A/extra",
    ):
        response = migration_client.get(path)
        assert 400 <= response.status_code < 500, path
        assert "html" not in response.headers["Content-Type"]
    response = migration_client.post("/rest/codelist/IMDX/CL_SEX")
    assert response.status_code == 405
    assert "html" not in response.headers["Content-Type"]
