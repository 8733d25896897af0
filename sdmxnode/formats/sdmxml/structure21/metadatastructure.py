"""SDMX-ML 2.1 metadata structure definitions, from the 2.1 or the 3.0 model.

SDMX 2.1 Section 2 §7.3 and SDMXStructureMetadataStructure.xsd. A 3.0 MSD has only a
metadata attribute descriptor; SDMX-ML 2.1 requires at least one metadata
target and one report structure, so the 3.0 attributes are written in one report structure
for one generic metadata target of a few identifiable objects of any class (the 2.1 form of
`formats.metadata`, in which the 2.1 metadata writer writes 3.0 sets), as closely as 2.1
allows.
"""

from __future__ import annotations

from typing import Any

from sdmx.model import common, v21, v30
from sdmx.writer.xml import Element

from sdmxnode.formats.metadata import OBJECT_TARGET_IDS_21, REPORT_ID_21, TARGET_ID_21
from sdmxnode.formats.sdmxml.structure21.base import (
    class_name,
    identifiable,
    local_ref,
    maintainable,
    ml21_writer,
    note_loss,
    ref,
    representation,
)

#: SDMX-ML 2.1 elements of the target objects of a metadata target.
_TARGET_TAG: dict[type, str] = {
    v21.DataSetTarget: "str:DataSetTarget",
    v21.DimensionDescriptorValuesTarget: "str:KeyDescriptorValuesTarget",
    v21.ReportPeriodTarget: "str:ReportPeriodTarget",
    v21.IdentifiableObjectTarget: "str:IdentifiableObjectTarget",
}


def _target_object(obj: v21.TargetObject) -> Any:
    tag = next(t for cls, t in _TARGET_TAG.items() if isinstance(obj, cls))
    children = []
    rep = obj.local_representation
    if rep is not None and (rep.enumerated is not None or rep.non_enumerated):
        children.append(representation(rep, "str:LocalRepresentation"))
    attrib: dict[str, Any] = {"id": None}  # fixed by the schema, except below
    if isinstance(obj, v21.IdentifiableObjectTarget):
        attrib["id"] = obj.id
        object_type = obj.object_type
        attrib["objectType"] = "Any" if object_type is None else class_name(object_type)
    return identifiable(obj, tag, *children, with_urn=False, **attrib)


def _metadata_target(obj: v21.MetadataTarget) -> Any:
    children = [_target_object(t) for t in obj.components]
    return identifiable(obj, "str:MetadataTarget", *children, with_urn=False)


def _report_structure(obj: v21.ReportStructure) -> Any:
    attributes = [_metadata_attribute(a) for a in obj.components if a.parent is None]
    targets = [local_ref("str:MetadataTarget", t.id) for t in obj.report_for]
    return identifiable(obj, "str:ReportStructure", *attributes, *targets, with_urn=False)


@ml21_writer
def _msd_21(obj: v21.MetadataStructureDefinition) -> Any:
    """A 2.1 MSD: metadata targets, then report structures."""
    components = Element(
        "str:MetadataStructureComponents",
        *[_metadata_target(t) for t in obj.target.values()],
        *[_report_structure(r) for r in obj.report_structure.values()],
    )
    return maintainable(obj, "str:MetadataStructure", components)


def _metadata_attribute(obj: common.MetadataAttribute) -> Any:
    children: list[Any] = []
    if obj.concept_identity is not None:
        children.append(ref(obj.concept_identity, "str:ConceptIdentity"))
    rep = obj.local_representation
    if rep is not None and (rep.enumerated is not None or rep.non_enumerated):
        children.append(representation(rep, "str:LocalRepresentation"))
    children.extend(_metadata_attribute(child) for child in obj.child)
    attrib: dict[str, Any] = {
        "isPresentational": None
        if obj.is_presentational is None
        else str(obj.is_presentational).lower(),
        "minOccurs": None if obj.min_occurs is None else str(obj.min_occurs),
        # None: unbounded (as sdmx1 reads it; `sdmx1_gaps.set_occurrences` makes 1 explicit)
        "maxOccurs": "unbounded" if obj.max_occurs is None else str(obj.max_occurs),
    }
    return identifiable(obj, "str:MetadataAttribute", *children, with_urn=False, **attrib)


@ml21_writer
def _msd_30(obj: v30.MetadataStructureDefinition) -> Any:
    """A 3.0 MSD: its attributes in one report structure for one generic target."""
    if obj.is_external_reference:
        return maintainable(obj, "str:MetadataStructure")
    note_loss("SDMX 3.0 metadata structures (written with a generic 2.1 target)")
    objects = [
        Element(
            "str:IdentifiableObjectTarget",
            Element(
                "str:LocalRepresentation",
                Element("str:TextFormat", textType="IdentifiableReference"),
            ),
            id=object_id,
            objectType="Any",
        )
        for object_id in OBJECT_TARGET_IDS_21
    ]
    target = Element("str:MetadataTarget", *objects, id=TARGET_ID_21)
    top = [a for a in obj.attributes.components if a.parent is None]
    report = Element(
        "str:ReportStructure",
        *[_metadata_attribute(a) for a in top],
        local_ref("str:MetadataTarget", TARGET_ID_21),
        id=REPORT_ID_21,
    )
    return maintainable(
        obj, "str:MetadataStructure", Element("str:MetadataStructureComponents", target, report)
    )


def metadataflow_21(obj: common.BaseMetadataflow) -> Any:
    """str:Metadataflow with its str:Structure reference to the MSD.

    A 3.0 metadataflow's `Target`s have no SDMX-ML 2.1 place (2.1 targets sit in the MSD's
    metadata targets); they are dropped and noted as a loss.
    """
    children = []
    structure = getattr(obj, "structure", None)
    if not obj.is_external_reference and structure is not None and structure.id:
        children.append(ref(structure, "str:Structure"))
    if getattr(obj, "targets", None):
        note_loss("metadataflow targets (SDMX 3.0)")
    return maintainable(obj, "str:Metadataflow", *children)
