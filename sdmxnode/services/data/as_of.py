"""Data queries with `asOf` (SDMX-REST 2.x `data.md`): the stored records as they stood then.

The store gives the observations current at that moment series by series
(`select_as_of`); the period range and first / last N observations are applied here, on
one series at a time, since the history keeps no period bounds.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from itertools import groupby
from operator import itemgetter

from sdmxnode.storage.data import DataStore
from sdmxnode.storage.data.as_of import select_as_of
from sdmxnode.storage.data.reads import DataSelection
from sdmxnode.validation.periods import period_bounds


def as_of_records(
    data: DataStore, dataflow_pk: int, selection: DataSelection, as_of: datetime
) -> Iterator[tuple]:
    """Records as `select_observations` gives them (series key, series attributes, period,
    value, observation attributes, period start) for the observations current at `as_of`
    (naive UTC) that `selection` matches, chronological within each series."""
    start, end = selection.start, selection.end
    first_n, last_n = selection.first_n, selection.last_n
    with data.reading() as reader:
        stored = reader.stream(select_as_of(dataflow_pk, selection, as_of))
        for _, records in groupby(stored, key=itemgetter(0)):
            dated = []
            for record in records:
                period_start, period_end = period_bounds(record[2])
                if (start and period_end < start) or (end and period_start > end):
                    continue
                dated.append((*record, period_start))
            dated.sort(key=itemgetter(5, 2))
            if first_n is not None or last_n is not None:
                count = len(dated)
                dated = [
                    record
                    for index, record in enumerate(dated)
                    if (first_n is not None and index < first_n)
                    or (last_n is not None and index >= count - last_n)
                ]
            yield from dated


def as_of_series(
    data: DataStore, dataflow_pk: int, selection: DataSelection, as_of: datetime
) -> Iterator[tuple]:
    """(series key, series attributes) of each series with an observation `as_of_records`
    gives, in series-key order (series-only answers)."""
    records = as_of_records(data, dataflow_pk, selection, as_of)
    for _, grouped in groupby(records, key=itemgetter(0)):
        first = next(grouped)
        yield first[0], first[1]
