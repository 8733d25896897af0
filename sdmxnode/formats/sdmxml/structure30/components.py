"""SDMX-ML 3.0 structures with components: data structures and metadata structures."""

from __future__ import annotations

import logging
from typing import Any

from lxml import etree
from sdmx.model import common

from sdmxnode.formats.sdmxml.structure30.common import (
    add_annotations,
    add_reference,
    add_representation,
    element,
    maintainable_element,
    sub,
)
from sdmxnode.formats.sdmxml.structure30.references import make_urn

log = logging.getLogger(__name__)


def _component_element(
    tag: str,
    component: common.Component,
    structure: common.MaintainableArtefact,
    **attrib: Any,
) -> etree._Element:
    """A component with its id, URN, annotations and ConceptIdentity."""
    try:
        urn = make_urn(component, structure, component.id)
    except ValueError:
        urn = None
    elem = element(tag, id=component.id, urn=urn, **attrib)
    add_annotations(elem, component)
    if component.concept_identity is None:
        log.warning("%s %s has no concept identity", tag, component.id)
    else:
        add_reference(elem, "str:ConceptIdentity", component.concept_identity)
    return elem


def _component_list(
    tag: str, fixed_id: str, components: common.ComponentList, dsd: common.MaintainableArtefact
) -> etree._Element:
    try:
        urn = make_urn(components, dsd, fixed_id)
    except ValueError:
        urn = None
    elem = element(tag, id=fixed_id, urn=urn)
    add_annotations(elem, components)
    return elem


def _add_concept_role(elem: etree._Element, component: common.Component) -> None:
    role = getattr(component, "concept_role", None)
    if role is not None:
        add_reference(elem, "str:ConceptRole", role)


def write_data_structure(dsd: common.BaseDataStructureDefinition) -> etree._Element:
    """`str:DataStructure` (SDMX-ML 3.0 section 5.3).

    A 2.1 PrimaryMeasure becomes the single Measure; a 2.1 MeasureDimension becomes a
    plain Dimension (3.0 has none; its concept-scheme enumeration is dropped).
    """
    elem = maintainable_element("str:DataStructure", dsd)
    if dsd.dimensions.components:
        components = sub(elem, "str:DataStructureComponents")
        components.append(_dimension_list(dsd))
        for group in dsd.group_dimensions.values():
            components.append(_group(group, dsd))
        if dsd.attributes.components:
            components.append(_attribute_list(dsd))
        measures = getattr(dsd, "measures", None)
        if measures is not None and measures.components:
            components.append(_measure_list(measures, dsd))
    metadata = getattr(dsd, "metadata", None)
    if metadata is not None:
        add_reference(elem, "str:Metadata", metadata)
    return elem


def _dimension_list(dsd: common.BaseDataStructureDefinition) -> etree._Element:
    elem = _component_list("str:DimensionList", "DimensionDescriptor", dsd.dimensions, dsd)
    time_dimensions = []
    for position, dim in enumerate(dsd.dimensions.components, start=1):
        if isinstance(dim, common.TimeDimension):
            time_dimensions.append(dim)
            continue
        if type(dim).__name__ == "MeasureDimension":
            log.warning("MeasureDimension %s written as a Dimension (none in SDMX 3.0)", dim.id)
        dim_elem = _component_element(
            "str:Dimension", dim, dsd, position=dim.order if dim.order is not None else position
        )
        add_representation(
            dim_elem, "str:LocalRepresentation", dim.local_representation, context="simple"
        )
        _add_concept_role(dim_elem, dim)
        elem.append(dim_elem)
    for dim in time_dimensions[:1]:
        dim_elem = _component_element("str:TimeDimension", dim, dsd)
        add_representation(
            dim_elem,
            "str:LocalRepresentation",
            dim.local_representation or common.Representation(),
            context="time",
        )
        elem.append(dim_elem)
    return elem


def _group(
    group: common.GroupDimensionDescriptor, dsd: common.MaintainableArtefact
) -> etree._Element:
    try:
        urn = make_urn(group, dsd, group.id)
    except ValueError:
        urn = None
    elem = element("str:Group", id=group.id, urn=urn)
    add_annotations(elem, group)
    for dim in group.components:
        sub(sub(elem, "str:GroupDimension"), "str:DimensionReference", dim.id)
    return elem


def _attribute_list(dsd: common.BaseDataStructureDefinition) -> etree._Element:
    elem = _component_list("str:AttributeList", "AttributeDescriptor", dsd.attributes, dsd)
    for attribute in dsd.attributes.components:
        if type(attribute).__name__ == "MetadataAttributeUsage":
            usage_elem = sub(elem, "str:MetadataAttributeUsage")
            add_annotations(usage_elem, attribute)
            sub(usage_elem, "str:MetadataAttributeReference", attribute.id)
            _attribute_relationship(usage_elem, attribute)
            continue
        usage = getattr(attribute, "usage_status", None)
        attr_elem = _component_element(
            "str:Attribute",
            attribute,
            dsd,
            usage="mandatory" if usage == common.UsageStatus.mandatory else None,
        )
        add_representation(attr_elem, "str:LocalRepresentation", attribute.local_representation)
        _add_concept_role(attr_elem, attribute)
        _attribute_relationship(attr_elem, attribute)
        elem.append(attr_elem)
    return elem


def _attribute_relationship(parent: etree._Element, attribute: common.DataAttribute) -> None:
    """`AttributeRelationship` as SDMX 3.0 defines it (one of Dataflow, Dimension+, Group,
    Observation); a 2.1 dimension relationship with an attachment group keeps the dimensions.
    """
    relationship = attribute.related_to
    elem = sub(parent, "str:AttributeRelationship")
    kind = type(relationship).__name__
    if isinstance(relationship, common.DimensionRelationship) and relationship.dimensions:
        for dim in relationship.dimensions:
            sub(elem, "str:Dimension", getattr(dim, "id", str(dim)))
    elif isinstance(relationship, (common.DimensionRelationship, common.GroupRelationship)) and (
        relationship.group_key is not None
    ):
        sub(elem, "str:Group", relationship.group_key.id)
    elif kind in ("PrimaryMeasureRelationship", "ObservationRelationship", "MeasureRelationship"):
        sub(elem, "str:Observation")
    else:
        # None: sdmx1's 3.0 reader leaves an empty <Dataflow/> relationship unset
        if relationship is not None and kind not in (
            "NoSpecifiedRelationship",
            "DataflowRelationship",
        ):
            log.warning("Attribute %s: relationship %s written as Dataflow", attribute.id, kind)
        sub(elem, "str:Dataflow")


def _measure_list(
    measures: common.ComponentList, dsd: common.MaintainableArtefact
) -> etree._Element:
    elem = _component_list("str:MeasureList", "MeasureDescriptor", measures, dsd)
    for measure in measures.components:
        usage = getattr(measure, "usage_status", None)
        measure_elem = _component_element(
            "str:Measure",
            measure,
            dsd,
            usage="mandatory" if usage == common.UsageStatus.mandatory else None,
        )
        add_representation(measure_elem, "str:LocalRepresentation", measure.local_representation)
        _add_concept_role(measure_elem, measure)
        elem.append(measure_elem)
    return elem


def write_metadata_structure(msd: common.BaseMetadataStructureDefinition) -> etree._Element:
    """`str:MetadataStructure`: one MetadataAttributeList, attributes nested under parents.

    A 2.1 MSD's report structures are merged into the single 3.0 list (attributes
    de-duplicated by id); its metadata targets have no 3.0 counterpart and are dropped.
    """
    elem = maintainable_element("str:MetadataStructure", msd)
    attributes = _metadata_attributes(msd)
    if attributes:
        components = sub(elem, "str:MetadataStructureComponents")
        attr_list = sub(components, "str:MetadataAttributeList", id="MetadataAttributeDescriptor")
        seen: set[str] = set()
        for attribute in attributes:
            if attribute.id not in seen and not isinstance(
                attribute.parent, common.MetadataAttribute
            ):
                attr_list.append(_metadata_attribute(attribute, msd, seen))
    if getattr(msd, "target", None):
        log.info("MSD %s: 2.1 metadata targets are not written in SDMX-ML 3.0", msd.id)
    return elem


def _metadata_attributes(
    msd: common.BaseMetadataStructureDefinition,
) -> list[common.MetadataAttribute]:
    descriptor = getattr(msd, "attributes", None)
    if descriptor is not None:
        return list(descriptor.components)
    found: list[common.MetadataAttribute] = []
    for report_structure in getattr(msd, "report_structure", {}).values():
        found.extend(report_structure.components)
    return found


def _metadata_attribute(
    attribute: common.MetadataAttribute, msd: common.MaintainableArtefact, seen: set[str]
) -> etree._Element:
    seen.add(attribute.id)
    elem = _component_element(
        "str:MetadataAttribute",
        attribute,
        msd,
        minOccurs=attribute.min_occurs,
        # None: unbounded (as sdmx1 reads it; `sdmx1_gaps.set_occurrences` makes 1 explicit)
        maxOccurs="unbounded" if attribute.max_occurs is None else attribute.max_occurs,
        isPresentational=attribute.is_presentational,
    )
    add_representation(
        elem, "str:LocalRepresentation", attribute.local_representation, context="metadata"
    )
    for child in attribute.child:
        if child.id not in seen:
            elem.append(_metadata_attribute(child, msd, seen))
    return elem
