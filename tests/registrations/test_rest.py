"""Registration submission and queries over HTTP: rights, refusals (nothing stored), the
first pull of a simple data source attributed to the registration's provider, queries."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler

import pytest
from flask import Flask
from flask.testing import FlaskClient

from sdmxnode.services.access import create_token
from sdmxnode.services.node import Node
from sdmxnode.services.registrations.pulling import pull_all
from sdmxnode.services.registrations.submission import registrations_of
from sdmxnode.validation.schema import validate_ml21, validate_ml30, validate_ml31
from tests.http_source import serving
from tests.providers.conftest import FLOW, small_csv
from tests.registrations.conftest import PA_DESA, PA_NSO, submit_request

SOURCE = {"body": small_csv(sex="_T"), "etag": '"v1"', "gets": 0}


class _Csv(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802
        SOURCE["gets"] = int(SOURCE["gets"]) + 1  # type: ignore[call-overload]
        if self.headers.get("If-None-Match") == SOURCE["etag"]:
            self.send_response(304)
            self.end_headers()
            return
        body = SOURCE["body"]
        assert isinstance(body, bytes)
        self.send_response(200)
        self.send_header("Content-Type", "application/vnd.sdmx.data+csv;version=1.0.0")
        self.send_header("ETag", str(SOURCE["etag"]))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def source() -> Iterator[str]:
    SOURCE.update(body=small_csv(sex="_T"), etag='"v1"', gets=0)
    with serving(_Csv) as url:
        yield f"{url}/nso.csv"


@pytest.fixture
def client(providers_app: Flask) -> FlaskClient:
    return providers_app.test_client()


def _post(client: FlaskClient, token: str | None, body: bytes, media: str = "application/xml"):
    headers = {"Content-Type": media}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return client.post("/rest/v2/registration", data=body, headers=headers)


def _nso_values(client: FlaskClient) -> list[str]:
    """The values the node serves for NSO's provision agreement (sorted)."""
    answer = client.get(
        "/rest/v2/data/provisionagreement/IMDX/PA_NSO/1.0.0/*",
        headers={"Accept": "application/vnd.sdmx.data+csv;version=2.0.0"},
    )
    if answer.status_code != 200:
        return []
    return sorted(
        r["OBS_VALUE"] for r in csv.DictReader(io.StringIO(answer.get_data(as_text=True)))
    )


def _csv_values(body: bytes) -> list[str]:
    return sorted(r["OBS_VALUE"] for r in csv.DictReader(io.StringIO(body.decode())))


def test_a_provider_registers_a_simple_source_and_the_node_pulls_it(
    client: FlaskClient, providers_node: Node, nso_token: str, source: str
) -> None:
    assert _nso_values(client) == []
    answer = _post(client, nso_token, submit_request([("Append", "", PA_NSO, source)], simple=True))
    assert answer.status_code == 201, answer.get_data(as_text=True)
    assert answer.content_type == "application/vnd.sdmx.registry+xml;version=2.1"
    assert validate_ml21(answer.data) == []
    assert b'status="Success"' in answer.data and b"observations written" in answer.data
    (stored,) = registrations_of(providers_node).find()
    assert stored.provider == "TEST:NSO" and stored.last_pull is not None
    assert stored.last_pull.outcome == "ok" and stored.last_pull.written > 0
    expected = _csv_values(small_csv(sex="_T"))
    assert expected and _nso_values(client) == expected

    # unchanged source: a conditional request answered 304
    assert pull_all(providers_node)[stored.id].outcome == "not modified"
    # a change at the source reaches the node at the next pull
    SOURCE.update(body=small_csv(sex="_T", scale=3), etag='"v2"')
    assert pull_all(providers_node)[stored.id].outcome == "ok"
    assert _nso_values(client) == _csv_values(small_csv(sex="_T", scale=3))


def test_another_providers_token_is_refused_and_nothing_is_stored(
    client: FlaskClient, providers_node: Node, desa_token: str, source: str
) -> None:
    answer = _post(
        client, desa_token, submit_request([("Append", "", PA_NSO, source)], simple=True)
    )
    assert answer.status_code == 403
    assert registrations_of(providers_node).find() == []
    assert SOURCE["gets"] == 0


def test_one_refused_request_refuses_the_whole_message(
    client: FlaskClient, providers_node: Node, nso_token: str, source: str
) -> None:
    body = submit_request(
        [("Append", "", PA_NSO, source), ("Append", "", PA_DESA, source)], "3.0", simple=True
    )
    assert _post(client, nso_token, body).status_code == 403
    assert registrations_of(providers_node).find() == []


def test_unknown_agreements_malformed_messages_and_no_token_are_refused(
    client: FlaskClient, providers_node: Node, nso_token: str, source: str
) -> None:
    unknown = PA_NSO.replace("PA_NSO", "PA_NOBODY")
    answer = _post(client, nso_token, submit_request([("Append", "", unknown, source)]))
    assert answer.status_code == 404 and b"PA_NOBODY" in answer.data
    bad = submit_request([("Append", "", PA_NSO, source)]).replace(b"Datasource", b"Source")
    assert _post(client, nso_token, bad).status_code in (400, 422)
    assert _post(client, nso_token, b"not xml at all").status_code in (400, 422)
    assert _post(client, None, submit_request([("Append", "", PA_NSO, source)])).status_code == 401
    replace_unknown = submit_request([("Replace", "NOPE", PA_NSO, source)])
    assert _post(client, nso_token, replace_unknown).status_code == 404
    assert registrations_of(providers_node).find() == []


def test_replace_delete_and_json_face(
    client: FlaskClient, providers_node: Node, nso_token: str, desa_token: str, source: str
) -> None:
    body = {
        "registrations": [
            {
                "id": "NSO_1",
                "provisionAgreement": PA_NSO,
                "dataSource": {"url": source, "queryable": False},
            }
        ]
    }
    answer = _post(client, nso_token, json.dumps(body).encode(), "application/json")
    assert answer.status_code == 201
    (entry,) = answer.get_json()["registrations"]
    assert entry["id"] == "NSO_1" and entry["provider"] == "TEST:NSO"
    assert entry["lastPull"]["outcome"] == "ok"
    # the same id again with Append: a conflict; UN DESA may not replace NSO's registration
    assert (
        _post(client, nso_token, json.dumps(body).encode(), "application/json").status_code == 409
    )
    body["registrations"][0]["action"] = "Replace"
    assert (
        _post(client, desa_token, json.dumps(body).encode(), "application/json").status_code == 403
    )
    assert (
        _post(client, nso_token, json.dumps(body).encode(), "application/json").status_code == 200
    )
    body["registrations"][0]["action"] = "Delete"
    assert (
        _post(client, nso_token, json.dumps(body).encode(), "application/json").status_code == 200
    )
    assert registrations_of(providers_node).find() == []


def test_registration_queries(
    client: FlaskClient, providers_node: Node, nso_token: str, source: str
) -> None:
    admin = create_token(providers_node, role="admin")
    body = submit_request(
        [("Append", "NSO_1", PA_NSO, source), ("Append", "DESA_1", PA_DESA, source)], simple=True
    )
    assert _post(client, admin, body).status_code == 201
    xml = {"Accept": "application/vnd.sdmx.registry+xml;version=3.0.0"}
    answer = client.get("/rest/v2/registration/id/NSO_1", headers=xml)
    assert answer.status_code == 200
    assert answer.content_type == "application/vnd.sdmx.registry+xml;version=3.0.0"
    assert (
        validate_ml30(answer.data) == []
        and b"NSO_1" in answer.data
        and b"DESA_1" not in answer.data
    )
    assert (
        client.get(
            "/rest/v2/registration/id/NSO_1",
            headers={"If-None-Match": answer.headers["ETag"], **xml},
        ).status_code
        == 304
    )

    def ids(path: str) -> list[str]:
        got = client.get(path, headers={"Accept": "application/json"})
        return [r["id"] for r in got.get_json()["registrations"]] if got.status_code == 200 else []

    assert ids("/rest/v2/registration/id/*") == ["DESA_1", "NSO_1"]
    assert ids("/rest/v2/registration/provider/TEST/NSO") == ["NSO_1"]
    assert ids("/rest/v2/registration/provider/*/UN_DESA_POP,NSO") == ["DESA_1", "NSO_1"]
    assert ids("/rest/v2/registration/provisionagreement/IMDX/PA_NSO/1.0.0") == ["NSO_1"]
    assert ids("/rest/v2/registration/dataflow/IMDX/DF_MIG_STOCK_IMS/*") == ["DESA_1", "NSO_1"]
    assert ids("/rest/v2/registration/datastructure/IMDX/*") == ["DESA_1", "NSO_1"]
    assert ids("/rest/v2/registration/*/*/PA_NSO") == ["NSO_1"]
    assert ids("/rest/v2/registration/dataflow/IMDX/DF_OTHER") == []
    assert ids("/rest/v2/registration/provider/*/*?updatedAfter=2999-01-01T00:00:00Z") == []
    assert client.get("/rest/v2/registration/id/NONE").status_code == 204
    assert client.get("/rest/v2/registration/nonsense/IMDX/X").status_code == 400
    assert client.get("/rest/v2/registration/id/NSO_1?foo=1").status_code == 400
    assert FLOW  # the dataflow both agreements report


def test_the_registrations_page_lists_last_pulls(
    client: FlaskClient, nso_token: str, source: str
) -> None:
    empty = client.get("/registrations")
    assert empty.status_code == 200 and b"No data source is registered" in empty.data
    body = submit_request([("Append", "NSO_PAGE", PA_NSO, source)], simple=True)
    assert _post(client, nso_token, body).status_code == 201
    page = client.get("/registrations").get_data(as_text=True)
    assert 'data-registration="NSO_PAGE"' in page and "TEST:NSO" in page
    assert "IMDX:PA_NSO(1.0.0)" in page and source in page
    written = len(_csv_values(small_csv(sex="_T")))
    assert f"{written} / 0" in page and 'class="outcome-ok"' in page


def test_query_formats(client: FlaskClient, nso_token: str, source: str) -> None:
    body = submit_request([("Append", "NSO_F", PA_NSO, source)], "3.1", simple=True)
    posted = _post(client, nso_token, body)
    assert posted.status_code == 201
    assert posted.content_type == "application/vnd.sdmx.registry+xml;version=3.1.0"
    assert validate_ml31(posted.data) == []
    default = client.get("/rest/v2/registration/id/NSO_F")
    assert default.content_type == "application/vnd.sdmx.registry+xml;version=3.0.0"
    v21 = client.get("/rest/v2/registration/id/NSO_F?format=sdmx-ml&formatVersion=2.1")
    assert v21.content_type == "application/vnd.sdmx.registry+xml;version=2.1"
    assert validate_ml21(v21.data) == [] and b"NSO_F" in v21.data
    v31 = client.get(
        "/rest/v2/registration/id/NSO_F",
        headers={"Accept": "application/vnd.sdmx.registry+xml;version=3.1.0"},
    )
    assert validate_ml31(v31.data) == [] and b"/v3_1/registry" in v31.data
    plain = client.get("/rest/v2/registration/id/NSO_F", headers={"Accept": "application/json"})
    assert plain.content_type == "application/json"
    assert plain.get_json()["registrations"][0]["lastPull"]["outcome"] == "ok"
    refused = client.get(
        "/rest/v2/registration/id/NSO_F",
        headers={"Accept": "application/vnd.sdmx.structure+xml;version=2.1"},
    )
    assert refused.status_code == 406


def test_a_registration_not_yet_valid_is_stored_but_not_pulled(
    client: FlaskClient, providers_node: Node, nso_token: str, source: str
) -> None:
    body = {
        "registrations": [
            {
                "id": "LATER",
                "provisionAgreement": PA_NSO,
                "dataSource": {"url": source, "queryable": False},
                "validFrom": "2999-01-01T00:00:00Z",
            }
        ]
    }
    answer = _post(client, nso_token, json.dumps(body).encode(), "application/json")
    assert answer.status_code == 201
    assert "outside its validity" in answer.get_json()["registrations"][0]["message"]
    assert SOURCE["gets"] == 0 and pull_all(providers_node) == {}
    assert registrations_of(providers_node).get("LATER") is not None
