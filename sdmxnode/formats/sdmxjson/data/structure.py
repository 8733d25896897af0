"""The structure part of an SDMX-JSON 1.0 / 2.0 data message: components, references, fallback.

SDMX-JSON data messages describe, next to the data, every component they use with the
values the data refers to by index ("structure" in 1.0, "structures[]" in 2.0; SDMX-JSON
field guide, "structure" and "component"). This module reads that description into
`MessageStructure`, finds the artefact the message says it is for (its links' URNs, or a
REST `href` `.../dataflow/AGENCY/ID/VERSION`), and, only when the node does not know that
artefact, builds a `StructureInfo` from the embedded description (see `embedded_structure`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sdmxnode.errors import Invalid
from sdmxnode.formats.rows import Component, StructureInfo
from sdmxnode.formats.values import join_languages, join_values
from sdmxnode.refs import STRUCTURE_CLASSES, STRUCTURE_TYPES, ArtefactRef, find_urns

LEVELS = ("dataSet", "series", "observation")
ATTRIBUTE_LEVELS = ("dataSet", "dimensionGroup", "series", "observation")
_ATTACHMENT = {
    "dataSet": "dataset",
    "dimensionGroup": "group",
    "series": "series",
    "observation": "observation",
}
#: Which reference wins when a message gives several (constraints hang on dataflows).
_PREFERENCE = ("dataflow", "provisionagreement", "datastructure")
TIME_IDS = ("TIME_PERIOD",)


@dataclass
class MessageComponent:
    """One component as the message describes it."""

    id: str
    level: str
    values: list[str | None] | None  # the values data items index; None: items are values
    key_position: int | None = None
    roles: tuple[str, ...] = ()
    default: str | None = None
    mandatory: bool = False
    related_dimensions: tuple[str, ...] = ()
    coded: bool = False  # its values have ids (a code list), not just values or names


@dataclass
class MessageStructure:
    """The components of one structure of the message, by level."""

    dimensions: dict[str, list[MessageComponent]]
    measures: list[MessageComponent]
    attributes: dict[str, list[MessageComponent]]
    links: Sequence[Mapping[str, Any]] = field(default_factory=list)
    has_measures: bool = False  # SDMX-JSON 2.0 lists its measures; 1.0 has OBS_VALUE only

    def all_dimensions(self) -> list[MessageComponent]:
        """The message's dimensions: data set, series, then observation level."""
        return [c for level in LEVELS for c in self.dimensions[level]]

    def all_attributes(self) -> list[MessageComponent]:
        """The message's attributes: data set, series, then observation level."""
        return [c for level in ATTRIBUTE_LEVELS for c in self.attributes[level]]


def text_of(item: Any) -> str | None:
    """A JSON value as the row string (numbers as written: floats are parsed as text)."""
    if item is None or isinstance(item, str):
        return item
    if isinstance(item, bool):
        return "true" if item else "false"
    if isinstance(item, int):
        return str(item)
    if isinstance(item, list):
        return join_values(text_of(part) or "" for part in item)
    if isinstance(item, dict):
        return join_languages({str(k): text_of(v) or "" for k, v in item.items()})
    raise TypeError(f"unexpected JSON value {item!r}")


def read_message_structure(raw: Any, where: str) -> MessageStructure:
    """The components of one `structure` object; Invalid when its shape is wrong."""
    if not isinstance(raw, dict):
        raise Invalid("the structure is not a JSON object", where=where)
    try:
        dimensions = {
            level: [_component(c, level) for c in raw.get("dimensions", {}).get(level) or []]
            for level in LEVELS
        }
        attributes = {
            level: [_component(c, level) for c in raw.get("attributes", {}).get(level) or []]
            for level in ATTRIBUTE_LEVELS
        }
        measures_raw = raw.get("measures")
        measures = [
            _component(c, "observation") for c in (measures_raw or {}).get("observation") or []
        ]
        links = [link for link in raw.get("links") or [] if isinstance(link, dict)]
    except (AttributeError, TypeError, ValueError, KeyError) as exc:
        raise Invalid(f"the structure's components are malformed: {exc}", where=where) from exc
    if not any(dimensions.values()):
        raise Invalid("the structure has no dimensions", where=where)
    if measures_raw is None:
        # SDMX-JSON 1.0 data hold attribute value indices only: an attribute listed with no
        # values can never be referenced, and messages (OECD.Stat) leave it out of the
        # observation arrays; sdmx1's reader drops it too.
        attributes = {
            level: [c for c in components if c.values != []]
            for level, components in attributes.items()
        }
    return MessageStructure(dimensions, measures, attributes, links, measures_raw is not None)


def _component(raw: dict[str, Any], level: str) -> MessageComponent:
    component_id = raw["id"]
    if not isinstance(component_id, str):
        raise TypeError(f"component id {component_id!r} is not a string")
    values = raw.get("values")
    parsed = None if values is None else [_value_of(v) for v in values]
    roles = raw.get("roles", raw.get("role")) or ()
    if isinstance(roles, str):
        roles = (roles,)
    relationship = raw.get("relationship") or {}
    related = relationship.get("dimensions") or () if isinstance(relationship, dict) else ()
    position = raw.get("keyPosition")
    return MessageComponent(
        id=component_id,
        level=level,
        values=parsed,
        key_position=position if isinstance(position, int) else None,
        roles=tuple(str(r) for r in roles),
        default=text_of(raw.get("default")),
        mandatory=bool(raw.get("isMandatory", False)),
        related_dimensions=tuple(str(d) for d in related),
        coded=bool(values) and all(isinstance(v, dict) and "id" in v for v in values or ()),
    )


def _value_of(raw: Any) -> str | None:
    """A component value object: its id (coded), else its value(s), else (1.0 drafts) name."""
    if not isinstance(raw, dict):
        return text_of(raw)
    for key in ("id", "value", "values", "name"):
        if key in raw:
            return text_of(raw[key])
    return None


def is_time(component: MessageComponent) -> bool:
    """Whether a component of the message is its time dimension."""
    return component.id in TIME_IDS or "TIME_PERIOD" in component.roles


def structure_refs(*link_lists: Sequence[Mapping[str, Any]]) -> dict[str, ArtefactRef]:
    """The artefacts the links name, by kind (dataflow, datastructure, provisionagreement)."""
    refs: dict[str, ArtefactRef] = {}
    for links in link_lists:
        for link in links:
            ref = _link_ref(link)
            if ref is not None:
                refs.setdefault(ref.kind, ref)
    return refs


def preferred_ref(refs: Mapping[str, ArtefactRef]) -> ArtefactRef | None:
    """The structure reference data are stored under: dataflow, agreement, then DSD."""
    for kind in _PREFERENCE:
        if kind in refs:
            return refs[kind]
    return None


def _link_ref(link: Mapping[str, Any]) -> ArtefactRef | None:
    urn = link.get("urn")
    if isinstance(urn, str):
        for found in find_urns(urn):
            if found.cls in STRUCTURE_CLASSES and not found.item:
                return found.ref()
    href = link.get("href")
    if isinstance(href, str):
        return _href_ref(href)
    return None


def _href_ref(href: str) -> ArtefactRef | None:
    """`.../dataflow/AGENCY/ID/VERSION` (SDMX REST structure path); other paths give None."""
    segments = [s for s in href.split("?")[0].split("/") if s]
    for index, segment in enumerate(segments):
        type_ = STRUCTURE_TYPES.get(segment.lower())
        if type_ and len(segments) - index - 1 == 3:
            agency, artefact_id, version = segments[index + 1 :]
            if agency.lower() != "all" and artefact_id.lower() != "all":
                return ArtefactRef(type_, agency, artefact_id, version)
    return None


def _reference(ref: ArtefactRef | None) -> str | None:
    return ref.identity if ref else None


def embedded_structure(message: MessageStructure, refs: Mapping[str, ArtefactRef]) -> StructureInfo:
    """A StructureInfo built from what the message itself describes.

    Used only when the node does not hold the structure the message references (the
    resolver raised NotFound) or when the message references none. Dimensions are ordered
    by `keyPosition`; the time dimension is TIME_PERIOD (by id or role); the codes of a
    component are the ids of its embedded values (so validation checks the data against
    what the message declares, no more); SDMX-JSON 1.0 messages get the one measure
    OBS_VALUE. No content constraints.
    """
    dimensions = message.all_dimensions()
    time = next((c for c in dimensions if is_time(c)), None)
    keyed = [c for c in dimensions if c is not time]
    keyed.sort(key=lambda c: (c.key_position is None, c.key_position or 0))
    measures = message.measures if message.has_measures else []
    return StructureInfo(
        dsd=_reference(refs.get("datastructure")) or "embedded",
        dataflow=_reference(refs.get("dataflow")),
        dimensions=tuple(Component(c.id, "dimension", _codes(c)) for c in keyed),
        time_dimension=Component(time.id, "time") if time else None,
        measures=tuple(Component(c.id, "measure", _codes(c)) for c in measures)
        or (Component("OBS_VALUE", "measure"),),
        attributes=tuple(
            Component(
                c.id,
                "attribute",
                _codes(c),
                mandatory=c.mandatory,
                attachment=_ATTACHMENT[c.level],
                related_dimensions=c.related_dimensions,
            )
            for c in message.all_attributes()
        ),
    )


def _codes(component: MessageComponent) -> frozenset[str] | None:
    if not component.coded or not component.values:
        return None
    return frozenset(v for v in component.values if v is not None)
