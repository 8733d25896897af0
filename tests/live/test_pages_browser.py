"""The pages in a real headless Chromium (Debian's, driven by Playwright) against a live node:
no console errors, the explorer's chart and table, filters, the validation form, the
accessibility tree and keyboard focus; screenshots go to screenshots/ (git-ignored)."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import pytest
from lxml import etree

from sdmxnode.services.data.loading import LoadOptions, load_data
from sdmxnode.services.structures.loading import load_structure_files
from tests.conftest import PROJECT_ROOT, bilateral_app, fresh_database
from tests.live.browser import SCREENSHOTS, launch, require_browser, watch_problems
from tests.live.conftest import LiveNode, start_node
from tests.pages.conftest import WORLD, fixture_series

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
