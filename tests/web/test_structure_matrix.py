"""Every format, detail level, references value and resource, on the node's own migration
structures: each answer is valid against its official schema and holds what it should."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests.conftest import PROJECT_ROOT
from tests.web.conftest import assert_valid_structure

FORMATS = {
    "sdmx-ml-2.1": ("/rest", "application/vnd.sdmx.structure+xml;version=2.1"),
    "sdmx-json-1.0": ("/rest", "application/vnd.sdmx.structure+json;version=1.0.0"),
    "sdmx-ml-3.0": ("/rest/v2/structure", "application/vnd.sdmx.structure+xml;version=3.0.0"),
    "sdmx-ml-3.1": ("/rest/v2/structure", "application/vnd.sdmx.structure+xml;version=3.1.0"),
    "sdmx-json-2.0": ("/rest/v2/structure", "application/vnd.sdmx.structure+json;version=2.0.0"),
    "sdmx-json-2.1": ("/rest/v2/structure", "application/vnd.sdmx.structure+json;version=2.1.0"),
}
DETAILS = [
    "full",
    "allstubs",
    "referencestubs",
    "allcompletestubs",
    "referencecompletestubs",
    "referencepartial",
]
REFERENCES = ["none", "parents", "parentsandsiblings", "children", "descendants", "all", "codelist"]
RESOURCES = [
    "dataflow",
    "datastructure",
    "codelist",
    "conceptscheme",
    "categoryscheme",
    "categorisation",
    "agencyscheme",
    "contentconstraint",
]
V2_RESOURCE = {"contentconstraint": "dataconstraint"}


def _get(client: FlaskClient, fmt: str, path: str, query: str = ""):
    prefix, accept = FORMATS[fmt]
    if prefix.endswith("/v2/structure"):
        parts = path.split("/")
        parts[0] = V2_RESOURCE.get(parts[0], parts[0])
        path = "/".join(parts).replace("/latest", "/~").replace("/all", "/*")
    response = client.get(f"{prefix}/{path}{query}", headers={"Accept": accept})
    assert response.status_code == 200, response.get_data()[:500]
    assert accept.split(";")[0] in response.headers["Content-Type"]
    return response


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("detail", DETAILS)
def test_every_detail_is_valid(migration_client: FlaskClient, fmt: str, detail: str) -> None:
    response = _get(
        migration_client,
        fmt,
        "dataflow/IMDX/DF_MIG_STOCK_IMS/latest",
        f"?detail={detail}&references=all",
    )
    assert_valid_structure(response)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("references", REFERENCES)
def test_every_references_value_is_valid(
    migration_client: FlaskClient, fmt: str, references: str
) -> None:
    response = _get(
        migration_client, fmt, "datastructure/IMDX/DSD_MIG_STOCK", f"?references={references}"
    )
    assert_valid_structure(response)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("resource", RESOURCES)
def test_every_resource_lists_valid(migration_client: FlaskClient, fmt: str, resource: str) -> None:
    assert_valid_structure(_get(migration_client, fmt, resource))


@pytest.mark.parametrize("fmt", FORMATS)
def test_item_queries_are_partial_and_valid(migration_client: FlaskClient, fmt: str) -> None:
    plus = "," if "v2" in FORMATS[fmt][0] else "+"
    response = _get(migration_client, fmt, f"codelist/IMDX/CL_AREA/1.0.0/FRA{plus}DEU")
    assert_valid_structure(response)
    body = response.get_data()
    assert b"FRA" in body and b"DEU" in body and b"ITA" not in body


def test_stubs_have_no_items(migration_client: FlaskClient) -> None:
    message = assert_valid_structure(
        _get(migration_client, "sdmx-ml-2.1", "codelist/IMDX/CL_AREA", "?detail=allstubs")
    )
    area = message.codelist["CL_AREA"]
    assert len(area) == 0
    assert area.is_external_reference
    assert str(area.name)


def test_dataflow_list_is_the_projects(migration_client: FlaskClient) -> None:
    message = assert_valid_structure(_get(migration_client, "sdmx-ml-2.1", "dataflow"))
    assert "DF_MIG_STOCK_IMS" in message.dataflow
    assert len(message.dataflow) == 25  # the 2017 origin-by-destination edition is the 25th


def test_referencepartial_trims_to_used_and_allowed(migration_client: FlaskClient) -> None:
    response = _get(
        migration_client,
        "sdmx-ml-2.1",
        "dataflow/IMDX/DF_MIG_STOCK_IMS/latest",
        "?references=descendants&detail=referencepartial",
    )
    message = assert_valid_structure(response)
    # The constraint of DF_MIG_STOCK_IMS allows FREQ=A only; EDUCATION_LEV=_T only.
    assert [c.id for c in message.codelist["CL_FREQ"]] == ["A"]
    assert [c.id for c in message.codelist["CL_EDUCATION_LEV"]] == ["_T"]
    assert str(message.codelist["CL_FREQ"].is_partial).lower() == "true"
    # REF_AREA is not constrained: the whole area list.
    assert len(message.codelist["CL_AREA"]) == 286
    # Only the concepts the DSD uses, not the whole migration concept scheme.
    concepts = message.concept_scheme["CS_MIGRATION"]
    assert "REF_AREA" in concepts and "REMIT_ITEM" not in concepts


def _m49_parents() -> dict[str, str | None]:
    """Each CL_AREA code's parent as the project's SDMX-ML 2.1 code list gives it (lxml)."""
    from lxml import etree

    structure = "{http://www.sdmx.org/resources/sdmxml/schemas/v2_1/structure}"
    root = etree.parse(str(PROJECT_ROOT / "codelists" / "IMDX-CL_AREA-1.0.0.xml")).getroot()
    parents: dict[str, str | None] = {}
    for code in root.iter(f"{structure}Code"):
        parent = code.find(f"{structure}Parent/Ref")
        parents[code.get("id")] = None if parent is None else parent.get("id")
    return parents


def test_json_21_keeps_the_whole_m49_hierarchy(migration_client: FlaskClient) -> None:
    """SDMX 3.1 makes a code's parent a reference to a code of the list: numeric M49
    parents (`FRA` in `155`, `155` in `150`) are written, as the code list holds them."""
    document = assert_valid_structure(
        _get(migration_client, "sdmx-json-2.1", "codelist/IMDX/CL_AREA/1.0.0")
    )
    assert isinstance(document, dict)
    assert document["meta"]["schema"].endswith("/2.1/sdmx-json-structure-schema.json")
    (area,) = document["data"]["codelists"]
    written = {code["id"]: code.get("parent") for code in area["codes"]}
    expected = _m49_parents()
    assert written == expected
    assert sum(parent is not None for parent in written.values()) > 200


def test_sdmx_ml_31_keeps_the_whole_m49_hierarchy(migration_client: FlaskClient) -> None:
    """SDMX-ML 3.1 types a code's parent as an IDType: the numeric M49 parents that the
    3.0 output leaves out (its XSD wants an NCName) are written as the code list holds them."""
    from lxml import etree

    response = _get(migration_client, "sdmx-ml-3.1", "codelist/IMDX/CL_AREA/1.0.0")
    read = assert_valid_structure(response)
    assert [c.id for c in read.structures] == ["CL_AREA"]
    structure = "{http://www.sdmx.org/resources/sdmxml/schemas/v3_1/structure}"
    root = etree.fromstring(response.get_data())
    written = {
        code.get("id"): code.findtext(f"{structure}Parent")
        for code in root.iter(f"{structure}Code")
    }
    assert written == _m49_parents()
    assert sum(parent is not None for parent in written.values()) > 200
    in_30 = _get(migration_client, "sdmx-ml-3.0", "codelist/IMDX/CL_AREA/1.0.0").get_data()
    assert b"<str:Parent>150</str:Parent>" not in in_30
    assert b"<str:Parent>150</str:Parent>" in response.get_data()


@pytest.mark.parametrize("fmt", ["sdmx-ml-3.0", "sdmx-ml-3.1"])
def test_every_artefact_the_node_holds_is_valid(migration_client: FlaskClient, fmt: str) -> None:
    """All the node's structures in one SDMX-ML 3.x message: valid, and pysdmx reads each."""
    _, accept = FORMATS[fmt]
    response = migration_client.get("/rest/v2/structure/*/*/*/*", headers={"Accept": accept})
    assert response.status_code == 200
    read = assert_valid_structure(response)
    kinds = {type(s).__name__ for s in read.structures}
    assert {"Codelist", "Dataflow", "DataConstraint", "DataStructureDefinition"} <= kinds
    assert {"Categorisation", "AgencyScheme", "ConceptScheme", "CategoryScheme"} <= kinds
