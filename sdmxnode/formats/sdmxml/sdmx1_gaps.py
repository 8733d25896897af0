"""What sdmx1 reads wrongly from stored metadataflows, metadata structures and provision
agreements, put right.

Provision agreements and organisation schemes: sdmx1 2.28 cannot read an SDMX-ML 3.0
`str:ProvisionAgreement` or `str:DataProviderScheme` (NotImplementedError: it knows neither
3.0 container). Their content is the same in 2.1 (names, annotations, items; an agreement's
dataflow and data provider, which 2.1 takes by URN), so `element_as_21` rewrites the element
in the 2.1 vocabulary for sdmx1 to read.

Metadataflows: sdmx1 2.28 resolves a 3.0 `str:Metadataflow`'s `str:Structure` URN as a
generic `Structure` (it fails: "KeyError: 'Structure'") and reads its `str:Target` URNs as
references to metadataflows. So the node takes both out of the element before sdmx1 reads
it, and gives the parsed flow back its structure (an MSD reference) and its targets (the
wildcard URNs, as `targets`, which the SDMX-ML 3.0 and SDMX-JSON 2.x writers write).

Metadata attributes: sdmx1 reads `maxOccurs="unbounded"` and an absent `maxOccurs` (which
means 1) both as None, and ignores minOccurs/maxOccurs in SDMX-ML 3.0. `set_occurrences`
sets them from the element: an int, or None for unbounded, which is what the node's
writers take None to mean.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree
from sdmx.model import common, v30

from sdmxnode.formats.sdmxml import NS21, NS30
from sdmxnode.refs import parse_urn

STR30 = "http://www.sdmx.org/resources/sdmxml/schemas/v3_0/structure"


@dataclass(frozen=True)
class FlowReferences:
    """What was taken out of one metadataflow element: its MSD URN and its targets."""

    structure: str | None
    targets: tuple[str, ...]


def take_out_references(xml: bytes) -> tuple[bytes, FlowReferences]:
    """The element without `str:Structure` and `str:Target`, and what they held."""
    elem = etree.fromstring(xml)
    structure = None
    targets = []
    for child in list(elem):
        if child.tag == f"{{{STR30}}}Structure":
            structure = (child.text or "").strip() or None
            elem.remove(child)
        elif child.tag == f"{{{STR30}}}Target":
            targets.append((child.text or "").strip())
            elem.remove(child)
    return etree.tostring(elem), FlowReferences(structure, tuple(targets))


def give_back(flow: common.BaseMetadataflow, references: FlowReferences) -> None:
    """Set the flow's structure (an external MSD reference) and its `targets`."""
    if references.structure is not None:
        urn = parse_urn(references.structure)
        if urn is not None and not urn.item:
            flow.structure = v30.MetadataStructureDefinition(
                id=urn.id,
                version=urn.version,
                maintainer=common.Agency(id=urn.agency_id),
                is_external_reference=True,
                urn=references.structure,
            )
    setattr(flow, "targets", list(references.targets))  # noqa: B010 (not a model field)


_MSD_TAGS = {
    "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/structure",
    STR30,
}


def _occurrences(xml: bytes) -> dict[str, tuple[int, int | None]]:
    """(minOccurs, maxOccurs) of each MetadataAttribute element by id (None: unbounded)."""
    found = {}
    for elem in etree.fromstring(xml).iter():
        if not isinstance(elem.tag, str) or not elem.tag.endswith("}MetadataAttribute"):
            continue
        if elem.tag.rpartition("}")[0][1:] not in _MSD_TAGS:
            continue
        upper = elem.get("maxOccurs", "1")
        found[elem.get("id", "")] = (
            int(elem.get("minOccurs", "1")),
            None if upper == "unbounded" else int(upper),
        )
    return found


def set_occurrences(msd: common.BaseMetadataStructureDefinition, xml: bytes) -> None:
    """Give every metadata attribute of `msd` the occurrence limits its element states."""
    limits = _occurrences(xml)
    pending: list[common.MetadataAttribute] = []
    descriptor = getattr(msd, "attributes", None)
    if descriptor is not None:
        pending.extend(descriptor.components)
    for report in getattr(msd, "report_structure", {}).values():
        pending.extend(report.components)
    while pending:
        attribute = pending.pop()
        if attribute.id in limits:
            attribute.min_occurs, attribute.max_occurs = limits[attribute.id]
        pending.extend(attribute.child)


#: Stored SDMX-ML 3.0 artefact types sdmx1 reads only as their SDMX-ML 2.1 twins.
READ_AS_21 = frozenset({"ProvisionAgreement", "DataProviderScheme", "DataConsumerScheme"})


def element_as_21(type_: str, xml: bytes) -> bytes:
    """A stored SDMX-ML 3.0 element of one of READ_AS_21's types as its SDMX-ML 2.1 twin."""
    if type_ == "ProvisionAgreement":
        return _provision_agreement_as_21(xml)
    element = etree.fromstring(xml)
    for node in element.iter():
        if isinstance(node.tag, str):
            name = etree.QName(node)
            if name.namespace in (NS30["str"], NS30["com"]):
                prefix = "str" if name.namespace == NS30["str"] else "com"
                node.tag = f"{{{NS21[prefix]}}}{name.localname}"
    etree.cleanup_namespaces(element)
    return etree.tostring(element)


def _provision_agreement_as_21(xml: bytes) -> bytes:
    element = etree.fromstring(xml)
    com30, com21 = NS30["com"], NS21["com"]
    target = etree.Element(f"{{{NS21['str']}}}ProvisionAgreement", dict(element.attrib))
    for child in element:
        if not isinstance(child.tag, str):
            continue
        name = etree.QName(child)
        if name.namespace == com30:  # Annotations, Name, Description: same content
            copied = etree.fromstring(etree.tostring(child).replace(com30.encode(), com21.encode()))
            target.append(copied)
        elif name.localname in ("Dataflow", "StructureUsage", "DataProvider"):
            tag = "DataProvider" if name.localname == "DataProvider" else "StructureUsage"
            reference = etree.SubElement(target, f"{{{NS21['str']}}}{tag}")
            etree.SubElement(reference, "URN").text = (child.text or "").strip()
    return etree.tostring(target)
