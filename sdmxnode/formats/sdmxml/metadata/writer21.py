"""The SDMX-ML 2.1 generic metadata writer (`mes:GenericMetadata`, SDMXMetadataGeneric.xsd).

SDMX 2.1 (section 3A): a metadata set (`setID`) holds reports, each with a target made of
reference values and an attribute set. The node's model keeps 2.1 sets as they are. A set
reported in SDMX 3.0 has no report or target ids and names its targets by URN; it is written
in the 2.1 form the node gives its 3.0 metadata structure (`formats.metadata.report_in_21`):
one report `REPORT` for the target `IDENTIFIABLE_OBJECT_TARGET`, one `ObjectReference` (by
URN) per target URN, the reference values named `IDENTIFIABLE_OBJECT`,
`IDENTIFIABLE_OBJECT_2`, ... in order, as that structure's target objects are; the 2.1
reader reads that form back as the 3.0 set (its agency and version aside: SDMX-ML 2.1 has
none). A set against a metadataflow or metadata structure names it in the header; a
metadata provision agreement (SDMX 3.0 only) is named by the metadataflow `usage` gives for
it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence

from lxml import etree

from sdmxnode.formats.header import MessageHeader
from sdmxnode.formats.metadata import (
    MetadataReport,
    MetadataSet,
    ReportedAttribute,
    TargetValue,
    report_in_21,
)
from sdmxnode.formats.sdmxml import NS21
from sdmxnode.formats.sdmxml.metadata.writer30 import Usage
from sdmxnode.formats.sdmxml.metadata.writing import (
    add_texts,
    add_xhtml,
    header_start,
    serialise_message,
    structure_id,
    sub,
)
from sdmxnode.refs import ArtefactRef

log = logging.getLogger(__name__)

MES = NS21["mes"]
COM = NS21["com"]
MD = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/metadata/generic"
NSMAP = {"mes": MES, "com": COM, "md": MD}
_ACTIONS = ("Append", "Replace", "Delete", "Information")


def write_metadata_message_21(
    sets: Sequence[MetadataSet], header: MessageHeader, *, usage: Usage | None = None
) -> bytes:
    """An SDMX-ML 2.1 GenericMetadata message holding `sets` (at least one)."""
    return b"".join(stream_metadata_message_21(sets, header, usage=usage))


def stream_metadata_message_21(
    sets: Sequence[MetadataSet], header: MessageHeader, *, usage: Usage | None = None
) -> Iterator[bytes]:
    """The message of `write_metadata_message_21` in chunks, one per metadata set."""
    if not sets:
        raise ValueError("a GenericMetadata message needs at least one metadata set")
    structures = {s.identity: _structure(s.structure, usage) for s in sets}
    return serialise_message(
        f"{{{MES}}}GenericMetadata",
        NSMAP,
        _header(sets, header, structures),
        (_set_element(s, structure_id(structures[s.identity])) for s in sets),
    )


def _structure(ref: ArtefactRef, usage: Usage | None) -> ArtefactRef:
    if ref.type == "MetadataProvisionAgreement":
        flow = usage(ref) if usage is not None else None
        if flow is None or flow.type == "MetadataProvisionAgreement":
            raise ValueError(
                f"the metadataflow of the metadata provision agreement {ref} is unknown: "
                "SDMX-ML 2.1 cannot name the agreement itself"
            )
        return flow
    return ref


def _header(
    sets: Sequence[MetadataSet], header: MessageHeader, structures: dict[str, ArtefactRef]
) -> etree._Element:
    element = header_start(MES, header)
    seen: set[str] = set()
    for ref in structures.values():
        sid = structure_id(ref)
        if sid in seen:
            continue
        seen.add(sid)
        structure = sub(element, f"{{{MES}}}Structure", structureID=sid)
        tag = "Structure" if ref.type == "MetadataStructure" else "StructureUsage"
        reference = sub(structure, f"{{{COM}}}{tag}")
        etree.SubElement(
            reference, "Ref", {"agencyID": ref.agency_id, "id": ref.id, "version": ref.version}
        )
    return element


def _set_element(s: MetadataSet, sid: str) -> etree._Element:
    attrib = {"structureRef": sid, "setID": s.id}
    attrib["action"] = s.action if s.action in _ACTIONS else "Append"
    for name, value in (
        ("reportingBeginDate", s.reporting_begin),
        ("reportingEndDate", s.reporting_end),
        ("validFromDate", _date_time(s.valid_from)),
        ("validToDate", _date_time(s.valid_to)),
    ):
        if value:
            attrib[name] = value
    element = etree.Element(f"{{{MES}}}MetadataSet", attrib)
    add_texts(element, f"{{{COM}}}Name", s.names)
    if s.provider and ".base.DataProvider=" in s.provider:
        provider = sub(element, f"{{{MD}}}DataProvider")
        sub(provider, "URN", s.provider)
    for report in s.reports or (MetadataReport("", "", (), ()),):
        _report(element, s, report_in_21(report))
    return element


def _date_time(value: str | None) -> str | None:
    if not value:
        return None
    return value if "T" in value else f"{value}T00:00:00"


def _report(parent: etree._Element, s: MetadataSet, report: MetadataReport) -> None:
    element = sub(parent, f"{{{MD}}}Report", id=report.id)
    target = sub(element, f"{{{MD}}}Target", id=report.target_id)
    for value in report.targets:
        _reference_value(target, value)
    if not len(target):
        log.warning(
            "metadata set %s: a report without targets is written with an empty one", s.identity
        )
    attributes = sub(element, f"{{{MD}}}AttributeSet")
    for attribute in report.attributes:
        _attribute(attributes, attribute)


def _reference_value(target: etree._Element, value: TargetValue) -> None:
    element = sub(target, f"{{{MD}}}ReferenceValue", id=value.id)
    if value.kind == "period":
        sub(element, f"{{{MD}}}ReportPeriod", value.value)
    elif value.kind == "datakey":
        key = sub(element, f"{{{MD}}}DataKey")
        for pair in value.value.split(";"):
            dimension, _, code = pair.partition("=")
            if dimension:
                sub(sub(key, f"{{{COM}}}KeyValue", id=dimension), f"{{{COM}}}Value", code)
    elif value.kind == "constraint":
        sub(sub(element, f"{{{MD}}}ConstraintContentReference"), "URN", value.value)
    else:
        sub(sub(element, f"{{{MD}}}ObjectReference"), "URN", value.value)


def _attribute(parent: etree._Element, attribute: ReportedAttribute) -> None:
    attrib = {"id": attribute.id}
    if attribute.value is not None:
        attrib["value"] = attribute.value
    element = sub(parent, f"{{{MD}}}ReportedAttribute", **attrib)
    if attribute.texts:
        add_texts(element, f"{{{COM}}}Text", attribute.texts)
    elif attribute.xhtml:
        add_xhtml(element, f"{{{COM}}}StructuredText", attribute.xhtml)
    if attribute.attributes:
        children = sub(element, f"{{{MD}}}AttributeSet")
        for child in attribute.attributes:
            _attribute(children, child)
