"""Where a data set is stored, and what the store already holds for its series.

`target_dataflow` picks the dataflow a data set of a load goes to. `StoredSeriesAttributes`
tells the row checks which mandatory series attributes a series the store already holds
has values for: an incremental update of such a series (Append, Merge, Information, an
SDMX 2.1 Replace) need not repeat them.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from sdmxnode.errors import NotFound, SdmxNodeError, SemanticError, WrongDataflow
from sdmxnode.formats.rows import DatasetRows
from sdmxnode.refs import ArtefactRef
from sdmxnode.services.structures.info import StructureInfoBuilder
from sdmxnode.services.structures.queries import follow_references
from sdmxnode.storage.data import DataStore
from sdmxnode.storage.records import StoredArtefact
from sdmxnode.storage.structures import StructureStore


class StoredSeriesAttributes:
    """A `StoredSeries` lookup (validation.rules) on a store: for a data set and series keys,
    the series attributes the store holds values for, per series it holds. The data set's
    target dataflow is found as a load finds it; when it cannot be, nothing is held. With
    `provider` (the data provider a load into a dataflow writes for), only that provider's
    series count: another provider's series of the same key are not this one's."""

    def __init__(
        self,
        store: StructureStore,
        data: DataStore,
        resolver: StructureInfoBuilder,
        dataflow: ArtefactRef | None,
        provider: Callable[[StoredArtefact], str] | None = None,
    ) -> None:
        self.store = store
        self.data = data
        self.resolver = resolver
        self.dataflow = dataflow
        self.provider = provider
        self._providers: dict[int, str | None] = {}

    def __call__(
        self, dataset: DatasetRows, series_keys: Collection[str]
    ) -> dict[str, frozenset[str]]:
        """Per series of `series_keys` the store holds: the ids of its attributes with a value."""
        try:
            target = target_dataflow(self.store, self.resolver, dataset, self.dataflow)
            if target.pk not in self._providers:
                self._providers[target.pk] = self.provider(target) if self.provider else None
        except SdmxNodeError:
            return {}  # the load reports why it has no dataflow (or provider) to store into
        provider = self._providers[target.pk]
        return self.data.held_series_attributes(target.pk, series_keys, provider=provider)


def target_dataflow(
    store: StructureStore,
    resolver: StructureInfoBuilder,
    dataset: DatasetRows,
    dataflow: ArtefactRef | None,
) -> StoredArtefact:
    """The dataflow a data set is stored under: its own, the one given, or the only one
    using its DSD."""
    ref = dataset.structure_ref
    if ref.kind in ("dataflow", "provisionagreement") and dataflow is None:
        artefact = resolver.find_artefact(ref)
        if artefact.ref.type == "Dataflow":
            return artefact
    if dataflow is not None:
        target = resolver.find_artefact(dataflow)
        check_named_dataflow(resolver, dataset, ref, target)
        return target
    dsd = resolver.find_artefact(ref)
    users = [a for a in follow_references(store, [dsd], ["parents"]) if a.ref.type == "Dataflow"]
    if len(users) == 1:
        return users[0]
    if not users:
        raise NotFound(f"no dataflow uses {dsd.ref}: data must be loaded for a dataflow")
    raise SemanticError(
        f"{len(users)} dataflows use {dsd.ref}: name the dataflow to load the data for",
        where="dataflow",
    )


def check_named_dataflow(
    resolver: StructureInfoBuilder,
    dataset: DatasetRows,
    ref: ArtefactRef,
    target: StoredArtefact,
) -> None:
    """Invalid when the message names another dataflow than `target`, or a DSD (or
    provision agreement) whose DSD is not the one of `target`."""
    name = target.ref.identity
    if ref.kind == "dataflow":
        named = resolver.find_artefact(ref)
        if named.pk != target.pk:
            raise WrongDataflow(
                f"the message's structure reference (in its header, or the CSV "
                f"DATAFLOW/STRUCTURE_ID column) names the dataflow "
                f"{ref.identity}, not {name} where it was sent"
            )
        return
    expected = resolver(target.ref).dsd
    if dataset.structure.dsd != expected:
        raise WrongDataflow(
            f"the message's structure reference names {ref.kind}={ref.identity} (the DSD "
            f"{dataset.structure.dsd}), but the dataflow {name} where it was sent uses {expected}"
        )
