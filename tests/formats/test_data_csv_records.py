"""SDMX-CSV lines made straight from stored records (`StoredRows`) are the lines the rows
those records make would give: same bytes in SDMX-CSV 1.0, 2.0 and 2.1, quoting included.

The rows here come from `expand`, a plain reading of `RecordLayout`'s definition written
for this test, so the records path is checked against an independent row path.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace

import pytest

from sdmxnode.formats.rows import (
    Component,
    DataResult,
    RecordLayout,
    StoredRows,
    StructureInfo,
)
from sdmxnode.formats.sdmxcsv.writer import write_csv_10, write_csv_20, write_csv_21
from sdmxnode.formats.writing import CHUNK_SIZE
from sdmxnode.refs import ArtefactRef

SEP = "\x1f"
REF = ArtefactRef("Dataflow", "TEST", "DF_RECORDS", "1.0.0")
WRITERS = [
    pytest.param(write_csv_10, id="csv-1.0"),
    pytest.param(write_csv_20, id="csv-2.0"),
    pytest.param(write_csv_21, id="csv-2.1"),
]


def structure(measures: Sequence[str]) -> StructureInfo:
    return StructureInfo(
        dsd="TEST:DSD_RECORDS(1.0.0)",
        dataflow="TEST:DF_RECORDS(1.0.0)",
        dimensions=(Component("FREQ", "dimension"), Component("AREA", "dimension")),
        time_dimension=Component("TIME_PERIOD", "time"),
        measures=tuple(Component(m, "measure") for m in measures),
        attributes=(
            Component("OBS_STATUS", "attribute"),
            Component("UNIT", "attribute", attachment="series"),
            Component("NOTE", "attribute"),
            Component("UNUSED", "attribute"),
            Component("TITLE", "attribute", attachment="series"),
        ),
    )


def layout(measures: Sequence[str]) -> RecordLayout:
    """Columns FREQ, AREA, TIME_PERIOD, the measures, OBS_STATUS (observation), UNIT
    (series), NOTE (observation), UNUSED (never stored), TITLE (series)."""
    values = (("value", 0),) if len(measures) == 1 else tuple(("measure", i) for i in range(2))
    return RecordLayout(
        cells=(
            ("key", 0),
            ("key", 1),
            ("time", 0),
            *values,
            ("observation", 0),
            ("series", 0),
            ("observation", 1),
            ("none", 0),
            ("series", 1),
        ),
        dimensions=2,
        series_width=2,
        observation_width=2,
        separator=SEP,
    )


def expand(shape: RecordLayout) -> Iterator[tuple]:
    """The rows of `records` by the definition of RecordLayout, one record at a time."""

    def rows(records: Iterable[tuple]) -> Iterator[tuple]:
        for key, series_attributes, period, value, observation_attributes, *_ in records:
            keys = key.split(".")
            series = series_attributes.split(SEP) if series_attributes else [""] * 2
            observation = observation_attributes.split(SEP) if observation_attributes else [""] * 2
            measures = value.split(SEP) if value else []
            row = []
            for kind, index in shape.cells:
                if kind == "key":
                    cell = keys[index]
                elif kind == "time":
                    cell = period
                elif kind == "value":
                    cell = value
                elif kind == "measure":
                    cell = measures[index] if index < len(measures) else None
                elif kind == "series":
                    cell = series[index]
                elif kind == "observation":
                    cell = observation[index]
                else:
                    cell = None
                row.append(cell or None)
            yield (*row, 0)

    return rows  # type: ignore[return-value]


def records(count: int, *, awkward: bool, measures: int = 1) -> list[tuple]:
    """`count` records over series of 7 periods; with `awkward`, values needing quotes
    (commas, quotes, line breaks) in every stored string column but the key."""
    made = []
    for n in range(count):
        area = f"A{n // 7:04d}"
        odd = awkward and n % 5 == 0
        unit = 'P,S "persons"' if odd else "PS"
        title = "line one\nline two" if awkward and n % 7 == 3 else f"Title {n // 7}"
        value = None if n % 11 == 0 else str(n * 13)
        if measures > 1 and value is not None:
            value = f"{value}{SEP}" if n % 3 == 0 else f"{value}{SEP}{n}"
        note = 'says "hi", twice' if odd else ""
        status = "" if n % 4 == 0 else "E"
        observation = "" if not status and not note else f"{status}{SEP}{note}"
        made.append(
            (f"A.{area}", f"{unit}{SEP}{title}", str(1990 + n % 7), value, observation, "x")
        )
    return made


def batched(items: list[tuple], sizes: Sequence[int]) -> Iterator[list[tuple]]:
    start, turn = 0, 0
    while start < len(items):
        size = sizes[turn % len(sizes)]
        yield items[start : start + size]
        start, turn = start + size, turn + 1


def both_ways(writer, stored: list[tuple], measures: Sequence[str], sizes=(2000,)) -> tuple:
    shape = layout(measures)
    info = structure(measures)
    columns = info.columns
    from_records = StoredRows(batched(stored, sizes), shape, expand(shape))
    from_rows = iter(list(expand(shape)(stored)))
    written = [
        b"".join(writer(DataResult(REF, info, columns, rows))) for rows in (from_records, from_rows)
    ]
    return written[0], written[1]


@pytest.mark.parametrize("writer", WRITERS)
@pytest.mark.parametrize("awkward", [False, True], ids=["plain", "quoted"])
def test_lines_from_records_are_the_lines_from_rows(writer, awkward) -> None:
    stored = records(400, awkward=awkward)
    ours, reference = both_ways(writer, stored, ["OBS_VALUE"], sizes=(1, 3, 200, 7))
    assert ours == reference
    assert (b'"P,S ""persons"""' in ours) is awkward


@pytest.mark.parametrize("writer", WRITERS)
def test_several_measures_and_many_chunks(writer) -> None:
    stored = records(6000, awkward=True, measures=2)
    ours, reference = both_ways(writer, stored, ["OBS_VALUE", "OBS_CONF"])
    assert len(ours) > 3 * CHUNK_SIZE
    assert ours == reference


def test_records_are_written_without_making_their_rows() -> None:
    """Only a line that needs quotes is made again from its row."""
    shape = layout(["OBS_VALUE"])
    made: list[tuple] = []
    rows_of = expand(shape)

    def counted(records: Iterable[tuple]) -> Iterator[tuple]:
        for row in rows_of(records):
            made.append(row)
            yield row

    stored = records(50, awkward=False) + records(1, awkward=True)
    rows = StoredRows(iter([stored]), shape, counted)
    info = structure(["OBS_VALUE"])
    text = b"".join(write_csv_20(DataResult(REF, info, info.columns, rows))).decode()
    assert len(text.splitlines()) == 1 + 51
    assert len(made) == 1  # the last record's line has quotes


@pytest.mark.parametrize("writer", WRITERS)
def test_series_only_records_are_written_from_their_rows(writer) -> None:
    """Series-only records (key, series attributes) have no observation cells."""
    shape = replace(layout(["OBS_VALUE"]), series_only=True)
    info = structure(["OBS_VALUE"])
    stored = [("A.FRA", f"PS{SEP}France"), ("A.KEN", f"PS{SEP}Kenya")]
    rows = [("A", "FRA", None, None, None, "PS", None, None, "France", 0)]
    rows.append(("A", "KEN", None, None, None, "PS", None, None, "Kenya", 0))

    def expand_series(records: Iterable[tuple]) -> Iterator[tuple]:
        by_key = {row[0] + "." + row[1]: row for row in rows}
        return (by_key[key] for key, _ in records)

    from_records = StoredRows(iter([stored]), shape, expand_series)
    written = [
        b"".join(writer(DataResult(REF, info, info.columns, r, series_only=True)))
        for r in (from_records, iter(rows))
    ]
    assert written[0] == written[1] and b"Kenya" in written[0]
