"""SDMX-ML 3.0 data constraints, written from 2.1 ContentConstraints or 3.0 DataConstraints."""

from __future__ import annotations

import logging
from typing import Any

from lxml import etree
from sdmx.model import common

from sdmxnode.formats.sdmxml.structure30.common import element, maintainable_element, sub
from sdmxnode.formats.sdmxml.structure30.references import urn_for

log = logging.getLogger(__name__)

#: Constrained artefact kinds, in the order the DataConstraintAttachmentType choice lists.
ATTACHMENTS = (
    ("DataProvider", "str:DataProvider"),
    ("DataStructureDefinition", "str:DataStructure"),
    ("BaseDataflow", "str:Dataflow"),
    ("ProvisionAgreement", "str:ProvisionAgreement"),
)


def write_data_constraint(constraint: common.BaseConstraint) -> etree._Element:
    """`str:DataConstraint` (SDMX-ML 3.0 section 10): role Allowed/Actual, attachment,
    key sets, then at most two cube regions (3.0 allows one included and one excluded).
    """
    role = getattr(constraint, "role", None)
    role_type = getattr(role, "role", None)
    if role_type is None:
        log.warning("Constraint %s has no role; writing Allowed", constraint.id)
    role_name = "Actual" if role_type == common.ConstraintRoleType.actual else "Allowed"
    elem = maintainable_element("str:DataConstraint", constraint, role=role_name)
    _attachment(elem, constraint)
    keys = getattr(constraint, "data_content_keys", None)
    key_sets = keys if isinstance(keys, list) else [keys] if keys is not None else []
    for key_set in key_sets:
        elem.append(_key_set(key_set))
    regions = list(getattr(constraint, "data_content_region", None) or [])
    if len(regions) > 2:
        log.warning(
            "Constraint %s: %d cube regions, SDMX-ML 3.0 allows 2; writing the first 2",
            constraint.id,
            len(regions),
        )
    for region in regions[:2]:
        elem.append(_cube_region(region))
    return elem


def _attachment(parent: etree._Element, constraint: common.BaseConstraint) -> None:
    content = list(getattr(constraint, "content", None) or [])
    if not content:
        return
    by_kind: dict[str, list[Any]] = {}
    for obj in content:
        names = {k.__name__ for k in type(obj).__mro__}
        for kind, tag in ATTACHMENTS:
            if kind in names:
                by_kind.setdefault(tag, []).append(obj)
                break
        else:
            log.warning("Constraint %s: cannot attach to %s", constraint.id, type(obj).__name__)
    if not by_kind:
        return
    tag, objects = next(iter(by_kind.items()))
    if len(by_kind) > 1:
        log.warning(
            "Constraint %s: SDMX-ML 3.0 attaches to one kind of artefact; keeping %s",
            constraint.id,
            tag,
        )
    if tag == "str:DataProvider":
        objects = objects[:1]
    elem = sub(parent, "str:ConstraintAttachment")
    for obj in sorted(objects, key=lambda o: str(o.id)):
        try:
            sub(elem, tag, urn_for(obj))
        except ValueError as exc:
            log.warning("Constraint %s: %s", constraint.id, exc)
    if not len(elem):
        parent.remove(elem)


def _key_set(key_set: common.BaseDataKeySet) -> etree._Element:
    elem = element("str:DataKeySet", isIncluded=bool(key_set.included))
    for key in key_set.keys:
        key_elem = sub(elem, "str:Key")
        for component, value in key.key_value.items():
            value_elem = sub(key_elem, "str:KeyValue", id=getattr(component, "id", str(component)))
            sub(value_elem, "str:Value", str(getattr(value, "value", value)))
    return elem


def _cube_region(region: common.CubeRegion) -> etree._Element:
    # sdmx1's reader requires `include` on a cube region, although the XSD defaults it
    elem = element("str:CubeRegion", include=bool(region.included))
    key_values: list[tuple[Any, Any]] = []
    components: list[tuple[Any, Any]] = []
    for component, selection in region.member.items():
        is_dimension = isinstance(component, common.DimensionComponent)
        (key_values if is_dimension else components).append((component, selection))
    for component, selection in key_values:
        if not selection.values:
            log.warning("Cube region: no values for dimension %s; skipped", component.id)
            continue
        elem.append(_member_selection("str:KeyValue", component, selection))
    for component, selection in components:
        elem.append(_member_selection("str:Component", component, selection))
    return elem


def _member_selection(tag: str, component: Any, selection: Any) -> etree._Element:
    elem = element(
        tag,
        id=getattr(component, "id", str(component)),
        include=False if not selection.included else None,
    )
    time_values = [v for v in selection.values if not hasattr(v, "value")]
    if time_values:
        _time_range(elem, time_values[0])
        return elem
    for value in selection.values:
        sub(
            elem,
            "str:Value",
            str(value.value),
            cascadeValues=True if getattr(value, "cascade_values", None) else None,
        )
    return elem


def _time_range(parent: etree._Element, value: Any) -> None:
    elem = sub(parent, "str:TimeRange")
    kind = type(value).__name__
    if kind == "BeforePeriod":
        _period(elem, "str:BeforePeriod", value)
    elif kind == "AfterPeriod":
        _period(elem, "str:AfterPeriod", value)
    elif value.start is None:
        _period(elem, "str:BeforePeriod", value.end)
    elif value.end is None:
        _period(elem, "str:AfterPeriod", value.start)
    else:
        _period(elem, "str:StartPeriod", value.start)
        _period(elem, "str:EndPeriod", value.end)


def _period(parent: etree._Element, tag: str, period: Any) -> None:
    moment = period.period
    text = moment.isoformat() if hasattr(moment, "isoformat") else str(moment)
    sub(parent, tag, text, isInclusive=bool(period.is_inclusive))
