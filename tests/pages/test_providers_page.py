"""The providers page: every provision agreement with its provider, dataflow, what the
provider holds there (counted independently here, from the data API) and its registered
sources; linked from every page."""

from __future__ import annotations

import csv
import io

from flask.testing import FlaskClient
from lxml import html

from sdmxnode.services.access import authenticate
from sdmxnode.services.node import Node
from sdmxnode.services.registrations.submission import read_submission, submit_registrations
from tests.providers.conftest import post_data, small_csv
from tests.registrations.conftest import PA_NSO, submit_request

CSV = "application/vnd.sdmx.data+csv;version=2.0.0"
AGREEMENTS = {
    "TEST:NSO": "IMDX:PA_NSO(1.0.0)",
    "IMDX:UN_DESA_POP": "IMDX:PA_UN_DESA_POP_DF_MIG_STOCK_IMS(1.0.0)",
}


def _held(client: FlaskClient, agreement: str) -> tuple[int, int]:
    """(series, observations) the data API serves for one provision agreement."""
    agency, rest = agreement.split(":")
    id_, version = rest.rstrip(")").split("(")
    answer = client.get(
        f"/rest/v2/data/provisionagreement/{agency}/{id_}/{version}/*", headers={"Accept": CSV}
    )
    rows = list(csv.DictReader(io.StringIO(answer.get_data(as_text=True))))
    skip = {"STRUCTURE", "STRUCTURE_ID", "ACTION", "OBS_VALUE", "OBS_STATUS", "TIME_PERIOD"}
    keys = {tuple(v for k, v in sorted(r.items()) if k not in skip) for r in rows}
    return len(keys), len(rows)


def test_the_providers_page_shows_each_agreement_with_its_holdings(
    two_providers: FlaskClient, providers_node: Node, nso_token: str
) -> None:
    nso = authenticate(providers_node, nso_token)
    assert nso is not None
    body = submit_request([("Append", "REG_PAGE", PA_NSO, "http://127.0.0.1:9/rest/v2")])
    submit_registrations(providers_node, read_submission(body), nso)

    page = two_providers.get("/providers?lang=en")
    assert page.status_code == 200
    tree = html.fromstring(page.data)
    table_rows = tree.xpath("//table[@id='providers-table']/tbody/tr")
    # a provider has a row per agreement (UN DESA's demo data: the 2019 and 2017 dataflows)
    by_agreement = {row.get("data-agreement"): row for row in table_rows}
    rows = {
        row.get("data-provider"): row
        for row in table_rows
        if row.get("data-agreement") in AGREEMENTS.values()
    }
    assert set(rows) >= set(AGREEMENTS)
    for provider, agreement in AGREEMENTS.items():
        row = by_agreement[agreement]
        assert row.get("data-provider") == provider
        cells = [c.text_content().strip() for c in row.xpath("td")]
        series, observations = _held(two_providers, agreement)
        assert observations > 0
        assert (int(cells[2]), int(cells[3])) == (series, observations), provider
        assert cells[4].endswith("Z")  # its last load
        assert "DF_MIG_STOCK_IMS" in cells[0]
    assert "REG_PAGE" in rows["TEST:NSO"].text_content()
    assert "REG_PAGE" not in rows["IMDX:UN_DESA_POP"].text_content()
    assert "Population Division" in rows["IMDX:UN_DESA_POP"].xpath("th")[0].text_content()

    home = html.fromstring(two_providers.get("/?lang=en").data)
    assert home.xpath("//nav//a[starts-with(@href, '/providers')]")


def test_the_explorer_shows_two_providers_side_by_side(two_providers: FlaskClient) -> None:
    """NSO's totals and UN DESA's (doubled) for the same keys: one series each, labelled
    with the provider, the values each provider reported."""
    page = two_providers.get("/explore/IMDX/DF_MIG_STOCK_IMS?lang=en")
    assert page.status_code == 200, page.get_data(as_text=True)[:500]
    tree = html.fromstring(page.data)
    assert "2 providers" in tree.xpath("//p[@id='providers']")[0].text_content()
    rows = tree.xpath("//table[@id='data-table']/tbody/tr")
    by_provider: dict[str, dict[str, dict[str, float]]] = {}
    for row in rows:
        values = {
            c.get("data-period"): float(c.get("data-value")) for c in row.xpath("td[@data-value]")
        }
        by_provider.setdefault(row.get("data-provider"), {})[row.get("data-series")] = values
    assert set(by_provider) == set(AGREEMENTS)
    nso, desa = by_provider["TEST:NSO"], by_provider["IMDX:UN_DESA_POP"]
    assert nso and set(nso) == set(desa)
    for key, values in nso.items():
        assert {p: 2 * v for p, v in values.items()} == desa[key], key


def test_the_dataflow_page_names_its_providers(two_providers: FlaskClient) -> None:
    tree = html.fromstring(two_providers.get("/dataflow/IMDX/DF_MIG_STOCK_IMS?lang=en").data)
    rows = tree.xpath("//table[@id='dataflow-providers']/tbody/tr")
    held = {r.get("data-provider"): [c.text_content().strip() for c in r.xpath("td")] for r in rows}
    assert set(held) == set(AGREEMENTS)
    for provider, agreement in AGREEMENTS.items():
        assert held[provider][0] == agreement
        assert (int(held[provider][1]), int(held[provider][2])) == _held(two_providers, agreement)
    empty = html.fromstring(two_providers.get("/dataflow/IMDX/DF_ASY_APPL?lang=en").data)
    assert "No provision agreement names this dataflow" in empty.text_content()


def test_the_comparability_page_shows_both_providers_figures_side_by_side(
    two_providers: FlaskClient,
) -> None:
    """Every key and period both providers report, each provider's figure in its column:
    NSO's totals and UN DESA's, doubled (as loaded; compared with the CSV loaded)."""
    tree = html.fromstring(two_providers.get("/compare/IMDX/DF_MIG_STOCK_IMS?lang=en").data)
    rows = tree.xpath("//table[@id='shared-figures-table']/tbody/tr")
    loaded = list(csv.DictReader(io.StringIO(small_csv(sex="_T").decode())))
    assert len(rows) == len(loaded) > 0
    dims = ("FREQ", "REF_AREA", "MEASURE", "COUNTRY_BIRTH", "CITIZENSHIP", "SEX", "AGE")
    sent = {
        (".".join(r[d] for d in (*dims, "EDUCATION_LEV")), r["TIME_PERIOD"]): r["OBS_VALUE"]
        for r in loaded
    }
    for row in rows:
        given = {
            td.get("data-provider"): td.get("data-value") for td in row.xpath("td[@data-provider]")
        }
        value = int(sent[(row.get("data-series"), row.get("data-period"))])
        assert given == {"TEST:NSO": str(value), "IMDX:UN_DESA_POP": str(2 * value)}


def test_the_comparability_page_has_no_shared_figures_from_one_provider(
    providers_app,
    nso_token: str,  # noqa: ANN001
) -> None:
    client = providers_app.test_client()
    assert post_data(client, nso_token, small_csv(sex="_T")).status_code == 201
    tree = html.fromstring(client.get("/compare/IMDX/DF_MIG_STOCK_IMS?lang=en").data)
    assert tree.xpath("//table[@id='shared-figures-table']") == []
