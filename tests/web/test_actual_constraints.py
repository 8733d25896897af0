"""Each dataflow's Actual content constraint (issue 20): what it holds, derived from the data,
served as `actualconstraint` / `contentconstraint` (1.5) and `dataconstraint` (2.x)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
import sdmx
from flask import Flask
from flask.testing import FlaskClient

from sdmxnode.app import create_app
from sdmxnode.formats.registry.structure import STRUCTURE_FORMATS
from sdmxnode.services.data.loading import LoadOptions, load_data
from tests.conftest import PROJECT_ROOT, initialise_from_template
from tests.web.conftest import (
    STOCK_CSV_HEADER,
    assert_valid_structure,
    read_with_pysdmx,
    stock_csv_row,
)

FLOW = "IMDX,DF_MIG_STOCK_IMS,1.0.0"
CONSTRAINT_V1 = "/rest/actualconstraint/IMDX/CR_A_DF_MIG_STOCK_IMS/1.0.0"
CONSTRAINT_V2 = "/rest/v2/structure/dataconstraint/IMDX/CR_A_DF_MIG_STOCK_IMS/1.0.0"
SMALL = PROJECT_ROOT / "fixtures" / "data" / "small" / "small-csv20-21.csv"


@pytest.fixture
def empty_app(database_url: str) -> Iterator[Flask]:
    """A node with the project's structures and no data."""
    app = create_app({"DATABASE_URL": database_url, "TESTING": True, "DEMO_DATA": ""})
    initialise_from_template(app.extensions["sdmxnode"])
    yield app
    app.extensions["sdmxnode"].store.engine.dispose()


def _constraint(client: FlaskClient, url: str = CONSTRAINT_V1):
    """The constraint as sdmx1 reads the SDMX-ML 2.1 answer (checked against the schema)."""
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    message = assert_valid_structure(response)
    (constraint,) = message.constraint.values()
    return constraint


def _values(constraint) -> dict[str, set[str]]:
    (region,) = constraint.data_content_region
    return {
        dimension.id: {v.value for v in selection.values if hasattr(v, "value")}
        for dimension, selection in region.member.items()
        if dimension.id != "TIME_PERIOD"
    }


def _text(constraint, id: str) -> str:
    return str(next(a for a in constraint.annotations if a.id == id).title)


def _annotation(constraint, id: str) -> int:
    return int(_text(constraint, id))


def test_the_constraint_states_what_the_demo_dataflow_holds(migration_client: FlaskClient) -> None:
    constraint = _constraint(migration_client)
    assert constraint.role.role.name == "actual"
    assert [flow.id for flow in constraint.content] == ["DF_MIG_STOCK_IMS"]
    # The data, read independently as SDMX-CSV 1.0.
    csv = migration_client.get(f"/rest/data/{FLOW}/all?format=csvdata")
    frame = pd.read_csv(io.BytesIO(csv.get_data()), dtype=str)
    dimensions = ["FREQ", "REF_AREA", "MEASURE", "COUNTRY_BIRTH", "CITIZENSHIP", "SEX", "AGE"]
    assert _values(constraint) == {d: set(frame[d]) for d in [*dimensions, "EDUCATION_LEV"]}
    assert _annotation(constraint, "obs_count") == len(frame)
    assert _annotation(constraint, "series_count") == len(frame.drop_duplicates(dimensions))
    # The time span, in annotations (pandasdmx reads no TimeRange in a cube region).
    assert _text(constraint, "time_period_start") == f"{frame.TIME_PERIOD.min()}-01-01"
    assert _text(constraint, "time_period_end") == f"{frame.TIME_PERIOD.max()}-12-31"
    (region,) = constraint.data_content_region
    assert "TIME_PERIOD" not in {d.id for d in region.member}


def test_only_dataflows_holding_data_have_one(migration_client: FlaskClient) -> None:
    listed = migration_client.get("/rest/actualconstraint/all/all/latest")
    ids = {c.id for c in assert_valid_structure(listed).constraint.values()}
    assert ids == {"CR_A_DF_MIG_STOCK_IMS"}
    assert migration_client.get("/rest/actualconstraint/IMDX/CR_A_DF_ASY_APPL").status_code == 404
    # It is not among the Allowed constraints, and the 1.5 contentconstraint lists both.
    allowed = migration_client.get("/rest/allowedconstraint/IMDX/all/latest")
    assert "CR_A_DF_MIG_STOCK_IMS" not in allowed.get_data(as_text=True)
    every = migration_client.get("/rest/contentconstraint/IMDX/all/latest")
    assert "CR_A_DF_MIG_STOCK_IMS" in every.get_data(as_text=True)


def test_it_follows_every_load_replacement_and_deletion(empty_app: Flask, tmp_path: Path) -> None:
    client = empty_app.test_client()
    node = empty_app.extensions["sdmxnode"]
    assert client.get(CONSTRAINT_V1).status_code == 404  # no data, no constraint

    load_data(node, SMALL, LoadOptions(source="small"))
    first = client.get(CONSTRAINT_V1)
    assert _values(_constraint(client))["REF_AREA"] == {"1"}
    assert _annotation(_constraint(client), "obs_count") == 21

    added = tmp_path / "kenya.csv"
    added.write_text(STOCK_CSV_HEADER + stock_csv_row("I", "KEN", "2021"))
    load_data(node, added, LoadOptions(source="kenya"))
    second = client.get(CONSTRAINT_V1)
    assert second.headers["ETag"] != first.headers["ETag"]
    constraint = _constraint(client)
    assert _values(constraint)["REF_AREA"] == {"1", "KEN"}
    assert _annotation(constraint, "obs_count") == 22
    assert _text(constraint, "time_period_end") == "2021-12-31"
    # A client holding the current version is told nothing changed.
    unchanged = client.get(CONSTRAINT_V1, headers={"If-None-Match": second.headers["ETag"]})
    assert unchanged.status_code == 304

    removed = tmp_path / "remove.csv"
    removed.write_text(STOCK_CSV_HEADER + stock_csv_row("D", "KEN", "2021", ""))
    load_data(node, removed, LoadOptions(source="remove"))
    assert _values(_constraint(client))["REF_AREA"] == {"1"}

    load_data(node, removed, LoadOptions(source="again"))  # nothing left to delete
    everything = tmp_path / "everything.csv"
    everything.write_text(
        STOCK_CSV_HEADER
        + "".join(
            stock_csv_row("D", "1", period, "").replace(",_T,_T,_T,_T,", f",_T,{sex},_T,_T,")
            for sex in ("_T", "M", "F")
            for period in ("1990", "1995", "2000", "2005", "2010", "2015", "2019")
        )
    )
    load_data(node, everything, LoadOptions(source="everything"))
    assert client.get(CONSTRAINT_V1).status_code == 404


@pytest.mark.parametrize("fmt", STRUCTURE_FORMATS, ids=lambda f: f.name)
def test_valid_in_every_structure_format_on_both_lines(migration_client: FlaskClient, fmt) -> None:
    for url in (CONSTRAINT_V1, CONSTRAINT_V2):
        response = migration_client.get(url, headers={"Accept": fmt.content_type})
        if response.status_code == 406:  # a format of the other API line
            continue
        assert response.status_code == 200, (url, response.get_data(as_text=True)[:300])
        assert_valid_structure(response)
        body = response.get_data()
        if fmt.name in ("sdmx-ml-3.1", "sdmx-json-2.1"):
            # SDMX 3.1 writes what data there is as an AvailabilityConstraint, which is not
            # maintainable: no id, only the dataflow it is attached to.
            assert b"vailabilityConstraint" in body
            assert b"Dataflow=IMDX:DF_MIG_STOCK_IMS(1.0.0)" in body
        else:
            assert b"CR_A_DF_MIG_STOCK_IMS" in body


@pytest.mark.parametrize("version", ["3.0.0", "3.1.0"])
def test_pysdmx_reads_the_3x_answers(migration_client: FlaskClient, version: str) -> None:
    counts = _annotation(_constraint(migration_client), "obs_count")
    response = migration_client.get(
        CONSTRAINT_V2, headers={"Accept": f"application/vnd.sdmx.structure+xml;version={version}"}
    )
    assert response.status_code == 200
    (constraint,) = read_with_pysdmx(response.get_data()).structures
    # pysdmx models an Actual constraint as SDMX 3.1's AvailabilityConstraint.
    assert type(constraint).__name__ == "AvailabilityConstraint"
    assert "DF_MIG_STOCK_IMS" in str(constraint.constraint_attachment)
    assert constraint.obs_count == counts


def test_the_dataflow_references_it(migration_client: FlaskClient) -> None:
    for url in (
        "/rest/dataflow/IMDX/DF_MIG_STOCK_IMS/1.0.0?references=parents",
        "/rest/dataflow/IMDX/DF_MIG_STOCK_IMS/1.0.0?references=contentconstraint",
        "/rest/v2/structure/dataflow/IMDX/DF_MIG_STOCK_IMS/1.0.0?references=dataconstraint",
    ):
        response = migration_client.get(url)
        assert response.status_code == 200, url
        assert b"CR_A_DF_MIG_STOCK_IMS" in response.get_data(), url
    # ... and the constraint's children are the dataflow.
    children = migration_client.get(f"{CONSTRAINT_V1}?references=children")
    message = sdmx.read_sdmx(io.BytesIO(children.get_data()))
    assert list(message.dataflow) == ["DF_MIG_STOCK_IMS"]
    # A dataflow without data has no such parent.
    empty = migration_client.get("/rest/dataflow/IMDX/DF_ASY_APPL/1.0.0?references=parents")
    assert b"CR_A_" not in empty.get_data()


def test_detail_allstubs(migration_client: FlaskClient) -> None:
    response = migration_client.get(f"{CONSTRAINT_V1}?detail=allstubs")
    assert response.status_code == 200
    assert b"CubeRegion" not in response.get_data()
    assert b"CR_A_DF_MIG_STOCK_IMS" in response.get_data()


def test_a_stored_constraint_of_that_identity_takes_its_place(empty_app: Flask) -> None:
    from sdmxnode.services.structures.loading import load_structures

    client = empty_app.test_client()
    node = empty_app.extensions["sdmxnode"]
    load_data(node, SMALL, LoadOptions(source="small"))
    derived = client.get(CONSTRAINT_V1).get_data()
    load_structures(node.store, derived.replace(b"Data held for", b"Kept by hand for"), source="x")
    load_data(node, SMALL, LoadOptions(source="again"))
    answer = client.get("/rest/contentconstraint/IMDX/CR_A_DF_MIG_STOCK_IMS/all")
    assert answer.status_code == 200
    (constraint,) = assert_valid_structure(answer).constraint.values()
    assert str(constraint.name) == "Kept by hand for DF_MIG_STOCK_IMS"
