"""The explorer, comparability and validation pages, through the Flask test client."""

from __future__ import annotations

import io
from collections import defaultdict

import pandas as pd
from flask.testing import FlaskClient

from sdmxnode.services.pages.explorer.exploration import MAX_SERIES
from tests.conftest import PROJECT_ROOT
from tests.pages.conftest import WORLD, assert_accessible_basics, fixture_series, html_of

EXPLORE = "/explore/IMDX/DF_MIG_STOCK_IMS"
WORLD_KEY = f"A.{WORLD}.STOCK.FB._T._T._T._T"
UNKNOWN_CODE_FILE = PROJECT_ROOT / "fixtures" / "invalid" / "unknown-code.xml"
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def _table(page) -> dict[str, dict[str, float]]:
    """Series key -> period -> value, from the explorer's table cells."""
    return {
        tr.get("data-series"): {
            td.get("data-period"): float(td.get("data-value"))
            for td in tr.iter("td")
            if td.get("data-period")
        }
        for tr in page.xpath("//table[@id='data-table']/tbody/tr")
    }


def test_explorer_tabulates_the_world_series(migration_client: FlaskClient, world_total) -> None:
    response = migration_client.get(f"{EXPLORE}?key={WORLD_KEY}")
    assert response.status_code == 200
    page = html_of(response)
    assert_accessible_basics(page)
    assert _table(page) == {WORLD_KEY: world_total}
    headers = [th.text_content() for th in page.xpath("//table[@id='data-table']/thead//th")][1:]
    assert headers == sorted(world_total)
    assert page.get_element_by_id("rest-url").get("value").endswith(f"/{WORLD_KEY}")
    selected = page.xpath("//select[@id='f-REF_AREA']/option[@selected]")
    assert [o.get("value") for o in selected] == [WORLD]


def test_explorer_default_selection_is_one_total_series(migration_client: FlaskClient) -> None:
    page = html_of(migration_client.get(EXPLORE))
    table = _table(page)
    assert len(table) == 1
    (key,) = table
    assert key.split(".")[5] == "_T"  # SEX: the total, not one sex


def test_explorer_wildcard_and_or_keys(migration_client: FlaskClient) -> None:
    expected = defaultdict(dict)
    for series in fixture_series():
        attributes = series["attributes"]
        if attributes["REF_AREA"] == WORLD:
            key = f"A.{WORLD}.STOCK.FB._T.{attributes['SEX']}._T._T"
            expected[key] = {p: float(v) for p, v in series["observations"].items()}
    page = html_of(migration_client.get(f"{EXPLORE}?key=A.{WORLD}.STOCK.FB._T.._T._T"))
    assert _table(page) == expected
    page = html_of(migration_client.get(f"{EXPLORE}?key=A.{WORLD}.STOCK.FB._T.M%2BF._T._T"))
    assert set(_table(page)) == {k for k in expected if k.split(".")[5] in ("M", "F")}


def test_explorer_caps_the_series_it_shows(migration_client: FlaskClient) -> None:
    page = html_of(migration_client.get(f"{EXPLORE}?key=A..STOCK.FB._T._T._T._T"))
    assert len(_table(page)) == MAX_SERIES
    assert "download the selection" in page.text_content()


def test_explorer_form_fields_become_a_key(migration_client: FlaskClient) -> None:
    response = migration_client.get(f"{EXPLORE}?dim.REF_AREA={WORLD}&dim.SEX=M&lang=fr")
    assert response.status_code == 303
    location = response.headers["Location"]
    assert f"key=.{WORLD}....M.." in location.replace("%2E", ".")
    assert "lang=fr" in location


def test_explorer_bad_key_is_an_html_400(migration_client: FlaskClient) -> None:
    response = migration_client.get(f"{EXPLORE}?key=A.1")
    assert response.status_code == 400
    assert "8 dimensions" in html_of(response).text_content()


def test_explorer_selection_without_data(migration_client: FlaskClient) -> None:
    response = migration_client.get(f"{EXPLORE}?key=A.{WORLD}.STOCK.FB._T.X._T._T")
    assert response.status_code == 200
    assert "No data matches" in html_of(response).text_content()


def test_compare_shows_each_reporting_country(migration_client: FlaskClient) -> None:
    response = migration_client.get("/compare/IMDX/DF_MIG_STOCK_IMS?show=all")
    assert response.status_code == 200
    page = html_of(response)
    assert_accessible_basics(page)
    data_types: dict[str, set[str]] = defaultdict(set)
    for series in fixture_series():
        attributes = series["attributes"]
        data_types[attributes["REF_AREA"]].add(attributes.get("DATA_TYPE_IMS", ""))
    rows = page.xpath("//table[@id='compare-table']/tbody/tr")
    assert {tr.get("data-area") for tr in rows} == set(data_types)
    headers = page.xpath("//table[@id='compare-table']/thead//th")
    column = next(i for i, th in enumerate(headers) if "DATA_TYPE_IMS" in th.text_content())
    for tr in rows:
        cell = tr.xpath("./th|./td")[column]
        titles = {span.get("title") for span in cell.iter("span") if span.get("title")}
        assert titles == data_types[tr.get("data-area")] - {""}, tr.get("data-area")
    # the data types differ between countries: some rows are marked as not comparable
    assert page.xpath("//td[@data-differs='true']")
    only = html_of(migration_client.get("/compare/IMDX/DF_MIG_STOCK_IMS?show=all&only=differs"))
    marked = only.xpath("//table[@id='compare-table']/tbody/tr")
    assert 0 < len(marked) < len(rows)
    assert all(tr.xpath(".//td[@data-differs='true']") for tr in marked)


def test_compare_without_data(migration_client: FlaskClient) -> None:
    response = migration_client.get("/compare/IMDX/DF_TIP")
    assert response.status_code == 200
    assert "No reporting country" in html_of(response).text_content()


def test_validate_page_has_a_labelled_upload_form(migration_client: FlaskClient) -> None:
    page = html_of(migration_client.get("/validate"))
    assert_accessible_basics(page)
    form = page.xpath("//form[@enctype='multipart/form-data']")[0]
    assert form.get("method") == "post" and form.get("action") == "/validate"


def test_browser_form_post_gets_the_report_as_html(migration_client: FlaskClient) -> None:
    with UNKNOWN_CODE_FILE.open("rb") as body:
        response = migration_client.post(
            "/validate",
            data={"file": (body, "unknown-code.xml")},
            headers={"Accept": BROWSER_ACCEPT},
        )
    assert response.status_code == 422  # the verdict, as the JSON answer gives it
    page = html_of(response)
    assert page.get_element_by_id("report").get("data-valid") == "false"
    codes = [c.text_content() for c in page.xpath("//code[@class='finding-code']")]
    assert codes == ["UNKNOWN_CODE"]
    assert "unknown-code.xml" in page.findtext(".//h2")


def test_clients_still_get_json_and_empty_browser_posts_a_page(
    migration_client: FlaskClient,
) -> None:
    response = migration_client.post("/validate", data=UNKNOWN_CODE_FILE.read_bytes())
    assert response.headers["Content-Type"] == "application/json"
    assert response.get_json()["findings"][0]["code"] == "UNKNOWN_CODE"
    empty = migration_client.post("/validate", data=b"", headers={"Accept": BROWSER_ACCEPT})
    assert empty.status_code == 400
    assert "form field" in html_of(empty).text_content()
    sdmx_client = migration_client.post(
        "/validate", data=b"", headers={"Accept": "application/xml"}
    )
    assert sdmx_client.status_code == 400
    assert sdmx_client.headers["Content-Type"].startswith("application/xml")


def test_the_validation_page_has_the_status_of_the_json_answer(
    migration_client: FlaskClient,
) -> None:
    valid = (PROJECT_ROOT / "fixtures" / "data" / "small" / "small-csv20-21.csv").read_bytes()
    for body, status in ((valid, 200), (UNKNOWN_CODE_FILE.read_bytes(), 422), (b"<x", 400)):
        upload = {"file": (io.BytesIO(body), "upload.xml")}
        as_json = migration_client.post("/validate", data=upload)
        upload = {"file": (io.BytesIO(body), "upload.xml")}
        as_page = migration_client.post(
            "/validate", data=upload, headers={"Accept": BROWSER_ACCEPT}
        )
        assert (as_json.status_code, as_page.status_code) == (status, status)
        assert as_page.mimetype == "text/html"


def test_a_non_sdmx_upload_is_415_on_the_validation_page(migration_client: FlaskClient) -> None:
    png = b"\x89PNG\r\n\x1a\n" + bytes(64)
    upload = {"file": (io.BytesIO(png), "chart.png", "image/png")}
    page = migration_client.post("/validate", data=upload, headers={"Accept": BROWSER_ACCEPT})
    assert page.status_code == 415
    assert "image/png" in html_of(page).text_content()


def test_a_time_range_limits_table_chart_downloads_and_rest_url(
    migration_client: FlaskClient, world_total
) -> None:
    """Issue 21, point 1: from/to and last N periods, carried everywhere the selection goes."""
    from urllib.parse import parse_qs, urlsplit

    page = html_of(
        migration_client.get(f"{EXPLORE}?key={WORLD_KEY}&startPeriod=2005&endPeriod=2015")
    )
    wanted = {p: v for p, v in world_total.items() if "2005" <= p <= "2015"}
    assert _table(page) == {WORLD_KEY: wanted}
    assert page.get_element_by_id("p-start").get("value") == "2005"
    rest_url = page.get_element_by_id("rest-url").get("value")
    assert parse_qs(urlsplit(rest_url).query) == {"startPeriod": ["2005"], "endPeriod": ["2015"]}
    # Every download holds the same periods (SDMX-CSV with codes read back here).
    links = {a.get("data-format"): a.get("href") for a in page.xpath("//ul[@class='downloads']//a")}
    for link in page.xpath("//ul[@class='downloads']//a/@href"):
        assert "startPeriod=2005" in link and "endPeriod=2015" in link
    csv = migration_client.get("/" + links["csvdata-1.0"].split("//", 1)[1].split("/", 1)[1])
    frame = pd.read_csv(io.BytesIO(csv.get_data()), dtype=str)
    assert set(frame.TIME_PERIOD) == set(wanted)

    last = html_of(migration_client.get(f"{EXPLORE}?key={WORLD_KEY}&lastNObservations=2"))
    assert _table(last) == {WORLD_KEY: dict(sorted(world_total.items())[-2:])}


def test_the_filter_form_keeps_the_time_range(migration_client: FlaskClient) -> None:
    response = migration_client.get(
        f"{EXPLORE}?dim.FREQ=A&dim.REF_AREA={WORLD}&startPeriod=2010&lastNObservations="
    )
    assert response.status_code == 303
    target = parse_target(response.headers["Location"])
    assert target["startPeriod"] == ["2010"] and "lastNObservations" not in target


def test_a_malformed_period_is_a_400_page_saying_where(migration_client: FlaskClient) -> None:
    response = migration_client.get(f"{EXPLORE}?key={WORLD_KEY}&startPeriod=2010-13")
    assert response.status_code == 400
    assert "startPeriod" in response.get_data(as_text=True)


def parse_target(location: str) -> dict[str, list[str]]:
    from urllib.parse import parse_qs, urlsplit

    return parse_qs(urlsplit(location).query)
