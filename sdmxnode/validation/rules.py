"""Data against structure: every row checked as it streams by, findings into a Report.

The checks follow the SDMX 2.1 Information Model (Section 2): key values from the code lists
of their dimensions and within the content constraints ("10 Constraints"), attributes at
their attachment level with their assignment status, time periods in the SDMX time formats
of the series' frequency, observation values of the measure's representation, and one
observation per key and period in a message.

Speed: values are checked against precomputed sets, the dimensions once per series, and the
attribute values of a row as one tuple looked up in a set of tuples already found right;
time periods are checked once per distinct (frequency, period). Rows are read in batches: a
batch that breaks no rule is found so column by column at C speed (`validation.batches`),
and only a batch with something to report, or new to the caches, goes row by row.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from itertools import chain, islice

from sdmxnode.deadline import check_deadline
from sdmxnode.errors import SdmxNodeError, UnknownComponent
from sdmxnode.formats.rows import DatasetRows
from sdmxnode.validation.batches import BATCH_ROWS, fast_batch
from sdmxnode.validation.findings import Finding, finding_from_error
from sdmxnode.validation.plan import plan_rows
from sdmxnode.validation.report import Report
from sdmxnode.validation.row_checker import DELETE, RowChecker, StoredSeries
from sdmxnode.validation.structure_fit import (
    HeldStructures,
    other_structure,
    other_structure_finding,
)
from sdmxnode.validation.values import MISSING_VALUES


def check_datasets(
    datasets: Iterable[DatasetRows],
    report: Report,
    held: HeldStructures | None = None,
    *,
    stored: StoredSeries | None = None,
) -> Iterator[DatasetRows]:
    """Each data set of a message, its rows passing through `check_rows` (`stored`: what
    the store holds for the series a load updates, see `check_rows`).

    An SdmxNodeError raised by the reader while it reaches the next data set (NotFound for a
    structure the node does not hold) ends the message with a finding in `report`. With
    `held` (the structures the node holds), a data set whose components fit another held
    structure and not the one it names gets one OTHER_STRUCTURE finding instead of the
    findings that follow from the wrong reference.
    """
    iterator = iter(datasets)
    while True:
        try:
            dataset = next(iterator)
        except StopIteration:
            return
        except SdmxNodeError as exc:
            if exc.ends_request:
                raise
            report.add(_diagnosis(exc, held))
            return
        if dataset.structure_note:
            report.warning("EMBEDDED_STRUCTURE", dataset.structure_note)
        other = _header_misfit(dataset, held)
        if other is not None:
            report.datasets += 1
            report.add(other)
            report.suppressed += len(dataset.unknown_columns)
            yield dataclasses.replace(dataset, rows=iter(()))
            for _row in dataset.rows:  # the reader's rows, read past unchecked
                pass
            continue
        yield dataclasses.replace(dataset, rows=check_rows(dataset, report, held, stored=stored))
        if report.stopped:
            return


def _header_misfit(dataset: DatasetRows, held: HeldStructures | None) -> Finding | None:
    """OTHER_STRUCTURE for a data set whose header (SDMX-CSV) gives components that fit
    another held structure, not the one it names; None otherwise."""
    if held is None or not dataset.given:
        return None
    structure = dataset.structure
    dimensions = {c.id for c in structure.dimensions}
    if structure.time_dimension is not None:
        dimensions.add(structure.time_dimension.id)
    if not dataset.unknown_columns and dimensions <= set(dataset.given):
        return None  # fits the structure it names: nothing to look for
    fit = other_structure(dataset.given, structure.dsd, held())
    if fit is None:
        return None
    named = structure.dataflow or structure.dsd
    return other_structure_finding(named, structure.dsd, *fit, line=1)


def _diagnosis(exc: SdmxNodeError, held: HeldStructures | None) -> Finding:
    """The finding for the error that stopped a reader: OTHER_STRUCTURE when the component
    it did not know is one of several that fit another held structure."""
    finding = finding_from_error(exc)
    if held is None or not isinstance(exc, UnknownComponent) or not exc.structure:
        return finding
    named, dsd = exc.structure
    fit = other_structure(exc.given, dsd, held(), partial=True)
    if fit is None:
        return finding
    return other_structure_finding(named, dsd, *fit, line=finding.line)


def check_rows(
    dataset: DatasetRows,
    report: Report,
    structures: HeldStructures | None = None,
    *,
    stored: StoredSeries | None = None,
) -> Iterator[tuple]:
    """Every row of `dataset`, unchanged, checked against `dataset.structure` as they pass.

    Findings go to `report` as the rows pass; those that need the whole data set (mandatory
    attributes never given) are added when the rows are exhausted. With `stored`, a
    mandatory series attribute that an incremental update (Append, Merge, Information, an
    SDMX 2.1 Replace) leaves out is no error when the store holds it for that series; the
    store is asked once per data set, for the series concerned. An SdmxNodeError raised
    by the reader while rows stream (malformed or hostile input, unknown structure) ends the
    data set with an UNREADABLE or UNKNOWN_STRUCTURE finding instead of propagating: a caller
    decides on `report.is_valid` once the rows are exhausted.

    Rows are checked a batch at a time, ahead of the consumer by up to BATCH_ROWS: the
    batches pass on as they are (chained), with no Python step per row.
    """
    return chain.from_iterable(_checked_batches(dataset, report, structures, stored))


# C901 allowed: the loop over every row of a validation or load, kept in one function
# (a function call per row costs more than the branches it would hide).
def _checked_batches(  # noqa: C901
    dataset: DatasetRows,
    report: Report,
    structures: HeldStructures | None,
    stored: StoredSeries | None,
) -> Iterator[list[tuple]]:
    """`check_rows`' batches: each one yielded once all its rows are checked."""
    report.datasets += 1
    plan = plan_rows(dataset)
    checker = RowChecker(plan, dataset, report, stored)
    checker.start()
    key_of = plan.key_of
    time_index = plan.time_index
    measure_indices = plan.measure_indices
    measure_codes = plan.measure_codes
    measure_numbers = plan.measure_numbers
    series_values = plan.series_values
    series_good = checker.series_good
    held_values = plan.held_values
    last_held: tuple | None = None
    held: tuple = ()
    series_within_held = plan.series_within_held
    series_right = False  # the series values of the row that gave `last_held` are right
    observation_values = plan.observation_values
    observation_good = checker.observation_good
    observation_numbers = plan.observation_numbers
    freq_position = plan.freq_position
    action_index = plan.action_index
    deleting_all = dataset.action == DELETE
    unnoted = True  # mandatory data-set attributes: noted on the first row that writes
    period_caches = checker.period_caches
    pending = checker.pending
    unknown = bool(plan.unknown_columns)
    current_key: tuple | None = None
    periods: set = set()
    rows = 0
    observations = 0
    # The fast path takes observations without row actions, past the data set's first row.
    batched = action_index is None and not deleting_all and time_index is not None
    # When it gives batches back in a row (data with findings throughout), it is tried less
    # often: `skipped` batches go straight to the loop.
    misses = skipped = 0
    try:
        for batch in _batches(dataset.rows):
            if skipped:
                skipped -= 1
            elif batched and rows and not unknown and not pending:
                state = fast_batch(checker, batch, (current_key, periods, last_held, series_right))
                if state is not None:
                    misses = 0
                    current_key, periods, last_held, series_right = state
                    rows += len(batch)
                    observations += len(batch)
                    check_deadline()
                    yield batch
                    continue
                misses += 1
                skipped = _skipped_after(misses)
            for row in batch:
                rows += 1
                if not rows & 0xFFF:
                    check_deadline()
                key = key_of(row)
                fresh = False
                switched = key != current_key
                if switched:
                    current_key, periods, fresh = checker.switch_series(
                        key, row, current_key, periods
                    )
                if rows == 1:
                    checker.first_row(row)
                if unknown:
                    unknown = checker.unknown_columns(row)
                deleting = deleting_all
                if action_index is not None:
                    deleting = checker.row_action(row) or deleting_all
                if unnoted and not deleting:  # a Delete needs no data-set attribute either
                    unnoted = False
                    checker.dataset_attributes(row)
                if held_values is not None and not deleting:
                    held = held_values(row)
                    same = not switched and held == last_held  # same series, same values
                else:
                    same = False
                if series_values is not None and not deleting:
                    # A row repeating the series values of the last one, found right: nothing to
                    # look up (they are among the held values, compared above).
                    if pending or not (same and series_right):
                        values = series_values(row)
                        if pending or values not in series_good:
                            checker.series_attributes(values, key, row, fresh)
                        series_right = series_within_held and values in series_good
                if held_values is not None and not deleting and not same:
                    checker.held_attributes(held, current_key or (), row)
                    last_held = held
                if time_index is None:
                    period = ""  # no time dimension: one observation per key
                    if not any(row[i] is not None for i in measure_indices):
                        continue
                else:
                    period = row[time_index]
                    if period is None:  # a row of attributes only, unless it has values
                        if any(row[i] is not None for i in measure_indices):
                            checker.missing_period(key, row)
                        continue
                observations += 1
                if period:
                    freq = key[freq_position] if freq_position is not None else None
                    cache = period_caches.get(freq)
                    if cache is None:
                        cache = period_caches[freq] = {}
                    canonical = cache.get(period)
                    period = canonical or checker.period(period, freq, key, row, cache)
                if deleting:
                    continue
                if period in periods:
                    checker.duplicate(period, key, row)
                else:
                    periods.add(period)
                for index, is_number, rule in measure_numbers:
                    value = row[index]
                    if value is not None and not is_number(value) and value not in MISSING_VALUES:
                        checker.observation_value(rule, value, key, row)
                for index, codes, rule in measure_codes:
                    value = row[index]
                    if value is not None and value not in codes and value not in MISSING_VALUES:
                        checker.observation_value(rule, value, key, row)
                if observation_values is not None:
                    values = observation_values(row)
                    if values not in observation_good:
                        checker.observation_attributes(values, key, row)
                for index, is_number, rule in observation_numbers:
                    value = row[index]
                    if value is not None and not is_number(value) and value not in MISSING_VALUES:
                        checker.observation_value(rule, value, key, row)
            yield batch
    except SdmxNodeError as exc:
        if exc.ends_request:
            raise
        checker.unreadable(_diagnosis(exc, structures))
    finally:
        report.observations += observations
    checker.finish(current_key, periods)


def _skipped_after(misses: int) -> int:
    """How many batches go to the row loop without trying the fast path, after it gave
    `misses` batches back in a row: none after one (a batch may hold periods new to the
    caches), then 1, 3, 7, up to 31, so that the fast path costs data with findings
    throughout a few per cent of its checks at most."""
    return min(2 ** (misses - 1) - 1, 31)


def _batches(rows: Iterable[tuple]) -> Iterator[list[tuple]]:
    """`rows` in lists of BATCH_ROWS; when the reader fails, the rows it gave before are
    given first, then its error is raised."""
    iterator = iter(rows)
    while True:
        batch: list[tuple] = []
        try:
            batch.extend(islice(iterator, BATCH_ROWS))
        except SdmxNodeError:
            if batch:
                yield batch
            raise
        if not batch:
            return
        yield batch
