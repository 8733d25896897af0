"""SDMX-CSV 1.0 and 2.0 data writers: read back by pysdmx, sdmx1 and pandas to the demo data."""

from __future__ import annotations

import csv
import io
from dataclasses import replace

import pandas as pd
import pysdmx.io
import pytest
import sdmx

from sdmxnode.errors import BadRequest, SemanticError
from sdmxnode.formats.periods import normalize_period
from sdmxnode.formats.rows import DataResult, Labels, StructureInfo
from sdmxnode.formats.sdmxcsv.writer import write_csv_10, write_csv_20
from sdmxnode.formats.writing import CHUNK_SIZE
from tests.formats.demo_result import (
    DEMO_REF,
    PROJECT_ROOT,
    demo_labels,
    demo_result,
    demo_rows,
    read_demo_series,
    reference_records,
    with_deletions,
)

SIZES = [pytest.param(3, id="3-series"), pytest.param(None, id="all")]


@pytest.fixture(scope="module")
def structure(migration_resolver) -> StructureInfo:
    return migration_resolver(DEMO_REF)


@pytest.fixture(scope="module")
def labels() -> Labels:
    return demo_labels()


@pytest.fixture(scope="module")
def dataflow() -> sdmx.model.v21.DataflowDefinition:
    message = sdmx.read_sdmx(PROJECT_ROOT / "dsd" / "IMDX-DSD_MIG_STOCK-1.0.0.xml")
    return message.dataflow["DF_MIG_STOCK_IMS"]


def _text(chunks) -> str:
    return b"".join(chunks).decode("utf-8")


def _frame(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)


def _records(frame: pd.DataFrame, columns: tuple[str, ...]) -> list[dict[str, str]]:
    """The frame's component columns as strings, '' for empty cells (pysdmx gives NaN)."""
    frame = frame.reindex(columns=list(columns)).astype(object)
    frame = frame.where(frame.notna() & (frame != "nan"), "")
    return [{c: str(v) for c, v in row.items()} for row in frame.to_dict("records")]


# -- read back ------------------------------------------------------------------------------


@pytest.mark.parametrize("series_limit", SIZES)
def test_csv_10_reads_back_to_the_demo_values(structure, series_limit):
    expected = reference_records(structure, series_limit)
    text = _text(write_csv_10(demo_result(structure, series_limit)))
    assert text.startswith("DATAFLOW,FREQ,") and text[8] == ","
    assert _records(_frame(text), structure.columns) == expected
    (dataset,) = pysdmx.io.read_sdmx(text).data
    assert dataset.short_urn == "Dataflow=IMDX:DF_MIG_STOCK_IMS(1.0.0)"
    assert _records(dataset.data, structure.columns) == expected


@pytest.mark.parametrize("series_limit", SIZES)
def test_csv_20_reads_back_to_the_demo_values(structure, dataflow, series_limit):
    expected = reference_records(structure, series_limit)
    text = _text(write_csv_20(demo_result(structure, series_limit)))
    header = text.split("\r\n", 1)[0].split(",")
    assert header[:3] == ["STRUCTURE", "STRUCTURE_ID", "ACTION"]
    assert tuple(header[3:]) == structure.columns
    frame = _frame(text)
    assert set(frame["STRUCTURE"]) == {"dataflow"}
    assert set(frame["STRUCTURE_ID"]) == {"IMDX:DF_MIG_STOCK_IMS(1.0.0)"}
    assert set(frame["ACTION"]) == {"I"}
    assert _records(frame, structure.columns) == expected
    (dataset,) = pysdmx.io.read_sdmx(text).data
    assert _records(dataset.data, structure.columns) == expected
    message = sdmx.read_sdmx(io.BytesIO(text.encode()), format="csv", structure=dataflow)
    observed = {
        (tuple(kv.value for kv in obs.dimension.values.values()), str(obs.value))
        for obs in message.data[0].obs
    }
    keys = [c.id for c in structure.dimensions] + ["TIME_PERIOD"]
    assert observed == {(tuple(r[k] for k in keys), r["OBS_VALUE"]) for r in expected}


def test_rows_are_lines_in_order_with_crlf(structure):
    text = _text(write_csv_10(demo_result(structure)))
    lines = text.split("\r\n")
    assert lines[-1] == ""
    assert len(lines) - 2 == len(demo_rows(structure))


def test_chunks_are_about_64_kib(structure):
    chunks = list(write_csv_20(demo_result(structure)))
    assert len(chunks) > 5
    assert all(CHUNK_SIZE <= len(chunk) < CHUNK_SIZE + 2048 for chunk in chunks[:-1])
    assert all(chunk.endswith(b"\r\n") for chunk in chunks)


# -- quoting --------------------------------------------------------------------------------


def test_fields_that_need_it_are_quoted_and_read_back(structure):
    rows = demo_rows(structure, 1)
    comment = structure.columns.index("COMMENT_OBS")
    texts = ["a, b", 'say "hi"', "two\nlines", "cr\rhere", ""]
    changed = [
        row[:comment] + (value or None,) + row[comment + 1 :]
        for row, value in zip(rows, texts, strict=False)
    ]
    result = replace(demo_result(structure, 1), rows=iter(changed))
    text = _text(write_csv_20(result))
    assert 'say ""hi""' in text
    read = list(csv.reader(io.StringIO(text, newline="")))
    index = read[0].index("COMMENT_OBS")
    assert [line[index] for line in read[1:]] == texts
    assert all(len(line) == len(read[0]) for line in read)
    assert list(_frame(text)["COMMENT_OBS"]) == texts


def test_unquoted_lines_have_no_quotes(structure):
    text = _text(write_csv_10(demo_result(structure, 3)))
    assert '"' not in text


# -- options --------------------------------------------------------------------------------


def test_labels_both_gives_id_and_name(structure, labels):
    result = demo_result(structure, None, labels=labels)
    text = _text(write_csv_10(result, labels="both"))
    frame = _frame(text)
    assert "SEX: Sex" in frame.columns and "OBS_VALUE" in frame.columns
    assert set(frame["DATAFLOW"]) == {
        "IMDX:DF_MIG_STOCK_IMS(1.0.0): International migrant stock (UN DESA style)"
    }
    expected = reference_records(structure)
    sexes = {f"{r['SEX']}: {labels.codes['SEX'][r['SEX']]}" for r in expected}
    assert set(frame["SEX: Sex"]) == sexes
    areas = list(frame["REF_AREA: Reference area"])
    assert areas == [
        f"{r['REF_AREA']}: {labels.codes['REF_AREA'][r['REF_AREA']]}" for r in expected
    ]
    assert any("," in area for area in areas)  # names with commas survive quoting
    assert list(frame["TIME_PERIOD: Time period"]) == [r["TIME_PERIOD"] for r in expected]
    # pysdmx drops the labels again, back to the ids
    (dataset,) = pysdmx.io.read_sdmx(text).data
    assert _records(dataset.data, structure.columns) == expected


def test_csv_20_labels_both_and_name(structure, labels, dataflow):
    expected = reference_records(structure, 3)
    both = _frame(_text(write_csv_20(demo_result(structure, 3, labels=labels), labels="both")))
    assert "OBS_VALUE: Observation value" in both.columns
    assert list(both["FREQ: Frequency"]) == ["A: Annual"] * len(expected)
    assert set(both["STRUCTURE_ID"]) == {
        "IMDX:DF_MIG_STOCK_IMS(1.0.0): International migrant stock (UN DESA style)"
    }
    text = _text(write_csv_20(demo_result(structure, 3, labels=labels), labels="name"))
    read = list(csv.reader(io.StringIO(text, newline="")))
    header = read[0]
    assert header[:4] == ["STRUCTURE", "STRUCTURE_ID", "STRUCTURE_NAME", "ACTION"]
    assert header[header.index("SEX") + 1] == "Sex"
    assert header[header.index("OBS_VALUE") + 1] == "Observation value"
    for line, record in zip(read[1:], expected, strict=True):
        assert line[2] == "International migrant stock (UN DESA style)"
        assert line[header.index("SEX") + 1] == labels.codes["SEX"][record["SEX"]]
        assert line[header.index("OBS_VALUE") + 1] == ""
        assert line[header.index("REVISION") + 1] == ""  # not coded: no name
    (dataset,) = pysdmx.io.read_sdmx(text).data  # pysdmx drops the name columns
    assert _records(dataset.data, structure.columns) == expected
    message = sdmx.read_sdmx(io.BytesIO(text.encode()), format="csv", structure=dataflow)
    assert sorted(str(o.value) for o in message.data[0].obs) == sorted(
        r["OBS_VALUE"] for r in expected
    )


def test_time_format_normalized(structure):
    expected = reference_records(structure, 3)
    for write in (write_csv_10, write_csv_20):
        frame = _frame(_text(write(demo_result(structure, 3), time_format="normalized")))
        assert list(frame["TIME_PERIOD"]) == [f"{r['TIME_PERIOD']}-01-01" for r in expected]


@pytest.mark.parametrize(
    ("period", "start"),
    [
        ("2014", "2014-01-01"),
        ("2014-07", "2014-07-01"),
        ("2014-07-15", "2014-07-15"),
        ("2014-07-15T10:30:00", "2014-07-15T10:30:00"),
        ("2014-A1", "2014-01-01"),
        ("2014-S2", "2014-07-01"),
        ("2014-T3", "2014-09-01"),
        ("2014-Q2", "2014-04-01"),
        ("2014-M11", "2014-11-01"),
        ("2019-W01", "2018-12-31"),  # ISO week 1 of 2019 starts on Monday 31 December 2018
        ("2020-W53", "2020-12-28"),
        ("2020-D060", "2020-02-29"),
        ("2014-03-01/P1M", "2014-03-01"),
        ("2014-03-01T00:00:00/P1D", "2014-03-01T00:00:00"),
        ("2014-Q5", "2014-Q5"),
        ("2019-W53", "2019-W53"),  # 2019 has 52 ISO weeks
        ("2019-D366", "2019-D366"),
        ("not a period", "not a period"),
    ],
)
def test_normalize_period(period, start):
    assert normalize_period(period) == start


def test_keys_series_and_obs(structure):
    text = _text(write_csv_20(demo_result(structure, 3), keys="both"))
    frame = _frame(text)
    assert list(frame.columns[:5]) == [
        "STRUCTURE",
        "STRUCTURE_ID",
        "ACTION",
        "SERIES_KEY",
        "OBS_KEY",
    ]
    dimensions = [c.id for c in structure.dimensions]
    for series, observations in read_demo_series(3):
        key = ".".join(series[d] for d in dimensions)
        rows = frame[frame["SERIES_KEY"] == key]
        assert list(rows["OBS_KEY"]) == [f"{key}.{o['TIME_PERIOD']}" for o in observations]
    only_obs = _frame(_text(write_csv_20(demo_result(structure, 3), keys="obs")))
    assert list(only_obs.columns[3:5]) == ["OBS_KEY", "FREQ"]


def test_series_only_has_one_row_per_series(structure):
    series = read_demo_series(None)
    for write in (write_csv_10, write_csv_20):
        frame = _frame(_text(write(demo_result(structure, None, series_only=True))))
        assert len(frame) == len(series)
        assert set(frame["TIME_PERIOD"]) == {""} and set(frame["OBS_VALUE"]) == {""}
        assert list(frame["REF_AREA"]) == [s["REF_AREA"] for s, _ in series]
        assert list(frame["UNIT_MEASURE"]) == [s["UNIT_MEASURE"] for s, _ in series]


def test_delete_action_and_dataset_attribute(structure):
    dataset_level = replace(structure.component("TITLE"), attachment="dataset")
    attributes = tuple(dataset_level if a.id == "TITLE" else a for a in structure.attributes)
    changed = replace(structure, attributes=attributes)
    result: DataResult = replace(
        demo_result(changed, 1), action="Delete", dataset_attributes={"TITLE": "All, of it"}
    )
    frame = _frame(_text(write_csv_20(result)))
    assert set(frame["ACTION"]) == {"D"}
    assert set(frame["TITLE"]) == {"All, of it"}


@pytest.mark.parametrize(
    ("write", "options"),
    [
        (write_csv_10, {"labels": "name"}),
        (write_csv_10, {"time_format": "iso"}),
        (write_csv_20, {"labels": "code"}),
        (write_csv_20, {"keys": "all"}),
    ],
)
def test_unsupported_options_are_bad_requests(structure, write, options):
    with pytest.raises(BadRequest):
        write(demo_result(structure, 1), **options)


def test_labels_name_with_keys(structure, labels):
    result = demo_result(structure, 2, labels=labels)
    read = list(csv.reader(io.StringIO(_text(write_csv_20(result, labels="name", keys="both")))))
    header = read[0]
    assert header[:6] == [
        "STRUCTURE", "STRUCTURE_ID", "STRUCTURE_NAME", "ACTION", "SERIES_KEY", "OBS_KEY"
    ]  # fmt: skip
    assert all(len(line) == len(header) for line in read)
    for line in read[1:]:
        assert line[5] == f"{line[4]}.{line[header.index('TIME_PERIOD')]}"
        assert line[header.index("FREQ") + 1] == "Annual"


# -- several data sets (updatedAfter) -------------------------------------------------------


def _keys(structure: StructureInfo, records) -> list[tuple]:
    names = [c.id for c in structure.dimensions] + ["TIME_PERIOD"]
    return [tuple(r[n] for n in names) for r in records]


def test_csv_20_appends_following_rows_with_their_action(structure, dataflow):
    result, gone = with_deletions(structure, 3, 2)
    text = _text(write_csv_20(result))
    assert text.count("STRUCTURE,STRUCTURE_ID,ACTION") == 1  # one header
    frame = _frame(text)
    changed = reference_records(structure, 3)
    assert list(frame["ACTION"]) == ["R"] * len(changed) + ["D"] * len(gone)
    records = _records(frame, structure.columns)
    assert records[: len(changed)] == changed
    deleted = records[len(changed) :]
    gone_records = [
        {c: v or "" for c, v in zip(structure.columns, row, strict=False)} for row in gone
    ]
    assert deleted == gone_records
    assert {r["OBS_VALUE"] for r in deleted} == {""}
    # sdmx1 makes one data set per ACTION value, with that action
    message = sdmx.read_sdmx(io.BytesIO(text.encode()), format="csv", structure=dataflow)
    by_action = {
        data_set.action.name: {
            tuple(kv.value for kv in o.dimension.values.values()) for o in data_set.obs
        }
        for data_set in message.data
    }
    assert by_action == {
        "replace": set(_keys(structure, changed)),
        "delete": set(_keys(structure, gone_records)),
    }
    # pysdmx reads the changes (it sets aside D rows when other actions are present)
    (dataset,) = pysdmx.io.read_sdmx(text).data
    assert dataset.action.value == "Replace"
    assert _records(dataset.data, structure.columns) == changed


def test_csv_20_following_rows_keep_the_options(structure, labels):
    result, gone = with_deletions(structure, 1, 1, labels=labels)
    read = list(csv.reader(io.StringIO(_text(write_csv_20(result, labels="name", keys="obs")))))
    header = read[0]
    assert all(len(line) == len(header) for line in read)
    deleted = [line for line in read[1:] if line[header.index("ACTION")] == "D"]
    assert len(deleted) == len(gone)
    for line in deleted:  # names from the first data set's labels, keys from its cells
        assert line[header.index("FREQ") + 1] == "Annual"
        assert line[header.index("OBS_KEY")].endswith("." + line[header.index("TIME_PERIOD")])


def test_csv_10_refuses_deletions(structure):
    result, _ = with_deletions(structure, 1, 1)
    with pytest.raises(SemanticError, match="SDMX-CSV 2.0"):
        write_csv_10(result)
    alone = replace(demo_result(structure, 1), action="Delete")
    with pytest.raises(SemanticError):
        write_csv_10(alone)


def test_csv_10_appends_following_rows_without_deletions(structure):
    result, _ = with_deletions(structure, 2, 1)
    result.following[0].action = "Replace"
    frame = _frame(_text(write_csv_10(result)))
    assert len(frame) == len(demo_rows(structure, 3))
