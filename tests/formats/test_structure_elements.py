"""Splitting structure messages into artefact elements, their references, reassembly."""

from __future__ import annotations

from pathlib import Path

import pytest
import sdmx

from sdmxnode.errors import Invalid
from sdmxnode.formats.header import MessageHeader
from sdmxnode.formats.sdmxml.elements import (
    assemble_structure_message,
    split_structure_message,
)
from sdmxnode.refs import ArtefactRef
from sdmxnode.validation.schema import validate_ml21, validate_ml30

HEADER = MessageHeader(id="TEST", sender="IMDX")

SMALL = b"""<?xml version="1.0" encoding="UTF-8"?>
<mes:Structure xmlns:mes="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message"
  xmlns:str="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/structure"
  xmlns:com="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common">
 <mes:Header><mes:ID>X</mes:ID><mes:Test>false</mes:Test>
  <mes:Prepared>2020-01-01T00:00:00</mes:Prepared><mes:Sender id="T"/></mes:Header>
 <mes:Structures>
  <str:Dataflows>
   <str:Dataflow id="DF" agencyID="T" version="1.0" isFinal="true">
    <com:Name xml:lang="fr">Flux</com:Name><com:Name xml:lang="en">Flow</com:Name>
    <str:Structure><Ref id="DSD" agencyID="T" version="1.0" class="DataStructure"
      package="datastructure"/></str:Structure>
   </str:Dataflow>
  </str:Dataflows>
  <str:Codelists>
   <str:Codelist id="CL" agencyID="T" version="2.0" isFinal="false">
    <com:Name xml:lang="en">List</com:Name>
    <str:Code id="A"><com:Name xml:lang="en">A</com:Name></str:Code>
   </str:Codelist>
  </str:Codelists>
 </mes:Structures>
</mes:Structure>"""


def test_split_reads_identity_flags_names_and_references() -> None:
    split = split_structure_message(SMALL)
    assert split.sdmx_ml == "2.1"
    by_type = {r.ref.type: r for r in split.records}
    flow = by_type["Dataflow"]
    assert flow.ref == ArtefactRef("Dataflow", "T", "DF", "1.0")
    assert flow.is_final is True
    assert flow.name == "Flow"  # English preferred
    assert flow.references == {ArtefactRef("DataStructure", "T", "DSD", "1.0")}
    assert by_type["Codelist"].is_final is False
    assert by_type["Codelist"].references == frozenset()


def test_split_elements_are_self_contained() -> None:
    for record in split_structure_message(SMALL).records:
        message = assemble_structure_message([(record.ref.type, record.xml)], "2.1", HEADER)
        assert validate_ml21(message) == []


def test_assemble_orders_collections_as_the_schema_requires() -> None:
    records = split_structure_message(SMALL).records
    # Given codelist first and dataflow second, the schema wants Dataflows before Codelists.
    pairs = sorted(((r.ref.type, r.xml) for r in records), reverse=True)
    message = assemble_structure_message(pairs, "2.1", HEADER)
    assert validate_ml21(message) == []
    read = sdmx.read_sdmx(__import__("io").BytesIO(message))
    assert list(read.codelist) and list(read.dataflow)


def test_refuses_entities_and_malformed_xml() -> None:
    evil = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'
    with pytest.raises(Invalid, match="DOCTYPE"):
        split_structure_message(evil)
    with pytest.raises(Invalid, match="not well-formed"):
        split_structure_message(SMALL[:300])


def test_refuses_what_is_not_sdmx() -> None:
    with pytest.raises(Invalid, match="not an SDMX-ML"):
        split_structure_message(b"<html><body/></html>")


@pytest.mark.corpus
@pytest.mark.parametrize(
    "name, version, counts",
    [
        ("ECB-EXR-structure-full.xml", "2.1", {"Codelist": 11, "DataStructure": 1, "Dataflow": 1}),
        ("UNICEF-GLOBAL_DATAFLOW-structure.xml", "2.1", {"ProvisionAgreement": 1, "Codelist": 21}),
        ("IMF_STA-DSD_BOP-v30.xml", "3.0", {"ConceptScheme": 7, "DataStructure": 1}),
        ("ESTAT-CL_FREQ-v30.xml", "3.0", {"Codelist": 1}),
    ],
)
def test_split_real_messages(corpus: Path, name: str, version: str, counts: dict) -> None:
    split = split_structure_message((corpus / name).read_bytes())
    assert split.sdmx_ml == version
    for type_, count in counts.items():
        assert sum(1 for r in split.records if r.ref.type == type_) == count


@pytest.mark.corpus
def test_references_of_real_dsd_and_30_wildcards(corpus: Path) -> None:
    split = split_structure_message((corpus / "ECB-EXR-structure-full.xml").read_bytes())
    dsd = next(r for r in split.records if r.ref.type == "DataStructure")
    assert ArtefactRef("Codelist", "ECB", "CL_CURRENCY", "1.0") in dsd.references
    assert ArtefactRef("ConceptScheme", "ECB", "ECB_CONCEPTS", "1.0") in dsd.references
    split30 = split_structure_message((corpus / "IMF_STA-DSD_BOP-v30.xml").read_bytes())
    flow = next(r for r in split30.records if r.ref.type == "Dataflow")
    assert flow.references == {ArtefactRef("DataStructure", "IMF.STA", "DSD_BOP", "24.0+.0")}


@pytest.mark.corpus
def test_30_elements_reassemble_valid(corpus: Path) -> None:
    split = split_structure_message((corpus / "ESTAT-CL_FREQ-v30.xml").read_bytes())
    message = assemble_structure_message(
        [(r.ref.type, r.xml) for r in split.records], "3.0", HEADER
    )
    assert validate_ml30(message) == []
