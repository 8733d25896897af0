"""Structure queries: matching artefacts, following references, applying `detail`, rendering.

Follows SDMX-REST 1.5 section 4.3 ("Structural metadata queries") and 2.x `structures.md`.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lxml import etree

from sdmxnode.errors import NoResults, NotAcceptable
from sdmxnode.formats.header import MessageHeader
from sdmxnode.formats.registry import Format
from sdmxnode.formats.sdmxml import safe_parser
from sdmxnode.formats.sdmxml.element_forms import element_in, element_view
from sdmxnode.formats.sdmxml.elements import (
    assemble_structure_message,
    split_structure_message,
)
from sdmxnode.refs import ArtefactRef
from sdmxnode.rest.resources import SDMX21_TYPES
from sdmxnode.rest.structure import StructureQuery
from sdmxnode.rest.versions import VersionSelector, parse_versions_v2, version_key
from sdmxnode.services.structures.cache import ModelCache
from sdmxnode.storage.records import StoredArtefact
from sdmxnode.storage.structures import StructureStore

log = logging.getLogger(__name__)

#: The `detail` values and how they treat (requested, referenced) artefacts.
_VIEWS = {
    "full": ("full", "full"),
    "raw": ("full", "full"),
    "allstubs": ("stub", "stub"),
    "allcompletestubs": ("completestub", "completestub"),
    "referencestubs": ("full", "stub"),
    "referencecompletestubs": ("full", "completestub"),
    "referencepartial": ("full", "partial"),
}


@dataclass(frozen=True)
class Selection:
    """What a structure query selected, before it is written in a format."""

    requested: tuple[StoredArtefact, ...]
    referenced: tuple[StoredArtefact, ...]
    items: tuple[str, ...] | None
    detail: str

    @property
    def last_modified(self) -> datetime:
        """When the most recently changed artefact of the answer changed."""
        return max(a.updated for a in self.requested + self.referenced)

    def etag(self, fmt: Format, languages: Sequence[str] = ()) -> str:
        """A strong validator: changes whenever any selected artefact or the output does
        (`languages`: those the answer's best-match texts were chosen by)."""
        digest = hashlib.sha256(f"{fmt.name}|{self.detail}|{self.items}".encode())
        if languages:
            digest.update(f"|lang={','.join(languages)}".encode())
        for group in (self.requested, self.referenced):
            digest.update(b"|")
            for artefact in group:
                digest.update(f"{artefact.pk}:{artefact.digest};".encode())
        return digest.hexdigest()[:32]


def select_structures(store: StructureStore, query: StructureQuery) -> Selection:
    """The artefacts matching `query` and those its `references` bring along."""
    candidates = store.find_artefacts(query.types, query.agencies, query.ids)
    if query.constraint_role is not None:
        candidates = _with_role(store, candidates, query.constraint_role)
    requested = select_versions(candidates, query.versions)
    if not requested:
        raise NoResults(f"no {query.resource} matches the query", where="path")
    line_types = SDMX21_TYPES if query.api == 1 else None
    referenced = follow_references(store, requested, query.references, query.items, line_types)
    return Selection(
        tuple(requested),
        tuple(a for a in referenced if a.pk not in {r.pk for r in requested}),
        query.items,
        query.detail,
    )


def select_versions(
    candidates: Sequence[StoredArtefact], versions: VersionSelector
) -> list[StoredArtefact]:
    """The candidates whose version the selector picks, artefact by artefact (per type,
    agency and id: 'latest' is the latest of each)."""
    groups: dict[tuple[str, str, str], list[StoredArtefact]] = {}
    for artefact in candidates:
        ref = artefact.ref
        groups.setdefault((ref.type, ref.agency_id, ref.id), []).append(artefact)
    selected: list[StoredArtefact] = []
    for group in groups.values():
        wanted = set(versions.select([(a.ref.version, a.is_final) for a in group]))
        selected.extend(a for a in group if a.ref.version in wanted)
    return selected


def _with_role(
    store: StructureStore, candidates: Sequence[StoredArtefact], role: str
) -> list[StoredArtefact]:
    """The content constraints whose role (2.1 `type`, 3.0 `role` attribute of the element's
    start tag) is `role`."""
    constraints = [a for a in candidates if a.ref.type == "ContentConstraint"]
    xml = store.read_xml([a.pk for a in constraints])
    return [a for a in constraints if constraint_role(xml[a.pk]) == role]


_ROLE_ATTRIBUTE = re.compile(rb"""\s(?:type|role)\s*=\s*["']([A-Za-z]+)["']""")


def constraint_role(element: bytes) -> str | None:
    """The role of a content constraint element (2.1 `type`, 3.0 `role`), read off its start
    tag alone: 'Actual', 'Allowed', or None when it names none."""
    start = element.lstrip()
    if start.startswith(b"<?"):
        start = start[start.index(b"?>") + 2 :].lstrip()
    tag_end = start.find(b">")
    found = _ROLE_ATTRIBUTE.search(start[: tag_end if tag_end >= 0 else None])
    return found.group(1).decode() if found else None


def follow_references(
    store: StructureStore,
    start: Sequence[StoredArtefact],
    references: Iterable[str],
    items: Collection[str] | None = None,
    line_types: Collection[str] | None = None,
) -> list[StoredArtefact]:
    """The artefacts that `references` (none, parents, children, ..., or a type) selects.

    A concrete type selects the artefacts of that type that `start` references or that
    reference `start` directly (1.5 `4_3_structural_queries.md`: "one level up, one level
    down"); relations through a third artefact are `descendants`, `ancestors` or `all`.
    With `items` (an item query) the categorisations among the parents are those of the
    queried items only, and so are the siblings and ancestors they bring. The general
    expansions leave out NAMED_PARENTS and parents outside `line_types` (`_general_parents`).
    """
    found: dict[int, StoredArtefact] = {}
    for kind in references:
        if kind == "none":
            continue
        if kind == "children":
            group = _children(store, start)
        elif kind == "descendants":
            group = _closure(store, start, _children)
        elif kind == "parents":
            group = _general_parents(store, start, items, line_types)
        elif kind == "ancestors":
            parents = _general_parents(store, start, items, line_types)
            group = parents + _closure(
                store, parents, lambda st, found: _general_parents(st, found, None, line_types)
            )
        elif kind == "parentsandsiblings":
            parents = _general_parents(store, start, items, line_types)
            group = parents + _children(store, parents)
        elif kind == "all":
            parents = _general_parents(store, start, items, line_types)
            group = parents + _children(store, parents) + _closure(store, start, _children)
        else:  # a concrete artefact type: those of that type directly related
            related = _children(store, start) + _item_parents(store, start, items)
            group = [a for a in related if a.ref.type == kind]
        for artefact in group:
            found.setdefault(artefact.pk, artefact)
    start_pks = {a.pk for a in start}
    return [a for a in found.values() if a.pk not in start_pks]


#: Parents that come only when named (`references=reportingtaxonomy` or `process`), never
#: with `parents`, `parentsandsiblings`, `ancestors` or `all`: sdmx1 2.28 reads no SDMX-ML
#: message holding a reporting taxonomy or a process (it stops at the element), and its
#: Client asks `references=all` for every dataflow and DSD, so with them among the parents
#: no sdmx1 or pandaSDMX user could read a dataflow. They list many dataflows, so they
#: would also bring every sibling dataflow into each answer. README "Artefact types".
NAMED_PARENTS = frozenset({"ReportingTaxonomy", "Process"})


def _general_parents(
    store: StructureStore,
    start: Sequence[StoredArtefact],
    items: Collection[str] | None,
    line_types: Collection[str] | None,
) -> list[StoredArtefact]:
    """The parents that `parents`, `ancestors`, `parentsandsiblings` and `all` bring: not
    NAMED_PARENTS, and only of `line_types` when given (the 1.5 line follows no SDMX
    3.0-only artefact, which its answers cannot hold: through a hierarchy association every
    DSD would bring both area hierarchies as siblings)."""
    return [
        a
        for a in _item_parents(store, start, items)
        if a.ref.type not in NAMED_PARENTS and (line_types is None or a.ref.type in line_types)
    ]


def _item_parents(
    store: StructureStore, start: Sequence[StoredArtefact], items: Collection[str] | None
) -> list[StoredArtefact]:
    """The artefacts referencing `start`; with `items`, categorisations only when they
    categorise one of those items (1.5: "the category PRICES ... as well as the
    categorisations referencing that category")."""
    parents = _parents(store, start)
    if items is None:
        return parents
    wanted = set(items) | {item.rsplit(".", 1)[-1] for item in items}
    categorisations = [a.pk for a in parents if a.ref.type == "Categorisation"]
    xml = store.read_xml(categorisations)
    return [
        a
        for a in parents
        if a.ref.type != "Categorisation" or categorised_item(xml[a.pk]) in wanted
    ]


def categorised_item(element: bytes) -> str | None:
    """The id (path) of the category a Categorisation element (SDMX-ML 2.1 or 3.0) targets:
    2.1 `<Target><Ref id=.../></Target>`, 3.0 `<Target>urn:...Category=AG:ID(V).ITEM</Target>`."""
    root = etree.fromstring(element, safe_parser())
    for target in root.iter("{*}Target"):
        ref = next(target.iter("Ref", "{*}Ref"), None)
        if ref is not None:
            return ref.get("id")
        urn = (target.findtext("{*}URN") or target.text or "").strip()
        if ")." in urn:
            return urn.split(").", 1)[1]
    return None


def _closure(store: StructureStore, start: Sequence[StoredArtefact], step) -> list[StoredArtefact]:
    seen: dict[int, StoredArtefact] = {a.pk: a for a in start}
    frontier = list(start)
    result: list[StoredArtefact] = []
    while frontier:
        nxt = [a for a in step(store, frontier) if a.pk not in seen]
        for artefact in nxt:
            seen[artefact.pk] = artefact
            result.append(artefact)
        frontier = nxt
    return result


def _children(store: StructureStore, artefacts: Sequence[StoredArtefact]) -> list[StoredArtefact]:
    if not artefacts:
        return []
    refs = set().union(*store.list_references_from([a.pk for a in artefacts]).values())
    # In a fixed order: a set's order changes with the process's hash seed, and the answer
    # (and its ETag) must not change from one worker or restart to the next.
    return resolve_refs(store, sorted(refs, key=_ref_order))


def _ref_order(ref: ArtefactRef) -> tuple[str, str, str, str]:
    return (ref.type, ref.agency_id, ref.id, ref.version)


def _parents(store: StructureStore, artefacts: Sequence[StoredArtefact]) -> list[StoredArtefact]:
    if not artefacts:
        return []
    by_key: dict[tuple[str, str, str], list[StoredArtefact]] = {}
    for artefact in artefacts:
        ref = artefact.ref
        by_key.setdefault((ref.type, ref.agency_id, ref.id), []).append(artefact)
    found: dict[int, StoredArtefact] = {}
    for referrer, target in store.list_referrers(by_key):
        versions = [a.ref.version for a in by_key[(target.type, target.agency_id, target.id)]]
        all_versions = [(v, True) for v in versions]
        if any(v in matching_versions(target.version, all_versions) for v in versions):
            found.setdefault(referrer.pk, referrer)
    return list(found.values())


def resolve_refs(store: StructureStore, refs: Iterable[ArtefactRef]) -> list[StoredArtefact]:
    """The stored artefacts that references point to (absent targets are skipped)."""
    refs = list(refs)
    if not refs:
        return []
    stored = store.find_by_identity({(r.type, r.agency_id, r.id) for r in refs})
    by_key: dict[tuple[str, str, str], list[StoredArtefact]] = {}
    for artefact in stored:
        by_key.setdefault((artefact.ref.type, artefact.ref.agency_id, artefact.ref.id), []).append(
            artefact
        )
    found: dict[int, StoredArtefact] = {}
    for ref in refs:
        group = by_key.get((ref.type, ref.agency_id, ref.id), [])
        wanted = matching_versions(ref.version, [(a.ref.version, a.is_final) for a in group])
        for artefact in group:
            if artefact.ref.version in wanted:
                found.setdefault(artefact.pk, artefact)
    return list(found.values())


def matching_versions(reference: str, candidates: list[tuple[str, bool]]) -> set[str]:
    """Versions a reference's version designates: equal ones, or a 3.0 wildcard's pick."""
    if any(mark in reference for mark in "+*~"):
        try:
            return set(parse_versions_v2(reference).select(candidates))
        except Exception:  # a malformed wildcard in a stored reference matches nothing
            log.warning("cannot interpret referenced version %r", reference)
            return set()
    key = version_key(reference)
    return {v for v, _ in candidates if v == reference or version_key(v) == key}


def render_structures(
    store: StructureStore,
    cache: ModelCache,
    selection: Selection,
    fmt: Format,
    header: MessageHeader,
    used_items: Mapping[ArtefactRef, Collection[str]] | None = None,
    languages: Sequence[str] = (),
) -> bytes:
    """The selection as a structure message in `fmt`.

    `used_items` (for `detail=referencepartial`, see `services.partial`) trims referenced
    item schemes to the items the requested artefacts use. SDMX-JSON's best-match texts
    (`name`, `description`) are in the first of `languages` the artefacts carry.

    SDMX-ML artefacts stored in the requested SDMX-ML version and wanted in full are copied
    as received; everything else goes through the sdmx1 model and the format's writer.
    """
    from sdmxnode.services.structures.models import build_message, filter_items, make_stub

    requested_view, referenced_view = _VIEWS[selection.detail]
    plan = [(a, requested_view, selection.items, True) for a in selection.requested] + [
        (a, referenced_view, None, False) for a in selection.referenced
    ]
    xml = store.read_xml([a.pk for a, _, _, _ in plan])
    passthrough: list[tuple[str, bytes]] = []
    modelled: list[Any] = []
    maps: list[tuple[StoredArtefact, bytes]] = []
    found_items = False
    for artefact, view, wanted_items, requested in plan:
        items: Collection[str] | None = wanted_items
        if view == "partial":
            items = (used_items or {}).get(artefact.ref)
            view = "full"
        if artefact.ref.type in ELEMENT_ONLY:  # no sdmx1 model: written from the element
            shown = element_view(artefact.ref.type, xml[artefact.pk], view, items)
            if shown is not None:
                maps.append((artefact, shown))
                found_items = found_items or (requested and items is not None)
            continue
        if fmt.sdmx_ml == artefact.sdmx_ml and view == "full" and items is None:
            passthrough.append((artefact.ref.type, xml[artefact.pk]))
            continue
        obj: Any = cache.get(artefact, xml[artefact.pk], _context_of(store, artefact))
        if items is not None:
            obj = filter_items(obj, items)
            if obj is None:
                continue
            found_items = found_items or requested
        elif view in ("stub", "completestub"):
            obj = make_stub(obj, complete=view == "completestub")
        modelled.append(obj)
    if selection.items is not None and not found_items:
        raise NoResults(f"no item {'+'.join(selection.items)} in the artefacts", where="itemID")
    maps = _expressible(fmt, selection, maps)
    if fmt.sdmx_ml is None:  # SDMX-JSON is written from the model (maps from their elements)
        elements = [(a.ref.type, element_in("3.0", a.sdmx_ml, x)) for a, x in maps]
        return fmt.writer(build_message(modelled, header), languages, elements)  # type: ignore[misc]
    elements = list(passthrough)
    elements.extend((a.ref.type, _map_in(fmt.sdmx_ml, a, x)) for a, x in maps)
    if modelled:
        written = fmt.writer(build_message(modelled, header, fmt.sdmx_ml))  # type: ignore[misc]
        elements.extend((r.ref.type, r.xml) for r in split_structure_message(written).records)
    return assemble_structure_message(elements, fmt.sdmx_ml, header)


_SDMX30_FORMATS = frozenset({"sdmx-ml-3.0", "sdmx-ml-3.1", "sdmx-json-2.0", "sdmx-json-2.1"})
_EVERY_FORMAT = _SDMX30_FORMATS | {"sdmx-ml-2.1", "sdmx-json-1.0"}

#: Artefacts written from their stored element (sdmx1 reads none of them) and the formats
#: (structure format names) that can hold them: SDMX 3.0's maps and hierarchy associations
#: have no SDMX 2.1 form, an
#: SDMX 2.1 structure set (sdmx1 reads none with structure maps) none in SDMX 3.0, and
#: reporting taxonomies and processes are the same in both (`formats.sdmxml.element_forms`).
ELEMENT_ONLY: dict[str, frozenset[str]] = {
    "HierarchyAssociation": _SDMX30_FORMATS,
    "StructureMap": _SDMX30_FORMATS,
    "RepresentationMap": _SDMX30_FORMATS,
    "StructureSet": frozenset({"sdmx-ml-2.1"}),
    "ReportingTaxonomy": _EVERY_FORMAT,
    "Process": _EVERY_FORMAT,
}


def _expressible(
    fmt: Format, selection: Selection, found: list[tuple[StoredArtefact, bytes]]
) -> list[tuple[StoredArtefact, bytes]]:
    """The element-only artefacts `fmt` can hold; the others are left out of the answer, and
    an answer that would hold none of what was asked for is 406 (README "Formats")."""
    kept = [(a, x) for a, x in found if fmt.name in ELEMENT_ONLY[a.ref.type]]
    if len(kept) < len(found) and all(
        a.ref.type in ELEMENT_ONLY and fmt.name not in ELEMENT_ONLY[a.ref.type]
        for a in selection.requested
    ):
        types = sorted({a.ref.type for a in selection.requested})
        names = {name for t in types for name in ELEMENT_ONLY[t]}
        from sdmxnode.formats.registry.structure import STRUCTURE_FORMATS  # the writers

        offered = [f.content_type for f in STRUCTURE_FORMATS if f.name in names]
        raise NotAcceptable(
            f"{' and '.join(types)} cannot be written as {fmt.name}: ask for {', '.join(offered)}",
            offered=offered,
        )
    return kept


def _map_in(version: str, artefact: StoredArtefact, xml: bytes) -> bytes:
    """A stored element-only artefact in SDMX-ML `version` (`_expressible` has kept only
    those that `version` can hold)."""
    return element_in(version, artefact.sdmx_ml, xml)


def _context_of(store: StructureStore, artefact: StoredArtefact):
    """The artefacts `artefact` references, with their elements, fetched when called."""

    def fetch() -> list[tuple[StoredArtefact, bytes]]:
        children = _children(store, [artefact])
        xml = store.read_xml([c.pk for c in children])
        return [(c, xml[c.pk]) for c in children]

    return fetch
