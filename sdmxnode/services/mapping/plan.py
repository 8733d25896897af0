"""A conversion plan: a stored structure map with its representation maps and both structures.

`plan_conversion` reads the `StructureMap` a load or validation names, every
`RepresentationMap` its component maps use, and the StructureInfo of its source (a dataflow
or DSD the node holds: the institution's own structure) and of its target dataflow. It
refuses a map whose parts the node does not hold or that names components its structures
lack, before any data is read. An SDMX 2.1 `StructureSet` serves as well: `--map` naming it
uses its structure map onto a dataflow (`SET.MAP` picks one of several).
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from sdmxnode.errors import Invalid, NotFound, SemanticError
from sdmxnode.formats.rows import StructureInfo, StructureResolver
from sdmxnode.formats.sdmxml import safe_parser
from sdmxnode.formats.sdmxml.maps import (
    RepresentationMapping,
    StructureMapping,
    read_representation_map,
    read_structure_map,
    read_structure_set,
)
from sdmxnode.refs import ArtefactRef
from sdmxnode.rest.versions import parse_versions_v1
from sdmxnode.services.mapping.values import ValueMapper
from sdmxnode.storage.records import StoredArtefact
from sdmxnode.storage.structures import StructureStore

__all__ = ["ConversionPlan", "find_maps_between", "parse_map_ref", "plan_conversion"]


@dataclass(frozen=True)
class ConversionPlan:
    """What a conversion needs: the map, its compiled representation maps, both structures."""

    structure_map: StructureMapping
    source: StructureInfo
    target: StructureInfo
    target_ref: ArtefactRef  # the target dataflow, as the map names it (version resolved)
    mappers: dict[ArtefactRef, ValueMapper]

    @property
    def provenance(self) -> str:
        """How the data were converted, for the load record: map and source structure."""
        source = self.source.dataflow or self.source.dsd
        return f"{self.structure_map.ref.type}={self.structure_map.ref.identity} from {source}"

    def converts(self, structure: StructureInfo) -> bool:
        """True when data of `structure` are what the map converts (its source dataflow, or
        any dataflow of its source DSD when the map's source is a DSD)."""
        if self.source.dataflow is not None:
            return structure.dataflow == self.source.dataflow
        return structure.dsd == self.source.dsd


def parse_map_ref(text: str) -> ArtefactRef:
    """The StructureMap `AGENCY:ID(VERSION)` (or `AGENCY:ID`, the latest) names; Invalid
    for anything else."""
    text = text.strip()
    agency, sep, rest = text.partition(":")
    identifier, _, version = rest.partition("(")
    if not sep or not agency or not identifier or (version and not version.endswith(")")):
        raise Invalid(
            f"map {text!r} is not a structure map reference AGENCY:ID(VERSION)", where="map"
        )
    return ArtefactRef("StructureMap", agency, identifier, version.removesuffix(")"))


def _find(store: StructureStore, ref: ArtefactRef) -> StoredArtefact:
    candidates = [
        a
        for a in store.find_artefacts({ref.type}, {ref.agency_id}, {ref.id})
        if a.ref.type == ref.type
    ]
    selector = parse_versions_v1(ref.version or "latest")
    versions = set(selector.select([(a.ref.version, a.is_final) for a in candidates]))
    matching = [a for a in candidates if a.ref.version in versions]
    if not matching:
        raise NotFound(f"no {ref.type} {ref.agency_id}:{ref.id}({ref.version or 'latest'})")
    return matching[-1]


def _element(store: StructureStore, artefact: StoredArtefact) -> etree._Element:
    return etree.fromstring(store.read_one_xml(artefact), safe_parser())


#: The representation maps a map carries inside itself (an SDMX 2.1 structure set's code
#: list maps and value maps), by the reference its component maps use.
Carried = dict[ArtefactRef, RepresentationMapping]


def read_stored_map(store: StructureStore, ref: ArtefactRef) -> tuple[StructureMapping, Carried]:
    """The stored StructureMap `ref` names, or else the SDMX 2.1 StructureSet of that
    identity (its structure map targeting a dataflow; `SET.MAP` names one of several),
    with what it carries; NotFound if the node holds neither."""
    try:
        return read_structure_map(_element(store, _find(store, ref))), {}
    except NotFound:
        pass
    set_id, _, map_id = ref.id.partition(".")
    structure_set = ArtefactRef("StructureSet", ref.agency_id, set_id, ref.version)
    try:
        found = read_structure_set(_element(store, _find(store, structure_set)))
    except NotFound:
        raise NotFound(
            f"no StructureMap (nor SDMX 2.1 StructureSet) {ref.agency_id}:{ref.id}"
            f"({ref.version or 'latest'}) in this node",
            where="map",
        ) from None
    if map_id:
        found = [f for f in found if f[0].ref.id == f"{set_id}.{map_id}"]
    targeting_flows = [f for f in found if f[0].target.type == "Dataflow"]
    chosen = targeting_flows or found
    if not chosen:
        raise NotFound(f"StructureSet {structure_set.identity} holds no such structure map")
    return chosen[0]


def plan_conversion(
    store: StructureStore, resolve: StructureResolver, ref: ArtefactRef
) -> ConversionPlan:
    """The plan for converting data through the structure map `ref` names."""
    structure_map, carried = read_stored_map(store, ref)
    where = f"StructureMap {structure_map.ref.identity}"
    if structure_map.target.type != "Dataflow":
        raise SemanticError(
            f"{where} targets {structure_map.target}: data are stored for a dataflow, so a "
            "map used on load must target one",
            where="map",
        )
    if structure_map.source.type not in ("Dataflow", "DataStructure"):
        raise SemanticError(
            f"{where} converts from {structure_map.source}: data can be converted only from "
            "a dataflow or a data structure",
            where="map",
        )
    source = resolve(structure_map.source)
    target = resolve(structure_map.target)
    mappers: dict[ArtefactRef, ValueMapper] = {}
    for component_map in structure_map.components:
        rm = component_map.representation_map
        if rm is not None and rm not in mappers:
            if rm in carried:
                mappers[rm] = ValueMapper(carried[rm])
                continue
            try:
                element = _element(store, _find(store, rm))
            except NotFound as exc:
                raise NotFound(f"{where} uses {rm}, which is not in the node") from exc
            mappers[rm] = ValueMapper(read_representation_map(element))
    _check_components(structure_map, source, target, mappers)
    target_ref = ArtefactRef("Dataflow", *_identity(target.dataflow or ""))
    return ConversionPlan(structure_map, source, target, target_ref, mappers)


def _identity(text: str) -> tuple[str, str, str]:
    agency, _, rest = text.partition(":")
    identifier, _, version = rest.partition("(")
    return agency, identifier, version.rstrip(")")


def _check_components(
    structure_map: StructureMapping,
    source: StructureInfo,
    target: StructureInfo,
    mappers: dict[ArtefactRef, ValueMapper],
) -> None:
    where = f"StructureMap {structure_map.ref.identity}"
    for component_map in structure_map.components:
        for component in component_map.sources:
            if source.component(component) is None:
                raise SemanticError(
                    f"{where} maps source component {component}, which {source.dsd} lacks",
                    where="map",
                )
        for component in component_map.targets:
            if target.component(component) is None:
                raise SemanticError(
                    f"{where} maps onto target component {component}, which {target.dsd} lacks",
                    where="map",
                )
        rm = component_map.representation_map
        if rm is not None:
            mapper = mappers[rm]
            if mapper.arity != len(component_map.sources) or len(mapper.mapping.targets) not in (
                0,
                len(component_map.targets),
            ):
                raise SemanticError(
                    f"{where}: the component map {component_map.sources} -> "
                    f"{component_map.targets} uses {rm.identity}, which maps "
                    f"{mapper.arity} source value(s) onto {len(mapper.mapping.targets)}",
                    where="map",
                )
    for fixed in structure_map.fixed_values:
        info = source if fixed.on_source else target
        if info.component(fixed.component) is None:
            side = "source" if fixed.on_source else "target"
            raise SemanticError(
                f"{where} fixes {side} component {fixed.component}, which {info.dsd} lacks",
                where="map",
            )


def find_maps_between(
    store: StructureStore, source: StructureInfo, target_dataflow: str
) -> list[ArtefactRef]:
    """The stored StructureMaps from `source` (its dataflow, or its DSD) to the dataflow
    `target_dataflow` ('AGENCY:ID(VERSION)') names, for a submission that names no map."""
    found = []
    wanted = {source.dataflow, source.dsd}
    for artefact in store.find_artefacts({"StructureMap", "StructureSet"}):
        if artefact.ref.type == "StructureMap":
            maps = [read_structure_map(_element(store, artefact))]
        elif artefact.ref.type == "StructureSet":
            maps = [m for m, _ in read_structure_set(_element(store, artefact))]
        else:
            continue
        for structure_map in maps:
            if (
                structure_map.source.identity in wanted
                and structure_map.target.identity == target_dataflow
            ):
                found.append(ArtefactRef("StructureMap", *_identity(structure_map.ref.identity)))
    return found
