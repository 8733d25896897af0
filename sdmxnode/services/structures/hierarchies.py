"""The aggregates that hierarchical code lists give over a code list: the source the
aggregate checks read (`StructureInfoBuilder`), with a code list's own parents and
groupings (`info.code_hierarchy`) as the fallback when no hierarchical code list covers it.

SDMX 3.0 hierarchy associations narrow that per component: a `HierarchyAssociation` whose
`LinkedObject` is a dimension of the DSD, in the context (`ContextObject`) of that DSD or
of the dataflow being checked, or in no context, names the hierarchies that dimension's
aggregates come from, and the others over its code list are not read for it
(`read_association` reads one stored association element).

SDMX 2.1 `HierarchicalCodelist` and its SDMX 3.0 split into `Hierarchy` (one per 2.1
hierarchy) read the same here: every hierarchy of every hierarchical code list over the
code list contributes its hierarchical codes with children.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from lxml import etree

from sdmxnode.formats.sdmxml import safe_parser
from sdmxnode.refs import ArtefactRef, find_urns
from sdmxnode.services.structures.queries import (
    follow_references,
    matching_versions,
    resolve_refs,
)
from sdmxnode.storage.records import StoredArtefact
from sdmxnode.storage.structures import StructureStore

log = logging.getLogger(__name__)


def listed_hierarchy(
    hcls: Iterable[Any], codelist: Any, order: tuple[tuple[str, tuple[str, ...]], ...] = ()
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The aggregates that sdmx1 hierarchical code lists give over `codelist`: each
    hierarchical code with children, as its code and its children's codes, over every
    hierarchy. An aggregate has one member list: of a code that two hierarchies decompose
    differently, one list is kept and a warning logged (a structure an agency loads must
    not stop the data of every dataflow using the code list). Aggregates come in the order
    of `order` (the code list's own hierarchy), then as met."""
    members: dict[str, tuple[str, ...]] = {}
    stack = [
        code
        for hcl in hcls
        for hierarchy in _hierarchies_of(hcl)
        for code in hierarchy.codes.values()
    ]
    while stack:
        node = stack.pop()
        stack.extend(node.child)
        code = node.code
        if not node.child or not _in_codelist(code, codelist):
            continue
        listed = tuple(c.code.id for c in node.child if _in_codelist(c.code, codelist))
        if members.setdefault(code.id, listed) != listed:
            log.warning("%s has two member lists in the hierarchies: one is kept", code.id)
    rank = {code_id: i for i, (code_id, _) in enumerate(order)}
    return tuple(sorted(members.items(), key=lambda item: rank.get(item[0], len(rank))))


def _hierarchies_of(hcl: Any) -> list[Any]:
    """The hierarchies of a stored hierarchical code list: the 2.1 list's `hierarchy`, or an
    SDMX 3.0 `Hierarchy` (stored as submitted in 3.0), which is one itself (`codes` alike)."""
    hierarchies = getattr(hcl, "hierarchy", None)
    return list(hierarchies) if hierarchies is not None else [hcl]


def _in_codelist(code: Any, codelist: Any) -> bool:
    from sdmx.model import common  # only where a model was parsed

    parent = getattr(code, "parent", None)
    if isinstance(parent, common.Codelist):
        return bool(parent.id == codelist.id and parent.maintainer == codelist.maintainer)
    return code.id in codelist.items


@dataclass(frozen=True)
class AssociationLinks:
    """What one hierarchy association links: the hierarchy (stored as the SDMX 2.1
    `HierarchicalCodelist` it is), the component (id) of a DSD, and the context, if any."""

    hierarchy: ArtefactRef
    structure: ArtefactRef
    component: str
    context: ArtefactRef | None


#: URN classes a linked object may name on a DSD (its dimensions; SDMX 3.0 Section 2).
_DIMENSIONS = {"Dimension", "MeasureDimension", "TimeDimension"}
_CONTEXT_TYPES = {
    "DataStructure": "DataStructure",
    "DataStructureDefinition": "DataStructure",
    "Dataflow": "Dataflow",
    "DataflowDefinition": "Dataflow",
}


def read_association(element: bytes) -> AssociationLinks | None:
    """The links of a stored SDMX-ML 3.0/3.1 HierarchyAssociation element, or None when it
    does not link a hierarchy to a dimension of a DSD (in a DSD's or a dataflow's context,
    or in none): the only associations the aggregate check can use."""
    root = etree.fromstring(element, safe_parser())
    urns = {}
    for child in root:
        if isinstance(child.tag, str):
            found = next(find_urns(child.text or ""), None)
            if found is not None:
                urns[etree.QName(child).localname] = found
    hierarchy, linked, context = (
        urns.get(name) for name in ("LinkedHierarchy", "LinkedObject", "ContextObject")
    )
    if hierarchy is None or hierarchy.cls != "Hierarchy" or hierarchy.item:
        return None
    if linked is None or linked.cls not in _DIMENSIONS or not linked.item:
        return None
    if context is not None and (context.cls not in _CONTEXT_TYPES or context.item):
        return None
    return AssociationLinks(
        hierarchy=hierarchy.ref("HierarchicalCodelist"),
        structure=linked.ref("DataStructure"),
        component=linked.item,
        context=context.ref(_CONTEXT_TYPES[context.cls]) if context is not None else None,
    )


def find_associated_hierarchies(
    store: StructureStore, dsd: StoredArtefact, dataflow: StoredArtefact | None = None
) -> dict[str, list[StoredArtefact]]:
    """The hierarchies (stored hierarchical code lists) that hierarchy associations link to
    each dimension (by id) of `dsd`, in the context of `dsd`, of `dataflow` (the dataflow
    checked) or in none; {} when no association concerns the DSD. An association whose
    hierarchy the node lacks is left aside, with a warning."""
    contexts = [dsd] + ([dataflow] if dataflow is not None else [])
    linked: dict[str, list[StoredArtefact]] = {}
    associations = follow_references(store, [dsd], ["HierarchyAssociation"])
    xml = store.read_xml([a.pk for a in associations])
    for association in sorted(associations, key=lambda a: str(a.ref)):
        links = read_association(xml[association.pk])
        if links is None or not _designates(links.structure, [dsd]):
            continue
        if links.context is not None and not _designates(links.context, contexts):
            continue
        hcls = resolve_refs(store, [links.hierarchy])
        if not hcls:
            log.warning("%s: hierarchy %s is not in the node", association.ref, links.hierarchy)
            continue
        found = linked.setdefault(links.component, [])
        found.extend(h for h in hcls if h.pk not in {f.pk for f in found})
    return linked


def _designates(ref: ArtefactRef, artefacts: list[StoredArtefact]) -> bool:
    """Whether `ref` (whose version may be an SDMX 3.0 wildcard) names one of `artefacts`."""
    return any(
        (a.ref.type, a.ref.agency_id, a.ref.id) == (ref.type, ref.agency_id, ref.id)
        and a.ref.version in matching_versions(ref.version, [(a.ref.version, a.is_final)])
        for a in artefacts
    )
