"""Loading data messages: read, validate and write in one transaction, or write nothing."""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

from sdmxnode.errors import Invalid, LoadRejected, NotFound, SdmxNodeError
from sdmxnode.formats.input import DEFAULT_MAX_BYTES, OpenedMessage, open_message, read_data
from sdmxnode.formats.rows import DatasetRows, StructureInfo
from sdmxnode.refs import ArtefactRef
from sdmxnode.services.checks.aggregates import watch_aggregates
from sdmxnode.services.data.pipeline import can_pipeline, piped_datasets
from sdmxnode.services.data.targets import StoredSeriesAttributes, target_dataflow
from sdmxnode.services.mapping import (
    ConversionPlan,
    convert_datasets,
    convert_for_dataflow,
    plan_conversion,
)
from sdmxnode.services.node import Node
from sdmxnode.services.providers.agreements import (
    UNATTRIBUTED,
    Agreement,
    guard_keys,
    load_agreement,
)
from sdmxnode.services.structures.info import StructureInfoBuilder
from sdmxnode.storage.data import DataTransaction
from sdmxnode.storage.data.layout import Layout
from sdmxnode.storage.data.reads import select_observation_keys
from sdmxnode.storage.data.writes import DataflowWriter, LoadCounts
from sdmxnode.storage.records import StoredArtefact
from sdmxnode.storage.structures import Derivation
from sdmxnode.validation.findings import finding_from_error
from sdmxnode.validation.periods import period_bounds
from sdmxnode.validation.report import Report
from sdmxnode.validation.rules import check_datasets
from sdmxnode.validation.schema import validate_schema

log = logging.getLogger(__name__)


@dataclass
class LoadResult:
    """What a load stored, per dataflow, and the findings (warnings only, when it stored)."""

    report: Report
    counts: dict[str, LoadCounts] = field(default_factory=dict)
    #: The load record of each dataflow written ('AGENCY:ID(VERSION)' -> load id).
    loads: dict[str, int] = field(default_factory=dict)
    #: The action each data set was written with, in message order.
    actions: list[str] = field(default_factory=list)
    #: How the data of each dataflow written were converted ('AGENCY:ID(VERSION)' -> the
    #: StructureMap and source structure), for the dataflows written through a map.
    conversions: dict[str, str] = field(default_factory=dict)
    #: For a load read by a child process (large files): the memory that process added
    #: beyond what it shares with the loading one (peak minus resident at its start, KiB).
    reader_extra_kib: int = 0

    def note(self, target: StoredArtefact, dataset: DatasetRows, action: str | None) -> None:
        """Record the action a data set is written with and how it was converted."""
        self.actions.append(action or dataset.action)
        if dataset.conversion:
            self.conversions[target.ref.identity] = dataset.conversion

    @property
    def observations_written(self) -> int:
        """Observations written by the load, over every dataflow it touched."""
        return sum(c.observations_written for c in self.counts.values())

    @property
    def observations_deleted(self) -> int:
        """Observations deleted by the load, over every dataflow it touched."""
        return sum(c.observations_deleted for c in self.counts.values())


def layout_for(info: StructureInfo) -> Layout:
    """Where each component of `info` is stored."""
    by_level: dict[str, list[str]] = {"dataset": [], "series": [], "observation": []}
    for attribute in info.attributes:
        level = "series" if attribute.attachment == "group" else attribute.attachment
        by_level[level].append(attribute.id)
    return Layout(
        dsd=info.dsd,
        dimensions=tuple(d.id for d in info.dimensions),
        time_dimension=info.time_dimension.id if info.time_dimension else None,
        measures=tuple(m.id for m in info.measures),
        series_attributes=tuple(by_level["series"]),
        observation_attributes=tuple(by_level["observation"]),
        dataset_attributes=tuple(by_level["dataset"]),
    )


@dataclass(frozen=True)
class LoadOptions:
    """How a data message is loaded.

    - `source` names the message in findings and the load record; `principal` who loads it.
    - `kind` is sdmx-ml, sdmx-csv or sdmx-json (None: detected).
    - `dataflow`: every data set is stored under that dataflow, and a data set whose message
      names another dataflow (or a DSD the dataflow does not use) is an error.
    - `max_findings` bounds the report; `progress` is called with observation counts.
    - `max_bytes` of (decompressed) content are read at most: more is refused as a possible
      compression bomb (Invalid).
    - `action` overrides the actions the message declares (data sets and rows alike).
    - `provider` (AGENCY:ID) is the data provider the data are reported by: it needs a
      provision agreement for each dataflow written (Forbidden otherwise) and the
      agreement's constraints apply to every key. None: the provider of the dataflow's
      only agreement (its constraints apply too), else the load is unattributed ('').
    - `replace` (with `dataflow`) makes the dataflow hold exactly the message's
      observations: every other observation of it is deleted in the same transaction,
      recorded as deleted for `updatedAfter` and `includeHistory`.
    - `structure_map` names a StructureMap: the message's data sets (of the map's source
      structure) are converted to the map's target dataflow before validation; `dataflow`,
      if given, must be that target. The load record names the map and the source.
    """

    source: str = "message"
    principal: str = ""
    kind: str | None = None
    dataflow: ArtefactRef | None = None
    max_findings: int = 1000
    progress: Callable[[int], None] | None = None
    max_bytes: int = DEFAULT_MAX_BYTES
    action: str | None = None
    replace: bool = False
    provider: str | None = None
    structure_map: ArtefactRef | None = None


def load_data(
    node: Node, data: bytes | Path | OpenedMessage, options: LoadOptions | None = None
) -> LoadResult:
    """Read, validate and store a data message as `options` say; raises LoadRejected
    (nothing stored). A message opened already (`open_message`) keeps its own byte limit
    and is not sniffed again."""
    options = options or LoadOptions()
    if options.replace and options.dataflow is None:
        raise ValueError("replace=True needs the dataflow to replace")
    with _fewer_collections():
        return _load_data(node, data, options)


_gc_lock = threading.Lock()
_loads_running = 0
_saved_thresholds: tuple[int, ...] = gc.get_threshold()


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Run the cyclic garbage collector less often while a load runs.

    A load allocates a few tuples per observation, nearly all freed by reference counting,
    while the structures and the per-series state it keeps alive make every full collection
    long: measured on 1,000,000 observations, the default thresholds cost about a tenth of
    the load. The thresholds are restored afterwards.
    """
    global _loads_running, _saved_thresholds
    with _gc_lock:  # thresholds are the interpreter's: the first load sets, the last restores
        if _loads_running == 0:
            _saved_thresholds = gc.get_threshold()
            gc.set_threshold(100_000, 50, 100)
        _loads_running += 1
    try:
        yield
    finally:
        with _gc_lock:
            _loads_running -= 1
            if _loads_running == 0:
                gc.set_threshold(*_saved_thresholds)


def _load_data(node: Node, data: bytes | Path | OpenedMessage, options: LoadOptions) -> LoadResult:
    source, dataflow, action = options.source, options.dataflow, options.action
    progress = options.progress
    report = Report(max_findings=options.max_findings)
    message = (
        data if isinstance(data, OpenedMessage) else open_message(data, max_bytes=options.max_bytes)
    )
    kind = options.kind or message.kind
    if kind in ("sdmx-ml", "sdmx-json"):
        with message.open() as stream:
            for finding in validate_schema(stream, kind):
                report.add(finding)
    if report.errors:
        raise LoadRejected(report, source)
    resolver = StructureInfoBuilder(node.store, node.cache)
    options, plan = _planned(node, resolver, options)
    dataflow = options.dataflow
    agreements: dict[int, Agreement | None] = {}
    result = LoadResult(report)
    reader_memory: dict[str, int] = {}
    built: list[Derivation] = []  # StructureInfos the reading process built
    with node.data.transaction(period_bounds, principal=options.principal, source=source) as tx:
        datasets, checked_ahead = _checked_datasets(
            node, message, kind, options, resolver, report, reader_memory, built, plan
        )
        for dataset in watch_aggregates(datasets, report, node.settings):
            try:
                target = target_dataflow(node.store, resolver, dataset, dataflow)
            except SdmxNodeError as exc:
                report.add(finding_from_error(exc))
                for _ in dataset.rows:  # the rest of the data set is still checked
                    pass
                continue
            agreement = agreements.get(target.pk) or load_agreement(node, target, options.provider)
            agreements[target.pk] = agreement
            writer, rows = _writer(tx, target, dataset, action, agreement)
            result.note(target, dataset, action)
            writer.write(
                dataset.columns,
                _to_write(rows, progress, report, checked_ahead),
                action or dataset.action,
                None if action else dataset.action_column,
                replace_series=dataset.sdmx_version != "2.1",
            )
            if report.errors == 0:
                writer.set_dataset_attributes(dataset.dataset_attributes)
        if report.errors:
            _refuse_vanished(node, dataflow)
            raise LoadRejected(report, source)
        if options.replace and dataflow is not None:
            _delete_the_rest(node, tx, resolver.find_artefact(dataflow))
        tx.keep_derivations([*resolver.built, *built])
        for dataflow_pk, counts in tx.finish().items():
            name = _name(node, dataflow_pk)
            result.counts[name] = counts
            result.loads[name] = tx.writers[dataflow_pk].load_pk
    if reader_memory:
        result.reader_extra_kib = max(0, reader_memory["peak_kib"] - reader_memory["start_kib"])
    log.info(
        "%s: %d observations written, %d deleted",
        source,
        result.observations_written,
        result.observations_deleted,
    )
    return result


def _to_write(
    rows: Iterator[tuple],
    progress: Callable[[int], None] | None,
    report: Report,
    checked_ahead: bool,
) -> Iterator[tuple]:
    """The rows the writer gets: counted for `progress`, and, when each is checked as it
    comes, none after the report's first error (rows checked ahead stop there already)."""
    rows = rows if progress is None else _counted(rows, progress)
    return rows if checked_ahead else (row for row in rows if report.errors == 0)


def _writer(
    tx: DataTransaction,
    target: StoredArtefact,
    dataset: DatasetRows,
    action: str | None,
    agreement: Agreement | None,
) -> tuple[DataflowWriter, Iterator[tuple]]:
    """The load's writer of the data set's dataflow, for the agreement's provider, and the
    data set's rows (checked against the agreement's constraints)."""
    writer = tx.writer(
        target.pk,
        layout_for(dataset.structure),
        action or dataset.action,
        depends=(*dataset.structure.sources, *(agreement.sources if agreement else ())),
        provider=agreement.provider if agreement else UNATTRIBUTED,
        conversion=dataset.conversion,
    )
    if agreement is None:
        return writer, dataset.rows
    return writer, guard_keys(dataset.rows, dataset.columns, agreement)


def _provider(node: Node, provider: str | None, dataflow: StoredArtefact) -> str:
    """The data provider a load into `dataflow` writes for (see `LoadOptions.provider`)."""
    agreement = load_agreement(node, dataflow, provider)
    return agreement.provider if agreement is not None else UNATTRIBUTED


def _refuse_vanished(node: Node, dataflow: ArtefactRef | None) -> None:
    """NotFound (404) when the dataflow the load was sent to is no longer in the node (a
    DELETE of it committed while the message was read): not a defect of the message."""
    if dataflow is not None and node.store.find_artefact(dataflow) is None:
        raise NotFound(
            f"{dataflow} is not in the node (deleted while the data was read): nothing was written"
        )


def _checked_datasets(
    node: Node,
    message: OpenedMessage,
    kind: str | None,
    options: LoadOptions,
    resolver: StructureInfoBuilder,
    report: Report,
    reader_memory: dict[str, int],
    built: list[Derivation],
    plan: ConversionPlan | None = None,
) -> tuple[Iterator[DatasetRows], bool]:
    """The message's data sets, read (converted through `plan`) and checked, and whether
    their rows come checked already (no row after the first error is sent): by a child
    process while this one writes for a large file (`reader_memory` gets its memory use,
    `built` what it built of the structures), else in this process, lazily."""
    source, max_bytes = options.source, options.max_bytes
    if isinstance(message.data, Path) and can_pipeline(message.data):
        piped = piped_datasets(
            node.settings.database_url,
            message,
            report,
            source=source,
            kind=kind,
            max_bytes=max_bytes,
            memory=reader_memory,
            dataflow=options.dataflow,
            structure_map=options.structure_map,
            built=built,
        )
        return piped, True
    stored = StoredSeriesAttributes(
        node.store,
        node.data,
        resolver,
        options.dataflow,
        partial(_provider, node, options.provider),
    )
    datasets = read_data(message, resolver, source=source, kind=kind, max_bytes=max_bytes)
    if plan is not None:
        datasets = convert_datasets(datasets, plan, report)
    elif options.dataflow is not None:
        datasets = convert_for_dataflow(datasets, node.store, resolver, options.dataflow, report)
    return check_datasets(datasets, report, resolver.held_structures, stored=stored), False


def _planned(
    node: Node, resolver: StructureInfoBuilder, options: LoadOptions
) -> tuple[LoadOptions, ConversionPlan | None]:
    """The options of a load through a structure map (its target as the dataflow), and
    the plan; the options unchanged and None for a load without map."""
    if options.structure_map is None:
        return options, None
    plan = conversion_plan(node, resolver, options.structure_map, options.dataflow)
    return replace(options, dataflow=plan.target_ref), plan


def conversion_plan(
    node: Node,
    resolver: StructureInfoBuilder,
    structure_map: ArtefactRef,
    dataflow: ArtefactRef | None = None,
) -> ConversionPlan:
    """The plan of a conversion through `structure_map`; Invalid when the map targets
    another dataflow than `dataflow` (the one the data were sent to)."""
    plan = plan_conversion(node.store, resolver, structure_map)
    if dataflow is not None:
        sent_to = resolver.find_artefact(dataflow).ref
        if sent_to.identity != plan.target_ref.identity:
            raise Invalid(
                f"StructureMap {plan.structure_map.ref.identity} converts to "
                f"{plan.target_ref.identity}, not to {sent_to.identity}, where the data were sent",
                where="map",
            )
    return plan


def _delete_the_rest(node: Node, tx: DataTransaction, dataflow: StoredArtefact) -> None:
    """Delete the observations of `dataflow` this load did not write (a replacement)."""
    writer = tx.writers.get(dataflow.pk)
    if writer is None:  # the message held no data set: the dataflow ends up empty
        layout = node.data.find_layout(dataflow.pk)
        if layout is None:
            return  # no data before, none now
        writer = tx.writer(dataflow.pk, layout, "Replace")
    writer.delete_observations(
        select_observation_keys(
            dataflow.pk, not_written_by=writer.load_pk, provider=writer.provider
        )
    )


def _counted(rows: Iterator[tuple], progress: Callable[[int], None]) -> Iterator[tuple]:
    count = 0
    for row in rows:
        yield row
        count += 1
        if count == 10_000:
            progress(count)
            count = 0
    progress(count)


def _name(node: Node, dataflow_pk: int) -> str:
    found = [a for a in node.store.find_artefacts({"Dataflow"}) if a.pk == dataflow_pk]
    return found[0].ref.identity if found else ""
