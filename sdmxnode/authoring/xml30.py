"""SDMX-ML 3.0 builders for what SDMX-ML 2.1 cannot say: the metadata structure and the
metadataflows with their `Target`s (a 2.1 metadataflow has no targets, so the flows are
authored in 3.0; the node writes 2.1 and JSON from them)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lxml import etree

from sdmxnode.authoring import xml
from sdmxnode.authoring.artefacts import Names
from sdmxnode.authoring.msd import (
    AGENCY,
    MSD_ATTRIBUTES,
    MSD_ID,
    VERSION,
    MetadataAttributeDef,
    MetadataflowDef,
    metadataflow_targets,
    msd_urn,
)

MES = "http://www.sdmx.org/resources/sdmxml/schemas/v3_0/message"
STR = "http://www.sdmx.org/resources/sdmxml/schemas/v3_0/structure"
COM = "http://www.sdmx.org/resources/sdmxml/schemas/v3_0/common"
NSMAP = {"mes": MES, "str": STR, "com": COM}

if TYPE_CHECKING:  # authoring.process reads the area maps, which are built here
    from sdmxnode.authoring.process import StepDef

CONCEPT_URN = "urn:sdmx:org.sdmx.infomodel.conceptscheme.Concept={}:{}({}).{{}}".format(
    *xml.IMDX_CONCEPT_SCHEME
)


def _el(parent: etree._Element, ns: str, name: str, **attrs: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{ns}}}{name}", {k: v for k, v in attrs.items() if v})


def _names(elem: etree._Element, names: Names, description: str = "") -> None:
    for lang in sorted(names, key=lambda lang: (lang != "en", lang)):
        _el(elem, COM, "Name").text = names[lang]
        elem[-1].set(xml.XML_LANG, lang)
    if description:
        _el(elem, COM, "Description").text = description
        elem[-1].set(xml.XML_LANG, "en")


def structure_message(message_id: str) -> tuple[etree._Element, etree._Element]:
    """A 3.0 mes:Structure with its header; returns the root and its str:Structures."""
    root = etree.Element(f"{{{MES}}}Structure", nsmap=NSMAP)
    header = _el(root, MES, "Header")
    _el(header, MES, "ID").text = message_id
    _el(header, MES, "Test").text = "false"
    _el(header, MES, "Prepared").text = xml.PREPARED
    _el(header, MES, "Sender", id=xml.SENDER)
    return root, _el(root, MES, "Structures")


def _maintainable(
    parent: etree._Element, tag: str, urn: str, id: str, names: Names, description: str = ""
) -> etree._Element:
    node = _el(parent, STR, tag, id=id, urn=urn, agencyID=AGENCY, version=VERSION)
    node.set("isExternalReference", "false")
    _names(node, names, description)
    return node


def _attribute(parent: etree._Element, attribute: MetadataAttributeDef) -> None:
    attrs = {"id": attribute.id}
    if attribute.min_occurs != 1:
        attrs["minOccurs"] = str(attribute.min_occurs)
    if attribute.max_occurs != 1:
        attrs["maxOccurs"] = (
            "unbounded" if attribute.max_occurs is None else str(attribute.max_occurs)
        )
    if attribute.presentational:
        attrs["isPresentational"] = "true"
    node = _el(parent, STR, "MetadataAttribute", **attrs)
    _el(node, STR, "ConceptIdentity").text = CONCEPT_URN.format(attribute.id)
    if attribute.codelist is not None:
        representation = _el(node, STR, "LocalRepresentation")
        _el(representation, STR, "Enumeration").text = attribute.codelist.urn
    elif not attribute.presentational:
        representation = _el(node, STR, "LocalRepresentation")
        text = _el(representation, STR, "TextFormat", textType=attribute.text_type)
        if attribute.text_type in ("String", "XHTML"):
            text.set(
                "isMultiLingual",
                "true" if attribute.multilingual or attribute.text_type == "XHTML" else "false",
            )
    for child in attribute.children:
        _attribute(node, child)


def add_msd(structures: etree._Element) -> etree._Element:
    """str:MetadataStructures with IMDX:MSD_MIG_COMPARABILITY(1.0.0)."""
    container = _el(structures, STR, "MetadataStructures")
    node = _maintainable(
        container,
        "MetadataStructure",
        msd_urn(),
        MSD_ID,
        {"en": "Comparability of international migration statistics"},
        "Reference metadata on the definitions, sources and coverage behind one country's"
        " migration figures: SIMS 2.0 concepts plus the migration-specific criteria.",
    )
    components = _el(node, STR, "MetadataStructureComponents")
    attributes = _el(components, STR, "MetadataAttributeList", id="MetadataAttributeDescriptor")
    for attribute in MSD_ATTRIBUTES:
        _attribute(attributes, attribute)
    return node


def add_metadataflows(
    structures: etree._Element, flows: tuple[MetadataflowDef, ...]
) -> etree._Element:
    """str:Metadataflows: each flow names the MSD and targets its dataflows and CL_AREA codes."""
    container = etree.Element(f"{{{STR}}}Metadataflows")
    structures.insert(0, container)  # Metadataflows come before MetadataStructures
    for flow in flows:
        urn = (
            "urn:sdmx:org.sdmx.infomodel.metadatastructure.Metadataflow="
            f"{AGENCY}:{flow.id}({VERSION})"
        )
        node = _maintainable(
            container,
            "Metadataflow",
            urn,
            flow.id,
            {"en": flow.name},
            f"One metadata set per dataflow of {flow.dsd.id} and reporting country (CL_AREA).",
        )
        _el(node, STR, "Structure").text = msd_urn()
        for target in metadataflow_targets(flow):
            _el(node, STR, "Target").text = target
    return container


def add_process(
    structures: etree._Element,
    identity: tuple[str, str],
    names: Names,
    description: str,
    steps: tuple[StepDef, ...],
) -> etree._Element:
    """str:Processes with one str:Process (id, version) of IMDX and its steps in order."""
    id, version = identity
    container = _el(structures, STR, "Processes")
    urn = f"urn:sdmx:org.sdmx.infomodel.process.Process={AGENCY}:{id}({version})"
    node = _el(container, STR, "Process", id=id, urn=urn, agencyID=AGENCY, version=version)
    node.set("isExternalReference", "false")
    _names(node, names, description)
    step_urn = f"urn:sdmx:org.sdmx.infomodel.process.ProcessStep={AGENCY}:{id}({version})"
    for step in steps:
        item = _el(node, STR, "ProcessStep", id=step.id, urn=f"{step_urn}.{step.id}")
        _names(item, {"en": step.name})
        for tag, urns in (("Input", step.inputs), ("Output", step.outputs)):
            for reference in urns:
                _el(_el(item, STR, tag), STR, "ObjectReference").text = reference
        computation = _el(item, STR, "Computation")
        _el(computation, COM, "Description").text = step.computation
        computation[-1].set(xml.XML_LANG, "en")
        for transition in step.transitions:
            transition_urn = (
                "urn:sdmx:org.sdmx.infomodel.process.Transition="
                f"{AGENCY}:{id}({version}).{step.id}.{transition.id}"
            )
            node_t = _el(item, STR, "Transition", id=transition.id, urn=transition_urn)
            _el(node_t, STR, "TargetStep").text = transition.target
            _el(node_t, STR, "Condition").text = transition.condition
            node_t[-1].set(xml.XML_LANG, "en")
    return node
