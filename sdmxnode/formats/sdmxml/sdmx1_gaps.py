"""What sdmx1 reads wrongly from stored metadataflows and metadata structures, put right.

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

import re
from dataclasses import dataclass

from lxml import etree
from sdmx.model import common, v30

STR30 = "http://www.sdmx.org/resources/sdmxml/schemas/v3_0/structure"
_MAINTAINABLE_URN = re.compile(
    r"^urn:sdmx:org\.sdmx\.infomodel\.[a-z]+\.[A-Za-z]+=(?P<agency>[^:]+):(?P<id>[^(]+)"
    r"\((?P<version>[^)]*)\)$"
)


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
        match = _MAINTAINABLE_URN.match(references.structure)
        if match is not None:
            flow.structure = v30.MetadataStructureDefinition(
                id=match["id"],
                version=match["version"],
                maintainer=common.Agency(id=match["agency"]),
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
