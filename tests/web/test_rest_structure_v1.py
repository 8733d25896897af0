"""SDMX-REST 1.5 structure queries over HTTP against real agency structures."""

from __future__ import annotations

import gzip
import re

import pytest
import sdmx
from flask.testing import FlaskClient

from sdmxnode.validation.schema import validate_ml21
from tests.web.conftest import ML21, assert_valid_structure

pytestmark = pytest.mark.corpus


def test_dataflows_list_by_default_in_sdmx_ml_21(loaded_client: FlaskClient) -> None:
    response = loaded_client.get("/rest/dataflow")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == ML21
    message = assert_valid_structure(response)
    ids = {(df.maintainer.id, df.id) for df in message.dataflow.values()}
    assert ids == {("ECB", "EXR"), ("UNICEF", "GLOBAL_DATAFLOW"), ("FR1", "CNA-2010-CONSO-SI-A17")}


def test_truncated_paths_take_defaults(loaded_client: FlaskClient) -> None:
    full = loaded_client.get("/rest/codelist/ECB/all/latest")
    for path in ("/rest/codelist/ECB", "/rest/codelist/ECB/all"):
        response = loaded_client.get(path)
        assert response.status_code == 200
        assert response.get_data().count(b"<str:Codelist ") == full.get_data().count(
            b"<str:Codelist "
        )
    assert full.get_data().count(b"<str:Codelist ") == 11


def test_dataflow_with_references_all(loaded_client: FlaskClient) -> None:
    response = loaded_client.get("/rest/dataflow/ECB/EXR/latest?references=all")
    assert response.status_code == 200
    message = assert_valid_structure(response)
    assert set(message.structure) == {"ECB_EXR1"}
    assert len(message.codelist) == 11
    assert set(message.concept_scheme) == {"ECB_CONCEPTS"}
    assert set(message.constraint) == {"EXR_CONSTRAINTS"}
    assert len(message.categorisation) == 1
    currency = message.codelist["CL_CURRENCY"]
    original = sdmx.read_sdmx(_corpus_file("ECB-EXR-structure-full.xml")).codelist["CL_CURRENCY"]
    assert [c.id for c in currency] == [c.id for c in original]
    assert str(currency["USD"].name) == str(original["USD"].name)


def test_upward_reference_by_type(loaded_client: FlaskClient) -> None:
    response = loaded_client.get("/rest/datastructure/ECB/ECB_EXR1?references=dataflow")
    message = assert_valid_structure(response)
    assert set(message.dataflow) == {"EXR"}
    assert set(message.structure) == {"ECB_EXR1"}


def test_children_and_parents(loaded_client: FlaskClient) -> None:
    children = assert_valid_structure(
        loaded_client.get("/rest/dataflow/ECB/EXR?references=children")
    )
    assert set(children.structure) == {"ECB_EXR1"}
    # one level only: the DSD's code lists are mere references, not artefacts
    assert all(cl.is_external_reference for cl in children.codelist.values())
    parents = assert_valid_structure(
        loaded_client.get("/rest/codelist/ECB/CL_CURRENCY?references=parents")
    )
    assert set(parents.structure) == {"ECB_EXR1"}


def test_plus_lists_and_explicit_versions(loaded_client: FlaskClient) -> None:
    response = loaded_client.get("/rest/codelist/ECB/CL_FREQ+CL_CURRENCY/1.0")
    message = assert_valid_structure(response)
    assert set(message.codelist) == {"CL_FREQ", "CL_CURRENCY"}
    assert loaded_client.get("/rest/codelist/ECB/CL_FREQ/9.9").status_code == 404


def test_unknown_artefact_is_404_with_sdmx_error(loaded_client: FlaskClient) -> None:
    response = loaded_client.get("/rest/codelist/ECB/CL_NOPE")
    assert response.status_code == 404
    assert validate_ml21(response.get_data()) == []
    assert b'code="100"' in response.get_data()


@pytest.mark.parametrize(
    "path, part",
    [
        ("/rest/codelist/ECB/CL_FREQ/1.x", b"version"),
        ("/rest/codelist/ECB/CL_FREQ?detail=everything", b"detail"),
        ("/rest/codelist/ECB/CL_FREQ?references=cousins", b"references"),
        ("/rest/nosuchresource/ECB", b"nosuchresource"),
        ("/rest/dataflow/ECB/EXR/1.0/ITEM", b"item"),
        ("/rest/codelist/EC B/CL_FREQ", b"EC B"),
    ],
)
def test_malformed_queries_are_400_naming_the_part(
    loaded_client: FlaskClient, path: str, part: bytes
) -> None:
    response = loaded_client.get(path)
    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("application/xml")
    assert b'code="140"' in response.get_data()
    assert part.lower() in response.get_data().lower()


def test_unsupported_media_type_is_406_listing_offers(loaded_client: FlaskClient) -> None:
    response = loaded_client.get("/rest/codelist/ECB/CL_FREQ", headers={"Accept": "text/csv"})
    assert response.status_code == 406
    assert b"application/vnd.sdmx.structure+xml;version=2.1" in response.get_data()


def test_accept_selects_format(loaded_client: FlaskClient) -> None:
    for accept, expected in [
        ("application/vnd.sdmx.structure+xml;version=2.1", "version=2.1"),
        ("application/xml", "version=2.1"),
        ("*/*", "version=2.1"),
        ("application/vnd.sdmx.structure+json;version=1.0.0", "version=1.0.0"),
        ("application/vnd.sdmx.structure+xml;version=3.0.0", "version=3.0.0"),
        ("application/vnd.sdmx.structure+json;version=2.0.0, */*;q=0.1", "version=2.0.0"),
    ]:
        response = loaded_client.get("/rest/codelist/ECB/CL_FREQ", headers={"Accept": accept})
        assert response.status_code == 200, accept
        assert expected in response.headers["Content-Type"], accept


def test_conditional_requests(loaded_client: FlaskClient) -> None:
    first = loaded_client.get("/rest/codelist/ECB/CL_FREQ")
    etag = first.headers["ETag"]
    assert first.headers["Last-Modified"]
    again = loaded_client.get("/rest/codelist/ECB/CL_FREQ", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.get_data() == b""
    since = loaded_client.get(
        "/rest/codelist/ECB/CL_FREQ", headers={"If-Modified-Since": first.headers["Last-Modified"]}
    )
    assert since.status_code == 304
    other = loaded_client.get("/rest/codelist/ECB/CL_CURRENCY", headers={"If-None-Match": etag})
    assert other.status_code == 200


def test_gzip_and_head_and_cors(loaded_client: FlaskClient) -> None:
    plain = loaded_client.get("/rest/codelist/ECB/CL_CURRENCY")
    zipped = loaded_client.get(
        "/rest/codelist/ECB/CL_CURRENCY", headers={"Accept-Encoding": "gzip"}
    )
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert _without_header(gzip.decompress(zipped.get_data())) == _without_header(plain.get_data())
    assert zipped.headers["ETag"] == plain.headers["ETag"]
    assert zipped.headers["ETag"].startswith('W/"')
    head = loaded_client.head("/rest/codelist/ECB/CL_CURRENCY")
    assert head.status_code == 200 and head.get_data() == b""
    error = loaded_client.get("/rest/codelist/ECB/CL_NOPE")
    assert error.headers["Access-Control-Allow-Origin"] == "*"
    assert plain.headers["Access-Control-Allow-Origin"] == "*"
    assert "Accept" in plain.headers["Vary"]


def test_unserved_standard_resources_are_501(loaded_client: FlaskClient) -> None:
    # Reference metadata is served (tests/web/test_rest_metadata.py): a node without sets
    # finds none.
    assert loaded_client.get("/rest/metadata/metadataset").status_code == 404
    assert loaded_client.get("/rest/v2/metadata/metadataset").status_code == 204
    # Registrations are served (tests/registrations): a node without them finds none.
    assert loaded_client.get("/rest/v2/registration/provider/ECB/ANY").status_code == 204


def _without_header(message: bytes) -> bytes:
    return re.sub(rb"<mes:Header>.*</mes:Header>", b"", message, flags=re.S)


def _corpus_file(name: str):
    from tests.conftest import CORPUS

    return CORPUS / name
