"""The structure map and representation map pages, the links to them from the dataflow and
code list pages and the home page, and the validation page's choice of a structure map.

The expectations are read from fixtures/structures/page-maps-3.0.xml and the project's
structures with lxml and sdmx1, not from the node's own reader of maps."""

from __future__ import annotations

import io
from collections.abc import Iterator

import lxml.html
import pytest
import sdmx
from flask import Flask
from flask.testing import FlaskClient
from lxml import etree

from sdmxnode.app import create_app
from sdmxnode.services.structures.loading import load_structure_files
from tests.conftest import PROJECT_ROOT, fresh_database, initialise_from_template
from tests.pages.conftest import assert_accessible_basics, html_of

MAPS_FILE = PROJECT_ROOT / "fixtures" / "structures" / "page-maps-3.0.xml"
SEX_FILE = PROJECT_ROOT / "codelists" / "IAEG-SDGs-CL_SEX-1.0.xml"
FLOW_DSD_FILE = PROJECT_ROOT / "dsd" / "IMDX-DSD_MIG_FLOW-1.0.0.xml"
STR = "{http://www.sdmx.org/resources/sdmxml/schemas/v3_0/structure}"
COM = "{http://www.sdmx.org/resources/sdmxml/schemas/v3_0/common}"
LANG = "{http://www.w3.org/XML/1998/namespace}lang"
STRUCTURE_MAP = "/structuremap/TEST/SM_NSO_IMMIGRATION"
REPRESENTATION_MAP = "/representationmap/TEST/RM_GENDER_SEX"


@pytest.fixture(scope="module")
def maps_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The project's structures and the maps fixture (its own DSD, dataflow, code list)."""
    url = fresh_database(tmp_path_factory.mktemp("maps"))
    application = create_app({"DATABASE_URL": url, "TESTING": True})
    node = application.extensions["sdmxnode"]
    initialise_from_template(node)
    load_structure_files(node.store, [MAPS_FILE])
    yield application
    node.store.engine.dispose()


@pytest.fixture
def maps_client(maps_app: Flask) -> FlaskClient:
    return maps_app.test_client()


def _fixture() -> etree._Element:
    return etree.parse(str(MAPS_FILE)).getroot()


def _names(element: etree._Element, item: str) -> dict[str, str]:
    """id -> English name of the `item` children of `element`."""
    return {
        child.get("id"): child.find(f"{COM}Name").text
        for child in element.iter(f"{STR}{item}")
        if child.find(f"{COM}Name") is not None
    }


def _rows(page: lxml.html.HtmlElement, table: str) -> list[list[str]]:
    return [
        [" ".join(cell.text_content().split()) for cell in row.xpath("th|td")]
        for row in page.xpath(f"//table[@class='{table}']/tbody/tr")
    ]


def test_structure_map_page_shows_sides_component_maps_and_names(
    maps_client: FlaskClient,
) -> None:
    response = maps_client.get(STRUCTURE_MAP)
    assert response.status_code == 200
    page = html_of(response)
    assert_accessible_basics(page)
    root = _fixture()
    element = root.find(f".//{STR}StructureMap")
    assert page.findtext(".//h1").strip() == element.find(f"{COM}Name").text
    hrefs = [a.get("href") for a in page.xpath("//div[@class='map-sides']//a")]
    assert any(h.startswith("/dataflow/TEST/DF_NSO_IMMIGRATION") for h in hrefs), hrefs
    assert any(h.startswith("/dataflow/IMDX/DF_MIG_FLOWS") for h in hrefs), hrefs

    concepts = _names(root, "Concept")
    flow_concepts = _names(etree.parse(str(FLOW_DSD_FILE)).getroot(), "Concept")
    if not flow_concepts:  # the DSD file names no concepts: read the concept scheme
        scheme = sdmx.read_sdmx(PROJECT_ROOT / "dsd" / "IMDX-CS_MIGRATION-1.0.0.xml")
        flow_concepts = {
            c.id: str(c.name) for cs in scheme.concept_scheme.values() for c in cs.items.values()
        }
    expected = [
        (
            [s.text for s in cm.findall(f"{STR}Source")],
            [t.text for t in cm.findall(f"{STR}Target")],
            cm.findtext(f"{STR}RepresentationMap"),
        )
        for cm in element.findall(f"{STR}ComponentMap")
    ]
    rows = _rows(page, "component-maps")
    assert len(rows) == len(expected) > 0
    for (sources, targets, representation), row in zip(expected, rows, strict=True):
        for source in sources:
            assert source in row[0] and concepts[source] in row[0], row
        for target in targets:
            assert target in row[1] and flow_concepts[target] in row[1], row
        if representation:
            assert representation.rsplit("=", 1)[1].split("(")[0].split(":")[1] in row[2]
        else:
            assert "copied as is" in row[2]
    links = page.xpath("//table[@class='component-maps']//a/@href")
    assert any(h.startswith(REPRESENTATION_MAP) for h in links), links

    fixed = {
        f.findtext(f"{STR}Target"): [v.text for v in f.findall(f"{STR}Value")]
        for f in element.findall(f"{STR}FixedValueMap")
    }
    fixed_rows = _rows(page, "fixed-values")
    assert len(fixed_rows) == len(fixed)
    for component, values in fixed.items():
        row = next(r for r in fixed_rows if r[0].startswith(component))
        assert flow_concepts[component] in row[0] and row[1] == "target" and values[0] in row[2]
    date_map = element.find(f"{STR}DatePatternMap")
    (date_row,) = _rows(page, "date-patterns")
    source, target = date_map.findtext(f"{STR}Source"), date_map.findtext(f"{STR}Target")
    assert date_row[0] == f"{source} {concepts[source]}"
    assert date_row[1] == f"{target} {flow_concepts[target]}"
    assert date_map.get("sourcePattern") in date_row[2]


def test_representation_map_page_lists_rules_with_code_names(maps_client: FlaskClient) -> None:
    response = maps_client.get(REPRESENTATION_MAP)
    assert response.status_code == 200
    page = html_of(response)
    assert_accessible_basics(page)
    root = _fixture()
    element = root.find(f".//{STR}RepresentationMap")
    source_names = _names(root.find(f".//{STR}Codelist"), "Code")
    target_names = {
        code.id: str(code.name)
        for code in sdmx.read_sdmx(SEX_FILE).codelist["CL_SEX"].items.values()
    }
    rules = element.findall(f"{STR}RepresentationMapping")
    rows = _rows(page, "rules")
    assert len(rows) == len(rules)
    assert page.get_element_by_id("rules-count").text_content().strip() == (
        f"{len(rules)} of {len(rules)} rules."
    )
    for rule, row in zip(rules, rows, strict=True):
        source = rule.find(f"{STR}SourceValue")
        target = rule.findtext(f"{STR}TargetValue")
        assert source.text in row[0] and target in row[2] and target_names[target] in row[2]
        if source.get("isRegEx") == "true":
            assert row[1] == "regular expression"
        elif source.get("startIndex"):
            assert row[1].startswith("substring") and source.get("startIndex") in row[1]
        else:
            assert row[1] == "exact" and source_names[source.text] in row[0]
        if rule.get("validFrom"):
            assert rule.get("validFrom") in row[3]
    hrefs = page.xpath("//div[@class='map-sides']//a/@href")
    assert any(h.startswith("/codelist/TEST/CL_GENDER_NSO") for h in hrefs), hrefs
    assert any(h.startswith("/codelist/IAEG-SDGs/CL_SEX") for h in hrefs), hrefs


def test_representation_map_from_a_data_type_names_the_target_codes(
    maps_client: FlaskClient,
) -> None:
    element = _fixture().find(f".//{STR}RepresentationMap[@id='RM_COUNTRY_AREA']")
    areas = sdmx.read_sdmx(PROJECT_ROOT / "codelists" / "IMDX-CL_AREA-1.0.0.xml")
    names = {c.id: str(c.name) for c in areas.codelist["CL_AREA"].items.values()}
    page = html_of(maps_client.get("/representationmap/TEST/RM_COUNTRY_AREA"))
    (source,) = page.xpath("//section[@aria-labelledby='source-heading']//li")
    data_type = element.findtext(f"{STR}SourceDataType")
    assert " ".join(source.text_content().split()) == f"data type {data_type}"
    rows = _rows(page, "rules")
    rules = element.findall(f"{STR}RepresentationMapping")
    assert len(rows) == len(rules)
    for rule, row in zip(rules, rows, strict=True):
        target = rule.findtext(f"{STR}TargetValue")
        assert row[0] == rule.findtext(f"{STR}SourceValue")  # no code list: no name
        assert row[2] == f"{target} {names[target]}"


def test_representation_map_search_filters_rules_without_javascript(
    maps_client: FlaskClient,
) -> None:
    total = len(
        _fixture().findall(
            f".//{STR}RepresentationMap[@id='RM_GENDER_SEX']/{STR}RepresentationMapping"
        )
    )
    # 'Women' is the name of one source code only; '_U' is one rule's target
    for query, count in (("Women", 1), ("_u", 1), ("zzz-none", 0)):
        page = html_of(maps_client.get(f"{REPRESENTATION_MAP}?q={query}"))
        assert len(_rows(page, "rules")) == count, query
        assert page.get_element_by_id("rules-count").text_content().strip() == (
            f"{count} of {total} rules."
        )
        assert page.get_element_by_id("rule-q").get("value") == query


def test_unknown_maps_answer_404_pages(maps_client: FlaskClient) -> None:
    for url in (
        "/structuremap/TEST/SM_NONE",
        "/representationmap/TEST/RM_NONE",
        f"{STRUCTURE_MAP}?version=9.9",
        "/structuremap/TEST/RM_GENDER_SEX",  # a representation map is not a structure map
    ):
        response = maps_client.get(url)
        assert response.status_code == 404, url
        assert response.mimetype == "text/html"


def test_dataflow_pages_link_the_maps_from_and_to_them(maps_client: FlaskClient) -> None:
    for url, role in (
        ("/dataflow/TEST/DF_NSO_IMMIGRATION", "From here"),
        ("/dataflow/IMDX/DF_MIG_FLOWS", "To here"),
    ):
        page = html_of(maps_client.get(url))
        items = page.xpath("//section[@aria-labelledby='maps-heading']//li")
        assert len(items) == 1, url
        assert items[0].text_content().strip().startswith(role)
        assert items[0].xpath(".//a/@href")[0].startswith(STRUCTURE_MAP)
    page = html_of(maps_client.get("/dataflow/IMDX/DF_MIG_STOCK_IMS"))
    assert not page.xpath("//section[@aria-labelledby='maps-heading']")


def test_code_list_pages_link_the_representation_maps(maps_client: FlaskClient) -> None:
    for url, role, link in (
        ("/codelist/TEST/CL_GENDER_NSO", "From here", REPRESENTATION_MAP),
        ("/codelist/IAEG-SDGs/CL_SEX", "To here", REPRESENTATION_MAP),
        ("/codelist/IMDX/CL_AREA", "To here", "/representationmap/TEST/RM_COUNTRY_AREA"),
    ):
        page = html_of(maps_client.get(url))
        items = page.xpath("//section[@aria-labelledby='maps-heading']//li")
        # CL_AREA is also the target of the node's own ISO alpha-2 and M49 maps and of the
        # names of the 2017 origin-by-destination table
        mine = [i for i in items if i.xpath(".//a/@href")[0].startswith(link)]
        assert len(mine) == 1, url
        assert len(items) == (4 if url.endswith("CL_AREA") else 1), url
        assert mine[0].text_content().strip().startswith(role)
    page = html_of(maps_client.get("/codelist/IMDX/CL_FLOW_TYPE"))
    assert not page.xpath("//section[@aria-labelledby='maps-heading']")


def test_home_lists_the_maps(maps_client: FlaskClient) -> None:
    page = html_of(maps_client.get("/"))
    hrefs = page.xpath("//section[@aria-labelledby='maps-heading']//a/@href")
    assert any(h.startswith(STRUCTURE_MAP) for h in hrefs), hrefs
    assert any(h.startswith(REPRESENTATION_MAP) for h in hrefs), hrefs


def test_validation_page_offers_the_structure_maps(maps_client: FlaskClient) -> None:
    page = html_of(maps_client.get("/validate"))
    assert_accessible_basics(page)
    select = page.get_element_by_id("map")
    assert select.get("name") == "map"
    values = [option.get("value") for option in select.iter("option")]
    assert values == ["", "TEST:SM_NSO_IMMIGRATION(1.0)"]
    chosen = html_of(maps_client.get("/validate?map=TEST:SM_NSO_IMMIGRATION(1.0)"))
    selected = chosen.xpath("//select[@id='map']/option[@selected]/@value")
    assert selected == ["TEST:SM_NSO_IMMIGRATION(1.0)"]


def test_the_validation_report_page_keeps_the_chosen_map(maps_client: FlaskClient) -> None:
    body = (PROJECT_ROOT / "fixtures" / "data" / "small" / "small-csv20-21.csv").read_bytes()
    for chosen in ("TEST:SM_NSO_IMMIGRATION(1.0)", ""):
        upload = {"file": (io.BytesIO(body), "upload.csv"), "map": chosen}
        page = maps_client.post("/validate", data=upload, headers={"Accept": "text/html"})
        assert page.mimetype == "text/html"
        selected = html_of(page).xpath("//select[@id='map']/option[@selected]/@value")
        assert selected == [chosen]


def test_pages_without_maps_are_unchanged(migration_client: FlaskClient) -> None:
    """The demo node holds representation maps (the area maps) but no structure map: the
    validation page offers no conversion, and pages of artefacts no map uses list none."""
    assert not html_of(migration_client.get("/validate")).xpath("//select[@name='map']")
    for url in ("/codelist/IMDX/CL_FLOW_TYPE", "/dataflow/IMDX/DF_MIG_STOCK_IMS"):
        assert not html_of(migration_client.get(url)).xpath(
            "//section[@aria-labelledby='maps-heading']"
        ), url
