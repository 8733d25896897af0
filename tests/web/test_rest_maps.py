"""Structure maps, representation maps and SDMX 2.1 structure sets over SDMX-REST: every
structure format that can hold them, valid against the official schemas, read back by
pysdmx; 406 where a format cannot hold what is asked for; references; maintenance."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from sdmxnode.app import create_app
from sdmxnode.services.access import create_token
from sdmxnode.services.structures.loading import load_structure_files
from sdmxnode.validation.schema import validate_ml21
from tests.conftest import PROJECT_ROOT, fresh_database, initialise_from_template
from tests.web.conftest import (
    JSON10,
    JSON20,
    JSON21,
    ML21,
    ML30,
    ML31,
    assert_valid_structure,
    read_with_pysdmx,
)

CONVERSION = PROJECT_ROOT / "fixtures" / "conversion"
SM = "/rest/v2/structure/structuremap/IMDX/SM_STOCK_CODED/1.0.0"
RM = "/rest/v2/structure/representationmap/IMDX/RM_SEX_NUMERIC/1.0.0"
SS = "/rest/structureset/IMDX/SS_STOCK_CODED/1.0"


@pytest.fixture(scope="module")
def maps_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    folder = tmp_path_factory.mktemp("maps")
    app = create_app({"DATABASE_URL": fresh_database(folder), "TESTING": True, "DEMO_DATA": ""})
    node = app.extensions["sdmxnode"]
    initialise_from_template(node)
    load_structure_files(
        node.store,
        [CONVERSION / "IMDX-SM_STOCK_CODED-1.0.0.xml", CONVERSION / "IMDX-SS_STOCK_CODED-1.0.xml"],
    )
    yield app
    node.store.engine.dispose()


@pytest.fixture
def client(maps_app: Flask) -> FlaskClient:
    return maps_app.test_client()


def get(client: FlaskClient, url: str, accept: str):  # type: ignore[no-untyped-def]
    answer = client.get(url, headers={"Accept": accept})
    answer.get_data()
    return answer


@pytest.mark.parametrize("accept", [ML30, ML31, JSON20, JSON21])
def test_maps_are_answered_valid_in_every_sdmx_3_format(client: FlaskClient, accept: str) -> None:
    for url in (SM, RM):
        answer = get(client, url, accept)
        assert answer.status_code == 200, (url, answer.get_data()[:300])
        assert answer.headers["Content-Type"] == accept
        assert_valid_structure(answer)


@pytest.mark.parametrize("accept", [ML30, JSON20])
def test_pysdmx_reads_the_maps_back(client: FlaskClient, accept: str) -> None:
    structure_map = read_with_pysdmx(get(client, SM, accept).get_data()).structures[0]
    assert structure_map.id == "SM_STOCK_CODED"
    assert structure_map.source.endswith("Dataflow=IMDX:DF_MIG_STOCK_IMS(1.0.0)")
    components = {m.source: m for m in structure_map.maps if hasattr(m, "values")}
    assert components["SEX"].values.endswith("RepresentationMap=IMDX:RM_SEX_NUMERIC(1.0.0)")
    fixed = {m.target: m.value for m in structure_map.maps if hasattr(m, "value")}
    assert fixed == {"UNIT_MULT": "0", "REVISION": "IMS2019"}
    representation_map = read_with_pysdmx(get(client, RM, accept).get_data()).structures[0]
    assert [(v.source, v.target) for v in representation_map.maps] == [
        ("1", "M"), ("2", "F"), ("0", "_T"), ("T", "_T"), ("9", "_U")
    ]  # fmt: skip


def test_a_regular_expression_rule_keeps_its_kind_in_json(client: FlaskClient) -> None:
    url = "/rest/v2/structure/representationmap/IMDX/RM_M49_PADDED/1.0.0"
    document = get(client, url, JSON20).get_json()
    rule = document["data"]["representationMaps"][0]["representationMappings"][0]
    assert rule == {"sourceValues": [{"value": "0*([1-9][0-9]*)", "isRegEx": True}],
                    "targetValues": ["\\1"]}  # fmt: skip


@pytest.mark.parametrize("accept", [ML21, JSON10])
def test_sdmx_21_formats_cannot_hold_maps(client: FlaskClient, accept: str) -> None:
    answer = get(client, SM, accept)
    assert answer.status_code == 406
    assert "application/vnd.sdmx.structure+xml;version=3.0.0" in answer.get_data(as_text=True)
    # in an answer holding other artefacts they are left out
    mixed = get(client, "/rest/v2/structure/*/IMDX/*", accept)
    assert mixed.status_code == 200
    assert b"RM_SEX_NUMERIC" not in mixed.get_data() and b"CL_AREA" in mixed.get_data()


def test_a_structure_set_is_served_as_sdmx_ml_21_only(client: FlaskClient) -> None:
    answer = get(client, SS, ML21)
    assert answer.status_code == 200
    assert validate_ml21(answer.get_data()) == []  # (sdmx1 2.28 reads no 2.1 structure map)
    stored = (CONVERSION / "IMDX-SS_STOCK_CODED-1.0.xml").read_bytes()
    assert b'<str:ValueMapping source="001" target="1"/>' in stored
    assert b'<str:ValueMapping source="001" target="1"/>' in answer.get_data()
    assert get(client, SS, JSON10).status_code == 406
    assert (
        get(client, "/rest/v2/structure/structureset/IMDX/SS_STOCK_CODED/1.0", JSON20).status_code
        == 406
    )


def test_references_of_a_structure_map(client: FlaskClient) -> None:
    body = get(client, SM + "?references=children", ML30).get_data()
    for child in (b"DF_MIG_STOCK_IMS", b"DF_MIG_STOCK_NAT", b"RM_SEX_NUMERIC", b"RM_M49_PADDED"):
        assert child in body, child
    parents = get(
        client, "/rest/v2/structure/codelist/IMDX/CL_AREA/1.0.0?references=representationmap", ML30
    )
    assert parents.status_code == 200
    for parent in (b"RM_M49_AREA", b"RM_ISO_ALPHA2_AREA", b"RM_M49_PADDED"):
        assert parent in parents.get_data(), parent


def test_a_representation_map_a_structure_map_uses_cannot_be_deleted(tmp_path: Path) -> None:
    """Maintenance as for every structure: maps in a draft version (final ones, stable,
    cannot be deleted at all) are deleted, a representation map only once no structure map
    uses it."""
    from sdmxnode.services.structures.loading import load_structures

    app = create_app({"DATABASE_URL": fresh_database(tmp_path), "TESTING": True, "DEMO_DATA": ""})
    node = app.extensions["sdmxnode"]
    initialise_from_template(node)
    draft = (CONVERSION / "IMDX-SM_STOCK_CODED-1.0.0.xml").read_bytes()
    load_structures(node.store, draft.replace(b"(1.0.0)", b"(1.0.0-draft)").replace(
        b'version="1.0.0"', b'version="1.0.0-draft"'))  # fmt: skip
    headers = {"Authorization": f"Bearer {create_token(node, role='admin')}"}
    client = app.test_client()
    sm, rm = SM.replace("1.0.0", "1.0.0-draft"), RM.replace("1.0.0", "1.0.0-draft")
    refused = client.delete(rm, headers=headers)
    assert refused.status_code == 409, refused.get_data(as_text=True)
    assert b"SM_STOCK_CODED" in refused.get_data()
    deleted = client.delete(sm, headers=headers)
    assert deleted.status_code == 200, deleted.get_data(as_text=True)
    assert b"structuremapping.StructureMap=IMDX:SM_STOCK_CODED" in deleted.get_data()
    assert client.delete(rm, headers=headers).status_code == 200
    assert get(client, rm, ML30).status_code == 204  # 2.x: no result
    node.store.engine.dispose()


def test_a_map_whose_structures_the_node_lacks_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from sdmxnode.cli import main

    monkeypatch.setenv("SDMXNODE_DATABASE_URL", fresh_database(tmp_path))
    monkeypatch.setenv("SDMXNODE_DEMO_DATA", str(tmp_path / "none"))
    runner = CliRunner()
    assert runner.invoke(main, ["init"]).exit_code == 0
    text = (CONVERSION / "IMDX-SM_STOCK_CODED-1.0.0.xml").read_text()
    bad = tmp_path / "bad-maps.xml"
    bad.write_text(
        text.replace("DF_MIG_STOCK_NAT(1.0.0)", "DF_NOWHERE(1.0.0)").replace(
            "IAEG-SDGs:CL_SEX(1.0)", "IAEG-SDGs:CL_NOSEX(1.0)"
        )
    )
    result = runner.invoke(main, ["load", str(bad)])
    assert result.exit_code == 1
    assert "references Dataflow=IMDX:DF_NOWHERE(1.0.0), which is neither" in result.output
    assert "references Codelist=IAEG-SDGs:CL_NOSEX(1.0), which is neither" in result.output
