"""The home page's search: words in any order over dataflows, codes and annotations, with
results that open the explorer on codes with data (expected codes read from the code list
and the demo data files, not written here)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import lxml.html
import pytest
import sdmx
from flask.testing import FlaskClient

from sdmxnode.services.pages.search import (
    EXACT,
    INSIDE,
    PREFIX,
    Searchable,
    normalise,
    search_periods,
)
from tests.conftest import PROJECT_ROOT
from tests.pages.conftest import fixture_series, html_of

DSD_FILE = PROJECT_ROOT / "dsd" / "IMDX-DSD_MIG_STOCK-1.0.0.xml"
EXPLORE = "/explore/IMDX/DF_MIG_STOCK_IMS"


def _annotation(code: Any, type_: str) -> str:
    return next(str(a.text.localizations["en"]) for a in code.annotations if a.type == type_)


def _dimensions() -> list[str]:
    dsd = sdmx.read_sdmx(DSD_FILE).structure["DSD_MIG_STOCK"]
    return [d.id for d in dsd.dimensions.components if d.id != "TIME_PERIOD"]


def _hits(client: FlaskClient, query: str) -> list[lxml.html.HtmlElement]:
    response = client.get("/", query_string={"q": query})
    assert response.status_code == 200
    return html_of(response).xpath("//ul[@class='hits']/li")


def _first_href(item: lxml.html.HtmlElement) -> str:
    return item.xpath(".//a")[0].get("href")


def _selected(client: FlaskClient, url: str) -> dict[str, list[str]]:
    """The explorer's chosen codes per dimension (its filters' selected options)."""
    page = html_of(client.get(url))
    return {
        select.get("id")[2:]: [o.get("value") for o in select.xpath(".//option[@selected]")]
        for select in page.xpath("//form[@id='filters']//select[starts-with(@id, 'f-')]")
    }


def test_normalise_drops_case_and_accents() -> None:
    assert normalise("Réunion CÔTE d’Ivoire") == normalise("reunion cote d’ivoire")
    assert normalise("Kénya") == "kenya"


def test_a_word_matches_ids_whole_or_by_their_start_and_names_anywhere() -> None:
    searchable = Searchable.of(["KEN", "404"], ["Kenya", "Eastern Africa"])
    assert searchable.quality("ken") == EXACT
    assert searchable.quality("40") == PREFIX
    assert searchable.quality("east") == PREFIX
    assert searchable.quality("eny") == INSIDE
    assert searchable.quality("04") == 0  # inside an id is no match


def test_migrant_stock_kenya_opens_the_explorer_on_kenya(
    migration_client: FlaskClient, kenya: Any
) -> None:
    hits = _hits(migration_client, "migrant stock Kenya")
    assert hits, "no result"
    first = hits[0]
    href = _first_href(first)
    assert href.startswith(EXPLORE + "?"), href
    link_text = first.xpath(".//a")[0].text_content()
    assert "Kenya" in link_text and "migrant stock" in link_text.lower()
    key = parse_qs(urlsplit(href).query)["key"][0].split(".")
    dimensions = _dimensions()
    assert key[dimensions.index("REF_AREA")] == kenya.id
    # The other dimensions keep the explorer's own default selection.
    default = _selected(migration_client, EXPLORE)
    chosen = _selected(migration_client, href)
    assert chosen["REF_AREA"] == [kenya.id]
    for dimension in dimensions:
        if dimension != "REF_AREA":
            assert chosen[dimension] == default[dimension], dimension
    # ... and the page it opens has Kenya's figures.
    page = html_of(migration_client.get(href))
    assert not page.xpath("//*[@id='no-data']"), "the selection has no data"
    assert page.xpath("//*[@id='chart-data']")


@pytest.mark.parametrize(
    "query", ["Kenya stock migrant", "KENYA MIGRANT STOCK", "kénya stöck migrant"]
)
def test_words_match_in_any_order_case_and_accents_ignored(
    migration_client: FlaskClient, query: str
) -> None:
    expected = _first_href(_hits(migration_client, "migrant stock Kenya")[0])
    assert _first_href(_hits(migration_client, query)[0]) == expected


@pytest.mark.parametrize("annotation", ["M49", "ISO_ALPHA2"])
def test_m49_and_iso_codes_find_kenya(
    migration_client: FlaskClient, kenya: Any, annotation: str
) -> None:
    value = _annotation(kenya, annotation)
    hits = _hits(migration_client, value)
    first = _first_href(hits[0])
    key = parse_qs(urlsplit(first).query)["key"][0].split(".")
    assert kenya.id in key, (value, first)
    codes = [h.text_content() for h in hits if h.text_content().startswith("Code")]
    assert any(kenya.id in text and "CL_AREA" in text for text in codes), codes


def test_every_word_must_match_somewhere(migration_client: FlaskClient) -> None:
    assert _hits(migration_client, "migrant stock Kenya")
    assert _hits(migration_client, "migrant stock Kenya qqzzx") == []


def test_dataflow_results_offer_the_explorer_when_there_is_data(
    migration_client: FlaskClient,
) -> None:
    hits = _hits(migration_client, "migrant stock")
    flows = [h for h in hits if h.text_content().startswith("Dataflow")]
    hrefs = {a.get("href").split("?")[0] for h in flows for a in h.xpath(".//a")}
    assert "/dataflow/IMDX/DF_MIG_STOCK_IMS" in hrefs
    assert EXPLORE in hrefs


def _explored_areas(client: FlaskClient, query: str) -> set[str]:
    """The REF_AREA codes of the results of `query` that open DF_MIG_STOCK_IMS's explorer."""
    position = _dimensions().index("REF_AREA")
    found = set()
    for hit in _hits(client, query):
        href = _first_href(hit)
        if href.startswith(EXPLORE + "?"):
            found.add(parse_qs(urlsplit(href).query)["key"][0].split(".")[position])
    return found


def test_only_codes_with_data_open_the_explorer(migration_client: FlaskClient, areas: Any) -> None:
    held = {s["attributes"]["REF_AREA"] for s in fixture_series()}
    countries = [c for c in areas.items.values() if not c.id.isdigit() and len(c.id) == 3]
    without = [c for c in countries if c.id not in held]
    with_data = [c for c in countries if c.id in held]
    assert without and with_data, "the demo file holds every area of CL_AREA, or none"
    assert with_data[0].id in _explored_areas(migration_client, f"migrant stock {with_data[0].id}")
    code = without[0]
    assert code.id not in _explored_areas(migration_client, f"migrant stock {code.id}")
    # The code itself is still found, in its code list.
    codes = [h.text_content() for h in _hits(migration_client, code.id)]
    assert any(code.id in text and "CL_AREA" in text for text in codes), codes


# --- #21 point 1/2: a year in the search is the explorer's time range ("Kenya 2019")


def _kenya_years(kenya: Any) -> list[str]:
    """The periods of Kenya's series in the demo data file, in order."""
    periods = {
        p
        for s in fixture_series()
        if s["attributes"]["REF_AREA"] == kenya.id
        for p in s["observations"]
    }
    return sorted(periods)


def _query(href: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(href).query)


def test_years_within_the_data_become_the_time_range() -> None:
    assert search_periods(["kenya", "2019"], "1990", "2019") == {
        "startPeriod": "2019",
        "endPeriod": "2019",
    }
    assert search_periods(["2019", "kenya", "2000"], "1990-Q1", "2020-Q4") == {
        "startPeriod": "2000",
        "endPeriod": "2019",
    }
    # A year outside the data, a number that is no year, or data without a span: no range.
    assert search_periods(["kenya", "1850"], "1990", "2019") == {}
    assert search_periods(["404", "20199"], "1990", "2019") == {}
    assert search_periods(["2019"], None, None) == {}


def test_kenya_and_a_year_open_the_explorer_on_that_year(
    migration_client: FlaskClient, kenya: Any
) -> None:
    year = _kenya_years(kenya)[-1]
    hits = _hits(migration_client, f"Kenya {year}")
    first = hits[0]
    assert "data-hit" in first.get("class", "")
    href = _first_href(first)
    assert href.startswith(EXPLORE + "?"), href
    query = _query(href)
    assert query["startPeriod"] == [year] and query["endPeriod"] == [year]
    assert query["key"][0].split(".")[_dimensions().index("REF_AREA")] == kenya.id
    assert year in first.xpath(".//a")[0].text_content()
    # The explorer it opens shows that one year only.
    page = html_of(migration_client.get(href))
    assert not page.xpath("//*[@id='no-data']"), "the selection has no data"
    periods = page.xpath("//table[@id='data-table']/thead//th[@scope='col']/text()")
    assert year in [p.strip() for p in periods]
    assert not {p.strip() for p in periods} & (set(_kenya_years(kenya)) - {year})
    # Kenya's code is still found, the year set aside.
    codes = [h.text_content() for h in hits if h.text_content().startswith("Code")]
    assert any(kenya.id in text and "CL_AREA" in text for text in codes), codes


def test_a_year_alone_offers_the_dataflows_with_data_that_year(
    migration_client: FlaskClient, kenya: Any
) -> None:
    year = _kenya_years(kenya)[-1]
    hits = _hits(migration_client, year)
    flows = [h for h in hits if h.text_content().startswith("Dataflow")]
    explore = [
        a.get("href")
        for h in flows
        for a in h.xpath(".//a")
        if a.get("href").startswith(EXPLORE + "?")
    ]
    assert explore, [h.text_content() for h in hits]
    assert _query(explore[0])["startPeriod"] == [year]
    assert not [h for h in hits if h.text_content().startswith("Code")]


def test_a_year_outside_the_data_is_an_ordinary_word(
    migration_client: FlaskClient, kenya: Any
) -> None:
    before = str(int(_kenya_years(kenya)[0]) - 100)
    response = migration_client.get("/", query_string={"q": f"Kenya {before}"})
    assert response.status_code == 200
    links = html_of(response).xpath("//ul[@class='hits']//a/@href")
    assert not [h for h in links if "startPeriod" in h], links
