"""Data kept per data provider: the same key and period from two providers, each selected
by its provision agreement (2.x) or providerRef (1.5)."""

from __future__ import annotations

import csv
import io

import pytest
import sdmx
from flask import Flask
from flask.testing import FlaskClient

from sdmxnode.services.node import Node
from tests.providers.conftest import post_data, small_csv

CSV = {"Accept": "application/vnd.sdmx.data+csv;version=2.0.0"}
WORLD_1990 = "A.1.STOCK.FB._T._T._T._T"


def values(client: FlaskClient, path: str) -> dict[tuple[str, str], str]:
    """(series key, period) -> value of an SDMX-CSV 2.0 answer."""
    answer = client.get(path, headers=CSV)
    assert answer.status_code == 200, answer.data[:500]
    rows = list(csv.DictReader(io.StringIO(answer.get_data(as_text=True))))
    dims = ["FREQ", "REF_AREA", "MEASURE", "COUNTRY_BIRTH", "CITIZENSHIP", "SEX", "AGE"]
    dims.append("EDUCATION_LEV")
    return {(".".join(r[d] for d in dims), r["TIME_PERIOD"]): r["OBS_VALUE"] for r in rows}


def test_both_providers_values_are_stored(two_providers: FlaskClient, providers_node: Node):
    assert providers_node.data.count_all_observations() == 14


def test_a_provision_agreement_query_returns_its_providers_values_alone(
    two_providers: FlaskClient,
) -> None:
    nso = values(two_providers, "/rest/v2/data/provisionagreement/IMDX/PA_NSO/1.0.0/*")
    desa = values(
        two_providers,
        "/rest/v2/data/provisionagreement/IMDX/PA_UN_DESA_POP_DF_MIG_STOCK_IMS/1.0.0/*",
    )
    assert len(nso) == len(desa) == 7
    assert nso[(WORLD_1990, "1990")] == "153011473"
    assert desa[(WORLD_1990, "1990")] == "306022946"


@pytest.mark.parametrize(
    ("provider_ref", "expected"),
    [("IMDX,UN_DESA_POP", "306022946"), ("NSO", "153011473"), ("TEST,NSO", "153011473")],
)
def test_a_15_provider_ref_selects_one_provider(
    two_providers: FlaskClient, provider_ref: str, expected: str
) -> None:
    found = values(two_providers, f"/rest/data/IMDX,DF_MIG_STOCK_IMS,1.0.0/all/{provider_ref}")
    assert len(found) == 7
    assert found[(WORLD_1990, "1990")] == expected


def test_a_provider_ref_without_data_finds_nothing(two_providers: FlaskClient) -> None:
    answer = two_providers.get("/rest/data/IMDX,DF_MIG_STOCK_IMS,1.0.0/all/OTHER", headers=CSV)
    assert answer.status_code == 404


def test_a_providers_replacement_leaves_the_other_providers_data(
    two_providers: FlaskClient, providers_node: Node, nso_token: str
) -> None:
    one_row = b"\n".join(small_csv(sex="_T").splitlines()[:2]) + b"\n"
    answer = post_data(two_providers, nso_token, one_row, method="PUT")
    assert answer.status_code == 200, answer.data[:500]
    nso = values(two_providers, "/rest/v2/data/provisionagreement/IMDX/PA_NSO/1.0.0/*")
    assert list(nso) == [(WORLD_1990, "1990")]
    desa = values(two_providers, "/rest/data/IMDX,DF_MIG_STOCK_IMS,1.0.0/all/UN_DESA_POP")
    assert len(desa) == 7


def test_a_providers_key_deletion_leaves_the_other_providers_data(
    two_providers: FlaskClient, nso_token: str
) -> None:
    answer = two_providers.delete(
        f"/rest/data/IMDX,DF_MIG_STOCK_IMS,1.0.0/{WORLD_1990}",
        headers={"Authorization": f"Bearer {nso_token}"},
    )
    assert answer.status_code == 200, answer.data[:500]
    nso = two_providers.get("/rest/data/IMDX,DF_MIG_STOCK_IMS,1.0.0/all/NSO", headers=CSV)
    assert nso.status_code == 404
    desa = values(two_providers, "/rest/data/IMDX,DF_MIG_STOCK_IMS,1.0.0/all/UN_DESA_POP")
    assert len(desa) == 7


def test_availability_of_a_provision_agreement_counts_its_providers_data(
    providers_app: Flask, nso_token: str, desa_token: str
) -> None:
    client = providers_app.test_client()
    assert post_data(client, nso_token, small_csv(sex="_T")).status_code == 201
    assert post_data(client, desa_token, small_csv(sex="F")).status_code == 200
    json_accept = {"Accept": "application/vnd.sdmx.structure+json;version=2.0.0"}
    sexes = {}
    for agreement in ("PA_NSO", "PA_UN_DESA_POP_DF_MIG_STOCK_IMS"):
        answer = client.get(
            f"/rest/v2/availability/provisionagreement/IMDX/{agreement}/1.0.0/*/SEX",
            headers=json_accept,
        )
        assert answer.status_code == 200, answer.data[:500]
        text = answer.get_data(as_text=True)
        sexes[agreement] = {code for code in ("_T", "F", "M") if f'"{code}"' in text}
    assert sexes == {"PA_NSO": {"_T"}, "PA_UN_DESA_POP_DF_MIG_STOCK_IMS": {"F"}}


def test_the_schema_of_a_provision_agreement_is_its_dataflows(providers_app: Flask) -> None:
    answer = providers_app.test_client().get(
        "/rest/v2/schema/provisionagreement/IMDX/PA_NSO/1.0.0",
        headers={"Accept": "application/vnd.sdmx.schema+xml;version=3.0.0"},
    )
    assert answer.status_code == 200, answer.data[:500]
    assert b"DataSetType" in answer.data


def test_another_providers_series_attributes_do_not_complete_a_providers_series(
    providers_app: Flask, nso_token: str, desa_token: str
) -> None:
    client = providers_app.test_client()
    assert post_data(client, nso_token, small_csv(sex="_T")).status_code == 201
    lines = small_csv(sex="_T").decode().splitlines()
    at = lines[0].split(",").index("UNIT_MULT")
    blanked = [lines[0]] + [
        ",".join("" if i == at else cell for i, cell in enumerate(line.split(",")))
        for line in lines[1:]
    ]
    answer = post_data(client, desa_token, ("\n".join(blanked) + "\n").encode())
    assert answer.status_code == 400, answer.data[:500]
    assert "UNIT_MULT" in answer.get_data(as_text=True)


@pytest.mark.parametrize("references", ["dataproviderscheme", "all"])
def test_availability_names_the_providers_with_data(
    two_providers: FlaskClient, references: str
) -> None:
    """`references=dataproviderscheme` (and `all`): the provider schemes of the matching data,
    each holding only the providers with data (1.5 `availableconstraint`, and 2.x)."""

    def providers(path: str) -> set[str]:
        answer = two_providers.get(path)
        assert answer.status_code == 200, answer.data[:500]
        message = sdmx.read_sdmx(io.BytesIO(answer.data))
        return {
            f"{scheme.maintainer.id}:{provider}"
            for scheme in message.organisation_scheme.values()
            for provider in scheme.items
        }

    flow = "IMDX,DF_MIG_STOCK_IMS,1.0.0"
    both = providers(f"/rest/availableconstraint/{flow}/all/all?references={references}")
    assert both == {"IMDX:UN_DESA_POP", "TEST:NSO"}
    one = f"/rest/availableconstraint/{flow}/all/UN_DESA_POP?references={references}"
    assert providers(one) == {"IMDX:UN_DESA_POP"}
    v2 = "/rest/v2/availability/dataflow/IMDX/DF_MIG_STOCK_IMS/1.0.0/*/*"
    answer = two_providers.get(
        f"{v2}?references=dataproviderscheme",
        headers={"Accept": "application/vnd.sdmx.structure+xml;version=2.1"},
    )
    assert answer.status_code == 200 and b"DataProviderScheme" in answer.data
