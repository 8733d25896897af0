"""The mirror-statistics page, through the Flask test client, against pairs computed from the
bilateral fixture itself (csv module)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import BILATERAL_FLOWS, bilateral_app, fresh_database
from tests.pages.conftest import assert_accessible_basics, html_of
from tests.pages.test_page_security import assert_framing_refused_and_no_inline_code

FLOWS = BILATERAL_FLOWS
MIRROR = "/mirror/IMDX/DF_MIG_FLOWS"
DEFINITIONS = ("MIG_DEF_CRITERION", "SOURCE_TYPE")


@pytest.fixture(scope="module")
def mirror_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """A fresh node with the project's structures, the demo data and the bilateral flows."""
    application = bilateral_app(fresh_database(tmp_path_factory.mktemp("mirror-page")))
    yield application
    application.extensions["sdmxnode"].store.engine.dispose()


@pytest.fixture
def mirror_client(mirror_app: Flask) -> FlaskClient:
    return mirror_app.test_client()


def _reports() -> list[dict[str, str]]:
    """The fixture's flows between two countries (partner totals have no mirror)."""
    with FLOWS.open(encoding="utf-8") as handle:
        return [row for row in csv.DictReader(handle) if row["PREV_NEXT_RES"] != "_T"]


def _expected(country: str) -> dict[tuple[str, str, str], dict]:
    """(partner, period, inflow|outflow) -> both reports and definitions, seen from `country`."""
    corridors: dict[tuple[str, str, str], dict] = {}
    for row in _reports():
        reporter, partner = row["REF_AREA"], row["PREV_NEXT_RES"]
        if country not in (reporter, partner):
            continue
        immigration = row["FLOW_TYPE"] == "IMM"
        destination = reporter if immigration else partner
        other = partner if reporter == country else reporter
        direction = "inflow" if destination == country else "outflow"
        side = "immigration" if immigration else "emigration"
        entry = corridors.setdefault((other, row["TIME_PERIOD"], direction), {})
        entry[side] = float(row["OBS_VALUE"])
        entry[f"{side}_definition"] = {name: row[name] for name in DEFINITIONS}
    return corridors


def _countries() -> set[str]:
    return {row["REF_AREA"] for row in _reports()} | {row["PREV_NEXT_RES"] for row in _reports()}


def _table(page) -> dict[tuple[str, str, str], dict]:
    """The page's table: (partner, period, direction) -> the cells' values."""
    found = {}
    for tr in page.xpath("//table[@id='mirror-table']/tbody/tr"):
        cells: dict = {"status": tr.get("data-status")}
        for side in ("immigration", "emigration", "difference", "ratio"):
            (td,) = tr.xpath(f"td[contains(concat(' ', @class, ' '), ' {side} ')]")
            cells[side] = float(td.get("data-value")) if td.get("data-value") else None
        for side in ("immigration", "emigration"):
            cells[f"{side}_definition"] = {
                name: tr.xpath(f"td[contains(@class, '{side}-{name}')]")[0].get("data-code")
                for name in DEFINITIONS
            }
            cells[f"{side}_differs"] = {
                name
                for name in DEFINITIONS
                if "differs" in tr.xpath(f"td[contains(@class, '{side}-{name}')]")[0].get("class")
            }
        key = (tr.get("data-partner"), tr.get("data-period"), tr.get("data-direction"))
        assert key not in found, key
        found[key] = cells
    return found


@pytest.mark.parametrize("country", sorted(_countries()))
def test_table_matches_the_fixture(mirror_client: FlaskClient, country: str) -> None:
    response = mirror_client.get(f"{MIRROR}?country={country}")
    assert response.status_code == 200
    table = _table(html_of(response))
    expected = _expected(country)
    assert set(table) == set(expected)
    for key, sides in expected.items():
        cells = table[key]
        imm, emi = sides.get("immigration"), sides.get("emigration")
        assert cells["immigration"] == imm, key
        assert cells["emigration"] == emi, key
        if imm is not None and emi is not None:
            assert cells["difference"] == imm - emi, key
            assert cells["ratio"] == pytest.approx(imm / emi), key
            assert cells["status"] == "paired"
            differing = {
                name
                for name in DEFINITIONS
                if sides["immigration_definition"][name] != sides["emigration_definition"][name]
            }
            assert cells["immigration_differs"] == cells["emigration_differs"] == differing, key
        else:
            assert cells["difference"] is None and cells["ratio"] is None, key
            assert cells["status"] == (
                "no_emigration_report" if imm is not None else "no_immigration_report"
            )
        for side in ("immigration", "emigration"):
            given = sides.get(f"{side}_definition")
            shown = cells[f"{side}_definition"]
            assert shown == (given or dict.fromkeys(DEFINITIONS, "")), (key, side)


def test_the_left_out_reports_show_as_missing(mirror_client: FlaskClient) -> None:
    table = _table(html_of(mirror_client.get(f"{MIRROR}?country=POL")))
    # ESP did not report its 2021 emigration to POL (fixtures/checks/README.md)
    assert table[("ESP", "2021", "inflow")]["status"] == "no_emigration_report"
    assert table[("ESP", "2021", "inflow")]["immigration"] is not None


def test_chart_data_holds_every_report_of_the_country(mirror_client: FlaskClient) -> None:
    page = html_of(mirror_client.get(f"{MIRROR}?country=DEU"))
    data = json.loads(page.get_element_by_id("mirror-data").text)
    assert data["country"] == "DEU"
    points = {
        (c["partner"], c["direction"], side, period): value
        for c in data["corridors"]
        for side in ("immigration", "emigration")
        for period, value in c[side].items()
    }
    expected = {
        (partner, direction, side, period): sides[side]
        for (partner, period, direction), sides in _expected("DEU").items()
        for side in ("immigration", "emigration")
        if side in sides
    }
    assert points == expected
    deu_reports = [r for r in _reports() if "DEU" in (r["REF_AREA"], r["PREV_NEXT_RES"])]
    assert len(points) == len(deu_reports)


def test_page_is_accessible_and_links_the_reports(mirror_client: FlaskClient) -> None:
    page = html_of(mirror_client.get(f"{MIRROR}?country=ESP"))
    assert_accessible_basics(page)
    assert "Spain" in page.findtext(".//h1")
    assert page.xpath("//select[@id='country']/option[@selected]/@value") == ["ESP"]
    for link_id, fmt in (("json-link", None), ("csv-link", "csv")):
        href = page.get_element_by_id(link_id).get("href")
        parts = urlsplit(href)
        assert parts.path == "/checks/mirror/IMDX/DF_MIG_FLOWS"
        query = parse_qs(parts.query)
        assert query["country"] == ["ESP"]
        assert query.get("format") == ([fmt] if fmt else None)
        answer = mirror_client.get(href)
        assert answer.status_code == 200
        if fmt == "csv":
            assert answer.mimetype == "text/csv"
            assert len(answer.get_data(as_text=True).splitlines()) == 1 + len(_expected("ESP"))
        else:
            assert answer.get_json()["count"] == len(_expected("ESP"))
        answer.close()


def test_without_country_a_chooser_of_the_countries(mirror_client: FlaskClient) -> None:
    response = mirror_client.get(MIRROR)
    assert response.status_code == 200
    page = html_of(response)
    assert_accessible_basics(page)
    listed = {li.get("data-country") for li in page.xpath("//ul[@id='country-list']/li")}
    assert listed == _countries()
    options = set(page.xpath("//select[@id='country']/option/@value")) - {""}
    assert options == _countries()
    assert not page.xpath("//table[@id='mirror-table']")
    for li in page.xpath("//ul[@id='country-list']/li"):
        count = len(_expected(li.get("data-country")))
        assert f"{count} corridor-years" in li.text_content()


def test_unknown_dataflow_is_a_404_page(mirror_client: FlaskClient) -> None:
    response = mirror_client.get("/mirror/IMDX/DF_NOT_THERE?country=DEU")
    assert response.status_code == 404
    assert html_of(response).xpath("//p[@role='alert']")


def test_a_dataflow_without_bilateral_flows_is_refused(mirror_client: FlaskClient) -> None:
    response = mirror_client.get("/mirror/IMDX/DF_MIG_STOCK_IMS?country=DEU")
    assert response.status_code in (400, 403)
    alert = html_of(response).xpath("//p[@role='alert']")[0].text_content()
    assert "bilateral" in alert


def test_a_country_that_is_not_a_code_is_a_400_page(mirror_client: FlaskClient) -> None:
    response = mirror_client.get(f"{MIRROR}?country=NOT_A_CODE")
    assert response.status_code == 400
    assert html_of(response).xpath("//p[@role='alert']")


@pytest.mark.parametrize("page_path", ["/dataflow/IMDX/{id}", "/compare/IMDX/{id}"])
def test_only_bilateral_dataflows_link_the_page(mirror_client: FlaskClient, page_path: str) -> None:
    def links(flow: str) -> list[str]:
        page = html_of(mirror_client.get(page_path.format(id=flow)))
        return page.xpath("//nav[@class='tabs']//a[contains(@href, '/mirror/')]/@href")

    (link,) = links("DF_MIG_FLOWS")
    assert urlsplit(link).path == MIRROR
    assert links("DF_MIG_STOCK_IMS") == []


def test_the_mirror_page_has_no_inline_code_for_its_policy(mirror_client: FlaskClient) -> None:
    response = mirror_client.get(f"{MIRROR}?country=POL")
    assert response.status_code == 200
    assert_framing_refused_and_no_inline_code(response)


@pytest.mark.parametrize("language", ["en", "fr", "ar"])
def test_ratios_keep_three_decimals_in_the_locale(
    mirror_client: FlaskClient, language: str
) -> None:
    """A ratio shows three decimals (trailing zeros kept) with the locale's decimal sign."""
    from babel.numbers import format_decimal

    page = html_of(mirror_client.get(f"{MIRROR}?country=DEU&lang={language}"))
    cells = page.xpath(
        "//table[@id='mirror-table']/tbody/tr/td[contains(concat(' ', @class, ' '), ' ratio ')]"
    )
    shown = [td for td in cells if td.get("data-value")]
    assert shown
    for td in shown:
        expected = format_decimal(float(td.get("data-value")), format="#,##0.000", locale=language)
        assert td.text_content().strip() == expected
