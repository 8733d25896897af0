"""SDMX 3.0 hierarchy associations over SDMX-REST 2.x: the node's own (HCL_AREA_M49 and
HCL_AREA_SDG linked to REF_AREA of each dataflow over CL_AREA), in every structure format
that can hold them, valid against the official schemas and read back by pysdmx; 406 in the
SDMX 2.1 formats; references both ways; stubs."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from sdmxnode.app import create_app
from tests.conftest import fresh_database, initialise_from_template
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

HA = "/rest/v2/structure/hierarchyassociation/IMDX/HA_AREA_M49_DF_MIG_STOCK_IMS/1.0.0"
HIERARCHY = "/rest/v2/structure/hierarchy/IMDX/HCL_AREA_M49/1.0.0"
DATAFLOW = "/rest/v2/structure/dataflow/IMDX/DF_MIG_STOCK_IMS/1.0.0"
URN = "urn:sdmx:org.sdmx.infomodel."


@pytest.fixture(scope="module")
def associations_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    folder = tmp_path_factory.mktemp("associations")
    app = create_app({"DATABASE_URL": fresh_database(folder), "TESTING": True, "DEMO_DATA": ""})
    node = app.extensions["sdmxnode"]
    initialise_from_template(node)
    yield app
    node.store.engine.dispose()


@pytest.fixture
def client(associations_app: Flask) -> FlaskClient:
    return associations_app.test_client()


def get(client: FlaskClient, url: str, accept: str):  # type: ignore[no-untyped-def]
    answer = client.get(url, headers={"Accept": accept})
    answer.get_data()
    return answer


def _json_ids(answer, key: str) -> set[str]:  # type: ignore[no-untyped-def]
    return {a["id"] for a in json.loads(answer.get_data())["data"].get(key, [])}


@pytest.mark.parametrize("accept", [ML30, ML31, JSON20, JSON21])
def test_an_association_is_answered_valid_in_every_sdmx_3_format(
    client: FlaskClient, accept: str
) -> None:
    answer = get(client, HA, accept)
    assert answer.status_code == 200, answer.get_data()[:300]
    assert answer.headers["Content-Type"] == accept
    assert_valid_structure(answer)


@pytest.mark.parametrize("accept", [ML30, ML31, JSON20])
def test_pysdmx_reads_the_links_back(client: FlaskClient, accept: str) -> None:
    (association,) = read_with_pysdmx(get(client, HA, accept).get_data()).structures
    assert (association.agency, association.id, association.version) == (
        "IMDX",
        "HA_AREA_M49_DF_MIG_STOCK_IMS",
        "1.0.0",
    )
    hierarchy = association.hierarchy
    assert getattr(hierarchy, "urn", None) or hierarchy == (
        f"{URN}codelist.Hierarchy=IMDX:HCL_AREA_M49(1.0.0)"
    )
    assert association.component_ref == (
        f"{URN}datastructure.Dimension=IMDX:DSD_MIG_STOCK(1.0.0).REF_AREA"
    )
    assert association.context_ref == f"{URN}datastructure.Dataflow=IMDX:DF_MIG_STOCK_IMS(1.0.0)"


@pytest.mark.parametrize("accept", [ML21, JSON10])
def test_sdmx_21_formats_cannot_hold_associations(client: FlaskClient, accept: str) -> None:
    answer = get(client, HA, accept)
    assert answer.status_code == 406
    assert "HierarchyAssociation" in answer.get_data(as_text=True)


def test_a_hierarchy_finds_the_associations_that_use_it(client: FlaskClient) -> None:
    """The stored references of each association (its hierarchy, DSD and dataflow, read off
    its URNs) make it a parent of each of them."""
    answer = get(client, f"{HIERARCHY}?references=hierarchyassociation", JSON20)
    assert answer.status_code == 200
    assert_valid_structure(answer)
    found = _json_ids(answer, "hierarchyAssociations")
    assert len(found) == 25  # one per dataflow over CL_AREA
    assert "HA_AREA_M49_DF_MIG_STOCK_IMS" in found
    assert not any("_SDG_" in id_ for id_ in found)
    answer = get(client, f"{DATAFLOW}?references=hierarchyassociation", JSON20)
    assert _json_ids(answer, "hierarchyAssociations") == {
        "HA_AREA_M49_DF_MIG_STOCK_IMS",
        "HA_AREA_SDG_DF_MIG_STOCK_IMS",
    }
    answer = get(client, f"{HIERARCHY}?references=parents", ML30)
    assert answer.status_code == 200
    assert b"HA_AREA_M49_DF_MIG_FLOWS" in answer.get_data()
    # SDMX-ML 2.1 cannot hold them: left out, the hierarchy still answered
    answer = get(client, "/rest/hierarchicalcodelist/IMDX/HCL_AREA_M49/1.0.0?references=all", ML21)
    assert answer.status_code == 200
    assert_valid_structure(answer)
    assert b"HierarchyAssociation" not in answer.get_data()


def test_an_association_brings_its_hierarchy_dsd_and_dataflow(client: FlaskClient) -> None:
    for accept in (ML30, JSON20):
        answer = get(client, f"{HA}?references=children", accept)
        assert answer.status_code == 200
        message = assert_valid_structure(answer)
        if accept == JSON20:
            data = json.loads(answer.get_data())["data"]
            assert {a["id"] for a in data["hierarchies"]} == {"HCL_AREA_M49"}
            assert {a["id"] for a in data["dataStructures"]} == {"DSD_MIG_STOCK"}
            assert {a["id"] for a in data["dataflows"]} == {"DF_MIG_STOCK_IMS"}
            assert {a["id"] for a in data["hierarchyAssociations"]} == {
                "HA_AREA_M49_DF_MIG_STOCK_IMS"
            }
        else:
            ids = {s.id for s in message.structures}  # type: ignore[attr-defined]
            assert {"HCL_AREA_M49", "DSD_MIG_STOCK", "DF_MIG_STOCK_IMS"} <= ids


@pytest.mark.parametrize("accept", [ML30, ML31, JSON20, JSON21])
def test_stubs_of_associations_stay_valid(client: FlaskClient, accept: str) -> None:
    url = "/rest/v2/structure/hierarchyassociation/IMDX/*/1.0.0"
    full = get(client, url, accept)
    stubs = get(client, f"{url}?detail=allstubs", accept)
    complete = get(client, f"{url}?detail=allcompletestubs", accept)
    for answer in (full, stubs, complete):
        assert answer.status_code == 200
        assert_valid_structure(answer)
    if accept in (JSON20, JSON21):
        (stub, *_) = json.loads(stubs.get_data())["data"]["hierarchyAssociations"]
        assert stub["isExternalReference"] is True and "description" not in stub
        assert stub["linkedHierarchy"].endswith("Hierarchy=IMDX:HCL_AREA_M49(1.0.0)")
        (complete_stub, *_) = json.loads(complete.get_data())["data"]["hierarchyAssociations"]
        assert "description" in complete_stub
        assert len(json.loads(full.get_data())["data"]["hierarchyAssociations"]) == 50
    else:
        assert b"Description" not in stubs.get_data()
        assert b"Description" in complete.get_data()
        assert b'isExternalReference="true"' in complete.get_data()


@pytest.mark.parametrize(("hierarchy", "accepted"), [("HCL_AREA_SDG", True), ("HCL_NOPE", False)])
def test_an_association_needs_its_hierarchy(
    associations_app: Flask, hierarchy: str, accepted: bool
) -> None:
    """The aggregate check applies a submitted association: the hierarchy it links must be
    in the node or in the same message (maintenance MUST_RESOLVE), as a map's rules must."""
    from pathlib import Path

    from sdmxnode.services.structures.loading import read_structure_records
    from sdmxnode.services.structures.maintenance import UNRESOLVED, submit_structures

    path = Path(__file__).resolve().parents[2] / "dsd" / "IMDX-HA_AREA-1.0.0.xml"
    text = path.read_text(encoding="utf-8").replace("HCL_AREA_M49(1.0.0)", f"{hierarchy}(1.0.0)")
    text = text.replace("HA_AREA_M49_DF_MIG_STOCK_IMS", "HA_NEW")  # not the stored final one
    records = [r for r in read_structure_records(text.encode()) if r.ref.id == "HA_NEW"]
    result = submit_structures(associations_app.extensions["sdmxnode"], records, dry_run=True)
    (outcome,) = result.results
    assert outcome.succeeded is accepted, outcome.message
    if not accepted:
        assert UNRESOLVED in outcome.message and "HCL_NOPE" in outcome.message
