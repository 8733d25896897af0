"""Partial item schemes (`isPartial="true"`) submitted over SDMX-REST 2.x maintenance:
stored when the node holds none, merged into drafts, checked against final schemes."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from lxml import etree
from werkzeug.test import TestResponse

from sdmxnode.formats.sdmxml import NS21, NS30
from sdmxnode.services.access import create_token
from sdmxnode.services.node import Node
from tests.partial_schemes import codelist, message
from tests.web.conftest import JSON20, ML21, ML30, assert_valid_structure

STR, COM = NS21["str"], NS21["com"]
REG = "{http://www.sdmx.org/resources/sdmxml/schemas/v2_1/registry}"
GEO = "/rest/v2/structure/codelist/ESTAT/GEO/13.1"


@pytest.fixture
def node(app: Flask) -> Node:
    node: Node = app.extensions["sdmxnode"]
    node.store.create_schema()
    return node


@pytest.fixture
def admin(node: Node) -> str:
    return create_token(node, role="admin")


def post(client: FlaskClient, body: bytes, secret: str, path: str = "/rest/v2/structure"):
    headers = {"Content-Type": "application/xml", "Authorization": f"Bearer {secret}"}
    return client.post(path, data=body, headers=headers)


def outcomes(response: TestResponse) -> dict[str, tuple[int, str]]:
    """Per artefact id and version ('GEO(13.1)'): (code, message) of a SubmitStructureResponse."""
    root = etree.fromstring(response.get_data())
    found = {}
    for entry in root.iter(f"{REG}SubmissionResult"):
        urn = entry.find(f"{REG}SubmittedStructure/{REG}MaintainableObject/URN").text
        text = entry.find(f"{REG}StatusMessage/{REG}MessageText")
        found[urn.rsplit(":", 1)[1]] = (int(text.get("code")), text.findtext(f"{{{COM}}}Text"))
    return found


def served(client: FlaskClient, path: str = GEO) -> tuple[dict[str, str], bool]:
    """The codes (id -> English name) of a served code list, and whether it says partial."""
    response = client.get(path, headers={"Accept": ML21})
    assert response.status_code == 200
    message = assert_valid_structure(response)
    (scheme,) = message.codelist.values()
    partial = str(scheme.is_partial).lower() == "true"
    return {c.id: str(c.name) for c in scheme}, partial


def test_a_partial_scheme_is_stored_when_the_node_holds_none_and_served_marked_partial(
    client: FlaskClient, node: Node, admin: str
) -> None:
    """As in Eurostat's GOV_10Q_GGNFA structure: GEO 13.1 partial, GEO 13.0 whole."""
    body = message(
        codelist({"BE": "Belgium", "DE": "Germany"}),
        codelist({"EU27_2020": "European Union", "BE": "Belgium"}, version="13.0", partial=False),
    )
    response = post(client, body, admin)
    assert response.status_code == 201, response.data[:600]
    assert {k: v[0] for k, v in outcomes(response).items()} == {"GEO(13.1)": 201, "GEO(13.0)": 201}
    assert served(client) == ({"BE": "Belgium", "DE": "Germany"}, True)
    whole = served(client, "/rest/v2/structure/codelist/ESTAT/GEO/13.0")
    assert whole == ({"EU27_2020": "European Union", "BE": "Belgium"}, False)
    ml30 = client.get(GEO, headers={"Accept": ML30})
    assert ml30.status_code == 200 and "structure+xml;version=3.0.0" in ml30.content_type
    root = etree.fromstring(ml30.get_data())
    assert root.find(f".//{{{NS30['str']}}}Codelist").get("isPartial") == "true"
    json20 = client.get(GEO, headers={"Accept": JSON20})
    assert json20.status_code == 200 and "structure+json" in json20.content_type
    (document,) = assert_valid_structure(json20)["data"]["codelists"]
    assert document["isPartial"] is True


def test_a_whole_scheme_is_not_served_as_partial_in_json(
    client: FlaskClient, node: Node, admin: str
) -> None:
    whole = codelist({"BE": "Belgium"}, partial=False).replace(
        ' version="13.1"', ' version="13.1" isPartial="false"'
    )
    assert post(client, message(whole), admin).status_code == 201
    json20 = client.get(GEO, headers={"Accept": JSON20})
    (document,) = assert_valid_structure(json20)["data"]["codelists"]
    assert document.get("isPartial", False) is False


def test_a_partial_scheme_updates_a_draft_as_the_maintenance_document_says(
    client: FlaskClient, node: Node, admin: str
) -> None:
    stored = codelist(
        {"0": "Zero", "1": "One", "2": "Two"}, id_="CL_DECIMALS", final=False, partial=False
    )
    assert post(client, message(stored), admin).status_code == 201
    update = codelist({"0": "No decimal", "1": "One"}, id_="CL_DECIMALS", final=False)
    response = post(client, message(update), admin)
    assert response.status_code == 200, response.data[:600]
    ((code, text),) = outcomes(response).values()
    assert code == 200 and "0 items added, 2 replaced" in text
    path = "/rest/v2/structure/codelist/ESTAT/CL_DECIMALS/13.1"
    assert served(client, path) == ({"0": "No decimal", "1": "One", "2": "Two"}, False)
    again = post(client, message(update), admin)
    assert again.status_code == 200 and "unchanged" in next(iter(outcomes(again).values()))[1]


def test_partial_schemes_sent_one_after_another_build_up_the_copy(
    client: FlaskClient, node: Node, admin: str
) -> None:
    assert post(client, message(codelist({"BE": "Belgium"}, final=False)), admin).status_code == 201
    response = post(client, message(codelist({"FR": "France"}, final=False)), admin)
    assert response.status_code == 200
    assert served(client) == ({"BE": "Belgium", "FR": "France"}, True)
    whole = codelist({"DE": "Germany", "FR": "France"}, final=False, partial=False)
    assert post(client, message(whole), admin).status_code == 200
    assert served(client) == ({"DE": "Germany", "FR": "France"}, False)  # the whole replaces


def test_a_final_scheme_takes_only_partial_schemes_that_change_nothing(
    client: FlaskClient, node: Node, admin: str
) -> None:
    whole = codelist({"BE": "Belgium", "DE": "Germany"}, partial=False)
    assert post(client, message(whole), admin).status_code == 201
    digest = node.store.find_artefacts()[0].digest
    same = post(client, message(codelist({"DE": "Germany"})), admin)
    assert same.status_code == 200 and "unchanged" in next(iter(outcomes(same).values()))[1]
    for change in ({"DE": "Deutschland"}, {"FR": "France"}):
        refused = post(client, message(codelist(change)), admin)
        assert refused.status_code == 409
        assert "final artefacts are immutable" in next(iter(outcomes(refused).values()))[1]
    assert node.store.find_artefacts()[0].digest == digest


def test_a_final_partial_copy_learns_new_items_and_gives_way_to_the_whole_scheme(
    client: FlaskClient, node: Node, admin: str
) -> None:
    """Eurostat sends the same final GEO 13.1 with the codes of each dataset."""
    assert (
        post(client, message(codelist({"BE": "Belgium", "DE": "Germany"})), admin).status_code
        == 201
    )
    grown = post(client, message(codelist({"DE": "Germany", "FR": "France"})), admin)
    assert grown.status_code == 200, grown.data[:600]
    assert served(client) == ({"BE": "Belgium", "DE": "Germany", "FR": "France"}, True)
    changed = post(client, message(codelist({"DE": "Deutschland", "IT": "Italy"})), admin)
    assert changed.status_code == 409 and "items DE" in next(iter(outcomes(changed).values()))[1]
    whole = {"BE": "Belgium", "DE": "Germany", "FR": "France", "IT": "Italy"}
    wrong = post(client, message(codelist({**whole, "BE": "Belgique"}, partial=False)), admin)
    assert wrong.status_code == 409
    draft = post(client, message(codelist(whole, partial=False, final=False)), admin)
    assert draft.status_code == 409  # a final scheme does not become a draft
    assert served(client) == ({"BE": "Belgium", "DE": "Germany", "FR": "France"}, True)
    assert post(client, message(codelist(whole, partial=False)), admin).status_code == 200
    assert served(client) == (whole, False)


def test_a_partial_scheme_in_the_other_sdmx_ml_version_is_refused(
    client: FlaskClient, node: Node, admin: str
) -> None:
    assert post(client, message(codelist({"BE": "Belgium"}, final=False)), admin).status_code == 201
    ml30 = message(codelist({"FR": "France"}, ns=NS30), ns=NS30)
    response = post(client, ml30, admin)
    assert response.status_code == 409
    assert "send the partial scheme in SDMX-ML 2.1" in next(iter(outcomes(response).values()))[1]


def test_put_merges_a_partial_scheme_into_the_artefact_of_the_url(
    client: FlaskClient, node: Node, admin: str
) -> None:
    headers = {"Content-Type": "application/xml", "Authorization": f"Bearer {admin}"}
    body = message(codelist({"FR": "France"}, final=False))
    assert client.put(GEO, data=body, headers=headers).status_code == 404
    assert post(client, message(codelist({"BE": "Belgium"}, final=False)), admin).status_code == 201
    assert client.put(GEO, data=body, headers=headers).status_code == 200
    assert served(client) == ({"BE": "Belgium", "FR": "France"}, True)


def test_concurrent_partial_updates_all_land(app: Flask, node: Node, admin: str) -> None:
    """Each merge reads the scheme as the previous one left it (one atomic decision), the
    first one included: one creates the scheme, the others merge into it."""
    client = app.test_client()
    codes = [f"C{n}" for n in range(6)]
    statuses: list[int] = []

    def send(code: str) -> None:
        response = post(app.test_client(), message(codelist({code: code}, final=False)), admin)
        statuses.append(response.status_code)

    threads = [threading.Thread(target=send, args=(code,)) for code in codes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200] * (len(codes) - 1) + [201]
    assert set(served(client)[0]) == set(codes)


@pytest.mark.corpus
@pytest.mark.parametrize(
    "order",
    [
        ("ESTAT-esms-structure.xml", "ESTAT-demography-structure.xml"),
        ("ESTAT-demography-structure.xml", "ESTAT-esms-structure.xml"),
    ],
)
def test_eurostat_structures_with_partial_code_lists_are_accepted_whole(
    client: FlaskClient, node: Node, admin: str, corpus: Path, order: tuple[str, str]
) -> None:
    """The ESMS structure carries ESTAT:CL_COUNTRY partial (BE, LU), the demography one
    another excerpt (BE, EL, LU, UK) and CL_UNIT partial: everything is accepted, the
    metadata structure and the DSDs that reference them included."""
    for name in order:
        response = post(client, (corpus / name).read_bytes(), admin)
        assert response.status_code in (200, 201), response.data[:800]
        assert all(code in (200, 201) for code, _ in outcomes(response).values())
    path = "/rest/v2/structure/codelist/ESTAT/CL_COUNTRY/1.0"
    countries, partial = served(client, path)
    assert set(countries) == {"BE", "EL", "LU", "UK"} and partial
    stored = {str(a.ref) for a in node.store.find_artefacts()}
    assert {
        "MetadataStructure=ESTAT:ESMS_SIMPLE(1.0)",
        "DataStructure=ESTAT:DEMOGRAPHY(1.0)",
        "Codelist=ESTAT:CL_UNIT(1.0)",
    } <= stored
