"""DSDs, dataflows, constraints and categorisations: references resolve inside the repository."""

from __future__ import annotations

import sdmx
from lxml import etree

from tests.structures.conftest import NS, PROJECT

DSD_IDS = {
    "DSD_MIG_STOCK",
    "DSD_MIG_FLOW",
    "DSD_MIG_PROT",
    "DSD_MIG_REMIT",
    "DSD_MIG_LAB",
    "DSD_MIG_TEMP",
    "DSD_MIG_TIP",
    "DSD_MIG_POL",
}


def _all(dsd_trees: dict, xpath: str) -> list[etree._Element]:
    return [node for tree in dsd_trees.values() for node in tree.iterfind(xpath, NS)]


def test_the_eight_dsds_are_present(dsd_trees: dict) -> None:
    assert {node.get("id") for node in _all(dsd_trees, ".//str:DataStructure")} == DSD_IDS


def test_every_dsd_ends_with_its_time_dimension(dsd_trees: dict) -> None:
    for dsd in _all(dsd_trees, ".//str:DataStructure"):
        dimension_list = dsd.find(".//str:DimensionList", NS)
        last = dimension_list[-1]
        assert etree.QName(last).localname == "TimeDimension", dsd.get("id")
        positions = [int(child.get("position")) for child in dimension_list]
        assert positions == list(range(1, len(positions) + 1))


def test_dimensions_keep_cross_domain_ids(dsd_trees: dict) -> None:
    for dsd in _all(dsd_trees, ".//str:DataStructure"):
        ids = [node.get("id") for node in dsd.find(".//str:DimensionList", NS)]
        assert ids[:2] == ["FREQ", "REF_AREA"] and ids[-1] == "TIME_PERIOD", dsd.get("id")


def test_codelist_references_resolve(dsd_trees: dict, codelists: dict) -> None:
    refs = _all(dsd_trees, ".//str:Enumeration/Ref")
    assert refs
    for ref in refs:
        key = (ref.get("agencyID"), ref.get("id"), ref.get("version"))
        assert key in codelists, key


def test_concept_references_resolve(dsd_trees: dict) -> None:
    scheme = dsd_trees["IMDX-CS_MIGRATION-1.0.0.xml"].find(".//str:ConceptScheme", NS)
    concepts = {node.get("id") for node in scheme.iterfind("str:Concept", NS)}
    for ref in _all(dsd_trees, ".//str:ConceptIdentity/Ref"):
        assert ref.get("agencyID") == scheme.get("agencyID")
        assert ref.get("maintainableParentID") == scheme.get("id")
        assert ref.get("maintainableParentVersion") == scheme.get("version")
        assert ref.get("id") in concepts


def test_dataflows_reference_shipped_dsds_and_are_constrained_and_categorised(
    dsd_trees: dict,
) -> None:
    dsds = {node.get("id") for node in _all(dsd_trees, ".//str:DataStructure")}
    flows = _all(dsd_trees, ".//str:Dataflows/str:Dataflow")
    assert "DF_MIG_STOCK_IMS" in {flow.get("id") for flow in flows}
    for flow in flows:
        assert flow.find("str:Structure/Ref", NS).get("id") in dsds
    flow_ids = {flow.get("id") for flow in flows}
    constrained = {ref.get("id") for ref in _all(dsd_trees, ".//str:ConstraintAttachment//Ref")}
    assert constrained == flow_ids
    categorised = {ref.get("id") for ref in _all(dsd_trees, ".//str:Categorisation/str:Source/Ref")}
    assert categorised == flow_ids
    categories = {node.get("id") for node in _all(dsd_trees, ".//str:Category")}
    for ref in _all(dsd_trees, ".//str:Categorisation/str:Target/Ref"):
        assert ref.get("id") in categories


def test_constraint_values_are_codes_of_the_constrained_dimension(
    dsd_trees: dict, codelists: dict
) -> None:
    for tree in dsd_trees.values():
        dsd = tree.find(".//str:DataStructure", NS)
        if dsd is None:
            continue
        enumerations = {
            node.get("id"): node.find(".//str:Enumeration/Ref", NS)
            for node in dsd.iterfind(".//str:DimensionList/str:Dimension", NS)
        }
        for key_value in tree.iterfind(".//str:CubeRegion/com:KeyValue", NS):
            ref = enumerations[key_value.get("id")]
            codes = codelists[(ref.get("agencyID"), ref.get("id"), ref.get("version"))]
            for value in key_value.iterfind("com:Value", NS):
                assert value.text in codes, (dsd.get("id"), key_value.get("id"), value.text)


def test_comparability_attributes_are_present_and_mandatory_where_designed(
    dsd_trees: dict,
) -> None:
    for dsd in _all(dsd_trees, ".//str:DataStructure"):
        status = {
            node.get("id"): node.get("assignmentStatus")
            for node in dsd.iterfind(".//str:Attribute", NS)
        }
        for attribute in ("MIG_DEF_CRITERION", "SOURCE_TYPE", "REF_PERIOD_DETAIL", "REVISION"):
            assert attribute in status, (dsd.get("id"), attribute)
        assert status["REVISION"] == "Mandatory"
        assert status["OBS_STATUS"] == "Mandatory"
        if dsd.get("id") == "DSD_MIG_FLOW":
            assert status["MIG_DEF_CRITERION"] == "Mandatory"
        if dsd.get("id") == "DSD_MIG_STOCK":
            assert status["REF_PERIOD_DETAIL"] == "Mandatory"
            assert "DATA_TYPE_IMS" in status


def test_agency_scheme_uses_the_fixed_21_id_and_version(dsd_trees: dict) -> None:
    scheme = dsd_trees["IMDX-AGENCIES.xml"].find(".//str:AgencyScheme", NS)
    assert (scheme.get("agencyID"), scheme.get("id"), scheme.get("version")) == (
        "IMDX",
        "AGENCIES",
        "1.0",
    )
    assert "IMDX" in {node.get("id") for node in scheme.iterfind("str:Agency", NS)}


def test_sdmx1_reads_the_stock_dsd_with_its_dataflows_and_constraints() -> None:
    message = sdmx.read_sdmx(PROJECT / "dsd" / "IMDX-DSD_MIG_STOCK-1.0.0.xml")
    dsd = message.structure["DSD_MIG_STOCK"]
    assert dsd.dimensions[-1].id == "TIME_PERIOD"
    assert "DF_MIG_STOCK_IMS" in message.dataflow
    assert "CC_DF_MIG_STOCK_IMS" in message.constraint
