"""SDMX media types are sent exactly as the SDMX-REST specs spell them (1.5 `4_6_conneg.md`,
2.x `content_negotiation.md`): `application/vnd.sdmx.<x>+<y>;version=<v>`, no space and no
charset parameter, on every resource; clients and the SDMX compliance kit compare them
literally. A charset belongs only to text/* and non-SDMX types."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from sdmxnode.formats.columnar import COLUMNAR_MEDIA_TYPES
from sdmxnode.formats.registry import list_formats

FLOW_V1 = "IMDX,DF_MIG_STOCK_IMS,1.0.0"
FLOW_V2 = "dataflow/IMDX/DF_MIG_STOCK_IMS/1.0.0"
CASES = [
    (f"/rest/data/{FLOW_V1}/A.FRA......", f"/rest/v2/data/{FLOW_V2}/A.FRA.*.*.*.*.*.*", "data"),
    ("/rest/codelist/IMDX/CL_AREA", "/rest/v2/structure/codelist/IMDX/CL_AREA", "structure"),
    (f"/rest/schema/{FLOW_V2}", f"/rest/v2/schema/{FLOW_V2}", "schema"),
]


def _spelled(fmt_media_type: str, version: str) -> str:
    return f"{fmt_media_type};version={version}"


@pytest.mark.parametrize("v1, v2, kind", CASES)
def test_every_format_is_answered_with_the_media_type_as_spelled(
    migration_client: FlaskClient, v1: str, v2: str, kind: str
) -> None:
    checked = 0
    for fmt in list_formats(kind):
        if "draft" in fmt.media_type:
            continue
        expected = fmt.content_type  # no version: Parquet and Arrow
        assert expected == (
            _spelled(fmt.media_type, fmt.version) if fmt.version else fmt.media_type
        )
        for path in (v1, v2):
            # closed unread: a streamed answer left open is closed by the garbage collector
            # later, inside another request's context, which Flask reports as an error
            with migration_client.get(path, headers={"Accept": expected}) as response:
                if response.status_code == 406:  # not offered on this API line
                    continue
                assert response.status_code == 200, (path, expected, response.get_data()[:300])
                assert response.headers["Content-Type"] == expected, path
                checked += 1
    assert checked >= len(list_formats(kind)) - 1


def test_defaults_and_availability_carry_no_charset(migration_client: FlaskClient) -> None:
    for path in (
        "/rest/codelist/IMDX/CL_AREA",
        "/rest/v2/structure/codelist/IMDX/CL_AREA",
        f"/rest/data/{FLOW_V1}/A.FRA......",
        f"/rest/schema/{FLOW_V2}",
        f"/rest/v2/schema/{FLOW_V2}",
        f"/rest/availableconstraint/{FLOW_V1}/A.FRA......",
        f"/rest/v2/availability/{FLOW_V2}/A.FRA.*.*.*.*.*.*",
    ):
        response = migration_client.get(path)
        assert response.status_code == 200, path
        content_type = response.headers["Content-Type"]
        assert content_type.startswith("application/vnd.sdmx."), (path, content_type)
        assert "charset" not in content_type and " " not in content_type, (path, content_type)


def test_the_406_list_spells_the_offered_media_types(migration_client: FlaskClient) -> None:
    response = migration_client.get(
        "/rest/codelist/IMDX/CL_AREA", headers={"Accept": "application/vnd.sdmx.nothing+xml"}
    )
    assert response.status_code == 406
    body = response.get_data(as_text=True)
    for fmt in list_formats("structure"):
        if fmt.sdmx_ml == "2.1" or "json" in fmt.media_type:
            assert _spelled(fmt.media_type, fmt.version) in body
    # The error message itself is not an SDMX media type: plain XML, charset allowed.
    assert response.headers["Content-Type"].startswith("application/xml")


def test_sdmx1_recognises_every_message_media_type_the_node_sends() -> None:
    """sdmx1's Client picks its reader from the Content-Type (the JSON Schema of 2.x schema
    queries is no SDMX message: sdmx1 reads none)."""
    import sdmx.reader

    for fmt in list_formats():
        if fmt.media_type.endswith("schema+json"):
            continue
        if fmt.kind == "registration":
            # sdmx1 2.28 reads no RegistryInterface message (README: Registrations).
            with pytest.raises(ValueError, match="not supported"):
                sdmx.reader.get_reader_for_media_type(fmt.content_type)
            continue
        if fmt.media_type in COLUMNAR_MEDIA_TYPES or fmt.name == "xlsx":
            # Parquet, Arrow and Excel are downloads for people and analysts, no SDMX message.
            with pytest.raises(ValueError, match="not supported"):
                sdmx.reader.get_reader_for_media_type(fmt.content_type)
            continue
        if fmt.media_type.endswith("metadata+json"):
            # sdmx1 2.28 has no SDMX-JSON metadata reader at all (README: who reads what).
            with pytest.raises(ValueError, match="not supported"):
                sdmx.reader.get_reader_for_media_type(fmt.content_type)
            continue
        assert sdmx.reader.get_reader_for_media_type(fmt.content_type), fmt.content_type


def test_metadata_answers_carry_the_media_type_as_spelled(migration_client: FlaskClient) -> None:
    """Reference metadata (2.x `metadata` queries) in every format the node writes."""
    path = "/rest/v2/metadata/metadataflow/*/*/*"
    for fmt in list_formats("metadata"):
        response = migration_client.get(path, headers={"Accept": fmt.content_type})
        assert response.status_code == 200, (fmt.name, response.get_data()[:300])
        assert response.headers["Content-Type"] == _spelled(fmt.media_type, fmt.version)
