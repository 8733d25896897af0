"""SDMX-ML structure messages as sets of artefact elements: splitting, references, assembling.

A structure message is taken apart into one self-contained element per maintainable
artefact, each kept as received; the references each artefact makes are read from its
`Ref` elements (SDMX-ML 2.1) and URNs (2.1 and 3.0). Messages are put back together from
such elements in the order the SDMX-ML 2.1 and 3.0 schemas require.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from lxml import etree

from sdmxnode.formats.header import MessageHeader
from sdmxnode.formats.sdmxml import NAMESPACES, message_version, parse_xml
from sdmxnode.refs import ArtefactRecord, ArtefactRef, find_urns

#: SDMX-ML collection element -> the artefact elements it holds, in schema order.
COLLECTIONS: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "2.1": (
        (
            "OrganisationSchemes",
            ("AgencyScheme", "DataConsumerScheme", "DataProviderScheme", "OrganisationUnitScheme"),
        ),
        ("Dataflows", ("Dataflow",)),
        ("Metadataflows", ("Metadataflow",)),
        ("CategorySchemes", ("CategoryScheme",)),
        ("Categorisations", ("Categorisation",)),
        ("Codelists", ("Codelist",)),
        ("HierarchicalCodelists", ("HierarchicalCodelist",)),
        ("Concepts", ("ConceptScheme",)),
        ("MetadataStructures", ("MetadataStructure",)),
        ("DataStructures", ("DataStructure",)),
        ("StructureSets", ("StructureSet",)),
        ("ReportingTaxonomies", ("ReportingTaxonomy",)),
        ("Processes", ("Process",)),
        ("Constraints", ("AttachmentConstraint", "ContentConstraint")),
        ("ProvisionAgreements", ("ProvisionAgreement",)),
        ("CustomTypes", ("CustomTypeScheme",)),
        ("VtlMappings", ("VtlMappingScheme",)),
        ("NamePersonalisations", ("NamePersonalisationScheme",)),
        ("Rulesets", ("RulesetScheme",)),
        ("Transformations", ("TransformationScheme",)),
        ("UserDefinedOperators", ("UserDefinedOperatorScheme",)),
    ),
    "3.0": tuple(
        (plural, (single,))
        for plural, single in (
            ("AgencySchemes", "AgencyScheme"),
            ("Categorisations", "Categorisation"),
            ("CategorySchemeMaps", "CategorySchemeMap"),
            ("CategorySchemes", "CategoryScheme"),
            ("Codelists", "Codelist"),
            ("ConceptSchemeMaps", "ConceptSchemeMap"),
            ("ConceptSchemes", "ConceptScheme"),
            ("CustomTypeSchemes", "CustomTypeScheme"),
            ("DataConstraints", "DataConstraint"),
            ("DataConsumerSchemes", "DataConsumerScheme"),
            ("Dataflows", "Dataflow"),
            ("DataProviderSchemes", "DataProviderScheme"),
            ("DataStructures", "DataStructure"),
            ("GeographicCodelists", "GeographicCodelist"),
            ("GeoGridCodelists", "GeoGridCodelist"),
            ("Hierarchies", "Hierarchy"),
            ("HierarchyAssociations", "HierarchyAssociation"),
            ("MetadataConstraints", "MetadataConstraint"),
            ("Metadataflows", "Metadataflow"),
            ("MetadataProviderSchemes", "MetadataProviderScheme"),
            ("MetadataProvisionAgreements", "MetadataProvisionAgreement"),
            ("MetadataStructures", "MetadataStructure"),
            ("NamePersonalisationSchemes", "NamePersonalisationScheme"),
            ("OrganisationSchemeMaps", "OrganisationSchemeMap"),
            ("OrganisationUnitSchemes", "OrganisationUnitScheme"),
            ("Processes", "Process"),
            ("ProvisionAgreements", "ProvisionAgreement"),
            ("ReportingTaxonomies", "ReportingTaxonomy"),
            ("ReportingTaxonomyMaps", "ReportingTaxonomyMap"),
            ("RepresentationMaps", "RepresentationMap"),
            ("RulesetSchemes", "RulesetScheme"),
            ("StructureMaps", "StructureMap"),
            ("TransformationSchemes", "TransformationScheme"),
            ("UserDefinedOperatorSchemes", "UserDefinedOperatorScheme"),
            ("ValueLists", "ValueList"),
            ("VtlMappingSchemes", "VtlMappingScheme"),
        )
    ),
}
#: SDMX-ML 3.1: 3.0's collections with the availability constraints (not maintainable: the
#: actual content of SDMX 3.1) after the agency schemes.
COLLECTIONS["3.1"] = (
    COLLECTIONS["3.0"][0],
    ("AvailabilityConstraints", ("AvailabilityConstraint",)),
    *COLLECTIONS["3.0"][1:],
)

#: SDMX-ML 3.0 element names stored under their SDMX 2.1 type (one vocabulary per node).
TYPE_FROM_ELEMENT = {"DataConstraint": "ContentConstraint", "Hierarchy": "HierarchicalCodelist"}
ELEMENT_FROM_TYPE = {
    "3.0": {"ContentConstraint": "DataConstraint", "HierarchicalCodelist": "Hierarchy"},
    "3.1": {"ContentConstraint": "DataConstraint", "HierarchicalCodelist": "Hierarchy"},
    "2.1": {},
}

#: Item (or component) classes -> the type of the maintainable that holds them.
MAINTAINABLE_OF_ITEM = {
    "Code": "Codelist",
    "Concept": "ConceptScheme",
    "Category": "CategoryScheme",
    "Agency": "AgencyScheme",
    "DataProvider": "DataProviderScheme",
    "DataConsumer": "DataConsumerScheme",
    "MetadataProvider": "MetadataProviderScheme",
    "OrganisationUnit": "OrganisationUnitScheme",
    "ReportingCategory": "ReportingTaxonomy",
    "HierarchicalCode": "HierarchicalCodelist",
    "Hierarchy": "HierarchicalCodelist",
    "Level": "HierarchicalCodelist",
    "Transformation": "TransformationScheme",
    "Ruleset": "RulesetScheme",
    "UserDefinedOperator": "UserDefinedOperatorScheme",
    "CustomType": "CustomTypeScheme",
    "NamePersonalisation": "NamePersonalisationScheme",
    "VtlDataflowMapping": "VtlMappingScheme",
    "VtlCodelistMapping": "VtlMappingScheme",
    "VtlConceptMapping": "VtlMappingScheme",
    "ValueItem": "ValueList",
    "Dimension": "DataStructure",
    "TimeDimension": "DataStructure",
    "MeasureDimension": "DataStructure",
    "PrimaryMeasure": "DataStructure",
    "Measure": "DataStructure",
    "DataAttribute": "DataStructure",
    "AttributeDescriptor": "DataStructure",
    "DimensionDescriptor": "DataStructure",
    "GroupDimensionDescriptor": "DataStructure",
    "MeasureDescriptor": "DataStructure",
    "MetadataAttribute": "MetadataStructure",
    "ReportStructure": "MetadataStructure",
    "MetadataTarget": "MetadataStructure",
    "ProcessStep": "Process",
    "DataStructureDefinition": "DataStructure",
    "DataflowDefinition": "Dataflow",
}

#: The maintainable classes' names in URNs and Ref/@class that differ from our types.
MAINTAINABLE_ALIASES = {
    "DataConstraint": "ContentConstraint",
    "DataStructureDefinition": "DataStructure",
    "DataflowDefinition": "Dataflow",
    "MetadataStructureDefinition": "MetadataStructure",
}


class StructureSplit:
    """A structure message taken apart: SDMX-ML version and one record per artefact."""

    def __init__(self, sdmx_ml: str, records: list[ArtefactRecord], header: dict[str, str]):
        self.sdmx_ml = sdmx_ml
        self.records = records
        self.header = header


def split_structure_message(data: bytes | etree._ElementTree) -> StructureSplit:
    """One `ArtefactRecord` per maintainable artefact in an SDMX-ML 2.1, 3.0 or 3.1 message."""
    tree = parse_xml(data, what="structure message") if isinstance(data, bytes) else data
    root = tree.getroot()
    version = message_version(root)
    ns = NAMESPACES[version]
    structures = root.find(f"{{{ns['mes']}}}Structures")
    records: list[ArtefactRecord] = []
    if structures is not None:
        for collection in structures:
            if not isinstance(collection.tag, str):
                continue
            for element in collection:
                if isinstance(element.tag, str):
                    records.append(artefact_record(element, version))
    header = _header(root, ns)
    return StructureSplit(version, records, header)


def _header(root: etree._Element, ns: dict[str, str]) -> dict[str, str]:
    header = root.find(f"{{{ns['mes']}}}Header")
    found: dict[str, str] = {}
    if header is None:
        return found
    for name in ("ID", "Prepared"):
        child = header.find(f"{{{ns['mes']}}}{name}")
        if child is not None and child.text:
            found[name] = child.text.strip()
    sender = header.find(f"{{{ns['mes']}}}Sender")
    if sender is not None and sender.get("id"):
        found["Sender"] = sender.get("id", "")
    return found


def artefact_record(element: etree._Element, version: str) -> ArtefactRecord:
    """The record of one artefact element of an SDMX-ML `version` message (or a stored one)."""
    local = etree.QName(element).localname
    type_ = TYPE_FROM_ELEMENT.get(local, local)
    agency = element.get("agencyID", "")
    id_ = element.get("id", "")
    art_version = element.get("version", "1.0")
    if version == "2.1":
        is_final = element.get("isFinal", "false").lower() == "true"
    else:
        is_final = is_stable_version(art_version)
    ref = ArtefactRef(type_, agency, id_, art_version)
    xml = etree.tostring(_detached(element), encoding="utf-8")
    refs = frozenset(r for r in iter_references(element, version) if r != ref)
    return ArtefactRecord(
        ref=ref,
        is_final=is_final,
        name=first_name(element, version),
        sdmx_ml=version,
        xml=xml,
        references=refs,
    )


def is_stable_version(version: str) -> bool:
    """Whether an SDMX 3.0 version is stable, which 2.1 calls final: stability is part of the
    version there (no extension such as `-draft`)."""
    return "-" not in version


def _detached(element: etree._Element) -> etree._Element:
    """A deep copy of `element` carrying the namespace declarations it inherits.

    (No `cleanup_namespaces`: lxml then loses `xmlns=""` undeclarations, as on the World
    Bank's unqualified `Ref` elements, and the element changes namespace.)
    """
    return etree.fromstring(etree.tostring(element))


def first_name(element: etree._Element, version: str) -> str:
    """The artefact's English name, else its first name, else ''."""
    ns = NAMESPACES[version]
    names = element.findall(f"{{{ns['com']}}}Name")
    for name in names:
        if name.get(f"{{{ns['xml']}}}lang") == "en":
            return (name.text or "").strip()
    return (names[0].text or "").strip() if names else ""


def iter_references(element: etree._Element, version: str) -> Iterable[ArtefactRef]:
    """The maintainable artefacts that `element` references (by Ref element or URN)."""
    for node in element.iter():
        if not isinstance(node.tag, str):
            continue
        local = etree.QName(node).localname
        if version == "2.1" and local == "Ref" and node.get("id"):
            ref = _from_ref_element(node)
            if ref is not None:
                yield ref
        elif node.text and "urn:sdmx:" in node.text and not _is_metadataflow_target(node):
            yield from _from_urns(node.text)


def _is_metadataflow_target(node: etree._Element) -> bool:
    """A 3.0 metadataflow's `Target`: what its metadata may be about (often a wildcard over a
    whole code list), not a structure it is built from; `references=` follows only its MSD,
    as the SDMX-REST 1.5 table (Metadataflow -> MetadataStructure) says."""
    parent = node.getparent()
    return (
        etree.QName(node).localname == "Target"
        and parent is not None
        and etree.QName(parent).localname == "Metadataflow"
    )


def _from_urns(text: str) -> Iterable[ArtefactRef]:
    for urn in find_urns(text):
        cls = urn.cls
        if urn.item and cls in MAINTAINABLE_OF_ITEM:
            type_ = MAINTAINABLE_OF_ITEM[cls]
        elif cls == "Hierarchy" and not urn.item:
            type_ = "HierarchicalCodelist"
        else:
            type_ = MAINTAINABLE_ALIASES.get(cls, MAINTAINABLE_OF_ITEM.get(cls, cls))
        yield urn.ref(type_)


def _from_ref_element(node: etree._Element) -> ArtefactRef | None:
    cls = node.get("class") or _class_from_context(node)
    if cls is None:
        return None
    parent_id = node.get("maintainableParentID")
    if parent_id:
        type_ = MAINTAINABLE_OF_ITEM.get(cls, cls)
        version = node.get("maintainableParentVersion") or node.get("version") or "1.0"
        return ArtefactRef(type_, node.get("agencyID", ""), parent_id, version)
    type_ = MAINTAINABLE_ALIASES.get(cls, cls)
    if type_ in MAINTAINABLE_OF_ITEM:  # an item referenced without its parent: not resolvable
        return None
    return ArtefactRef(
        type_, node.get("agencyID", ""), node.get("id", ""), node.get("version") or "1.0"
    )


#: The class a 2.1 `Ref` without @class refers to, from its enclosing element.
_CONTEXT_CLASS = {
    "Enumeration": "Codelist",
    "ConceptIdentity": "Concept",
    "Structure": "DataStructure",
    "ConceptRole": "Concept",
    "Parent": None,
}


def _class_from_context(node: etree._Element) -> str | None:
    parent = node.getparent()
    if parent is None:
        return None
    return _CONTEXT_CLASS.get(etree.QName(parent).localname)


def assemble_structure_message(
    elements: Sequence[tuple[str, bytes]], version: str, header: MessageHeader
) -> bytes:
    """An SDMX-ML structure message of `version` holding the given (type, element) pairs.

    Each element must already be in that SDMX-ML version; collections are written in the
    order the schema requires, elements within a collection in the order given.
    """
    ns = NAMESPACES[version]
    nsmap = {"mes": ns["mes"], "str": ns["str"], "com": ns["com"]}
    root = etree.Element(f"{{{ns['mes']}}}Structure", nsmap=nsmap)
    _write_header(root, ns, header)
    structures = etree.SubElement(root, f"{{{ns['mes']}}}Structures")
    by_element: dict[str, list[bytes]] = {}
    renames = ELEMENT_FROM_TYPE[version]
    for type_, xml in elements:
        by_element.setdefault(renames.get(type_, type_), []).append(xml)
    for collection, members in COLLECTIONS[version]:
        present = [m for m in members if m in by_element]
        if not present:
            continue
        holder = etree.SubElement(structures, f"{{{ns['str']}}}{collection}")
        for member in present:
            for xml in by_element.pop(member):
                holder.append(etree.fromstring(xml))
    if by_element:
        raise ValueError(f"no SDMX-ML {version} collection for {sorted(by_element)}")
    return etree.tostring(root, encoding="utf-8", xml_declaration=True)


def _write_header(root: etree._Element, ns: dict[str, str], header: MessageHeader) -> None:
    mes = ns["mes"]
    element = etree.SubElement(root, f"{{{mes}}}Header")
    etree.SubElement(element, f"{{{mes}}}ID").text = header.id
    etree.SubElement(element, f"{{{mes}}}Test").text = "true" if header.test else "false"
    prepared = header.prepared or datetime.now(UTC).replace(microsecond=0)
    etree.SubElement(element, f"{{{mes}}}Prepared").text = prepared.isoformat().replace(
        "+00:00", "Z"
    )
    etree.SubElement(element, f"{{{mes}}}Sender", id=header.sender)


def iter_item_references(
    element: etree._Element, version: str
) -> Iterable[tuple[ArtefactRef, str]]:
    """The items (codes, concepts, ...) that `element` references, with their scheme."""
    for node in element.iter():
        if not isinstance(node.tag, str):
            continue
        if version == "2.1" and etree.QName(node).localname == "Ref":
            parent_id, cls = node.get("maintainableParentID"), node.get("class") or ""
            if parent_id and cls in MAINTAINABLE_OF_ITEM and node.get("id"):
                version_ = node.get("maintainableParentVersion") or "1.0"
                scheme = ArtefactRef(
                    MAINTAINABLE_OF_ITEM[cls], node.get("agencyID", ""), parent_id, version_
                )
                yield scheme, node.get("id", "")
        elif node.text and "urn:sdmx:" in node.text:
            for urn in find_urns(node.text):
                # (a wildcard `.*`, as metadataflow targets write, names no one item)
                if urn.item and "*" not in urn.item and urn.cls in MAINTAINABLE_OF_ITEM:
                    yield urn.ref(MAINTAINABLE_OF_ITEM[urn.cls]), urn.item
