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
from sdmxnode.services.setup import initialise_node
from sdmxnode.services.structures.loading import load_structure_files
from sdmxnode.storage.tables import loads
from tests.conftest import PROJECT_ROOT
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
    initialise_node(the_node)
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
