"""What the explorer shows beside the figures (units, multipliers, flags, notes, reference
metadata links, honest counts, series order, snippets), checked against the SDMX-CSV answer
of the same selection from the node's own REST API."""

from __future__ import annotations

import io
from urllib.parse import urlsplit

import lxml.html
import pandas as pd
import pytest
from flask.testing import FlaskClient

from sdmxnode.services.pages.explorer.display import CHART_LINES
from sdmxnode.services.pages.explorer.exploration import MAX_OBSERVATIONS, MAX_SERIES
from tests.pages.conftest import assert_accessible_basics, html_of

EXPLORE = "/explore/IMDX/DF_MIG_STOCK_IMS"
DATA = "/rest/data/IMDX,DF_MIG_STOCK_IMS,1.0.0"
WOMEN = "A.FRA+DEU+ITA.STOCK.FB._T.F._T._T"
ALL_AREAS = "A..STOCK.FB._T._T._T._T"
KEY_COLUMNS = ["FREQ", "REF_AREA", "MEASURE", "COUNTRY_BIRTH", "CITIZENSHIP", "SEX", "AGE"]


def _csv(client: FlaskClient, key: str) -> pd.DataFrame:
    """The selection as SDMX-CSV 1.0 with labels: a column per component, 'CODE: name'
    cells split into a code column (the component id) and a name column (id + '_name')."""
    response = client.get(f"{DATA}/{key}?format=csvdata-1.0&labels=both")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/vnd.sdmx.data+csv")
    raw = pd.read_csv(io.StringIO(response.get_data(as_text=True)), dtype=str).fillna("")
    frame = pd.DataFrame(index=raw.index)
    for column in raw.columns:
        component = column.split(":")[0]
        split = raw[column].str.partition(": ")
        frame[component] = split[0]
        frame[f"{component}_name"] = split[2]
    frame["SERIES_KEY"] = frame[KEY_COLUMNS + ["EDUCATION_LEV"]].agg(".".join, axis=1)
    return frame


def _page(client: FlaskClient, query: str) -> lxml.html.HtmlElement:
    response = client.get(f"{EXPLORE}?{query}")
    assert response.status_code == 200
    return html_of(response)


def _cells(page: lxml.html.HtmlElement) -> dict[tuple[str, str], str]:
    """(series key, period) -> the flag shown in the table cell ('' for none)."""
    return {
        (td.getparent().get("data-series"), td.get("data-period")): td.get("data-flag") or ""
        for td in page.xpath("//table[@id='data-table']/tbody/tr/td[@data-period]")
    }


def _rows(page: lxml.html.HtmlElement) -> list[str]:
    return page.xpath("//table[@id='data-table']/tbody/tr/@data-series")


def test_unit_multiplier_and_flags_are_those_of_the_data(migration_client: FlaskClient) -> None:
    csv = _csv(migration_client, WOMEN)
    page = _page(migration_client, f"key={WOMEN}")
    assert_accessible_basics(page)
    (unit,) = set(csv["UNIT_MEASURE"])
    (unit_name,) = set(csv["UNIT_MEASURE_name"])
    (multiplier,) = set(csv["UNIT_MULT"])
    units = page.get_element_by_id("units")
    assert units.xpath(".//@data-unit") == [unit]
    assert units.xpath(".//@data-multiplier") == [multiplier]
    assert unit_name in units.text_content()
    assert unit_name in page.get_element_by_id("chart-caption").text_content()
    assert _cells(page) == {
        (key, period): status
        for key, period, status in zip(
            csv["SERIES_KEY"], csv["TIME_PERIOD"], csv["OBS_STATUS"], strict=True
        )
    }
    legend = {
        div.get("data-flag"): div.findtext("dd")
        for div in page.xpath("//*[@id='flag-legend']//div[@data-flag]")
    }
    assert legend == dict(zip(csv["OBS_STATUS"], csv["OBS_STATUS_name"], strict=True))


def test_imputed_values_are_flagged_and_named(migration_client: FlaskClient) -> None:
    everything = _csv(migration_client, ALL_AREAS)
    imputed = everything[everything["OBS_STATUS"] == "I"]
    assert len(imputed), "the demo data has imputed values"
    areas = sorted(set(imputed["REF_AREA"]))[:3]
    key = f"A.{'+'.join(areas)}.STOCK.FB._T._T._T._T"
    csv = everything[everything["REF_AREA"].isin(areas)]
    page = _page(migration_client, f"key={key}")
    flagged = {k for k, flag in _cells(page).items() if flag == "I"}
    expected = csv[csv["OBS_STATUS"] == "I"]
    assert flagged == set(zip(expected["SERIES_KEY"], expected["TIME_PERIOD"], strict=True))
    (name,) = set(expected["OBS_STATUS_name"])
    assert page.xpath("//*[@id='flag-legend']//div[@data-flag='I']/dd")[0].text == name
    abbr = page.xpath("//table[@id='data-table']//td[@data-flag='I']/abbr")[0]
    assert abbr.get("title") == name and abbr.text == "I"


def test_notes_and_sources_are_the_series_attributes(migration_client: FlaskClient) -> None:
    csv = _csv(migration_client, WOMEN)
    page = _page(migration_client, f"key={WOMEN}")
    columns = page.xpath("//table[@id='notes-table']/thead//th/@data-attribute")
    assert "DATA_TYPE_IMS" in columns and "UNIT_MEASURE" not in columns  # the unit is above
    series = csv.drop_duplicates("SERIES_KEY").set_index("SERIES_KEY")
    for tr in page.xpath("//table[@id='notes-table']/tbody/tr"):
        for td in tr.xpath("td[@data-attribute]"):
            assert (
                td.get("data-value") == series.loc[tr.get("data-series"), td.get("data-attribute")]
            )
    for column in columns:  # an attribute is listed only if some series reports it
        assert any(series[column])


def test_each_country_links_to_its_reference_metadata(migration_client: FlaskClient) -> None:
    flow = html_of(migration_client.get("/dataflow/IMDX/DF_MIG_STOCK_IMS"))
    documented = {
        tr.get("data-area"): urlsplit(tr.xpath(".//a/@href")[0]).path
        for tr in flow.xpath("//table[@id='metadata-table']/tbody/tr")
    }
    page = _page(migration_client, f"key={WOMEN}")
    links = {
        a.get("data-area"): urlsplit(a.get("href")).path for a in page.find_class("metadata-link")
    }
    assert links == {area: documented[area] for area in ("FRA", "DEU", "ITA")}
    assert migration_client.get(links["FRA"]).status_code == 200
    world = _page(migration_client, "key=A.1.STOCK.FB._T._T._T._T")
    assert world.find_class("metadata-link") == []  # no set documents the world


def test_counts_say_what_is_shown_of_what(migration_client: FlaskClient) -> None:
    csv = _csv(migration_client, ALL_AREAS)
    page = _page(migration_client, f"key={ALL_AREAS}")
    total = csv["SERIES_KEY"].nunique()
    assert total > MAX_SERIES
    counts = page.get_element_by_id("counts")
    shown = page.xpath("//table[@id='data-table']//td[@data-period]")
    assert counts.get("data-series-total") == str(total)
    assert counts.get("data-observations-total") == str(len(csv))
    assert counts.get("data-observations-shown") == str(len(shown))
    text = " ".join(counts.text_content().split())
    assert f"Showing {CHART_LINES} of {total} series in the chart" in text
    assert f"{MAX_SERIES} of {total} series in the table" in text
    assert f"{len(shown):,} observations of {len(csv):,} in the selection" in text
    few = " ".join(
        _page(migration_client, f"key={WOMEN}").get_element_by_id("counts").text_content().split()
    )
    assert few.startswith(
        "Showing 3 of 3 series in the chart, 3 of 3 series in the table, 21 observations."
    )


def test_counts_of_a_selection_larger_than_the_explorer_reads(
    migration_client: FlaskClient,
) -> None:
    csv = _csv(migration_client, "all")
    assert len(csv) > MAX_OBSERVATIONS  # the explorer stops reading: the counts come from SQL
    counts = _page(migration_client, "key=").get_element_by_id("counts")
    assert counts.get("data-series-total") == str(csv["SERIES_KEY"].nunique())
    assert counts.get("data-observations-total") == str(len(csv))


def _codelist_order(client: FlaskClient) -> list[str]:
    page = html_of(client.get("/codelist/IMDX/CL_AREA"))
    return [code for code in page.xpath("//table//tr/@data-code")]


def _latest(page: lxml.html.HtmlElement, key: str) -> float:
    cells = page.xpath(f"//table[@id='data-table']/tbody/tr[@data-series='{key}']/td[@data-value]")
    return float(max(cells, key=lambda td: td.get("data-period")).get("data-value"))


def test_series_come_in_code_list_name_or_value_order(migration_client: FlaskClient) -> None:
    csv = _csv(migration_client, ALL_AREAS)
    names = dict(zip(csv["SERIES_KEY"], csv["REF_AREA_name"], strict=True))
    areas = dict(zip(csv["SERIES_KEY"], csv["REF_AREA"], strict=True))
    order = _codelist_order(migration_client)
    assert order, "the code list page lists its codes"
    listed = _rows(_page(migration_client, f"key={ALL_AREAS}"))
    wanted = sorted(names, key=lambda k: order.index(areas[k]))[:MAX_SERIES]
    assert listed == wanted
    assert listed != sorted(listed)[: len(listed)]  # not code order
    by_name = _rows(_page(migration_client, f"key={ALL_AREAS}&sort=name"))
    assert by_name == sorted(names, key=lambda k: names[k].casefold())[:MAX_SERIES]
    by_value_page = _page(migration_client, f"key={ALL_AREAS}&sort=value")
    values = [_latest(by_value_page, key) for key in _rows(by_value_page)]
    assert values == sorted(values, reverse=True)
    latest = csv[csv["TIME_PERIOD"] == csv["TIME_PERIOD"].max()]
    assert values[0] == max(float(v) for v in latest["OBS_VALUE"])


def test_the_sort_form_works_without_javascript(migration_client: FlaskClient) -> None:
    page = _page(migration_client, f"key={ALL_AREAS}&startPeriod=2000")
    form = page.get_element_by_id("sort-form")
    fields = {i.get("name"): i.get("value") for i in form.xpath(".//input[@type='hidden']")}
    assert fields["key"] == ALL_AREAS and fields["startPeriod"] == "2000"
    assert [o.get("value") for o in form.xpath(".//select[@name='sort']/option")] == [
        "list",
        "name",
        "value",
    ]
    sorted_page = _page(
        migration_client, "&".join(f"{k}={v}" for k, v in fields.items()) + "&sort=name"
    )
    assert sorted_page.xpath("//select[@id='sort']/option[@selected]/@value") == ["name"]
    assert min(sorted_page.xpath("//table[@id='data-table']/thead//th/text()")[1:]) == "2000"
    redirect = migration_client.get(f"{EXPLORE}?dim.SEX=F&sort=value")
    assert redirect.status_code == 303 and "sort=value" in redirect.headers["Location"]


def test_snippets_fetch_the_same_selection(migration_client: FlaskClient) -> None:
    page = _page(migration_client, f"key={WOMEN}&startPeriod=2010")
    rest_url = page.get_element_by_id("rest-url").get("value")
    snippets = {
        div.get("data-snippet"): div.findtext(".//pre/code") for div in page.find_class("snippet")
    }
    assert set(snippets) == {"sdmx1", "pysdmx", "pandas", "rsdmx", "curl"}
    for name in ("sdmx1", "pysdmx", "rsdmx", "curl"):
        assert f'"{rest_url}"' in snippets[name], name
    assert "pysdmx[" in page.text_content()  # with its extra
    (csv_url,) = [part for part in snippets["pandas"].split('"') if part.startswith("http")]
    split = urlsplit(csv_url)
    answer = migration_client.get(f"{split.path}?{split.query}")
    assert answer.headers["Content-Type"].startswith("application/vnd.sdmx.data+csv")
    frame = pd.read_csv(io.StringIO(answer.get_data(as_text=True)), dtype=str)
    assert len(frame) == len(page.xpath("//table[@id='data-table']//td[@data-period]"))
    for button in page.xpath("//button[@data-copy]"):
        assert page.get_element_by_id(button.get("data-copy")) is not None


@pytest.mark.parametrize(
    "path",
    ["/", "/dataflow/IMDX/DF_MIG_STOCK_IMS", EXPLORE, "/codelist/IMDX/CL_AREA", "/validate"],
)
def test_every_page_links_the_api_page(migration_client: FlaskClient, path: str) -> None:
    page = html_of(migration_client.get(path))
    (link,) = page.xpath("//nav[@aria-label='Main']//a[text()='API']/@href")
    answer = migration_client.get(link)
    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("text/html")
