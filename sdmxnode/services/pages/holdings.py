"""Which latest dataflows hold data and which codes have data in them, for the pages that
link into the explorer or the checks (search, code lists); read once per version of the data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sdmxnode.errors import NoResults
from sdmxnode.formats.rows import Labels, StructureInfo
from sdmxnode.rest.availability import parse_availability_query_v1
from sdmxnode.rest.versions import parse_versions_v1
from sdmxnode.services.data.availability import Availability, find_availability
from sdmxnode.services.node import Node
from sdmxnode.services.pages.catalogue import model_of, text_in
from sdmxnode.services.pages.dataflow import DataflowView
from sdmxnode.services.structures.info import StructureInfoBuilder
from sdmxnode.services.structures.queries import select_versions
from sdmxnode.storage.records import StoredArtefact


@dataclass(frozen=True)
class HeldFlow:
    """A latest dataflow with data: its structure and the codes with data per dimension."""

    artefact: StoredArtefact
    structure: StructureInfo
    availability: Availability

    def held(self, dimension: str) -> frozenset[str]:
        """The codes of `dimension` with data in this dataflow."""
        return frozenset(self.availability.values.get(dimension, ()))

    def view(self, node: Node, language: str) -> DataflowView:
        """The dataflow as the explorer sees it (no components: only key building needs it)."""
        builder = StructureInfoBuilder(node.store, node.cache)
        labels: Labels = builder.labels(self.artefact.ref, (language,))
        name = text_in(model_of(node, self.artefact).name, language) or self.artefact.name
        return DataflowView(self.artefact, name, "", self.structure, labels, [], self.availability)

    def key_with(self, default: str, chosen: Mapping[str, str]) -> str:
        """The key `default` (the explorer's `default_key` of this dataflow) with the
        `chosen` code of some dimensions (dimension id -> code) put in."""
        parts = default.split(".")
        for position, dimension in enumerate(self.structure.dimensions):
            if dimension.id in chosen:
                parts[position] = chosen[dimension.id]
        return ".".join(parts)


def list_held_flows(node: Node) -> list[HeldFlow]:
    """The latest version of each dataflow that holds observations, with its availability:
    one query for which dataflows hold data, and one availability per version of each
    dataflow's data (kept in the model cache, so only a load makes the next caller read it)."""
    with node.data.reading() as reader:
        held = {pk: (updated, load) for pk, updated, load in reader.dataflows_with_data()}
    if not held:
        return []
    flows = select_versions(node.store.find_artefacts({"Dataflow"}), parse_versions_v1("latest"))
    generation = node.store.generation()
    builder = StructureInfoBuilder(node.store, node.cache)
    found = []
    for flow in flows:
        if flow.pk not in held:
            continue
        availability = _availability(node, flow, held[flow.pk])
        if availability is not None:
            found.append(HeldFlow(flow, builder(flow.ref, generation), availability))
    return found


def _availability(node: Node, flow: StoredArtefact, version: tuple) -> Availability | None:
    ref = flow.ref

    def read() -> Availability | None:
        query = parse_availability_query_v1(
            f"{ref.agency_id},{ref.id},{ref.version}", None, None, None, {}
        )
        try:
            return find_availability(node, query)
        except NoResults:
            return None

    return node.cache.derived(("page holdings", flow.pk, flow.digest, *version), read)
