"""dsd/IMDX-MSD_MIG_COMPARABILITY-1.0.0.xml: every reference resolves inside the repository,
the DSDs' criterion code list is reused, occurrence rules and targets are as designed."""

from __future__ import annotations

import re

import pytest
from lxml import etree

from tests.structures.conftest import NS, PROJECT

MSD_FILE = PROJECT / "dsd" / "IMDX-MSD_MIG_COMPARABILITY-1.0.0.xml"
S30 = "http://www.sdmx.org/resources/sdmxml/schemas/v3_0/structure"
NS30 = {"str": S30}
URN = re.compile(
    r"^urn:sdmx:org\.sdmx\.infomodel\.[a-z]+\.(\w+)=(\w+):(\w+)\(([\d.]+)\)(?:\.(.+))?$"
)


@pytest.fixture(scope="module")
def msd_file() -> etree._ElementTree:
    return etree.parse(str(MSD_FILE))


def _attributes(msd_file: etree._ElementTree) -> dict[str, etree._Element]:
    return {a.get("id"): a for a in msd_file.iterfind(".//str:MetadataAttribute", NS30)}


def _concept_ids() -> set[str]:
    scheme = etree.parse(str(PROJECT / "dsd" / "IMDX-CS_MIGRATION-1.0.0.xml"))
    return {c.get("id") for c in scheme.iterfind(".//str:Concept", NS)}


def _dataflow_ids() -> set[str]:
    found = set()
    for path in (PROJECT / "dsd").glob("IMDX-DSD_*.xml"):
        found |= {f.get("id") for f in etree.parse(str(path)).iterfind(".//str:Dataflow", NS)}
    return found


def test_every_attribute_concept_is_in_the_concept_scheme(msd_file: etree._ElementTree) -> None:
    concepts = _concept_ids()
    for attribute_id, attribute in _attributes(msd_file).items():
        match = URN.match(attribute.findtext("str:ConceptIdentity", namespaces=NS30))
        assert match is not None, attribute_id
        assert match.groups()[:4] == ("Concept", "IMDX", "CS_MIGRATION", "1.0.0")
        assert match[5] == attribute_id and attribute_id in concepts


def test_reused_sims_ids_and_migration_ids_are_there(msd_file: etree._ElementTree) -> None:
    ids = set(_attributes(msd_file))
    sims = {"CONTACT", "STAT_PRES", "UNIT_MEASURE", "REF_PERIOD", "SOURCE_TYPE", "COLL_METHOD"}
    sims |= {"ACCURACY", "COMPARABILITY", "COMPAR_GEO", "COMPAR_TIME", "REV_POLICY"}
    migration = {"MIG_DEF_CRITERION", "DURATION_THRESHOLD", "RESIDENCE_CRITERION"}
    migration |= {"POP_INCLUDED", "POP_EXCLUDED", "BREAKS", "SOURCE_CITATION", "DOC_METHOD"}
    assert sims | migration <= ids


def test_coded_attributes_use_shipped_code_lists(
    msd_file: etree._ElementTree, codelists: dict
) -> None:
    coded = {}
    for attribute_id, attribute in _attributes(msd_file).items():
        enumeration = attribute.findtext("str:LocalRepresentation/str:Enumeration", namespaces=NS30)
        if enumeration is not None:
            match = URN.match(enumeration)
            assert match is not None and match[1] == "Codelist", attribute_id
            assert (match[2], match[3], match[4]) in codelists, attribute_id
            coded[attribute_id] = match[3]
    assert coded["POP_INCLUDED"] == coded["POP_EXCLUDED"] == "CL_COVERAGE_GROUP"
    assert {"REF", "ASY", "IRREG", "DIPL", "MIL"} <= set(
        codelists[("IMDX", "CL_COVERAGE_GROUP", "1.0.0")]
    )


def test_definition_criterion_is_coded_like_in_the_dsds(msd_file: etree._ElementTree) -> None:
    dsd = etree.parse(str(PROJECT / "dsd" / "IMDX-DSD_MIG_STOCK-1.0.0.xml"))
    attribute = dsd.find(".//str:Attribute[@id='MIG_DEF_CRITERION']", NS)
    ref = attribute.find("str:LocalRepresentation/str:Enumeration/Ref", NS)
    criterion = _attributes(msd_file)["MIG_DEF_CRITERION"]
    enumeration = criterion.findtext("str:LocalRepresentation/str:Enumeration", namespaces=NS30)
    assert enumeration.endswith(
        f"Codelist={ref.get('agencyID')}:{ref.get('id')}({ref.get('version')})"
    )


def test_occurrence_rules(msd_file: etree._ElementTree) -> None:
    attributes = _attributes(msd_file)

    def rule(attribute_id: str) -> tuple[str, str, str]:
        a = attributes[attribute_id]
        return (
            a.get("minOccurs", "1"),
            a.get("maxOccurs", "1"),
            a.get("isPresentational", "false"),
        )

    assert rule("MIG_DEFINITION") == ("1", "1", "true")
    assert rule("MIG_DEF_CRITERION") == ("1", "unbounded", "false")
    assert rule("POP_INCLUDED") == ("0", "unbounded", "false")
    assert rule("DURATION_THRESHOLD") == ("0", "1", "false")
    assert rule("CONTACT") == ("0", "1", "true")
    assert rule("CONTACT_ORGANISATION") == ("1", "1", "false")
    for a in attributes.values():  # presentational attributes group, others take a value
        has_value = a.find("str:LocalRepresentation", NS30) is not None
        assert has_value != (a.get("isPresentational") == "true"), a.get("id")


def test_text_formats_multilingual_and_xhtml(msd_file: etree._ElementTree) -> None:
    attributes = _attributes(msd_file)

    def text_format(attribute_id: str) -> dict[str, str]:
        found = attributes[attribute_id].find("str:LocalRepresentation/str:TextFormat", NS30)
        return dict(found.attrib)

    assert text_format("COMPAR_GEO") == {"textType": "XHTML", "isMultiLingual": "true"}
    assert text_format("SOURCE_CITATION") == {"textType": "String", "isMultiLingual": "true"}
    assert text_format("CONTACT_EMAIL") == {"textType": "String", "isMultiLingual": "false"}
    assert text_format("DURATION_THRESHOLD") == {"textType": "Integer"}


def test_metadataflows_target_existing_dataflows_and_area_codes(
    msd_file: etree._ElementTree,
) -> None:
    dataflows = _dataflow_ids()
    flows = msd_file.findall(".//str:Metadataflow", NS30)
    assert {f.get("id") for f in flows} == {
        "MDF_MIG_STOCK", "MDF_MIG_FLOW", "MDF_MIG_PROT", "MDF_MIG_LAB", "MDF_MIG_TEMP"
    }  # fmt: skip
    for flow in flows:
        assert flow.findtext("str:Structure", namespaces=NS30).endswith(
            "MetadataStructure=IMDX:MSD_MIG_COMPARABILITY(1.0.0)"
        )
        targets = [t.text for t in flow.iterfind("str:Target", NS30)]
        assert targets[-1] == "urn:sdmx:org.sdmx.infomodel.codelist.Code=IMDX:CL_AREA(1.0.0).*"
        for target in targets[:-1]:
            match = URN.match(target)
            assert match is not None and match[1] == "Dataflow" and match[3] in dataflows
    stock = next(f for f in flows if f.get("id") == "MDF_MIG_STOCK")
    assert any("DF_MIG_STOCK_IMS(1.0.0)" in t.text for t in stock.iterfind("str:Target", NS30))
