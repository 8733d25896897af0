"""Security headers: a Content-Security-Policy without inline code on every HTML page, no
framing, and `X-Content-Type-Options: nosniff` on every response."""

from __future__ import annotations

import io

import pytest
from flask.testing import FlaskClient

from tests.pages.conftest import WORLD, html_of

PAGES = [
    "/",
    "/?q=Kenya",
    "/dataflow/IMDX/DF_MIG_STOCK_IMS",
    f"/explore/IMDX/DF_MIG_STOCK_IMS?key=A.{WORLD}.STOCK.FB._T._T._T._T",
    "/codelist/IMDX/CL_AREA",
    "/compare/IMDX/DF_MIG_STOCK_IMS",
    "/validate",
    "/api",
    "/dataflow/IMDX/NO_SUCH_FLOW",  # an HTML error page
]


def _policy(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def assert_framing_refused_and_no_inline_code(response) -> None:
    """The page's CSP and framing headers are strict, and it has nothing they would block."""
    policy = _policy(response.headers["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"] and policy["object-src"] == ["'none'"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    page = html_of(response)
    # what the policy would block: inline scripts, handlers, style elements and attributes
    for script in page.iter("script"):
        assert script.get("src") or script.get("type") == "application/json"
    assert page.xpath("//style | //*[@style]") == []
    handlers = [a for e in page.iter() for a in getattr(e, "attrib", {}) if a.startswith("on")]
    assert handlers == []


@pytest.mark.parametrize("path", PAGES)
def test_pages_have_a_strict_content_security_policy(
    migration_client: FlaskClient, path: str
) -> None:
    response = migration_client.get(path)
    assert response.status_code in (200, 404), response.get_data(as_text=True)[:300]
    assert_framing_refused_and_no_inline_code(response)


def test_the_validation_report_page_has_the_policy_too(migration_client: FlaskClient) -> None:
    upload = {"file": (io.BytesIO(b"<x"), "broken.xml")}
    response = migration_client.post("/validate", data=upload, headers={"Accept": "text/html"})
    assert response.status_code == 400
    assert_framing_refused_and_no_inline_code(response)


@pytest.mark.parametrize(
    "path",
    [
        "/rest/dataflow/all/all/latest",
        "/rest/data/IMDX,DF_MIG_STOCK_IMS,1.0.0/A.1.STOCK.FB._T._T._T._T?format=csvdata",
        "/rest/no/such/thing",  # an SDMX error
        "/health",
        "/openapi.json",
        "/static/pages.css",
        "/static/explorer.js",
    ],
)
def test_every_response_says_nosniff(migration_client: FlaskClient, path: str) -> None:
    response = migration_client.get(path)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" not in response.headers or path.startswith("/static")
