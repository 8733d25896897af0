"""SDMX-ML 3.1 structure messages as input: the node's own 3.1 answer for a dataflow and all it
references is loaded into an empty node, which then answers every structure format validly
(3.1 as stored, byte for byte; 2.1, 3.0 and SDMX-JSON from sdmx1's model of the 3.0 reading),
keeps CL_AREA's numeric M49 parents, and takes data for the dataflow."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from lxml import etree

from sdmxnode.app import create_app
from sdmxnode.errors import Invalid
from sdmxnode.services.access import create_token
from sdmxnode.services.data.loading import LoadOptions, load_data
from sdmxnode.services.structures.loading import read_structure_records
from tests.conftest import PROJECT_ROOT, fresh_database
from tests.web.conftest import assert_valid_structure

ML_31 = "application/vnd.sdmx.structure+xml;version=3.1.0"
FLOW = "dataflow/IMDX/DF_MIG_STOCK_IMS/1.0.0"
SMALL_CSV = PROJECT_ROOT / "fixtures" / "data" / "small" / "small-csv10-21.csv"
STR_31 = "{http://www.sdmx.org/resources/sdmxml/schemas/v3_1/structure}"


@pytest.fixture(scope="module")
def message_31(migration_app: Flask) -> bytes:
    """The dataflow with everything it references, as the node writes it in SDMX-ML 3.1."""
    response = migration_app.test_client().get(
        f"/rest/v2/structure/{FLOW}?references=all", headers={"Accept": ML_31}
    )
    assert response.status_code == 200
    assert_valid_structure(response)
    return response.get_data()


@pytest.fixture
def empty_database(tmp_path: Path) -> str:
    return fresh_database(tmp_path)


@pytest.fixture
def empty_app(empty_database: str) -> Iterator[Flask]:
    """A node holding no structures at all."""
    application = create_app({"DATABASE_URL": empty_database, "TESTING": True, "DEMO_DATA": ""})
    node = application.extensions["sdmxnode"]
    node.store.create_schema()
    yield application
    node.store.engine.dispose()


def _admin(app: Flask) -> dict[str, str]:
    secret = create_token(app.extensions["sdmxnode"], role="admin")
    return {"Authorization": f"Bearer {secret}"}


def test_a_31_message_is_checked_against_the_31_schema(message_31: bytes) -> None:
    records = read_structure_records(message_31)
    assert {r.sdmx_ml for r in records} == {"3.1"}
    assert "Dataflow" in {r.ref.type for r in records}
    broken = message_31.replace(b"<mes:Test>false</mes:Test>", b"<mes:Test>no</mes:Test>", 1)
    with pytest.raises(Invalid, match="not valid SDMX-ML 3.1"):
        read_structure_records(broken)


def test_a_31_structure_submission_is_served_in_every_format(
    empty_app: Flask, message_31: bytes
) -> None:
    client = empty_app.test_client()
    answer = client.post(
        "/rest/v2/structure", data=message_31, headers={"Content-Type": ML_31, **_admin(empty_app)}
    )
    assert answer.status_code in (200, 201), answer.get_data(as_text=True)[:500]

    # 3.1: the stored elements as received, numeric parents included
    area = client.get("/rest/v2/structure/codelist/IMDX/CL_AREA/1.0.0", headers={"Accept": ML_31})
    assert area.status_code == 200
    assert_valid_structure(area)
    parents = [p.text for p in etree.fromstring(area.get_data()).iter(f"{STR_31}Parent")]
    assert "150" in parents and len(parents) > 200
    # 2.1 (read back by sdmx1) and 3.0 from the model: valid, 2.1 with the hierarchy
    v21 = client.get(
        "/rest/codelist/IMDX/CL_AREA/1.0.0",
        headers={"Accept": "application/vnd.sdmx.structure+xml;version=2.1"},
    )
    read = assert_valid_structure(v21)
    assert read.codelist["CL_AREA"]["155"].parent.id == "150"
    for accept in (
        "application/vnd.sdmx.structure+xml;version=3.0.0",
        "application/vnd.sdmx.structure+json;version=2.0.0",
        ML_31,
    ):
        every = client.get(f"/rest/v2/structure/{FLOW}?references=all", headers={"Accept": accept})
        assert every.status_code == 200, (accept, every.get_data()[:300])
        assert_valid_structure(every)


def test_a_31_structure_load_takes_data(
    empty_app: Flask,
    empty_database: str,
    message_31: bytes,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`sdmxnode validate` and `sdmxnode load` of the 3.1 message, then data for its
    dataflow."""
    from click.testing import CliRunner

    from sdmxnode.cli import main

    monkeypatch.setenv("SDMXNODE_DATABASE_URL", empty_database)
    monkeypatch.setenv("SDMXNODE_DEMO_DATA", "")
    path = tmp_path / "flow-31.xml"
    path.write_bytes(message_31)
    runner = CliRunner()
    checked = runner.invoke(main, ["validate", str(path)])
    assert checked.exit_code == 0, checked.output
    loaded = runner.invoke(main, ["load", str(path)])
    assert loaded.exit_code == 0, loaded.output
    assert "Dataflow IMDX:DF_MIG_STOCK_IMS(1.0.0): created" in loaded.stdout
    node = empty_app.extensions["sdmxnode"]
    load_data(node, SMALL_CSV, LoadOptions(source="test"))
    assert node.data.count_all_observations() == 21
