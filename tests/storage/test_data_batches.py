"""Stored records read in batches (`DataReader.stream_batches`) for columnar writers."""

from __future__ import annotations

import pytest

from sdmxnode.storage.data import DataStore
from sdmxnode.storage.data.reads import (
    DataSelection,
    select_observation_records,
    select_observations,
)
from sdmxnode.storage.structures import StructureStore
from tests.storage.test_data_store import ROWS, _load, dataflow_pk  # noqa: F401 - fixture


@pytest.mark.parametrize("selection", [DataSelection(), DataSelection(last_n=2)])
@pytest.mark.parametrize("size", [1, 2, 5, 6])
def test_batches_hold_the_streamed_records_in_order(
    store: StructureStore,
    dataflow_pk: int,  # noqa: F811
    selection: DataSelection,
    size: int,
) -> None:
    data = DataStore(store.engine)
    _load(data, dataflow_pk, ROWS)
    query = select_observations(dataflow_pk, selection)
    with data.reading() as reader:
        expected = [tuple(record) for record in reader.stream(query)]
    with data.reading() as reader:
        batches = [list(map(tuple, batch)) for batch in reader.stream_batches(query, size)]
    assert [record for batch in batches for record in batch] == expected
    assert expected and all(batches)  # no empty batch, not even after a full last one
    assert [len(batch) for batch in batches[:-1]] == [size] * (len(batches) - 1)
    assert len(batches[-1]) <= size


@pytest.mark.parametrize("selection", [DataSelection(), DataSelection(first_n=1)])
def test_records_are_the_observations_without_their_period_start(
    store: StructureStore,
    dataflow_pk: int,  # noqa: F811
    selection: DataSelection,
) -> None:
    data = DataStore(store.engine)
    _load(data, dataflow_pk, ROWS)
    with data.reading() as reader:
        expected = [
            tuple(r)[:5] for r in reader.stream(select_observations(dataflow_pk, selection))
        ]
        query = select_observation_records(dataflow_pk, selection)
        records = [tuple(r) for batch in reader.stream_batches(query, 2) for r in batch]
    assert records == expected and len(expected[0]) == 5
