"""The streaming SDMX-ML data writers: schema-valid output, read back equal by sdmx1 and pysdmx."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest
import sdmx
from lxml import etree
from pysdmx.io import get_datasets
from pysdmx.model.dataset import ActionType

from sdmxnode.errors import SemanticError
from sdmxnode.formats.header import MessageHeader
from sdmxnode.formats.rows import Component, DataResult, StructureInfo
from sdmxnode.formats.sdmxml.data.writers.generic21 import write_generic_21
from sdmxnode.formats.sdmxml.data.writers.specific21 import write_structure_specific_21
from sdmxnode.formats.sdmxml.data.writers.specific30 import write_structure_specific_30
from sdmxnode.formats.sdmxml.data.writers.stream import CHUNK_BYTES, plan_message_layout
from sdmxnode.formats.sdmxml.schema.document import write_dsd_schema
from sdmxnode.refs import ArtefactRef
from sdmxnode.validation.schema import validate_ml21
from sdmxnode.validation.structure_specific import validate_structure_specific
from tests.formats.demo_result import with_deletions
from tests.formats.demo_rows import observations, read_demo_rows, sort_rows
from tests.formats.readback import read_with_pysdmx, read_with_sdmx1, same_values

PROJECT = Path(__file__).resolve().parents[2]
DSD_FILE = PROJECT / "dsd" / "IMDX-DSD_MIG_STOCK-1.0.0.xml"
FLOW = ArtefactRef("Dataflow", "IMDX", "DF_MIG_STOCK_IMS", "1.0.0")
HEADER = MessageHeader("TEST-DATA", "IMDX")

Writer = Callable[[DataResult], Iterator[bytes]]


@pytest.fixture(scope="module")
def info(migration_resolver) -> StructureInfo:
    return migration_resolver(FLOW)


@pytest.fixture(scope="module")
def all_rows(info: StructureInfo) -> list[tuple]:
    return read_demo_rows(info)


@pytest.fixture(scope="module")
def dsd_sdmx1():
    return sdmx.read_sdmx(DSD_FILE).structure["DSD_MIG_STOCK"]


def _result(
    info: StructureInfo, rows: list[tuple], at_obs: str = "TIME_PERIOD", **kw
) -> DataResult:
    ordered = sort_rows(info, rows, at_obs)
    return DataResult(
        FLOW, info, info.columns, iter(ordered), dimension_at_observation=at_obs, **kw
    )


def _write(writer: str, result: DataResult) -> bytes:
    functions = {
        "generic21": lambda r: write_generic_21(r, HEADER),
        "generic21ts": lambda r: write_generic_21(r, HEADER, time_series=True),
        "ss21": lambda r: write_structure_specific_21(r, HEADER),
        "ss21ts": lambda r: write_structure_specific_21(r, HEADER, time_series=True),
        "ss30": lambda r: write_structure_specific_30(r, HEADER),
        "ss31": lambda r: write_structure_specific_30(r, HEADER, version="3.1"),
    }
    return b"".join(functions[writer](result))


def _schema_errors(writer: str, xml: bytes, info: StructureInfo, at_obs: str) -> list[str]:
    if writer.startswith("generic"):
        return validate_ml21(xml)
    version = {"ss30": "3.0", "ss31": "3.1"}.get(writer, "2.1")
    xsd = write_dsd_schema(info, version=version, dimension_at_observation=at_obs)
    return validate_structure_specific(xml, xsd, version=version)


WRITERS = ["generic21", "generic21ts", "ss21", "ss21ts", "ss30", "ss31"]
#: sdmx1 2.28 reads no SDMX-ML 3.1 (it knows the v2_1 and v3_0 namespaces only).
SDMX1_READS = {"generic21", "generic21ts", "ss21", "ss21ts", "ss30"}


@pytest.mark.parametrize("writer", WRITERS)
@pytest.mark.parametrize("series", [3, None], ids=["3-series", "all"])
def test_demo_data_is_valid_and_read_back_equal(
    writer: str, series: int | None, info: StructureInfo, all_rows, dsd_sdmx1
) -> None:
    rows = read_demo_rows(info, max_series=series) if series else all_rows
    xml = _write(writer, _result(info, rows))
    assert _schema_errors(writer, xml, info, "TIME_PERIOD") == []
    expected = observations(info, rows)
    if writer in SDMX1_READS:
        assert same_values(expected, read_with_sdmx1(xml, dsd_sdmx1, info)) == []
    assert same_values(expected, read_with_pysdmx(xml, str(DSD_FILE), info)) == []


@pytest.mark.parametrize("writer", ["generic21", "ss21", "ss30", "ss31"])
@pytest.mark.parametrize("at_obs", ["SEX", "AllDimensions"])
def test_cross_sectional_and_flat_are_valid_and_read_back_equal(
    writer: str, at_obs: str, info: StructureInfo, dsd_sdmx1
) -> None:
    rows = read_demo_rows(info, max_series=40)
    xml = _write(writer, _result(info, rows, at_obs))
    assert _schema_errors(writer, xml, info, at_obs) == []
    root = etree.fromstring(xml)
    structure = root.find(".//{*}Header/{*}Structure")
    assert structure is not None and structure.get("dimensionAtObservation") == at_obs
    expected = observations(info, rows)
    assert same_values(expected, read_with_pysdmx(xml, str(DSD_FILE), info)) == []
    if writer in SDMX1_READS and not (writer == "generic21" and at_obs == "AllDimensions"):
        # sdmx1 2.28 does not read generic ObsKey (flat) observations.
        assert same_values(expected, read_with_sdmx1(xml, dsd_sdmx1, info)) == []


@pytest.mark.parametrize("writer", ["generic21ts", "ss21ts"])
def test_time_series_variants_refuse_another_observation_dimension(
    writer: str, info: StructureInfo
) -> None:
    with pytest.raises(SemanticError):
        _write(writer, _result(info, read_demo_rows(info, max_series=2), "SEX"))


def test_plan_message_layout_names_the_time_series_root(info: StructureInfo) -> None:
    rows = read_demo_rows(info, max_series=2)
    assert plan_message_layout(_result(info, rows, "SEX"), "GenericData").series_key
    with pytest.raises(SemanticError, match="^StructureSpecificTimeSeriesData only allows"):
        plan_message_layout(_result(info, rows, "SEX"), "StructureSpecificTimeSeriesData")


@pytest.mark.parametrize("writer", ["generic21", "ss21", "ss30"])
def test_series_only_writes_series_without_observations(
    writer: str, info: StructureInfo, dsd_sdmx1
) -> None:
    rows = read_demo_rows(info, max_series=5)
    time = info.columns.index("TIME_PERIOD")
    keys = {row[:time] for row in rows}
    one_per_series = {row[:time]: row for row in rows}.values()
    bare = [
        tuple(
            None if c in ("TIME_PERIOD", "OBS_VALUE", "OBS_STATUS") else v
            for c, v in zip(info.columns, row, strict=False)
        )
        + (0,)
        for row in one_per_series
    ]
    xml = _write(writer, _result(info, bare, series_only=True))
    assert _schema_errors(writer, xml, info, "TIME_PERIOD") == []
    root = etree.fromstring(xml)
    assert len(root.findall(".//{*}Series")) == len(keys)
    assert root.findall(".//{*}Obs") == []
    message = sdmx.read_sdmx(io.BytesIO(xml), structure=dsd_sdmx1)
    read_keys = {tuple(kv.value for kv in s.values.values()) for s in message.data[0].series}
    assert read_keys == {tuple(k[:8]) for k in keys}
    units = {s.attrib["UNIT_MEASURE"].value for s in message.data[0].series}
    assert units == {row[info.columns.index("UNIT_MEASURE")] for row in rows}


@pytest.mark.parametrize("writer", ["generic21", "ss21", "ss30", "ss31"])
def test_deletions_carry_the_delete_action(writer: str, info: StructureInfo) -> None:
    xml = _write(writer, _result(info, read_demo_rows(info, max_series=2), action="Delete"))
    assert _schema_errors(writer, xml, info, "TIME_PERIOD") == []
    data_set = etree.fromstring(xml).find("{*}DataSet")
    assert data_set is not None
    assert "Delete" in {v for k, v in data_set.attrib.items() if k.endswith("action")}
    # sdmx1 2.28 does not read data set actions; pysdmx does.
    (data_set_read,) = get_datasets(io.BytesIO(xml), str(DSD_FILE))
    assert data_set_read.action == ActionType.Delete


def _key(info: StructureInfo, row: tuple) -> tuple:
    return tuple(row[info.columns.index(d)] for d in _key_ids(info))


def _key_ids(info: StructureInfo) -> list[str]:
    return [d.id for d in info.dimensions] + ["TIME_PERIOD"]


@pytest.mark.parametrize("writer", WRITERS)
def test_following_deletions_are_a_second_data_set(
    writer: str, info: StructureInfo, dsd_sdmx1
) -> None:
    """An updatedAfter answer: changes (Replace) then deletions (Delete), one header."""
    result, gone = with_deletions(info, 3, 2)
    changed = read_demo_rows(info, max_series=3)
    xml = _write(writer, result)
    assert _schema_errors(writer, xml, info, "TIME_PERIOD") == []
    root = etree.fromstring(xml)
    assert len(root.findall("{*}Header")) == 1
    data_sets = root.findall("{*}DataSet")
    actions = [[v for k, v in d.attrib.items() if k.endswith("action")] for d in data_sets]
    assert actions == [["Replace"], ["Delete"]]
    # pysdmx reads the actions; the deleted keys are those of the Delete data set
    replaced, deleted = get_datasets(io.BytesIO(xml), str(DSD_FILE))
    assert (replaced.action, deleted.action) == (ActionType.Replace, ActionType.Delete)
    deleted_keys = {
        tuple(str(record[name]) for name in _key_ids(info))
        for record in deleted.data.to_dict("records")
    }
    assert deleted_keys == {_key(info, row) for row in gone}
    measures = deleted.data.get("OBS_VALUE", [])  # pysdmx: no column, or empty cells
    assert [v for v in measures if not pd.isna(v) and v != ""] == []
    replaced_values = {
        tuple(str(record[name]) for name in _key_ids(info)): str(record["OBS_VALUE"])
        for record in replaced.data.to_dict("records")
    }
    value = info.columns.index("OBS_VALUE")
    assert replaced_values == {_key(info, row): row[value] for row in changed}
    if writer not in SDMX1_READS:
        return
    # sdmx1 2.28 ignores `action` but reads both data sets, the deleted keys in the second
    message = sdmx.read_sdmx(io.BytesIO(xml), structure=dsd_sdmx1)
    assert len(message.data) == 2
    read_deleted = {
        tuple(kv.value for kv in obs.key.values.values()) for obs in message.data[1].obs
    }
    assert read_deleted == {_key(info, row) for row in gone}
    read_changed = {
        tuple(kv.value for kv in obs.key.values.values()): str(obs.value)
        for obs in message.data[0].obs
    }
    assert read_changed == {_key(info, row): row[value] for row in changed}


def test_writers_stream_in_bounded_chunks(info: StructureInfo, all_rows) -> None:
    consumed = 0

    def counted() -> Iterator[tuple]:
        nonlocal consumed
        for row in sort_rows(info, all_rows, "TIME_PERIOD"):
            consumed += 1
            yield row

    result = DataResult(FLOW, info, info.columns, counted())
    chunks = write_structure_specific_21(result, HEADER)
    first = next(chunks)
    assert consumed < len(all_rows)  # the first chunk left most rows unread
    sizes = [len(first)] + [len(chunk) for chunk in chunks]
    assert consumed == len(all_rows)
    assert len(sizes) > 3
    assert max(sizes) < 4 * CHUNK_BYTES


# -- hand-built structures, corpus-like (ECB EXR with a sibling group) --------------------

DIMENSIONS = ("FREQ", "CURRENCY", "CURRENCY_DENOM", "EXR_TYPE", "EXR_VAR")
EXR = StructureInfo(
    dsd="ECB:ECB_EXR_SG(1.0)",
    dataflow=None,
    dimensions=tuple(
        Component(d, "dimension", frozenset(codes), f"ECB:CL_{d}(1.0)")
        for d, codes in zip(
            DIMENSIONS,
            (("M", "A"), ("USD", "JPY", "GBP"), ("EUR",), ("SP00",), ("E",)),
            strict=True,
        )
    ),
    time_dimension=Component("TIME_PERIOD", "time", text_type="ObservationalTimePeriod"),
    measures=(Component("OBS_VALUE", "measure", text_type="Double"),),
    attributes=(
        Component("TITLE", "attribute", text_type="String", attachment="group"),
        Component(
            "COLL_METHOD",
            "attribute",
            text_type="String",
            attachment="series",
            related_dimensions=("EXR_TYPE", "EXR_VAR"),
        ),
        Component(
            "DECIMALS",
            "attribute",
            text_type="Integer",
            attachment="series",
            related_dimensions=("CURRENCY", "CURRENCY_DENOM"),
        ),
        Component("OBS_STATUS", "attribute", frozenset({"A", "E"}), "SDMX:CL_OBS_STATUS(1.0)"),
        Component("PUBLICATION", "attribute", text_type="String", attachment="dataset"),
    ),
)
EXR_REF = ArtefactRef("DataStructure", "ECB", "ECB_EXR_SG", "1.0")


def _exr_rows() -> list[tuple]:
    rows = []
    for currency, decimals in (("USD", "4"), ("JPY", "2"), ("GBP", "5")):
        title = f'ECB rate "{currency}"/Euro & <co>\nline two'
        for month, value in (("2010-08", "1.2894"), ("2010-09", "1.3067")):
            rows.append(
                ("M", currency, "EUR", "SP00", "E", month, value, title, "Average", decimals)
                + ("A", "ECB Bulletin", 0)
            )
    return rows


@pytest.mark.parametrize("at_obs", ["TIME_PERIOD", "CURRENCY", "AllDimensions"])
@pytest.mark.parametrize("version", ["2.1", "3.0"])
def test_attributes_go_to_their_levels(at_obs: str, version: str) -> None:
    rows = sort_rows(EXR, _exr_rows(), at_obs)
    result = DataResult(EXR_REF, EXR, EXR.columns, iter(rows), dimension_at_observation=at_obs)
    writer = write_structure_specific_30 if version == "3.0" else write_structure_specific_21
    xml = b"".join(writer(result, HEADER))
    xsd = write_dsd_schema(EXR, version=version, dimension_at_observation=at_obs)
    assert validate_structure_specific(xml, xsd, version=version) == []
    root = etree.fromstring(xml)
    data_set = root.find("{*}DataSet")
    assert data_set is not None and data_set.get("PUBLICATION") == "ECB Bulletin"
    series = data_set.findall("Series")
    observations_ = data_set.findall(".//Obs")
    if at_obs == "TIME_PERIOD":
        # group and series attributes at series level, escaped values read back intact
        assert {s.get("TITLE") for s in series} == {r[7] for r in rows}
        assert {s.get("DECIMALS") for s in series} == {"4", "2", "5"}
    elif at_obs == "CURRENCY":
        # DECIMALS relates to CURRENCY, so it moves to the observations, as does the group one
        assert all(s.get("DECIMALS") is None and s.get("COLL_METHOD") for s in series)
        assert {o.get("DECIMALS") for o in observations_} == {"4", "2", "5"}
        assert {o.get("TITLE") for o in observations_} == {r[7] for r in rows}
    else:
        assert series == []
        assert len(observations_) == len(rows)
        assert all(o.get("TIME_PERIOD") and o.get("CURRENCY") for o in observations_)


def test_generic_escapes_and_places_attributes() -> None:
    rows = sort_rows(EXR, _exr_rows(), "TIME_PERIOD")
    result = DataResult(EXR_REF, EXR, EXR.columns, iter(rows))
    xml = b"".join(write_generic_21(result, HEADER))
    assert validate_ml21(xml) == []
    root = etree.fromstring(xml)
    data_set_values = root.findall("{*}DataSet/{*}Attributes/{*}Value")
    assert [(v.get("id"), v.get("value")) for v in data_set_values] == [
        ("PUBLICATION", "ECB Bulletin")
    ]
    titles = {
        v.get("value")
        for v in root.findall("{*}DataSet/{*}Series/{*}Attributes/{*}Value")
        if v.get("id") == "TITLE"
    }
    assert titles == {r[7] for r in rows}


def test_dataonly_columns_leave_attributes_out(info: StructureInfo) -> None:
    rows = read_demo_rows(info, max_series=3)
    kept = tuple(c for c in info.columns if c not in {a.id for a in info.attributes})
    indices = [info.columns.index(c) for c in kept]
    slim = [tuple(row[i] for i in indices) + (0,) for row in rows]
    result = DataResult(FLOW, info, kept, iter(slim))
    xml = b"".join(write_structure_specific_21(result, HEADER))
    xsd = write_dsd_schema(info)
    assert validate_structure_specific(xml, xsd) == []
    assert b"OBS_STATUS" not in xml and b"UNIT_MEASURE" not in xml


def test_an_empty_result_is_a_valid_message(info: StructureInfo) -> None:
    result = DataResult(FLOW, info, info.columns, iter([]))
    xml = b"".join(write_structure_specific_21(dataclasses.replace(result), HEADER))
    assert validate_structure_specific(xml, write_dsd_schema(info)) == []
    generic = b"".join(write_generic_21(DataResult(FLOW, info, info.columns, iter([])), HEADER))
    assert validate_ml21(generic) == []


def test_cells_that_are_not_text_are_written_as_sdmx_values() -> None:
    rows = [
        ("M", "USD", "EUR", "SP00", "E", "2010-08", 1.25, None, None, 4, "A", None, 0),
        ("M", "USD", "EUR", "SP00", "E", "2010-09", 2.0, None, None, 4, None, None, 0),
    ]
    result = DataResult(EXR_REF, EXR, EXR.columns, iter(rows))
    xml = b"".join(write_structure_specific_21(result, HEADER))
    assert validate_structure_specific(xml, write_dsd_schema(EXR)) == []
    root = etree.fromstring(xml)
    assert [o.get("OBS_VALUE") for o in root.iter("Obs")] == ["1.25", "2"]
    assert [o.get("OBS_STATUS") for o in root.iter("Obs")] == ["A", None]
    assert [s.get("DECIMALS") for s in root.iter("Series")] == ["4"]


@pytest.mark.parametrize("version", ["2.1", "3.0"])
def test_merge_is_written_as_append(version: str) -> None:
    """common:ActionType of both SDMX-ML schemas lacks Merge (SDMX-CSV 2.0 / REST 2.x)."""
    rows = sort_rows(EXR, _exr_rows(), "TIME_PERIOD")
    result = DataResult(EXR_REF, EXR, EXR.columns, iter(rows), action="Merge")
    writer = write_structure_specific_30 if version == "3.0" else write_structure_specific_21
    xml = b"".join(writer(result, HEADER))
    assert (
        validate_structure_specific(xml, write_dsd_schema(EXR, version=version), version=version)
        == []
    )
    data_set = etree.fromstring(xml).find("{*}DataSet")
    assert data_set is not None
    assert [v for k, v in data_set.attrib.items() if k.endswith("}action")] == ["Append"]


@pytest.mark.parametrize("action", ["Merge", "Append", "Replace", "Delete", "Information"])
def test_sdmx_ml_31_writes_merge_and_keeps_the_deprecated_actions(action: str) -> None:
    """SDMX-ML 3.1's common:ActionType has Merge; Append and Information stay in it
    (deprecated, "Merge is assumed") and are written as they are."""
    rows = sort_rows(EXR, _exr_rows(), "TIME_PERIOD")
    result = DataResult(EXR_REF, EXR, EXR.columns, iter(rows), action=action)
    xml = b"".join(write_structure_specific_30(result, HEADER, version="3.1"))
    assert etree.fromstring(xml).tag.startswith(
        "{http://www.sdmx.org/resources/sdmxml/schemas/v3_1/message}"
    )
    xsd = write_dsd_schema(EXR, version="3.1")
    assert validate_structure_specific(xml, xsd, version="3.1") == []
    data_set = etree.fromstring(xml).find("{*}DataSet")
    assert data_set is not None
    assert [v for k, v in data_set.attrib.items() if k.endswith("}action")] == [action]


@pytest.mark.parametrize("writer", ["generic21", "ss21", "ss30", "ss31"])
def test_each_data_set_has_its_own_action_and_attributes(writer: str) -> None:
    rows = sort_rows(EXR, _exr_rows(), "TIME_PERIOD")
    gone = [row[:6] + (None,) * 6 + (0,) for row in rows[:2]]
    restated = [row[:-2] + ("Revised", 0) for row in rows[2:4]]
    result = DataResult(EXR_REF, EXR, EXR.columns, iter(rows[4:]), action="Replace")
    result.following = [
        DataResult(EXR_REF, EXR, EXR.columns, iter(gone), action="Delete"),
        DataResult(
            EXR_REF, EXR, EXR.columns, iter(restated), dataset_attributes={"PUBLICATION": "X"}
        ),
    ]
    xml = _write(writer, result)
    assert _schema_errors(writer, xml, EXR, "TIME_PERIOD") == []
    data_sets = etree.fromstring(xml).findall("{*}DataSet")
    actions = [[v for k, v in d.attrib.items() if k.endswith("action")] for d in data_sets]
    assert actions == [["Replace"], ["Delete"], ["Information"]]

    def publication(data_set: etree._Element) -> str | None:
        if writer == "generic21":
            found = data_set.find("{*}Attributes/{*}Value[@id='PUBLICATION']")
            return None if found is None else found.get("value")
        return data_set.get("PUBLICATION")

    # the data set value given wins over the rows' cells; a deletion carries none
    assert [publication(d) for d in data_sets] == ["ECB Bulletin", None, "X"]
    assert [len(d.findall(".//{*}Obs")) for d in data_sets] == [2, 2, 2]
    deleted_obs = data_sets[1].findall(".//{*}Obs")
    assert all(o.get("OBS_VALUE") is None and o.find("{*}ObsValue") is None for o in deleted_obs)


@pytest.mark.parametrize("writer", ["generic21", "ss21", "ss30", "ss31"])
def test_following_data_sets_must_fit_the_header(writer: str) -> None:
    rows = sort_rows(EXR, _exr_rows(), "TIME_PERIOD")
    result = DataResult(EXR_REF, EXR, EXR.columns, iter(rows))
    result.following = [
        DataResult(EXR_REF, EXR, EXR.columns, iter(rows), dimension_at_observation="AllDimensions")
    ]
    with pytest.raises(SemanticError, match="dimension at observation"):
        _write(writer, result)
