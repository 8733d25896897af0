"""What a metadata structure (MSD) and a metadataflow allow, read from their stored SDMX-ML.

A precomputed plan for the metadata rules, as `plan` is for data: the tree of metadata
attributes of each report structure (occurrences, presentational, enumeration or text type),
the metadata targets, and the metadataflow's targets. SDMX 2.1 Section 2 (Information
Model) 7.3, `SDMXStructureMetadataStructure.xsd` 2.1 and 3.0: minOccurs defaults to 1 and
maxOccurs to 1 ("unbounded" for no limit); a 2.1 MSD has report structures and metadata
targets, a 3.0 MSD one `MetadataAttributeList` and its targets on the metadataflow.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from sdmxnode.formats.sdmxml import parse_xml
from sdmxnode.refs import ArtefactRef

#: 2.1 metadata target kinds -> the kind of value the reader gives (`TargetValue.kind`),
#: and their fixed ids where the XSD gives one.
_TARGET_KINDS = {
    "IdentifiableObjectTarget": ("object", ""),
    "ReportPeriodTarget": ("period", "REPORT_PERIOD_TARGET"),
    "KeyDescriptorValuesTarget": ("datakey", "KEY_DESCRIPTOR_VALUES_TARGET"),
    "ConstraintContentTarget": ("constraint", "CONSTRAINT_CONTENT_TARGET"),
    "DataSetTarget": ("object", "DATA_SET_TARGET"),
}


@dataclass(frozen=True)
class AttributeSpec:
    """One metadata attribute of an MSD, with its children."""

    id: str
    min_occurs: int = 1
    max_occurs: int | None = 1  # None: unbounded
    presentational: bool = False
    enumeration: ArtefactRef | None = None  # the code list (or value list) of coded values
    text_type: str | None = None
    children: tuple[AttributeSpec, ...] = ()

    def child(self, id_: str) -> AttributeSpec | None:
        """The child attribute with this id, None if the MSD defines none here."""
        return next((c for c in self.children if c.id == id_), None)


@dataclass(frozen=True)
class TargetSpec:
    """One part of a 2.1 metadata target: its id, kind, object type and enumeration."""

    id: str
    kind: str
    object_type: str | None = None
    enumeration: ArtefactRef | None = None


@dataclass(frozen=True)
class MetadataStructurePlan:
    """An MSD as the rules use it. `reports`: report structure id ('' for a 3.0 MSD) ->
    its top-level attributes, held as the children of a root spec; `report_targets`: the
    metadata target ids each report structure may use; `targets`: id -> its parts."""

    ref: ArtefactRef
    reports: dict[str, AttributeSpec] = field(default_factory=dict)
    report_targets: dict[str, tuple[str, ...]] = field(default_factory=dict)
    targets: dict[str, tuple[TargetSpec, ...]] = field(default_factory=dict)


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname


def _children(element: etree._Element, name: str) -> list[etree._Element]:
    return [child for child in element if isinstance(child.tag, str) and _local(child) == name]


def _enumeration(representation: etree._Element | None) -> ArtefactRef | None:
    if representation is None:
        return None
    for enumeration in _children(representation, "Enumeration"):
        ref = enumeration.find("Ref")
        if ref is not None:
            return ArtefactRef(
                ref.get("class", "Codelist"),
                ref.get("agencyID", ""),
                ref.get("id", ""),
                ref.get("version", "1.0"),
            )
        urn = (enumeration.findtext("URN") or enumeration.text or "").strip()
        from sdmxnode.formats.sdmxml.metadata.reader import urn_ref

        return urn_ref(urn)
    return None


def _text_type(representation: etree._Element | None) -> str | None:
    if representation is None:
        return None
    for text_format in _children(representation, "TextFormat"):
        return text_format.get("textType", "String")
    return None


def _occurs(value: str | None, default: int) -> int | None:
    if value is None:
        return default
    return None if value == "unbounded" else int(value)


def _attribute(element: etree._Element) -> AttributeSpec:
    representation = next(iter(_children(element, "LocalRepresentation")), None)
    return AttributeSpec(
        id=element.get("id", ""),
        min_occurs=_occurs(element.get("minOccurs"), 1) or 0,
        max_occurs=_occurs(element.get("maxOccurs"), 1),
        presentational=element.get("isPresentational", "false") == "true",
        enumeration=_enumeration(representation),
        text_type=_text_type(representation),
        children=tuple(_attribute(c) for c in _children(element, "MetadataAttribute")),
    )


def read_metadata_structure(xml: bytes, ref: ArtefactRef) -> MetadataStructurePlan:
    """The plan of the MSD whose stored element (2.1 or 3.0) is `xml`."""
    root = parse_xml(xml, what="metadata structure").getroot()
    plan = MetadataStructurePlan(ref)
    for components in _children(root, "MetadataStructureComponents"):
        for target in _children(components, "MetadataTarget"):
            parts = []
            for part in target:
                if not isinstance(part.tag, str) or _local(part) not in _TARGET_KINDS:
                    continue
                kind, fixed_id = _TARGET_KINDS[_local(part)]
                representation = next(iter(_children(part, "LocalRepresentation")), None)
                parts.append(
                    TargetSpec(
                        part.get("id", fixed_id),
                        kind,
                        part.get("objectType"),
                        _enumeration(representation),
                    )
                )
            plan.targets[target.get("id", "")] = tuple(parts)
        for report in _children(components, "ReportStructure"):
            attributes = tuple(_attribute(a) for a in _children(report, "MetadataAttribute"))
            plan.reports[report.get("id", "")] = AttributeSpec(
                report.get("id", ""), children=attributes
            )
            plan.report_targets[report.get("id", "")] = tuple(
                ref.get("id", "")
                for target in _children(report, "MetadataTarget")
                for ref in target.iterfind("Ref")
            )
        for attribute_list in _children(components, "MetadataAttributeList"):
            attributes = tuple(
                _attribute(a) for a in _children(attribute_list, "MetadataAttribute")
            )
            plan.reports[""] = AttributeSpec("", children=attributes)
    return plan


@dataclass(frozen=True)
class MetadataflowPlan:
    """A metadataflow: the MSD it uses and the (possibly wildcarded) URNs of its targets."""

    ref: ArtefactRef
    structure: ArtefactRef | None
    targets: tuple[str, ...] = ()


def read_metadataflow(xml: bytes, ref: ArtefactRef) -> MetadataflowPlan:
    """The plan of the metadataflow whose stored element (2.1 or 3.0) is `xml`."""
    from sdmxnode.formats.sdmxml.metadata.reader import urn_ref

    root = parse_xml(xml, what="metadataflow").getroot()
    structure: ArtefactRef | None = None
    for element in _children(root, "Structure"):
        found = element.find("Ref")
        if found is not None:
            structure = ArtefactRef(
                "MetadataStructure",
                found.get("agencyID", ""),
                found.get("id", ""),
                found.get("version", "1.0"),
            )
        else:
            structure = urn_ref((element.findtext("URN") or element.text or "").strip())
    targets = tuple((t.text or "").strip() for t in _children(root, "Target"))
    return MetadataflowPlan(ref, structure, targets)
