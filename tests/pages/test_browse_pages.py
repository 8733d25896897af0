"""The home, dataflow and code list pages, through the Flask test client."""

from __future__ import annotations

import sdmx
from flask import Flask
from flask.testing import FlaskClient

from sdmxnode.formats.registry.data import DATA_FORMATS, file_extension
from tests.conftest import PROJECT_ROOT
from tests.pages.conftest import assert_accessible_basics, html_of

DSD_FILE = PROJECT_ROOT / "dsd" / "IMDX-DSD_MIG_STOCK-1.0.0.xml"
CATEGORY_FILE = PROJECT_ROOT / "dsd" / "IMDX-CAT_MIGRATION-1.0.0.xml"
AREA_FILE = PROJECT_ROOT / "codelists" / "IMDX-CL_AREA-1.0.0.xml"


def test_home_lists_dataflows_by_category(migration_client: FlaskClient) -> None:
    response = migration_client.get("/")
    assert response.status_code == 200
    page = html_of(response)
    assert_accessible_basics(page)
    scheme = next(iter(sdmx.read_sdmx(CATEGORY_FILE).category_scheme.values()))
    stocks = str(scheme["STOCKS"].name)
    headings = [h.text_content().strip() for h in page.iter("h3")]
    assert stocks in headings
    section = page.xpath(f"//h3[normalize-space()='{stocks}']/following-sibling::ul[1]")[0]
    links = [a.get("href") for a in section.iter("a")]
    assert any(href.startswith("/dataflow/IMDX/DF_MIG_STOCK_IMS") for href in links)
    assert any(href.startswith("/explore/IMDX/DF_MIG_STOCK_IMS") for href in links)


def test_home_search_finds_codes_and_dataflows(migration_client: FlaskClient) -> None:
    page = html_of(migration_client.get("/?q=Kenya"))
    hits = [li.text_content() for li in page.xpath("//ul[@class='hits']/li")]
    assert any("KEN" in hit and "CL_AREA" in hit for hit in hits), hits
    page = html_of(migration_client.get("/?q=migrant stock"))
    hrefs = [a.get("href") for a in page.xpath("//ul[@class='hits']//a")]
    assert any("/dataflow/IMDX/DF_MIG_STOCK_IMS" in h for h in hrefs), hrefs
    page = html_of(migration_client.get("/?q=zzzz-nothing"))
    assert not page.xpath("//ul[@class='hits']/li")


def test_dataflow_page_shows_every_component(migration_client: FlaskClient) -> None:
    response = migration_client.get("/dataflow/IMDX/DF_MIG_STOCK_IMS")
    assert response.status_code == 200
    page = html_of(response)
    assert_accessible_basics(page)
    dsd = sdmx.read_sdmx(DSD_FILE).structure["DSD_MIG_STOCK"]
    expected = (
        [d.id for d in dsd.dimensions.components]
        + [m.id for m in dsd.measures.components]
        + [a.id for a in dsd.attributes.components]
    )
    shown = [
        th.text_content().strip() for th in page.xpath("//table[@class='components']//tbody/tr/th")
    ]
    assert sorted(shown) == sorted(expected)


def test_dataflow_downloads_work_in_every_format(migration_client: FlaskClient) -> None:
    page = html_of(
        migration_client.get("/dataflow/IMDX/DF_MIG_STOCK_IMS?key=A.1.STOCK.FB._T._T._T._T")
    )
    anchors = page.xpath("//ul[@class='downloads']//a")
    links = [a.get("href") for a in anchors]
    # Every format, and SDMX-CSV 2.0 twice more for spreadsheets (with names, and codes
    # only), grouped by use; each saves with its extension.
    assert len(links) == len(DATA_FORMATS) + 2
    assert {a.get("data-format") for a in anchors} == {f.name for f in DATA_FORMATS}
    assert [h.text_content() for h in page.xpath("//section//h4")] == [
        "For spreadsheets",
        "SDMX",
        "For analysts",
    ]
    spreadsheets = [a.text_content() for a in anchors[:3]]
    assert spreadsheets == ["CSV (names and codes)", "CSV (codes)", "Excel (data and notes)"]
    extensions = {f.name: file_extension(f) for f in DATA_FORMATS}
    for anchor in anchors:
        assert anchor.get("download") == (
            f"IMDX-DF_MIG_STOCK_IMS-1.0.0-A.1.STOCK.FB._T._T._T._T."
            f"{extensions[anchor.get('data-format')]}"
        )
    for link in links:
        path = link.split("//", 1)[1].split("/", 1)[1]
        with migration_client.get("/" + path) as response:
            assert response.status_code == 200, link
            assert "html" not in response.headers["Content-Type"]
            assert response.get_data()
    rest_url = page.get_element_by_id("rest-url").get("value")
    assert rest_url.endswith("/rest/data/IMDX,DF_MIG_STOCK_IMS,1.0.0/A.1.STOCK.FB._T._T._T._T")


def test_dataflow_without_data_says_so(migration_client: FlaskClient) -> None:
    page = html_of(migration_client.get("/dataflow/IMDX/DF_TIP"))
    assert "no data" in page.text_content()
    assert not page.xpath("//ul[@class='downloads']//a")


def test_unknown_dataflow_is_an_html_404(migration_client: FlaskClient) -> None:
    response = migration_client.get("/dataflow/IMDX/NO_SUCH_FLOW")
    assert response.status_code == 404
    assert "NO_SUCH_FLOW" in html_of(response).text_content()


def test_codelist_page_shows_names_in_every_language(migration_client: FlaskClient) -> None:
    codelist = sdmx.read_sdmx(AREA_FILE).codelist["CL_AREA"]
    world = codelist["1"]
    page = html_of(migration_client.get("/codelist/IMDX/CL_AREA"))
    assert_accessible_basics(page)
    row = page.xpath("//tr[@data-code='1']")[0]
    cells = {td.get("lang"): td.text_content() for td in row.iter("td") if td.get("lang")}
    assert {k: v for k, v in cells.items() if v} == {
        lang: str(text) for lang, text in world.name.localizations.items()
    }
    assert len(page.xpath("//tbody/tr")) == len(codelist)
    kenya = codelist["KEN"]
    row = page.xpath("//tr[@data-code='KEN']")[0]
    cells = {td.get("lang"): td.text_content() for td in row.iter("td") if td.get("lang")}
    assert len(kenya.name.localizations) > 1
    assert cells == {lang: str(text) for lang, text in kenya.name.localizations.items()}


def test_codelist_hierarchy_and_search_keep_the_parents(migration_client: FlaskClient) -> None:
    codelist = sdmx.read_sdmx(AREA_FILE).codelist["CL_AREA"]
    kenya = codelist["KEN"]
    ancestors = []
    parent = kenya.parent
    while parent is not None and parent in codelist:
        ancestors.append(parent.id)
        parent = parent.parent
    page = html_of(migration_client.get("/codelist/IMDX/CL_AREA?q=Kenya"))
    shown = [tr.get("data-code") for tr in page.xpath("//tbody/tr")]
    assert "KEN" in shown
    assert set(ancestors) <= set(shown)
    levels = {tr.get("data-code"): int(tr.get("data-level")) for tr in page.xpath("//tbody/tr")}
    assert levels["KEN"] == len(ancestors)


def test_language_by_parameter_and_by_accept_language(migration_client: FlaskClient) -> None:
    kenya = sdmx.read_sdmx(AREA_FILE).codelist["CL_AREA"]["KEN"]
    french = str(kenya.name.localizations["fr"])
    url = "/explore/IMDX/DF_MIG_STOCK_IMS?key=A.1%2B2.STOCK.FB._T._T._T._T"
    by_parameter = html_of(migration_client.get(url + "&lang=fr"))
    by_header = html_of(migration_client.get(url, headers={"Accept-Language": "fr-CH, fr;q=0.9"}))
    for page in (by_parameter, by_header):
        assert page.get("lang") == "fr"
        options = [o.text_content() for o in page.xpath("//select[@id='f-REF_AREA']/option")]
        assert any(french in o for o in options)
    english = html_of(migration_client.get(url, headers={"Accept-Language": "de"}))
    assert english.get("lang") == "en"


def test_static_assets_are_served(migration_client: FlaskClient) -> None:
    for name, kind in (
        ("pages.css", "text/css"),
        ("explorer.js", "javascript"),
        ("favicon.svg", "svg"),
    ):
        response = migration_client.get(f"/static/{name}")
        assert response.status_code == 200
        assert kind in response.headers["Content-Type"]


def test_rest_errors_stay_sdmx_messages(
    migration_client: FlaskClient, migration_app: Flask
) -> None:
    for path in ("/rest/dataflow/IMDX/NOPE", "/no/such/page", "/dataflow/IMDX"):
        response = migration_client.get(path, headers={"Accept": "text/html"})
        assert response.status_code in (404, 406), path  # 406: /rest offers no HTML
        assert response.headers["Content-Type"].startswith("application/xml"), path
