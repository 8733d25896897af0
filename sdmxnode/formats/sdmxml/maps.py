"""Structure maps, representation maps (SDMX-ML 3.0/3.1) and SDMX 2.1 structure sets as the
rules the conversion applies.

sdmx1 has no model of the SDMX 3.0 mapping artefacts (its v21 `StructureSet` models only
2.1 code list maps), so the stored `StructureMap` and `RepresentationMap` elements are read
here into small frozen values: what each component map, fixed value map, date pattern map
and representation mapping says (SDMX 3.0 Section 2, "Structure mapping";
`SDMXStructureStructureMappings.xsd`). An SDMX 2.1 `StructureSet` (`SDMXStructureStructureSet.xsd`)
reads into the same values: its code list maps and value maps are representation maps of
exact rules. They are rules, not a second information model: the
elements stay the stored truth and every format writes from them.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from sdmxnode.errors import Invalid
from sdmxnode.refs import ArtefactRef, parse_urn

__all__ = [
    "ComponentMapping",
    "DatePatternMapping",
    "FixedValue",
    "RepresentationMapping",
    "SourceValue",
    "StructureMapping",
    "ValueRule",
    "read_representation_map",
    "read_structure_map",
    "read_structure_set",
]


@dataclass(frozen=True)
class SourceValue:
    """One `SourceValue` of a rule: a literal, a regular expression (`isRegEx`) or, with
    `startIndex`/`endIndex`, a value compared with that part of the source value."""

    value: str
    is_regex: bool = False
    start_index: int | None = None
    end_index: int | None = None

    @property
    def is_literal(self) -> bool:
        """True for a plain value compared whole (neither a pattern nor a substring)."""
        return not self.is_regex and self.start_index is None and self.end_index is None


@dataclass(frozen=True)
class ValueRule:
    """One `RepresentationMapping`: a source value for each source representation, the
    target value(s) and the business validity (ISO dates, both ends inclusive)."""

    sources: tuple[SourceValue, ...]
    targets: tuple[str, ...]
    valid_from: str | None = None
    valid_to: str | None = None


@dataclass(frozen=True)
class RepresentationMapping:
    """A `RepresentationMap`: its identity, its sources and targets (code list URNs or
    data types, in order) and its rules in document order."""

    ref: ArtefactRef
    sources: tuple[str, ...]
    targets: tuple[str, ...]
    rules: tuple[ValueRule, ...]


@dataclass(frozen=True)
class ComponentMapping:
    """A `ComponentMap`: source component ids onto target component ids, through the
    representation map it names (None: the value is copied unchanged)."""

    sources: tuple[str, ...]
    targets: tuple[str, ...]
    representation_map: ArtefactRef | None = None


@dataclass(frozen=True)
class FixedValue:
    """A `FixedValueMap`: a target component set to fixed value(s) (or, `on_source`, a
    source component's value the data are expected to have)."""

    component: str
    values: tuple[str, ...]
    on_source: bool = False


@dataclass(frozen=True)
class DatePatternMapping:
    """A `DatePatternMap`: source component(s) holding dates written in `pattern` (Java
    date-format letters, as SDMX 3.0 defines) onto the target component(s), which get SDMX
    periods of `target_frequency` (or of the frequency `frequency_dimension` holds)."""

    id: str
    sources: tuple[str, ...]
    targets: tuple[str, ...]
    pattern: str
    locale: str
    target_frequency: str | None = None
    frequency_dimension: str | None = None
    resolve_period: str | None = None


@dataclass(frozen=True)
class StructureMapping:
    """A `StructureMap`: its identity, source and target (a DSD or dataflow each) and its
    component, fixed value and date pattern maps. `epoch_maps` counts the EpochMaps it
    holds, which the node does not apply."""

    ref: ArtefactRef
    source: ArtefactRef
    target: ArtefactRef
    components: tuple[ComponentMapping, ...]
    fixed_values: tuple[FixedValue, ...]
    date_patterns: tuple[DatePatternMapping, ...] = ()
    epoch_maps: int = 0


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname


def _children(element: etree._Element, name: str) -> list[etree._Element]:
    return [child for child in element if isinstance(child.tag, str) and _local(child) == name]


def _text(element: etree._Element) -> str:
    return (element.text or "").strip()


def _identity(element: etree._Element, type_: str) -> ArtefactRef:
    return ArtefactRef(
        type_, element.get("agencyID", ""), element.get("id", ""), element.get("version", "1.0")
    )


def _ref(element: etree._Element, where: str, type_: str | None = None) -> ArtefactRef:
    """The artefact a URN-valued element names (SDMX-ML 3.0 references are URNs)."""
    urn = parse_urn(_text(element))
    if urn is None:
        raise Invalid(f"{where}: {_text(element)!r} is not an SDMX URN", where=where)
    return urn.ref(type_ or _structure_type(urn.cls))


def _structure_type(cls: str) -> str:
    """The node's type for a URN class (DataStructure, Dataflow and the rest as spelt)."""
    return {"DataConstraint": "ContentConstraint", "Hierarchy": "HierarchicalCodelist"}.get(
        cls, cls
    )


def _index(text: str | None) -> int | None:
    return int(text) if text not in (None, "") else None


def read_representation_map(element: etree._Element) -> RepresentationMapping:
    """The rules of one SDMX-ML 3.0/3.1 `RepresentationMap` element."""
    ref = _identity(element, "RepresentationMap")
    sources: list[str] = []
    targets: list[str] = []
    rules: list[ValueRule] = []
    for child in element:
        if not isinstance(child.tag, str):
            continue
        name = _local(child)
        if name in ("SourceCodelist", "SourceDataType"):
            sources.append(_text(child))
        elif name in ("TargetCodelist", "TargetDataType"):
            targets.append(_text(child))
        elif name == "RepresentationMapping":
            rules.append(_rule(child))
    return RepresentationMapping(ref, tuple(sources), tuple(targets), tuple(rules))


def _rule(element: etree._Element) -> ValueRule:
    sources = tuple(
        SourceValue(
            value.text or "",
            (value.get("isRegEx") or "false").strip() in ("true", "1"),
            _index(value.get("startIndex")),
            _index(value.get("endIndex")),
        )
        for value in _children(element, "SourceValue")
    )
    targets = tuple(value.text or "" for value in _children(element, "TargetValue"))
    return ValueRule(sources, targets, element.get("validFrom"), element.get("validTo"))


def read_structure_map(element: etree._Element) -> StructureMapping:
    """The maps of one SDMX-ML 3.0/3.1 `StructureMap` element."""
    ref = _identity(element, "StructureMap")
    where = f"StructureMap {ref.identity}"
    source_elements = _children(element, "Source")
    target_elements = _children(element, "Target")
    if not source_elements or not target_elements:
        raise Invalid(f"{where} names no source or no target", where=where)
    components = []
    for component_map in _children(element, "ComponentMap"):
        representation = _children(component_map, "RepresentationMap")
        components.append(
            ComponentMapping(
                tuple(_text(e) for e in _children(component_map, "Source")),
                tuple(_text(e) for e in _children(component_map, "Target")),
                _ref(representation[0], where, "RepresentationMap") if representation else None,
            )
        )
    fixed = []
    for fixed_map in _children(element, "FixedValueMap"):
        source = _children(fixed_map, "Source")
        target = _children(fixed_map, "Target")
        fixed.append(
            FixedValue(
                _text((source or target)[0]),
                tuple(v.text or "" for v in _children(fixed_map, "Value")),
                on_source=bool(source),
            )
        )
    return StructureMapping(
        ref,
        _ref(source_elements[0], where),
        _ref(target_elements[0], where),
        tuple(components),
        tuple(fixed),
        tuple(_date_pattern(e) for e in _children(element, "DatePatternMap")),
        len(_children(element, "EpochMap")),
    )


def _date_pattern(element: etree._Element) -> DatePatternMapping:
    frequency = _children(element, "TargetFrequencyID")
    dimension = _children(element, "FrequencyDimension")
    return DatePatternMapping(
        element.get("id", ""),
        tuple(_text(e) for e in _children(element, "Source")),
        tuple(_text(e) for e in _children(element, "Target")),
        element.get("sourcePattern", ""),
        element.get("locale", "en"),
        _text(frequency[0]) if frequency else None,
        _text(dimension[0]) if dimension else None,
        element.get("resolvePeriod"),
    )


def _ref_21(element: etree._Element, where: str, default_type: str) -> ArtefactRef:
    """The artefact an SDMX-ML 2.1 reference names: a `Ref` child (its `class`, else
    `default_type`) or a `URN` child."""
    for child in element:
        if not isinstance(child.tag, str):
            continue
        if _local(child) == "URN":
            return _ref(child, where)
        if _local(child) == "Ref":
            return ArtefactRef(
                _structure_type(child.get("class") or default_type),
                child.get("agencyID", ""),
                child.get("id", ""),
                child.get("version", "1.0"),
            )
    raise Invalid(f"{where}: a reference names nothing", where=where)


def _local_id(element: etree._Element) -> str:
    """The id of an SDMX-ML 2.1 local reference (`<Ref id=".."/>`)."""
    for child in element:
        if isinstance(child.tag, str) and _local(child) == "Ref":
            return child.get("id", "")
    return _text(element)


def read_structure_set(
    element: etree._Element,
) -> list[tuple[StructureMapping, dict[ArtefactRef, RepresentationMapping]]]:
    """The structure maps of one SDMX-ML 2.1 `StructureSet`, each with the code list maps
    and value maps its component maps use, read as the 3.0 rules they are: a `CodelistMap`
    as a representation map of exact rules (source code -> target code), a `ValueMap` as
    one of its value mappings. The maps are named `SET.MAP` inside the set's identity."""
    ref = _identity(element, "StructureSet")
    where = f"StructureSet {ref.identity}"
    codelist_maps: dict[str, RepresentationMapping] = {}
    for codelist_map in _children(element, "CodelistMap"):
        rules = tuple(
            ValueRule(
                (SourceValue(_local_id(_children(code_map, "Source")[0])),),
                (_local_id(_children(code_map, "Target")[0]),),
            )
            for code_map in _children(codelist_map, "CodeMap")
        )
        map_id = codelist_map.get("id", "")
        codelist_maps[map_id] = RepresentationMapping(
            ArtefactRef("CodelistMap", ref.agency_id, f"{ref.id}.{map_id}", ref.version),
            (_ref_21(_children(codelist_map, "Source")[0], where, "Codelist").identity,),
            (_ref_21(_children(codelist_map, "Target")[0], where, "Codelist").identity,),
            rules,
        )
    found = []
    for structure_map in _children(element, "StructureMap"):
        map_id = structure_map.get("id", "")
        used: dict[ArtefactRef, RepresentationMapping] = {}
        components = []
        for number, component_map in enumerate(_children(structure_map, "ComponentMap")):
            mapping = _component_mapping_21(
                component_map, codelist_maps, ref, f"{map_id}.{number}", where
            )
            if mapping is not None:
                used[mapping.ref] = mapping
            components.append(
                ComponentMapping(
                    (_local_id(_children(component_map, "Source")[0]),),
                    (_local_id(_children(component_map, "Target")[0]),),
                    mapping.ref if mapping is not None else None,
                )
            )
        found.append(
            (
                StructureMapping(
                    ArtefactRef("StructureSet", ref.agency_id, f"{ref.id}.{map_id}", ref.version),
                    _ref_21(_children(structure_map, "Source")[0], where, "DataStructure"),
                    _ref_21(_children(structure_map, "Target")[0], where, "DataStructure"),
                    tuple(components),
                    (),
                ),
                used,
            )
        )
    return found


def _component_mapping_21(
    component_map: etree._Element,
    codelist_maps: dict[str, RepresentationMapping],
    ref: ArtefactRef,
    name: str,
    where: str,
) -> RepresentationMapping | None:
    """The representation a 2.1 component map goes through: a code list map of the set,
    or its own value map; None when it copies values (or only changes their format)."""
    representation = _children(component_map, "RepresentationMapping")
    if not representation:
        return None
    for child in representation[0]:
        if not isinstance(child.tag, str):
            continue
        if _local(child) == "CodelistMap":
            map_id = _local_id(child)
            if map_id not in codelist_maps:
                raise Invalid(f"{where}: no CodelistMap {map_id} in the set", where=where)
            return codelist_maps[map_id]
        if _local(child) == "ValueMap":
            rules = tuple(
                ValueRule((SourceValue(v.get("source", "")),), (v.get("target", ""),))
                for v in _children(child, "ValueMapping")
            )
            return RepresentationMapping(
                ArtefactRef("ValueMap", ref.agency_id, f"{ref.id}.{name}", ref.version),
                ("String",),
                ("String",),
                rules,
            )
    return None
