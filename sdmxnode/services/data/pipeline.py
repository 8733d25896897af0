"""Large loads on two cores: a child process reads and checks, the loading process writes.

Reading with lxml and checking every rule (about 3 µs an observation) and writing to the
database (about 3 µs) each hold Python's GIL, so within one process they add up. For a large
file the node forks a child that runs `read_data` and `check_datasets` and passes each data
set's head, its rows in batches and, last, its report back through a bounded queue; the
loading process resolves the target dataflow and writes, in its one transaction. Rows stop
being sent after the first error (the child goes on checking, so that the report is whole),
and the loading process rolls back when the merged report holds an error.
"""

from __future__ import annotations

import gc
import logging
import marshal
import multiprocessing
import queue as queue_module
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain, islice
from pathlib import Path
from typing import Any

from sdmxnode.errors import SdmxNodeError, StorageError
from sdmxnode.formats.input import OpenedMessage, read_data
from sdmxnode.formats.rows import DatasetRows, StructureInfo
from sdmxnode.refs import ArtefactRef
from sdmxnode.services.data.targets import StoredSeriesAttributes
from sdmxnode.services.mapping import convert_datasets, convert_for_dataflow, plan_conversion
from sdmxnode.services.structures.cache import ModelCache
from sdmxnode.services.structures.info import StructureInfoBuilder
from sdmxnode.storage.data import DataStore
from sdmxnode.storage.structures import Derivation, StructureStore
from sdmxnode.validation.report import Report
from sdmxnode.validation.rules import check_datasets

log = logging.getLogger(__name__)

#: Files from this size on are loaded by two processes (smaller ones are not worth a fork).
PIPELINE_MIN_BYTES = 8 * 1024 * 1024
BATCH_ROWS = 5000
QUEUE_BATCHES = 8
#: How long the loading process waits for the next message of a living, silent child. The
#: child is silent while it resolves the structures, and while it checks what follows a
#: first error (rows are no longer sent): minutes only for files far beyond the size limit.
CHILD_TIMEOUT_SECONDS: float = 600


@dataclass(frozen=True)
class _Head:
    structure_ref: ArtefactRef
    structure: StructureInfo
    action: str
    columns: tuple[str, ...]
    action_column: int | None
    dataset_attributes: dict[str, str]
    valid_from: str | None
    valid_to: str | None
    source: str
    sdmx_version: str
    conversion: str | None


def can_pipeline(data: bytes | Path) -> bool:
    """Whether this load goes through a child process: a large file, a platform that can
    fork, and no other thread in this process (a fork copies only the calling thread)."""
    return (
        isinstance(data, Path)
        and data.stat().st_size >= PIPELINE_MIN_BYTES
        and "fork" in multiprocessing.get_all_start_methods()
        and threading.active_count() == 1
    )


def piped_datasets(
    database_url: str,
    data: OpenedMessage,
    report: Report,
    *,
    source: str,
    kind: str | None,
    max_bytes: int,
    memory: dict[str, int] | None = None,
    dataflow: ArtefactRef | None = None,
    structure_map: ArtefactRef | None = None,
    built: list[Derivation] | None = None,
) -> Iterator[DatasetRows]:
    """The data sets of `data`, read and checked in a child process; the child's findings
    and counts are merged into `report` once the last data set has been consumed.

    `memory`, if given, receives the child's resident memory at its start and its peak
    (KiB, from /proc): what the reading process added beyond the pages it shares with
    this one at the fork is their difference. `built`, if given, receives the
    StructureInfos the child had to build (none was kept for their generation).
    """
    context = multiprocessing.get_context("fork")
    channel: Any = context.Queue(maxsize=QUEUE_BATCHES)
    child = context.Process(
        target=_child,
        args=(
            database_url,
            data,
            source,
            kind,
            max_bytes,
            report.max_findings,
            channel,
            dataflow,
            structure_map,
        ),
        name="sdmxnode-read",
        daemon=True,
    )
    child.start()
    try:
        while True:
            tag, payload = _receive(channel, child)
            if tag == "dataset":
                head: _Head = payload
                yield DatasetRows(
                    structure_ref=head.structure_ref,
                    structure=head.structure,
                    action=head.action,
                    columns=head.columns,
                    rows=_rows(channel, child),
                    dataset_attributes=head.dataset_attributes,
                    action_column=head.action_column,
                    valid_from=head.valid_from,
                    valid_to=head.valid_to,
                    source=head.source,
                    sdmx_version=head.sdmx_version,
                    conversion=head.conversion,
                )
            elif tag == "report":
                child_report, child_memory, child_built = payload
                _merge(report, child_report)
                if memory is not None:
                    memory.update(child_memory)
                if built is not None:
                    built.extend(child_built)
                return
            else:
                raise StorageError(f"reading {source} failed: {payload}")
    finally:
        if child.is_alive():
            child.terminate()
        child.join(timeout=10)


def _rows(channel: Any, child: Any) -> Iterator[tuple]:
    """The data set's rows, batch after batch (chained: no Python step per row)."""
    return chain.from_iterable(_batches(channel, child))


def _batches(channel: Any, child: Any) -> Iterator[list[tuple]]:
    while True:
        tag, payload = _receive(channel, child)
        if tag == "marshalled":
            yield marshal.loads(payload)
        elif tag == "rows":
            yield payload
        elif tag == "end":
            return
        else:
            raise StorageError(f"reading failed: {payload}")


def _receive(channel: Any, child: Any) -> tuple[str, Any]:
    """The child's next message. StorageError if the child has died, or if it is alive but
    has sent nothing for CHILD_TIMEOUT_SECONDS: a hung reader ends the load (rolled back,
    the child terminated) instead of holding the store's write lock without end."""
    deadline = time.monotonic() + CHILD_TIMEOUT_SECONDS
    while True:
        try:
            return channel.get(timeout=min(1.0, CHILD_TIMEOUT_SECONDS))
        except queue_module.Empty:
            if not child.is_alive():
                raise StorageError(
                    f"the reading process ended unexpectedly (exit code {child.exitcode})"
                ) from None
            if time.monotonic() >= deadline:
                raise StorageError(
                    f"the reading process sent nothing for {CHILD_TIMEOUT_SECONDS:g} s: "
                    "the load is given up"
                ) from None


def _merge(report: Report, child: Report) -> None:
    for finding in child.findings:
        if len(report.findings) < report.max_findings:
            report.findings.append(finding)
    report.errors += child.errors
    report.warnings += child.warnings
    report.datasets += child.datasets
    report.series += child.series
    report.observations += child.observations
    report.stopped = report.stopped or child.stopped
    report.suppressed += child.suppressed


def _child(
    database_url: str,
    data: OpenedMessage,
    source: str,
    kind: str | None,
    max_bytes: int,
    max_findings: int,
    channel: Any,
    dataflow: ArtefactRef | None,
    structure_map: ArtefactRef | None = None,
) -> None:
    """Runs in the forked process: read, check, send; never writes to the database."""
    gc.set_threshold(100_000, 50, 100)
    start_kib = _status_kib("VmRSS")
    store = StructureStore.open(database_url)
    try:
        resolver = StructureInfoBuilder(store, ModelCache())
        report = Report(max_findings=max_findings)
        datasets = read_data(data, resolver, source=source, kind=kind, max_bytes=max_bytes)
        if structure_map is not None:  # the plan was checked by the loading process already
            plan = plan_conversion(store, resolver, structure_map)
            datasets = convert_datasets(datasets, plan, report)
        elif dataflow is not None:
            datasets = convert_for_dataflow(datasets, store, resolver, dataflow, report)
        stored = StoredSeriesAttributes(store, DataStore.sharing(store), resolver, dataflow)
        for dataset in check_datasets(datasets, report, resolver.held_structures, stored=stored):
            channel.put(
                (
                    "dataset",
                    _Head(
                        dataset.structure_ref,
                        dataset.structure,
                        dataset.action,
                        dataset.columns,
                        dataset.action_column,
                        dataset.dataset_attributes,
                        dataset.valid_from,
                        dataset.valid_to,
                        dataset.source,
                        dataset.sdmx_version,
                        dataset.conversion,
                    ),
                )
            )
            # Batches taken by islice, not a Python step per row (the loop alone: 0.14
            # against 0.03 s for 1M rows). From the batch holding the first error on, the
            # rows are checked, not sent: nothing of that load will be stored.
            rows = dataset.rows
            while batch := list(islice(rows, BATCH_ROWS)):
                if not report.errors:
                    channel.put(_batch_message(batch))
            channel.put(("end", None))
        memory = {"start_kib": start_kib, "peak_kib": _status_kib("VmHWM")}
        channel.put(("report", (report, memory, resolver.built)))
    except SdmxNodeError as exc:
        channel.put(("error", exc.text))
    except Exception as exc:  # reported to the loading process, which rolls back
        log.exception("reading %s failed", source)
        channel.put(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        store.dispose()
        channel.close()
        channel.join_thread()


def _batch_message(batch: list[tuple]) -> tuple[str, Any]:
    """A batch of rows as the channel carries it: marshalled, which took half the time of
    the queue's pickling (1.0 ms against 1.9 for 5,000 rows of the stock dataflow, in the
    reading process, whose time is the load's), unless a row holds a value marshal cannot
    write (readers give text, numbers and None); then as it is."""
    try:
        return "marshalled", marshal.dumps(batch)
    except ValueError:
        return "rows", batch


def _status_kib(field: str) -> int:
    """A memory figure of this process from /proc/self/status, in KiB (0 if unknown)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0
