"""SDMX-ML 2.1 content constraints (from 2.1 ContentConstraint or 3.0 DataConstraint),
provision agreements and categorisations.

SDMX 2.1 Section 2 §10.3 (constraints) and SDMXStructureConstraint.xsd,
SDMXStructureProvisionAgreement.xsd, SDMXStructureCategorisation.xsd.
"""

from __future__ import annotations

from typing import Any

from sdmx.model import common, v21, v30
from sdmx.writer.xml import Element

from sdmxnode.formats.sdmxml.structure21.base import (
    class_of,
    maintainable,
    maintainable_with_content,
    ml21_writer,
    note_loss,
    ref,
)

_ROLE = {"allowable": "Allowed", "actual": "Actual"}


def _bool(value: bool | None) -> str | None:
    return None if value is None else str(bool(value)).lower()


def _period(obj: common.Period, tag: str) -> Any:
    period = obj.period
    text = period.isoformat() if hasattr(period, "isoformat") else str(period)
    return Element(tag, text, isInclusive=_bool(obj.is_inclusive))


def _time_range(obj: Any) -> Any:
    """com:TimeRange: BeforePeriod, AfterPeriod, or StartPeriod and/or EndPeriod."""
    elem = Element("com:TimeRange")
    if isinstance(obj, v21.BeforePeriod | v30.BeforePeriod):
        elem.append(_period(obj, "com:BeforePeriod"))
    elif isinstance(obj, v21.AfterPeriod | v30.AfterPeriod):
        elem.append(_period(obj, "com:AfterPeriod"))
    else:
        if obj.start is not None:
            elem.append(_period(obj.start, "com:StartPeriod"))
        if obj.end is not None:
            elem.append(_period(obj.end, "com:EndPeriod"))
    return elem


def _member_selection(obj: common.BaseMemberSelection) -> Any:
    """com:KeyValue (dimensions) or com:Attribute in a cube region."""
    tag = "com:Attribute" if isinstance(obj.values_for, common.DataAttribute) else "com:KeyValue"
    if getattr(obj, "remove_prefix", False):
        note_loss("member selections that remove a code list extension prefix")
    if not obj.included:
        note_loss("excluded member selections inside a cube region")
    elem = Element(tag, id=obj.values_for.id)
    for value in obj.values:
        if isinstance(value, common.BaseMemberValue):
            elem.append(
                Element("com:Value", str(value.value), cascadeValues=_bool(value.cascade_values))
            )
        else:
            elem.append(_time_range(value))
    return elem


def _cube_region(obj: common.CubeRegion) -> Any:
    return Element(
        "str:CubeRegion",
        *[_member_selection(ms) for ms in obj.member.values()],
        include=_bool(obj.included),
    )


def _data_key_set(obj: common.BaseDataKeySet) -> Any:
    keys = []
    for key in obj.keys:
        values = [
            Element("com:KeyValue", Element("com:Value", str(cv.value)), id=component.id)
            for component, cv in key.key_value.items()
        ]
        if getattr(key, "valid_from", None) or getattr(key, "valid_to", None):
            note_loss("validity periods of data keys")
        keys.append(Element("str:Key", *values))
    return Element("str:DataKeySet", *keys, isIncluded=_bool(obj.included))


def _attachment(obj: common.BaseConstraint) -> list[Any]:
    content = sorted(getattr(obj, "content", ()), key=lambda a: (class_of(a)[0], str(a.id)))
    if not content:
        return []
    elem = Element("str:ConstraintAttachment")
    for artefact in content:
        cls = class_of(artefact)[0]
        elem.append(ref(artefact, f"str:{cls}"))
    return [elem]


@ml21_writer
def _content_constraint(obj: v21.ContentConstraint | v30.DataConstraint) -> Any:
    """str:ContentConstraint; a 3.0 DataConstraint is written as one."""
    role = getattr(getattr(obj, "role", None), "role", None)
    children = _attachment(obj)
    if obj.data_content_keys is not None:
        children.append(_data_key_set(obj.data_content_keys))
    children.extend(_cube_region(cr) for cr in obj.data_content_region)
    if getattr(obj, "metadata_content_region", None) is not None:
        note_loss("metadata target regions of constraints")
    return maintainable(
        obj,
        "str:ContentConstraint",
        *children,
        type=None if role is None else _ROLE[role.name],
    )


@ml21_writer
def _provision_agreement(obj: common.ProvisionAgreement) -> Any:
    """str:ProvisionAgreement: the dataflow it is for and the data provider."""
    children = []
    if obj.structure_usage is not None:
        children.append(ref(obj.structure_usage, "str:StructureUsage"))
    if obj.data_provider is not None:
        children.append(ref(obj.data_provider, "str:DataProvider"))
    return maintainable_with_content(obj, "str:ProvisionAgreement", *children)


@ml21_writer
def _categorisation(obj: common.Categorisation) -> Any:
    """str:Categorisation: the categorised artefact (Source) and the category (Target)."""
    children = []
    if isinstance(obj.artefact, common.IdentifiableArtefact):
        children.append(ref(obj.artefact, "str:Source"))
    else:
        note_loss("categorisations of artefacts outside the SDMX model")
    if obj.category is not None:
        children.append(ref(obj.category, "str:Target"))
    return maintainable(obj, "str:Categorisation", *children)
