"""The pages in a real headless Chromium (Debian's, driven by Playwright) against a live node:
no console errors, the explorer's chart and table, filters, the validation form, the
accessibility tree and keyboard focus; screenshots go to screenshots/ (git-ignored)."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import lxml.html
import pytest
from lxml import etree

from sdmxnode.services.data.loading import LoadOptions, load_data
from sdmxnode.services.structures.loading import load_structure_files
from tests.conftest import PROJECT_ROOT, bilateral_app, fresh_database
from tests.live.browser import SCREENSHOTS, launch, require_browser, watch_problems
from tests.live.conftest import LiveNode, start_node
from tests.pages.conftest import WORLD, fixture_series
from tests.pages.test_compare_page import needs_desa_table, source_type_counts
from tests.pages.test_explorer_hierarchy import read_codelist
from tests.pages.test_translations import catalogue as translations

UNKNOWN_CODE_FILE = PROJECT_ROOT / "fixtures" / "invalid" / "unknown-code.xml"
WORLD_KEY = f"A.{WORLD}.STOCK.FB._T._T._T._T"
PAGES = {
    "home": "/",
    "dataflow": "/dataflow/IMDX/DF_MIG_STOCK_IMS",
    "explore": f"/explore/IMDX/DF_MIG_STOCK_IMS?key={WORLD_KEY}",
    "codelist": "/codelist/IMDX/CL_AREA",
    "compare": "/compare/IMDX/DF_MIG_STOCK_IMS",
    "validate": "/validate",
}

AXE = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
MAPS_FILE = PROJECT_ROOT / "fixtures" / "structures" / "page-maps-3.0.xml"
IMS2017_FILE = PROJECT_ROOT / "fixtures" / "ims2017" / "IMDX-DF_MIG_STOCK_IMS2017-1.0.0.xml.gz"
#: The countries whose 2017 origin-by-destination series the node gets (the whole table
#: would take half a minute to load).
ORIGIN_COUNTRIES = ("DEU", "KEN")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1200, "height": 900}
#: One page of every family the node serves (the search results, a metadata set, a map,
#: the pages over bilateral data and the API page among them).
EVERY_PAGE = {
    **PAGES,
    "explore-all-areas": "/explore/IMDX/DF_MIG_STOCK_IMS?key=A..STOCK.FB._T._T._T._T",
    "search": "/?q=migrant+stock",
    "mirror": "/mirror/IMDX/DF_MIG_FLOWS?country=DEU",
    "origins": f"/origins/IMDX/DF_MIG_STOCK_IMS2017?country={ORIGIN_COUNTRIES[0]}",
    "metadata": "/metadata/IMDX/MS_MIG_STOCK_IMS_AFG/1.0.0",
    "structuremap": "/structuremap/TEST/SM_NSO_IMMIGRATION",
    "representationmap": "/representationmap/IMDX/RM_M49_AREA",
    "providers": "/providers",
    "registrations": "/registrations",
    "api": "/api",
}
#: Rendered chart text smaller than this (in CSS pixels) is not readable on a phone.
MIN_CHART_TEXT_PX = 10

pytestmark = pytest.mark.live

sync_api = require_browser()


def _origins_slice(folder: Path) -> Path:
    """The 2017 data message cut down to the series to or from ORIGIN_COUNTRIES (the
    message's header and data set kept as they are)."""
    target = folder / "ims2017-slice.xml"
    with gzip.open(IMS2017_FILE) as source:
        tree = etree.parse(source, etree.XMLParser(huge_tree=True, resolve_entities=False))
    for series in tree.getroot().iter("Series"):
        if not {series.get("REF_AREA"), series.get("COUNTRY_BIRTH")} & set(ORIGIN_COUNTRIES):
            series.getparent().remove(series)
    tree.write(str(target), xml_declaration=True, encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def live_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveNode]:
    """A node as the quick start sets it up (the project's structures and the demo data),
    plus what the pages of the other families need, loaded before it starts: the bilateral
    flows (mirror), some 2017 origin data (origins) and the maps fixture (a structure map)."""
    folder = tmp_path_factory.mktemp("pages-node")
    url = fresh_database(folder)
    node = bilateral_app(url).extensions["sdmxnode"]
    load_structure_files(node.store, [MAPS_FILE])
    origins = _origins_slice(folder)
    load_data(node, origins, LoadOptions(source=origins.name))
    node.store.engine.dispose()
    yield from start_node(url, None, folder / "node.log")


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """One headless Chromium for the module."""
    with sync_api.sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def expected_problems() -> list[str]:
    """What a test expects among its page's problems (e.g. the 422 of an invalid upload)."""
    return []


@pytest.fixture
def page(browser, live_node: LiveNode, expected_problems: list[str]) -> Iterator[object]:
    """A fresh page whose console errors, uncaught exceptions (Content-Security-Policy
    violations among them) and HTTP errors fail the test, unless the test expects them."""
    context = browser.new_context(base_url=live_node.url, viewport={"width": 1200, "height": 900})
    page = context.new_page()
    problems = watch_problems(page)
    yield page
    context.close()
    unexpected = [p for p in problems if not any(e in p for e in expected_problems)]
    assert unexpected == [], unexpected


def _wait_for_series(page, count: int) -> None:
    """Until the chart shows `count` series (a locator: string predicates would need the
    eval that the pages' Content-Security-Policy forbids)."""
    sync_api.expect(page.locator("#chart svg g.series")).to_have_count(count, timeout=30_000)


def _screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)


def _world_total() -> dict[str, float]:
    for series in fixture_series():
        attributes = series["attributes"]
        if attributes["REF_AREA"] == WORLD and attributes["SEX"] == "_T":
            return {p: float(v) for p, v in series["observations"].items()}
    raise AssertionError("no world series in the fixture")


def _chart_points(page) -> dict[str, dict[str, float]]:
    """Series key -> period -> value, from the data attributes of the SVG chart."""
    found: dict[str, dict[str, float]] = {}
    for group in page.locator("#chart svg g.series").all():
        key = group.get_attribute("data-series")
        found[key] = {
            dot.get_attribute("data-period"): float(dot.get_attribute("data-value"))
            for dot in group.locator("circle").all()
        }
    return found


@pytest.mark.parametrize("name", list(PAGES))
def test_each_page_loads_and_is_accessible(page, name: str) -> None:
    response = page.goto(PAGES[name])
    assert response is not None and response.status == 200
    page.wait_for_load_state("networkidle")
    assert page.title().strip()
    tree = page.locator("body").aria_snapshot()
    assert "- heading" in tree and "[level=1]" in tree
    assert "- main" in tree and "- navigation" in tree
    # every form control has an accessible name (its label)
    for control in page.locator("main select, main input:not([type=hidden])").all():
        control_id = control.get_attribute("id")
        assert control_id and page.locator(f"label[for='{control_id}']").count() == 1, control_id
    for role in ("combobox", "searchbox", "textbox"):
        for line in tree.splitlines():
            if line.strip().startswith(f"- {role}"):
                assert '"' in line, line  # a name is given
    # keyboard: the first Tab reaches the skip link, which moves focus into main
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    inside_main = page.evaluate("document.querySelector('main').contains(document.activeElement)")
    assert inside_main
    _screenshot(page, name)


def test_explorer_charts_the_world_migrant_stock(page) -> None:
    page.goto(PAGES["explore"])
    page.wait_for_selector("#chart svg circle")
    expected = _world_total()
    assert _chart_points(page) == {WORLD_KEY: expected}
    assert page.locator("#chart svg circle").count() == len(expected) == 7
    cells = page.locator("#data-table tbody td[data-period]")
    table = {
        c.get_attribute("data-period"): float(c.get_attribute("data-value")) for c in cells.all()
    }
    assert table == expected


def test_a_filter_change_updates_table_and_chart(page) -> None:
    page.goto(PAGES["explore"])
    page.wait_for_selector("#chart svg circle")
    page.select_option("#f-SEX", "")  # all sexes: both, male, female
    _wait_for_series(page, 3)
    chart = _chart_points(page)
    expected = {}
    for series in fixture_series():
        attributes = series["attributes"]
        if attributes["REF_AREA"] == WORLD:
            key = f"A.{WORLD}.STOCK.FB._T.{attributes['SEX']}._T._T"
            expected[key] = {p: float(v) for p, v in series["observations"].items()}
    assert chart == expected
    rows = page.locator("#data-table tbody tr")
    assert {r.get_attribute("data-series") for r in rows.all()} == set(expected)
    assert f"key=A.{WORLD}.STOCK.FB._T.._T._T" in unquote(page.url)
    _screenshot(page, "explore-by-sex")


def _total_series(areas: list[str]) -> dict[str, dict[str, float]]:
    """Key -> values of the fixture's both-sexes series of `areas`."""
    return {
        f"A.{s['attributes']['REF_AREA']}.STOCK.FB._T._T._T._T": {
            p: float(v) for p, v in s["observations"].items()
        }
        for s in fixture_series()
        if s["attributes"]["REF_AREA"] in areas and s["attributes"]["SEX"] == "_T"
    }


def test_two_areas_chart_two_series(page) -> None:
    page.goto(PAGES["explore"])
    page.wait_for_selector("#chart svg circle")
    areas = list(dict.fromkeys(s["attributes"]["REF_AREA"] for s in fixture_series()))[:2]
    page.select_option("#f-REF_AREA", areas)
    _wait_for_series(page, 2)
    assert _chart_points(page) == _total_series(areas)
    assert f"key=A.{'+'.join(areas)}.STOCK.FB._T._T._T._T" in unquote(page.url)
    _screenshot(page, "explore-two-areas")


def test_keyboard_extends_a_filter_to_a_second_code(page) -> None:
    page.goto(PAGES["explore"])
    page.wait_for_selector("#chart svg circle")
    index, count = page.eval_on_selector("#f-SEX", "s => [s.selectedIndex, s.options.length]")
    assert 0 < index  # one sex is chosen: extend to its neighbour that is a code, not "All"
    page.focus("#f-SEX")
    page.keyboard.press("Shift+ArrowUp" if index == count - 1 else "Shift+ArrowDown")
    _wait_for_series(page, 2)
    chosen = page.eval_on_selector("#f-SEX", "s => Array.from(s.selectedOptions, o => o.value)")
    assert len(chosen) == 2 and "" not in chosen
    keys = {k.split(".")[5] for k in _chart_points(page)}
    assert keys == set(chosen)


def test_the_validation_page_reports_a_known_bad_file(page, expected_problems: list[str]) -> None:
    # the page has the status of the verdict, which the browser reports as a failed load
    expected_problems += ["422 ", "status of 422"]
    page.goto(PAGES["validate"])
    page.set_input_files("#file", str(UNKNOWN_CODE_FILE))
    page.get_by_role("button", name="Validate").click()
    page.wait_for_selector("#report")
    assert page.locator("#report").get_attribute("data-valid") == "false"
    assert page.locator("code.finding-code").all_inner_texts() == ["UNKNOWN_CODE"]
    _screenshot(page, "validate-report")


def test_screenshots_folder_is_ignored_by_git() -> None:
    assert "/screenshots/" in (PROJECT_ROOT / ".gitignore").read_text().splitlines()


# --- #21 points 8 and 9: search that reaches data; code lists and regions


def _kenya() -> object:
    """CL_AREA's code whose English name is Kenya, read from the project's code list."""
    import sdmx

    areas = sdmx.read_sdmx(PROJECT_ROOT / "codelists" / "IMDX-CL_AREA-1.0.0.xml")
    codelist = areas.codelist["CL_AREA"]
    return next(c for c in codelist.items.values() if str(c.name.localizations["en"]) == "Kenya")


def test_searching_migrant_stock_kenya_opens_the_explorer_on_kenya(page) -> None:
    kenya = _kenya()
    page.goto(PAGES["home"])
    page.get_by_label("Search data, dataflows, code lists and codes").fill("migrant stock Kenya")
    page.keyboard.press("Enter")
    first = page.locator("ul.hits > li").first.locator("a").first
    sync_api.expect(first).to_contain_text("Kenya")
    _screenshot(page, "search-results")
    first.click()
    page.wait_for_selector("#chart svg circle")
    assert "/explore/IMDX/DF_MIG_STOCK_IMS" in page.url
    chosen = page.eval_on_selector(
        "#f-REF_AREA", "s => Array.from(s.selectedOptions, o => o.value)"
    )
    assert chosen == [kenya.id]
    assert {key.split(".")[1] for key in _chart_points(page)} == {kenya.id}
    _screenshot(page, "search-kenya")


def test_the_code_list_filter_box_narrows_rows(page) -> None:
    kenya = _kenya()
    m49 = next(str(a.text.localizations["en"]) for a in kenya.annotations if a.type == "M49")
    page.goto(PAGES["codelist"])
    rows = page.locator("#codes-table tbody tr")
    visible = page.locator("#codes-table tbody tr:not([hidden])")
    total = rows.count()
    assert visible.count() == total
    page.get_by_label("Filter codes").fill(m49)  # typed, not submitted
    sync_api.expect(page.locator(f"#code-{kenya.id}")).to_be_visible()
    shown = visible.count()
    assert 0 < shown < total
    ancestors = set()
    parent = kenya.parent
    while hasattr(parent, "parent") and parent.id != "CL_AREA":
        ancestors.add(parent.id)
        parent = parent.parent
    assert {r.get_attribute("data-code") for r in visible.all()} >= ancestors | {kenya.id}
    assert "q=" not in page.url
    sync_api.expect(page.locator("#codes-count")).to_contain_text(f"{shown} of {total}")
    page.get_by_label("Filter codes").fill("")
    sync_api.expect(visible).to_have_count(total)


def test_a_region_lists_its_members(page) -> None:
    kenya = _kenya()
    region = kenya.parent.id
    page.goto(PAGES["codelist"])
    row = page.locator(f"#code-{region}")
    row.locator("details.members summary").click()
    member = row.locator(f"details.members a[href='#code-{kenya.id}']")
    sync_api.expect(member).to_be_visible()
    row.scroll_into_view_if_needed()
    _screenshot(page, "codelist-region-members")
    member.click()
    assert page.url.endswith(f"#code-{kenya.id}")
    sync_api.expect(page.locator(f"#code-{kenya.id}")).to_be_in_viewport()
    # Kenya's parent link leads back to the region; a member the filter hides is shown.
    page.locator(f"#code-{kenya.id} a.parent").click()
    sync_api.expect(row).to_be_in_viewport()
    page.get_by_label("Filter codes").fill(kenya.id)
    other = row.locator(f"details.members a:not([href='#code-{kenya.id}'])").first
    target = other.get_attribute("href")
    sync_api.expect(page.locator(target)).to_be_hidden()
    other.click()
    sync_api.expect(page.locator(target)).to_be_in_viewport()


# --- #21 point 4: filters that fit 266 areas (search, hierarchy, members, "only this")

EASTERN_AFRICA = "14"


def _area_key(areas: str) -> str:
    return f"/explore/IMDX/DF_MIG_STOCK_IMS?key=A.{areas}.STOCK.FB._T._T._T._T"


def _chosen_areas(page) -> set[str]:
    return set(
        page.eval_on_selector("#f-REF_AREA", "s => Array.from(s.selectedOptions, o => o.value)")
    )


def _eastern_africa() -> set[str]:
    """Eastern Africa's countries with data: the code list's children, the fixture's areas."""
    parents, _ = read_codelist()
    areas = {s["attributes"]["REF_AREA"] for s in fixture_series()}
    return {c for c, p in parents.items() if p == EASTERN_AFRICA and c in areas}


def _wait_for_rows(page, count: int, selector: str = "") -> None:
    rows = page.locator(f"#data-table tbody tr{selector}")
    sync_api.expect(rows).to_have_count(count, timeout=30_000)


def _url_key(page) -> str:
    return parse_qs(urlsplit(page.url).query)["key"][0]


def test_a_regions_members_take_two_actions(page) -> None:
    page.goto(PAGES["explore"])
    page.wait_for_selector("#chart svg circle")
    members = _eastern_africa()
    page.select_option("#f-REF_AREA", EASTERN_AFRICA)  # 1: the region
    page.get_by_role("button", name="members (Eastern Africa)").click()  # 2: its members
    _wait_for_rows(page, len(members))
    assert _chosen_areas(page) == members
    rows = page.locator("#data-table tbody tr").all()
    assert {r.get_attribute("data-series").split(".")[1] for r in rows} == members
    assert set(_url_key(page).split(".")[1].split("+")) == members
    _screenshot(page, "explore-region-members")


def test_the_members_list_chooses_a_regions_members_in_one_action(page) -> None:
    page.goto(PAGES["explore"])
    page.wait_for_selector("#chart svg circle")
    members = _eastern_africa()
    page.select_option("#m-REF_AREA", EASTERN_AFRICA)
    _wait_for_rows(page, len(members))
    assert _chosen_areas(page) == members


def test_the_search_box_narrows_the_area_list(page) -> None:
    page.goto(PAGES["explore"])
    page.wait_for_selector("#chart svg circle")
    url = page.url
    shown = page.locator("#f-REF_AREA option:not([hidden]):not([value=''])")
    total = shown.count()
    assert total == len({s["attributes"]["REF_AREA"] for s in fixture_series()})
    page.get_by_label("Search Reference area").fill("keny")
    sync_api.expect(shown).to_have_count(1)
    assert shown.get_attribute("value") == "KEN"
    page.get_by_label("Search Reference area").fill("reunion")  # accents folded: Réunion
    sync_api.expect(shown).to_have_count(1)
    assert shown.get_attribute("value") == "REU"
    page.get_by_label("Search Reference area").fill("")
    sync_api.expect(shown).to_have_count(total)
    page.get_by_label("Search Reference area").press("Enter")  # does not send the form
    assert page.url == url and _chosen_areas(page) == {WORLD}
    sync_api.expect(page.locator("#f-SEX")).to_be_visible()
    assert page.locator("#search-f-SEX").count() == 0  # short lists have no box


def test_only_this_keeps_one_code(page) -> None:
    page.goto(_area_key("KEN%2BUGA%2BTZA"))
    _wait_for_series(page, 3)
    page.get_by_role("button", name="Only this (Uganda)").click()
    _wait_for_series(page, 1)
    assert _chosen_areas(page) == {"UGA"}
    assert _url_key(page).startswith("A.UGA.STOCK")
    sync_api.expect(page.get_by_role("button", name="Only this (Uganda)")).to_have_count(0)


def test_ctrl_click_on_a_country_lets_go_of_the_world(page) -> None:
    page.goto(PAGES["explore"])
    page.wait_for_selector("#chart svg circle")
    page.locator("#f-REF_AREA option[value='KEN']").click(modifiers=["Control"])
    _wait_for_rows(page, 1, "[data-series^='A.KEN.']")
    assert _chosen_areas(page) == {"KEN"}
    assert _url_key(page).startswith("A.KEN.STOCK")
    # the world chosen again on purpose stays, and the warning says what that does
    page.locator(f"#f-REF_AREA option[value='{WORLD}']").click(modifiers=["Control"])
    _wait_for_series(page, 2)
    assert _chosen_areas(page) == {WORLD, "KEN"}
    warning = page.locator(f"#aggregate-warnings p[data-aggregate='{WORLD}']")
    sync_api.expect(warning).to_contain_text("Kenya (KEN)")


def test_the_aggregate_warning_follows_the_choice(page) -> None:
    page.goto(_area_key(f"{WORLD}%2B{EASTERN_AFRICA}%2BKEN"))
    _wait_for_series(page, 3)
    warnings = page.locator("#aggregate-warnings p.aggregate-warning")
    aggregates = {w.get_attribute("data-aggregate") for w in warnings.all()}
    assert aggregates == {WORLD, EASTERN_AFRICA}  # as the server wrote them
    page.get_by_role("button", name="Remove Kenya").click()
    _wait_for_series(page, 2)
    sync_api.expect(warnings).to_have_count(1)
    assert warnings.get_attribute("data-aggregate") == WORLD
    # the script's warning says what the server says of the same choice
    served = lxml.html.fromstring(page.request.get(page.url).text())
    expected = served.xpath("//div[@id='aggregate-warnings']/p")
    assert [p.text_content() for p in expected] == [warnings.text_content()]
    page.get_by_role("button", name="Remove World").click()
    _wait_for_series(page, 1)
    sync_api.expect(warnings).to_have_count(0)


# --- #21 point 5: the comparability page answers "birth or citizenship?"


def _compare_rows(page) -> list[object]:
    return page.locator("#compare-table tbody tr[data-area]").all()


def _summary_counts(page) -> dict[str, int]:
    items = page.locator("ul.definition-summary[data-component='DATA_TYPE_IMS'] li").all()
    return {li.get_attribute("data-code"): int(li.get_attribute("data-count")) for li in items}


def _no_page_wide_scroll(page) -> None:
    width, view = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= view, (width, view)


@needs_desa_table
def test_compare_summary_counts_the_source_types_of_data_at_1280_px(page) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(PAGES["compare"])
    assert _summary_counts(page) == dict(source_type_counts())
    assert len(_compare_rows(page)) == sum(source_type_counts().values())
    # foreign citizens: every country whose cell has a C, as its metadata set says
    citizens = page.locator("ul[data-attribute='MIG_DEF_CRITERION'] li[data-code='CITIZEN']")
    expected = sum(n for data_type, n in source_type_counts().items() if "C" in data_type)
    assert int(citizens.get_attribute("data-count")) == expected
    assert f": {expected} countries" in citizens.inner_text()
    _no_page_wide_scroll(page)
    box = page.locator("#compare-table").locator("xpath=..")
    assert box.get_attribute("class") == "table-scroll"
    _screenshot(page, "compare-1280")


def test_compare_filter_by_definition_and_sort_by_a_column(page) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(PAGES["compare"])
    citizens = _summary_counts(page)["C"]
    page.select_option("#definition", "DATA_TYPE_IMS:C")
    page.locator("#compare-filters").get_by_role("button", name="Apply").click()
    page.wait_for_url("**definition=DATA_TYPE_IMS*")
    rows = _compare_rows(page)
    assert len(rows) == citizens > 0
    for row in rows:
        cell = row.locator("td[data-component='DATA_TYPE_IMS'] span[title]")
        assert cell.get_attribute("title") == "C"
    _no_page_wide_scroll(page)
    # sorting: the column heading is a link, a second activation reverses the order
    page.goto(PAGES["compare"])
    heading = page.locator("#compare-table th[data-component='DATA_TYPE_IMS']")
    heading.get_by_role("link").click()
    page.wait_for_url("**sort=DATA_TYPE_IMS*")
    assert heading.get_attribute("aria-sort") == "ascending"
    first = [r.get_attribute("data-area") for r in _compare_rows(page)]
    heading.get_by_role("link").focus()
    page.keyboard.press("Enter")  # from the keyboard
    page.wait_for_url("**sort=-DATA_TYPE_IMS*")
    assert heading.get_attribute("aria-sort") == "descending"
    labels = [
        " ".join(r.locator("td[data-component='DATA_TYPE_IMS'] span[title]").all_inner_texts())
        for r in _compare_rows(page)
    ]
    assert labels == sorted(labels, key=str.casefold, reverse=True)
    assert [r.get_attribute("data-area") for r in _compare_rows(page)] != first


def test_compare_find_box_narrows_the_table_as_one_types(page) -> None:
    page.goto(PAGES["compare"])
    rows = page.locator("#compare-table tbody tr[data-area]")
    total = rows.count()
    page.get_by_label("Find a country or area").fill("Kenya")
    visible = page.locator("#compare-table tbody tr[data-area]:visible")
    sync_api.expect(visible).to_have_count(1)
    assert visible.get_attribute("data-area") == "KEN"
    assert page.locator("#find-area-status").inner_text() == f"1 of {total} rows match"
    page.get_by_label("Find a country or area").fill("")
    sync_api.expect(visible).to_have_count(total)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.locator("#find-area").scroll_into_view_if_needed()
    _screenshot(page, "compare-table")


# --- #21 points 3 and 10: units, flags, honest counts, chart export, order, snippets
WOMEN_KEY = "A.FRA+DEU+ITA.STOCK.FB._T.F._T._T"


def _women_series() -> list[dict]:
    """The fixture's Series elements of the France/Germany/Italy women selection."""
    return [
        s
        for s in fixture_series()
        if s["attributes"]["REF_AREA"] in ("FRA", "DEU", "ITA") and s["attributes"]["SEX"] == "F"
    ]


def _fixture_flags(path=None) -> dict[tuple[str, str], str]:
    """(area, period) -> OBS_STATUS of the women selection, read from the fixture's XML."""
    from lxml import etree

    from tests.pages.conftest import DEMO_DATA

    found = {}
    for series in etree.parse(str(path or DEMO_DATA)).iter("Series"):
        if series.get("SEX") == "F" and series.get("REF_AREA") in ("FRA", "DEU", "ITA"):
            for obs in series:
                found[(series.get("REF_AREA"), obs.get("TIME_PERIOD"))] = obs.get("OBS_STATUS")
    return found


def test_women_chart_shows_unit_and_flag_legend(page) -> None:
    page.goto(f"/explore/IMDX/DF_MIG_STOCK_IMS?key={WOMEN_KEY}")
    _wait_for_series(page, 3)
    (unit,) = {s["attributes"]["UNIT_MEASURE"] for s in _women_series()}
    shown_unit = page.locator("#units [data-unit]")
    assert shown_unit.get_attribute("data-unit") == unit
    unit_name = shown_unit.inner_text().strip()
    assert page.locator("#chart svg text.unit").text_content().startswith(unit_name)
    assert unit_name in page.locator("#chart-caption").inner_text()
    flags = _fixture_flags()
    dots = {
        (g.get_attribute("data-series").split(".")[1], d.get_attribute("data-period")): (
            d.get_attribute("data-flag")
        )
        for g in page.locator("#chart svg g.series").all()
        for d in g.locator("circle").all()
    }
    assert dots == flags
    legend = page.locator("#flag-legend [data-flag]")
    assert {d.get_attribute("data-flag") for d in legend.all()} == set(flags.values())
    assert page.locator("#flag-legend").is_visible()
    _screenshot(page, "explore-women-units-flags")


def test_counts_say_what_the_chart_and_table_show(page) -> None:
    page.goto(f"/explore/IMDX/DF_MIG_STOCK_IMS?key={WORLD_KEY}")
    page.wait_for_selector("#chart svg circle")
    page.select_option("#f-REF_AREA", "")  # every area
    _wait_for_series(page, 10)
    total = len(
        {s["attributes"]["REF_AREA"] for s in fixture_series() if s["attributes"]["SEX"] == "_T"}
    )
    text = " ".join(page.locator("#counts").inner_text().split())
    assert f"Showing 10 of {total} series in the chart, 40 of {total} series in the table" in text
    assert page.locator("#data-table tbody tr").count() == 40


def test_chart_exports_as_svg_and_png(page) -> None:
    from lxml import etree

    page.goto(f"/explore/IMDX/DF_MIG_STOCK_IMS?key={WOMEN_KEY}")
    _wait_for_series(page, 3)
    sync_api.expect(page.locator("#chart-export")).to_be_visible(timeout=30_000)
    with page.expect_download() as info:
        page.locator("#export-svg").click()
    download = info.value
    assert download.suggested_filename.endswith(".svg")
    svg = etree.parse(download.path()).getroot()
    assert svg.tag == "{http://www.w3.org/2000/svg}svg"
    assert len(svg.findall(".//{http://www.w3.org/2000/svg}polyline")) == 3
    texts = " ".join(t.text or "" for t in svg.iter("{http://www.w3.org/2000/svg}text"))
    assert page.locator("#chart-caption").inner_text().strip() in texts
    for label in ("France", "Germany", "Italy"):
        assert label in texts
    with page.expect_download() as info:
        page.locator("#export-png").click()
    png = info.value
    assert png.suggested_filename.endswith(".png")
    with open(png.path(), "rb") as file:
        head = file.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    assert int.from_bytes(head[16:20], "big") > 800  # drawn at twice the chart's width


def test_sort_control_reorders_the_table(page) -> None:
    page.goto(f"/explore/IMDX/DF_MIG_STOCK_IMS?key={WOMEN_KEY}")
    _wait_for_series(page, 3)
    page.select_option("#sort", "name")
    sync_api.expect(page.locator("#sort")).to_have_value("name", timeout=30_000)
    page.wait_for_url("**sort=name**", timeout=30_000)
    labels = [
        th.inner_text().split(" A.")[0].strip() for th in page.locator("#data-table tbody th").all()
    ]
    assert labels == sorted(labels, key=str.casefold) and len(labels) == 3


def test_rest_url_and_snippets_are_copyable(page, live_node: LiveNode) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_node.url)
    page.goto(f"/explore/IMDX/DF_MIG_STOCK_IMS?key={WOMEN_KEY}")
    _wait_for_series(page, 3)
    rest_url = page.locator("#rest-url").input_value()
    page.get_by_role("button", name="Copy the URL").click()
    sync_api.expect(page.locator(".copy-status")).to_have_text("Copied to the clipboard.")
    assert page.evaluate("navigator.clipboard.readText()") == rest_url
    snippets = page.locator(".snippet")
    assert {s.get_attribute("data-snippet") for s in snippets.all()} == {
        "sdmx1",
        "pysdmx",
        "pandas",
        "rsdmx",
        "curl",
    }
    curl = page.locator(".snippet[data-snippet='curl']")
    curl.get_by_role("button", name="Copy").click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == curl.locator("pre").inner_text()
    assert rest_url in copied


# --- #21 point 7: every page fits a phone (390 px) and a desktop (1200 px) without a
# horizontal page scroll, keeps its chart text readable, speaks of taps on touch screens, and
# axe-core finds no serious or critical accessibility violation in it.


def _open(page, path: str) -> None:
    response = page.goto(path)
    assert response is not None and response.status == 200, path
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1200px"])
@pytest.mark.parametrize("name", list(EVERY_PAGE))
def test_no_page_scrolls_sideways(page, name: str, viewport: dict[str, int]) -> None:
    page.set_viewport_size(viewport)
    _open(page, EVERY_PAGE[name])
    scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll <= inner, f"{name} is {scroll} px wide in a {inner} px window"
    if viewport is PHONE:
        _screenshot(page, f"phone-{name}")


@pytest.mark.parametrize("name", ["explore", "explore-all-areas", "mirror"])
def test_chart_text_stays_readable_on_a_phone(page, name: str) -> None:
    page.set_viewport_size(PHONE)
    _open(page, EVERY_PAGE[name])
    page.wait_for_selector("svg text")
    heights = page.evaluate(
        "Array.from(document.querySelectorAll('main svg text'),"
        " t => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a)"
    )
    assert heights and min(heights) >= MIN_CHART_TEXT_PX, heights


def _visible_text(page, selector: str) -> str:
    return " ".join(t for t in page.locator(selector).all_inner_texts() if t.strip())


def test_filter_help_speaks_of_taps_on_touch_screens(browser, live_node: LiveNode) -> None:
    phone = browser.new_context(
        base_url=live_node.url, viewport=PHONE, has_touch=True, is_mobile=True
    )
    desktop = browser.new_context(base_url=live_node.url, viewport=DESKTOP)
    try:
        texts = {}
        for name, context in (("touch", phone), ("mouse", desktop)):
            page = context.new_page()
            _open(page, EVERY_PAGE["explore"])
            texts[name] = _visible_text(page, "#filters .help")
    finally:
        phone.close()
        desktop.close()
    assert "tap" in texts["touch"].lower() and "ctrl" not in texts["touch"].lower()
    assert "ctrl" in texts["mouse"].lower() and "tap" not in texts["mouse"].lower()


def _serious(violations: list[dict]) -> list[str]:
    """One line per serious or critical violation: rule, impact and the first elements."""
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + "; ".join(" ".join(node["target"]) for node in v["nodes"][:3])
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("name", list(EVERY_PAGE))
def test_axe_finds_no_serious_violation(browser, live_node: LiveNode, name: str) -> None:
    if not AXE.is_file():
        pytest.skip(f"{AXE.relative_to(PROJECT_ROOT)} is absent: run `npm ci` (package.json)")
    # A context of its own that bypasses the Content-Security-Policy, for this check only:
    # the policy (rightly) refuses the injected script, while the other tests keep it whole.
    context = browser.new_context(base_url=live_node.url, viewport=PHONE, bypass_csp=True)
    found = {}
    try:
        page = context.new_page()
        _open(page, EVERY_PAGE[name])
        page.add_script_tag(path=str(AXE))
        for viewport in (PHONE, DESKTOP):  # one load, both layouts
            page.set_viewport_size(viewport)
            result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
            found[viewport["width"]] = _serious(result["violations"])
    finally:
        context.close()
    assert found == {PHONE["width"]: [], DESKTOP["width"]: []}


# --- #21 point 6: the pages in the six UN languages; Arabic runs right to left.


@pytest.mark.parametrize("language", ["ar", "zh", "ru", "fr"])
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1200px"])
def test_translated_explorer_lays_out_and_charts(
    page, language: str, viewport: dict[str, int]
) -> None:
    page.set_viewport_size(viewport)
    _open(
        page,
        f"{EVERY_PAGE['explore']}{'&' if '?' in EVERY_PAGE['explore'] else '?'}lang={language}",
    )
    direction = page.evaluate("getComputedStyle(document.documentElement).direction")
    assert direction == ("rtl" if language == "ar" else "ltr")
    page.wait_for_selector("#chart svg")
    scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll <= inner, f"{language}: {scroll} px wide in a {inner} px window"
    if viewport is PHONE and language == "ar":
        _screenshot(page, "phone-explore-ar")


def test_language_menu_switches_the_page_from_the_keyboard(page) -> None:
    _open(page, "/?lang=en")
    link = page.locator("nav.languages a[hreflang='ar']")
    assert link.inner_text().strip() == "العربية"
    link.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("[document.documentElement.lang, document.documentElement.dir]") == [
        "ar",
        "rtl",
    ]
    assert page.locator("a.skip").inner_text().strip() == "الانتقال إلى المحتوى"


# --- #21 point 1/2: the Kenya 2019 task: a country's figure for one year as a CSV file with
# names, in at most three actions from the home page.


def _csv_rows(path: Path) -> list[dict[str, str]]:
    import csv

    with path.open(encoding="utf-8-sig", newline="") as text:
        return list(csv.DictReader(text))


def test_kenya_2019_as_csv_takes_three_actions(page) -> None:
    from tests.pages.test_search import _dimensions

    kenya, year = _kenya(), "2019"
    page.goto(PAGES["home"])
    actions = []
    # 1. Type "Kenya 2019" in the search box and press Enter.
    page.get_by_label("Search data, dataflows, code lists and codes").fill(f"Kenya {year}")
    page.keyboard.press("Enter")
    actions.append("search")
    # 2. Open the first result.
    first = page.locator("ul.hits > li").first.locator("a").first
    sync_api.expect(first).to_contain_text("Kenya")
    first.click()
    actions.append("open the first result")
    page.wait_for_selector("#chart svg")
    query = parse_qs(urlsplit(page.url).query)
    assert (query["startPeriod"], query["endPeriod"]) == ([year], [year])
    # 3. Download the CSV with names and codes.
    with page.expect_download() as caught:
        page.get_by_role("link", name="CSV (names and codes)").click()
    actions.append("download")
    assert len(actions) <= 3
    download = caught.value
    assert download.suggested_filename.endswith(".csv"), download.suggested_filename
    rows = _csv_rows(Path(download.path()))
    assert len(rows) == 1, rows
    (row,) = rows
    # The columns carry the components' names, the cells the codes' names.
    columns = {header.split(": ", 1)[0]: header for header in row}
    dimensions = _dimensions()
    assert all(": " in columns[d] for d in dimensions), list(row)
    assert row[columns["REF_AREA"]] == f"{kenya.id}: {kenya.name.localizations['en']}"
    assert row[columns["TIME_PERIOD"]].split(": ")[0] == year
    # The value is the demo file's, for the series the row's codes name.
    codes = {d: row[columns[d]].split(": ", 1)[0] for d in dimensions}
    (stored,) = [
        s["observations"][year]
        for s in fixture_series()
        if all(s["attributes"].get(d) == code for d, code in codes.items())
    ]
    assert float(row[columns["OBS_VALUE"]].split(": ")[0]) == float(stored)


# --- #21 point 6: the scripts' texts


def test_the_filters_script_writes_french_on_a_french_page(page) -> None:
    from tests.pages.test_translations import catalogue

    french = catalogue("fr")
    page.goto(_area_key("KEN%2BUGA%2BTZA") + "&lang=fr")
    _wait_for_series(page, 3)
    chosen = page.locator("#chosen-f-REF_AREA button")
    only = chosen.filter(has_text=french["Only this"])
    sync_api.expect(only).to_have_count(3)
    sync_api.expect(chosen.filter(has_text="Only this")).to_have_count(0)
    # The search box's label and the count it writes, the number in the French form.
    label = page.locator("label[for='search-f-REF_AREA']").inner_text()
    assert label.startswith(french["Search %(name)s"].split("%(")[0]), label
    total = page.locator("#f-REF_AREA option:not([value=''])").count()
    page.locator("#search-f-REF_AREA").fill("keny")
    expected = french["%(shown)s of %(total)s shown"] % {"shown": 1, "total": total}
    sync_api.expect(page.locator("#count-f-REF_AREA")).to_have_text(expected)
    # The chart's accessible name too ("... : graphique linéaire, séries : 3, ...").
    chart = french["Line chart of %(series)s series over %(periods)s periods"].split(",")[0]
    assert chart.lower() in page.locator("#chart svg > title").text_content().lower()
    _screenshot(page, "explore-filters-fr")


# --- #21 point 6: the figure pages (code list, comparability, origins, mirror) in Arabic.

#: Per figure page: a control or heading whose interface text the catalogue translates, and
#: the chart its script draws (None: the page has no chart).
FIGURE_PAGES = {
    "codelist": ("label[for='code-q']", "Filter codes", None),
    "compare": ("#summary-heading", "At a glance", None),
    "origins": ("label[for='country']", "Country", "#emigrants-chart svg"),
    "mirror": ("label[for='chart-mode']", "Chart shows", "#mirror-chart svg"),
}


@pytest.mark.parametrize("name", list(FIGURE_PAGES))
def test_translated_figure_pages_run_right_to_left_on_a_phone(page, name: str) -> None:
    selector, message, chart = FIGURE_PAGES[name]
    page.set_viewport_size(PHONE)
    url = EVERY_PAGE[name]
    _open(page, f"{url}{'&' if '?' in url else '?'}lang=ar")
    assert page.evaluate("getComputedStyle(document.documentElement).direction") == "rtl"
    assert page.locator(selector).inner_text().strip() == translations("ar")[message]
    if chart:
        page.wait_for_selector(chart)
    scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll <= inner, f"{name}: {scroll} px wide in a {inner} px window"
