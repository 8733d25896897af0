"""How many positions a series key has, on data and availability queries of both API lines.

1.5 (`4_4_data_queries.md`): one position per key dimension, an empty one is a wildcard;
any other length is 400. 2.x (`data.md`): "Any dimension value omitted at the end of the Key
is assumed as equivalent to a wildcard, e.g. D.USD is equivalent to D.USD.*.*.*"; a key
with more positions than dimensions is 400. Every 400 names the dimensions in order and how
many positions were given.
"""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from lxml import etree

from sdmxnode.refs import ArtefactRef

V1_FLOW = "IMDX,DF_MIG_STOCK_IMS,1.0.0"
V2_FLOW = "dataflow/IMDX/DF_MIG_STOCK_IMS/1.0.0"
COMMON_21 = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common"
CSV20 = {"Accept": "application/vnd.sdmx.data+csv;version=2.0.0"}


@pytest.fixture(scope="module")
def dimensions(migration_resolver) -> list[str]:
    info = migration_resolver(ArtefactRef("Dataflow", "IMDX", "DF_MIG_STOCK_IMS", "1.0.0"))
    return [dimension.id for dimension in info.dimensions]


def _error_text(response) -> str:
    """The error's text, from the SDMX-ML 2.1 (1.5) or SDMX-JSON (2.x) error message."""
    if response.mimetype == "application/json":
        return response.get_json()["errors"][0]["detail"]
    root = etree.fromstring(response.get_data())
    return " ".join(text.text or "" for text in root.iter(f"{{{COMMON_21}}}Text"))


def _assert_names_dimensions(response, dimensions: list[str], given: int) -> str:
    assert response.status_code == 400, response.get_data()[:300]
    assert response.mimetype in ("application/xml", "application/json")
    text = _error_text(response)
    assert f"has {given} position{'s' * (given != 1)}" in text
    assert f"{len(dimensions)} key dimensions" in text
    assert ".".join(dimensions) in text
    return text


@pytest.mark.parametrize("positions", [2, 7, 9])
def test_v1_data_key_of_the_wrong_length_is_400_naming_the_dimensions(
    migration_client: FlaskClient, dimensions: list[str], positions: int
) -> None:
    key = ".".join(["A", "FRA"] + [""] * (positions - 2))
    response = migration_client.get(f"/rest/data/{V1_FLOW}/{key}")
    _assert_names_dimensions(response, dimensions, positions)


def test_v1_availability_key_of_the_wrong_length_is_400_naming_the_dimensions(
    migration_client: FlaskClient, dimensions: list[str]
) -> None:
    response = migration_client.get(f"/rest/availableconstraint/{V1_FLOW}/A.FRA")
    text = _assert_names_dimensions(response, dimensions, 2)
    assert "'A.FRA" + "." * (len(dimensions) - 2) + "'" in text  # the key to send instead


@pytest.mark.parametrize("path", ["data", "availability"])
def test_v2_key_longer_than_the_dimensions_is_400_naming_them(
    migration_client: FlaskClient, dimensions: list[str], path: str
) -> None:
    key = ".".join(["A", "FRA"] + ["*"] * (len(dimensions) - 1))
    response = migration_client.get(f"/rest/v2/{path}/{V2_FLOW}/{key}")
    text = _assert_names_dimensions(response, dimensions, len(dimensions) + 1)
    assert "left out at the end" in text


def _series_keys(response) -> set[str]:
    assert response.status_code == 200, response.get_data()[:300]
    assert response.mimetype == "application/vnd.sdmx.data+csv"
    lines = response.get_data(as_text=True).splitlines()
    header = lines[0].split(",")
    first, last = header.index("FREQ"), header.index("TIME_PERIOD")
    return {".".join(line.split(",")[first:last]) for line in lines[1:]}


def test_v2_positions_left_out_at_the_end_are_wildcards(
    migration_client: FlaskClient, dimensions: list[str]
) -> None:
    """The standard's rule (`data.md`), kept: `A.FRA` is `A.FRA.*.*.*.*.*.*`."""
    full = ".".join(["A", "FRA"] + ["*"] * (len(dimensions) - 2))
    short = _series_keys(migration_client.get(f"/rest/v2/data/{V2_FLOW}/A.FRA", headers=CSV20))
    assert short == _series_keys(
        migration_client.get(f"/rest/v2/data/{V2_FLOW}/{full}", headers=CSV20)
    )
    assert short and all(key.startswith("A.FRA.") for key in short)
    availability = migration_client.get(f"/rest/v2/availability/{V2_FLOW}/A.FRA")
    explicit = migration_client.get(f"/rest/v2/availability/{V2_FLOW}/{full}")
    assert availability.status_code == explicit.status_code == 200
    assert availability.mimetype == "application/vnd.sdmx.structure+json"
    constraints = [r.get_json()["data"]["dataConstraints"] for r in (availability, explicit)]
    assert constraints[0] == constraints[1]
    (region,) = constraints[0][0]["cubeRegions"]
    areas = [
        v["value"] for kv in region["keyValues"] if kv["id"] == "REF_AREA" for v in kv["values"]
    ]
    assert areas == ["FRA"]
