"""Answering the SDMX-REST metadata queries: select stored sets, then write them.

The version segment selects per artefact as in structure queries (`~` latest, `+` latest
stable, wildcards): for `metadataset` among the versions of each set, for `metadataflow`
among the versions of each metadataflow that sets are reported against, for `structure`
among the versions of each structure that sets target (a set targeting an item, such as a
Code, targets its scheme). `detail=allstubs` keeps each report's targets and the ids of its
attributes, without values, texts or child attributes: the identification the standard asks
for, in a form valid in every metadata message (SDMX-ML 2.1 requires a reported attribute).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from sdmxnode.errors import NoResults, NotAcceptable
from sdmxnode.formats.header import MessageHeader
from sdmxnode.formats.metadata import (
    MetadataSet,
    ReportedAttribute,
    from_json,
    parse_target_urn,
)
from sdmxnode.formats.registry import Format
from sdmxnode.refs import ArtefactRef
from sdmxnode.rest.metadata import MetadataQuery
from sdmxnode.rest.versions import VersionSelector
from sdmxnode.storage.metadata.reads import (
    MetadataReads,
    ProviderFilter,
    StoredMetadataSet,
)
from sdmxnode.storage.structures import StructureStore

#: Canonical artefact types and the classes their URNs may use (SDMX 3.0 renamed two).
_URN_CLASSES: dict[str, tuple[str, ...]] = {
    "ContentConstraint": ("ContentConstraint", "DataConstraint"),
    "HierarchicalCodelist": ("HierarchicalCodelist", "Hierarchy"),
}


@dataclass(frozen=True)
class MetadataSelection:
    """The stored sets a query selected, and what the answer's validators derive from."""

    sets: tuple[StoredMetadataSet, ...]
    detail: str
    last_deletion: datetime | None
    #: The moment the sets were selected at (`asOf`); None: as they are now.
    as_of: datetime | None = None

    @property
    def last_modified(self) -> datetime:
        """When the answer last changed: its newest set, or a later deletion of a set."""
        newest = max(s.updated for s in self.sets)
        if self.last_deletion is not None and self.last_deletion > newest:
            newest = self.last_deletion
        return newest.replace(microsecond=0)  # HTTP dates have whole seconds

    def etag(self, fmt: Format) -> str:
        """Changes whenever a selected set or the representation does."""
        as_of = self.as_of.isoformat() if self.as_of is not None else ""
        digest = hashlib.sha256(f"{fmt.name}|{self.detail}|{as_of}".encode())
        for stored in self.sets:
            digest.update(f"{stored.pk}:{stored.digest};".encode())
        return digest.hexdigest()[:32]


def select_metadata(store: StructureStore, query: MetadataQuery) -> MetadataSelection:
    """The sets `query` selects among those of `store`'s database (as they were at
    `query.as_of`, if given); NoResults for none."""
    reads = MetadataReads.sharing(store)
    providers = (
        None
        if query.providers is None
        else [ProviderFilter(p.id, p.agency_id) for p in query.providers]
    )
    if query.as_of is None:
        keyed = _present(reads, query, providers)
    else:
        keyed = _past(reads, query, providers, query.as_of)
    chosen = _by_version(keyed, query.versions)
    if not chosen:
        raise NoResults(f"no metadata set matches the {query.resource} query", where="path")
    unique = {s.pk: s for s in chosen}
    ordered = sorted(unique.values(), key=lambda s: (s.agency_id, s.id, s.version))
    return MetadataSelection(
        tuple(ordered), query.detail, reads.last_deletion(until=query.as_of), query.as_of
    )


_Keyed = list[tuple[tuple[str, str, str, str], StoredMetadataSet]]


def _present(
    reads: MetadataReads, query: MetadataQuery, providers: list[ProviderFilter] | None
) -> _Keyed:
    """The sets held now, each with the artefact whose version the query selects on."""
    if query.resource == "metadataset":
        found = reads.find_sets(ids=query.ids, providers=providers)
        return [(("", s.agency_id, s.id, s.version), s) for s in found]
    if query.resource == "metadataflow":
        found = reads.find_sets(
            structure_types=["Metadataflow"],
            structure_agencies=query.agencies,
            structure_ids=query.ids,
            providers=providers,
        )
        return [(_key(s.structure), s) for s in found]
    targeted = reads.find_targeting(_target_classes(query), query.agencies, query.ids)
    return [(_key(hit.target), hit.metadata_set) for hit in targeted]


def _target_classes(query: MetadataQuery) -> set[str] | None:
    if query.types is None:
        return None
    return {c for t in query.types for c in _URN_CLASSES.get(t, (t,))}


def _past(
    reads: MetadataReads,
    query: MetadataQuery,
    providers: list[ProviderFilter] | None,
    when: datetime,
) -> _Keyed:
    """`_present` at `when`: the same selection, over the sets read back from history
    (the filters the store applies in SQL to the held sets, applied here to those)."""
    keyed: _Keyed = []
    classes = _target_classes(query)
    for past in reads.sets_as_of(when):
        model = from_json(past.body)
        if providers is not None and not any(
            f.matches(model.provider, past.agency_id) for f in providers
        ):
            continue
        names = dict(model.names)
        stored = StoredMetadataSet(
            pk=past.pk,
            agency_id=past.agency_id,
            id=past.id,
            version=past.version,
            structure=model.structure,
            provider=model.provider,
            name=names.get("en") or next(iter(names.values()), ""),
            body=past.body,
            digest=hashlib.sha256(past.body.encode()).hexdigest(),
            updated=past.written,
        )
        if query.resource == "metadataset":
            if _within(past.id, query.ids):
                keyed.append((("", past.agency_id, past.id, past.version), stored))
        elif query.resource == "metadataflow":
            flow = model.structure
            if (
                flow.type == "Metadataflow"
                and _within(flow.agency_id, query.agencies)
                and _within(flow.id, query.ids)
            ):
                keyed.append((_key(flow), stored))
        else:
            for target in _targets(model):
                if (
                    _within(target.type, classes)
                    and _within(target.agency_id, query.agencies)
                    and _within(target.id, query.ids)
                ):
                    keyed.append((_key(target), stored))
    return keyed


def _within(value: str, allowed: Collection[str] | None) -> bool:
    return allowed is None or value in allowed


def _targets(metadata_set: MetadataSet) -> set[ArtefactRef]:
    """The artefacts a set's reports target (an item's scheme for an item)."""
    found: set[ArtefactRef] = set()
    for report in metadata_set.reports:
        for target in report.targets:
            if target.kind not in ("object", "constraint"):
                continue
            identity = parse_target_urn(target.value)
            if identity is not None:
                found.add(
                    ArtefactRef(identity.type, identity.agency_id, identity.id, identity.version)
                )
    return found


def _key(ref: ArtefactRef) -> tuple[str, str, str, str]:
    return (ref.type, ref.agency_id, ref.id, ref.version)


def _by_version(
    found: Iterable[tuple[tuple[str, str, str, str], StoredMetadataSet]],
    versions: VersionSelector,
) -> list[StoredMetadataSet]:
    """The sets whose artefact version (of the set, flow or target each comes with, as
    type, agency, id and version) the selector picks among the versions of that artefact."""
    groups: dict[tuple[str, str, str], list[tuple[str, StoredMetadataSet]]] = defaultdict(list)
    for (type_, agency, id_, version), stored in found:
        groups[(type_, agency, id_)].append((version, stored))
    chosen: list[StoredMetadataSet] = []
    for members in groups.values():
        candidates = sorted({(version, True) for version, _ in members})
        wanted = set(versions.select(candidates))
        chosen.extend(stored for version, stored in members if version in wanted)
    return chosen


def metadata_sets(selection: MetadataSelection) -> list[MetadataSet]:
    """The selected sets as model objects, cut to stubs for `detail=allstubs`."""
    sets = [from_json(stored.body) for stored in selection.sets]
    if selection.detail == "allstubs":
        sets = [stub(s) for s in sets]
    return sets


def stub(metadata_set: MetadataSet) -> MetadataSet:
    """A set with its identification, names and targets, attributes by id only."""
    return replace(
        metadata_set,
        reports=tuple(
            replace(r, attributes=tuple(ReportedAttribute(a.id) for a in r.attributes))
            for r in metadata_set.reports
        ),
    )


def structure_usage(store: StructureStore) -> Callable[[ArtefactRef], ArtefactRef | None]:
    """For the writers: the metadataflow of a metadata provision agreement, or one using a
    metadata structure (the first by identity), from the structures the node holds."""
    cache: dict[ArtefactRef, ArtefactRef | None] = {}

    def usage(ref: ArtefactRef) -> ArtefactRef | None:
        if ref not in cache:
            cache[ref] = _usage(store, ref)
        return cache[ref]

    return usage


def _usage(store: StructureStore, ref: ArtefactRef) -> ArtefactRef | None:
    if ref.type == "MetadataProvisionAgreement":
        stored = store.find_artefact(ref)
        if stored is None:
            return None
        targets = store.list_references_from([stored.pk]).get(stored.pk, set())
        flows = sorted((t for t in targets if t.type == "Metadataflow"), key=str)
        return flows[0] if flows else None
    if ref.type == "MetadataStructure":
        referrers = store.list_referrers([(ref.type, ref.agency_id, ref.id)])
        flows = sorted(
            (
                stored.ref
                for stored, target in referrers
                if stored.ref.type == "Metadataflow" and target.version == ref.version
            ),
            key=str,
        )
        return flows[0] if flows else None
    return None


def render_metadata(
    store: StructureStore, selection: MetadataSelection, fmt: Format, header: MessageHeader
) -> bytes:
    """The selected sets written in `fmt` (sets are small: the message is built whole).

    SDMX-ML cannot name a metadata provision agreement in its header: a set reported
    against one whose metadataflow the node does not hold is NotAcceptable in SDMX-ML
    (SDMX-JSON 2.0 names the agreement itself)."""
    writer = fmt.writer
    assert writer is not None
    try:
        return b"".join(writer(metadata_sets(selection), header, usage=structure_usage(store)))
    except ValueError as exc:
        raise NotAcceptable(
            f"the metadata sets cannot be written as {fmt.name}: {exc}",
            offered=["application/vnd.sdmx.metadata+json;version=2.0.0"],
        ) from exc
