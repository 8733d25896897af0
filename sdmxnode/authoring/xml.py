"""SDMX-ML 2.1 element builders shared by the authoring modules (lxml, deterministic output)."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from pathlib import Path

from lxml import etree

from sdmxnode.authoring.artefacts import (
    AnnotationDef,
    AttributeDef,
    CodelistDef,
    ConceptDef,
    DataflowDef,
    DsdDef,
)
from sdmxnode.authoring.hierarchies import HierarchicalCodelistDef, HierarchyNode
from sdmxnode.authoring.taxonomy import TopicDef, definitions_category

logger = logging.getLogger(__name__)

MES = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message"
STR = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/structure"
COM = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common"
SS = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/data/structurespecific"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
NSMAP = {"mes": MES, "str": STR, "com": COM}

#: Fixed values that make every generated file reproducible byte for byte.
PREPARED = "2026-01-01T00:00:00"
SENDER = "IMDX"
#: Order of the sections of mes:Structures (SDMX-ML 2.1 StructuresType, a sequence).
SECTION_ORDER = (
    "OrganisationSchemes",
    "Dataflows",
    "CategorySchemes",
    "Categorisations",
    "Codelists",
    "HierarchicalCodelists",
    "Concepts",
    "DataStructures",
    "ReportingTaxonomies",
    "Constraints",
    "ProvisionAgreements",
)

IMDX_CONCEPT_SCHEME = ("IMDX", "CS_MIGRATION", "1.0.0")


def _el(parent: etree._Element, ns: str, name: str, **attrs: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{ns}}}{name}", {k: v for k, v in attrs.items() if v})


def _ref(parent: etree._Element, **attrs: str) -> etree._Element:
    """An unqualified `Ref` element, as the 2.1 reference types require."""
    return etree.SubElement(parent, "Ref", {k: v for k, v in attrs.items() if v})


def add_names(elem: etree._Element, names: Mapping[str, str], description: str = "") -> None:
    """Add com:Name for each language (English first, then sorted) and an English description."""
    for lang in sorted(names, key=lambda lang: (lang != "en", lang)):
        _el(elem, COM, "Name").text = names[lang]
        elem[-1].set(XML_LANG, lang)
    if description:
        desc = _el(elem, COM, "Description")
        desc.set(XML_LANG, "en")
        desc.text = description


def add_annotations(elem: etree._Element, annotations: Iterable[AnnotationDef]) -> None:
    """Add com:Annotations (title, type, text, in the schema's order) when there are any."""
    annotations = list(annotations)
    if not annotations:
        return
    container = _el(elem, COM, "Annotations")
    for annotation in annotations:
        node = _el(container, COM, "Annotation")
        if annotation.title:
            _el(node, COM, "AnnotationTitle").text = annotation.title
        _el(node, COM, "AnnotationType").text = annotation.type
        if annotation.text:
            text = _el(node, COM, "AnnotationText")
            text.set(XML_LANG, annotation.lang)
            text.text = annotation.text


def structure_message(message_id: str) -> tuple[etree._Element, dict[str, etree._Element]]:
    """A mes:Structure with its header; returns the root and a lazy map of sections."""
    root = etree.Element(f"{{{MES}}}Structure", nsmap=NSMAP)
    header = _el(root, MES, "Header")
    _el(header, MES, "ID").text = message_id
    _el(header, MES, "Test").text = "false"
    _el(header, MES, "Prepared").text = PREPARED
    _el(header, MES, "Sender", id=SENDER)
    _el(root, MES, "Structures")
    return root, {}


def section(root: etree._Element, sections: dict[str, etree._Element], name: str) -> etree._Element:
    """The str:<name> section of the message, created in schema order on first use."""
    if name not in sections:
        structures = root.find(f"{{{MES}}}Structures")
        assert structures is not None
        node = etree.Element(f"{{{STR}}}{name}")
        rank = SECTION_ORDER.index(name)
        position = sum(1 for other in sections if SECTION_ORDER.index(other) < rank)
        structures.insert(position, node)
        sections[name] = node
    return sections[name]


def _maintainable(
    parent: etree._Element,
    tag: str,
    urn_class: str,
    agency_id: str,
    id: str,
    version: str,
    final: bool = True,
    **extra: str,
) -> etree._Element:
    urn = f"urn:sdmx:org.sdmx.infomodel.{urn_class}={agency_id}:{id}({version})"
    attrs = {"id": id, "urn": urn, "agencyID": agency_id, "version": version}
    attrs["isFinal"] = "true" if final else "false"
    attrs.update(extra)
    return _el(parent, STR, tag, **attrs)


def add_codelist(parent: etree._Element, codelist: CodelistDef) -> etree._Element:
    """Write str:Codelist with its codes (names, annotations, parent references)."""
    node = _maintainable(
        parent, "Codelist", "codelist.Codelist", codelist.agency_id, codelist.id, codelist.version
    )
    annotations = list(codelist.annotations)
    if codelist.source:
        annotations.insert(0, AnnotationDef(type="SOURCE", text=codelist.source))
    add_annotations(node, annotations)
    add_names(node, codelist.names, codelist.description)
    for code in codelist.codes:
        item = _el(node, STR, "Code", id=code.id)
        add_annotations(item, code.annotations)
        add_names(item, code.names, code.description)
        if code.parent is not None:
            _ref(_el(item, STR, "Parent"), id=code.parent)
    return node


def add_concept_scheme(
    parent: etree._Element, names: Mapping[str, str], concepts: Iterable[ConceptDef]
) -> etree._Element:
    """Write the IMDX concept scheme; a reused concept carries an ORIGIN annotation."""
    agency_id, id, version = IMDX_CONCEPT_SCHEME
    node = _maintainable(
        parent, "ConceptScheme", "conceptscheme.ConceptScheme", agency_id, id, version
    )
    add_names(node, names)
    for concept in concepts:
        item = _el(node, STR, "Concept", id=concept.id)
        if concept.origin:
            add_annotations(item, [AnnotationDef(type="ORIGIN", text=concept.origin)])
        add_names(item, {"en": concept.name}, concept.description)
    return node


def _concept_identity(parent: etree._Element, concept_id: str) -> None:
    agency_id, scheme_id, version = IMDX_CONCEPT_SCHEME
    _ref(
        _el(parent, STR, "ConceptIdentity"),
        id=concept_id,
        maintainableParentID=scheme_id,
        maintainableParentVersion=version,
        agencyID=agency_id,
        package="conceptscheme",
        **{"class": "Concept"},
    )


def _enumeration(parent: etree._Element, codelist: CodelistDef) -> None:
    representation = _el(parent, STR, "LocalRepresentation")
    _ref(
        _el(representation, STR, "Enumeration"),
        id=codelist.id,
        version=codelist.version,
        agencyID=codelist.agency_id,
        package="codelist",
        **{"class": "Codelist"},
    )


def _attribute(parent: etree._Element, attribute: AttributeDef, dsd: DsdDef) -> None:
    status = "Mandatory" if attribute.mandatory else "Conditional"
    node = _el(parent, STR, "Attribute", id=attribute.id, assignmentStatus=status)
    _concept_identity(node, attribute.id)
    if attribute.codelist is not None:
        _enumeration(node, attribute.codelist)
    else:
        representation = _el(node, STR, "LocalRepresentation")
        _el(representation, STR, "TextFormat", textType=attribute.text_type)
    relationship = _el(node, STR, "AttributeRelationship")
    if attribute.attachment == "dataset":
        _el(relationship, STR, "None")
    elif attribute.attachment == "series":
        for dimension in dsd.dimensions:
            _ref(_el(relationship, STR, "Dimension"), id=dimension.id)
    elif attribute.attachment == "observation":
        _ref(_el(relationship, STR, "PrimaryMeasure"), id="OBS_VALUE")
    else:
        raise ValueError(f"unknown attachment {attribute.attachment!r} for {attribute.id}")


def add_dsd(parent: etree._Element, dsd: DsdDef) -> etree._Element:
    """Write str:DataStructure: dimensions in order, TIME_PERIOD last, attributes, OBS_VALUE."""
    node = _maintainable(
        parent, "DataStructure", "datastructure.DataStructure", dsd.agency_id, dsd.id, dsd.version
    )
    add_names(node, {"en": dsd.name}, dsd.description)
    components = _el(node, STR, "DataStructureComponents")
    dimensions = _el(components, STR, "DimensionList", id="DimensionDescriptor")
    for position, dimension in enumerate(dsd.dimensions, start=1):
        item = _el(dimensions, STR, "Dimension", id=dimension.id, position=str(position))
        _concept_identity(item, dimension.id)
        _enumeration(item, dimension.codelist)
    time = _el(
        dimensions, STR, "TimeDimension", id="TIME_PERIOD", position=str(len(dsd.dimensions) + 1)
    )
    _concept_identity(time, "TIME_PERIOD")
    representation = _el(time, STR, "LocalRepresentation")
    _el(representation, STR, "TextFormat", textType="ObservationalTimePeriod")
    attributes = _el(components, STR, "AttributeList", id="AttributeDescriptor")
    for attribute in dsd.attributes:
        _attribute(attributes, attribute, dsd)
    measures = _el(components, STR, "MeasureList", id="MeasureDescriptor")
    measure = _el(measures, STR, "PrimaryMeasure", id="OBS_VALUE")
    _concept_identity(measure, "OBS_VALUE")
    return node


def _dataflow_ref(parent: etree._Element, dataflow_id: str, version: str = "1.0.0") -> None:
    _ref(
        parent,
        id=dataflow_id,
        version=version,
        agencyID="IMDX",
        package="datastructure",
        **{"class": "Dataflow"},
    )


def add_dataflow(parent: etree._Element, dataflow: DataflowDef, dsd: DsdDef) -> etree._Element:
    """Write str:Dataflow pointing at its DSD."""
    node = _maintainable(
        parent, "Dataflow", "datastructure.Dataflow", dsd.agency_id, dataflow.id, dsd.version
    )
    add_names(node, {"en": dataflow.name}, dataflow.description)
    _ref(
        _el(node, STR, "Structure"),
        id=dsd.id,
        version=dsd.version,
        agencyID=dsd.agency_id,
        package="datastructure",
        **{"class": "DataStructure"},
    )
    return node


def constraint_id(dataflow: DataflowDef) -> str:
    """The id of the allowed content constraint attached to a dataflow."""
    return f"CC_{dataflow.id}"


def add_constraint(parent: etree._Element, dataflow: DataflowDef, dsd: DsdDef) -> etree._Element:
    """Write the allowed str:ContentConstraint of a dataflow (one cube region, key values)."""
    node = _maintainable(
        parent,
        "ContentConstraint",
        "registry.ContentConstraint",
        dsd.agency_id,
        constraint_id(dataflow),
        dsd.version,
        type="Allowed",
    )
    add_names(node, {"en": f"Allowed content of {dataflow.id}"})
    attachment = _el(node, STR, "ConstraintAttachment")
    _dataflow_ref(_el(attachment, STR, "Dataflow"), dataflow.id, dsd.version)
    region = _el(node, STR, "CubeRegion", include="true")
    order = {dim_id: rank for rank, dim_id in enumerate(dsd.dimension_ids())}
    for dimension_id in sorted(dataflow.allowed, key=order.__getitem__):
        key_value = _el(region, COM, "KeyValue", id=dimension_id)
        for value in dataflow.allowed[dimension_id]:
            _el(key_value, COM, "Value").text = value
    return node


def add_category_scheme(
    parent: etree._Element, id: str, names: Mapping[str, str], categories: Iterable[tuple[str, str]]
) -> etree._Element:
    """Write a flat str:CategoryScheme of (id, English name) categories."""
    node = _maintainable(
        parent, "CategoryScheme", "categoryscheme.CategoryScheme", "IMDX", id, "1.0.0"
    )
    add_names(node, names)
    for category_id, name in categories:
        item = _el(node, STR, "Category", id=category_id)
        add_names(item, {"en": name})
    return node


def add_categorisation(
    parent: etree._Element, scheme_id: str, category_id: str, dataflow_id: str
) -> etree._Element:
    """Write a str:Categorisation linking a dataflow to a category of the scheme."""
    id = f"CAT_{dataflow_id}_{category_id}"
    node = _maintainable(
        parent, "Categorisation", "categoryscheme.Categorisation", "IMDX", id, "1.0.0"
    )
    add_names(node, {"en": f"{dataflow_id} in {category_id}"})
    _dataflow_ref(_el(node, STR, "Source"), dataflow_id)
    _ref(
        _el(node, STR, "Target"),
        id=category_id,
        maintainableParentID=scheme_id,
        maintainableParentVersion="1.0.0",
        agencyID="IMDX",
        package="categoryscheme",
        **{"class": "Category"},
    )
    return node


def add_agency_scheme(
    parent: etree._Element, agencies: Iterable[tuple[str, str, str]]
) -> etree._Element:
    """Write IMDX's str:AgencyScheme; SDMX-ML 2.1 fixes its id (AGENCIES) and version (1.0)."""
    node = _maintainable(
        parent, "AgencyScheme", "base.AgencyScheme", "IMDX", "AGENCIES", "1.0", final=False
    )
    add_names(node, {"en": "IMDX agency scheme"})
    for agency_id, name, description in agencies:
        item = _el(node, STR, "Agency", id=agency_id)
        add_names(item, {"en": name}, description)
    return node


def add_data_provider_scheme(
    parent: etree._Element, agency_id: str, providers: Iterable[tuple[str, str, str]]
) -> etree._Element:
    """Write a str:DataProviderScheme; SDMX fixes its id (DATA_PROVIDERS) and version (1.0)."""
    return _organisation_scheme(parent, "DataProvider", "DATA_PROVIDERS", agency_id, providers)


def _organisation_scheme(
    parent: etree._Element,
    item_tag: str,
    scheme_id: str,
    agency_id: str,
    organisations: Iterable[tuple[str, str, str]],
) -> etree._Element:
    """A str:{item_tag}Scheme of (id, English name, description) organisations, under the
    id and version (1.0) SDMX fixes for it, named after the agency and what it lists."""
    node = _maintainable(
        parent,
        f"{item_tag}Scheme",
        f"base.{item_tag}Scheme",
        agency_id,
        scheme_id,
        "1.0",
        final=False,
    )
    add_names(node, {"en": f"{agency_id} {scheme_id.lower().replace('_', ' ')}"})
    for organisation_id, name, description in organisations:
        item = _el(node, STR, item_tag, id=organisation_id)
        add_names(item, {"en": name}, description)
    return node


def add_provision_agreement(
    parent: etree._Element, id: str, name: str, dataflow_id: str, provider: tuple[str, str]
) -> etree._Element:
    """Write a str:ProvisionAgreement: the data provider (agency, id) reports the dataflow."""
    node = _maintainable(
        parent, "ProvisionAgreement", "registry.ProvisionAgreement", "IMDX", id, "1.0.0"
    )
    add_names(node, {"en": name})
    _dataflow_ref(_el(node, STR, "StructureUsage"), dataflow_id)
    _ref(
        _el(node, STR, "DataProvider"),
        id=provider[1],
        maintainableParentID="DATA_PROVIDERS",
        maintainableParentVersion="1.0",
        agencyID=provider[0],
        package="base",
        **{"class": "DataProvider"},
    )
    return node


def add_hierarchical_codelist(
    parent: etree._Element, hcl: HierarchicalCodelistDef, alias: str
) -> etree._Element:
    """Write a str:HierarchicalCodelist: its code list included under `alias`, each
    hierarchy's codes referenced by CodelistAliasRef and CodeID (the 2.1 schema's form)."""
    node = _maintainable(
        parent,
        "HierarchicalCodelist",
        "codelist.HierarchicalCodelist",
        hcl.agency_id,
        hcl.id,
        hcl.version,
    )
    add_annotations(node, [AnnotationDef(type="SOURCE", text=hcl.source)])
    add_names(node, hcl.names, hcl.description)
    codelist = hcl.codelist
    included = _el(node, STR, "IncludedCodelist", alias=alias)
    _ref(
        included,
        id=codelist.id,
        version=codelist.version,
        agencyID=codelist.agency_id,
        package="codelist",
        **{"class": "Codelist"},
    )
    for hierarchy in hcl.hierarchies:
        urn = (
            f"urn:sdmx:org.sdmx.infomodel.codelist.Hierarchy="
            f"{hcl.agency_id}:{hcl.id}({hcl.version}).{hierarchy.id}"
        )
        item = _el(node, STR, "Hierarchy", id=hierarchy.id, urn=urn)
        add_names(item, {"en": hierarchy.name}, hierarchy.description)
        for root in hierarchy.roots:
            _hierarchical_code(item, root, alias)
    return node


def _hierarchical_code(parent: etree._Element, node: HierarchyNode, alias: str) -> None:
    item = _el(parent, STR, "HierarchicalCode", id=node.id)
    _el(item, STR, "CodelistAliasRef").text = alias
    _ref(_el(item, STR, "CodeID"), id=node.code)
    for child in node.children:
        _hierarchical_code(item, child, alias)


def add_data_consumer_scheme(
    parent: etree._Element, agency_id: str, consumers: Iterable[tuple[str, str, str]]
) -> etree._Element:
    """Write a str:DataConsumerScheme; SDMX fixes its id (DATA_CONSUMERS) and version (1.0)."""
    return _organisation_scheme(parent, "DataConsumer", "DATA_CONSUMERS", agency_id, consumers)


def add_reporting_taxonomy(
    parent: etree._Element,
    taxonomy: tuple[str, str, str],
    names: Mapping[str, str],
    description: str,
    topics: Iterable[TopicDef],
) -> etree._Element:
    """Write a str:ReportingTaxonomy (agency, id, version): a category per topic holding its
    dataflows, and a sub-category holding the metadataflow of their definitions."""
    agency_id, id, version = taxonomy
    node = _maintainable(
        parent, "ReportingTaxonomy", "categoryscheme.ReportingTaxonomy", agency_id, id, version
    )
    add_names(node, names, description)
    base = (
        f"urn:sdmx:org.sdmx.infomodel.categoryscheme.ReportingCategory={agency_id}:{id}({version})"
    )
    for topic in topics:
        category = _el(node, STR, "ReportingCategory", id=topic.id, urn=f"{base}.{topic.id}")
        add_names(category, {"en": topic.name})
        if topic.metadataflow is not None:  # sub-categories come before the references
            sub_id = definitions_category(topic)
            sub_urn = f"{base}.{topic.id}.{sub_id}"
            sub = _el(category, STR, "ReportingCategory", id=sub_id, urn=sub_urn)
            add_names(sub, {"en": f"Definitions used: {topic.name}"})
            _ref(
                _el(sub, STR, "ProvisioningMetadata"),
                id=topic.metadataflow,
                version="1.0.0",
                agencyID=agency_id,
                package="metadatastructure",
                **{"class": "Metadataflow"},
            )
        for dataflow_id in topic.dataflows:
            _dataflow_ref(_el(category, STR, "ProvisioningMetadata"), dataflow_id)
    return node


def to_bytes(root: etree._Element) -> bytes:
    """Serialise pretty-printed UTF-8 with an XML declaration (stable for equal trees)."""
    etree.indent(root, space="  ")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def write_message(root: etree._Element, path: Path) -> Path:
    """Write a message to `path` (parents created) and return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(to_bytes(root))
    logger.debug("wrote %s", path)
    return path


def structure_specific_message(
    dataflow: tuple[str, str, str], message_id: str, citation: str
) -> tuple[etree._Element, etree._Element]:
    """An SDMX-ML 2.1 StructureSpecificData message for `dataflow` (agency, id, version),
    observations by TIME_PERIOD, its header naming `citation` as source: the root and its
    empty DataSet."""
    agency_id, flow_id, version = dataflow
    namespace = (
        f"urn:sdmx:org.sdmx.infomodel.datastructure.Dataflow={agency_id}:{flow_id}({version})"
        ":ObsLevelDim:TIME_PERIOD"
    )
    nsmap = {"mes": MES, "ss": SS, "com": COM, "xsi": XSI, "ns1": namespace}
    root = etree.Element(f"{{{MES}}}StructureSpecificData", nsmap=nsmap)
    header = etree.SubElement(root, f"{{{MES}}}Header")
    etree.SubElement(header, f"{{{MES}}}ID").text = message_id
    etree.SubElement(header, f"{{{MES}}}Test").text = "false"
    etree.SubElement(header, f"{{{MES}}}Prepared").text = PREPARED
    etree.SubElement(header, f"{{{MES}}}Sender", id=SENDER)
    structure_id = f"{agency_id}_{flow_id}_{version.replace('.', '_')}"
    structure = etree.SubElement(
        header,
        f"{{{MES}}}Structure",
        structureID=structure_id,
        namespace=namespace,
        dimensionAtObservation="TIME_PERIOD",
    )
    usage = etree.SubElement(structure, f"{{{COM}}}StructureUsage")
    etree.SubElement(usage, "Ref", agencyID=agency_id, id=flow_id, version=version)
    source = etree.SubElement(header, f"{{{MES}}}Source")
    source.set(XML_LANG, "en")
    source.text = citation
    dataset = etree.SubElement(root, f"{{{MES}}}DataSet")
    dataset.set(f"{{{SS}}}structureRef", structure_id)
    dataset.set(f"{{{XSI}}}type", "ns1:DataSetType")
    dataset.set(f"{{{SS}}}dataScope", "DataStructure")
    return root, dataset
