"""Provision agreements decide who may report what: provider tokens, constraints, load records."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import select

from sdmxnode.errors import BadRequest
from sdmxnode.services.access import create_token
from sdmxnode.services.data.loading import LoadOptions, load_data
from sdmxnode.services.node import Node
from sdmxnode.storage.tables import loads
from tests.providers.conftest import NSO, UN_DESA, post_data, small_csv


def load_providers(node: Node) -> list[str | None]:
    with node.data.engine.connect() as conn:
        return list(conn.execute(select(loads.c.provider).order_by(loads.c.pk)).scalars())


def test_a_provider_without_an_agreement_is_refused_and_nothing_is_stored(
    providers_app: Flask, providers_node: Node
) -> None:
    other = create_token(providers_node, role="provider", provider="TEST:NOBODY")
    answer = post_data(providers_app.test_client(), other, small_csv())
    assert answer.status_code == 403, answer.data[:500]
    text = answer.get_data(as_text=True)
    assert "TEST:NOBODY has no provision agreement" in text
    assert "IMDX:DF_MIG_STOCK_IMS(1.0.0)" in text
    assert providers_node.data.count_all_observations() == 0
    assert load_providers(providers_node) == []


def test_a_key_outside_the_agreements_constraint_is_refused_whole(
    providers_app: Flask, providers_node: Node, nso_token: str
) -> None:
    # The dataflow allows SEX=M and F; NSO's agreement allows only _T.
    answer = post_data(providers_app.test_client(), nso_token, small_csv())
    assert answer.status_code == 403, answer.data[:500]
    text = answer.get_data(as_text=True)
    assert "SEX=M" in text and "IMDX:PA_NSO(1.0.0)" in text
    assert providers_node.data.count_all_observations() == 0
    assert load_providers(providers_node) == []


def test_a_key_inside_the_constraint_is_stored_as_the_providers_load(
    providers_app: Flask, providers_node: Node, nso_token: str
) -> None:
    answer = post_data(providers_app.test_client(), nso_token, small_csv(sex="_T"))
    assert answer.status_code == 201, answer.data[:500]
    assert providers_node.data.count_all_observations() == 7
    assert load_providers(providers_node) == [NSO]


def test_a_provider_token_writes_no_dataflow_outside_its_agreements(
    providers_app: Flask, providers_node: Node, nso_token: str
) -> None:
    body = b"DATAFLOW,FREQ,REF_AREA,TIME_PERIOD,OBS_VALUE\n"
    answer = providers_app.test_client().post(
        "/rest/data/IMDX,DF_MIG_FLOWS,1.0.0",
        data=body,
        headers={"Authorization": f"Bearer {nso_token}", "Content-Type": "text/csv"},
    )
    assert answer.status_code == 403, answer.data[:500]
    assert "no provision agreement" in answer.get_data(as_text=True)


def test_loads_naming_no_provider_default_to_the_only_agreement(providers_node: Node) -> None:
    # DF_MIG_STOCK_IMS has two agreements here: nothing to default to.
    load_data(providers_node, small_csv(sex="F"), LoadOptions(source="two"))
    # An admin names the provider; the agreement's constraint applies to it too.
    load_data(providers_node, small_csv(sex="_T"), LoadOptions(source="nso", provider=NSO))
    assert load_providers(providers_node) == ["", NSO]


def test_demo_data_are_un_desas(structures_node_with_demo: Node) -> None:
    assert load_providers(structures_node_with_demo) == [UN_DESA]


@pytest.fixture
def structures_node_with_demo(tmp_path) -> Node:
    from sdmxnode.app import create_app
    from tests.conftest import fresh_database, initialise_from_template

    application = create_app({"DATABASE_URL": fresh_database(tmp_path), "TESTING": True})
    node: Node = application.extensions["sdmxnode"]
    initialise_from_template(node)
    return node


@pytest.mark.parametrize(
    "rights",
    [
        {"role": "admin", "provider": NSO},
        {"role": "maintainer", "agencies": ["IMDX"], "provider": NSO},
        {"role": "provider", "provider": NSO, "dataflows": [("IMDX", "DF_MIG_STOCK_IMS", "1.0.0")]},
        {"role": "provider", "provider": "NSO"},
    ],
)
def test_provider_tokens_are_checked_when_created(providers_node: Node, rights: dict) -> None:
    with pytest.raises(BadRequest):
        create_token(providers_node, **rights)


def test_cli_creates_a_provider_token(providers_app: Flask) -> None:
    from sdmxnode.cli.access import token

    url = providers_app.extensions["sdmxnode"].settings.database_url
    result = CliRunner().invoke(
        token,
        ["create", "--role", "provider", "--provider", NSO],
        env={"SDMXNODE_DATABASE_URL": url},
    )
    assert result.exit_code == 0, result.output
    assert f"data provider {NSO}" in result.output


def test_cli_load_names_the_provider_and_its_agreement_applies(
    providers_app: Flask, providers_node: Node, tmp_path
) -> None:
    from sdmxnode.cli import main

    url = providers_node.settings.database_url
    outside, inside = tmp_path / "all.csv", tmp_path / "totals.csv"
    outside.write_bytes(small_csv())
    inside.write_bytes(small_csv(sex="_T"))
    env = {"SDMXNODE_DATABASE_URL": url, "SDMXNODE_DEMO_DATA": ""}
    refused = CliRunner().invoke(main, ["load", "--provider", NSO, str(outside)], env=env)
    assert refused.exit_code == 1, refused.output
    assert "SEX=M" in refused.output
    loaded = CliRunner().invoke(main, ["load", "--provider", NSO, str(inside)], env=env)
    assert loaded.exit_code == 0, loaded.output
    assert load_providers(providers_node) == [NSO]
