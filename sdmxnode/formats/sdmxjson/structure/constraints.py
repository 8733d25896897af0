"""Content (1.0) and data (2.0, 2.1) constraints in SDMX-JSON: attachments, cube regions, key
sets; and the availability constraints of 2.1.

SDMX 3.1 keeps data constraints for the allowed content only (SDMX-JSON 2.1 drops `role`);
the actual content is an availability constraint, which is not maintainable: one cube
region and one attachment (a data structure, dataflow or provision agreement).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sdmx.model import common, v21, v30

from sdmxnode.formats.sdmxjson.structure.common import (
    JsonObject,
    JsonWriting,
    maintainable,
    reference_urn,
)

log = logging.getLogger(__name__)

# Constrainable artefact class -> constraintAttachment property (field guides,
# "constraintAttachment"), in the order SDMX-JSON 2.0 prefers when only one may be written.
_ATTACHMENTS: list[tuple[type, str]] = [
    (common.BaseDataflow, "dataflows"),
    (common.ProvisionAgreement, "provisionAgreements"),
    (common.BaseDataStructureDefinition, "dataStructures"),
    (common.DataProvider, "dataProvider"),
    (common.BaseMetadataflow, "metadataflows"),
    (common.BaseMetadataStructureDefinition, "metadataStructures"),
]
_DATA_ATTACHMENTS = {"dataflows", "provisionAgreements", "dataStructures", "dataProvider"}


def _role(constraint: Any) -> str | None:
    role = getattr(constraint, "role", None)
    role_type = getattr(role, "role", None)
    if role_type is None:
        return None
    return "Actual" if role_type.name == "actual" else "Allowed"


def _attachment(writing: JsonWriting, constraint: Any) -> JsonObject:
    grouped: dict[str, list[str]] = {}
    for artefact in getattr(constraint, "content", None) or ():
        key = next((k for cls, k in _ATTACHMENTS if isinstance(artefact, cls)), None)
        urn = reference_urn(artefact, writing)
        if key is None or urn is None:
            log.warning("Constraint %s: attachment %r not written", constraint.id, artefact)
            continue
        grouped.setdefault(key, []).append(urn)
    result: JsonObject = {}
    for _, key in _ATTACHMENTS:
        if key not in grouped:
            continue
        urns = sorted(set(grouped[key]))  # `content` is a set: sort for a stable output
        if writing.major >= 2 and (result or key not in _DATA_ATTACHMENTS):
            # SDMX-JSON 2.0 allows one kind of attachment per data constraint.
            log.warning(
                "Constraint %s: %s attachment not written in SDMX-JSON 2.0", constraint.id, key
            )
            continue
        if key == "dataProvider":
            if len(urns) > 1:
                log.warning("Constraint %s: only the first data provider is written", constraint.id)
            result[key] = urns[0]
        else:
            result[key] = urns
    return result


def _period(period: Any) -> JsonObject:
    value = period.period
    text = value.isoformat() if isinstance(value, datetime) else str(value)
    result: JsonObject = {"period": text}
    if period.is_inclusive is not None:
        result["isInclusive"] = bool(period.is_inclusive)
    return result


def _time_range(selection: Any) -> JsonObject | None:
    """TimeRangeValue: start and end, only a start (after), or only an end (before)."""
    for value in selection.values:
        if isinstance(value, v21.RangePeriod | v30.RangePeriod):
            start, end = value.start, value.end
            if start is not None and end is not None:
                return {"startPeriod": _period(start), "endPeriod": _period(end)}
            if start is not None:
                return {"afterPeriod": _period(start)}
            if end is not None:
                return {"beforePeriod": _period(end)}
    return None


def _selection(writing: JsonWriting, selection: Any) -> JsonObject:
    """A CubeRegionKey (dimension) or value set (attribute, measure) of a cube region."""
    result: JsonObject = {"id": selection.values_for.id}
    v2 = writing.major >= 2
    if v2 and selection.included is False:
        result["include"] = False
    if v2 and getattr(selection, "remove_prefix", False):
        result["removePrefix"] = True
    time_range = _time_range(selection)
    if time_range is not None:
        result["timeRange"] = time_range
        return result
    values: list[Any] = []
    cascade: list[str] = []
    for member in selection.values:
        value = getattr(member, "value", None)
        if value is None:
            continue
        if v2:
            # SimpleComponentValue objects rather than bare strings: both are valid, and
            # pysdmx reads only the objects.
            entry: JsonObject = {"value": str(value)}
            if member.cascade_values:
                entry["cascadeValues"] = True
            values.append(entry)
            continue
        values.append(str(value))
        if member.cascade_values:
            cascade.append(str(value))
    if values:
        result["values"] = values
    if cascade:
        result["cascadeValues"] = cascade
    return result


def _cube_region(writing: JsonWriting, region: common.CubeRegion) -> JsonObject:
    v2 = writing.major >= 2
    result: JsonObject = {"include" if v2 else "isIncluded": bool(region.included)}
    keys: list[JsonObject] = []
    others: list[JsonObject] = []
    for component, selection in region.member.items():
        entry = _selection(writing, selection)
        if isinstance(component, common.DimensionComponent):
            keys.append(entry)
        else:
            others.append(entry)
    if others:
        result["components" if v2 else "attributes"] = others
    if keys:
        result["keyValues"] = keys
    return result


def _key_set(writing: JsonWriting, key_set: Any) -> JsonObject | None:
    keys = []
    for key in key_set.keys:
        values = [
            {"id": component.id, "value": str(cv.value)}
            for component, cv in key.key_value.items()
            if cv.value is not None
        ]
        if values:
            keys.append({"keyValues": values})
    if not keys:
        return None
    return {"isIncluded": bool(key_set.included), "keys": keys}


def write_constraint(writing: JsonWriting, constraint: common.BaseConstraint) -> JsonObject:
    """A content constraint (1.0 `contentConstraints`) or data constraint (2.0 `dataConstraints`).

    Follows the field guides, "contentConstraint" (1.0) and "dataConstraint" (2.0).
    """
    result: JsonObject = {}
    role = _role(constraint)
    if role and writing.major == 1:
        result["type"] = role
    result.update(maintainable(writing, constraint))
    if role and writing.major >= 2 and not writing.minor:
        result["role"] = role
    attachment = _attachment(writing, constraint)
    if attachment:
        result["constraintAttachment"] = attachment
    regions = [_cube_region(writing, r) for r in getattr(constraint, "data_content_region", [])]
    if writing.major >= 2 and len(regions) > 2:
        log.warning(
            "Constraint %s: SDMX-JSON 2.0 allows 2 cube regions, %d written",
            constraint.id,
            len(regions),
        )
    if regions:
        result["cubeRegions"] = regions
    key_sets = getattr(constraint, "data_content_keys", None)
    if key_sets is not None:
        key_set = _key_set(writing, key_sets)
        if key_set:
            result["dataKeySets"] = [key_set]
    return result


def is_actual(constraint: object) -> bool:
    """Whether `constraint` describes the actual content (SDMX 2.1/3.0 role Actual)."""
    return _role(constraint) == "Actual"


#: The attachments of an availability constraint (2.1 `AvailabilityConstraintAttachmentType`).
_AVAILABILITY_ATTACHMENTS = {
    "dataflows": "dataflow",
    "provisionAgreements": "provisionAgreement",
    "dataStructures": "dataStructure",
}


def write_availability_constraint(writing: JsonWriting, constraint: Any) -> JsonObject:
    """An actual-content constraint as an SDMX-JSON 2.1 availability constraint: its first
    data attachment and its first cube region (key sets and further regions are not kept:
    the 3.1 model has no place for them)."""
    result: JsonObject = {}
    annotations = maintainable(writing, constraint).get("annotations")
    if annotations:
        result["annotations"] = annotations
    attachment = _attachment(writing, constraint)
    for key, name in _AVAILABILITY_ATTACHMENTS.items():
        if attachment.get(key):
            result["constraintAttachment"] = {name: attachment[key][0]}
            break
    regions = list(getattr(constraint, "data_content_region", None) or ())
    if regions:
        result["cubeRegion"] = _cube_region(writing, regions[0])
    if len(regions) > 1 or getattr(constraint, "data_content_keys", None) is not None:
        log.warning(
            "Constraint %s: an SDMX-JSON 2.1 availability constraint keeps one cube region "
            "and no key sets",
            constraint.id,
        )
    return result
