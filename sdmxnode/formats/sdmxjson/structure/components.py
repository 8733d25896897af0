"""Data and metadata structure definitions in SDMX-JSON: components and their relationships."""

from __future__ import annotations

import logging
from typing import Any

from sdmx.model import common, v21, v30

from sdmxnode.formats.sdmxjson.structure.common import (
    JsonObject,
    JsonWriting,
    annotation_properties,
    component_urn,
    links,
    maintainable,
    maintainable_urn,
    reference_urn,
)
from sdmxnode.formats.sdmxjson.structure.representation import representation

log = logging.getLogger(__name__)


def _component(
    writing: JsonWriting,
    component: common.Component,
    dsd: common.MaintainableArtefact,
    nested_id: str | None = None,
) -> JsonObject:
    """Id, annotations, links and concept identity of a component."""
    result: JsonObject = {"id": component.id}
    result.update(annotation_properties(writing, component))
    result.update(links(component, component_urn(component, dsd, writing, nested_id)))
    return result


def _concept(writing: JsonWriting, component: Any, result: JsonObject, roles: bool) -> None:
    urn = reference_urn(component.concept_identity, writing)
    if urn:
        result["conceptIdentity"] = urn
    role = getattr(component, "concept_role", None)
    role_urn = reference_urn(role, writing) if roles and role is not None else None
    if role_urn:
        result["conceptRoles"] = [role_urn]


def _local(writing: JsonWriting, component: Any, result: JsonObject, time: bool = False) -> None:
    rep = representation(component.local_representation, writing, time=time)
    if rep is None and time:
        rep = {"textFormat" if writing.major == 1 else "format": {}}
    if time and writing.minor and rep is not None:
        # SDMX-JSON 2.1 requires the time format's data type; the model's default is
        # ObservationalTimePeriod (SDMX 3.1 section 2, the time dimension).
        rep["format"].setdefault("dataType", "ObservationalTimePeriod")
    if rep:
        result["localRepresentation"] = rep


def _dimension_list(writing: JsonWriting, dsd: common.BaseDataStructureDefinition) -> JsonObject:
    descriptor = dsd.dimensions
    result: JsonObject = {"id": "DimensionDescriptor"}
    result.update(annotation_properties(writing, descriptor))
    result.update(links(descriptor, component_urn(descriptor, dsd, writing, "DimensionDescriptor")))
    dimensions, measure_dimensions, time_dimensions = [], [], []
    for position, dim in enumerate(descriptor.components):
        entry = _component(writing, dim, dsd)
        if writing.major == 1:
            entry["position"] = position
            entry["type"] = (
                type(dim).__name__ if not isinstance(dim, common.Dimension) else "Dimension"
            )
        elif not isinstance(dim, common.TimeDimension):
            entry["position"] = position
        _concept(writing, dim, entry, roles=not isinstance(dim, common.TimeDimension))
        _local(writing, dim, entry, time=isinstance(dim, common.TimeDimension))
        if isinstance(dim, common.TimeDimension):
            time_dimensions.append(entry)
        elif isinstance(dim, v21.MeasureDimension) and writing.major == 1:
            measure_dimensions.append(entry)
        else:
            dimensions.append(entry)
    if dimensions:
        result["dimensions"] = dimensions
    if measure_dimensions:
        result["measureDimensions"] = measure_dimensions
    if time_dimensions:
        if writing.major == 1:
            result["timeDimensions"] = time_dimensions
        else:
            result["timeDimension"] = time_dimensions[0]
    return result


def _relationship(writing: JsonWriting, attribute: Any, measure_id: str | None) -> JsonObject:
    """attributeRelationship (1.0 and 2.0 field guides, "attributeRelationship")."""
    related = attribute.related_to
    v1 = writing.major == 1
    if isinstance(related, common.DimensionRelationship):
        result: JsonObject = {}
        if related.dimensions:
            result["dimensions"] = [d.id for d in related.dimensions]
        if related.group_key is not None:
            if v1 and related.dimensions:
                result["attachmentGroups"] = [related.group_key.id]
            elif not related.dimensions:
                result["group"] = related.group_key.id
        if result:
            return result
    if isinstance(related, common.GroupRelationship) and related.group_key is not None:
        return {"group": related.group_key.id}
    observation = (v21.PrimaryMeasureRelationship, v30.ObservationRelationship)
    if isinstance(related, observation) or (isinstance(related, v30.MeasureRelationship)):
        if v1:
            return {"primaryMeasure": measure_id or "OBS_VALUE"}
        return {"observation": {}}
    if related is not None and not isinstance(
        related, v21.NoSpecifiedRelationship | v30.DataflowRelationship
    ):
        log.warning(
            "Attribute relationship %r of %s written as dataset level", related, attribute.id
        )
    return {"none": {}} if v1 else {"dataflow": {}}


def _attribute_list(
    writing: JsonWriting, dsd: common.BaseDataStructureDefinition, measure_id: str | None
) -> JsonObject | None:
    descriptor = dsd.attributes
    attributes, usages = [], []
    for attribute in descriptor.components:
        if isinstance(attribute, v30.MetadataAttributeUsage):
            if writing.major >= 2:
                usage: JsonObject = {}
                usage.update(annotation_properties(writing, attribute))
                usage["metadataAttributeReference"] = attribute.id
                usage["attributeRelationship"] = _relationship(writing, attribute, measure_id)
                usages.append(usage)
            continue
        entry = _component(writing, attribute, dsd)
        status = getattr(attribute, "usage_status", None)
        mandatory = status is not None and status.name == "mandatory"
        if writing.major == 1:
            entry["assignmentStatus"] = "Mandatory" if mandatory else "Conditional"
        elif status is not None:
            entry["usage"] = "mandatory" if mandatory else "optional"
        entry["attributeRelationship"] = _relationship(writing, attribute, measure_id)
        _concept(writing, attribute, entry, roles=True)
        _local(writing, attribute, entry)
        attributes.append(entry)
    if not attributes and not usages:
        return None
    result: JsonObject = {"id": "AttributeDescriptor"}
    result.update(annotation_properties(writing, descriptor))
    result.update(links(descriptor, component_urn(descriptor, dsd, writing, "AttributeDescriptor")))
    if attributes:
        result["attributes"] = attributes
    if usages:
        result["metadataAttributeUsages"] = usages
    return result


def _measure_list(writing: JsonWriting, dsd: Any) -> JsonObject | None:
    descriptor = getattr(dsd, "measures", None)
    if descriptor is None or not descriptor.components:
        return None
    result: JsonObject = {"id": "MeasureDescriptor"}
    result.update(annotation_properties(writing, descriptor))
    result.update(links(descriptor, component_urn(descriptor, dsd, writing, "MeasureDescriptor")))
    measures = []
    for measure in descriptor.components:
        entry = _component(writing, measure, dsd)
        _concept(writing, measure, entry, roles=writing.major >= 2)
        _local(writing, measure, entry)
        measures.append(entry)
    if writing.major == 1:
        if len(measures) > 1:
            log.warning(
                "%s has %d measures; SDMX-JSON 1.0 writes the first as primary measure",
                dsd.id,
                len(measures),
            )
        result["primaryMeasure"] = measures[0]
    else:
        result["measures"] = measures
    return result


def _groups(writing: JsonWriting, dsd: common.BaseDataStructureDefinition) -> list[JsonObject]:
    groups = []
    for group in dsd.group_dimensions.values():
        entry = _component(writing, group, dsd)
        if group.components:
            entry["groupDimensions"] = [d.id for d in group.components]
        groups.append(entry)
    return groups


def write_data_structure(
    writing: JsonWriting, dsd: common.BaseDataStructureDefinition
) -> JsonObject:
    """A data structure definition (field guides, "dataStructure")."""
    result = maintainable(writing, dsd)
    if dsd.is_external_reference and not dsd.dimensions.components:
        return result
    measures = getattr(dsd, "measures", None)
    measure_id = measures.components[0].id if measures and measures.components else None
    components: JsonObject = {}
    attribute_list = _attribute_list(writing, dsd, measure_id)
    if attribute_list:
        components["attributeList"] = attribute_list
    components["dimensionList"] = _dimension_list(writing, dsd)
    groups = _groups(writing, dsd)
    if groups:
        components["groups"] = groups
    measure_list = _measure_list(writing, dsd)
    if measure_list:
        components["measureList"] = measure_list
    result["dataStructureComponents"] = components
    metadata = getattr(dsd, "metadata", None)
    if metadata is not None and writing.major >= 2:
        urn = maintainable_urn(metadata, writing)
        if urn:
            result["metadata"] = urn
    return result


def _metadata_attribute(
    writing: JsonWriting, attribute: common.MetadataAttribute, msd: Any, prefix: str = ""
) -> JsonObject:
    nested_id = f"{prefix}{attribute.id}"
    entry = _component(writing, attribute, msd, nested_id)
    _concept(writing, attribute, entry, roles=False)
    _local(writing, attribute, entry)
    # minOccurs, maxOccurs (default 1) and isPresentational (default false) are written
    # explicitly, as pysdmx requires them.
    min_occurs = attribute.min_occurs
    entry["minOccurs"] = 1 if min_occurs is None else int(min_occurs)
    max_occurs = attribute.max_occurs
    # None: unbounded (as sdmx1 reads it; `sdmx1_gaps.set_occurrences` makes 1 explicit)
    entry["maxOccurs"] = "unbounded" if max_occurs is None else _occurs(max_occurs)
    entry["isPresentational"] = bool(attribute.is_presentational)  # default false
    if attribute.child:
        entry["metadataAttributes"] = [
            _metadata_attribute(writing, c, msd, f"{nested_id}.") for c in attribute.child
        ]
    return entry


def _occurs(value: Any) -> int | str:
    """maxOccurs: a positive integer or "unbounded"."""
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        return "unbounded"


def _top_attributes(components: list[Any]) -> list[common.MetadataAttribute]:
    return [
        a
        for a in components
        if isinstance(a, common.MetadataAttribute) and getattr(a, "parent", None) is None
    ]


def _msd_attributes(msd: Any) -> list[common.MetadataAttribute]:
    if isinstance(msd, v30.MetadataStructureDefinition):
        return _top_attributes(list(msd.attributes.components))
    result: list[common.MetadataAttribute] = []
    for report_structure in msd.report_structure.values():
        result.extend(_top_attributes(list(report_structure.components)))
    return result


def write_metadata_structure(
    writing: JsonWriting, msd: common.BaseMetadataStructureDefinition
) -> JsonObject:
    """A metadata structure definition (field guides, "metadataStructure")."""
    result = maintainable(writing, msd)
    attributes = _msd_attributes(msd)
    if writing.major >= 2:
        if attributes:
            attribute_list: JsonObject = {"id": "MetadataAttributeDescriptor"}
            attribute_list["metadataAttributes"] = [
                _metadata_attribute(writing, a, msd) for a in attributes
            ]
            result["metadataStructureComponents"] = {"metadataAttributeList": attribute_list}
        return result
    if isinstance(msd, v21.MetadataStructureDefinition) and msd.report_structure:
        targets = []
        for target in msd.target.values():
            targets.append(_component(writing, target, msd))
        reports = []
        for report_structure in msd.report_structure.values():
            entry = _component(writing, report_structure, msd)
            entry["metadataAttributes"] = [
                _metadata_attribute(writing, a, msd)
                for a in _top_attributes(list(report_structure.components))
            ]
            entry["metadataTargets"] = [
                component_urn(t, msd, writing) for t in report_structure.report_for
            ]
            reports.append(entry)
        if targets and reports:
            result["metadataStructureComponents"] = {
                "metadataTargets": targets,
                "reportStructures": reports,
            }
    return result
