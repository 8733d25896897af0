"""The SDMX-ML 2.1 generic metadata writer: valid against the official XSDs, read back by
sdmx1, 2.1 reports kept, 3.0 sets written as one report with ObjectReference targets in the
2.1 form the node gives 3.0 metadata structures, and read back as they were."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from lxml import etree

from sdmxnode.formats.header import MessageHeader
from sdmxnode.formats.metadata import (
    OBJECT_TARGETS_21,
    MetadataSet,
    ReportedAttribute,
    TargetValue,
)
from sdmxnode.formats.sdmxml.metadata.reader import VERSION_21, read_metadata_ml
from sdmxnode.formats.sdmxml.metadata.writer21 import write_metadata_message_21
from sdmxnode.validation.schema import validate_ml21
from tests.formats.metadata_sets import DATAFLOW, FRA, KEN, sdmx21_set, sdmx30_set

HEADER = MessageHeader("IDREF1", "IMDX", datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))
NS = {
    "mes": "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message",
    "com": "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common",
    "md": "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/metadata/generic",
}


def test_21_reports_keep_their_targets_of_every_kind() -> None:
    xml = write_metadata_message_21([sdmx21_set()], HEADER)

    assert validate_ml21(xml) == []
    root = etree.fromstring(xml)
    reports = root.findall("mes:MetadataSet/md:Report", NS)
    assert [r.get("id") for r in reports] == ["R_FLOW", "R_FRA"]
    assert (
        reports[0].findtext(
            "md:Target/md:ReferenceValue[@id='PERIOD']/md:ReportPeriod", namespaces=NS
        )
        == "2020"
    )
    key = reports[1].find("md:Target/md:ReferenceValue[@id='KEY']/md:DataKey/com:KeyValue", NS)
    assert key.get("id") == "REF_AREA" and key.findtext("com:Value", namespaces=NS) == "FRA"
    assert (
        reports[1].findtext(
            "md:Target/md:ReferenceValue[@id='AREA']/md:ObjectReference/URN", namespaces=NS
        )
        == FRA
    )
    header_ref = root.find("mes:Header/mes:Structure/com:Structure/Ref", NS)
    assert (header_ref.get("id"), header_ref.get("version")) == ("MSD_MIG", "1.0.0")


def test_a_30_set_is_one_report_with_object_references() -> None:
    xml = write_metadata_message_21([sdmx30_set(), sdmx30_set("MDS_FRA", FRA)], HEADER)

    assert validate_ml21(xml) == []
    root = etree.fromstring(xml)
    sets = root.findall("mes:MetadataSet", NS)
    assert [s.get("setID") for s in sets] == ["MDS_KEN", "MDS_FRA"]
    report = sets[0].find("md:Report", NS)
    assert report.get("id") == "REPORT"
    assert report.find("md:Target", NS).get("id") == "IDENTIFIABLE_OBJECT_TARGET"
    assert (
        report.findtext(
            "md:Target/md:ReferenceValue[@id='IDENTIFIABLE_OBJECT']/md:ObjectReference/URN",
            namespaces=NS,
        )
        == KEN
    )
    attribute = report.find("md:AttributeSet/md:ReportedAttribute[@id='CRITERION']", NS)
    assert attribute.get("value") == "B"
    nested = report.find(
        "md:AttributeSet/md:ReportedAttribute[@id='CONTACT']/md:AttributeSet/md:ReportedAttribute[@id='NAME']/com:Text",
        NS,
    )
    assert nested.text == "Population Division"


def test_sdmx1_reads_the_21_message() -> None:
    """sdmx1 reads reports whose attributes have a `value` or children. It cannot read a
    ReportedAttribute holding only com:Text (KeyError 'value' in sdmx.reader.xml.v21._ra)
    nor a com:StructuredText without an XHTML element child (IndexError in `_st`), which the
    node writes as escaped markup to stay valid against the official XSDs, nor an
    ObjectReference to a maintainable artefact such as a Dataflow ('DataflowDefinition' object
    has no attribute 'parent' in `_rv`): only references to items (a Code) are read; nor a
    set with com:Name (RuntimeError: uncollected items: it never collects the set's names)."""
    sdmx = pytest.importorskip("sdmx")
    attributes = (
        ReportedAttribute("CONTACT", attributes=(ReportedAttribute("NAME", value="PD"),)),
        ReportedAttribute("CRITERION", value="B"),
    )

    def readable(metadata_set: MetadataSet) -> MetadataSet:
        report = replace(metadata_set.reports[0], attributes=attributes)
        return replace(metadata_set, reports=(report,), names=())

    xml = write_metadata_message_21(
        [
            readable(sdmx30_set()),
            readable(sdmx30_set("MDS_FRA", FRA)),
        ],
        HEADER,
    )

    message = sdmx.read_sdmx(io.BytesIO(xml))

    assert len(message.data) == 2
    first = message.data[0].report[0]
    assert [a.value_for for a in first.metadata] == ["CONTACT", "CRITERION"]
    assert first.metadata[1].value == "B"
    assert first.metadata[0].child[0].value == "PD"
    assert first.attaches_to.key_values["IDENTIFIABLE_OBJECT"].obj.id == "KEN"
    assert message.data[1].report[0].attaches_to.key_values["IDENTIFIABLE_OBJECT"].obj.id == "FRA"


def _two_targets() -> MetadataSet:
    """A 3.0 set about a dataflow for one country: two object targets."""
    (report,) = sdmx30_set().reports
    targets = (*report.targets, TargetValue("", "object", DATAFLOW))
    return replace(sdmx30_set(), reports=(replace(report, targets=targets),))


def test_a_30_set_reads_back_from_21_as_it_was() -> None:
    """Written in 2.1 and read again, a 3.0 set has its reports and targets as before (its
    identity aside: a 2.1 set has no agency and version), so a node that harvests another
    over SDMX-REST 1.5 checks it against the 3.0 structure as it would the 3.0 message."""
    sent = _two_targets()
    xml = write_metadata_message_21([sent, sdmx30_set("MDS_FRA", FRA)], HEADER)

    assert validate_ml21(xml) == []
    ids = [
        v.get("id")
        for v in etree.fromstring(xml).iterfind(".//md:Report/md:Target/md:ReferenceValue", NS)
    ]
    assert ids == ["IDENTIFIABLE_OBJECT", "IDENTIFIABLE_OBJECT_2", "IDENTIFIABLE_OBJECT"]
    read = list(read_metadata_ml(io.BytesIO(xml)))
    assert [r.reports for r in read] == [sent.reports, sdmx30_set("MDS_FRA", FRA).reports]
    assert [(r.id, r.version, r.names) for r in read] == [
        ("MDS_KEN", VERSION_21, sent.names),
        ("MDS_FRA", VERSION_21, sent.names),
    ]


def test_a_21_report_named_like_the_30_form_but_otherwise_is_kept() -> None:
    """Only the exact 2.1 form of a 3.0 report reads as 3.0: another report of the same ids
    whose reference values are not those target objects stays a 2.1 report."""
    (report,) = sdmx21_set().reports[:1]
    odd = replace(report, id="REPORT", target_id="IDENTIFIABLE_OBJECT_TARGET")
    xml = write_metadata_message_21([replace(sdmx21_set(), reports=(odd,))], HEADER)

    (read,) = read_metadata_ml(io.BytesIO(xml))
    assert read.reports == (odd,)


def test_a_30_set_with_more_targets_than_the_21_form_is_refused() -> None:
    (report,) = sdmx30_set().reports
    many = tuple(TargetValue("", "object", KEN) for _ in range(OBJECT_TARGETS_21 + 1))
    too_many = replace(sdmx30_set(), reports=(replace(report, targets=many),))

    with pytest.raises(ValueError, match="no SDMX-ML 2.1 form"):
        write_metadata_message_21([too_many], HEADER)
