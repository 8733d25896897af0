"""The SDMX-ML 3.0 generic metadata writer: valid against the official XSDs, read back by
pysdmx, and a 2.1-style set written as one 3.0 set per report."""

from __future__ import annotations

from datetime import UTC, datetime

from lxml import etree

from sdmxnode.formats.header import MessageHeader
from sdmxnode.formats.sdmxml.metadata.writer30 import (
    stream_metadata_message,
    write_metadata_message,
)
from sdmxnode.validation.schema import validate_ml30
from tests.formats.metadata_sets import FLOW, KEN, MSD, PROVIDER, sdmx21_set, sdmx30_set

HEADER = MessageHeader("IDREF1", "IMDX", datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))
NS = {
    "mes": "http://www.sdmx.org/resources/sdmxml/schemas/v3_0/message",
    "com": "http://www.sdmx.org/resources/sdmxml/schemas/v3_0/common",
    "md": "http://www.sdmx.org/resources/sdmxml/schemas/v3_0/metadata/generic",
    "xml": "http://www.w3.org/XML/1998/namespace",
}


def test_a_30_set_is_valid_and_keeps_targets_values_texts_and_xhtml() -> None:
    xml = write_metadata_message([sdmx30_set(), sdmx30_set("MDS_FRA")], HEADER)

    assert validate_ml30(xml) == []
    root = etree.fromstring(xml)
    sets = root.findall("mes:MetadataSet", NS)
    assert [s.get("id") for s in sets] == ["MDS_KEN", "MDS_FRA"]
    first = sets[0]
    assert first.get("action") == "Replace"
    assert first.findtext("md:Metadataflow", namespaces=NS).endswith(
        "Metadataflow=IMDX:MDF_MIG(1.0.0)"
    )
    assert first.findtext("md:Target", namespaces=NS) == KEN
    assert first.findtext("md:Attribute[@id='CRITERION']/md:Value", namespaces=NS) == "B"
    assert (
        first.findtext("md:Attribute[@id='SOURCE']/com:Text[@xml:lang='fr']", namespaces=NS)
        == "Recensement 2019"
    )
    note = first.find("md:Attribute[@id='CONTACT']/md:Attribute[@id='NOTE']/com:StructuredText", NS)
    # XHTML as XHTML elements (see metadata.writing), its text as sent.
    div = note.find("{http://www.w3.org/1999/xhtml}div")
    assert div is not None and "Census & survey" in "".join(div.itertext())
    assert root.findtext("mes:Header/mes:MetadataProvider", namespaces=NS) == PROVIDER
    structures = root.findall("mes:Header/mes:Structure", NS)
    assert len(structures) == 1  # both sets use one metadataflow


def test_a_21_set_with_two_reports_is_two_30_sets_against_the_usage_given() -> None:
    xml = write_metadata_message(
        [sdmx21_set()], HEADER, usage=lambda ref: FLOW if ref == MSD else None
    )

    assert validate_ml30(xml) == []
    root = etree.fromstring(xml)
    sets = root.findall("mes:MetadataSet", NS)
    assert [s.get("id") for s in sets] == ["MDS_QUALITY_R_FLOW", "MDS_QUALITY_R_FRA"]
    # Only URN targets: the period and the data key have no URN in SDMX 3.0.
    assert [t.text for t in sets[1].findall("md:Target", NS)] == [
        "urn:sdmx:org.sdmx.infomodel.codelist.Code=IMDX:CL_AREA(1.0.0).FRA"
    ]
    assert root.find("mes:Header/mes:Structure/com:Structure", NS).text.endswith(
        "MetadataStructure=IMDX:MSD_MIG(1.0.0)"
    )


def test_a_set_against_a_structure_without_usage_keeps_identity_and_stays_valid() -> None:
    xml = write_metadata_message([sdmx21_set()], HEADER)

    assert validate_ml30(xml) == []
    sets = etree.fromstring(xml).findall("mes:MetadataSet", NS)
    assert len(sets) == 2 and sets[0].find("md:Attribute", NS) is None


def test_the_stream_yields_the_same_message_set_by_set() -> None:
    sets = [sdmx30_set(), sdmx30_set("MDS_FRA")]
    chunks = list(stream_metadata_message(sets, HEADER))

    assert len(chunks) == 4
    assert b"".join(chunks) == write_metadata_message(sets, HEADER)


def test_pysdmx_reads_the_30_message() -> None:
    from pysdmx.io import read_sdmx

    xml = write_metadata_message([sdmx30_set()], HEADER)
    # pysdmx's schema check demands an XHTML schema that no SDMX package ships, so it
    # refuses any StructuredText holding XHTML (Eurostat's reports too): read unchecked.
    message = read_sdmx(xml.decode("utf-8"), validate=False)

    reports = message.get_reports() if hasattr(message, "get_reports") else message.reports
    assert len(reports) == 1
    report = reports[0]
    assert report.id == "MDS_KEN"
    assert list(report.targets) == [KEN]
    ids = {a.id for a in report.attributes}
    assert {"CONTACT", "CRITERION", "SOURCE"} <= ids
