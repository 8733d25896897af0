"""SDMX-CSV 2.1 (SDMX 3.1): the 2.0 layout and options, with 2.1's actions (`M` for Merge;
the deprecated `I` and `A` are not written), read back by pandas, pysdmx and the node."""

from __future__ import annotations

import io
from dataclasses import replace

import pysdmx.io
import pytest

from sdmxnode.formats.rows import StructureInfo
from sdmxnode.formats.sdmxcsv.reader import read_sdmxcsv_data
from sdmxnode.formats.sdmxcsv.writer import write_csv_20, write_csv_21
from tests.formats.demo_result import DEMO_REF, demo_labels, demo_result, reference_records
from tests.formats.test_data_csv_write import _frame, _records, _text


@pytest.fixture(scope="module")
def structure(migration_resolver) -> StructureInfo:
    return migration_resolver(DEMO_REF)


@pytest.mark.parametrize(
    ("action", "letter_20", "letter_21"),
    [
        ("Information", "I", "M"),
        ("Append", "A", "M"),
        ("Merge", "M", "M"),
        ("Replace", "R", "R"),
        ("Delete", "D", "D"),
    ],
)
def test_actions_per_version(structure, action, letter_20, letter_21):
    """2.1 deprecates Information and Append, which load as Merge: it writes them M."""
    result = replace(demo_result(structure, 2), action=action)
    assert set(_frame(_text(write_csv_20(result)))["ACTION"]) == {letter_20}
    result = replace(demo_result(structure, 2), action=action)
    assert set(_frame(_text(write_csv_21(result)))["ACTION"]) == {letter_21}


@pytest.mark.parametrize(
    "options",
    [
        pytest.param({}, id="default"),
        pytest.param({"labels": "both", "keys": "both"}, id="both-keys"),
        pytest.param({"labels": "name", "time_format": "normalized"}, id="name-normalized"),
    ],
)
def test_the_20_layout_with_its_options(structure, options):
    """Everything but the action letters is 2.0's, the media-type parameters included."""
    labels = demo_labels()
    as_20 = _text(write_csv_20(demo_result(structure, 3, labels=labels), **options))
    as_21 = _text(write_csv_21(demo_result(structure, 3, labels=labels), **options))
    frame_20, frame_21 = _frame(as_20), _frame(as_21)
    assert list(frame_21.columns) == list(frame_20.columns)
    assert set(frame_21["ACTION"]) == {"M"}
    assert frame_21.drop(columns="ACTION").equals(frame_20.drop(columns="ACTION"))


def test_read_back_by_pysdmx_and_the_node(structure, migration_resolver):
    expected = reference_records(structure, 3)
    text = _text(write_csv_21(demo_result(structure, 3)))
    assert _records(_frame(text), structure.columns) == expected
    (dataset,) = pysdmx.io.read_sdmx(text).data  # pysdmx reads STRUCTURE headers as 2.1
    assert dataset.action.value == "Append"  # pysdmx's name for a Merge
    assert _records(dataset.data, structure.columns) == expected
    datasets = read_sdmxcsv_data(io.BytesIO(text.encode()), migration_resolver)
    read = next(datasets)  # rows stream: read them before asking for the next data set
    assert read.action == "Merge"
    rows = list(read.rows)
    assert next(datasets, None) is None
    assert read.action_column is not None
    assert {row[read.action_column] for row in rows} == {"M"}  # kept per row
    rows = [{c: v for c, v in zip(structure.columns, row, strict=False) if v} for row in rows]
    assert rows == [{c: v for c, v in r.items() if v} for r in expected]
