"""The comparability page (#21 point 5): a summary by definition that matches UN DESA's table,
aggregates kept apart and never "differing", filters and sorting without JavaScript, columns
with nothing reported hidden, and each column explained by its concept."""

from __future__ import annotations

import csv
from collections import Counter

import lxml.html
import pytest
from flask.testing import FlaskClient
from lxml import etree

from tests.conftest import PROJECT_ROOT
from tests.pages.conftest import WORLD, assert_accessible_basics, fixture_series, html_of

COMPARE = "/compare/IMDX/DF_MIG_STOCK_IMS"
DESA_CSV = PROJECT_ROOT.parent / "shared" / "data" / "UN_MigrantStockBySexByDestination_2019.csv"
CONCEPTS = PROJECT_ROOT / "dsd" / "IMDX-CS_MIGRATION-1.0.0.xml"
AREAS = PROJECT_ROOT / "codelists" / "IMDX-CL_AREA-1.0.0.xml"
STR = "{http://www.sdmx.org/resources/sdmxml/schemas/v2_1/structure}"
COM = "{http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common}"
#: The components the page may show (the DSD's definition components), as the fixture names them.
DEFINITION_COMPONENTS = (
    "COUNTRY_BIRTH",
    "CITIZENSHIP",
    "MIG_DEF_CRITERION",
    "RESIDENCE_CRITERION",
    "AGE_DEF",
    "SOURCE_TYPE",
    "DATA_TYPE_IMS",
    "REF_PERIOD_DETAIL",
    "REVISION",
)

needs_desa_table = pytest.mark.skipif(
    not DESA_CSV.is_file(),
    reason=f"UN DESA's International Migrant Stock 2019 table is not at {DESA_CSV} "
    "(../shared/data is absent on this machine)",
)


def source_type_counts() -> Counter[str]:
    """How many countries or areas of DESA's Table 1 have each "Type of data" (its letters
    joined without spaces, as fixtures/README.md says the demo data hold them); rows with a
    code of 900 or more are DESA's regions and groupings."""
    with DESA_CSV.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    header = next(i for i, row in enumerate(rows) if row and row[0].startswith("Sort"))
    code_at = rows[header].index("Code")
    type_at = next(i for i, name in enumerate(rows[header]) if name.startswith("Type of data"))
    counts: Counter[str] = Counter()
    for row in rows[header + 2 :]:
        if len(row) > type_at and row[code_at].strip().isdigit() and int(row[code_at]) < 900:
            counts[row[type_at].replace(" ", "")] += 1
    return counts


def _page(client: FlaskClient, query: str = "") -> lxml.html.HtmlElement:
    response = client.get(f"{COMPARE}{query}")
    assert response.status_code == 200
    return html_of(response)


def _rows(page: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    return page.xpath("//table[@id='compare-table']/tbody/tr[@data-area]")


def _summary(page: lxml.html.HtmlElement, component: str) -> dict[str, int]:
    items = page.xpath(f"//ul[@class='definition-summary'][@data-component='{component}']/li")
    return {li.get("data-code"): int(li.get("data-count")) for li in items}


def _cell_codes(row: lxml.html.HtmlElement, component: str) -> set[str]:
    (cell,) = row.xpath(f"./td[@data-component='{component}']")
    return {span.get("title") for span in cell.iter("span") if span.get("title")}


@needs_desa_table
def test_summary_counts_match_the_type_of_data_column_of_the_source(
    migration_client: FlaskClient,
) -> None:
    expected = source_type_counts()
    page = _page(migration_client)
    assert_accessible_basics(page)
    assert _summary(page, "DATA_TYPE_IMS") == dict(expected)
    # the summary counts reporting countries: as many as the table has country rows
    reporting = page.xpath("//*[@data-count='reporting']")[0].text_content()
    assert int(reporting) == sum(expected.values()) == len(_rows(page))
    # the criterion is the summary's first part: it answers "birth or citizenship?"
    first = page.xpath("//ul[@class='definition-summary']")[0]
    assert first.get("data-component") == "DATA_TYPE_IMS"


def test_aggregates_never_differ_and_are_left_out_by_default(
    migration_client: FlaskClient,
) -> None:
    with_data = {s["attributes"]["REF_AREA"] for s in fixture_series()}
    # regions of the area code list with a member that has data (read here with lxml)
    parents = {
        code.find(f"{STR}Parent/Ref").get("id")
        for code in etree.parse(str(AREAS)).iter(f"{STR}Code")
        if code.find(f"{STR}Parent/Ref") is not None and code.get("id") in with_data
    }
    everything = _page(migration_client, "?show=all")
    rows = _rows(everything)
    assert {r.get("data-area") for r in rows} == with_data
    aggregates = {r.get("data-area") for r in rows if r.get("data-aggregate") == "true"}
    assert WORLD in aggregates
    assert parents & with_data <= aggregates
    assert not any(r.xpath(".//td[@data-differs='true']") for r in rows if r.get("data-aggregate"))
    # countries with another type of data than the most common one still differ
    assert any(r.xpath(".//td[@data-differs='true']") for r in rows)
    countries = {r.get("data-area") for r in _rows(_page(migration_client))}
    assert countries == with_data - aggregates
    differing = _rows(_page(migration_client, "?show=all&only=differs"))
    assert differing and not {r.get("data-area") for r in differing} & aggregates


def test_columns_with_nothing_reported_are_hidden(migration_client: FlaskClient) -> None:
    reported = {
        name
        for series in fixture_series()
        for name, value in series["attributes"].items()
        if value and name in DEFINITION_COMPONENTS
    }
    page = _page(migration_client)
    shown = {th.get("data-component") for th in page.xpath("//table[@id='compare-table']//th")}
    assert shown - {None} == reported
    hidden = {s.get("data-component") for s in page.xpath("//p[@class='hidden-columns']/span")}
    assert hidden and not hidden & reported


def test_each_column_is_explained_in_one_line_by_its_concept(
    migration_client: FlaskClient,
) -> None:
    descriptions = {
        concept.get("id"): concept.findtext(f"{COM}Description")
        for concept in etree.parse(str(CONCEPTS)).iter(f"{STR}Concept")
    }
    page = _page(migration_client)
    headers = page.xpath("//table[@id='compare-table']/thead//th[@data-component]")
    assert headers
    for th in headers:
        note = page.get_element_by_id(th.get("aria-describedby"))
        text = note.text_content().strip()
        assert text == descriptions[th.get("data-component")], th.get("data-component")
        assert "\n" not in text


@pytest.mark.parametrize("value", ["DATA_TYPE_IMS:C", "C"])
def test_the_definition_filter_keeps_the_countries_using_it(
    migration_client: FlaskClient, value: str
) -> None:
    counts = _summary(_page(migration_client), "DATA_TYPE_IMS")
    page = _page(migration_client, f"?definition={value}")
    rows = _rows(page)
    assert len(rows) == counts["C"] > 0
    assert all(_cell_codes(r, "DATA_TYPE_IMS") == {"C"} for r in rows)
    assert page.xpath("//*[@data-count='shown']")[0].text_content() == str(len(rows))
    (selected,) = page.xpath("//select[@id='definition']/optgroup/option[@selected]")
    assert selected.get("value") == "DATA_TYPE_IMS:C"


def test_sorting_by_name_and_by_a_column(migration_client: FlaskClient) -> None:
    def names(page: lxml.html.HtmlElement) -> list[str]:
        return [r.xpath("./th")[0].text.strip() for r in _rows(page)]

    ascending = names(_page(migration_client, "?sort=name"))
    assert ascending == sorted(ascending, key=str.casefold)
    assert names(_page(migration_client, "?sort=-name")) == ascending[::-1]
    page = _page(migration_client, "?sort=DATA_TYPE_IMS")
    labels = [
        " ".join(s.text_content() for s in r.xpath("./td[@data-component='DATA_TYPE_IMS']/span"))
        for r in _rows(page)
    ]
    assert labels == sorted(labels, key=str.casefold) and labels[0] != labels[-1]
    (sorted_by,) = page.xpath("//th[@aria-sort]")
    assert sorted_by.get("data-component") == "DATA_TYPE_IMS"
    assert sorted_by.get("aria-sort") == "ascending"
    # its header link now sorts the other way
    assert "sort=-DATA_TYPE_IMS" in sorted_by.find("a").get("href")


def test_options_the_page_does_not_offer_show_the_default_table(
    migration_client: FlaskClient,
) -> None:
    default = [r.get("data-area") for r in _rows(_page(migration_client))]
    odd = _page(migration_client, "?show=everything&sort=nonsense&definition=NOPE:X")
    assert [r.get("data-area") for r in _rows(odd)] == default


def test_the_tables_scroll_inside_their_box(migration_client: FlaskClient) -> None:
    page = _page(migration_client)
    for table_id in ("compare-table", "metadata-compare-table"):
        (table,) = page.xpath(f"//table[@id='{table_id}']")
        box = table.getparent()
        assert box.tag == "div" and "table-scroll" in box.get("class"), table_id
        assert box.get("tabindex") == "0" and box.get("role") == "region"


@needs_desa_table
def test_criterion_summary_counts_birth_and_citizenship_as_the_source_does(
    migration_client: FlaskClient,
) -> None:
    """B in a "Type of data" cell means foreign-born, C foreign citizens (both letters: both
    criteria), neither (I, IR: imputed) an unknown criterion (fixtures/README.md)."""
    expected: Counter[str] = Counter()
    for data_type, count in source_type_counts().items():
        criteria = [c for letter, c in (("B", "BIRTH"), ("C", "CITIZEN")) if letter in data_type]
        for criterion in criteria or ["_U"]:
            expected[criterion] += count
    page = _page(migration_client)
    items = page.xpath("//ul[@data-attribute='MIG_DEF_CRITERION']/li")
    assert {li.get("data-code"): int(li.get("data-count")) for li in items} == dict(expected)
    citizens = _page(migration_client, "?criterion=CITIZEN")
    rows = citizens.xpath("//table[@id='metadata-compare-table']/tbody/tr")
    assert len(rows) == expected["CITIZEN"]
    for row in rows:
        cell = row.xpath("./td[@data-attribute='MIG_DEF_CRITERION']")[0]
        assert "CITIZEN" in {span.get("data-value") for span in cell.iter("span")}
