"""The SDMX-ML 3.0 and 3.1 generic metadata writers (`mes:GenericMetadata`,
SDMXMetadataGeneric.xsd).

SDMX-ML 3.1's generic metadata differs from 3.0's in its namespaces, in one `Value` per
attribute (the node writes one) and in `ActionType` (Merge added): the 3.1 message is the
3.0 one in the 3.1 namespaces, with Merge written as Merge.

SDMX 3.0 (section 3A, "Reference metadata"): a metadata set is maintainable, is reported
against a metadataflow or a metadata provision agreement, names what it is about by URN
(`Target`) and holds the reported attributes directly. The node's model keeps a 2.1-style
set as a set of reports; in SDMX-ML 3.0:

- a set with one report is written as one `MetadataSet` with the set's identity;
- a set with several reports is written as one `MetadataSet` per report, identified as
  `SETID_REPORTID` (same agency and version), so that each report keeps its own targets and
  attributes (merging them would lose which attribute is about which target);
- targets given by URN (objects, constraints) are written as `Target`; a 2.1 data key or
  period target has no URN and is left out (logged);
- the schema makes `Metadataflow`/`MetadataProvisionAgreement`, at least one `Target` and
  at least one `Attribute` one optional group: a set reported against a metadata structure
  (2.1 allows it) is written against the metadataflow `usage` gives for it, and a set with
  no usage, no URN target or no attribute is written with its identity and names only
  (logged);
- the header names each structure once (`mes:Structure`: metadataflow as StructureUsage,
  metadata structure as Structure; a metadata provision agreement, which the header cannot
  name, by the metadataflow `usage` gives for it), and the metadata provider when all sets
  share one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence

from lxml import etree

from sdmxnode.formats.header import MessageHeader
from sdmxnode.formats.metadata import MetadataReport, MetadataSet, ReportedAttribute
from sdmxnode.formats.sdmxml import NS30, NS31
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

MES = NS30["mes"]
COM = NS30["com"]
MD = "http://www.sdmx.org/resources/sdmxml/schemas/v3_0/metadata/generic"
NSMAP = {"mes": MES, "com": COM, "md": MD}
NSMAP31 = {prefix: uri.replace("/v3_0/", "/v3_1/") for prefix, uri in NSMAP.items()}
_V30 = "{http://www.sdmx.org/resources/sdmxml/schemas/v3_0/"
_ACTIONS = ("Append", "Replace", "Delete", "Information")
_URN_PACKAGE = {
    "Metadataflow": "metadatastructure",
    "MetadataStructure": "metadatastructure",
    "MetadataProvisionAgreement": "registry",
}

#: Gives the metadataflow (or metadata provision agreement) a set reported against another
#: structure (a metadata structure) is written against, or None.
Usage = Callable[[ArtefactRef], ArtefactRef | None]


def structure_urn(ref: ArtefactRef) -> str:
    """The URN of a metadataflow, metadata structure or metadata provision agreement."""
    package = _URN_PACKAGE.get(ref.type, "metadatastructure")
    return f"urn:sdmx:org.sdmx.infomodel.{package}.{ref.type}={ref.identity}"


def write_metadata_message(
    sets: Sequence[MetadataSet], header: MessageHeader, *, usage: Usage | None = None
) -> bytes:
    """An SDMX-ML 3.0 GenericMetadata message holding `sets` (at least one)."""
    return b"".join(stream_metadata_message(sets, header, usage=usage))


def stream_metadata_message(
    sets: Sequence[MetadataSet], header: MessageHeader, *, usage: Usage | None = None
) -> Iterator[bytes]:
    """The message of `write_metadata_message` in chunks, one per metadata set."""
    if not sets:
        raise ValueError("a GenericMetadata message needs at least one metadata set")
    return serialise_message(
        f"{{{MES}}}GenericMetadata",
        NSMAP,
        _header(sets, header, usage),
        (element for s in sets for element in _set_elements(s, usage)),
    )


def stream_metadata_message_31(
    sets: Sequence[MetadataSet], header: MessageHeader, *, usage: Usage | None = None
) -> Iterator[bytes]:
    """The SDMX-ML 3.1 GenericMetadata message holding `sets`, in chunks."""
    if not sets:
        raise ValueError("a GenericMetadata message needs at least one metadata set")

    def elements() -> Iterator[etree._Element]:
        for metadata_set in sets:
            for element in _set_elements(metadata_set, usage):
                if metadata_set.action == "Merge":
                    element.set("action", "Merge")
                yield _in_31(element)

    return serialise_message(
        f"{{{NS31['mes']}}}GenericMetadata",
        NSMAP31,
        _in_31(_header(sets, header, usage)),
        elements(),
    )


def _in_31(element: etree._Element) -> etree._Element:
    """`element` with its SDMX-ML 3.0 tags in the 3.1 namespaces (XHTML left as it is)."""
    for node in element.iter():
        if isinstance(node.tag, str) and node.tag.startswith(_V30):
            node.tag = "{http://www.sdmx.org/resources/sdmxml/schemas/v3_1/" + node.tag[len(_V30) :]
    etree.cleanup_namespaces(element, top_nsmap=NSMAP31)
    return element


def _header(
    sets: Sequence[MetadataSet], header: MessageHeader, usage: Usage | None
) -> etree._Element:
    element = header_start(MES, header)
    seen: set[str] = set()
    for metadata_set in sets:
        ref = metadata_set.structure
        if ref.type == "MetadataProvisionAgreement":
            # The header's ProvisionAgreement is a (data) provision agreement reference in
            # the 3.0 schema: a metadata provision agreement is named by its metadataflow.
            flow = usage(ref) if usage is not None else None
            if flow is None or flow.type == "MetadataProvisionAgreement":
                continue
            ref = flow
        sid = structure_id(ref)
        if sid in seen:
            continue
        seen.add(sid)
        tag = "Structure" if ref.type == "MetadataStructure" else "StructureUsage"
        structure = sub(element, f"{{{MES}}}Structure", structureID=sid)
        sub(structure, f"{{{COM}}}{tag}", structure_urn(ref))
    if not seen:
        raise ValueError(
            "an SDMX-ML 3.0 GenericMetadata header needs a metadataflow or metadata "
            "structure: the metadataflow of the sets' metadata provision agreement is unknown"
        )
    providers = {s.provider for s in sets}
    provider = providers.pop() if len(providers) == 1 else None
    if provider and ".base.MetadataProvider=" in provider:
        sub(element, f"{{{MES}}}MetadataProvider", provider)
    return element


def _set_elements(metadata_set: MetadataSet, usage: Usage | None) -> Iterator[etree._Element]:
    several = len(metadata_set.reports) > 1
    if not metadata_set.reports:
        yield _set_element(metadata_set, metadata_set.id, None, usage)
    for report in metadata_set.reports:
        id_ = f"{metadata_set.id}_{report.id}" if several else metadata_set.id
        yield _set_element(metadata_set, id_, report, usage)


def _set_element(
    metadata_set: MetadataSet, id_: str, report: MetadataReport | None, usage: Usage | None
) -> etree._Element:
    s = metadata_set
    element = etree.Element(f"{{{MES}}}MetadataSet", _set_attributes(s, id_))
    names = s.names or (("en", s.id),)
    if id_ != s.id and report is not None:
        names = tuple((lang, f"{text} ({report.id})") for lang, text in names)
    add_texts(element, f"{{{COM}}}Name", names)
    if report is None:
        return element
    flow = s.structure if s.structure.type != "MetadataStructure" else None
    if flow is None and usage is not None:
        flow = usage(s.structure)
    targets = [t.value for t in report.targets if t.kind in ("object", "constraint")]
    dropped = [t for t in report.targets if t.kind not in ("object", "constraint")]
    if dropped:
        log.info(
            "metadata set %s: %d targets without a URN are not written in SDMX-ML 3.0",
            s.identity,
            len(dropped),
        )
    if flow is None or not targets or not report.attributes:
        log.warning(
            "metadata set %s written without its content in SDMX-ML 3.0: it needs a "
            "metadataflow, a URN target and an attribute",
            s.identity,
        )
        return element
    tag = (
        "MetadataProvisionAgreement"
        if flow.type == "MetadataProvisionAgreement"
        else "Metadataflow"
    )
    sub(element, f"{{{MD}}}{tag}", structure_urn(flow))
    for urn in dict.fromkeys(targets):
        sub(element, f"{{{MD}}}Target", urn)
    for attribute in report.attributes:
        _attribute(element, attribute)
    return element


def _set_attributes(s: MetadataSet, id_: str) -> dict[str, str]:
    attrib = {"agencyID": s.agency_id, "id": id_, "version": s.version}
    if id_ == s.id:
        attrib["urn"] = s.urn
    for name, value in (("validFrom", s.valid_from), ("validTo", s.valid_to)):
        if value:
            attrib[name] = value if "T" in value else f"{value}T00:00:00"
    attrib["action"] = s.action if s.action in _ACTIONS else "Append"
    for name, value in (
        ("reportingBeginDate", s.reporting_begin),
        ("reportingEndDate", s.reporting_end),
    ):
        if value:
            attrib[name] = value
    return attrib


def _attribute(parent: etree._Element, attribute: ReportedAttribute) -> None:
    element = sub(parent, f"{{{MD}}}Attribute", id=attribute.id)
    if attribute.value is not None:
        sub(element, f"{{{MD}}}Value", attribute.value)
    elif attribute.texts:
        add_texts(element, f"{{{COM}}}Text", attribute.texts)
    elif attribute.xhtml:
        add_xhtml(element, f"{{{COM}}}StructuredText", attribute.xhtml)
    for child in attribute.attributes:
        _attribute(element, child)
