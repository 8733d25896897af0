"""The 2017 origin-by-destination data as the node holds and serves them: stored values
against the source table, the two views (one origin, one destination), both revisions side
by side, and the aggregate check over the bilateral data."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from lxml import etree

from sdmxnode.authoring.ims2017_names import AREA_NAMES
from tests.conftest import PROJECT_ROOT
from tests.storage.test_query_plans import explain, series_by_index

FLOW = "/rest/data/IMDX,DF_MIG_STOCK_IMS2017,1.0.0"
FLOW_V2 = "/rest/v2/data/dataflow/IMDX/DF_MIG_STOCK_IMS2017/1.0.0"
CORRIDORS = [
    ("United Arab Emirates", "ARE", "India", "IND"),
    ("USA", "USA", "Mexico", "MEX"),
    ("Uganda", "UGA", "Kenya", "KEN"),
]


@pytest.fixture
def client(ims2017_app: Flask) -> FlaskClient:
    return ims2017_app.test_client()


def _csv(client: FlaskClient, url: str) -> list[dict[str, str]]:
    answer = client.get(url, headers={"Accept": "application/vnd.sdmx.data+csv;version=1.0.0"})
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    return list(csv.DictReader(io.StringIO(answer.get_data(as_text=True))))


def _figures(rows: list[dict[str, str]]) -> dict[tuple[str, str, str], int]:
    return {
        (row["REF_AREA"], row["COUNTRY_BIRTH"], row["TIME_PERIOD"]): int(row["OBS_VALUE"])
        for row in rows
    }


def test_corridors_equal_the_figures_published_in_the_table(client: FlaskClient) -> None:
    """Figures of the 2017 table, as published (UN DESA, POP/DB/MIG/Stock/Rev.2017)."""
    published = {
        ("ARE", "IND", "1990"): 458294,
        ("ARE", "IND", "2017"): 3310419,
        ("USA", "MEX", "1990"): 4298014,
        ("USA", "MEX", "2017"): 12683066,
        ("UGA", "KEN", "1990"): 33424,
        ("UGA", "KEN", "2017"): 61501,
    }
    keys = "+".join(sorted({a for a, _, _ in published})), "+".join({o for _, o, _ in published})
    stored = _figures(_csv(client, f"{FLOW}/A.{keys[0]}.STOCK.{keys[1]}._T._T._T._T"))
    assert {key: stored.get(key) for key in published} == published


def test_corridors_and_every_destination_total_equal_the_source_table(
    client: FlaskClient, ims2017_table: list[list[str]]
) -> None:
    header, rows = ims2017_table[0], ims2017_table[1:]
    stored = _figures(_csv(client, f"{FLOW}/A..STOCK.FB+IND+MEX+KEN._T._T._T._T"))
    cell = {(row[0], row[1]): row for row in rows}
    for destination, area, origin, code in CORRIDORS:
        for year in ("1990", "2017"):
            expected = int(cell[(year, destination)][header.index(origin)])
            assert stored[(area, code, year)] == expected, (destination, origin, year)
    checked = 0
    for (year, name), row in cell.items():
        if name in AREA_NAMES:  # groupings without a CL_AREA code are left out
            assert stored[(AREA_NAMES[name], "FB", year)] == int(row[2]), (name, year)
            checked += 1
    assert checked > 1800  # 261 destinations in 7 years, less the rows a name shares


def test_one_origin_across_all_destinations(
    client: FlaskClient, ims2017_table: list[list[str]]
) -> None:
    header, rows = ims2017_table[0], ims2017_table[1:]
    kenya = header.index("Kenya")
    expected = {
        (AREA_NAMES[row[1]], row[0]): int(row[kenya])
        for row in rows
        if row[1] in AREA_NAMES and row[1] != "Micronesia" and row[kenya].strip()
    }
    stored = _figures(_csv(client, f"{FLOW_V2}/A.*.STOCK.KEN._T._T._T._T"))
    got = {
        (area, year): value
        for (area, _, year), value in stored.items()
        if area not in ("FSM", "57")
    }
    assert got == expected
    assert {origin for _, origin, _ in stored} == {"KEN"}


def test_one_destination_across_all_origins_adds_up_to_its_total(client: FlaskClient) -> None:
    stored = _figures(_csv(client, f"{FLOW_V2}/A.UGA.STOCK.*._T._T._T._T?c[TIME_PERIOD]=ge:2017"))
    total = stored.pop(("UGA", "FB", "2017"))
    assert total == 1692120
    assert len(stored) > 200  # every origin column, zeros included
    assert sum(stored.values()) == total
    assert stored[("UGA", "SSD", "2017")] > 0


def test_both_revisions_are_told_apart_by_dataflow_and_revision(client: FlaskClient) -> None:
    key = "A.UGA.STOCK.FB._T._T._T._T"
    ims2019 = _csv(client, f"/rest/data/IMDX,DF_MIG_STOCK_IMS,1.0.0/{key}")
    ims2017 = _csv(client, f"{FLOW}/{key}")
    assert {row["REVISION"] for row in ims2019} == {"IMS2019"}
    assert {row["REVISION"] for row in ims2017} == {"IMS2017"}
    by_year_2019 = {row["TIME_PERIOD"]: int(row["OBS_VALUE"]) for row in ims2019}
    by_year_2017 = {row["TIME_PERIOD"]: int(row["OBS_VALUE"]) for row in ims2017}
    assert "2019" in by_year_2019 and "2017" in by_year_2017
    assert by_year_2019["1990"] != by_year_2017["1990"]  # revisions change history


def test_the_data_come_from_un_desa_through_its_agreement(client: FlaskClient) -> None:
    url = (
        "/rest/v2/data/provisionagreement/IMDX/PA_UN_DESA_POP_DF_MIG_STOCK_IMS2017/1.0/"
        "A.UGA.STOCK.KEN._T._T._T._T"
    )
    rows = _csv(client, url)
    assert {row["TIME_PERIOD"] for row in rows} == {
        "1990",
        "1995",
        "2000",
        "2005",
        "2010",
        "2015",
        "2017",
    }


def destination_years(table: list[list[str]]) -> int:
    """The (destination, year) rows of the table with a total and a CL_AREA code."""
    return sum(1 for row in table[1:] if row[1] in AREA_NAMES and row[2].strip())


def test_origins_add_up_to_every_destination_total_and_regions_to_their_members(
    client: FlaskClient, ims2017_table: list[list[str]]
) -> None:
    answer = client.get("/checks/aggregates/IMDX/DF_MIG_STOCK_IMS2017/1.0.0")
    assert answer.status_code == 200
    results = json.loads(answer.get_data(as_text=True))["results"]
    mismatches = [r for r in results if r["status"] == "mismatch"]
    assert mismatches == []
    totals = [r for r in results if r["dimension"] == "COUNTRY_BIRTH" and r["aggregate"] == "FB"]
    # every destination with a CL_AREA code and a total, in every year it has one
    assert len(totals) == destination_years(ims2017_table)
    assert all(r["status"] == "ok" and r["difference"] == 0 for r in totals)
    uganda = next(
        r for r in totals if r["series_key"].startswith("A.UGA.") and r["period"] == "2017"
    )
    assert {"OTH_NORTH", "OTH_SOUTH", "KEN"} <= set(uganda["members"])
    regions = [r for r in results if r["dimension"] == "REF_AREA" and r["status"] == "ok"]
    assert any(r["aggregate"] == "2" for r in regions)  # Africa = its sub-regions, by origin


def _page(client: FlaskClient, url: str) -> etree._Element:
    answer = client.get(url)
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    return etree.HTML(answer.get_data())


def _row_values(table: etree._Element, code: str) -> dict[str, float]:
    row = table.find(f".//tr[@data-code='{code}']")
    assert row is not None, code
    return {
        td.get("data-period"): float(td.get("data-value"))
        for td in row.iter("td")
        if td.get("data-period")
    }


def test_the_origins_page_shows_where_emigrants_live_and_immigrants_come_from(
    client: FlaskClient,
) -> None:
    page = _page(client, "/origins/IMDX/DF_MIG_STOCK_IMS2017?country=KEN")
    emigrants = page.find(".//table[@id='emigrants-table']")
    immigrants = page.find(".//table[@id='immigrants-table']")
    # the figures are the stored ones: Kenya-born in Uganda, Uganda-born in Kenya
    stored = _figures(_csv(client, f"{FLOW}/A.UGA+KEN.STOCK.KEN+UGA._T._T._T._T"))
    assert _row_values(emigrants, "UGA") == {
        year: value
        for (area, origin, year), value in stored.items()
        if (area, origin) == ("UGA", "KEN")
    }
    assert _row_values(immigrants, "UGA") == {
        year: value
        for (area, origin, year), value in stored.items()
        if (area, origin) == ("KEN", "UGA")
    }
    # ranked by the latest period, largest first, countries only
    latest = [
        float(row.find("td[@data-period='2017']").get("data-value"))
        for row in emigrants.findall(".//tbody/tr[@data-code]")
        if row.get("data-code") not in ("total",)
        and row.find("td[@data-period='2017']") is not None
        and "residual" not in (row.get("class") or "")
    ]
    assert latest == sorted(latest, reverse=True) and len(latest) == 15
    codes = [row.get("data-code") for row in emigrants.findall(".//tbody/tr")]
    assert "1" not in codes[:15] and codes[-1] == "total"
    assert _row_values(emigrants, "total")["2017"] == stored_world(client, "KEN")
    assert {"OTH_NORTH", "OTH_SOUTH"} <= {
        row.get("data-code") for row in immigrants.findall(".//tr")
    }
    assert page.find(".//*[@id='emigrants-data']") is not None  # the chart's figures


def stored_world(client: FlaskClient, origin: str) -> float:
    rows = _csv(client, f"{FLOW}/A.1.STOCK.{origin}._T._T._T._T?startPeriod=2017")
    return float(rows[0]["OBS_VALUE"])


def test_a_corridor_is_shown_from_both_ends(client: FlaskClient) -> None:
    page = _page(client, "/origins/IMDX/DF_MIG_STOCK_IMS2017?country=KEN&partner=UGA")
    table = page.find(".//table[@id='corridor-table']")
    out = {
        td.get("data-period"): float(td.get("data-value"))
        for td in table.find(".//tr[@data-direction='out']").iter("td")
        if td.get("data-period")
    }
    back = {
        td.get("data-period"): float(td.get("data-value"))
        for td in table.find(".//tr[@data-direction='in']").iter("td")
        if td.get("data-period")
    }
    assert out["1990"] == 33424 and out["2017"] == 61501  # Kenya-born in Uganda (table)
    assert back == _row_values(page.find(".//table[@id='immigrants-table']"), "UGA")
    links = [a.get("href") for a in page.iter("a")]
    assert any("country=UGA" in (h or "") and "partner=KEN" in (h or "") for h in links)


def test_the_origins_page_refuses_what_it_cannot_show(client: FlaskClient) -> None:
    assert client.get("/origins/IMDX/DF_MIG_STOCK_IMS2017?country=ATLANTIS").status_code == 400
    assert (
        client.get("/origins/IMDX/DF_MIG_STOCK_IMS2017?country=KEN&partner=KEN").status_code == 400
    )
    # the 2019 data hold the foreign-born total only: no origins to show
    assert client.get("/origins/IMDX/DF_MIG_STOCK_IMS").status_code in (400, 403)
    listing = _page(client, "/origins/IMDX/DF_MIG_STOCK_IMS2017")
    countries = {li.get("data-country") for li in listing.iter("li") if li.get("data-country")}
    assert {"KEN", "UGA", "USA", "MEX"} <= countries and "1" not in countries
    dataflow = client.get("/dataflow/IMDX/DF_MIG_STOCK_IMS2017").get_data(as_text=True)
    assert "/origins/IMDX/DF_MIG_STOCK_IMS2017" in dataflow


def test_the_readme_queries_of_the_demo_data_answer(client: FlaskClient) -> None:
    """Every `curl` of the README's "The demo data" section, against a node holding both
    editions: each answers with the figures it says."""
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### The demo data", 1)[1].split("\n### ", 1)[0]
    commands = [
        line
        for block in re.findall(r"```sh\n(.+?)\n```", section, re.S)
        for line in block.splitlines()
        if line.startswith("curl ")
    ]
    assert len(commands) == 5
    answers = []
    for command in commands:
        url = re.search(r"http://127\.0\.0\.1:8000(/\S*?)'", command)
        assert url is not None, command
        answer = client.get(url.group(1))
        assert answer.status_code == 200, (command, answer.get_data()[:300])
        answers.append(list(csv.DictReader(io.StringIO(answer.get_data(as_text=True)))))
    emigrants, immigrants, corridor, total_2017, total_2019 = answers
    assert {row["COUNTRY_BIRTH"] for row in emigrants} == {"KEN"}
    assert len({row["REF_AREA"] for row in emigrants}) > 200
    assert {row["TIME_PERIOD"] for row in immigrants} == {"2017"}
    assert {row["COUNTRY_BIRTH"] for row in immigrants} >= {"FB", "KEN", "OTH_SOUTH"}
    assert {(row["REF_AREA"], row["COUNTRY_BIRTH"]) for row in corridor} == {
        ("UGA", "KEN"),
        ("KEN", "UGA"),
    }
    assert {row["REVISION"] for row in total_2017} == {"IMS2017"}
    assert {row["REVISION"] for row in total_2019} == {"IMS2019"}


@pytest.mark.parametrize(
    ("key", "index"),
    [
        ("A.*.STOCK.KEN._T._T._T._T", "ix_series_d3"),  # one origin, all destinations
        ("A.UGA.STOCK.*._T._T._T._T", "ix_series_d1"),  # one destination, all origins
    ],
)
@pytest.mark.parametrize("series_first", [False, True], ids=["plain", "series-first"])
def test_the_bilateral_views_find_their_series_by_the_fixed_country(
    ims2017_app: Flask, key: str, index: str, series_first: bool
) -> None:
    """Issue 23: the origin is the fourth key position; with the statistics `sdmxnode
    init` refreshed after loading the bilateral data, the planner takes its index, not
    one of the positions every series shares (FREQ, MEASURE, SEX...). So it does in the
    series-first form PostgreSQL tries such an answer in (issue 19), which then sorts
    each series' observations as they come, presorted by series key, not the whole
    answer at its end."""
    flow = "IMDX,DF_MIG_STOCK_IMS2017,1.0.0"
    plan = explain(ims2017_app, key.replace("*", ""), flow, series_first=series_first)
    assert index in plan, plan
    assert series_by_index(ims2017_app, plan), plan
    if series_first and ims2017_app.extensions["sdmxnode"].store.engine.dialect.name != "sqlite":
        assert "Incremental Sort" in plan and "Presorted Key: series.series_key" in plan, plan


def test_loading_the_bilateral_data_refreshed_the_planners_statistics(ims2017_app: Flask) -> None:
    """The load that added 61,000 series analysed the data tables itself (on PostgreSQL
    both, whose estimate of the observations taken before the load made it read the whole
    table for one origin; on SQLite the series), rather than waiting for autovacuum."""
    from sqlalchemy import text

    engine = ims2017_app.extensions["sdmxnode"].store.engine
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            analysed = dict(
                conn.execute(
                    text(
                        "SELECT relname, last_analyze FROM pg_stat_user_tables "
                        "WHERE relname IN ('series', 'observations') "
                        "AND schemaname = current_schema()"
                    )
                ).all()
            )
            assert analysed.get("series") is not None, analysed
            assert analysed.get("observations") is not None, analysed
        else:
            indexes = {
                row[0]
                for row in conn.execute(text("SELECT idx FROM sqlite_stat1 WHERE tbl = 'series'"))
            }
            assert {"ix_series_d3", "ix_series_key"} <= indexes, indexes
