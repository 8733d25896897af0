"""StructureInfo from the store: a DSD, its code lists and a dataflow's constraints as plain data.

Built from the sdmx1 model of the stored artefacts once per load or query, so that the data
paths check and write rows against sets and tuples, never against model objects.
"""

from __future__ import annotations

import dataclasses
import difflib
import logging
from collections.abc import Iterable, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

from sdmxnode.errors import NotFound, SdmxNodeError, SemanticError
from sdmxnode.formats.languages import best_label, main_language
from sdmxnode.formats.rows import (
    Component,
    Labels,
    StructureInfo,
    structure_info_from_json,
    structure_info_json,
)
from sdmxnode.formats.sdmxml.components import dsd_component_ids
from sdmxnode.refs import STRUCTURE_TYPES, ArtefactRef
from sdmxnode.rest.versions import parse_versions_v1, parse_versions_v2
from sdmxnode.services.structures.cache import ModelCache
from sdmxnode.services.structures.hierarchies import (
    find_associated_hierarchies,
    listed_hierarchy,
)
from sdmxnode.services.structures.queries import follow_references, resolve_refs
from sdmxnode.storage.records import StoredArtefact
from sdmxnode.storage.structures import Derivation, StructureStore
from sdmxnode.validation.structure_fit import HeldStructure

if TYPE_CHECKING:  # imported where a model is built: a load reading a kept info needs none
    from sdmx.model import common

log = logging.getLogger(__name__)


def ref_text(obj: common.MaintainableArtefact) -> str:
    """AGENCY:ID(VERSION) of an sdmx1 maintainable artefact."""
    agency = obj.maintainer.id if obj.maintainer is not None else ""
    return f"{agency}:{obj.id}({obj.version})"


#: The kind under which a StructureInfo is kept in the store (`StructureStore.derivation`).
INFO = "info"

#: How many look-alike artefacts an unknown reference's message names.
_CLOSEST = 3


class StructureInfoBuilder:
    """Builds (and remembers) StructureInfo for the dataflows and DSDs of one store."""

    def __init__(self, store: StructureStore, cache: ModelCache) -> None:
        self.store = store
        self.cache = cache
        self._built: dict[tuple[str, str], StructureInfo] = {}
        #: The StructureInfos this builder built (none was kept for their generation).
        self.built: list[Derivation] = []
        self._labels: dict[tuple[str, str], Labels] = {}

    def __call__(self, ref: ArtefactRef, generation: int | None = None) -> StructureInfo:
        """The StructureInfo of the artefact `ref` names (raises NotFound): built once per
        generation of the store (any artefact it draws on may have changed since) and
        kept in the model cache, so that a query pays one read for it (none when the
        caller has just read the `generation`)."""
        if generation is None:
            generation = self.store.generation()
        key = (INFO, generation, *_ref_key(ref))
        return self.cache.derived(key, lambda: self._kept_or_built(ref, generation))

    def _kept_or_built(self, ref: ArtefactRef, generation: int) -> StructureInfo:
        """The StructureInfo kept in the store for this generation (a process that needs
        it then parses no artefact), else built, and noted in `built` for the caller to
        keep (`keep_derivations`: a load keeps it with its data)."""
        name = str(ref)  # Type=AGENCY:ID(VERSION)
        kept = self.store.derivation(INFO, name, generation)
        if kept is not None:
            return structure_info_from_json(kept)
        info = self._info(ref)
        self.built.append(Derivation(INFO, name, generation, structure_info_json(info)))
        return info

    def _info(self, ref: ArtefactRef) -> StructureInfo:
        artefact = self.find_artefact(ref)
        key = (str(artefact.ref), artefact.digest)
        if key not in self._built:
            self._built[key] = self._build(artefact)
        return self._built[key]

    def labels(
        self, ref: ArtefactRef, languages: Sequence[str] = (), generation: int | None = None
    ) -> Labels:
        """Names of the structure's components (their concepts) and codes, in the first of
        `languages` (best first) the structures carry, else English (`main_language`); a
        name missing in that language falls back to English, then to its first language.
        Kept per generation of the store, as StructureInfo is."""
        if generation is None:
            generation = self.store.generation()
        key = ("labels", generation, *_ref_key(ref), tuple(languages))
        return self.cache.derived(key, lambda: self._labels_of(ref, languages))

    def _labels_of(self, ref: ArtefactRef, languages: Sequence[str]) -> Labels:
        artefact = self.find_artefact(ref)
        key = (f"labels:{artefact.ref}:{','.join(languages)}", artefact.digest)
        if key not in self._labels:
            self._labels[key] = self._build_labels(artefact, languages)
        return self._labels[key]

    def _build_labels(self, artefact: StoredArtefact, languages: Sequence[str]) -> Labels:
        structure_name = self._model(artefact).name
        if artefact.ref.type == "Dataflow":
            dsds = _children_of_type(self.store, artefact, "DataStructure")
            if not dsds:
                raise NotFound(f"the DSD of {artefact.ref} is not in the node")
            artefact = dsds[0]
        dsd = self._model(artefact)
        descendants = follow_references(self.store, [artefact], ["descendants"])
        codelists = {
            ref_text(cl): cl
            for cl in (self._model(a) for a in descendants if a.ref.type == "Codelist")
        }
        # The DSD alone knows its concepts only by reference: names come from their schemes.
        concepts: dict[str, Any] = {}
        for scheme in (self._model(a) for a in descendants if a.ref.type == "ConceptScheme"):
            for concept_id, concept in scheme.items.items():
                concepts.setdefault(concept_id, concept.name)
        named: list[tuple[str, Any, Any]] = []  # (component id, its name, its codes)
        for component in (
            list(dsd.dimensions.components)
            + list(dsd.measures.components)
            + list(dsd.attributes.components)
        ):
            concept = component.concept_identity
            name = concept.name if concept is not None else None
            if concept is not None and not _texts(name):
                name = concepts.get(concept.id)
            representation = _representation(component)
            codelist = None
            if representation is not None and representation.enumerated is not None:
                codelist = codelists.get(ref_text(representation.enumerated))
            named.append((component.id, name, codelist))
        available = set(_texts(structure_name))
        for _, name, codelist in named:
            available.update(_texts(name))
            for code in codelist.items.values() if codelist is not None else ():
                available.update(_texts(code.name))
        language = main_language(available, languages)
        components: dict[str, str] = {}
        codes: dict[str, dict[str, str]] = {}
        for component_id, name, codelist in named:
            components[component_id] = _text(name, language) or component_id
            if codelist is not None:
                codes[component_id] = {
                    code_id: _text(code.name, language) or code_id
                    for code_id, code in codelist.items.items()
                }
        return Labels(
            components=components,
            codes=codes,
            structure_name=_text(structure_name, language),
            language=language,
        )

    def held_structures(self) -> list[HeldStructure]:
        """Every dataflow of the store (every version) by the component ids of its DSD, to
        name the structure a message meant for another one fits (read from the stored XML:
        no model is built)."""
        dsds: dict[int, tuple[str, frozenset[str], frozenset[str]]] = {}
        held = []
        for flow in self.store.find_artefacts({"Dataflow"}):
            if flow.ref.type != "Dataflow":
                continue
            for dsd in _children_of_type(self.store, flow, "DataStructure")[:1]:
                if dsd.pk not in dsds:
                    dimensions, components = dsd_component_ids(self.store.read_one_xml(dsd))
                    dsds[dsd.pk] = (dsd.ref.identity, dimensions, components)
                name, dimensions, components = dsds[dsd.pk]
                held.append(HeldStructure(flow.ref.identity, name, dimensions, components))
        return held

    def find_artefact(self, ref: ArtefactRef) -> StoredArtefact:
        """The stored dataflow, DSD or provision agreement `ref` names (latest if no version)."""
        type_ = ref.type
        if type_ not in STRUCTURE_TYPES.values():
            raise SemanticError(f"data cannot be structured by a {ref.kind}", where="structure")
        candidates = [
            a
            for a in self.store.find_artefacts({type_}, {ref.agency_id}, {ref.id})
            if a.ref.type == type_
        ]
        if ref.version and ref.version not in ("latest", "~", "*"):
            selector = (
                parse_versions_v2(ref.version)
                if any(mark in ref.version for mark in "+*~")
                else parse_versions_v1(ref.version)
            )
        else:
            selector = parse_versions_v1("latest")
        versions = set(selector.select([(a.ref.version, a.is_final) for a in candidates]))
        matching = [a for a in candidates if a.ref.version in versions]
        if not matching:
            hint = self._closest(ref, candidates)
            raise NotFound(
                f"no {type_} {ref.agency_id}:{ref.id}({ref.version or 'latest'}) in this node"
                + (f"; the closest it holds: {hint}" if hint else "")
            )
        return matching[-1]

    def _closest(self, ref: ArtefactRef, same_id: list[StoredArtefact]) -> str:
        """The stored artefacts of the type whose references look most like `ref` (other
        versions of it first, then the closest ids), for the message of a NotFound."""
        if same_id:
            return ", ".join(str(a.ref.identity) for a in same_id[-_CLOSEST:])
        stored = self.store.find_artefacts({ref.type})
        names = {f"{a.ref.agency_id}:{a.ref.id}": a for a in stored if a.ref.type == ref.type}
        close = difflib.get_close_matches(f"{ref.agency_id}:{ref.id}", names, _CLOSEST, 0.6)
        return ", ".join(names[name].ref.identity for name in close)

    def _model(self, artefact: StoredArtefact) -> Any:
        return self.cache.get(artefact, partial(self.store.read_one_xml, artefact))

    def _build(self, artefact: StoredArtefact) -> StructureInfo:
        from sdmx.model import common

        dataflow_artefact = None
        if artefact.ref.type == "ProvisionAgreement":
            flows = _children_of_type(self.store, artefact, "Dataflow")
            if not flows:
                raise NotFound(f"the dataflow of {artefact.ref} is not in the node")
            artefact = flows[0]
        if artefact.ref.type == "Dataflow":
            dataflow_artefact = artefact
            dsds = _children_of_type(self.store, artefact, "DataStructure")
            if not dsds:
                raise NotFound(f"the DSD of {artefact.ref} is not in the node")
            dsd_artefact = dsds[0]
        else:
            dsd_artefact = artefact
        dsd = self._model(dsd_artefact)
        codes = self._codes(dsd_artefact)
        hierarchies = self._hierarchies(dsd_artefact)
        associated = self._associated_hierarchies(dsd_artefact, dataflow_artefact, dsd)
        constrained = [dsd_artefact] + ([dataflow_artefact] if dataflow_artefact else [])
        return StructureInfo(
            dsd=ref_text(dsd),
            dataflow=ref_text(self._model(dataflow_artefact)) if dataflow_artefact else None,
            dimensions=tuple(
                _with_hierarchy(
                    _component(d, "dimension", codes), hierarchies, associated.get(d.id)
                )
                for d in dsd.dimensions.components
                if not isinstance(d, common.TimeDimension)
            ),
            time_dimension=next(
                (
                    _component(d, "time", codes)
                    for d in dsd.dimensions.components
                    if isinstance(d, common.TimeDimension)
                ),
                None,
            ),
            measures=tuple(_component(m, "measure", codes) for m in dsd.measures.components),
            attributes=tuple(_attribute(a, dsd, codes) for a in dsd.attributes.components),
            allowed=self._allowed(constrained),
            sources=tuple((a.pk, a.digest) for a in constrained),
        )

    def _codes(self, dsd_artefact: StoredArtefact) -> dict[str, frozenset[str]]:
        """Item ids of every code list the DSD (or its concepts) reference, by 'AG:ID(V)'."""
        found: dict[str, frozenset[str]] = {}
        for artefact in follow_references(self.store, [dsd_artefact], ["descendants"]):
            if artefact.ref.type != "Codelist":
                continue
            codelist = self._model(artefact)
            if codelist.is_external_reference and not codelist.items:
                # A stub (isExternalReference="true", as agencies publish references to
                # code lists held elsewhere): its codes are unknown, not an empty list.
                continue
            found[ref_text(codelist)] = frozenset(codelist.items)
        return found

    def _hierarchies(
        self, dsd_artefact: StoredArtefact
    ) -> dict[str, tuple[tuple[str, tuple[str, ...]], ...]]:
        """Per code list ('AG:ID(V)') with a hierarchy: each aggregate code and its members,
        from the hierarchical code lists over that code list when the node holds any (as
        IMDX:HCL_AREA over CL_AREA), else from the code list's own parents and groupings."""
        found: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {}
        for artefact in follow_references(self.store, [dsd_artefact], ["descendants"]):
            if artefact.ref.type == "Codelist":
                codelist = self._model(artefact)
                hcls = follow_references(self.store, [artefact], ["HierarchicalCodelist"])
                hierarchy = code_hierarchy(codelist)
                if hcls:
                    models = [self._model(h) for h in hcls]
                    hierarchy = listed_hierarchy(models, codelist, hierarchy)
                if hierarchy:
                    found[ref_text(codelist)] = hierarchy
        return found

    def _associated_hierarchies(
        self, dsd_artefact: StoredArtefact, dataflow_artefact: StoredArtefact | None, dsd: Any
    ) -> dict[str, tuple[tuple[str, tuple[str, ...]], ...]]:
        """Per dimension (id) that hierarchy associations link hierarchies to, in
        the context of this DSD, of `dataflow_artefact` (the dataflow checked) or in none:
        the aggregates of those hierarchies alone (`services.structures.hierarchies`).
        Associations whose hierarchy the node lacks are left aside, with a warning."""
        linked = find_associated_hierarchies(self.store, dsd_artefact, dataflow_artefact)
        if not linked:
            return {}
        found: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {}
        codelists = {
            ref_text(model): model
            for model in (
                self._model(a)
                for a in follow_references(self.store, [dsd_artefact], ["descendants"])
                if a.ref.type == "Codelist"
            )
        }
        for dimension in dsd.dimensions.components:
            stored = linked.get(dimension.id)
            representation = _representation(dimension)
            if not stored or representation is None or representation.enumerated is None:
                continue
            codelist = codelists.get(ref_text(representation.enumerated))
            if codelist is not None:
                models = [self._model(h) for h in stored]
                found[dimension.id] = listed_hierarchy(models, codelist, code_hierarchy(codelist))
        return found

    def _allowed(self, constrained: Iterable[StoredArtefact]) -> dict[str, frozenset[str]]:
        """Allowed values per component from Allowed constraints on the dataflow or DSD."""
        allowed: dict[str, frozenset[str]] = {}
        for artefact in follow_references(self.store, list(constrained), ["parents"]):
            if artefact.ref.type != "ContentConstraint":
                continue
            constraint = self._model(artefact)
            role = getattr(getattr(constraint, "role", None), "role", None)
            if role is not None and "allow" not in str(role).lower():
                continue
            for region in getattr(constraint, "data_content_region", []) or []:
                if not region.included:
                    continue
                for component, selection in region.member.items():
                    if not selection.included:
                        continue
                    values = frozenset(str(getattr(v, "value", v)) for v in selection.values)
                    previous = allowed.get(component.id)
                    allowed[component.id] = values if previous is None else previous | values
        return allowed


def keep_dataflow_infos(store: StructureStore, cache: ModelCache) -> int:
    """Build the StructureInfo of every dataflow the store holds and has none kept for its
    current generation, and keep them (`sdmxnode init`): the first load of each dataflow
    then parses no artefact. A dataflow whose structure cannot be built is left out (its
    loads report why). How many were kept."""
    builder = StructureInfoBuilder(store, cache)
    generation = store.generation()
    for artefact in store.find_artefacts({"Dataflow"}):
        try:
            builder(artefact.ref, generation)
        except SdmxNodeError as exc:
            log.info("no StructureInfo kept for %s: %s", artefact.ref, exc.text)
    return store.keep_derivations(builder.built)


def code_hierarchy(codelist: Any) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The aggregates of an sdmx1 code list: each code with children (codes naming it as
    `Parent`) or with a `MEMBERS` annotation (space-separated code ids: groupings that cut
    across the tree, as the M49 SDG regions of IMDX:CL_AREA), and its member codes."""
    from sdmx.model import common

    members: dict[str, list[str]] = {}
    for code_id, code in codelist.items.items():
        parent = getattr(code, "parent", None)
        if isinstance(parent, common.Code):
            members.setdefault(parent.id, []).append(code_id)
        for annotation in getattr(code, "annotations", None) or []:
            if annotation.type == "MEMBERS":
                listed = [m for m in str(annotation.text).split() if m in codelist.items]
                if listed:
                    members.setdefault(code_id, []).extend(listed)
    return tuple((code_id, tuple(dict.fromkeys(ids))) for code_id, ids in members.items())


def _with_hierarchy(
    component: Component,
    hierarchies: dict[str, tuple[tuple[str, tuple[str, ...]], ...]],
    associated: tuple[tuple[str, tuple[str, ...]], ...] | None = None,
) -> Component:
    """`component` with its aggregates: those of the hierarchies associated with it when
    there are such (`associated`), else those over its code list."""
    if associated is not None:
        hierarchy = associated
    else:
        hierarchy = hierarchies.get(component.codelist or "", ())
    return dataclasses.replace(component, hierarchy=hierarchy) if hierarchy else component


def _ref_key(ref: ArtefactRef) -> tuple[str, str, str, str]:
    return (ref.type, ref.agency_id, ref.id, ref.version or "")


def _children_of_type(
    store: StructureStore, artefact: StoredArtefact, type_: str
) -> list[StoredArtefact]:
    refs = store.list_references_from([artefact.pk])[artefact.pk]
    return [a for a in resolve_refs(store, refs) if a.ref.type == type_]


def _texts(text: object) -> dict[str, str]:
    """The texts of an sdmx1 InternationalString by lower-case language tag."""
    localizations = getattr(text, "localizations", None) or {}
    return {str(tag).lower(): str(value) for tag, value in localizations.items() if value}


def _text(text: object, language: str) -> str:
    """The `language` text of an sdmx1 InternationalString, else English, else its first
    (a `Label`: the pages mark the texts that fell back to another language)."""
    return best_label(_texts(text), language)


def _representation(component: common.Component) -> common.Representation | None:
    representation = component.local_representation
    if representation is None and component.concept_identity is not None:
        representation = getattr(component.concept_identity, "core_representation", None)
    return representation


def _component(
    component: common.Component, role: str, codes: dict[str, frozenset[str]]
) -> Component:
    representation = _representation(component)
    codelist = None
    code_ids = None
    text_type = None
    if representation is not None and representation.enumerated is not None:
        codelist = ref_text(representation.enumerated)
        code_ids = codes.get(codelist)
        if code_ids is None:
            log.warning("code list %s of %s is not in the node", codelist, component.id)
    elif representation is not None and representation.non_enumerated:
        value_type = representation.non_enumerated[0].value_type
        text_type = value_type.name if value_type is not None else None
    return Component(component.id, role, code_ids, codelist, text_type)


def _attribute(
    attribute: common.DataAttribute,
    dsd: Any,
    codes: dict[str, frozenset[str]],
) -> Component:
    from sdmx.model import common

    base = _component(attribute, "attribute", codes)
    relationship = attribute.related_to
    name = type(relationship).__name__
    related: tuple[str, ...] = ()
    if name in ("NoSpecifiedRelationship", "DataflowRelationship") or relationship is None:
        attachment = "dataset"
    elif name in ("PrimaryMeasureRelationship", "ObservationRelationship", "MeasureRelationship"):
        attachment = "observation"
    elif name == "GroupRelationship":
        attachment = "group"
    else:
        related = tuple(d.id for d in getattr(relationship, "dimensions", []) or [])
        time_ids = {d.id for d in dsd.dimensions.components if isinstance(d, common.TimeDimension)}
        if getattr(relationship, "group_key", None) is not None and not related:
            attachment = "group"
        elif time_ids & set(related):
            attachment = "observation"
        else:
            attachment = "series"
    usage = getattr(attribute, "usage_status", None)
    mandatory = usage is not None and "mandatory" in str(usage).lower()
    if not mandatory and getattr(attribute, "min_occurs", None):
        mandatory = True
    return Component(
        base.id,
        "attribute",
        base.codes,
        base.codelist,
        base.text_type,
        mandatory=mandatory,
        attachment=attachment,
        related_dimensions=related,
    )
