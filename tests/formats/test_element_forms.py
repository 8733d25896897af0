"""Element-only artefacts between SDMX-ML versions (`formats.sdmxml.element_forms`): what an
institution submits in 2.1 or 3.0 is answered valid in the other, with the same references."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from sdmxnode.formats.header import MessageHeader
from sdmxnode.formats.sdmxml import canonical_xml
from sdmxnode.formats.sdmxml.element_forms import element_in, element_view
from sdmxnode.formats.sdmxml.elements import assemble_structure_message, split_structure_message
from sdmxnode.validation.schema import validate_ml21, validate_ml30, validate_ml31

DSD = Path(__file__).resolve().parents[2] / "dsd"
VALIDATORS = {"2.1": validate_ml21, "3.0": validate_ml30, "3.1": validate_ml31}


def _record(name: str, type_: str):
    (record,) = [
        r for r in split_structure_message((DSD / name).read_bytes()).records if r.ref.type == type_
    ]
    return record


def _valid(type_: str, element: bytes, version: str) -> None:
    message = assemble_structure_message(
        [(type_, element)], version, MessageHeader(id="TEST", sender="IMDX")
    )
    assert VALIDATORS[version](message) == []


@pytest.mark.parametrize(
    ("name", "type_"),
    [
        ("IMDX-RT_MIGRATION-1.0.0.xml", "ReportingTaxonomy"),
        ("IMDX-PROC_MIG_EXCHANGE-1.0.0.xml", "Process"),
    ],
)
@pytest.mark.parametrize("version", ["2.1", "3.0", "3.1"])
def test_each_version_is_valid(name: str, type_: str, version: str) -> None:
    record = _record(name, type_)
    _valid(type_, element_in(version, record.sdmx_ml, record.xml), version)


def test_a_process_goes_to_21_and_back_unchanged() -> None:
    record = _record("IMDX-PROC_MIG_EXCHANGE-1.0.0.xml", "Process")
    assert record.sdmx_ml == "3.0"
    as_21 = element_in("2.1", "3.0", record.xml)
    root = etree.fromstring(as_21)
    assert root.get("isFinal") == "true"  # a 3.0 version without extension is final
    target = root.find(".//{*}ProcessStep[@id='VALIDATE']/{*}Transition/{*}TargetStep/Ref")
    assert target is not None and target.get("id") == "CONVERT"
    assert canonical_xml(element_in("3.0", "2.1", as_21)) == canonical_xml(record.xml)


def test_a_taxonomy_in_30_names_its_flows_by_urn() -> None:
    record = _record("IMDX-RT_MIGRATION-1.0.0.xml", "ReportingTaxonomy")
    assert record.sdmx_ml == "2.1"
    root = etree.fromstring(element_in("3.0", "2.1", record.xml))
    assert root.get("isFinal") is None  # SDMX 3.0 has no isFinal
    flows = [
        e.text for e in root.iterfind("{*}ReportingCategory[@id='STOCKS']/{*}ProvisioningMetadata")
    ]
    assert flows == [
        "urn:sdmx:org.sdmx.infomodel.datastructure.Dataflow=IMDX:DF_MIG_STOCK_NAT(1.0.0)"
    ]
    definitions = root.findtext(".//{*}ReportingCategory[@id='STOCKS_DEF']/{*}ProvisioningMetadata")
    assert definitions == (
        "urn:sdmx:org.sdmx.infomodel.metadatastructure.Metadataflow=IMDX:MDF_MIG_STOCK(1.0.0)"
    )
    # and back in 2.1, by URN (which the 2.1 reference types allow alone)
    back = etree.fromstring(element_in("2.1", "3.0", etree.tostring(root)))
    urns = [e.findtext("URN") for e in back.iterfind(".//{*}ProvisioningMetadata")]
    assert urns[0] == definitions


def test_item_views_keep_ancestors_and_drop_the_rest() -> None:
    record = _record("IMDX-RT_MIGRATION-1.0.0.xml", "ReportingTaxonomy")
    partial = element_view("ReportingTaxonomy", record.xml, "full", ["LABOUR_DEF", "TRAFFICKING"])
    assert partial is not None
    root = etree.fromstring(partial)
    assert root.get("isPartial") == "true"
    ids = [e.get("id") for e in root.iter("{*}ReportingCategory")]
    assert ids == ["LABOUR", "LABOUR_DEF", "TRAFFICKING"]
    assert element_view("ReportingTaxonomy", record.xml, "full", ["STOCKS.FLOWS_DEF"]) is None
    assert element_view("Process", record.xml, "full", ["STOCKS"]) is None  # no items


def test_a_process_in_21_names_hierarchies_by_their_21_class_with_refs() -> None:
    """A 3.0 `Hierarchy` is a 2.1 `HierarchicalCodelist` (URN and `Ref`, which clients that
    read only `Ref`s need); a representation map, which 2.1 lacks, keeps its URN alone."""
    record = _record("IMDX-PROC_MIG_EXCHANGE-1.0.0.xml", "Process")
    root = etree.fromstring(element_in("2.1", "3.0", record.xml))
    validate, convert = (
        root.find(f".//{{*}}ProcessStep[@id='{step}']") for step in ("VALIDATE", "CONVERT")
    )
    assert validate is not None and convert is not None
    first = validate.find("{*}Input/{*}ObjectReference")
    assert first is not None
    assert first.findtext("URN") == (
        "urn:sdmx:org.sdmx.infomodel.codelist.HierarchicalCodelist=IMDX:HCL_AREA_M49(1.0.0)"
    )
    ref = first.find("Ref")
    assert ref is not None and (ref.get("class"), ref.get("id")) == (
        "HierarchicalCodelist",
        "HCL_AREA_M49",
    )
    mapped = convert.find("{*}Input/{*}ObjectReference")
    assert mapped is not None and mapped.find("Ref") is None
    assert "RepresentationMap=IMDX:RM_ISO_ALPHA2_AREA" in (mapped.findtext("URN") or "")
