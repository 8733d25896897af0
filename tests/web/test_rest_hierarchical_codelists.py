"""IMDX:HCL_AREA_M49 and HCL_AREA_SDG on both API lines: 1.5 `hierarchicalcodelist`
(SDMX-ML 2.1, SDMX-JSON 1.0), 2.x `hierarchy` (SDMX-ML 3.0 and 3.1, SDMX-JSON 2.0 and 2.1),
with `references` and `detail`."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests.web.conftest import JSON10, JSON20, JSON21, ML30, ML31, assert_valid_structure

V1 = "/rest/hierarchicalcodelist/IMDX/HCL_AREA_M49/1.0.0"
V2 = "/rest/v2/structure/hierarchy/IMDX"


def test_v1_sdmx_ml_21_is_valid_and_read_back_by_sdmx1(migration_client: FlaskClient) -> None:
    response = migration_client.get(V1)
    assert response.status_code == 200
    message = assert_valid_structure(response)
    hcl = message.hierarchical_codelist["HCL_AREA_M49"]
    assert [h.id for h in hcl.hierarchy] == ["M49"]
    world = hcl.hierarchy[0].codes["1"]
    assert [c.code.id for c in world.child] == ["2", "19", "142", "150", "9", "ATA"]
    assert world.code.parent.id == "CL_AREA"


def test_v1_sdmx_json_10_holds_both_lists(migration_client: FlaskClient) -> None:
    response = migration_client.get(
        "/rest/hierarchicalcodelist/IMDX/all/latest", headers={"Accept": JSON10}
    )
    document = assert_valid_structure(response)
    hcls = document["data"]["hierarchicalCodelists"]
    assert [(h["id"], h["hierarchies"][0]["id"]) for h in hcls] == [
        ("HCL_AREA_M49", "M49"),
        ("HCL_AREA_SDG", "SDG"),
    ]


@pytest.mark.parametrize("accept", [ML30, ML31])
def test_v2_hierarchies_are_valid_sdmx_ml_3(migration_client: FlaskClient, accept: str) -> None:
    response = migration_client.get(f"{V2}/*/~", headers={"Accept": accept})
    assert response.status_code == 200
    read = assert_valid_structure(response)
    ids = sorted(h.id for h in read.get_hierarchies())
    assert ids == ["HCL_AREA_M49", "HCL_AREA_SDG"]  # the same ids as on the 1.5 line


@pytest.mark.parametrize("accept", [JSON20, JSON21])
def test_v2_hierarchy_in_sdmx_json_2(migration_client: FlaskClient, accept: str) -> None:
    response = migration_client.get(f"{V2}/HCL_AREA_SDG/~", headers={"Accept": accept})
    assert response.status_code == 200
    document = assert_valid_structure(response)
    (hierarchy,) = document["data"]["hierarchies"]
    tops = [code["id"] for code in hierarchy["hierarchicalCodes"]]
    assert tops == ["202", "747", "62", "753", "419", "9", "513", "543"]


def test_the_hcl_is_a_parent_of_cl_area_and_stubs_are_valid(migration_client: FlaskClient) -> None:
    response = migration_client.get(
        "/rest/codelist/IMDX/CL_AREA/1.0.0?references=hierarchicalcodelist&detail=allstubs"
    )
    assert response.status_code == 200
    message = assert_valid_structure(response)
    assert sorted(message.hierarchical_codelist) == ["HCL_AREA_M49", "HCL_AREA_SDG"]
    for hcl in message.hierarchical_codelist.values():
        assert hcl.is_external_reference
        assert not hcl.hierarchy


def test_the_children_of_the_hcl_are_the_code_list(migration_client: FlaskClient) -> None:
    response = migration_client.get(f"{V1}?references=children&detail=referencestubs")
    message = assert_valid_structure(response)
    assert list(message.codelist) == ["CL_AREA"]
    assert message.codelist["CL_AREA"].is_external_reference
    assert len(message.hierarchical_codelist["HCL_AREA_M49"].hierarchy) == 1
