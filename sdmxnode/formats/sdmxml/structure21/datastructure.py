"""SDMX-ML 2.1 data structure definitions (from the 2.1 or the 3.0 model) and dataflows.

SDMX 2.1 Section 2 (information model) §5.3 and SDMXStructureDataStructure.xsd. The 3.0
model is written as closely as 2.1 allows; what 2.1 cannot express is recorded with
:func:`note_loss` and logged once per write.
"""

from __future__ import annotations

from typing import Any

from sdmx.model import common, v21, v30
from sdmx.writer.xml import Element

from sdmxnode.formats.sdmxml.structure21.base import (
    identifiable,
    local_ref,
    maintainable,
    ml21_writer,
    note_loss,
    ref,
    representation,
)

PRIMARY_MEASURE_ID = "OBS_VALUE"  # fixed by SDMX-ML 2.1 PrimaryMeasureType


def _concept_identity(obj: common.Component) -> list[Any]:
    concept = obj.concept_identity
    if concept is None:
        note_loss("components without a concept identity")
        return []
    return [ref(concept, "str:ConceptIdentity")]


def _local_representation(obj: common.Component, *, facets: bool = True) -> list[Any]:
    if obj.local_representation is None:
        return []
    rep = obj.local_representation
    if rep.enumerated is None and not rep.non_enumerated:
        return []
    return [representation(rep, "str:LocalRepresentation", facets=facets)]


def _concept_roles(obj: common.Component) -> list[Any]:
    role = getattr(obj, "concept_role", None)
    return [] if role is None else [ref(role, "str:ConceptRole")]


def _dimension(obj: common.DimensionComponent, dsd: common.BaseDataStructureDefinition) -> Any:
    attrib = {"position": None if obj.order is None else str(obj.order)}
    if isinstance(obj, common.TimeDimension):
        tag = "str:TimeDimension"
        roles: list[Any] = []
    elif isinstance(obj, v21.MeasureDimension):
        tag = "str:MeasureDimension"
        roles = _concept_roles(obj)
    else:
        tag = "str:Dimension"
        roles = _concept_roles(obj)
    return identifiable(
        obj,
        tag,
        *_concept_identity(obj),
        *_local_representation(obj),
        *roles,
        parent=dsd,
        with_urn=False,
        **attrib,
    )


def _measure_ref() -> Any:
    return Element("str:PrimaryMeasure", Element(":Ref", id=PRIMARY_MEASURE_ID))


def _relationship(obj: common.DataAttribute) -> Any:
    """str:AttributeRelationship: None, Dimension (+AttachmentGroup), Group or PrimaryMeasure."""
    rel = obj.related_to
    elem = Element("str:AttributeRelationship")
    if isinstance(rel, common.DimensionRelationship) and rel.dimensions:
        for dim in rel.dimensions:
            elem.append(local_ref("str:Dimension", dim.id))
        if rel.group_key is not None:
            elem.append(local_ref("str:AttachmentGroup", rel.group_key.id))
    elif isinstance(rel, common.GroupRelationship) and rel.group_key is not None:
        elem.append(local_ref("str:Group", rel.group_key.id))
    elif isinstance(rel, v21.PrimaryMeasureRelationship | v30.ObservationRelationship):
        elem.append(_measure_ref())
    elif isinstance(rel, v30.MeasureRelationship):
        note_loss("attributes related to particular measures (written as observation level)")
        elem.append(_measure_ref())
    else:
        if not isinstance(rel, v21.NoSpecifiedRelationship | v30.DataflowRelationship):
            note_loss("attributes with no attribute relationship (written as dataset level)")
        elem.append(Element("str:None"))
    return elem


def _attribute(obj: common.DataAttribute, dsd: common.BaseDataStructureDefinition) -> Any:
    tag = "str:ReportingYearStartDay" if isinstance(obj, v21.ReportingYearStartDay) else None
    status = obj.usage_status.name.title() if obj.usage_status is not None else "Conditional"
    if getattr(obj, "max_occurs", None) not in (None, 1) or getattr(obj, "min_occurs", None):
        note_loss("attribute multiplicity (SDMX 3.0 minOccurs/maxOccurs)")
    return identifiable(
        obj,
        tag or "str:Attribute",
        *_concept_identity(obj),
        *_local_representation(obj),
        *_concept_roles(obj),
        _relationship(obj),
        parent=dsd,
        with_urn=False,
        assignmentStatus=status,
    )


def _measures(dsd: Any) -> Any:
    elem = Element("str:MeasureList", id="MeasureDescriptor")
    measures = list(dsd.measures.components)
    if len(measures) > 1:
        note_loss("more than one measure (only the first is written as the primary measure)")
    for measure in measures[:1]:
        if measure.id != PRIMARY_MEASURE_ID:
            note_loss(
                f"measure ids other than {PRIMARY_MEASURE_ID} (written as {PRIMARY_MEASURE_ID})"
            )
        if getattr(measure, "concept_role", None) is not None:
            note_loss("measure concept roles")
        elem.append(
            identifiable(
                measure,
                "str:PrimaryMeasure",
                *_concept_identity(measure),
                *_local_representation(measure),
                with_urn=False,
                id=PRIMARY_MEASURE_ID,
            )
        )
    if not measures:
        note_loss("data structures without a measure")
    return elem


def _group(obj: common.GroupDimensionDescriptor) -> Any:
    dims = [
        Element("str:GroupDimension", local_ref("str:DimensionReference", d.id))
        for d in obj.components
    ]
    return identifiable(obj, "str:Group", *dims, with_urn=False)


def _components(obj: common.BaseDataStructureDefinition) -> Any:
    dimension_list = Element("str:DimensionList", id="DimensionDescriptor")
    dimension_list.extend(_dimension(d, obj) for d in obj.dimensions.components)
    elem = Element("str:DataStructureComponents", dimension_list)
    elem.extend(_group(g) for g in obj.group_dimensions.values())
    attributes = []
    for attribute in obj.attributes.components:
        if isinstance(attribute, v30.MetadataAttributeUsage):
            note_loss("metadata attribute usages in data structures")
            continue
        attributes.append(_attribute(attribute, obj))
    if attributes:
        elem.append(Element("str:AttributeList", *attributes, id="AttributeDescriptor"))
    elem.append(_measures(obj))
    return elem


@ml21_writer
def _data_structure(obj: common.BaseDataStructureDefinition) -> Any:
    """str:DataStructure; a 3.0 association with a metadata structure is lost."""
    if getattr(obj, "metadata", None) is not None:
        note_loss("the link from a data structure to a metadata structure")
    if obj.is_external_reference:
        return maintainable(obj, "str:DataStructure")
    return maintainable(obj, "str:DataStructure", _components(obj))


@ml21_writer
def _dataflow(obj: common.BaseDataflow) -> Any:
    """str:Dataflow with its str:Structure reference."""
    children = []
    if obj.structure is not None and obj.structure.id:
        children.append(ref(obj.structure, "str:Structure"))
    return maintainable(obj, "str:Dataflow", *children)
