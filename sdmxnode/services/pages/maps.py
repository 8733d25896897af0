"""What the map pages show: a structure map's component maps with the names of both sides,
a representation map's rules with the names of the codes they map, the maps that connect a
dataflow or code list, and the structure maps the validation page offers.

The maps are read from their stored SDMX-ML 3.0 elements by `sdmxnode.formats.sdmxml.maps`
(sdmx1 has no model of them); names of components and codes come from the node's own
structures, and a side the node does not hold is shown by its reference alone.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass

from lxml import etree

from sdmxnode.errors import NotFound, SdmxNodeError
from sdmxnode.formats.languages import best_label
from sdmxnode.formats.sdmxml import safe_parser
from sdmxnode.formats.sdmxml.maps import (
    DatePatternMapping,
    RepresentationMapping,
    SourceValue,
    StructureMapping,
    read_representation_map,
    read_structure_map,
)
from sdmxnode.refs import ArtefactRef, parse_urn
from sdmxnode.rest.versions import parse_versions_v1
from sdmxnode.services.node import Node
from sdmxnode.services.pages.catalogue import get_artefact, model_of, text_in
from sdmxnode.services.structures.info import StructureInfoBuilder
from sdmxnode.services.structures.queries import select_versions
from sdmxnode.storage.records import StoredArtefact


@dataclass(frozen=True)
class Linked:
    """An artefact a map names: its type, identity and name (`held`: the node has it)."""

    type: str
    agency_id: str
    id: str
    version: str
    name: str
    held: bool

    @property
    def identity(self) -> str:
        """'AGENCY:ID(VERSION)'."""
        return f"{self.agency_id}:{self.id}({self.version})"


@dataclass(frozen=True)
class Named:
    """A component id or a value with its name ('' when the structures give none)."""

    id: str
    name: str


@dataclass(frozen=True)
class ComponentRow:
    """One component map: source components onto target components, through a map."""

    sources: list[Named]
    targets: list[Named]
    representation_map: Linked | None


@dataclass(frozen=True)
class FixedRow:
    """One fixed value map: a component (of the target, or of the source) and its values."""

    component: Named
    values: list[str]
    on_source: bool


@dataclass(frozen=True)
class DateRow:
    """One date pattern map, with the names of its source and target components."""

    sources: list[Named]
    targets: list[Named]
    map: DatePatternMapping


@dataclass(frozen=True)
class StructureMapView:
    """A structure map as its page shows it."""

    map: Linked
    description: str
    source: Linked
    target: Linked
    components: list[ComponentRow]
    fixed_values: list[FixedRow]
    date_patterns: list[DateRow]
    copied: list[Named]  # target components no map names, copied from the same source id
    epoch_maps: int


@dataclass(frozen=True)
class ValueCell:
    """One source or target value of a rule, how it is compared, and its code's name."""

    value: str
    kind: str  # 'exact' | 'regular expression' | 'substring'
    name: str
    start_index: int | None = None
    end_index: int | None = None


@dataclass(frozen=True)
class RuleRow:
    """One representation mapping: source values, target values and validity."""

    sources: list[ValueCell]
    targets: list[ValueCell]
    valid_from: str | None
    valid_to: str | None


@dataclass(frozen=True)
class Side:
    """A source or target of a representation map: a code list (linked) or a data type."""

    codelist: Linked | None
    data_type: str


@dataclass(frozen=True)
class RepresentationMapView:
    """A representation map as its page shows it; `rules` are those matching the search."""

    map: Linked
    description: str
    sources: list[Side]
    targets: list[Side]
    rules: list[RuleRow]
    total: int


@dataclass(frozen=True)
class MapEntry:
    """A map as a list shows it, and whether the artefact listed is its source or target."""

    map: Linked
    role: str  # 'source' | 'target' | ''


def _element(node: Node, artefact: StoredArtefact) -> etree._Element:
    return etree.fromstring(node.store.read_one_xml(artefact), safe_parser())


def _text(element: etree._Element, tag: str, language: str, fallback: str = "") -> str:
    """The `language` (else English, else first) text of the `tag` children (Name, ...): a
    `Label`, so the pages mark a text that fell back to another language."""
    texts = {
        child.get("{http://www.w3.org/XML/1998/namespace}lang", ""): (child.text or "").strip()
        for child in element
        if isinstance(child.tag, str) and etree.QName(child).localname == tag
    }
    texts = {lang: text for lang, text in texts.items() if text}
    return best_label(texts, language) if texts else fallback


def _held(node: Node, ref: ArtefactRef) -> StoredArtefact | None:
    try:
        return get_artefact(node, ref.type, ref.agency_id, ref.id, ref.version)
    except NotFound:
        return None


def _linked(node: Node, ref: ArtefactRef, language: str) -> Linked:
    """`ref` with its name when the node holds it (sdmx1's model for the types it knows)."""
    artefact = _held(node, ref)
    if artefact is None:
        return Linked(ref.type, ref.agency_id, ref.id, ref.version, "", False)
    name = artefact.name
    if ref.type not in ("StructureMap", "RepresentationMap"):
        name = text_in(model_of(node, artefact).name, language) or name
    return Linked(ref.type, ref.agency_id, ref.id, artefact.ref.version, name, True)


def _map_linked(artefact: StoredArtefact, element: etree._Element, language: str) -> Linked:
    ref = artefact.ref
    name = _text(element, "Name", language, artefact.name)
    return Linked(ref.type, ref.agency_id, ref.id, ref.version, name, True)


def _component_names(node: Node, side: Linked, language: str) -> dict[str, str]:
    """Component id -> name (its concept's) of a dataflow or DSD the node holds, else {}."""
    if not side.held:
        return {}
    builder = StructureInfoBuilder(node.store, node.cache)
    ref = ArtefactRef(side.type, side.agency_id, side.id, side.version)
    try:
        structure = builder(ref)
        names = dict(builder.labels(ref, (language,)).components)
    except SdmxNodeError:
        return {}
    ids = [c.id for c in structure.dimensions + structure.measures + structure.attributes]
    if structure.time_dimension is not None:
        ids.append(structure.time_dimension.id)
    return {id_: names.get(id_, "") for id_ in ids}


def get_structure_map_view(
    node: Node, agency_id: str, id_: str, version: str | None, language: str
) -> StructureMapView:
    """A structure map with the names of its source's and target's components."""
    artefact = get_artefact(node, "StructureMap", agency_id, id_, version)
    element = _element(node, artefact)
    mapping: StructureMapping = read_structure_map(element)
    source = _linked(node, mapping.source, language)
    target = _linked(node, mapping.target, language)
    source_names = _component_names(node, source, language)
    target_names = _component_names(node, target, language)

    def named(ids: Collection[str], names: dict[str, str]) -> list[Named]:
        return [Named(i, names.get(i, "")) for i in ids]

    components = [
        ComponentRow(
            named(c.sources, source_names),
            named(c.targets, target_names),
            _linked(node, c.representation_map, language) if c.representation_map else None,
        )
        for c in mapping.components
    ]
    fixed = [
        FixedRow(
            Named(
                f.component, (source_names if f.on_source else target_names).get(f.component, "")
            ),
            list(f.values),
            f.on_source,
        )
        for f in mapping.fixed_values
    ]
    named_targets = {t for c in mapping.components for t in c.targets}
    named_targets |= {f.component for f in mapping.fixed_values if not f.on_source}
    named_targets |= {t for d in mapping.date_patterns for t in d.targets}
    copied = [
        Named(id_, name)
        for id_, name in target_names.items()
        if id_ not in named_targets and id_ in source_names
    ]
    return StructureMapView(
        _map_linked(artefact, element, language),
        _text(element, "Description", language),
        source,
        target,
        components,
        fixed,
        [
            DateRow(named(d.sources, source_names), named(d.targets, target_names), d)
            for d in mapping.date_patterns
        ],
        copied,
        mapping.epoch_maps,
    )


def _side(node: Node, text: str, language: str) -> tuple[Side, dict[str, str]]:
    """A source/target of a representation map and, for a code list, its codes' names."""
    urn = parse_urn(text)
    if urn is None:
        return Side(None, text), {}
    linked = _linked(node, urn.ref(), language)
    names: dict[str, str] = {}
    artefact = _held(node, urn.ref()) if linked.held else None
    if artefact is not None and artefact.ref.type == "Codelist":
        items = getattr(model_of(node, artefact), "items", {})
        names = {code_id: text_in(code.name, language) for code_id, code in items.items()}
    return Side(linked, ""), names


def _kind(value: SourceValue) -> str:
    if value.is_regex:
        return "regular expression"
    return "exact" if value.is_literal else "substring"


def _matches(rule: RuleRow, wanted: str) -> bool:
    texts = [c.value for c in rule.sources + rule.targets]
    texts += [c.name for c in rule.sources + rule.targets]
    return any(wanted in text.casefold() for text in texts)


def get_representation_map_view(
    node: Node, agency_id: str, id_: str, version: str | None, language: str, query: str = ""
) -> RepresentationMapView:
    """A representation map's rules with the names of the codes they map; with `query`,
    only rules whose values or code names contain it."""
    artefact = get_artefact(node, "RepresentationMap", agency_id, id_, version)
    element = _element(node, artefact)
    mapping: RepresentationMapping = read_representation_map(element)
    sources = [_side(node, text, language) for text in mapping.sources]
    targets = [_side(node, text, language) for text in mapping.targets]

    def names_at(sides: list[tuple[Side, dict[str, str]]], index: int) -> dict[str, str]:
        return sides[index][1] if index < len(sides) else {}

    rules = [
        RuleRow(
            [
                ValueCell(
                    v.value,
                    _kind(v),
                    names_at(sources, i).get(v.value, "") if v.is_literal else "",
                    v.start_index,
                    v.end_index,
                )
                for i, v in enumerate(rule.sources)
            ],
            [
                ValueCell(t, "exact", names_at(targets, i).get(t, ""))
                for i, t in enumerate(rule.targets)
            ],
            rule.valid_from,
            rule.valid_to,
        )
        for rule in mapping.rules
    ]
    wanted = query.strip().casefold()
    shown = [r for r in rules if _matches(r, wanted)] if wanted else rules
    return RepresentationMapView(
        _map_linked(artefact, element, language),
        _text(element, "Description", language),
        [s for s, _ in sources],
        [t for t, _ in targets],
        shown,
        len(rules),
    )


def _latest_maps(node: Node, type_: str) -> list[StoredArtefact]:
    return select_versions(node.store.find_artefacts({type_}), parse_versions_v1("latest"))


def _kept(node: Node, key: tuple, build: Callable[[], list[MapEntry]]) -> list[MapEntry]:
    """A map list kept until the artefacts change: the pages that show one (the home page,
    a dataflow's, a code list's) would otherwise parse every map, some of hundreds of
    rules, on every view."""
    return list(node.cache.derived(("page-maps", node.store.generation(), *key), build))


def list_maps(node: Node, language: str) -> list[MapEntry]:
    """Every structure map, then every representation map, the latest version of each."""

    def build() -> list[MapEntry]:
        entries = []
        for type_ in ("StructureMap", "RepresentationMap"):
            for artefact in sorted(_latest_maps(node, type_), key=lambda a: str(a.ref)):
                element = _element(node, artefact)
                entries.append(MapEntry(_map_linked(artefact, element, language), ""))
        return entries

    return _kept(node, ("all", language), build)


def _same(ref: ArtefactRef, artefact: StoredArtefact) -> bool:
    """Whether `ref` names `artefact` (its version, or a wildcard version)."""
    wanted = artefact.ref
    return (ref.type, ref.agency_id, ref.id) == (wanted.type, wanted.agency_id, wanted.id) and (
        ref.version == wanted.version or "*" in ref.version or "+" in ref.version
    )


def _referring_maps(
    node: Node, type_: str, artefacts: list[StoredArtefact]
) -> list[tuple[StoredArtefact, etree._Element]]:
    keys = [(a.ref.type, a.ref.agency_id, a.ref.id) for a in artefacts]
    found: dict[int, StoredArtefact] = {}
    for referrer, _ in node.store.list_referrers(keys):
        if referrer.ref.type == type_:
            found[referrer.pk] = referrer
    ordered = sorted(found.values(), key=lambda a: str(a.ref))
    return [(a, _element(node, a)) for a in ordered]


def list_structure_maps_of(node: Node, flow: StoredArtefact, language: str) -> list[MapEntry]:
    """The structure maps whose source or target is the dataflow `flow` or its DSD."""
    return _kept(
        node, ("flow", flow.pk, language), lambda: _structure_maps_of(node, flow, language)
    )


def _structure_maps_of(node: Node, flow: StoredArtefact, language: str) -> list[MapEntry]:
    refs = node.store.list_references_from([flow.pk]).get(flow.pk, set())
    dsds = [
        found
        for ref in refs
        if ref.type == "DataStructure" and (found := node.store.find_artefact(ref)) is not None
    ]
    entries = []
    for artefact, element in _referring_maps(node, "StructureMap", [flow, *dsds]):
        mapping = read_structure_map(element)
        for role, ref in (("source", mapping.source), ("target", mapping.target)):
            if any(_same(ref, a) for a in (flow, *dsds)):
                entries.append(MapEntry(_map_linked(artefact, element, language), role))
    return entries


def list_representation_maps_of(
    node: Node, codelist: StoredArtefact, language: str
) -> list[MapEntry]:
    """The representation maps that have the code list as a source or a target."""
    return _kept(
        node,
        ("codelist", codelist.pk, language),
        lambda: _representation_maps_of(node, codelist, language),
    )


def _representation_maps_of(node: Node, codelist: StoredArtefact, language: str) -> list[MapEntry]:
    entries = []
    for artefact, element in _referring_maps(node, "RepresentationMap", [codelist]):
        mapping = read_representation_map(element)
        for role, texts in (("source", mapping.sources), ("target", mapping.targets)):
            urns = [parse_urn(text) for text in texts]
            if any(u is not None and _same(u.ref(), codelist) for u in urns):
                entries.append(MapEntry(_map_linked(artefact, element, language), role))
    return entries


def list_structure_map_choices(node: Node) -> list[tuple[str, str]]:
    """(value 'AGENCY:ID(VERSION)', label) of every structure map the node holds, for the
    validation page's "convert through a structure map" choice."""
    artefacts = sorted(node.store.find_artefacts({"StructureMap"}), key=lambda a: str(a.ref))
    choices = []
    for artefact in artefacts:
        ref = artefact.ref
        value = f"{ref.agency_id}:{ref.id}({ref.version})"
        choices.append((value, f"{value} {artefact.name}".strip()))
    return choices
