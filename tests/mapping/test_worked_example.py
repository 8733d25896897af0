"""The worked example for institutions (fixtures/mapping/, README "Structure maps"): a national
immigration table in its own structure loads through its structure map onto IMDX:DF_MIG_FLOWS.

The expected rows are computed here from the national CSV with the csv module and the code
tables below, written by hand from the national code lists: not by the node's mapping code.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from sdmxnode.app import create_app
from sdmxnode.cli import main
from sdmxnode.validation.schema import validate_ml21
from sdmxnode.validation.structure_specific import validate_structure_specific
from tests.conftest import PROJECT_ROOT

FOLDER = PROJECT_ROOT / "fixtures" / "mapping"
STRUCTURES = FOLDER / "NSO_EXAMPLE-DSD_IMMIGRATION-1.0.xml"
MAPS = FOLDER / "NSO_EXAMPLE-SM_IMMIGRATION-1.0.xml"
DATA = FOLDER / "NSO_EXAMPLE-DF_IMMIGRATION-2019-2021.csv"
MAP = "NSO_EXAMPLE:SM_IMMIGRATION_TO_MIG_FLOWS(1.0)"
FLOWS = "/rest/data/IMDX,DF_MIG_FLOWS,1.0.0/all"

CITIZENSHIP = {"KE": "KEN", "UG": "UGA", "SO": "SOM", "ET": "ETH", "IN": "IND", "GB": "GBR",
               "99": "_U", "00": "_T"}  # fmt: skip
SEX = {"1": "M", "2": "F", "0": "_T"}
AGE = {"15-19": "Y15T19", "20-24": "Y20T24", "25-29": "Y25T29", "30-34": "Y30T34",
       "85PLUS": "Y_GE85", "TOTAL": "_T"}  # fmt: skip


def expected_rows() -> list[tuple[str, str, str, str]]:
    """(series key of DF_MIG_FLOWS, period, value, OBS_STATUS) of every national row."""
    found = []
    with DATA.open(newline="") as handle:
        for row in csv.DictReader(handle):
            key = ".".join(
                ["A", "KEN", "IMM", "M_GE12", "_T", CITIZENSHIP[row["CITIZENSHIP"]], "_T", "_T",
                 SEX[row["SEX"]], AGE[row["AGE_GROUP"]]]
            )  # fmt: skip
            found.append((key, row["TIME_PERIOD"], row["OBS_VALUE"], row["OBS_STATUS"]))
    return sorted(found)


@pytest.fixture
def loaded(database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):  # type: ignore[no-untyped-def]
    """A node holding the project's structures, the national ones, the maps and the data
    loaded through the map, as the README's how-to does it."""
    monkeypatch.setenv("SDMXNODE_DATABASE_URL", database_url)
    monkeypatch.setenv("SDMXNODE_DEMO_DATA", str(tmp_path / "none"))
    runner = CliRunner()
    assert runner.invoke(main, ["init"]).exit_code == 0
    for path in (STRUCTURES, MAPS):
        result = runner.invoke(main, ["load", str(path)])
        assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["load", "--map", MAP, str(DATA)])
    assert result.exit_code == 0, result.output
    assert "IMDX:DF_MIG_FLOWS(1.0.0): 144 series, 432 observations written" in result.output
    return create_app({"DATABASE_URL": database_url, "TESTING": True}).test_client()


def test_the_stored_observations_are_the_expected_target_rows(loaded) -> None:  # type: ignore[no-untyped-def]
    answer = loaded.get(FLOWS, headers={"Accept": "application/vnd.sdmx.data+csv;version=1.0.0"})
    assert answer.status_code == 200
    rows = list(csv.DictReader(io.StringIO(answer.get_data(as_text=True))))
    dimensions = ["FREQ", "REF_AREA", "FLOW_TYPE", "DURATION", "REASON", "CITIZENSHIP",
                  "COUNTRY_BIRTH", "PREV_NEXT_RES", "SEX", "AGE"]  # fmt: skip
    stored = sorted(
        (".".join(r[d] for d in dimensions), r["TIME_PERIOD"], r["OBS_VALUE"], r["OBS_STATUS"])
        for r in rows
    )
    assert stored == expected_rows()
    for row in rows:  # the map's fixed values reach every series
        assert (row["UNIT_MEASURE"], row["UNIT_MULT"], row["MIG_DEF_CRITERION"]) == (
            "PS",
            "0",
            "P12M",
        )
        assert row["COMMENT_TS"].startswith("Illustrative figures")


def test_the_converted_answers_are_schema_valid(loaded) -> None:  # type: ignore[no-untyped-def]
    generic = loaded.get(
        FLOWS, headers={"Accept": "application/vnd.sdmx.genericdata+xml;version=2.1"}
    )
    assert generic.status_code == 200 and validate_ml21(generic.get_data()) == []
    for version, accept, schema_path in (
        ("2.1", "structurespecificdata+xml;version=2.1", "/rest/schema/dataflow/IMDX/DF_MIG_FLOWS"),
        ("3.0", "data+xml;version=3.0.0", "/rest/v2/schema/dataflow/IMDX/DF_MIG_FLOWS/~"),
    ):  # fmt: skip
        answer = loaded.get(FLOWS, headers={"Accept": f"application/vnd.sdmx.{accept}"})
        assert answer.status_code == 200
        body = answer.get_data()
        schema = loaded.get(
            schema_path, headers={"Accept": f"application/vnd.sdmx.schema+xml;version={version}"}
        ).get_data()
        folder = b"sdmx21" if version == "2.1" else b"sdmx30"
        schema = schema.replace(b"http://localhost/schemas/" + folder + b"/", b"")
        assert validate_structure_specific(body, schema, version=version) == [], version


def test_every_national_code_has_a_rule() -> None:
    """Each code of the national code lists maps through the representation map its
    component map uses (exactly, or through the age groups' regular expression)."""
    from lxml import etree

    from sdmxnode.formats.sdmxml.maps import read_representation_map
    from sdmxnode.services.mapping.values import ValueMapper

    mappers = {
        m.ref.id: ValueMapper(m)
        for m in (
            read_representation_map(e) for e in etree.parse(str(MAPS)).iter("{*}RepresentationMap")
        )
    }
    lists = {"CL_CITIZENSHIP": "RM_CITIZENSHIP", "CL_SEX": "RM_SEX", "CL_AGE_GROUP": "RM_AGE_GROUP"}
    for codelist in etree.parse(str(STRUCTURES)).iter("{*}Codelist"):
        mapper = mappers[lists[codelist.get("id")]]
        for code in codelist.iter("{*}Code"):
            assert mapper.map((code.get("id"),)) is not None, (codelist.get("id"), code.get("id"))
    assert mappers["RM_AGE_GROUP"].map(("05-09",)) == ("Y5T9",)
    assert mappers["RM_AGE_GROUP"].map(("00-04",)) == ("Y0T4",)
