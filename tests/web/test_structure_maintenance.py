"""Structure maintenance over SDMX-REST 2.x: POST, PUT, DELETE under /rest/v2/structure."""

from __future__ import annotations

import copy
import io
from collections.abc import Callable
from pathlib import Path

import pytest
import sdmx
from flask import Flask
from flask.testing import FlaskClient
from lxml import etree
from werkzeug.test import TestResponse

from sdmxnode.app import create_app
from sdmxnode.formats.sdmxml import NS21
from sdmxnode.services.access import create_token
from sdmxnode.services.data.loading import LoadOptions, load_data
from sdmxnode.services.node import Node
from sdmxnode.services.structures.loading import load_structure_files
from sdmxnode.validation.schema import validate_ml21
from tests.web.conftest import ML21

ROOT = Path(__file__).resolve().parents[2]
STR, COM, MES = NS21["str"], NS21["com"], NS21["mes"]
REG = "{http://www.sdmx.org/resources/sdmxml/schemas/v2_1/registry}"
REGISTRY_21 = "application/vnd.sdmx.registry+xml;version=2.1"
CODELIST = ROOT / "codelists" / "IMDX-CL_YES_NO-1.0.0.xml"
YES_NO = "/rest/v2/structure/codelist/IMDX/CL_YES_NO/1.0.0"


# --- messages built from the project's own structures ----------------------------------


def codelist_element(
    *, version: str = "1.0.0", final: bool = False, name: str | None = None, agency: str = "IMDX"
) -> etree._Element:
    """IMDX:CL_YES_NO from codelists/, with another version, finality, name or agency."""
    element = copy.deepcopy(etree.parse(str(CODELIST)).find(f".//{{{STR}}}Codelist"))
    element.attrib.pop("urn", None)
    element.set("version", version)
    element.set("isFinal", "true" if final else "false")
    element.set("agencyID", agency)
    if name is not None:
        element.find(f"{{{COM}}}Name").text = name
    return element


def message(*codelists: etree._Element) -> bytes:
    """An SDMX-ML 2.1 structure message holding the given code lists."""
    tree = etree.parse(str(CODELIST))
    holder = tree.find(f".//{{{STR}}}Codelists")
    for child in list(holder):
        holder.remove(child)
    for element in codelists:
        holder.append(element)
    return etree.tostring(tree, xml_declaration=True, encoding="utf-8")


def draft(path: Path) -> bytes:
    """A structure file of the project with every artefact made non-final."""
    tree = etree.parse(str(path))
    for element in tree.iter():
        if element.get("isFinal") == "true":
            element.set("isFinal", "false")
    return etree.tostring(tree, xml_declaration=True, encoding="utf-8")


# --- fixtures and helpers ---------------------------------------------------------------


@pytest.fixture
def node(app: Flask) -> Node:
    return app.extensions["sdmxnode"]


@pytest.fixture
def admin(node: Node) -> str:
    return create_token(node, role="admin")


@pytest.fixture
def stock_node(app: Flask, node: Node, admin: str) -> Node:
    """The project's code lists and concept scheme, and DSD_MIG_STOCK with its dataflows and
    constraints submitted as drafts (non-final) over POST."""
    load_structure_files(
        node.store,
        sorted((ROOT / "codelists").glob("*.xml")) + [ROOT / "dsd/IMDX-CS_MIGRATION-1.0.0.xml"],
    )
    answer = post(app.test_client(), draft(ROOT / "dsd/IMDX-DSD_MIG_STOCK-1.0.0.xml"), admin)
    assert answer.status_code == 201, answer.data[:600]
    return node


def bearer(secret: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"} if secret else {}


def post(
    client: FlaskClient, body: bytes, secret: str | None, path: str = "/rest/v2/structure", **kw
) -> TestResponse:
    headers = {"Content-Type": "application/xml", **bearer(secret), **kw.pop("headers", {})}
    return client.post(path, data=body, headers=headers, **kw)


def results(response: TestResponse) -> dict[str, tuple[str, int]]:
    """Per artefact URN: (status, code) from a SubmitStructureResponse, checked valid first
    (and sent as the SDMX-ML 2.1 RegistryInterface message it is, as maintenance.md asks)."""
    assert response.headers["Content-Type"] == REGISTRY_21
    body = response.get_data()
    assert validate_ml21(body) == []
    root = etree.fromstring(body)
    found = {}
    for entry in root.iter(f"{REG}SubmissionResult"):
        urn = entry.find(f"{REG}SubmittedStructure/{REG}MaintainableObject/URN").text
        status = entry.find(f"{REG}StatusMessage")
        found[urn] = (status.get("status"), int(status.find(f"{REG}MessageText").get("code")))
    return found


def urn(type_: str, package: str, agency: str, id_: str, version: str) -> str:
    return f"urn:sdmx:org.sdmx.infomodel.{package}.{type_}={agency}:{id_}({version})"


def digests(node: Node) -> set[tuple[str, str]]:
    return {(str(a.ref), a.digest) for a in node.store.find_artefacts()}


def read_codelist(response: TestResponse):
    assert response.status_code == 200
    return sdmx.read_sdmx(io.BytesIO(response.get_data())).codelist["CL_YES_NO"]


# --- authorisation matrix ---------------------------------------------------------------

#: Endpoint x method: (method, path, body builder). The code list is stored as a draft first.
ENDPOINTS: dict[str, tuple[str, str, Callable[[], bytes | None]]] = {
    "post": ("POST", "/rest/v2/structure", lambda: message(codelist_element(name="New name"))),
    "post-type": (
        "POST",
        "/rest/v2/structure/codelist",
        lambda: message(codelist_element(name="New name")),
    ),
    "put": ("PUT", YES_NO, lambda: message(codelist_element(name="New name"))),
    "delete": ("DELETE", YES_NO, lambda: None),
}
PRINCIPALS = {
    "none": (None, 401),
    "other-maintainer": ({"role": "maintainer", "agencies": ["ECB"]}, 403),
    "provider": ({"role": "provider", "agencies": ["IMDX"]}, 403),
    "maintainer": ({"role": "maintainer", "agencies": ["IMDX"]}, 200),
    "admin": ({"role": "admin"}, 200),
}
ACTIONS = {"POST": "structure.post", "PUT": "structure.put", "DELETE": "structure.delete"}


@pytest.mark.parametrize("principal", PRINCIPALS)
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_auth_matrix(app: Flask, node: Node, admin: str, endpoint: str, principal: str) -> None:
    client = app.test_client()
    assert post(client, message(codelist_element()), admin).status_code == 201
    before = digests(node)
    audited = len(node.access.list_audit(limit=1000))
    method, path, body = ENDPOINTS[endpoint]
    rights, expected = PRINCIPALS[principal]
    secret = create_token(node, **rights) if rights else None
    headers = {"Content-Type": "application/xml", **bearer(secret)}
    response = client.open(path, method=method, data=body(), headers=headers)
    assert response.status_code == expected, response.data[:400]
    if expected == 200:
        assert results(response)  # a valid SubmitStructureResponse
        assert digests(node) != before
    else:
        assert digests(node) == before
        assert response.headers["Content-Type"].startswith("application/")
    if expected == 401:
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    entries = node.access.list_audit(limit=1000)
    if secret is None:  # anonymous: counted per minute and source, not an entry
        assert len(entries) == audited
        (counted,) = node.access.list_refusals()
        assert (counted["action"], counted["count"]) == (ACTIONS[method], 1)
        return
    assert len(entries) == audited + 1
    latest = entries[0]
    assert latest.action == ACTIONS[method] and latest.status == expected
    assert latest.outcome == ("ok" if expected == 200 else "refused")
    if expected == 200:
        assert sum(latest.counts.values()) == 1


def test_one_artefact_of_a_foreign_agency_refuses_the_whole_request(
    client: FlaskClient, node: Node
) -> None:
    maintainer = create_token(node, role="maintainer", agencies=["IMDX"])
    body = message(codelist_element(), codelist_element(agency="ECB"))
    response = post(client, body, maintainer)
    assert response.status_code == 403
    assert b"ECB" in response.data
    assert digests(node) == set()


# --- create, update, versioning ---------------------------------------------------------


def test_create_then_get_then_update_visible_at_once_also_to_another_worker(
    app: Flask, client: FlaskClient, node: Node, admin: str, database_url: str
) -> None:
    created = post(client, message(codelist_element(name="Yes or no")), admin)
    assert created.status_code == 201
    assert created.headers["Location"] == YES_NO
    assert results(created) == {
        urn("Codelist", "codelist", "IMDX", "CL_YES_NO", "1.0.0"): ("Success", 201)
    }
    # A second node process on the same database, with its own parsed-artefact cache.
    other = create_app({"DATABASE_URL": database_url, "STRUCTURE_DIRS": "", "TESTING": True})
    other_client = other.test_client()
    first = {}
    for name, reader in (("here", client), ("there", other_client)):
        got = reader.get(YES_NO, headers={"Accept": ML21})
        assert str(read_codelist(got).name) == "Yes or no"
        first[name] = got
    updated = post(client, message(codelist_element(name="Answer")), admin)
    assert updated.status_code == 200
    assert list(results(updated).values()) == [("Success", 200)]
    for name, reader in (("here", client), ("there", other_client)):
        got = reader.get(YES_NO, headers={"Accept": ML21})
        assert str(read_codelist(got).name) == "Answer"
        assert got.headers["ETag"] != first[name].headers["ETag"]
        assert got.last_modified > first[name].last_modified
        stale = reader.get(
            YES_NO,
            headers={"Accept": ML21, "If-Modified-Since": first[name].headers["Last-Modified"]},
        )
        assert stale.status_code == 200
    other.extensions["sdmxnode"].store.engine.dispose()


def test_final_artefacts_are_immutable(client: FlaskClient, node: Node, admin: str) -> None:
    assert post(client, message(codelist_element(final=True)), admin).status_code == 201
    before = digests(node)
    changed = post(client, message(codelist_element(final=True, name="Changed")), admin)
    assert changed.status_code == 409
    assert b"publish a new version" in changed.data
    assert list(results(changed).values()) == [("Failure", 409)]
    assert digests(node) == before
    # The same artefact again, even re-indented, is unchanged (200), not a conflict.
    same = post(client, message(codelist_element(final=True)), admin)
    assert same.status_code == 200 and list(results(same).values()) == [("Success", 200)]
    element = codelist_element(final=True)
    for child in element.iter():
        child.tail = "\n      " if child.tail else child.tail
    assert post(client, message(element), admin).status_code == 200
    assert digests(node) == before
    newer = post(
        client, message(codelist_element(version="1.1.0", final=True, name="Changed")), admin
    )
    assert newer.status_code == 201
    assert node.access.list_audit(limit=1)[0].counts["created"] == 1


def test_mixed_batch_is_a_partial_success_stored_in_one_go(
    client: FlaskClient, node: Node, admin: str
) -> None:
    assert post(client, message(codelist_element(final=True)), admin).status_code == 201
    body = message(
        codelist_element(final=True, name="Changed"),
        codelist_element(version="2.0.0", name="Second"),
        codelist_element(version="3.0.0", name="Third"),
    )
    response = post(client, body, admin)
    assert response.status_code == 207
    assert results(response) == {
        urn("Codelist", "codelist", "IMDX", "CL_YES_NO", "1.0.0"): ("Failure", 409),
        urn("Codelist", "codelist", "IMDX", "CL_YES_NO", "2.0.0"): ("Success", 201),
        urn("Codelist", "codelist", "IMDX", "CL_YES_NO", "3.0.0"): ("Success", 201),
    }
    assert {str(a.ref.version) for a in node.store.find_artefacts({"Codelist"})} == {
        "1.0.0",
        "2.0.0",
        "3.0.0",
    }
    entry = node.access.list_audit(limit=1)[0]
    assert entry.status == 207 and entry.counts["created"] == 2 and entry.counts["refused"] == 1
    as_json = post(client, body, admin, headers={"Accept": "application/json"})
    assert as_json.status_code == 207 and as_json.mimetype == "application/json"
    codes = {(r["version"], r["code"], r["result"]) for r in as_json.json["results"]}
    assert codes == {
        ("1.0.0", 409, "refused"),
        ("2.0.0", 200, "unchanged"),
        ("3.0.0", 200, "unchanged"),
    }


def test_unresolved_references_are_refused(client: FlaskClient, node: Node, admin: str) -> None:
    response = post(client, draft(ROOT / "dsd/IMDX-DSD_MIG_STOCK-1.0.0.xml"), admin)
    assert response.status_code == 409
    outcome = results(response)
    assert set(outcome.values()) == {("Failure", 409)}
    assert b"CL_AREA" in response.data  # the missing code list is named
    assert digests(node) == set()


def test_references_resolve_in_the_store_or_the_message(stock_node: Node) -> None:
    stored = {str(a.ref) for a in stock_node.store.find_artefacts({"DataStructure", "Dataflow"})}
    assert "DataStructure=IMDX:DSD_MIG_STOCK(1.0.0)" in stored
    assert "Dataflow=IMDX:DF_MIG_STOCK_IMS(1.0.0)" in stored


def test_type_in_the_url_limits_the_body(client: FlaskClient, node: Node, admin: str) -> None:
    response = post(client, message(codelist_element()), admin, "/rest/v2/structure/dataflow")
    assert response.status_code == 422
    assert digests(node) == set()
    assert (
        post(client, message(codelist_element()), admin, "/rest/v2/structure/nonsense").status_code
        == 422
    )


def test_put_replaces_exactly_the_artefact_of_the_url(
    client: FlaskClient, node: Node, admin: str
) -> None:
    headers = {"Content-Type": "application/xml", **bearer(admin)}
    absent = client.put(YES_NO, data=message(codelist_element()), headers=headers)
    assert absent.status_code == 404
    assert list(results(absent).values()) == [("Failure", 404)]
    assert post(client, message(codelist_element()), admin).status_code == 201
    other = client.put(YES_NO, data=message(codelist_element(version="2.0.0")), headers=headers)
    assert other.status_code == 422
    two = client.put(
        YES_NO, data=message(codelist_element(), codelist_element(version="2.0.0")), headers=headers
    )
    assert two.status_code == 422
    wildcard = client.put(
        YES_NO.replace("1.0.0", "1.0+.0"), data=message(codelist_element()), headers=headers
    )
    assert wildcard.status_code == 422
    replaced = client.put(YES_NO, data=message(codelist_element(name="Replaced")), headers=headers)
    assert replaced.status_code == 200
    assert str(read_codelist(client.get(YES_NO, headers={"Accept": ML21})).name) == "Replaced"


# --- bodies -----------------------------------------------------------------------------


def test_unreadable_bodies(client: FlaskClient, node: Node, admin: str) -> None:
    json_body = post(client, b"{}", admin, headers={"Content-Type": "application/json"})
    assert json_body.status_code == 415 and b"SDMX-JSON" in json_body.data
    assert post(client, b"a,b\n1,2", admin, headers={"Content-Type": "text/csv"}).status_code == 415
    malformed = post(client, b"<mes:Structure", admin)
    assert malformed.status_code == 400
    assert b"the request body is not well-formed XML" in malformed.data
    assert b"the the" not in malformed.data
    assert post(client, b"", admin).status_code == 400
    invalid = codelist_element()
    invalid.remove(invalid.find(f"{{{COM}}}Name"))  # a Codelist needs a name
    response = post(client, message(invalid), admin)
    assert response.status_code == 400
    assert b"line " in response.data and b"Name" in response.data
    assert digests(node) == set()


# --- delete -----------------------------------------------------------------------------


def test_delete(client: FlaskClient, node: Node, admin: str) -> None:
    headers = bearer(admin)
    assert client.delete(YES_NO, headers=headers).status_code == 404
    assert post(client, message(codelist_element()), admin).status_code == 201
    before = client.get("/rest/v2/structure/codelist/IMDX/*/*", headers={"Accept": ML21})
    deleted = client.delete(YES_NO, headers=headers)
    assert deleted.status_code == 200
    assert results(deleted) == {
        urn("Codelist", "codelist", "IMDX", "CL_YES_NO", "1.0.0"): ("Success", 200)
    }
    # Gone: "no results" is 204 on SDMX-REST 2.x (status.md) and 404 on 1.5.
    assert client.get(YES_NO).status_code == 204
    assert client.get("/rest/codelist/IMDX/CL_YES_NO/1.0.0").status_code == 404
    assert client.delete(YES_NO, headers=headers).status_code == 404
    assert client.delete(YES_NO + "/Y", headers=headers).status_code == 501
    recreated = post(client, message(codelist_element(name="Again")), admin)
    assert recreated.status_code == 201
    after = client.get("/rest/v2/structure/codelist/IMDX/*/*", headers={"Accept": ML21})
    assert str(read_codelist(after).name) == "Again"
    assert after.headers["ETag"] != before.headers["ETag"]


def test_delete_refuses_final_artefacts(client: FlaskClient, node: Node, admin: str) -> None:
    assert post(client, message(codelist_element(final=True)), admin).status_code == 201
    response = client.delete(YES_NO, headers=bearer(admin))
    assert response.status_code == 409 and b"final" in response.data
    assert len(digests(node)) == 1


def test_delete_refuses_referenced_artefacts(app: Flask, stock_node: Node, admin: str) -> None:
    client = app.test_client()
    headers = bearer(admin)
    dsd = "/rest/v2/structure/datastructure/IMDX/DSD_MIG_STOCK/1.0.0"
    used = client.delete(dsd, headers=headers)
    assert used.status_code == 409
    assert b"Dataflow=IMDX:DF_MIG_STOCK_IMS(1.0.0)" in used.data
    flow = "/rest/v2/structure/dataflow/IMDX/DF_MIG_STOCK_NAT/1.0.0"
    constrained = client.delete(flow, headers=headers)
    assert constrained.status_code == 409 and b"CC_DF_MIG_STOCK_NAT" in constrained.data
    constraint = "/rest/v2/structure/dataconstraint/IMDX/CC_DF_MIG_STOCK_NAT/1.0.0"
    assert client.delete(constraint, headers=headers).status_code == 200
    assert client.delete(flow, headers=headers).status_code == 200
    assert client.get(flow).status_code == 204
    assert client.get("/rest/dataflow/IMDX/DF_MIG_STOCK_NAT/1.0.0").status_code == 404
    assert client.get(dsd).status_code == 200


def test_delete_refuses_a_dataflow_holding_data(app: Flask, stock_node: Node, admin: str) -> None:
    client = app.test_client()
    headers = bearer(admin)
    data = ROOT / "fixtures/data/IMDX-DF_MIG_STOCK_IMS-1.0.0.xml"
    load_data(stock_node, data, LoadOptions(source=data.name, principal="test"))
    constraint = "/rest/v2/structure/dataconstraint/IMDX/CC_DF_MIG_STOCK_IMS/1.0.0"
    assert client.delete(constraint, headers=headers).status_code == 200
    flow = "/rest/v2/structure/dataflow/IMDX/DF_MIG_STOCK_IMS/1.0.0"
    response = client.delete(flow, headers=headers)
    assert response.status_code == 409 and b"data" in response.data
    assert client.get(flow).status_code == 200
    assert stock_node.access.list_audit(limit=1)[0].outcome == "rejected"


def one_artefact(kind: str, id_: str, change: Callable[[etree._Element], None]) -> bytes:
    """A draft of DSD_MIG_STOCK's file holding only the artefact `kind`/`id_`, changed."""
    tree = etree.fromstring(draft(ROOT / "dsd/IMDX-DSD_MIG_STOCK-1.0.0.xml"))
    structures = tree.find(f"{{{MES}}}Structures")
    for holder in list(structures):
        for element in list(holder):
            if etree.QName(element).localname != kind or element.get("id") != id_:
                holder.remove(element)
        if not len(holder):
            structures.remove(holder)
    change(tree.find(f".//{{{STR}}}{kind}"))
    return etree.tostring(tree, xml_declaration=True, encoding="utf-8")


def test_stored_data_keeps_the_shape_of_its_structure(
    app: Flask, stock_node: Node, admin: str
) -> None:
    """A draft DSD whose dataflow holds data may change its names, not its components; a
    dataflow holding data may not move to another DSD (409, nothing stored)."""
    client = app.test_client()
    headers = {"Content-Type": "application/xml", **bearer(admin)}
    data = ROOT / "fixtures/data/IMDX-DF_MIG_STOCK_IMS-1.0.0.xml"
    load_data(stock_node, data, LoadOptions(source=data.name, principal="test"))
    dsd = "/rest/v2/structure/datastructure/IMDX/DSD_MIG_STOCK/1.0.0"
    world = "/rest/data/IMDX,DF_MIG_STOCK_IMS,1.0.0/A.1.STOCK.FB._T._T._T._T?format=csvdata"
    before, served = digests(stock_node), client.get(world).data

    def drop_attribute(element: etree._Element) -> None:
        attribute = element.find(f".//{{{STR}}}Attribute[@id='COMMENT_OBS']")
        attribute.getparent().remove(attribute)

    reshaped = client.put(dsd, data=one_artefact("DataStructure", "DSD_MIG_STOCK", drop_attribute),
                          headers=headers)  # fmt: skip
    assert reshaped.status_code == 409
    assert b"DF_MIG_STOCK_IMS" in reshaped.data and b"delete that data first" in reshaped.data
    assert digests(stock_node) == before and client.get(world).data == served

    def rename(element: etree._Element) -> None:
        element.find(f"{{{COM}}}Name").text = "Migrant stock, renamed"

    renamed = client.put(dsd, data=one_artefact("DataStructure", "DSD_MIG_STOCK", rename),
                         headers=headers)  # fmt: skip
    assert renamed.status_code == 200, renamed.data[:500]

    def new_version(element: etree._Element) -> None:
        element.set("version", "1.1.0")

    assert post(client, one_artefact("DataStructure", "DSD_MIG_STOCK", new_version),
                admin).status_code == 201  # fmt: skip

    def repoint(element: etree._Element) -> None:
        element.find(f"{{{STR}}}Structure/Ref").set("version", "1.1.0")

    flow = "/rest/v2/structure/dataflow/IMDX/DF_MIG_STOCK_IMS/1.0.0"
    moved = client.put(flow, data=one_artefact("Dataflow", "DF_MIG_STOCK_IMS", repoint),
                       headers=headers)  # fmt: skip
    assert moved.status_code == 409 and b"delete that data first" in moved.data
    nat = "/rest/v2/structure/dataflow/IMDX/DF_MIG_STOCK_NAT/1.0.0"
    no_data = client.put(nat, data=one_artefact("Dataflow", "DF_MIG_STOCK_NAT", repoint),
                         headers=headers)  # fmt: skip
    assert no_data.status_code == 200  # a dataflow without data may move
    assert client.get(world).data == served


# --- corpus -----------------------------------------------------------------------------


@pytest.mark.corpus
def test_corpus_structures_submitted_by_an_admin_are_served(
    client: FlaskClient, node: Node, admin: str, corpus: Path
) -> None:
    body = (corpus / "ECB-EXR-structure-full.xml").read_bytes()
    response = post(client, body, admin, headers={"Content-Type": ML21})
    assert response.status_code == 201
    outcome = results(response)
    assert len(outcome) == 17 and set(outcome.values()) == {("Success", 201)}
    served = client.get(
        "/rest/v2/structure/dataflow/ECB/EXR/1.0?references=all", headers={"Accept": ML21}
    )
    assert served.status_code == 200
    read = sdmx.read_sdmx(io.BytesIO(served.get_data()))
    assert "EXR" in read.dataflow and "ECB_EXR1" in read.structure
    again = post(client, body, admin, headers={"Content-Type": ML21})
    assert again.status_code == 200
    assert node.access.list_audit(limit=1)[0].counts["unchanged"] == 17
