"""Loads through a structure map: stored rows, the three failure classes, the load record.

The map (fixtures/conversion/) converts a migrant-stock message written in numeric and
one-letter codes (sex 1/2/0/T/9, measure N/P/F, M49 areas with leading zeros) onto
IMDX:DF_MIG_STOCK_NAT. The expected rows are computed here from the CSV with the csv
module and the code tables below, not by the node's mapping code.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from sdmxnode.app import create_app
from sdmxnode.errors import LoadRejected
from sdmxnode.services.data.loading import LoadOptions, load_data
from sdmxnode.services.mapping import parse_map_ref
from sdmxnode.services.node import Node
from sdmxnode.services.structures.loading import load_structure_files
from sdmxnode.storage.tables import loads
from tests.conftest import PROJECT_ROOT, initialise_from_template
from tests.services.store_dumps import dump_observations, dump_tables

FOLDER = PROJECT_ROOT / "fixtures" / "conversion"
MAPS = FOLDER / "IMDX-SM_STOCK_CODED-1.0.0.xml"
CODED = FOLDER / "stock-coded.csv"
MAP = parse_map_ref("IMDX:SM_STOCK_CODED(1.0.0)")
TARGET = "IMDX:DF_MIG_STOCK_NAT(1.0.0)"

SEX = {"1": "M", "2": "F", "0": "_T", "T": "_T", "9": "_U"}
MEASURE = {"N": "STOCK", "P": "PCT_POP", "F": "PCT_FEM"}
KEY = ("FREQ", "REF_AREA", "MEASURE", "COUNTRY_BIRTH", "CITIZENSHIP", "SEX", "AGE")


@pytest.fixture
def node(database_url: str) -> Iterator[Node]:
    app = create_app({"DATABASE_URL": database_url, "DEMO_DATA": "", "TESTING": True})
    the_node: Node = app.extensions["sdmxnode"]
    initialise_from_template(the_node)
    load_structure_files(the_node.store, [MAPS])
    yield the_node
    the_node.store.engine.dispose()


def expected_rows(path: Path) -> list[tuple[str, str, str]]:
    """(series key, period, value) of each row once converted, read independently."""
    rows = []
    with path.open(newline="") as handle:
        for row in csv.DictReader(handle):
            converted = {
                **row,
                "REF_AREA": row["REF_AREA"].lstrip("0"),
                "SEX": SEX[row["SEX"]],
                "MEASURE": MEASURE[row["MEASURE"]],
            }
            key = ".".join([*(converted[d] for d in KEY), row["EDUCATION_LEV"]])
            rows.append((key, row["TIME_PERIOD"], row["OBS_VALUE"]))
    return sorted(rows)


def test_a_load_through_the_map_stores_the_converted_rows(node: Node) -> None:
    result = load_data(node, CODED, LoadOptions(source=CODED.name, structure_map=MAP))
    stored = dump_observations(node)[TARGET]
    assert sorted((key, period, value) for key, _, period, value, _ in stored) == (
        expected_rows(CODED)
    )
    assert result.observations_written == 21
    # fixed values and copied attributes reach their attachment levels
    for _, series_attributes, _, _, observation_attributes in stored:
        assert ("UNIT_MULT", "0") in series_attributes
        assert ("REVISION", "IMS2019") in series_attributes
        assert ("OBS_STATUS", "E") in observation_attributes
    assert "IMDX:DF_MIG_STOCK_IMS(1.0.0)" not in dump_observations(node)


def test_the_load_record_names_the_map_and_the_source(node: Node) -> None:
    load_data(node, CODED, LoadOptions(source=CODED.name, structure_map=MAP))
    with node.store.engine.connect() as conn:
        conversion = conn.execute(select(loads.c.conversion)).scalar_one()
    assert conversion == (
        "StructureMap=IMDX:SM_STOCK_CODED(1.0.0) from IMDX:DF_MIG_STOCK_IMS(1.0.0)"
    )


@pytest.mark.parametrize(
    ("name", "code", "line", "words"),
    [
        ("unmapped-code.csv", "UNMAPPED_VALUE", 5, ("SEX", "'5'", "IMDX:RM_SEX_NUMERIC(1.0.0)")),
        ("collision.csv", "MAP_COLLISION", 23, ("line 8", "'2019'", "A.1.STOCK.FB._T._T._T")),
        ("refused-by-target.csv", "NOT_ALLOWED", 9, ("PCT_FEM",)),
    ],
)
def test_each_failure_class_names_the_source_line_and_stores_nothing(
    node: Node, name: str, code: str, line: int, words: tuple[str, ...]
) -> None:
    path = FOLDER / "invalid" / name
    before = dump_tables(node.store.engine)
    with pytest.raises(LoadRejected) as caught:
        load_data(node, path, LoadOptions(source=name, structure_map=MAP))
    findings = [f for f in caught.value.report.findings if f.code == code]
    assert findings, caught.value.report.to_text()
    assert findings[0].line == line
    for word in words:
        assert word in findings[0].message
    assert dump_tables(node.store.engine) == before


def test_an_unmapped_value_is_reported_once_however_often_it_occurs(node: Node) -> None:
    path = FOLDER / "invalid" / "unmapped-code.csv"
    from sdmxnode.services.message_validation import validate_message
    from sdmxnode.services.structures.info import StructureInfoBuilder

    report = validate_message(
        StructureInfoBuilder(node.store, node.cache),
        path.read_bytes().replace(b",1,_T,_T,", b",5,_T,_T,"),  # every male row unmapped
        maintenance=lambda: node,
        structure_map=MAP,
    )
    unmapped = [f for f in report.findings if f.code == "UNMAPPED_VALUE"]
    assert len(unmapped) == 1 and report.suppressed >= 6


def test_a_map_to_another_dataflow_than_the_one_named_is_refused(node: Node) -> None:
    from sdmxnode.errors import Invalid
    from sdmxnode.refs import ArtefactRef

    other = ArtefactRef("Dataflow", "IMDX", "DF_MIG_STOCK_IMS", "1.0.0")
    with pytest.raises(Invalid, match="converts to IMDX:DF_MIG_STOCK_NAT"):
        load_data(node, CODED, LoadOptions(source=CODED.name, structure_map=MAP, dataflow=other))


def test_a_message_of_another_structure_is_not_applicable(node: Node) -> None:
    other = PROJECT_ROOT / "fixtures" / "data" / "small" / "small-csv20-21.csv"
    text = other.read_text().replace("DF_MIG_STOCK_IMS", "DF_MIG_STOCK_SKILL")
    with pytest.raises(LoadRejected) as caught:
        load_data(node, text.encode(), LoadOptions(source="skill.csv", structure_map=MAP))
    assert any(f.code == "MAP_NOT_APPLICABLE" for f in caught.value.report.findings)


@pytest.mark.parametrize("name", [None, "collision.csv"])
def test_a_large_file_is_converted_by_the_reading_child_alike(
    node: Node, monkeypatch: pytest.MonkeyPatch, name: str | None
) -> None:
    """Files past the pipeline threshold are read, converted and checked by a child
    process: the same rows stored, the same findings (the threshold is lowered here)."""
    from sdmxnode.services.data import pipeline as data_pipeline

    monkeypatch.setattr(data_pipeline, "PIPELINE_MIN_BYTES", 0)
    # Threads earlier tests of this worker process left (idle ones: the live tests' log
    # readers) would keep the load in this process; what is tested is what the child reads.
    monkeypatch.setattr(data_pipeline.threading, "active_count", lambda: 1)
    path = CODED if name is None else FOLDER / "invalid" / name
    assert data_pipeline.can_pipeline(path)
    if name is not None:
        with pytest.raises(LoadRejected) as caught:
            load_data(node, path, LoadOptions(source=path.name, structure_map=MAP))
        assert [f.code for f in caught.value.report.findings] == ["MAP_COLLISION"]
        return
    result = load_data(node, path, LoadOptions(source=path.name, structure_map=MAP))
    assert result.conversions == {TARGET: "StructureMap=IMDX:SM_STOCK_CODED(1.0.0) from "
                                  "IMDX:DF_MIG_STOCK_IMS(1.0.0)"}  # fmt: skip
    stored = dump_observations(node)[TARGET]
    assert sorted((k, p, v) for k, _, p, v, _ in stored) == expected_rows(CODED)


def test_the_converted_data_answer_valid_sdmx(node: Node, database_url: str) -> None:
    from sdmxnode.validation.schema import validate_ml21
    from sdmxnode.validation.structure_specific import validate_structure_specific

    load_data(node, CODED, LoadOptions(source=CODED.name, structure_map=MAP))
    client = create_app({"DATABASE_URL": database_url, "TESTING": True}).test_client()
    url = "/rest/data/IMDX,DF_MIG_STOCK_NAT,1.0.0/all"
    generic = client.get(
        url, headers={"Accept": "application/vnd.sdmx.genericdata+xml;version=2.1"}
    )
    assert generic.status_code == 200
    assert validate_ml21(generic.get_data()) == []
    flow = "dataflow/IMDX/DF_MIG_STOCK_NAT"
    for version, accept, schema_path in (
        ("2.1", "structurespecificdata+xml;version=2.1", f"/rest/schema/{flow}"),
        ("3.0", "data+xml;version=3.0.0", f"/rest/v2/schema/{flow}/~"),
    ):
        answer = client.get(url, headers={"Accept": f"application/vnd.sdmx.{accept}"})
        assert answer.status_code == 200, version
        body = answer.get_data()
        schema = client.get(
            schema_path, headers={"Accept": f"application/vnd.sdmx.schema+xml;version={version}"}
        ).get_data()
        folder = {"2.1": b"sdmx21", "3.0": b"sdmx30"}[version]
        schema = schema.replace(b"http://localhost/schemas/" + folder + b"/", b"")
        assert validate_structure_specific(body, schema, version=version) == [], version


@pytest.mark.parametrize("name", ["IMDX:SS_STOCK_CODED(1.0)", "IMDX:SS_STOCK_CODED.SM_STOCK(1.0)"])
def test_an_sdmx_21_structure_set_converts_alike(node: Node, name: str) -> None:
    """The same conversion written as an SDMX 2.1 structure set (a code list map for sex,
    value maps for measure and area; UNIT_MULT and REVISION come with the data, 2.1 having
    no fixed values) stores the same observations."""
    load_structure_files(node.store, [FOLDER / "IMDX-SS_STOCK_CODED-1.0.xml"])
    result = load_data(
        node, CODED, LoadOptions(source=CODED.name, structure_map=parse_map_ref(name))
    )
    assert result.conversions[TARGET].startswith("StructureSet=IMDX:SS_STOCK_CODED.SM_STOCK(1.0)")
    stored = dump_observations(node)[TARGET]
    assert sorted((k, p, v) for k, _, p, v, _ in stored) == expected_rows(CODED)
    with pytest.raises(LoadRejected) as caught:
        load_data(
            node,
            FOLDER / "invalid" / "unmapped-code.csv",
            LoadOptions(source="unmapped", structure_map=parse_map_ref(name)),
        )
    assert "IMDX:SS_STOCK_CODED.CLM_SEX(1.0)" in caught.value.report.findings[0].message


def test_a_map_the_node_does_not_hold_is_not_found(node: Node) -> None:
    from sdmxnode.errors import NotFound

    with pytest.raises(NotFound, match="no StructureMap"):
        load_data(node, CODED, LoadOptions(structure_map=parse_map_ref("IMDX:SM_NONE(1.0)")))
