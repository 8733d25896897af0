"""SDMX-ML 3.x data constraints, written from 2.1 ContentConstraints or 3.0 DataConstraints.

SDMX 3.1 keeps data constraints for the allowed content only (SDMX-ML 3.1 drops `role`); the
actual content is an availability constraint, which is not maintainable: one attachment (a
data structure, dataflow or provision agreement) and one cube region.
"""

from __future__ import annotations

import logging
from typing import Any

from lxml import etree
from sdmx.model import common

from sdmxnode.formats.sdmxml.structure30.common import (
    add_annotations,
    element,
    is_31,
    maintainable_element,
    sub,
)
from sdmxnode.formats.sdmxml.structure30.references import urn_for

log = logging.getLogger(__name__)

#: Constrained artefact kinds, in the order the DataConstraintAttachmentType choice lists.
ATTACHMENTS = (
    ("DataProvider", "str:DataProvider"),
    ("DataStructureDefinition", "str:DataStructure"),
    ("BaseDataflow", "str:Dataflow"),
    ("ProvisionAgreement", "str:ProvisionAgreement"),
)


def write_data_constraint(constraint: common.BaseConstraint) -> etree._Element | None:
    """`str:DataConstraint` (SDMX-ML 3.0 section 10): role Allowed/Actual, attachment,
    key sets, then at most two cube regions (3.0 allows one included and one excluded).

    In SDMX-ML 3.1 an allowed-content constraint has no role and an actual-content one is
    a `str:AvailabilityConstraint` (`write_availability_constraint`).
    """
    role = getattr(constraint, "role", None)
    role_type = getattr(role, "role", None)
    if role_type is None:
        log.warning("Constraint %s has no role; writing Allowed", constraint.id)
    role_name = "Actual" if role_type == common.ConstraintRoleType.actual else "Allowed"
    if is_31() and role_name == "Actual":
        return write_availability_constraint(constraint)
    elem = maintainable_element(
        "str:DataConstraint", constraint, role=None if is_31() else role_name
    )
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


def write_availability_constraint(constraint: common.BaseConstraint) -> etree._Element | None:
    """`str:AvailabilityConstraint` (SDMX-ML 3.1): annotations, the first data structure,
    dataflow or provision agreement the constraint is attached to, and its first cube
    region; None (logged) when it has no such attachment or no region. Key sets and further
    regions have no place in the 3.1 model and are left out with a warning."""
    elem = element("str:AvailabilityConstraint", **_metrics(constraint))
    add_annotations(elem, constraint)
    _attachment(elem, constraint)
    attachment = elem.find("{*}ConstraintAttachment")
    regions = list(getattr(constraint, "data_content_region", None) or [])
    # AvailabilityConstraintAttachmentType: one data structure, dataflow or provision agreement
    if attachment is None or etree.QName(attachment[0]).localname == "DataProvider" or not regions:
        log.warning(
            "Constraint %s: no availability constraint without a data attachment and a region",
            constraint.id,
        )
        return None
    for child in list(attachment)[1:]:
        attachment.remove(child)
    if len(regions) > 1 or getattr(constraint, "data_content_keys", None) is not None:
        log.warning(
            "Constraint %s: an SDMX-ML 3.1 availability constraint keeps one cube region "
            "and no key sets",
            constraint.id,
        )
    elem.append(_cube_region(regions[0]))
    return elem


#: `sdmx_metrics` annotations (the counts of an availability answer, SDMX-REST 2.x
#: `availability.md`) and the AvailabilityConstraint attributes SDMX-ML 3.1 gives them.
_METRICS = {"series_count": "seriesCount", "obs_count": "obsCount"}


def _metrics(constraint: common.BaseConstraint) -> dict[str, str]:
    """seriesCount / obsCount from the constraint's `sdmx_metrics` annotations."""
    found: dict[str, str] = {}
    for annotation in constraint.annotations:
        name = _METRICS.get(str(annotation.id))
        title = str(annotation.title or "")
        if name and annotation.type == "sdmx_metrics" and title.isdigit():
            found[name] = title
    return found


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
