"""The reporting taxonomy (IMDX:RT_MIGRATION), the process (IMDX:PROC_MIG_EXCHANGE) and the
data consumer scheme (IMDX:DATA_CONSUMERS) on both API lines: every structure format,
valid against the official schemas, `detail`, item queries and `references`.

sdmx1 reads neither a reporting taxonomy nor a process and pysdmx models neither, so their
content is checked in the documents; the consumer scheme is read back by both clients."""

from __future__ import annotations

import contextlib
import io
import json

import pytest
import sdmx
from flask.testing import FlaskClient
from lxml import etree

from sdmxnode.authoring.taxonomy import NOT_REPORTED, TOPICS
from sdmxnode.validation.schema import validate_ml21
from tests.web.conftest import (
    JSON10,
    JSON20,
    JSON21,
    ML21,
    ML30,
    ML31,
    assert_valid_structure,
    read_with_pysdmx,
)

RT = "reportingtaxonomy/IMDX/RT_MIGRATION/1.0.0"
PROCESS = "process/IMDX/PROC_MIG_EXCHANGE/1.0.0"
CONSUMERS = "dataconsumerscheme/IMDX/DATA_CONSUMERS/1.0"
DATAFLOW = "urn:sdmx:org.sdmx.infomodel.datastructure.Dataflow=IMDX:{}(1.0.0)"
LINES = [("/rest/", ML21), ("/rest/", JSON10)] + [
    ("/rest/v2/structure/", accept) for accept in (ML30, ML31, JSON20, JSON21)
]


def _get(client: FlaskClient, url: str, accept: str):
    response = client.get(url, headers={"Accept": accept})
    assert response.status_code == 200, response.get_data()[:300]
    return response


def _valid_tree(client: FlaskClient, url: str, accept: str = ML21) -> etree._Element:
    """The answer as an element tree, valid against its schema (SDMX-ML 2.1 is checked
    here: sdmx1, which `assert_valid_structure` reads 2.1 with, reads no taxonomy)."""
    response = _get(client, url, accept)
    if accept == ML21:
        assert validate_ml21(response.get_data()) == []
    else:
        assert_valid_structure(response)
    return etree.fromstring(response.get_data())


def _topics(document: dict) -> dict[str, list[str]]:
    (taxonomy,) = document["data"]["reportingTaxonomies"]
    return {c["id"]: c.get("provisioningMetadata", []) for c in taxonomy["reportingCategories"]}


@pytest.mark.parametrize(("prefix", "accept"), LINES)
def test_taxonomy_in_every_format(migration_client: FlaskClient, prefix: str, accept: str) -> None:
    """Each topic's dataflows, in the order authored, as URNs (2.1 as `Ref`s)."""
    url = f"{prefix}{RT}"
    expected = {t.id: [DATAFLOW.format(f) for f in t.dataflows] for t in TOPICS}
    if "json" in accept:
        document = assert_valid_structure(_get(migration_client, url, accept))
        assert isinstance(document, dict)
        assert _topics(document) == expected
        return
    root = _valid_tree(migration_client, url, accept)
    found: dict[str, list[str]] = {}
    for category in root.iterfind(".//{*}ReportingTaxonomy/{*}ReportingCategory"):
        urns = []
        for reference in category.iterfind("{*}ProvisioningMetadata"):
            ref = reference.find("Ref")
            urns.append(DATAFLOW.format(ref.get("id")) if ref is not None else reference.text)
        found[category.get("id")] = urns
    assert found == expected


def test_taxonomy_definitions_are_metadataflows(migration_client: FlaskClient) -> None:
    document = assert_valid_structure(_get(migration_client, f"/rest/v2/structure/{RT}", JSON20))
    assert isinstance(document, dict)
    (taxonomy,) = document["data"]["reportingTaxonomies"]
    stocks = next(c for c in taxonomy["reportingCategories"] if c["id"] == "STOCKS")
    (definitions,) = stocks["reportingCategories"]
    assert definitions["id"] == "STOCKS_DEF"
    assert definitions["provisioningMetadata"] == [
        "urn:sdmx:org.sdmx.infomodel.metadatastructure.Metadataflow=IMDX:MDF_MIG_STOCK(1.0.0)"
    ]


def test_every_dataflow_is_reported_or_said_why_not(migration_client: FlaskClient) -> None:
    """The template covers the node's dataflows: each is in a topic or in NOT_REPORTED."""
    document = json.loads(_get(migration_client, "/rest/dataflow/IMDX/all/latest", JSON10).data)
    held = {flow["id"] for flow in document["data"]["dataflows"]}
    reported = {flow for topic in TOPICS for flow in topic.dataflows}
    assert reported.isdisjoint(NOT_REPORTED)
    assert held == reported | set(NOT_REPORTED)


def test_sdmx1_reads_no_taxonomy(migration_client: FlaskClient) -> None:
    """Why `references=parents` and `all` leave the taxonomy out (`NAMED_PARENTS`): this
    test fails once sdmx1 reads it."""
    body = _get(migration_client, f"/rest/{RT}", ML21).get_data()
    with contextlib.redirect_stdout(io.StringIO()):  # sdmx1 prints its parse state
        with pytest.raises(sdmx.exceptions.XMLParseError, match="ReportingTaxonomies"):
            sdmx.read_sdmx(io.BytesIO(body))


@pytest.mark.parametrize("accept", [ML21, ML30])
def test_an_item_query_gives_the_category_with_its_ancestors(
    migration_client: FlaskClient, accept: str
) -> None:
    prefix = "/rest/" if accept == ML21 else "/rest/v2/structure/"
    root = _valid_tree(migration_client, f"{prefix}{RT}/FLOWS.FLOWS_DEF", accept)
    (taxonomy,) = root.iterfind(".//{*}ReportingTaxonomy")
    assert taxonomy.get("isPartial") == "true"
    assert [c.get("id") for c in taxonomy.iterfind("{*}ReportingCategory")] == ["FLOWS"]
    assert [c.get("id") for c in taxonomy.iterfind(".//{*}ReportingCategory")] == [
        "FLOWS",
        "FLOWS_DEF",
    ]


def test_an_item_the_taxonomy_lacks_is_404(migration_client: FlaskClient) -> None:
    response = migration_client.get(f"/rest/{RT}/NO_SUCH_TOPIC")
    assert response.status_code == 404


@pytest.mark.parametrize(("detail", "kept"), [("allstubs", False), ("allcompletestubs", True)])
@pytest.mark.parametrize("path", [RT, PROCESS])
def test_stubs_hold_no_categories_or_steps(
    migration_client: FlaskClient, path: str, detail: str, kept: bool
) -> None:
    for prefix, accept in (("/rest/", ML21), ("/rest/v2/structure/", ML30)):
        root = _valid_tree(migration_client, f"{prefix}{path}?detail={detail}", accept)
        (artefact,) = [e for e in root.iterfind(".//{*}Structures/*/*")]
        assert artefact.get("isExternalReference") == "true"
        assert artefact.find("{*}ReportingCategory") is None
        assert artefact.find("{*}ProcessStep") is None
        assert (artefact.find("{*}Description") is not None) is kept


def test_a_dataflow_names_its_taxonomy_and_process_only_when_asked(
    migration_client: FlaskClient,
) -> None:
    base = "/rest/dataflow/IMDX/DF_MIG_FLOWS/1.0.0"
    for url, accept, expected in (
        (f"{base}?references=reportingtaxonomy", ML21, ["ReportingTaxonomy"]),
        (f"{base}?references=process", ML21, ["Process"]),
        (  # 2.x takes several types
            "/rest/v2/structure/dataflow/IMDX/DF_MIG_FLOWS/1.0.0"
            "?references=reportingtaxonomy,process",
            ML30,
            ["Process", "ReportingTaxonomy"],
        ),
    ):
        root = _valid_tree(migration_client, url, accept)
        found = sorted(
            etree.QName(e).localname
            for e in root.iterfind(".//{*}Structures/*/*")
            if etree.QName(e).localname != "Dataflow"
        )
        assert found == expected, url
    for references in ("parents", "parentsandsiblings", "all"):
        body = _get(migration_client, f"{base}?references={references}", ML21).get_data()
        assert b"ReportingTaxonom" not in body and b"Processes" not in body
        with contextlib.redirect_stdout(io.StringIO()):
            message = sdmx.read_sdmx(io.BytesIO(body))  # what sdmx1's Client asks for
        assert "DF_MIG_FLOWS" in message.dataflow


def test_the_taxonomy_brings_its_flows_as_children(migration_client: FlaskClient) -> None:
    root = _valid_tree(migration_client, f"/rest/v2/structure/{RT}?references=children", ML30)
    flows = {e.get("id") for e in root.iterfind(".//{*}Dataflows/{*}Dataflow")}
    metadataflows = {e.get("id") for e in root.iterfind(".//{*}Metadataflows/{*}Metadataflow")}
    assert flows == {flow for topic in TOPICS for flow in topic.dataflows}
    assert metadataflows == {t.metadataflow for t in TOPICS if t.metadataflow}


@pytest.mark.parametrize(("prefix", "accept"), LINES)
def test_process_in_every_format(migration_client: FlaskClient, prefix: str, accept: str) -> None:
    url = f"{prefix}{PROCESS}"
    if "json" in accept:
        document = assert_valid_structure(_get(migration_client, url, accept))
        assert isinstance(document, dict)
        (process,) = document["data"]["processes"]
        steps = process["processSteps"]
        assert [s["id"] for s in steps] == [
            "REPORT",
            "VALIDATE",
            "CONVERT",
            "STORE",
            "DISSEMINATE",
            "DOCUMENT",
        ]
        validate = steps[1]
        targets = [t["targetStep"] for t in validate["transitions"]]
        step = "urn:sdmx:org.sdmx.infomodel.process.ProcessStep=IMDX:PROC_MIG_EXCHANGE(1.0.0)."
        # SDMX-JSON 1.0 names the target step by URN, 2.0 by its id
        expected = ["CONVERT", "REPORT"]
        assert targets == ([step + t for t in expected] if accept == JSON10 else expected)
        assert validate["inputs"][0]["objectReference"].endswith(
            "Hierarchy=IMDX:HCL_AREA_M49(1.0.0)"
        )
        return
    root = _valid_tree(migration_client, url, accept)
    convert = root.find(".//{*}ProcessStep[@id='CONVERT']")
    assert convert is not None
    references = [
        (r.findtext("URN") if r.find("URN") is not None else r.text)
        for r in convert.iterfind("{*}Input/{*}ObjectReference")
    ]
    # representation maps have no SDMX 2.1 class: 2.1 keeps their URNs
    assert [urn.rsplit("=", 1)[1] for urn in references] == [
        "IMDX:RM_ISO_ALPHA2_AREA(1.0.0)",
        "IMDX:RM_M49_AREA(1.0.0)",
    ]
    (transition,) = convert.iterfind("{*}Transition")
    target = transition.find("{*}TargetStep")
    assert (target.find("Ref").get("id") if accept == ML21 else target.text) == "STORE"


def test_every_input_and_output_of_the_process_is_held(migration_client: FlaskClient) -> None:
    """`references=children` resolves each URN the steps name to an artefact of the node."""
    document = json.loads(_get(migration_client, f"/rest/v2/structure/{PROCESS}", JSON20).data)
    (process,) = document["data"]["processes"]
    named = {
        reference["objectReference"].split("=", 1)[1]
        for step in process["processSteps"]
        for key in ("inputs", "outputs")
        for reference in step.get(key, [])
    }
    children = json.loads(
        _get(migration_client, f"/rest/v2/structure/{PROCESS}?references=children", JSON20).data
    )["data"]
    held = {
        f"{a['agencyID']}:{a['id']}({a['version']})"
        for key, artefacts in children.items()
        if key != "processes"
        for a in artefacts
    }
    assert named and named <= held, named - held


def test_consumer_scheme_read_back_by_sdmx1_and_pysdmx(migration_client: FlaskClient) -> None:
    message = assert_valid_structure(_get(migration_client, f"/rest/{CONSUMERS}", ML21))
    scheme = message.organisation_scheme["DATA_CONSUMERS"]  # type: ignore[attr-defined]
    assert "UNHCR" in scheme.items and "UN_DESA_POP" in scheme.items
    body = _get(migration_client, f"/rest/v2/structure/{CONSUMERS}", ML30).get_data()
    (read,) = read_with_pysdmx(body).get_data_consumer_schemes()
    assert {c.id for c in read.items} == set(scheme.items)


@pytest.mark.parametrize(("prefix", "accept"), LINES)
def test_consumer_scheme_in_every_format(
    migration_client: FlaskClient, prefix: str, accept: str
) -> None:
    response = _get(migration_client, f"{prefix}{CONSUMERS}", accept)
    read = assert_valid_structure(response)
    if isinstance(read, dict):
        (scheme,) = read["data"]["dataConsumerSchemes"]
        assert len(scheme["dataConsumers"]) == 9
