"""SDMX-CSV data reader: the small dataset, the spec samples in the corpus, malformed input."""

from __future__ import annotations

import io
from collections.abc import Iterable
from pathlib import Path

import pytest

from sdmxnode.errors import Invalid, NotFound
from sdmxnode.formats.rows import Component, DatasetRows, StructureInfo
from sdmxnode.formats.sdmxcsv.reader import read_sdmxcsv_data
from sdmxnode.formats.values import split_values
from sdmxnode.refs import ArtefactRef
from tests.formats.small_data import SMALL, WRITERS, read_demo_observations

CSV_FILES = ["small-csv10-21.csv", "small-csv20-21.csv", "small-csv20-labels-both-21.csv"]
FLOW = ArtefactRef("Dataflow", "IMDX", "DF_MIG_STOCK_IMS", "1.0.0")


def observations(datasets: Iterable[DatasetRows]) -> list[dict[str, str]]:
    """Rows as {component: value} without absent values, the ACTION column and location
    (each data set's rows read before the next data set is asked for)."""
    result = []
    for dataset in datasets:
        components = dataset.structure.columns
        for row in dataset.rows:
            result.append({c: v for c, v in zip(components, row, strict=False) if v is not None})
    return result


def read_all(datasets: Iterable[DatasetRows]) -> list[tuple[DatasetRows, list[tuple]]]:
    """Each data set with its rows, read in stream order."""
    return [(dataset, list(dataset.rows)) for dataset in datasets]


def read(
    data: bytes | str, structure: StructureInfo | None = None
) -> list[tuple[DatasetRows, list[tuple]]]:
    if isinstance(data, str):
        data = data.encode("utf-8")
    resolver = (lambda ref: structure) if structure else _not_found
    return read_all(read_sdmxcsv_data(io.BytesIO(data), resolver))


def _not_found(ref: ArtefactRef) -> StructureInfo:
    raise NotFound(f"{ref} is not known")


def na_main(*, codes: bool = True) -> StructureInfo:
    """ESTAT:NA_MAIN as the SDMX-CSV spec samples use it (the DSD is not published)."""
    ab = frozenset("AB") if codes else None
    return StructureInfo(
        dsd="ESTAT:NA_MAIN(1.6.0)",
        dataflow="ESTAT:NA_MAIN(1.6.0)",
        dimensions=(Component("DIM_1", "dimension", ab), Component("DIM_2", "dimension", ab)),
        time_dimension=Component("DIM_3", "time"),
        measures=(Component("OBS_VALUE", "measure", text_type="Double"),),
        attributes=(
            Component("ATTR_1", "attribute", frozenset("ABCNY") if codes else None),
            Component("ATTR_2", "attribute", frozenset("YN") if codes else None),
            Component("ATTR_3", "attribute"),
        ),
    )


@pytest.mark.parametrize("name", CSV_FILES)
def test_small_csv_gives_the_demo_observations(name: str, migration_resolver) -> None:
    with (SMALL / name).open("rb") as stream:
        datasets: list[DatasetRows] = []

        def collected() -> Iterable[DatasetRows]:
            for dataset in read_sdmxcsv_data(stream, migration_resolver, source=name):
                datasets.append(dataset)
                yield dataset

        assert observations(collected()) == read_demo_observations()
    assert [d.structure_ref for d in datasets] == [FLOW]
    assert datasets[0].source == name


@pytest.mark.parametrize("name", sorted(WRITERS))
def test_small_fixtures_are_what_the_helper_writes(name: str) -> None:
    written = WRITERS[name](read_demo_observations()).encode("utf-8")
    assert (SMALL / name).read_bytes() == written


def test_sdmx_csv_20_keeps_the_action_per_row_and_numbers_rows(migration_resolver) -> None:
    with (SMALL / "small-csv20-labels-both-21.csv").open("rb") as stream:
        ((dataset, rows),) = read_all(read_sdmxcsv_data(stream, migration_resolver))
    assert dataset.columns[dataset.action_column] == "ACTION"
    assert dataset.action == "Information"
    assert {row[dataset.action_column] for row in rows} == {"I"}
    assert [row[-1] for row in rows] == list(range(2, 2 + len(rows)))


def test_sdmx_csv_10_has_no_action_column(migration_resolver) -> None:
    with (SMALL / "small-csv10-21.csv").open("rb") as stream:
        ((dataset, rows),) = read_all(read_sdmxcsv_data(stream, migration_resolver))
    assert dataset.action_column is None
    assert dataset.columns == dataset.structure.columns
    assert all(len(row) == len(dataset.columns) + 1 for row in rows)


def corpus_rows(corpus: Path, name: str, structure: StructureInfo) -> tuple[DatasetRows, list]:
    with (corpus / name).open("rb") as stream:
        ((dataset, rows),) = read_all(read_sdmxcsv_data(stream, lambda ref: structure))
    return dataset, rows


def as_dicts(dataset: DatasetRows, rows: list) -> list[dict]:
    return [dict(zip(dataset.columns, row, strict=False)) for row in rows]


@pytest.mark.corpus
def test_corpus_plain_sample_ignores_the_custom_column(corpus: Path) -> None:
    dataset, rows = corpus_rows(corpus, "SDMX-csv30-example-01.csv", na_main())
    assert dataset.structure_ref == ArtefactRef("Dataflow", "ESTAT", "NA_MAIN", "1.6.0")
    first = as_dicts(dataset, rows)[0]
    assert first["DIM_3"] == "2014-01" and first["OBS_VALUE"] == "12.4"
    assert first["ATTR_3"] == "Normal, special and other values"
    assert "UPDATED" not in dataset.columns
    assert "2021-01-22T13:15:41Z" not in rows[0]


@pytest.mark.corpus
def test_corpus_semicolon_labels_both_sample_reads_like_the_plain_one(corpus: Path) -> None:
    plain_dataset, plain = corpus_rows(corpus, "SDMX-csv30-example-01.csv", na_main())
    dataset, labelled = corpus_rows(corpus, "SDMX-csv30-example-04.csv", na_main())
    # ids without names, decimal comma read as a point, SERIES_KEY/OBS_KEY ignored
    assert as_dicts(dataset, labelled) == as_dicts(plain_dataset, plain)


@pytest.mark.corpus
def test_corpus_multi_valued_sample(corpus: Path) -> None:
    dataset, rows = corpus_rows(corpus, "SDMX-csv30-example-07.csv", na_main(codes=False))
    first, second = as_dicts(dataset, rows)
    assert split_values(first["ATTR_1"]) == ["Value X", "Value Y"]
    assert split_values(first["ATTR_2"]) == ["M, N & O", "P & Q"]
    assert split_values(first["ATTR_3"]) == ["A", "B", "C"]
    assert split_values(second["ATTR_3"]) == ["A", "C"]


@pytest.mark.corpus
def test_corpus_delete_sample_keeps_markers_and_actions(corpus: Path) -> None:
    dataset, rows = corpus_rows(corpus, "SDMX-csv30-example-16.csv", na_main())
    assert dataset.action == "Delete"
    first, second = as_dicts(dataset, rows)
    assert first["ACTION"] == second["ACTION"] == "D"
    assert first["OBS_VALUE"] == "-" and first["ATTR_3"] is None
    assert second["OBS_VALUE"] is None and second["ATTR_3"] == "-"


def test_labels_name_columns_are_ignored() -> None:
    text = (
        "STRUCTURE,STRUCTURE_ID,STRUCTURE_NAME,ACTION,DIM_1,Dimension 1,DIM_2,Dimension 2,"
        "DIM_3,Dimension 3,OBS_VALUE,Observation value,ATTR_1,Attribute 1\n"
        "dataflow,ESTAT:NA_MAIN(1.6.0),National Accounts,M,A,Value A,B,Value B,2014-01,"
        "2014-01,12.4,,Y,Yes\n"
    )
    ((dataset, rows),) = read(text, na_main())
    (row,) = as_dicts(dataset, rows)
    assert row["DIM_1"] == "A" and row["ATTR_1"] == "Y" and row["OBS_VALUE"] == "12.4"
    assert "Value A" not in row.values() and row["ACTION"] == "M"


def test_multilingual_cells_use_the_row_encoding() -> None:
    text = (
        "STRUCTURE[|],STRUCTURE_ID,DIM_1,DIM_2,DIM_3,OBS_VALUE,ATTR_3[en|fr]\n"
        "dataflow,ESTAT:NA_MAIN(1.6.0),A,B,2014-01,12.4,en:Any Value|fr:N'importe; quelle\n"
        'dataflow,ESTAT:NA_MAIN(1.6.0),A,B,2014-02,10.8,"""en:V1|fr:W1""|""en:V2"""\n'
    )
    ((dataset, rows),) = read(text, na_main())
    first, second = as_dicts(dataset, rows)
    assert split_values(first["ATTR_3"]) == ["en:Any Value", "fr:N'importe; quelle"]
    sets = [split_values(s) for s in split_values(second["ATTR_3"])]
    assert sets == [["en:V1", "fr:W1"], ["en:V2"]]
    assert dataset.action == "Information" and dataset.action_column is None


def test_bom_quoted_fields_and_intentionally_missing_values() -> None:
    text = (
        "\ufeffDATAFLOW,DIM_1,DIM_2,DIM_3,OBS_VALUE,ATTR_3\r\n"
        'ESTAT:NA_MAIN(1.6.0),A,B,2014-01,NaN,"two\r\nlines, and ""quotes"""\r\n'
        "ESTAT:NA_MAIN(1.6.0),A,B,2014-02,12,#N/A\r\n"
    )
    ((dataset, rows),) = read(text, na_main())
    first, second = as_dicts(dataset, rows)
    assert first["OBS_VALUE"] == "NaN" and first["ATTR_3"] == 'two\r\nlines, and "quotes"'
    assert second["ATTR_3"] == "#N/A" and second["DIM_3"] == "2014-02"
    assert dataset.structure_ref.kind == "dataflow"


def test_contiguous_structures_give_one_data_set_each() -> None:
    other = ArtefactRef("DataStructure", "ESTAT", "DSD_NA_MAIN", "1.7.0")
    seen: list[ArtefactRef] = []

    def resolve(ref: ArtefactRef) -> StructureInfo:
        seen.append(ref)
        return na_main()

    text = (
        "STRUCTURE,STRUCTURE_ID,ACTION,DIM_1,DIM_2,DIM_3,OBS_VALUE\n"
        "dataflow,ESTAT:NA_MAIN(1.6.0),D,A,,,\n"
        "dataflow,ESTAT:NA_MAIN(1.6.0),M,A,B,2014-01,1\n"
        "datastructure,ESTAT:DSD_NA_MAIN(1.7.0),R,A,B,2014-02,2\n"
    )
    datasets = read_sdmxcsv_data(io.BytesIO(text.encode()), resolve)
    first = next(datasets)  # its rows are never consumed: the reader skips them
    second = next(datasets)
    assert [row[-1] for row in second.rows] == [4]
    assert next(datasets, None) is None
    assert [first.structure_ref, second.structure_ref] == seen
    assert seen[1] == other
    assert [first.action, second.action] == ["Delete", "Replace"]


def test_interleaved_structures_are_refused_naming_the_row() -> None:
    text = (
        "STRUCTURE,STRUCTURE_ID,DIM_1,DIM_2,DIM_3,OBS_VALUE\n"
        "dataflow,ESTAT:NA_MAIN(1.6.0),A,B,2014-01,1\n"
        "dataflow,ESTAT:OTHER(1.0),A,B,2014-01,1\n"
        "dataflow,ESTAT:NA_MAIN(1.6.0),A,B,2014-02,1\n"
    )
    with pytest.raises(Invalid, match="resume") as caught:
        read(text, na_main())
    assert caught.value.where == "row 4"


def test_unknown_structure_raises_not_found() -> None:
    with pytest.raises(NotFound):
        read("DATAFLOW,DIM_1\nESTAT:NA_MAIN(1.6.0),A\n")


@pytest.mark.parametrize(
    ("text", "message", "where"),
    [
        ("", "empty", "row 1"),
        ("FLOW,DIM_1\nX,A\n", "DATAFLOW .* or STRUCTURE", "row 1"),
        ("DATAFLOW DIM_1\n", "not a field delimiter", "row 1"),
        ("STRUCTURE,DIM_1\n", "STRUCTURE_ID", "row 1"),
        ("DATAFLOW,DIM_1,DIM_1\n", "twice", "row 1"),
        ("DATAFLOW,DIM_1,DIM_2\nESTAT:NA_MAIN(1.6.0),A,B\nESTAT:NA_MAIN(1.6.0),A\n", "2", "row 3"),
        ('DATAFLOW,DIM_1\nESTAT:NA_MAIN(1.6.0),A\nESTAT:NA_MAIN(1.6.0),"A"x\n', "CSV", "row 3"),
        ('DATAFLOW,DIM_1\nESTAT:NA_MAIN(1.6.0),"A\n', "CSV", "row 2"),
        ("DATAFLOW,DIM_1\nNA_MAIN,A\n", "AGENCY:ID", "row 2"),
        ("STRUCTURE,STRUCTURE_ID,DIM_1\nflow,ESTAT:NA_MAIN(1.6.0),A\n", "structure type", "row 2"),
    ],
)
def test_malformed_csv_is_invalid_naming_the_row(text: str, message: str, where: str) -> None:
    with pytest.raises(Invalid, match=message) as caught:
        read(text, na_main())
    assert caught.value.where == where


def test_huge_field_is_invalid_naming_the_row() -> None:
    data = b"DATAFLOW,DIM_1,ATTR_3\nESTAT:NA_MAIN(1.6.0),A,a\nESTAT:NA_MAIN(1.6.0),A,"
    data += b'"' + b"x" * 200_000 + b'"\n'
    with pytest.raises(Invalid, match="field larger") as caught:
        read(data, na_main())
    assert caught.value.where == "row 3"


def test_invalid_utf8_is_invalid() -> None:
    data = b"DATAFLOW,DIM_1\nESTAT:NA_MAIN(1.6.0),\xff\xfe\n"
    with pytest.raises(Invalid, match="UTF-8"):
        read(data, na_main())


def test_an_unknown_action_code_is_read_on_for_the_rules() -> None:
    """ACTION 'X' is no SDMX action: the reader passes it on (the row rules report it as
    BAD_ACTION, tests/validation/test_mutations.py) instead of ending the message."""
    text = "STRUCTURE,STRUCTURE_ID,ACTION,DIM_1\ndataflow,ESTAT:NA_MAIN(1.6.0),X,A\n"
    ((dataset, rows),) = read(text, na_main())
    assert dataset.action == "Information"
    assert rows[0][dataset.action_column] == "X"
