"""SDMX-JSON data reader: the small dataset, corpus samples, embedded structures, bad input."""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from pathlib import Path

import pytest

from sdmxnode.errors import Invalid, NotFound, TooLarge
from sdmxnode.formats.rows import DatasetRows, StructureInfo
from sdmxnode.formats.sdmxcsv.reader import read_sdmxcsv_data
from sdmxnode.formats.sdmxjson.data.reader import read_sdmxjson_data
from sdmxnode.formats.values import split_values
from sdmxnode.refs import ArtefactRef
from tests.formats.small_data import SMALL, WRITERS, read_demo_observations

JSON_FILES = ["small-json10-21.json", "small-json20-21.json"]
FLOW = ArtefactRef("Dataflow", "IMDX", "DF_MIG_STOCK_IMS", "1.0.0")


def not_found(ref: ArtefactRef) -> StructureInfo:
    raise NotFound(f"{ref} is not known")


def read_all(datasets: Iterable[DatasetRows]) -> list[tuple[DatasetRows, list[tuple]]]:
    return [(dataset, list(dataset.rows)) for dataset in datasets]


def observations(pairs: list[tuple[DatasetRows, list[tuple]]]) -> list[dict[str, str]]:
    """Rows as {component: value} without absent values, the ACTION column and location."""
    return [
        {c: v for c, v in zip(dataset.structure.columns, row, strict=False) if v is not None}
        for dataset, rows in pairs
        for row in rows
    ]


def read_json(data: bytes | dict, resolve=not_found, **kwargs) -> list[tuple[DatasetRows, list]]:
    if isinstance(data, dict):
        data = json.dumps(data).encode()
    return read_all(read_sdmxjson_data(io.BytesIO(data), resolve, **kwargs))


def key(observation: dict[str, str]) -> tuple:
    return tuple(sorted(observation.items()))


@pytest.mark.parametrize("name", JSON_FILES)
def test_small_json_gives_the_demo_observations(name: str, migration_resolver) -> None:
    pairs = read_json((SMALL / name).read_bytes(), migration_resolver, source=name)
    assert [d.structure_ref for d, _ in pairs] == [FLOW]
    dataset = pairs[0][0]
    assert dataset.structure.dsd == "IMDX:DSD_MIG_STOCK(1.0.0)"  # the node's, not embedded
    assert dataset.source == name and dataset.action == "Information"
    # SDMX-JSON keys order observations by value index, not as the demo lists them
    assert sorted(map(key, observations(pairs))) == sorted(map(key, read_demo_observations()))


def test_every_small_format_gives_the_same_rows(migration_resolver) -> None:
    readers = {"csv": read_sdmxcsv_data, "json": read_sdmxjson_data}
    contents = {}
    for name in WRITERS:
        with (SMALL / name).open("rb") as stream:
            reader = readers[name.rsplit(".", 1)[1]]
            pairs = read_all(reader(stream, migration_resolver))
        contents[name] = sorted(map(key, observations(pairs)))
    expected = sorted(map(key, read_demo_observations()))
    assert len(expected) == 21
    assert all(content == expected for content in contents.values()), contents.keys()


def test_embedded_structure_is_used_only_when_the_node_lacks_it() -> None:
    data = (SMALL / "small-json20-21.json").read_bytes()
    asked: list[ArtefactRef] = []

    def resolve(ref: ArtefactRef) -> StructureInfo:
        asked.append(ref)
        raise NotFound(str(ref))

    ((dataset, rows),) = read_json(data, resolve)
    assert asked == [FLOW]  # the dataflow is preferred to the DSD link
    structure = dataset.structure
    assert structure.dsd == "IMDX:DSD_MIG_STOCK(1.0.0)"
    assert structure.dataflow == "IMDX:DF_MIG_STOCK_IMS(1.0.0)"
    sex = structure.component("SEX")
    assert sex is not None and sex.codes == frozenset({"_T", "M", "F"})
    assert structure.time_dimension is not None and structure.time_dimension.id == "TIME_PERIOD"
    assert len(rows) == 21


@pytest.mark.corpus
@pytest.mark.parametrize(
    ("name", "count"),
    [("ECB-EXR-ts.json", 4), ("OECD-PART2-all-all.json", 7), ("NIS-agri-sdmxjson2.json", 12)],
)
def test_corpus_json_gives_the_manifest_count(corpus: Path, name: str, count: int) -> None:
    manifest = (corpus / "MANIFEST.tsv").read_text(encoding="utf-8")
    line = next(line for line in manifest.splitlines() if line.startswith(name + "\t"))
    assert f"{count} obs" in line
    pairs = read_json((corpus / name).read_bytes())
    assert sum(len(rows) for _, rows in pairs) == count


@pytest.mark.corpus
def test_corpus_ecb_series_layout(corpus: Path) -> None:
    ((dataset, rows),) = read_json((corpus / "ECB-EXR-ts.json").read_bytes())
    assert dataset.structure_ref == ArtefactRef("Dataflow", "ECB", "EXR", "1.0")
    values = [dict(zip(dataset.columns, row, strict=False)) for row in rows]
    assert {v["CURRENCY"] for v in values} == {"NZD", "RUB"}
    assert all(v["FREQ"] == "D" and v["OBS_STATUS"] == "A" for v in values)
    # numbers are kept as written, trailing zeros included
    assert "40.3000" in {v["OBS_VALUE"] for v in values}


@pytest.mark.corpus
def test_corpus_nis_group_attributes_and_defaults(corpus: Path) -> None:
    ((dataset, rows),) = read_json((corpus / "NIS-agri-sdmxjson2.json").read_bytes())
    assert dataset.structure_ref.id == "MILLED_RICE"
    assert dataset.dataset_attributes["CONTACT_EMAIL"] == "contact@organisation.org"
    values = [dict(zip(dataset.columns, row, strict=False)) for row in rows]
    by_key = {(v["REF_AREA"], v["TIME_PERIOD"]): v for v in values}
    assert split_values(by_key["ASIKHM", "2015"]["SOURCE"]) == [
        "MAFF_Agricultural Statistics_2015",
        "Other sources",
    ]
    comment = split_values(by_key["ASIKHM002", "2014"]["SERIES_COMMENT"])
    assert comment[0] == "en:Comment for Annual data for Battambang"
    assert comment[1].startswith("km:")
    assert {v["OBS_STATUS"] for v in values} == {"A"}  # the attribute's default
    assert by_key["ASIKHM001", "2017"]["EMBARGO_TIME"] == "2021-03-18T11:00:00"


def small_json10() -> dict:
    return json.loads((SMALL / "small-json10-21.json").read_text())


def first_series(message: dict) -> dict:
    return next(iter(message["data"]["dataSets"][0]["series"].values()))


def test_a_series_without_observations_gives_a_key_row(migration_resolver) -> None:
    message = small_json10()
    first_series(message)["observations"] = {}
    pairs = read_json(message, migration_resolver)
    rows = pairs[0][1]
    assert len(rows) == 21 - 7 + 1
    columns = pairs[0][0].columns
    key_row = next(
        dict(zip(columns, r, strict=False)) for r in rows if r[columns.index("TIME_PERIOD")] is None
    )
    assert key_row["OBS_VALUE"] is None and key_row["UNIT_MEASURE"] == "PS"


def test_unknown_component_is_invalid(migration_resolver) -> None:
    message = small_json10()
    message["data"]["structure"]["attributes"]["series"][0]["id"] = "NOT_IN_DSD"
    with pytest.raises(Invalid, match="NOT_IN_DSD"):
        read_json(message, migration_resolver)


def test_too_large_message_is_refused() -> None:
    with pytest.raises(TooLarge, match="100 bytes"):
        read_json((SMALL / "small-json10-21.json").read_bytes(), max_bytes=100)


@pytest.mark.parametrize(
    ("data", "message", "where"),
    [
        (b'{"data": {"dataSets": [}', "not valid JSON", "line 1, column 24"),
        (b"[1, 2]", "not a JSON object", "line 1"),
        (b'{"data": {"structure": {}}}', "no dataSets", "data.dataSets"),
        (b"\xff\xfe{}", "UTF-8", "byte 0"),
        (b'{"data": {"dataSets": [{}]}}', "no structure", "data.dataSets[0]"),
    ],
)
def test_malformed_json_is_invalid(data: bytes, message: str, where: str) -> None:
    with pytest.raises(Invalid, match=message) as caught:
        read_json(data)
    assert caught.value.where == where


def _break(message: dict, change: str) -> None:
    dataset = message["data"]["dataSets"][0]
    series = first_series(message)
    if change == "observations-array":
        series["observations"] = [[1, 0]]
    elif change == "value-index":
        series["observations"]["0"] = [1, 99]
    elif change == "negative-index":
        series["observations"]["0"] = [1, -1]
    elif change == "obs-key":
        series["observations"]["77"] = [1, 0]
    elif change == "series-key":
        dataset["series"]["0:0:0"] = series
    elif change == "observation-type":
        series["observations"]["0"] = "12"
    elif change == "action":
        dataset["action"] = "Upsert"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ("observations-array", "observations is not a JSON object"),
        ("value-index", "item 1 indexes value 99"),
        ("negative-index", "item 1 indexes value -1"),
        ("obs-key", "'77' at position 0 is not a value index"),
        ("series-key", "3 positions for 1 dimensions"),
        ("observation-type", "is str, not an array"),
        ("action", "action 'Upsert'"),
    ],
)
def test_wrong_types_and_indices_are_invalid_naming_the_position(
    change: str, expected: str, migration_resolver
) -> None:
    message = small_json10()
    _break(message, change)
    with pytest.raises(Invalid, match=expected) as caught:
        read_json(message, migration_resolver)
    assert caught.value.where is not None and caught.value.where.startswith("data.dataSets[0]")
